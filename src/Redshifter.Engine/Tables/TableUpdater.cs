using Redshifter.Engine.Config;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tables;

/// <summary>What bringing a table up to its config does.</summary>
public enum TableAction { Created, Altered, Unchanged }

/// <summary>The statements that bring a table up to its config, and what they amount to.</summary>
public sealed record TableChangePlan(TableAction Action, IReadOnlyList<string> Statements, IReadOnlyList<string> AddedColumns);

/// <summary>Creates a table from its config, or adds the config's new columns; refuses any other difference.</summary>
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
        if (diff.ColumnsToAdd.Count == 0) return new TableChangePlan(TableAction.Unchanged, [], []);
        return new TableChangePlan(TableAction.Altered,
            [.. diff.ColumnsToAdd.Select(c => dialect.AddColumn(config.Schema, config.Table, c))],
            [.. diff.ColumnsToAdd.Select(c => c.Name)]);
    }

    /// <summary>Runs the plan's statements in the caller's transaction.</summary>
    public static async Task ApplyAsync(DatabaseSession session, TableChangePlan plan, DatabaseTransaction transaction, IEngineLog log, CancellationToken cancellationToken)
    {
        foreach (var sql in plan.Statements) await session.ExecuteAsync(sql, transaction, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Update-RedshiftTable: in one transaction, serialize with loads of the table, inspect it, plan, ask
    /// for approval (-WhatIf/-Confirm) with the statements, and apply. Not approved: nothing changes.
    /// </summary>
    public static async Task<(TableChangePlan Plan, bool Applied)> UpdateAsync(DatabaseSettings settings, TableConfig config, bool positional, IEngineLog log, IChangeApproval approval, CancellationToken cancellationToken)
    {
        await using var session = await DatabaseSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Connected to {settings.Endpoint} ({session.Engine}).");
        await using var transaction = await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        var name = $"{config.Schema}.{config.Table}";
        if (session.Dialect.SerializeLoadsSql is { } serialize)
            await session.ScalarAsync(serialize, transaction, cancellationToken, new Dictionary<string, object?> { ["lock_name"] = name }).ConfigureAwait(false);
        var state = await TableInspector.InspectAsync(session, config.Schema, config.Table, null, transaction, cancellationToken).ConfigureAwait(false);
        var plan = Plan(session.Dialect, config, state, positional, session.CatalogDialect);
        log.Verbose($"{name}: {(state.Exists ? $"exists with {state.Columns.Count} column(s)" : "does not exist")}; {Describe(plan)}.");
        if (plan.Action == TableAction.Unchanged) return (plan, false);
        var statements = plan.Statements.Select(session.Redactor.Redact).ToList();
        if (!await approval.ApproveAsync(name, plan.Action == TableAction.Created ? "Create table" : "Add columns " + string.Join(", ", plan.AddedColumns), statements, cancellationToken).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return (plan, false);
        }
        await ApplyAsync(session, plan, transaction, log, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (plan, true);
    }

    public static string Describe(TableChangePlan plan) => plan.Action switch
    {
        TableAction.Created => "the table will be created",
        TableAction.Altered => $"column(s) {string.Join(", ", plan.AddedColumns)} will be added",
        _ => "the table matches its config",
    };
}
