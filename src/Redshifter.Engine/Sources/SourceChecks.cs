using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Sources;

/// <summary>
/// Checks of a source that change nothing, run before the load's transaction begins (DESIGN.md section 5
/// step 4), on both engines, so that a load refused on Redshift is refused on PostgreSQL too:
/// <list type="bullet">
/// <item>a data key must name exactly one object: Redshift's COPY FROM 's3://b/k' loads every object whose key
/// starts with k (k.bak, k.1 too); a manifest is exact and is not affected;</item>
/// <item>a manifest of Parquet files must give every entry's meta.content_length (Redshift requires it);</item>
/// <item>on Redshift, the bucket must be in AWS_REGION: COPY's REGION is AWS_REGION, and a Parquet COPY takes no
/// REGION at all and reads only a bucket of the cluster's own region.</item>
/// </list>
/// </summary>
public static class SourceChecks
{
    /// <summary>How many of the other keys an error names (the listing asks for one more, to say "and more").</summary>
    internal const int KeysNamed = 10;

    public static async Task VerifyAsync(SourceFile source, S3Storage storage, EngineKind engine, IEngineLog log, CancellationToken cancellationToken)
    {
        if (source.IsManifest)
        {
            if (source.Format == DataFormat.Parquet)
                await VerifyParquetManifestAsync(source, storage, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await VerifyKeyIsExactAsync(source, storage, cancellationToken).ConfigureAwait(false);
        }
        if (engine == EngineKind.Redshift)
            await VerifyRegionAsync(source, storage, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Item 5 of issue 14: "COPY … FROM 's3://b/k'" takes k as a key prefix and loads every object under it
    /// ("the key prefix custdata.txt can refer to … custdata.txt.001, custdata.txt.002":
    /// https://docs.aws.amazon.com/redshift/latest/dg/tutorial-loading-run-copy.html,
    /// https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source-s3.html). One listing of that
    /// prefix, at most <see cref="KeysNamed"/> + 2 keys, tells whether another object would be loaded too.
    /// </summary>
    public static async Task VerifyKeyIsExactAsync(SourceFile source, S3Storage storage, CancellationToken cancellationToken)
    {
        var page = await storage.ListPageAsync(source.Bucket, source.Key, null, null, KeysNamed + 2, null, cancellationToken).ConfigureAwait(false);
        var others = page.Objects.Where(o => !string.Equals(o.Key, source.Key, StringComparison.Ordinal)).Select(o => o.Uri).ToList();
        if (others.Count == 0) return;
        var named = string.Join(", ", others.Take(KeysNamed)) + (others.Count > KeysNamed || page.IsTruncated ? " and more" : "");
        throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
            $"{source.Uri} is also the beginning of other keys ({named}): Redshift's COPY reads its FROM key as a prefix and would load those objects too, so nothing was loaded into {source.Schema}.{source.Table}.",
            "Move or rename the other objects (e.g. a backup 'x.json.gz.bak' to 'backup/x.json.gz'), or load exactly the file wanted through a manifest (<schema>_<table>_<date>.manifest listing it).",
            source.Uri);
    }

    /// <summary>
    /// Item 4 of issue 14: a manifest of Parquet (or ORC) files needs "meta": {"content_length": bytes} on every
    /// entry ("a meta key that is required … for loading data files in an ORC or Parquet file format":
    /// https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html). A length that
    /// differs from the object's size is refused too: the reader would look for the file's footer in the wrong place.
    /// </summary>
    public static async Task VerifyParquetManifestAsync(SourceFile source, S3Storage storage, CancellationToken cancellationToken)
    {
        var manifest = await Manifest.ReadAsync(storage, source.Bucket, source.Key, cancellationToken).ConfigureAwait(false);
        var missing = manifest.Entries.Where(e => e.ContentLength == null).Select(e => e.Uri).ToList();
        if (missing.Count > 0)
            throw new RedshifterException(ErrorIds.InvalidConfig, ErrorKind.InvalidData,
                $"The manifest {source.Uri} lists Parquet files without \"meta\": {{\"content_length\": …}}, which Redshift requires for Parquet: {Named(missing)}. Nothing was loaded.",
                "Give every entry its size in bytes, e.g. {\"url\":\"s3://bucket/part-0.parquet\",\"mandatory\":true,\"meta\":{\"content_length\":5956875}} (UNLOAD … MANIFEST writes it).",
                source.Uri);
        var wrong = new List<string>();
        foreach (var entry in manifest.Entries)
        {
            var info = await storage.TryGetInfoAsync(entry.Bucket, entry.Key, cancellationToken).ConfigureAwait(false);
            if (info != null && info.Size != entry.ContentLength) wrong.Add($"{entry.Uri} (content_length {entry.ContentLength}, object {info.Size} bytes)");
        }
        if (wrong.Count > 0)
            throw new RedshifterException(ErrorIds.InvalidConfig, ErrorKind.InvalidData,
                $"The manifest {source.Uri} gives Parquet files a content_length other than their size: {Named(wrong)}. Nothing was loaded.",
                "Write each entry's meta.content_length as the object's size in bytes (aws s3api head-object … ContentLength).",
                source.Uri);
    }

    /// <summary>
    /// Item 14 of issue 14, on Redshift: the cluster reads S3 itself, with COPY's REGION (AWS_REGION) for text and
    /// with no REGION at all for Parquet, which must come from a bucket in the cluster's own region ("The Amazon S3
    /// bucket must be in the same AWS Region as the Amazon Redshift database":
    /// https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html). A bucket whose
    /// region S3 does not tell (no s3:GetBucketLocation) is not refused; -Verbose says the check was skipped.
    /// </summary>
    public static async Task VerifyRegionAsync(SourceFile source, S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var region = await storage.TryGetBucketRegionAsync(source.Bucket, cancellationToken).ConfigureAwait(false);
        if (region == null)
        {
            log.Verbose($"{source.Schema}.{source.Table}: the region of bucket '{source.Bucket}' could not be read (s3:GetBucketLocation), so it was not compared with {EnvironmentVariables.Region}.");
            return;
        }
        if (string.Equals(region, storage.Settings.Region, StringComparison.OrdinalIgnoreCase)) return;
        var parquet = source.Format == DataFormat.Parquet;
        throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidArgument,
            $"The bucket '{source.Bucket}' is in {region}, but {storage.Settings.RegionSource} says {storage.Settings.Region}: " +
            (parquet
                ? "Redshift's COPY of Parquet takes no REGION and reads only a bucket in the cluster's own region, so it would fail. Nothing was loaded."
                : $"Redshift's COPY would ask S3 in {storage.Settings.Region} (its REGION) and fail. Nothing was loaded."),
            parquet
                ? $"Copy the Parquet files to a bucket in the cluster's region (and set {EnvironmentVariables.Region} to it), or export them as JSON or CSV, which COPY reads across regions."
                : $"Set {EnvironmentVariables.Region}={region} (the bucket's region; COPY passes it as REGION), then load again.",
            source.Uri);
    }

    private static string Named(List<string> items) =>
        string.Join(", ", items.Take(KeysNamed)) + (items.Count > KeysNamed ? $" and {items.Count - KeysNamed} more" : "");
}
