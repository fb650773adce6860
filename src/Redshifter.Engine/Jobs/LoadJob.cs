using System.Diagnostics;
using Redshifter.Engine.Config;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Jobs;

/// <summary>
/// One table's load (DESIGN.md section 5): find the source and its config, then in one transaction —
/// serialize with other loads of the table, inspect it, decide freshness, create or alter it, delete the
/// refresh window (or every row), COPY, record the history row — and commit. Any failure rolls back, so
/// the table is exactly as before; a re-load of the same file leaves the same rows.
/// </summary>
public sealed class LoadJob(DatabaseSettings settings, S3Storage storage, IEngineLog log, IChangeApproval approval)
{
    /// <summary>Runs the load. Failures come back as a Failed outcome (with a Redshifter.LoadFailed error), never as exceptions; cancellation throws.</summary>
    public async Task<LoadOutcome> RunAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = $"{request.Schema}.{request.Table}";
        SourceFile? source = null;
        try
        {
            if (request.Mode == LoadMode.Upsert && request.Truncate)
                throw UpsertKeys.TruncateConflict(name);
            log.Progress(name, "finding the source", -1);
            source = await new SourceLocator(storage, log).FindAsync(
                new SourceQuery { Bucket = request.Bucket, Prefix = request.Prefix, Schema = request.Schema, Table = request.Table, Date = request.Date, Config = request.Config },
                cancellationToken).ConfigureAwait(false);
            source = source with
            {
                Delimiter = request.Delimiter ?? source.Delimiter,
                Format = request.Delimiter != null && source.Format == DataFormat.Json ? source.Format : request.Delimiter != null && source.Format != DataFormat.Csv ? DataFormat.Delimited : source.Format,
                IgnoreHeader = request.IgnoreHeader,
            };
            if (source.ConfigUri == null)
                throw new RedshifterException(ErrorIds.InvalidConfig, ErrorKind.ObjectNotFound,
                    $"No table config for {name}: there is no config_{request.Schema}_{request.Table}_<date>.yml beside {source.Uri}.",
                    "Upload the config beside the data file, or give one with -Config (s3:// URI or local path).", name);
            var config = await TableConfigReader.ReadAsync(source.ConfigUri, request.Schema, request.Table, storage, cancellationToken).ConfigureAwait(false);
            return await LoadAsync(request, source, config, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var cause = ex as RedshifterException ?? new RedshifterException(ErrorIds.LoadFailed, ErrorKind.NotSpecified,
                SecretRedactor.FromEnvironment(ProcessEnvironment.Instance).With(settings.Password).Redact(ex.Message), null, name, ex);
            log.Verbose($"{name}: failed ({cause.ErrorId}): {cause.Message}");
            var error = new RedshifterException(ErrorIds.LoadFailed, cause.Kind,
                $"Loading {name} failed: {cause.Message}",
                cause.RecommendedAction ?? "See the error's inner exception, fix the cause, and run the load again; the table was not changed.",
                name, cause);
            return new LoadOutcome
            {
                Schema = request.Schema, Table = request.Table, Source = source, Status = LoadStatus.Failed,
                Duration = clock.Elapsed, Message = $"{cause.ErrorId}: {cause.Message}", Error = error,
            };
        }
        finally
        {
            log.Progress(name, "done", 100);
        }
    }

    private async Task<LoadOutcome> LoadAsync(LoadRequest request, SourceFile source, TableConfig config, Stopwatch clock, CancellationToken cancellationToken)
    {
        var name = $"{request.Schema}.{request.Table}";
        log.Progress(name, "connecting", -1);
        await using var session = await DatabaseSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        session.AddSecrets(SecretRedactor.FromEnvironment(ProcessEnvironment.Instance));
        var dialect = session.Dialect;
        log.Verbose($"{name}: connected to {settings.Endpoint} ({session.Engine}).");
        await SourceChecks.VerifyAsync(source, storage, session.Engine, log, cancellationToken).ConfigureAwait(false);
        var transaction = await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            if (dialect.SerializeLoadsSql is { } serialize)
            {
                log.Progress(name, "waiting for other loads of the table", -1);
                await session.ScalarAsync(serialize, transaction, cancellationToken, new Dictionary<string, object?> { ["lock_name"] = name }).ConfigureAwait(false);
            }
            log.Progress(name, "inspecting the table", -1);
            var state = await TableInspector.InspectAsync(session, request.Schema, request.Table, config.DataDateColumn, transaction, cancellationToken).ConfigureAwait(false);
            log.Verbose($"{name}: {(state.Exists ? $"exists, latest data date {(state.LatestDataDate is { } d ? d.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "none (empty)")}" : "does not exist yet")}.");

            var freshness = FreshnessRule.Decide(state.LatestDataDate, source.DataDate, request.Granularity, request.TimeZone);
            if (freshness.IsStale && !request.Force)
            {
                log.Verbose($"{name}: skipped: {freshness.Reason} Use -Force to load it anyway.");
                return new LoadOutcome
                {
                    Schema = request.Schema, Table = request.Table, Source = source, Status = LoadStatus.Skipped,
                    Duration = clock.Elapsed, Message = freshness.Reason + " Use -Force to load it anyway.",
                };
            }
            log.Verbose($"{name}: {(freshness.IsStale ? "stale, loaded because of -Force: " : "")}{freshness.Reason}");

            var positional = source.Format is DataFormat.Csv or DataFormat.Delimited or DataFormat.Parquet;
            var plan = TableUpdater.Plan(dialect, config, state, positional, session.CatalogDialect);
            log.Verbose($"{name}: {TableUpdater.Describe(plan)}.");

            // The table's columns once the plan has run: its own (in its order), then the ones added.
            IReadOnlyList<string> columns = state.Exists ? [.. state.Columns.Select(c => c.Name), .. plan.AddedColumns] : [.. config.Columns.Select(c => c.Name)];
            var upsertKeys = request.Mode == LoadMode.Upsert
                ? UpsertKeys.Resolve(request.UpsertKey, request.PrecombineKey, columns, config.PrimaryKey.Select(c => c.Name), name)
                : null;

            // Every statement, in order, for -WhatIf/-Confirm (secrets redacted), before anything runs.
            var window = request.Truncate || upsertKeys != null ? null : RefreshWindow.For(source.DataDate, request.Granularity, request.TimeZone, request.StreamStart, request.StreamEnd);
            var windowParameters = window == null ? null : WindowParameters(window, config, request.TimeZone);
            var deleteSql = request.Truncate ? dialect.DeleteAll(request.Schema, request.Table) : dialect.DeleteWindow(request.Schema, request.Table, config.DataDateColumn);
            var loader = new TableLoader(storage, log);
            var upsert = new Upsert(loader, log);
            var statements = new List<string>(plan.Statements) { dialect.LockTable(request.Schema, request.Table) };
            if (upsertKeys != null)
            {
                statements.AddRange(await upsert.DescribeAsync(session, source, columns, upsertKeys, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                statements.Add(windowParameters == null ? deleteSql : dialect.Display(deleteSql, windowParameters));
                statements.AddRange(await loader.DescribeAsync(session, source, columns, cancellationToken).ConfigureAwait(false));
            }
            if (request.HistoryTable is { } h)
            {
                statements.Add(dialect.CreateSchemaIfMissing(h.Schema));
                statements.Add(dialect.CreateHistoryTable(h.Schema, h.Table));
                statements.Add(dialect.InsertHistory(h.Schema, h.Table));
            }
            var redacted = statements.Select(session.Redactor.Redact).ToList();
            if (!await approval.ApproveAsync(name, $"Load {source.Uri}", redacted, cancellationToken).ConfigureAwait(false))
            {
                return new LoadOutcome
                {
                    Schema = request.Schema, Table = request.Table, Source = source, Status = LoadStatus.Skipped,
                    TableAction = plan.Action.ToString(), AddedColumns = plan.AddedColumns, Duration = clock.Elapsed,
                    Message = "Not approved (-WhatIf or -Confirm): nothing was changed.", Statements = redacted, Approved = false,
                };
            }

            var started = DateTime.UtcNow;
            log.Progress(name, plan.Action == TableAction.Created ? "creating the table" : plan.Action == TableAction.Altered ? "adding columns" : "locking the table", -1);
            await TableUpdater.ApplyAsync(session, plan, transaction, log, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(dialect.LockTable(request.Schema, request.Table), transaction, log, cancellationToken).ConfigureAwait(false);
            long deleted = 0, loaded;
            UpsertCounts? merged = null;
            if (upsertKeys != null)
            {
                log.Progress(name, $"merging {source.Uri} by {upsertKeys}", -1);
                merged = await upsert.RunAsync(session, transaction, source, columns, upsertKeys, cancellationToken).ConfigureAwait(false);
                loaded = merged.RowsLoaded;
            }
            else
            {
                log.Progress(name, request.Truncate ? "deleting every row" : $"deleting the refresh window {window}", -1);
                deleted = await session.ExecuteAsync(deleteSql, transaction, log, cancellationToken, windowParameters).ConfigureAwait(false);
                log.Progress(name, $"loading {source.Uri}", -1);
                loaded = await loader.LoadAsync(session, transaction, source, cancellationToken).ConfigureAwait(false);
            }
            if (request.HistoryTable is { } history)
            {
                await session.ExecuteAsync(dialect.CreateSchemaIfMissing(history.Schema), transaction, log, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(dialect.CreateHistoryTable(history.Schema, history.Table), transaction, log, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(dialect.InsertHistory(history.Schema, history.Table), transaction, log, cancellationToken, new Dictionary<string, object?>
                {
                    ["schema_name"] = request.Schema,
                    ["table_name"] = request.Table,
                    ["uri"] = source.Uri,
                    ["data_date"] = DateTime.SpecifyKind(source.DataDate.UtcDateTime, DateTimeKind.Unspecified),
                    ["rows_loaded"] = loaded,
                    ["rows_deleted"] = deleted,
                    ["started_at"] = DateTime.SpecifyKind(started, DateTimeKind.Unspecified),
                    ["finished_at"] = DateTime.SpecifyKind(DateTime.UtcNow, DateTimeKind.Unspecified),
                    ["loaded_by"] = $"{settings.User}@{Environment.MachineName}",
                }).ConfigureAwait(false);
            }
            log.Progress(name, "committing", -1);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            log.Verbose($"{name}: committed: {deleted:N0} rows deleted, {loaded:N0} loaded{(merged != null ? $" ({merged.RowsUpdated:N0} updated, {merged.RowsInserted:N0} inserted)" : "")}, in {clock.Elapsed.TotalSeconds:N1} s.");
            return new LoadOutcome
            {
                Schema = request.Schema, Table = request.Table, Source = source, Status = LoadStatus.Loaded,
                TableAction = plan.Action.ToString(), AddedColumns = plan.AddedColumns, RowsDeleted = deleted, RowsLoaded = loaded,
                RowsUpdated = merged?.RowsUpdated ?? 0, RowsInserted = merged?.RowsInserted ?? 0,
                Duration = clock.Elapsed, Statements = redacted,
                Message = merged != null ? $"Merged by {upsertKeys}: {merged.RowsUpdated:N0} updated, {merged.RowsInserted:N0} inserted."
                    : request.Truncate ? "Replaced every row."
                    : $"Refreshed {window!.Describe(request.Granularity)}{(request.TimeZone.Id != "UTC" ? " (" + request.TimeZone.Id + ")" : "")}.",
            };
        }
    }

    /// <summary>The window's bounds as the data-date column compares them: wall-clock values, or instants for timestamptz.</summary>
    private static Dictionary<string, object?> WindowParameters(RefreshWindow window, TableConfig config, TableTimeZone zone)
    {
        var isInstant = config.Column(config.DataDateColumn)?.Type.Kind == ColumnKind.TimestampTz;
        object Bound(DateTime wall) => isInstant ? zone.ToInstant(wall).UtcDateTime : wall;
        return new Dictionary<string, object?> { ["window_start"] = Bound(window.Start), ["window_end"] = Bound(window.End) };
    }
}
