using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Loading;

/// <summary>What Invoke-RedshiftCopy did.</summary>
public sealed record CopyOutcome(long RowsLoaded, long RowsDeleted, TimeSpan Duration, IReadOnlyList<string> Statements, bool Applied, long RowsUpdated = 0, long RowsInserted = 0)
{
    /// <summary>What the load warned about (already written to the log): values TRUNCATECOLUMNS cut.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Invoke-RedshiftCopy -Mode Upsert: the key columns (default: the table's primary key) and the precombine column.</summary>
public sealed record UpsertRequest(IReadOnlyList<string>? Key, string? PrecombineKey);

/// <summary>
/// Invoke-RedshiftCopy: one source into an existing table, in one transaction (with -Truncate, the DELETE
/// of every row first; with <paramref name="upsert"/>, merged by key). Loads of the same table are
/// serialized; any failure rolls back.
/// </summary>
public static class CopyRunner
{
    public static async Task<CopyOutcome> CopyAsync(DatabaseSettings settings, S3Storage storage, SourceFile source, bool truncate, IEngineLog log, IChangeApproval approval, CancellationToken cancellationToken, UpsertRequest? upsert = null)
    {
        if (upsert != null && truncate)
            throw UpsertKeys.TruncateConflict($"{source.Schema}.{source.Table}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var target = $"{source.Schema}.{source.Table}";
        await using var session = await DatabaseSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        session.AddSecrets(SecretRedactor.FromEnvironment(ProcessEnvironment.Instance));
        log.Verbose($"Connected to {settings.Endpoint} ({session.Engine}).");
        // Checks that change nothing, before the transaction (a key that is a prefix of others, a Parquet manifest, the region; the source's head against the table).
        await SourceChecks.VerifyAsync(source, storage, session.Engine, log, cancellationToken).ConfigureAwait(false);
        await Checks.SourceCheck.RunAsync(source, session, storage, log, cancellationToken).ConfigureAwait(false);
        var transaction = await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var dialect = session.Dialect;
            if (dialect.SerializeLoadsSql is { } serialize)
                await session.ScalarAsync(serialize, transaction, cancellationToken, new Dictionary<string, object?> { ["lock_name"] = target }).ConfigureAwait(false);
            var state = await TableInspector.InspectAsync(session, source.Schema, source.Table, null, transaction, cancellationToken).ConfigureAwait(false);
            if (!state.Exists)
                throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.ObjectNotFound,
                    $"The table {target} does not exist.",
                    "Create it first with Update-RedshiftTable (or load with Invoke-S3ToRedshift, which creates it).", target);
            var loader = new TableLoader(storage, log) { IntoSuper = state.Columns.Any(c => c.Type?.Kind == Config.ColumnKind.Super) };
            IReadOnlyList<string> columns = [.. state.Columns.Select(c => c.Name)];
            var keys = upsert == null ? null : UpsertKeys.Resolve(upsert.Key, upsert.PrecombineKey, columns, state.Columns.Where(c => c.PrimaryKey).Select(c => c.Name), target);
            var statements = new List<string> { dialect.LockTable(source.Schema, source.Table) };
            if (truncate) statements.Add(dialect.DeleteAll(source.Schema, source.Table));
            statements.AddRange(keys != null
                ? await new Upsert(loader, log).DescribeAsync(session, source, columns, keys, cancellationToken).ConfigureAwait(false)
                : await loader.DescribeAsync(session, source, columns, cancellationToken).ConfigureAwait(false));
            if (!await approval.ApproveAsync(target, $"Load {source.Uri}", statements, cancellationToken).ConfigureAwait(false))
                return new CopyOutcome(0, 0, started.Elapsed, statements, false);

            await session.ExecuteAsync(dialect.LockTable(source.Schema, source.Table), transaction, log, cancellationToken).ConfigureAwait(false);
            long deleted = 0;
            if (truncate) deleted = await session.ExecuteAsync(dialect.DeleteAll(source.Schema, source.Table), transaction, log, cancellationToken).ConfigureAwait(false);
            var counts = keys != null
                ? await new Upsert(loader, log).RunAsync(session, transaction, source, columns, keys, cancellationToken).ConfigureAwait(false)
                : UpsertCounts.Plain(await loader.LoadAsync(session, transaction, source, cancellationToken).ConfigureAwait(false));
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            log.Verbose($"{target}: committed; {counts.RowsLoaded:N0} rows loaded{(truncate ? $", {deleted:N0} deleted first" : "")}{(keys != null ? $", {counts.RowsUpdated:N0} updated and {counts.RowsInserted:N0} inserted by {keys}" : "")} in {started.Elapsed.TotalSeconds:N1} s.");
            return new CopyOutcome(counts.RowsLoaded, deleted, started.Elapsed, statements, true, counts.RowsUpdated, counts.RowsInserted) { Warnings = counts.Warnings };
        }
    }
}
