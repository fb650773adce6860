using Redshifter.Engine.Config;
using Redshifter.Engine.Database;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Jobs;

/// <summary>
/// Decides one table's load from what is known before anything changes — the request, the source and
/// its config, the table as inspected — and writes it down as a <see cref="LoadPlan"/>: the order of a
/// load lives here, in one place.
/// </summary>
public sealed class LoadPlanner(TableLoader loader, Upsert upsert)
{
    /// <param name="historyReady">Whether this run already made sure the history table exists.</param>
    public async Task<LoadPlan> PlanAsync(DatabaseSession session, LoadRequest request, SourceFile source, TableConfig config, string reason,
        TableState state, IReadOnlyList<string> warnings, bool historyReady, CancellationToken cancellationToken)
    {
        var dialect = session.Dialect;
        var (schema, table) = (config.Schema, config.Table);
        var name = $"{schema}.{table}";
        var freshness = FreshnessRule.Decide(state.LatestDataDate, source.DataDate, request.Granularity, request.TimeZone);
        var positional = source.Format is DataFormat.Csv or DataFormat.Delimited or DataFormat.Parquet;
        var change = TableUpdater.Plan(dialect, config, state, positional, session.CatalogDialect);

        // The table's columns once the plan has run: its own (in its order), then the ones added.
        IReadOnlyList<string> columns = state.Exists ? [.. state.Columns.Select(c => c.Name), .. change.AddedColumns] : [.. config.Columns.Select(c => c.Name)];
        var upsertKeys = request.Mode == LoadMode.Upsert
            ? UpsertKeys.Resolve(request.UpsertKey, request.PrecombineKey, columns, config.PrimaryKey.Select(c => c.Name), name)
            : null;
        var window = request.Truncate || upsertKeys != null ? null : RefreshWindow.For(source.DataDate, request.Granularity, request.TimeZone, request.StreamStart, request.StreamEnd);

        var steps = new List<LoadStep>();
        // Redshift widens a column only outside a transaction block: just before it, so first in the list.
        var outside = session.WidensOutsideTransaction;
        var widen = change.WidenStatements.Select(sql =>
            new LoadStep(LoadStepKind.WidenColumn, outside ? "widen a varchar column (Redshift: just before the transaction)" : "widen a varchar column", [sql])
            { Sql = sql, BeforeTransaction = outside }).ToList();
        if (outside) steps.AddRange(widen);
        // Locks come first in the transaction, and the job takes them before it reads the table: on Redshift
        // the first read takes the transaction's snapshot, which must not be older than the lock.
        if (dialect.SerializeLoadsSql is { } serialize)
        {
            var parameters = new Dictionary<string, object?> { ["lock_name"] = name };
            steps.Add(new LoadStep(LoadStepKind.Lock, "wait for other loads of the table", [dialect.Display(serialize, parameters)]) { Sql = serialize, Parameters = parameters });
        }
        if (state.Exists)
        {
            var sql = dialect.LockTable(schema, table);
            steps.Add(new LoadStep(LoadStepKind.Lock, "lock the table before reading it", [sql]) { Sql = sql });
        }
        if (!outside) steps.AddRange(widen);
        foreach (var sql in change.Statements)
        {
            var kind = change.Action == TableAction.Created
                ? sql.StartsWith("CREATE SCHEMA", StringComparison.Ordinal) ? LoadStepKind.CreateSchema : LoadStepKind.CreateTable
                : LoadStepKind.AddColumn;
            var purpose = kind switch { LoadStepKind.CreateSchema => "create the schema if missing", LoadStepKind.CreateTable => "create the table", _ => "add a column" };
            steps.Add(new LoadStep(kind, purpose, [sql]) { Sql = sql });
        }
        if (upsertKeys != null)
        {
            steps.Add(new LoadStep(LoadStepKind.Upsert, $"merge the file's rows by {upsertKeys}",
                await upsert.DescribeAsync(session, source, columns, upsertKeys, cancellationToken).ConfigureAwait(false)));
        }
        else
        {
            // A table created by this load has nothing to delete.
            if (state.Exists)
            {
                if (request.Truncate)
                {
                    var sql = dialect.DeleteAll(schema, table);
                    steps.Add(new LoadStep(LoadStepKind.Delete, "delete every row (-Truncate)", [sql]) { Sql = sql });
                }
                else
                {
                    var sql = dialect.DeleteWindow(schema, table, config.DataDateColumn);
                    var parameters = WindowParameters(window!, config, request.TimeZone);
                    steps.Add(new LoadStep(LoadStepKind.Delete, $"delete the refresh window {window}", [dialect.Display(sql, parameters)]) { Sql = sql, Parameters = parameters });
                }
            }
            steps.Add(new LoadStep(LoadStepKind.Copy, $"load {source.Uri}",
                await loader.DescribeAsync(session, source, columns, cancellationToken).ConfigureAwait(false)));
        }
        if (request.HistoryTable is { } h)
        {
            if (!historyReady)
            {
                var createSchema = dialect.CreateSchemaIfMissing(h.Schema);
                var createTable = dialect.CreateHistoryTable(h.Schema, h.Table);
                steps.Add(new LoadStep(LoadStepKind.CreateSchema, "create the history table's schema if missing (once per run)", [createSchema]) { Sql = createSchema });
                steps.Add(new LoadStep(LoadStepKind.CreateTable, "create the history table if missing (once per run)", [createTable]) { Sql = createTable });
            }
            var insert = dialect.InsertHistory(h.Schema, h.Table);
            steps.Add(new LoadStep(LoadStepKind.History, "record the load in the history table", [insert]) { Sql = insert });
        }

        return new LoadPlan
        {
            Schema = schema,
            Table = table,
            Source = source,
            Reason = reason,
            Freshness = freshness,
            Skip = freshness.IsStale && !request.Force,
            TableAction = change.Action,
            AddedColumns = change.AddedColumns,
            WidenedColumns = change.Widenings,
            Authentication = session.Settings.AuthenticationDescription,
            Steps = steps,
            Warnings = warnings,
            Window = window,
            UpsertKeys = upsertKeys,
            Columns = columns,
            Notes = change.Notes,
        };
    }

    /// <summary>The window's bounds as the data-date column compares them: wall-clock values, or instants for timestamptz.</summary>
    private static Dictionary<string, object?> WindowParameters(RefreshWindow window, TableConfig config, TableTimeZone zone)
    {
        var isInstant = config.Column(config.DataDateColumn)?.Type.Kind == ColumnKind.TimestampTz;
        object Bound(DateTime wall) => isInstant ? zone.ToInstant(wall).UtcDateTime : wall;
        return new Dictionary<string, object?> { ["window_start"] = Bound(window.Start), ["window_end"] = Bound(window.End) };
    }
}
