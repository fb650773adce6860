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
            var load = await StartAsync(session, request, source, config, reason, warnings, clock, cancellationToken).ConfigureAwait(false);
            // -WhatIf shows, and -Confirm asks about, the plan read without a lock: a review never waits for a
            // load, and a person answering never holds one up. Once approved, the load locks and plans again.
            if (approval.PlanOnly || approval.WillAsk)
            {
                if (await ShowAsync(session, load, cancellationToken).ConfigureAwait(false) is { } notRun) return notRun;
                load.Approved = true;
            }
            var used = false;
            for (int conflicts = 0, creates = 0; ; used = true)
            {
                try
                {
                    if (await LoadOnceAsync(session, load, cancellationToken).ConfigureAwait(false) is { } outcome) return outcome;
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
        SessionOpened?.Invoke(session);
        log.Verbose($"{name}: connected to {settings.Endpoint} ({session.Engine}).");
        return session;
    }

    /// <summary>For tests: adjusts each session the job opens (e.g. Redshift's widening before the transaction, on PostgreSQL).</summary>
    internal Action<DatabaseSession>? SessionOpened { get; init; }

    /// <summary>
    /// Get-RedshiftLoadPlan: the plan of the load, changing nothing: no transaction, no lock (so it needs
    /// read access only and never waits for a running load). Failures throw.
    /// </summary>
    public async Task<LoadPlan> PlanAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var (source, config, reason) = await PrepareAsync(request, warnings, cancellationToken).ConfigureAwait(false);
        await using var session = await OpenAsync($"{config.Schema}.{config.Table}", cancellationToken).ConfigureAwait(false);
        var load = await StartAsync(session, request, source, config, reason, warnings, Stopwatch.StartNew(), cancellationToken).ConfigureAwait(false);
        var (plan, state) = await InspectAndPlanAsync(session, load, null, cancellationToken).ConfigureAwait(false);
        // A stale file is skipped whatever its head holds; the plan's list of warnings takes the check's.
        if (!plan.Skip) warnings.AddRange(load.Head.Compare(state, log));
        return plan;
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

    /// <summary>The checks of the source that change nothing, before any transaction and once per load (DESIGN.md section 5 step 4), and its head for later.</summary>
    private async Task<TableLoad> StartAsync(DatabaseSession session, LoadRequest request, SourceFile source, TableConfig config, string reason, List<string> warnings, Stopwatch clock, CancellationToken cancellationToken)
    {
        await SourceChecks.VerifyAsync(source, storage, session.Engine, log, cancellationToken).ConfigureAwait(false);
        var head = await SourceCheck.ReadHeadAsync(source, config, storage, log, cancellationToken).ConfigureAwait(false);
        return new TableLoad(request, source, config, reason, head, warnings, clock);
    }

    /// <summary>-WhatIf and -Confirm: the plan without a transaction or a lock, shown or asked about. Null when approved.</summary>
    private async Task<LoadOutcome?> ShowAsync(DatabaseSession session, TableLoad load, CancellationToken cancellationToken)
    {
        var (plan, state) = await InspectAndPlanAsync(session, load, null, cancellationToken).ConfigureAwait(false);
        if (plan.Skip) return Skipped(load, plan);
        load.Warnings.AddRange(load.Head.Compare(state, log, loadCountsCuts: session.Engine == EngineKind.PostgreSQL && !approval.PlanOnly));
        return await ApproveAsync(load, plan, cancellationToken).ConfigureAwait(false) ? null : NotApproved(load, plan);
    }

    /// <summary>
    /// One try at the load's transaction: lock the table, plan, run the plan's steps in order, commit. Null
    /// when it widened columns before the transaction (Redshift) and must run again; otherwise the outcome.
    /// </summary>
    private async Task<LoadOutcome?> LoadOnceAsync(DatabaseSession session, TableLoad load, CancellationToken cancellationToken)
    {
        var name = load.Name;
        await using var transaction = await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        var (plan, state) = await InspectAndPlanAsync(session, load, transaction, cancellationToken).ConfigureAwait(false);
        if (plan.Skip) return Skipped(load, plan);
        // The source's head against the table, before anything changes (a stale file is skipped above whatever
        // its head holds). The PostgreSQL loader counts what TRUNCATECOLUMNS cuts itself, so the sample's widths go unsaid.
        load.Warnings.AddRange(load.Head.Compare(state, log, loadCountsCuts: session.Engine == EngineKind.PostgreSQL));
        if (!load.Approved && !await ApproveAsync(load, plan, cancellationToken).ConfigureAwait(false)) return NotApproved(load, plan);

        // Redshift widens a column only outside a transaction block: end this one, widen (no data can be
        // lost, and a re-run is a no-op), and load in a new one.
        if (plan.Steps.Where(s => s.BeforeTransaction).ToList() is { Count: > 0 } before)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            foreach (var step in before)
            {
                log.Progress(name, step.Purpose, -1);
                await session.ExecuteAsync(step.Sql!, null, log, cancellationToken, step.Parameters).ConfigureAwait(false);
            }
            load.RanBefore(before, plan.WidenedColumns);
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
                    var copied = await Loader(load.Config).LoadAsync(session, transaction, load.Source, cancellationToken, knownColumns: plan.TableAction == TableAction.Unchanged ? state.Columns : null).ConfigureAwait(false);
                    loaded = copied.Rows;
                    load.Warnings.AddRange(copied.Warnings); // the plan's list: the outcome reports them
                    break;
                case LoadStepKind.Upsert:
                    merged = await new Upsert(Loader(load.Config), log).RunAsync(session, transaction, load.Source, plan.Columns, plan.UpsertKeys!, cancellationToken).ConfigureAwait(false);
                    loaded = merged.RowsLoaded;
                    load.Warnings.AddRange(merged.Warnings);
                    break;
                case LoadStepKind.History:
                    await session.ExecuteAsync(step.Sql!, transaction, log, cancellationToken, HistoryRow(session, load.Config, load.Source, loaded, deleted, started)).ConfigureAwait(false);
                    break;
                default:
                    await session.ExecuteAsync(step.Sql!, transaction, log, cancellationToken, step.Parameters).ConfigureAwait(false);
                    break;
            }
        }
        log.Progress(name, "committing", -1);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (load.Request.HistoryTable is { } h) _historyReady[(Identifier.Fold(h.Schema), Identifier.Fold(h.Table))] = true;
        log.Verbose($"{name}: committed: {deleted:N0} rows deleted, {loaded:N0} loaded{(merged != null ? $" ({merged.RowsUpdated:N0} updated, {merged.RowsInserted:N0} inserted)" : "")}, in {load.Clock.Elapsed.TotalSeconds:N1} s.");
        var request = load.Request;
        return Outcome(load, plan, LoadStatus.Loaded,
            merged != null ? $"Merged by {plan.UpsertKeys}: {merged.RowsUpdated:N0} updated, {merged.RowsInserted:N0} inserted."
            : request.Truncate ? "Replaced every row."
            : $"Refreshed {plan.Window!.Describe(request.Granularity)}{(request.TimeZone.Id != "UTC" ? " (" + request.TimeZone.Id + ")" : "")}.")
            with { RowsDeleted = deleted, RowsLoaded = loaded, RowsUpdated = merged?.RowsUpdated ?? 0, RowsInserted = merged?.RowsInserted ?? 0 };
    }

    /// <summary>The table as it is (locked first when in a transaction) and the plan made from it, as -Verbose tells them.</summary>
    private async Task<(LoadPlan Plan, TableState State)> InspectAndPlanAsync(DatabaseSession session, TableLoad load, DatabaseTransaction? transaction, CancellationToken cancellationToken)
    {
        var name = load.Name;
        log.Progress(name, "inspecting the table", -1);
        var state = await InspectAsync(session, load.Config, transaction, lockFirst: transaction != null, cancellationToken).ConfigureAwait(false);
        log.Verbose($"{name}: {(state.Exists ? $"exists, latest data date {(state.LatestDataDate is { } d ? d.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "none (empty)")}" : "does not exist yet")}.");
        var plan = Redacted(await Planner(load.Config).PlanAsync(session, load.Request, load.Source, load.Config, load.Reason, state, load.Warnings, HistoryReady(load.Request), cancellationToken).ConfigureAwait(false), session);
        log.Verbose($"{name}: {(plan.Freshness.IsStale ? plan.Skip ? "stale: " : "stale, loaded because of -Force: " : "")}{plan.Freshness.Reason}");
        foreach (var note in plan.Notes) log.Verbose($"{name}: {note}.");
        log.Verbose(plan.Skip ? $"{name}: skipped. Use -Force to load it anyway."
            : $"{name}: {TableUpdater.Describe(new TableChangePlan(plan.TableAction, [], plan.AddedColumns) { Widenings = plan.WidenedColumns })}.");
        return (plan, state);
    }

    private Task<bool> ApproveAsync(TableLoad load, LoadPlan plan, CancellationToken cancellationToken) =>
        approval.ApproveAsync(load.Name, $"Load {load.Source.Uri}", [.. plan.Statements], cancellationToken);

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
            await session.ExecuteAsync(serialize, transaction, log, cancellationToken, new Dictionary<string, object?> { ["lock_name"] = name }).ConfigureAwait(false);
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

    private static LoadOutcome Skipped(TableLoad load, LoadPlan plan) =>
        Outcome(load, plan, LoadStatus.Skipped, plan.Freshness.Reason + " Use -Force to load it anyway.");

    private static LoadOutcome NotApproved(TableLoad load, LoadPlan plan) =>
        Outcome(load, plan, LoadStatus.Skipped, "Not approved (-WhatIf or -Confirm): nothing was changed.") with { Approved = false };

    /// <summary>The outcome of the plan that ran, with what ran before its transaction (Redshift's widening), which is part of this load too.</summary>
    private static LoadOutcome Outcome(TableLoad load, LoadPlan plan, LoadStatus status, string message)
    {
        if (load.StepsBefore.Count > 0)
        {
            plan = plan with
            {
                Steps = [.. load.StepsBefore, .. plan.Steps],
                WidenedColumns = [.. load.Widened, .. plan.WidenedColumns],
                TableAction = plan.TableAction == TableAction.Unchanged ? TableAction.Altered : plan.TableAction,
            };
        }
        return new()
        {
            Schema = plan.Schema, Table = plan.Table, Source = plan.Source, Status = status,
            TableAction = plan.TableAction.ToString(), AddedColumns = plan.AddedColumns, WidenedColumns = [.. plan.WidenedColumns.Select(w => w.Column)],
            Duration = load.Clock.Elapsed, Message = message, Statements = [.. plan.Statements], Warnings = plan.Warnings, Plan = plan,
        };
    }

    /// <summary>One table's load under way: what is known before its transaction, and what ran before it.</summary>
    private sealed record TableLoad(LoadRequest Request, SourceFile Source, TableConfig Config, string Reason, SourceHead Head, List<string> Warnings, Stopwatch Clock)
    {
        public string Name => $"{Config.Schema}.{Config.Table}";

        /// <summary>Approved already (-Confirm answered, or columns widened): the next attempt does not ask again.</summary>
        public bool Approved { get; set; }

        /// <summary>The steps run just before the transaction (Redshift's widening), and the columns they widened.</summary>
        public List<LoadStep> StepsBefore { get; } = [];
        public List<ColumnWidening> Widened { get; } = [];

        public void RanBefore(IEnumerable<LoadStep> steps, IEnumerable<ColumnWidening> widened)
        {
            StepsBefore.AddRange(steps);
            Widened.AddRange(widened);
            Approved = true;
        }
    }

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
