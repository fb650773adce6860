using System.Globalization;
using System.Text.RegularExpressions;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Sources;

/// <summary>What to look for: one table's data in a bucket, the latest or of one date.</summary>
public sealed record SourceQuery
{
    public required string Bucket { get; init; }
    /// <summary>"" or ending in '/'.</summary>
    public string Prefix { get; init; } = "";
    public required string Schema { get; init; }
    public required string Table { get; init; }
    /// <summary>Exactly this data date; null = the latest.</summary>
    public DateTimeOffset? Date { get; init; }
    /// <summary>-Config: an s3:// URI or a local path, used instead of the config beside the data.</summary>
    public string? Config { get; init; }
}

/// <summary>
/// Finds a table's data file in S3 (DESIGN.md section 3) in both layouts without listing every key:
/// the flat layout is walked by the date's own structure (year, month, day, hour, minute) with delimiter
/// listings, newest group first; the partitioned layout by its year/month/day folders. Finding the latest
/// of N files costs a number of requests that grows with the depth of the date, not with N.
/// </summary>
public sealed partial class SourceLocator(S3Storage storage, IEngineLog log)
{
    private sealed record Candidate(S3ObjectInfo Object, SourceName.Parsed Name);

    public async Task<SourceFile> FindAsync(SourceQuery query, CancellationToken cancellationToken)
    {
        var flat = query.Date is { } d
            ? await FindFlatOnDateAsync(query, d, cancellationToken).ConfigureAwait(false)
            : await FindFlatLatestAsync(query, cancellationToken).ConfigureAwait(false);
        var partitioned = query.Date is { } d2
            ? await FindPartitionedOnDateAsync(query, d2, cancellationToken).ConfigureAwait(false)
            : await FindPartitionedLatestAsync(query, cancellationToken).ConfigureAwait(false);
        var best = Best([flat, partitioned]);
        if (best == null) throw await NotFoundAsync(query, cancellationToken).ConfigureAwait(false);
        log.Verbose($"{query.Schema}.{query.Table}: found {best.Object.Uri} (data date {best.Name.Date.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, {best.Name.Format}{(best.Name.Compression != Compression.None ? ", " + best.Name.Compression : "")}{(best.Name.IsManifest ? ", manifest" : "")}, {best.Object.Size:N0} bytes).");
        return await DescribeAsync(query, best, cancellationToken).ConfigureAwait(false);
    }

    // ---- flat layout: <prefix><schema>_<table>_<date>.<suffix>

    // Each level adds a piece of the date up to a delimiter: "2015-", "07-", "01T", "00:", "00:".
    private static readonly (string Delimiter, Regex Piece)[] FlatLevels =
    [
        ("-", new Regex(@"^\d{4}-$", RegexOptions.Compiled)),
        ("-", new Regex(@"^\d{2}-$", RegexOptions.Compiled)),
        ("T", new Regex(@"^\d{2}T$", RegexOptions.Compiled)),
        (":", new Regex(@"^\d{2}:$", RegexOptions.Compiled)),
        (":", new Regex(@"^\d{2}:$", RegexOptions.Compiled)),
    ];

    private Task<Candidate?> FindFlatLatestAsync(SourceQuery query, CancellationToken cancellationToken) =>
        DescendFlatAsync(query, query.Prefix + SourceName.BaseName(query.Schema, query.Table), 0, cancellationToken);

    private async Task<Candidate?> DescendFlatAsync(SourceQuery query, string prefix, int level, CancellationToken cancellationToken)
    {
        if (level == FlatLevels.Length) return Best(await ListCandidatesAsync(query, prefix, cancellationToken).ConfigureAwait(false));
        var (delimiter, piece) = FlatLevels[level];
        var (groups, _) = await storage.ListLevelAsync(query.Bucket, prefix, delimiter, cancellationToken).ConfigureAwait(false);
        // Newest group first; go back to older ones only when a group holds no data file of the table.
        foreach (var group in groups.Where(g => piece.IsMatch(g[prefix.Length..])).OrderByDescending(g => g, StringComparer.Ordinal))
        {
            var found = await DescendFlatAsync(query, group, level + 1, cancellationToken).ConfigureAwait(false);
            if (found != null) return found;
        }
        return null;
    }

    private async Task<Candidate?> FindFlatOnDateAsync(SourceQuery query, DateTimeOffset date, CancellationToken cancellationToken)
    {
        var baseKey = query.Prefix + SourceName.BaseName(query.Schema, query.Table);
        var found = new List<Candidate?>();
        foreach (var day in DaysOf(date))
        {
            found.Add(Best((await ListCandidatesAsync(query, baseKey + day, cancellationToken).ConfigureAwait(false)).Where(c => c.Name.Date == date)));
        }
        return Best(found);
    }

    // ---- partitioned layout: <prefix><schema>/<table>/_data_timestamp_year=YYYY/_data_timestamp_month=MM/_data_timestamp_day=DD/<file>

    private static readonly Regex[] PartitionLevels =
    [
        new(@"^_data_timestamp_year=\d{4}/$", RegexOptions.Compiled),
        new(@"^_data_timestamp_month=\d{1,2}/$", RegexOptions.Compiled),
        new(@"^_data_timestamp_day=\d{1,2}/$", RegexOptions.Compiled),
    ];

    private static string PartitionRoot(SourceQuery query) => $"{query.Prefix}{query.Schema}/{query.Table}/";

    private Task<Candidate?> FindPartitionedLatestAsync(SourceQuery query, CancellationToken cancellationToken) =>
        DescendPartitionsAsync(query, PartitionRoot(query), 0, cancellationToken);

    private async Task<Candidate?> DescendPartitionsAsync(SourceQuery query, string prefix, int level, CancellationToken cancellationToken)
    {
        if (level == PartitionLevels.Length)
            return Best(await ListCandidatesAsync(query, prefix + SourceName.BaseName(query.Schema, query.Table), cancellationToken).ConfigureAwait(false));
        var folders = await ListFoldersAsync(query.Bucket, prefix, cancellationToken).ConfigureAwait(false);
        // Folder numbers may or may not be zero-padded: order by their value.
        foreach (var folder in folders.Where(f => PartitionLevels[level].IsMatch(f[prefix.Length..])).OrderByDescending(f => FolderNumber(f)))
        {
            var found = await DescendPartitionsAsync(query, folder, level + 1, cancellationToken).ConfigureAwait(false);
            if (found != null) return found;
        }
        return null;
    }

    /// <summary>
    /// The sub-folders of a prefix: S3's delimiter listing. Some S3-compatible stores return no common
    /// prefixes for folders that hold only folders; when keys exist but no folder came back, the folders
    /// are read from a full listing of the prefix instead (correct everywhere, just not O(log N)).
    /// </summary>
    private async Task<IReadOnlyList<string>> ListFoldersAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var (folders, objects) = await storage.ListLevelAsync(bucket, prefix, "/", cancellationToken).ConfigureAwait(false);
        if (folders.Count > 0 || objects.Count > 0) return folders;
        var probe = await storage.ListPageAsync(bucket, prefix, null, null, 1, null, cancellationToken).ConfigureAwait(false);
        if (probe.Objects.Count == 0) return folders;
        log.Debug($"s3://{bucket}/{prefix}: the store listed no folders; reading them from a full listing.");
        var derived = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var o in storage.ListAllAsync(bucket, prefix, cancellationToken).ConfigureAwait(false))
        {
            var slash = o.Key.IndexOf('/', prefix.Length);
            if (slash > 0) derived.Add(o.Key[..(slash + 1)]);
        }
        return derived.ToList();
    }

    private async Task<Candidate?> FindPartitionedOnDateAsync(SourceQuery query, DateTimeOffset date, CancellationToken cancellationToken)
    {
        var found = new List<Candidate?>();
        foreach (var day in new[] { date.UtcDateTime, date.DateTime }.Select(d => d.Date).Distinct())
        {
            foreach (var folder in new[] { $"{day:yyyy}/_data_timestamp_month={day:MM}/_data_timestamp_day={day:dd}/", $"{day:yyyy}/_data_timestamp_month={day.Month}/_data_timestamp_day={day.Day}/" }.Distinct())
            {
                var prefix = PartitionRoot(query) + "_data_timestamp_year=" + folder + SourceName.BaseName(query.Schema, query.Table);
                found.Add(Best((await ListCandidatesAsync(query, prefix, cancellationToken).ConfigureAwait(false)).Where(c => c.Name.Date == date)));
            }
        }
        return Best(found);
    }

    private static int FolderNumber(string folder)
    {
        var eq = folder.LastIndexOf('=');
        return int.Parse(folder.AsSpan(eq + 1, folder.Length - eq - 2), CultureInfo.InvariantCulture);
    }

    // ---- common

    private static IEnumerable<string> DaysOf(DateTimeOffset date) =>
        new[] { date.UtcDateTime, date.DateTime }.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Distinct(StringComparer.Ordinal);

    /// <summary>Every data file of the table under a prefix (all pages), names that do not parse skipped with a verbose note.</summary>
    private async Task<List<Candidate>> ListCandidatesAsync(SourceQuery query, string prefix, CancellationToken cancellationToken)
    {
        var candidates = new List<Candidate>();
        await foreach (var o in storage.ListAllAsync(query.Bucket, prefix, cancellationToken).ConfigureAwait(false))
        {
            var fileName = o.Key[(o.Key.LastIndexOf('/') + 1)..];
            var parsed = SourceName.TryParse(fileName, query.Schema, query.Table, out var why);
            if (parsed != null) candidates.Add(new Candidate(o, parsed));
            else if (why != null) log.Verbose(why);
        }
        return candidates;
    }

    /// <summary>The greatest date; among files of that date, the suffix of highest precedence.</summary>
    private static Candidate? Best(IEnumerable<Candidate?> candidates) =>
        candidates.Where(c => c != null).Select(c => c!)
            .OrderByDescending(c => c.Name.Date)
            .ThenBy(c => c.Name.Precedence)
            .FirstOrDefault();

    private async Task<SourceFile> DescribeAsync(SourceQuery query, Candidate found, CancellationToken cancellationToken)
    {
        var format = found.Name.Format;
        var compression = found.Name.Compression;
        if (found.Name.IsManifest)
        {
            var manifest = await Manifest.ReadAsync(storage, found.Object.Bucket, found.Object.Key, cancellationToken).ConfigureAwait(false);
            await manifest.ValidateAsync(storage, cancellationToken).ConfigureAwait(false);
            (format, compression) = SourceName.DescribeObject(manifest.Entries[0].Key);
            log.Verbose($"{found.Object.Uri}: manifest of {manifest.Entries.Count} file(s), {format}{(compression != Compression.None ? ", " + compression : "")}.");
        }
        return new SourceFile
        {
            Bucket = found.Object.Bucket,
            Key = found.Object.Key,
            Schema = query.Schema,
            Table = query.Table,
            DataDate = found.Name.Date,
            Format = format,
            Compression = compression,
            IsManifest = found.Name.IsManifest,
            Size = found.Object.Size,
            ConfigUri = await FindConfigAsync(query, found, cancellationToken).ConfigureAwait(false),
        };
    }

    private async Task<string?> FindConfigAsync(SourceQuery query, Candidate found, CancellationToken cancellationToken)
    {
        if (query.Config != null)
        {
            var given = S3Uri.IsS3Uri(query.Config) ? query.Config : Path.GetFullPath(query.Config);
            log.Verbose($"{query.Schema}.{query.Table}: using the config given with -Config, {given}.");
            return given;
        }
        foreach (var extension in new[] { "yml", "yaml" })
        {
            var key = SourceName.ConfigKey(found.Object.Key, query.Schema, query.Table, found.Name.DateText, extension);
            if (await storage.TryGetInfoAsync(found.Object.Bucket, key, cancellationToken).ConfigureAwait(false) != null)
            {
                log.Verbose($"{query.Schema}.{query.Table}: config {S3Uri.Format(found.Object.Bucket, key)}.");
                return S3Uri.Format(found.Object.Bucket, key);
            }
        }
        log.Verbose($"{query.Schema}.{query.Table}: no config beside the data ({SourceName.ConfigKey(found.Object.Key, query.Schema, query.Table, found.Name.DateText)}).");
        return null;
    }

    private async Task<RedshifterException> NotFoundAsync(SourceQuery query, CancellationToken cancellationToken)
    {
        var where = $"bucket '{query.Bucket}', prefix '{query.Prefix}'";
        string? latestSeen = null;
        if (query.Date != null)
        {
            var latest = Best([await FindFlatLatestAsync(query, cancellationToken).ConfigureAwait(false), await FindPartitionedLatestAsync(query, cancellationToken).ConfigureAwait(false)]);
            latestSeen = latest?.Object.Uri;
        }
        var what = query.Date is { } d ? $"of data date {d.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : "at all";
        var seen = latestSeen != null ? $" The most recent file of the table is {latestSeen}." : " No file of the table was seen.";
        return new RedshifterException(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
            $"No data file for {query.Schema}.{query.Table} {what} in {where}: looked for {query.Prefix}{SourceName.BaseName(query.Schema, query.Table)}<date>.<suffix> and {PartitionRoot(query)}_data_timestamp_year=…/.{seen}",
            query.Date != null ? "Check -Date (the data date in the file name, RFC 3339), or leave it out to load the latest." : "Check -Bucket, -Prefix, -Schema and -Table against the keys in the bucket.",
            $"{query.Schema}.{query.Table}");
    }
}
