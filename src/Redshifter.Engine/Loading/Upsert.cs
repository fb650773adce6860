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
}

/// <summary>What an upsert did: rows copied from the file, and of the rows merged, how many replaced a row and how many were new.</summary>
public sealed record UpsertCounts(long RowsLoaded, long RowsUpdated, long RowsInserted);

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
        var dialect = session.Dialect;
        var statements = new List<string> { dialect.CreateStagingTable(source.Schema, source.Table) };
        statements.AddRange(await loader.DescribeAsync(session, source, columns, cancellationToken, SqlDialect.StagingTable).ConfigureAwait(false));
        statements.AddRange(MergeStatements(session, source, columns, keys));
        return statements;
    }

    public async Task<UpsertCounts> RunAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, IReadOnlyList<string> columns, UpsertKeys keys, CancellationToken cancellationToken)
    {
        var dialect = session.Dialect;
        var (schema, table) = (source.Schema, source.Table);
        var name = $"{schema}.{table}";
        await session.ExecuteAsync(dialect.CreateStagingTable(schema, table), transaction, log, cancellationToken).ConfigureAwait(false);
        var loaded = await loader.LoadAsync(session, transaction, source, cancellationToken, SqlDialect.StagingTable).ConfigureAwait(false);

        var nullKeys = await CountAsync(session, dialect.CountNullKeys(SqlDialect.StagingTable, keys.Key), transaction, cancellationToken).ConfigureAwait(false);
        if (nullKeys > 0)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                $"{nullKeys:N0} record(s) of {source.Uri} have no value in the upsert key ({keys}), so they could never be matched. Nothing was loaded into {name}.",
                "Fill the key in those records, or choose other key columns with -UpsertKey.", source.Uri);

        var merged = SqlDialect.StagingTable;
        long distinct;
        if (keys.PrecombineKey is { } precombine)
        {
            await session.ExecuteAsync(dialect.KeepLatestPerKey(columns, keys.Key, precombine), transaction, log, cancellationToken).ConfigureAwait(false);
            merged = SqlDialect.LatestStagingTable;
            distinct = await CountAsync(session, dialect.CountRows(merged), transaction, cancellationToken).ConfigureAwait(false);
            if (distinct < loaded) log.Verbose($"{name}: {loaded - distinct:N0} older row(s) of repeated keys dropped (the greatest {precombine} of each key is kept).");
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
            distinct = loaded;
        }

        long updated, inserted;
        if (session.SupportsMerge)
        {
            updated = await CountAsync(session, dialect.CountMatchedRows(schema, table, merged, keys.Key), transaction, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(dialect.Merge(schema, table, merged, columns, keys.Key), transaction, log, cancellationToken).ConfigureAwait(false);
            inserted = distinct - updated;
        }
        else
        {
            updated = await session.ExecuteAsync(dialect.DeleteMatchedRows(schema, table, merged, keys.Key), transaction, log, cancellationToken).ConfigureAwait(false);
            inserted = await session.ExecuteAsync(dialect.InsertStagedRows(schema, table, merged, columns), transaction, log, cancellationToken).ConfigureAwait(false) - updated;
        }
        foreach (var drop in DropStatements(dialect, keys)) await session.ExecuteAsync(drop, transaction, log, cancellationToken).ConfigureAwait(false);
        log.Verbose($"{name}: merged by {keys}: {updated:N0} row(s) updated, {inserted:N0} inserted.");
        return new UpsertCounts(loaded, updated, inserted);
    }

    private static IEnumerable<string> MergeStatements(DatabaseSession session, SourceFile source, IReadOnlyList<string> columns, UpsertKeys keys)
    {
        var dialect = session.Dialect;
        var merged = SqlDialect.StagingTable;
        if (keys.PrecombineKey is { } precombine)
        {
            yield return dialect.KeepLatestPerKey(columns, keys.Key, precombine);
            merged = SqlDialect.LatestStagingTable;
        }
        if (session.SupportsMerge)
        {
            yield return dialect.Merge(source.Schema, source.Table, merged, columns, keys.Key);
        }
        else
        {
            yield return dialect.DeleteMatchedRows(source.Schema, source.Table, merged, keys.Key);
            yield return dialect.InsertStagedRows(source.Schema, source.Table, merged, columns);
        }
        foreach (var drop in DropStatements(dialect, keys)) yield return drop;
    }

    private static IEnumerable<string> DropStatements(SqlDialect dialect, UpsertKeys keys)
    {
        if (keys.PrecombineKey != null) yield return dialect.DropTable(SqlDialect.LatestStagingTable);
        yield return dialect.DropTable(SqlDialect.StagingTable);
    }

    private static async Task<long> CountAsync(DatabaseSession session, string sql, DatabaseTransaction transaction, CancellationToken cancellationToken) =>
        Convert.ToInt64(await session.ScalarAsync(sql, transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
}
