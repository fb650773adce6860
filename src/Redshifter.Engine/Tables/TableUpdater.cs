using Redshifter.Engine.Config;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tables;

/// <summary>What bringing a table up to its config does.</summary>
public enum TableAction { Created, Altered, Unchanged }

/// <summary>
/// The statements that bring a table up to its config, and what they amount to. <see cref="WidenStatements"/>
/// grow varchar columns; on Redshift they cannot run inside a transaction block (ALTER TABLE,
/// https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html), so they are kept apart.
/// </summary>
public sealed record TableChangePlan(TableAction Action, IReadOnlyList<string> Statements, IReadOnlyList<string> AddedColumns)
{
    public IReadOnlyList<ColumnWidening> Widenings { get; init; } = [];
    public IReadOnlyList<string> WidenStatements { get; init; } = [];
    /// <summary>What the comparison accepted without a change, for -Verbose.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Creates a table from its config, adds the config's new columns and widens its varchar columns; refuses any other difference.</summary>
public static class TableUpdater
{
    /// <summary>
    /// The plan for a table in <paramref name="state"/>; a SchemaMismatch (listing every mismatch) when the
    /// table cannot be brought up to the config. <paramref name="catalog"/> is the dialect of the server the
    /// state was read from: distribution and sort keys are compared only where it has them (reviewing
    /// Redshift SQL against PostgreSQL, an existing table has none to compare).
    /// </summary>
    public static TableChangePlan Plan(SqlDialect dialect, TableConfig config, TableState state, bool positional, SqlDialect? catalog = null)
    {
        if (!state.Exists)
            return new TableChangePlan(TableAction.Created, [dialect.CreateSchemaIfMissing(config.Schema), dialect.CreateTable(config)], []);
        var diff = TableDiff.Compare(config, state.Columns, positional, (catalog ?? dialect).HasDistributionKeys && dialect.HasDistributionKeys);
        if (diff.Mismatches.Count > 0) throw diff.ToError(config);
        if (diff.IsUnchanged) return new TableChangePlan(TableAction.Unchanged, [], []) { Notes = diff.Notes };
        return new TableChangePlan(TableAction.Altered,
            [.. diff.ColumnsToAdd.Select(c => dialect.AddColumn(config.Schema, config.Table, c))],
            [.. diff.ColumnsToAdd.Select(c => c.Name)])
        {
            Widenings = diff.ColumnsToWiden,
            WidenStatements = [.. diff.ColumnsToWiden.Select(w => dialect.WidenColumn(config.Schema, config.Table, w.Column, new ColumnType(ColumnKind.Varchar, w.To)))],
            Notes = diff.Notes,
        };
    }

    /// <summary>Runs the plan's statements in the caller's transaction.</summary>
    public static async Task ApplyAsync(DatabaseSession session, TableChangePlan plan, DatabaseTransaction transaction, IEngineLog log, CancellationToken cancellationToken)
    {
        foreach (var sql in plan.Statements) await session.ExecuteAsync(sql, transaction, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Widens columns (a varchar grows; no data can be lost and a re-run changes nothing). PostgreSQL: in the
    /// caller's transaction. Redshift: not in a transaction block, so each on its own (autocommit).
    /// </summary>
    public static async Task WidenAsync(DatabaseSession session, TableChangePlan plan, DatabaseTransaction? transaction, IEngineLog log, CancellationToken cancellationToken)
    {
        foreach (var sql in plan.WidenStatements) await session.ExecuteAsync(sql, transaction, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Update-RedshiftTable: serialize with loads of the table, inspect it, plan, ask for approval
    /// (-WhatIf/-Confirm) with the statements, and apply in one transaction. Widening runs in it on
    /// PostgreSQL and just before it on Redshift. Not approved: nothing changes.
    /// </summary>
    public static async Task<(TableChangePlan Plan, bool Applied)> UpdateAsync(DatabaseSettings settings, TableConfig config, bool positional, IEngineLog log, IChangeApproval approval, CancellationToken cancellationToken)
    {
        await using var session = await DatabaseSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Connected to {settings.Endpoint} ({session.Engine}).");
        var dialect = session.Dialect;
        var name = $"{config.Schema}.{config.Table}";
        // Redshift widens outside a transaction block, so there the table is inspected before BEGIN (a
        // catalog read); PostgreSQL serializes with loads first, then reads it in the transaction.
        var transaction = session.WidensOutsideTransaction ? null : await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (transaction != null && dialect.SerializeLoadsSql is { } serialize)
                await session.ScalarAsync(serialize, transaction, cancellationToken, new Dictionary<string, object?> { ["lock_name"] = name }).ConfigureAwait(false);
            var state = await TableInspector.InspectAsync(session, config.Schema, config.Table, null, transaction, cancellationToken).ConfigureAwait(false);
            var plan = Plan(dialect, config, state, positional, session.CatalogDialect);
            log.Verbose($"{name}: {(state.Exists ? $"exists with {state.Columns.Count} column(s)" : "does not exist")}; {Describe(plan)}.");
            foreach (var note in plan.Notes) log.Verbose($"{name}: {note}.");
            if (plan.Action == TableAction.Unchanged) return (plan, false);
            var statements = plan.WidenStatements.Concat(plan.Statements).Select(session.Redactor.Redact).ToList();
            if (!await approval.ApproveAsync(name, Describe(plan), statements, cancellationToken).ConfigureAwait(false)) return (plan, false);
            await WidenAsync(session, plan, transaction, log, cancellationToken).ConfigureAwait(false);
            transaction ??= await session.BeginAsync(cancellationToken).ConfigureAwait(false);
            await ApplyAsync(session, plan, transaction, log, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (plan, true);
        }
        finally
        {
            if (transaction != null) await transaction.DisposeAsync().ConfigureAwait(false);
        }
    }

    public static string Describe(TableChangePlan plan) => plan.Action switch
    {
        TableAction.Created => "the table will be created",
        TableAction.Altered => string.Join(" and ", new[]
        {
            plan.AddedColumns.Count > 0 ? $"column(s) {string.Join(", ", plan.AddedColumns)} will be added" : null,
            plan.Widenings.Count > 0 ? $"column(s) {string.Join(", ", plan.Widenings)} will be widened" : null,
        }.Where(p => p != null)),
        _ => "the table matches its config",
    };
}
