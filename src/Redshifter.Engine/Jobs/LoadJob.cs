using System.Collections.Concurrent;
using System.Diagnostics;
using Redshifter.Engine.Checks;
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
/// One table's load (DESIGN.md section 5), as a short story: find the source and its config; in one
/// transaction lock the table before reading it, inspect it, plan (<see cref="LoadPlanner"/>), ask for
/// approval, run the plan's steps in order, and commit. Any failure rolls back, so the table is exactly as
/// before; a transaction that conflicted with another (Redshift 1023, a deadlock, a table created at the
/// same moment) runs again. One LoadJob serves a whole run (it may load several tables at once).
/// </summary>
public sealed class LoadJob(DatabaseSettings settings, S3Storage storage, IEngineLog log, IChangeApproval approval)
{
    // History tables this run has made sure of (after a commit), so that only the first load asks.
    private readonly ConcurrentDictionary<(string, string), bool> _historyReady = new();
    // The servers' versions, asked by the run's first connection only.
    private readonly KnownServers _servers = new();

    /// <summary>Runs the load. Failures come back as a Failed outcome (with a Redshifter.LoadFailed error), never as exceptions; cancellation throws.</summary>
    public async Task<LoadOutcome> RunAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = $"{Identifier.Fold(request.Schema)}.{Identifier.Fold(request.Table)}";
        SourceFile? source = null;
        var warnings = new List<string>();
        try
        {
            (source, var config, var reason) = await PrepareAsync(request, warnings, cancellationToken).ConfigureAwait(false);
            return await RunTransactionAsync(request, source, config, reason, warnings, clock, cancellationToken).ConfigureAwait(false);
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
                Schema = Identifier.Fold(request.Schema), Table = Identifier.Fold(request.Table), Source = source, Status = LoadStatus.Failed,
                Duration = clock.Elapsed, Message = $"{cause.ErrorId}: {cause.Message}", Error = error, Warnings = warnings,
            };
        }
        finally
        {
            log.Progress(name, "done", 100);
        }
    }

    /// <summary>
    /// Runs the load's transaction until it commits, skips or fails for good: a transaction that conflicted
    /// with another runs again (<see cref="TransactionRetry"/>, a warning each time); one that widened
    /// columns first (Redshift) runs again without asking twice; a pooled connection that had died with its
    /// server before it was used is replaced once.
    /// </summary>
    private async Task<LoadOutcome> RunTransactionAsync(LoadRequest request, SourceFile source, TableConfig config, string reason, List<string> warnings, Stopwatch clock, CancellationToken cancellationToken)
    {
        var name = $"{config.Schema}.{config.Table}";
        log.Progress(name, "connecting", -1);
        var session = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            // Checks of the source that change nothing, before any transaction and once per load (DESIGN.md section 5 step 4).
            await SourceChecks.VerifyAsync(source, storage, session.Engine, log, cancellationToken).ConfigureAwait(false);
            var head = await SourceCheck.ReadHeadAsync(source, config, storage, log, cancellationToken).ConfigureAwait(false);
            // A person answering -Confirm may take a while: ask before any lock is taken (the plan read
            // without one), then lock and plan again, and run that without asking twice.
            var approved = false;
            if (approval.WillAsk && !approval.PlanOnly)
            {
                var declined = await AttemptAsync(session, request, source, config, reason, head, warnings, AttemptMode.Ask, clock, cancellationToken).ConfigureAwait(false);
                if (declined != null) return declined;
                approved = true;
            }
            var used = false;
            for (int conflicts = 0, creates = 0; ; used = true)
            {
                try
                {
                    var mode = approval.PlanOnly ? AttemptMode.Plan : approved ? AttemptMode.RunApproved : AttemptMode.Run;
                    var outcome = await AttemptAsync(session, request, source, config, reason, head, warnings, mode, clock, cancellationToken).ConfigureAwait(false);
                    if (outcome != null) return outcome;
                    approved = true; // columns were widened before the transaction: plan and run it again
                }
                catch (Exception ex) when (!used && !cancellationToken.IsCancellationRequested && session.DiedBeforeUse(ex))
                {
                    // Nothing was done on that connection: a fresh one runs the transaction.
                    await session.DisposeAsync().ConfigureAwait(false);
                    session = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && TransactionRetry.Reason(ex, conflicts, creates) is { } why)
                {
                    if (TransactionRetry.IsTableCreatedMeanwhile(ex)) creates++; else conflicts++;
                    var retry = $"{name}: {why}; its transaction was rolled back and runs again (retry {conflicts + creates}).";
                    log.Warning(retry);
                    warnings.Add(retry);
                    await Task.Delay(TransactionRetry.Delay(conflicts + creates), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<DatabaseSession> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var session = await DatabaseSession.OpenAsync(settings, cancellationToken, _servers).ConfigureAwait(false);
        session.AddSecrets(SecretRedactor.FromEnvironment(ProcessEnvironment.Instance));
        log.Verbose($"{name}: connected to {settings.Endpoint} ({session.Engine}).");
        return session;
    }

    /// <summary>
    /// Get-RedshiftLoadPlan: the plan of the load, changing nothing: no transaction, no lock (so it needs
    /// read access only and never waits for a running load). Failures throw.
    /// </summary>
    public async Task<LoadPlan> PlanAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var (source, config, reason) = await PrepareAsync(request, warnings, cancellationToken).ConfigureAwait(false);
        await using var session = await DatabaseSession.OpenAsync(settings, cancellationToken, _servers).ConfigureAwait(false);
        session.AddSecrets(SecretRedactor.FromEnvironment(ProcessEnvironment.Instance));
        await SourceChecks.VerifyAsync(source, storage, session.Engine, log, cancellationToken).ConfigureAwait(false);
        var head = await SourceCheck.ReadHeadAsync(source, config, storage, log, cancellationToken).ConfigureAwait(false);
        var state = await InspectAsync(session, config, null, lockFirst: false, cancellationToken).ConfigureAwait(false);
        var plan = await Planner(config).PlanAsync(session, request, source, config, reason, state, warnings, HistoryReady(request), cancellationToken).ConfigureAwait(false);
        // A stale file is skipped whatever its head holds; the plan's list of warnings takes the check's.
        if (!plan.Skip) warnings.AddRange(head.Compare(state, log));
        return Redacted(plan, session);
    }

    /// <summary>Finds the source and reads its config; the checks of its head that change nothing come later.</summary>
    private async Task<(SourceFile Source, TableConfig Config, string Reason)> PrepareAsync(LoadRequest request, List<string> warnings, CancellationToken cancellationToken)
    {
        var name = $"{request.Schema}.{request.Table}";
        if (request.Mode == LoadMode.Upsert && request.Truncate)
            throw UpsertKeys.TruncateConflict(name);
        log.Progress(name, "finding the source", -1);
        var source = await new SourceLocator(storage, log).FindAsync(
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
        var reason = request.Date is { } date
            ? $"the file of the data date asked for ({date.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})"
            : $"the latest data date found ({source.DataDate.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})";
        reason += $", {(source.IsManifest ? "a manifest of " : "")}{source.Format}{(source.Compression != Compression.None ? " " + source.Compression : "")} (the first suffix in precedence order)";
        return (source, config, reason);
    }

    /// <summary>How far an attempt goes: plan and ask only (no transaction, no lock), or run.</summary>
    private enum AttemptMode
    {
        /// <summary>-WhatIf: plan and show it; nothing runs.</summary>
        Plan,
        /// <summary>-Confirm: plan without a lock and ask; null when approved.</summary>
        Ask,
        /// <summary>Lock, plan, ask, run.</summary>
        Run,
        /// <summary>Lock, plan, run: already approved.</summary>
        RunApproved,
    }

    /// <summary>
    /// One try at the load's transaction. Null when it widened columns before the transaction (Redshift) and
    /// must run again, or (<see cref="AttemptMode.Ask"/>) when the load was approved; otherwise the outcome.
    /// </summary>
    private async Task<LoadOutcome?> AttemptAsync(DatabaseSession session, LoadRequest request, SourceFile source, TableConfig config, string reason,
        SourceHead head, List<string> warnings, AttemptMode mode, Stopwatch clock, CancellationToken cancellationToken)
    {
        var name = $"{config.Schema}.{config.Table}";
        var planOnly = mode is AttemptMode.Plan or AttemptMode.Ask;
        var approved = mode == AttemptMode.RunApproved;
        // -WhatIf only plans: no transaction and no lock, so a review never waits for (or blocks) a load.
        var transaction = planOnly ? null : await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction)
        {
            log.Progress(name, "inspecting the table", -1);
            var state = await InspectAsync(session, config, transaction, lockFirst: !planOnly, cancellationToken).ConfigureAwait(false);
            log.Verbose($"{name}: {(state.Exists ? $"exists, latest data date {(state.LatestDataDate is { } d ? d.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "none (empty)")}" : "does not exist yet")}.");

            var historyReady = HistoryReady(request);
            var plan = Redacted(await Planner(config).PlanAsync(session, request, source, config, reason, state, warnings, historyReady, cancellationToken).ConfigureAwait(false), session);
            log.Verbose($"{name}: {(plan.Freshness.IsStale ? plan.Skip ? "stale: " : "stale, loaded because of -Force: " : "")}{plan.Freshness.Reason}");
            foreach (var note in plan.Notes) log.Verbose($"{name}: {note}.");
            if (plan.Skip)
            {
                log.Verbose($"{name}: skipped. Use -Force to load it anyway.");
                return Outcome(plan, LoadStatus.Skipped, clock, plan.Freshness.Reason + " Use -Force to load it anyway.");
            }
            // The source's head against the table, before anything changes, once per load (a stale file is skipped
            // above whatever its head holds); the warnings join the plan's list. Where the PostgreSQL loader will
            // run, it counts what TRUNCATECOLUMNS cuts itself, so the sample's widths go unsaid.
            warnings.AddRange(head.Compare(state, log, loadCountsCuts: session.Engine == Connections.EngineKind.PostgreSQL && !approval.PlanOnly));
            log.Verbose($"{name}: {TableUpdater.Describe(new TableChangePlan(plan.TableAction, [], plan.AddedColumns) { Widenings = plan.WidenedColumns })}.");
            if (!approved && !await approval.ApproveAsync(name, $"Load {source.Uri}", [.. plan.Statements], cancellationToken).ConfigureAwait(false))
                return Outcome(plan, LoadStatus.Skipped, clock, "Not approved (-WhatIf or -Confirm): nothing was changed.") with { Approved = false };
            if (mode == AttemptMode.Ask) return null;

            // Redshift widens a column only outside a transaction block: end this one, widen (no data can be
            // lost, and a re-run is a no-op), and plan again in a new transaction.
            var before = plan.Steps.Where(s => s.BeforeTransaction).ToList();
            if (before.Count > 0)
            {
                await transaction!.RollbackAsync(cancellationToken).ConfigureAwait(false);
                foreach (var step in before)
                {
                    log.Progress(name, step.Purpose, -1);
                    await session.ExecuteAsync(step.Sql!, null, log, cancellationToken, step.Parameters).ConfigureAwait(false);
                }
                return null;
            }

            var started = DateTime.UtcNow;
            long deleted = 0, loaded = 0;
            UpsertCounts? merged = null;
            foreach (var step in plan.Steps)
            {
                log.Progress(name, step.Purpose, -1);
                switch (step.Kind)
                {
                    case LoadStepKind.Lock:
                        break; // taken before the table was read (InspectAsync)
                    case LoadStepKind.Delete:
                        deleted = await session.ExecuteAsync(step.Sql!, transaction, log, cancellationToken, step.Parameters).ConfigureAwait(false);
                        break;
                    case LoadStepKind.Copy:
                        // A table this plan did not change has the columns just read: the loader need not ask again.
                        var copied = await Loader(config).LoadAsync(session, transaction!, source, cancellationToken, knownColumns: plan.TableAction == TableAction.Unchanged ? state.Columns : null).ConfigureAwait(false);
                        loaded = copied.Rows;
                        warnings.AddRange(copied.Warnings); // the plan's list: the outcome reports them
                        break;
                    case LoadStepKind.Upsert:
                        merged = await new Upsert(Loader(config), log).RunAsync(session, transaction!, source, plan.Columns, plan.UpsertKeys!, cancellationToken).ConfigureAwait(false);
                        loaded = merged.RowsLoaded;
                        warnings.AddRange(merged.Warnings);
                        break;
                    case LoadStepKind.History:
                        await session.ExecuteAsync(step.Sql!, transaction, log, cancellationToken, HistoryRow(session, config, source, loaded, deleted, started)).ConfigureAwait(false);
                        break;
                    default:
                        await session.ExecuteAsync(step.Sql!, transaction, log, cancellationToken, step.Parameters).ConfigureAwait(false);
                        break;
                }
            }
            log.Progress(name, "committing", -1);
            await transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (request.HistoryTable is { } h) _historyReady[(Identifier.Fold(h.Schema), Identifier.Fold(h.Table))] = true;
            log.Verbose($"{name}: committed: {deleted:N0} rows deleted, {loaded:N0} loaded{(merged != null ? $" ({merged.RowsUpdated:N0} updated, {merged.RowsInserted:N0} inserted)" : "")}, in {clock.Elapsed.TotalSeconds:N1} s.");
            return Outcome(plan, LoadStatus.Loaded, clock,
                merged != null ? $"Merged by {plan.UpsertKeys}: {merged.RowsUpdated:N0} updated, {merged.RowsInserted:N0} inserted."
                : request.Truncate ? "Replaced every row."
                : $"Refreshed {plan.Window!.Describe(request.Granularity)}{(request.TimeZone.Id != "UTC" ? " (" + request.TimeZone.Id + ")" : "")}.")
                with { RowsDeleted = deleted, RowsLoaded = loaded, RowsUpdated = merged?.RowsUpdated ?? 0, RowsInserted = merged?.RowsInserted ?? 0 };
        }
    }

    /// <summary>
    /// The table's columns, then — having locked it when <paramref name="lockFirst"/> — its latest data date:
    /// nothing reads the table itself before the lock (PostgreSQL: the advisory lock on its name, taken even
    /// before the catalog read so that two first loads never both create it; Redshift: LOCK, as its first
    /// read takes the transaction's snapshot. Its catalog is not under that snapshot:
    /// https://docs.aws.amazon.com/redshift/latest/dg/c_serial_isolation.html).
    /// </summary>
    private async Task<TableState> InspectAsync(DatabaseSession session, TableConfig config, DatabaseTransaction? transaction, bool lockFirst, CancellationToken cancellationToken)
    {
        var dialect = session.Dialect;
        var name = $"{config.Schema}.{config.Table}";
        if (lockFirst && dialect.SerializeLoadsSql is { } serialize)
        {
            log.Progress(name, "waiting for other loads of the table", -1);
            await session.ScalarAsync(serialize, transaction, cancellationToken, new Dictionary<string, object?> { ["lock_name"] = name }).ConfigureAwait(false);
        }
        var state = await TableInspector.ReadColumnsAsync(session, config.Schema, config.Table, transaction, cancellationToken).ConfigureAwait(false);
        if (!state.Exists) return state;
        if (lockFirst)
        {
            log.Progress(name, "locking the table", -1);
            await session.ExecuteAsync(dialect.LockTable(config.Schema, config.Table), transaction, log, cancellationToken).ConfigureAwait(false);
        }
        return state with { LatestDataDate = await TableInspector.ReadLatestDataDateAsync(session, state, config.DataDateColumn, transaction, cancellationToken).ConfigureAwait(false) };
    }

    private TableLoader Loader(TableConfig config) => new(storage, log) { IntoSuper = config.HasSuperColumn };

    private LoadPlanner Planner(TableConfig config) => new(Loader(config), new Upsert(Loader(config), log));

    private bool HistoryReady(LoadRequest request) =>
        request.HistoryTable is { } h && _historyReady.ContainsKey((Identifier.Fold(h.Schema), Identifier.Fold(h.Table)));

    /// <summary>The plan with every statement as it may be shown (secrets masked).</summary>
    private static LoadPlan Redacted(LoadPlan plan, DatabaseSession session) =>
        plan with { Steps = [.. plan.Steps.Select(s => s with { Statements = [.. s.Statements.Select(session.Redactor.Redact)] })] };

    private static LoadOutcome Outcome(LoadPlan plan, LoadStatus status, Stopwatch clock, string message) => new()
    {
        Schema = plan.Schema, Table = plan.Table, Source = plan.Source, Status = status,
        TableAction = plan.TableAction.ToString(), AddedColumns = plan.AddedColumns, WidenedColumns = [.. plan.WidenedColumns.Select(w => w.Column)],
        Duration = clock.Elapsed, Message = message, Statements = [.. plan.Statements], Warnings = plan.Warnings, Plan = plan,
    };

    // loaded_by is the user the session signed in as: with REDSHIFT_AUTH=iam, the one AWS handed out.
    private static Dictionary<string, object?> HistoryRow(DatabaseSession session, TableConfig config, SourceFile source, long loaded, long deleted, DateTime started) => new()
    {
        ["schema_name"] = config.Schema,
        ["table_name"] = config.Table,
        ["uri"] = source.Uri,
        ["data_date"] = DateTime.SpecifyKind(source.DataDate.UtcDateTime, DateTimeKind.Unspecified),
        ["rows_loaded"] = loaded,
        ["rows_deleted"] = deleted,
        ["started_at"] = DateTime.SpecifyKind(started, DateTimeKind.Unspecified),
        ["finished_at"] = DateTime.SpecifyKind(DateTime.UtcNow, DateTimeKind.Unspecified),
        ["loaded_by"] = $"{session.Settings.User}@{Environment.MachineName}",
    };
}
