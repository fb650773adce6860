using System.Globalization;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Loading;

/// <summary>Which columns identify a row in an upsert, and which one decides between rows of the same key.</summary>
public sealed record UpsertKeys(IReadOnlyList<string> Key, string? PrecombineKey)
{
    /// <summary>
    /// -UpsertKey and -PrecombineKey checked against the table's columns (matched case-insensitively, then
    /// spelled as the table spells them). Without -UpsertKey the key is the table's primary key. Anything
    /// that cannot work is a Redshifter.InvalidArgument before anything changes.
    /// </summary>
    public static UpsertKeys Resolve(IReadOnlyList<string>? requested, string? precombine, IReadOnlyList<string> columns, IEnumerable<string> primaryKey, string table)
    {
        string Column(string name, string parameter) =>
            columns.FirstOrDefault(c => c.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw RedshifterException.InvalidArgument(
                $"{parameter} '{name}' is not a column of {table} (its columns: {string.Join(", ", columns)}).",
                $"Name one of the table's columns with {parameter}.", table);

        var key = requested is { Count: > 0 }
            ? requested.Select(k => Column(k, "-UpsertKey")).Distinct(StringComparer.Ordinal).ToList()
            : primaryKey.Select(k => Column(k, "the primary key column")).ToList();
        if (key.Count == 0)
            throw RedshifterException.InvalidArgument(
                $"-Mode Upsert needs a key, and {table} has no primary key in its config.",
                "Give the key columns with -UpsertKey id[,…], or mark them primarykey: true in the table's config.", table);
        string? combine = null;
        if (!string.IsNullOrEmpty(precombine))
        {
            combine = Column(precombine, "-PrecombineKey");
            if (key.Contains(combine, StringComparer.Ordinal))
                throw RedshifterException.InvalidArgument(
                    $"-PrecombineKey '{combine}' is part of the upsert key, so it cannot choose between rows of the same key.",
                    "Name a column such as an update timestamp or a version number that is not in the key.", table);
        }
        return new UpsertKeys(key, combine);
    }

    public override string ToString() => string.Join(", ", Key);

    /// <summary>The error for -Truncate with -Mode Upsert, refused by the cmdlets and by the engine alike.</summary>
    public static RedshifterException TruncateConflict(string target) => RedshifterException.InvalidArgument(
        "-Truncate and -Mode Upsert contradict each other: an upsert keeps the rows the file does not mention.",
        "Use one of them: -Truncate to replace every row, or -Mode Upsert to merge the file's rows by key.", target);
}

/// <summary>What an upsert did: rows copied from the file, and of the rows merged, how many replaced a row and how many were new.</summary>
public sealed record UpsertCounts(long RowsLoaded, long RowsUpdated, long RowsInserted)
{
    /// <summary>Warnings of the load into the staging table (TRUNCATECOLUMNS cut values).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A load without upsert: every row inserted, none updated.</summary>
    public static UpsertCounts Plain(LoadedRows loaded) => new(loaded.Rows, 0, 0) { Warnings = loaded.Warnings };
}

/// <summary>
/// -Mode Upsert (DESIGN.md section 5), inside the table's transaction: COPY into a temporary staging table
/// made from the target (defaults included), refuse NULL keys, resolve duplicate keys by the precombine
/// key (or refuse them), then MERGE into the target — or, where MERGE is missing, delete the matched rows
/// and insert the staged ones. The staging tables are dropped before the commit; a failure rolls them
/// back with everything else.
/// </summary>
public sealed class Upsert(TableLoader loader, IEngineLog log)
{
    /// <summary>Every statement of the upsert, in order, secrets redacted (for -WhatIf and -Confirm).</summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(DatabaseSession session, SourceFile source, IReadOnlyList<string> columns, UpsertKeys keys, CancellationToken cancellationToken)
    {
        var plan = Statements.For(session, source, columns, keys);
        var statements = new List<string> { plan.CreateStaging };
        statements.AddRange(await loader.DescribeAsync(session, source, columns, cancellationToken, SqlDialect.StagingTable).ConfigureAwait(false));
        if (plan.KeepLatest != null) statements.Add(plan.KeepLatest);
        statements.AddRange(plan.Merge);
        statements.AddRange(plan.Drops);
        return statements;
    }

    public async Task<UpsertCounts> RunAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, IReadOnlyList<string> columns, UpsertKeys keys, CancellationToken cancellationToken)
    {
        var dialect = session.Dialect;
        var plan = Statements.For(session, source, columns, keys);
        var name = $"{source.Schema}.{source.Table}";
        await session.ExecuteAsync(plan.CreateStaging, transaction, log, cancellationToken).ConfigureAwait(false);
        var staged = await loader.LoadAsync(session, transaction, source, cancellationToken, SqlDialect.StagingTable).ConfigureAwait(false);
        var loaded = staged.Rows;

        var nullKeys = await CountAsync(session, dialect.CountNullKeys(SqlDialect.StagingTable, keys.Key), transaction, cancellationToken).ConfigureAwait(false);
        if (nullKeys > 0)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                $"{nullKeys:N0} record(s) of {source.Uri} have no value in the upsert key ({keys}), so they could never be matched. Nothing was loaded into {name}.",
                "Fill the key in those records, or choose other key columns with -UpsertKey.", source.Uri);

        long distinct = loaded;
        if (plan.KeepLatest != null)
        {
            await session.ExecuteAsync(plan.KeepLatest, transaction, log, cancellationToken).ConfigureAwait(false);
            distinct = await CountAsync(session, dialect.CountRows(plan.Merged), transaction, cancellationToken).ConfigureAwait(false);
            if (distinct < loaded) log.Verbose($"{name}: {loaded - distinct:N0} older row(s) of repeated keys dropped (the greatest {keys.PrecombineKey} of each key is kept).");
        }
        else
        {
            await using var command = session.Command(dialect.FindDuplicateKey(keys.Key), transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var value = string.Join(", ", keys.Key.Select((k, i) => $"{k} = {Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)}"));
                throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                    session.Redactor.Redact($"The key ({value}) occurs {reader.GetValue(keys.Key.Count)} times in {source.Uri}, and an upsert needs one row per key. Nothing was loaded into {name}."),
                    "Give -PrecombineKey <column> to keep, for each key, the row with the greatest value of that column (e.g. an update timestamp), or remove the duplicates from the file.", source.Uri);
            }
        }

        // The updates are the staged rows whose key the target holds, counted before the merge: neither MERGE's
        // nor DELETE's row count says it when the target holds a key twice (Redshift does not enforce keys).
        var updated = await CountAsync(session, dialect.CountMatchedRows(source.Schema, source.Table, plan.Merged, keys.Key), transaction, cancellationToken).ConfigureAwait(false);
        foreach (var sql in plan.Merge) await session.ExecuteAsync(sql, transaction, log, cancellationToken).ConfigureAwait(false);
        var inserted = distinct - updated;
        foreach (var drop in plan.Drops) await session.ExecuteAsync(drop, transaction, log, cancellationToken).ConfigureAwait(false);
        log.Verbose($"{name}: merged by {keys}: {updated:N0} row(s) updated, {inserted:N0} inserted.");
        return new UpsertCounts(loaded, updated, inserted) { Warnings = staged.Warnings };
    }

    /// <summary>
    /// The upsert's statements, chosen once for both -WhatIf and the run: the staging table, the
    /// precombine step (if any), the merge (MERGE, or DELETE … USING then INSERT), and the drops.
    /// </summary>
    private sealed record Statements(string CreateStaging, string? KeepLatest, string Merged, IReadOnlyList<string> Merge, IReadOnlyList<string> Drops)
    {
        public static Statements For(DatabaseSession session, SourceFile source, IReadOnlyList<string> columns, UpsertKeys keys)
        {
            var dialect = session.Dialect;
            var (schema, table) = (source.Schema, source.Table);
            var merged = keys.PrecombineKey != null ? SqlDialect.LatestStagingTable : SqlDialect.StagingTable;
            IReadOnlyList<string> merge = session.SupportsMerge
                ? [dialect.Merge(schema, table, merged, columns, keys.Key)]
                : [dialect.DeleteMatchedRows(schema, table, merged, keys.Key), dialect.InsertStagedRows(schema, table, merged, columns)];
            IReadOnlyList<string> drops = keys.PrecombineKey != null
                ? [dialect.DropTable(SqlDialect.LatestStagingTable), dialect.DropTable(SqlDialect.StagingTable)]
                : [dialect.DropTable(SqlDialect.StagingTable)];
            return new Statements(
                dialect.CreateStagingTable(schema, table),
                keys.PrecombineKey is { } precombine ? dialect.KeepLatestPerKey(columns, keys.Key, precombine) : null,
                merged, merge, drops);
        }
    }

    private static async Task<long> CountAsync(DatabaseSession session, string sql, DatabaseTransaction transaction, CancellationToken cancellationToken) =>
        Convert.ToInt64(await session.ScalarAsync(sql, transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
}
