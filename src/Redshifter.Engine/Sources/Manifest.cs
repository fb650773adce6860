using System.Text.Json;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Sources;

/// <summary>One file a manifest lists; <paramref name="ContentLength"/> is its "meta": {"content_length": …}, if given.</summary>
public sealed record ManifestEntry(string Bucket, string Key, bool Mandatory, long? ContentLength = null)
{
    public string Uri => S3Uri.Format(Bucket, Key);
}

/// <summary>
/// A Redshift manifest (<c>{"entries":[{"url":"s3://…","mandatory":true}]}</c>): the data files of one
/// load, in order. Discovery validates it; the PostgreSQL loader reads every entry.
/// </summary>
public sealed class Manifest
{
    public string Uri { get; }
    public IReadOnlyList<ManifestEntry> Entries { get; }

    private Manifest(string uri, IReadOnlyList<ManifestEntry> entries)
    {
        Uri = uri;
        Entries = entries;
    }

    public static async Task<Manifest> ReadAsync(S3Storage storage, string bucket, string key, CancellationToken cancellationToken) =>
        Parse(await storage.ReadAllTextAsync(bucket, key, cancellationToken).ConfigureAwait(false), S3Uri.Format(bucket, key));

    public static Manifest Parse(string json, string uri)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw Invalid(uri, $"it is not JSON ({ex.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
                throw Invalid(uri, "it has no \"entries\" array");
            var list = new List<ManifestEntry>();
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
                    throw Invalid(uri, $"entry {list.Count + 1} has no \"url\" string");
                var text = url.GetString()!;
                if (!S3Uri.IsS3Uri(text)) throw Invalid(uri, $"entry {list.Count + 1}'s url '{text}' is not an s3:// URI");
                var (bucket, key) = S3Uri.Parse(text);
                var mandatory = entry.TryGetProperty("mandatory", out var m) && m.ValueKind == JsonValueKind.True;
                long? length = entry.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                    && meta.TryGetProperty("content_length", out var l) && l.ValueKind == JsonValueKind.Number && l.TryGetInt64(out var n) && n >= 0 ? n : null;
                list.Add(new ManifestEntry(bucket, key, mandatory, length));
            }
            if (list.Count == 0) throw Invalid(uri, "its \"entries\" array is empty");
            return new Manifest(uri, list);
        }
    }

    /// <summary>
    /// A source described by hand (-Uri …) that is a manifest takes its format and compression from its
    /// entries, unless they were given.
    /// </summary>
    public static async Task<SourceFile> DescribeAsync(S3Storage storage, SourceFile source, bool formatGiven, bool compressionGiven, CancellationToken cancellationToken)
    {
        if (!source.IsManifest || (formatGiven && compressionGiven)) return source;
        var manifest = await ReadAsync(storage, source.Bucket, source.Key, cancellationToken).ConfigureAwait(false);
        var (format, compression) = SourceName.DescribeObject(manifest.Entries[0].Key);
        return source with { Format = formatGiven ? source.Format : format, Compression = compressionGiven ? source.Compression : compression };
    }

    /// <summary>Every mandatory entry must exist (Redshift's COPY fails otherwise; so do we, before starting).</summary>
    public async Task ValidateAsync(S3Storage storage, CancellationToken cancellationToken)
    {
        foreach (var entry in Entries.Where(e => e.Mandatory))
        {
            if (await storage.TryGetInfoAsync(entry.Bucket, entry.Key, cancellationToken).ConfigureAwait(false) == null)
                throw new RedshifterException(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
                    $"The manifest {Uri} lists {entry.Uri} as mandatory, but that object does not exist.",
                    "Upload the missing file, remove it from the manifest, or mark it \"mandatory\": false.", entry.Uri);
        }
    }

    private static RedshifterException Invalid(string uri, string problem) => new(
        ErrorIds.SourceNotFound, ErrorKind.InvalidData,
        $"The manifest {uri} is not valid: {problem}.",
        "Write it as {\"entries\":[{\"url\":\"s3://bucket/key\",\"mandatory\":true}]}.", uri);
}
