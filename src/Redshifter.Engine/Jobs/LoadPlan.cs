using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Jobs;

/// <summary>What a step of a load does; the job runs each kind its own way (a statement, a COPY, a merge).</summary>
public enum LoadStepKind { WidenColumn, CreateSchema, CreateTable, AddColumn, Lock, Delete, Copy, Upsert, History }

/// <summary>
/// One step of a load: why it runs, and the statements it sends (for -WhatIf, -Confirm, -Verbose and
/// Get-RedshiftLoadPlan; secrets redacted by whoever shows them). <see cref="Parameters"/> are bound
/// when it runs; <see cref="Statements"/> show them written in.
/// </summary>
public sealed record LoadStep(LoadStepKind Kind, string Purpose, IReadOnlyList<string> Statements)
{
    /// <summary>The statement to run with <see cref="Parameters"/> (null for the COPY and upsert steps, which run their own).</summary>
    public string? Sql { get; init; }
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }
    /// <summary>Redshift cannot widen a column inside a transaction block: such a step runs just before it.</summary>
    public bool BeforeTransaction { get; init; }
}

/// <summary>
/// Everything one table's load will do, decided before it does any of it (DESIGN.md section 5): the
/// source and why, the freshness decision, the table's change, and the ordered steps. -WhatIf, -Confirm,
/// -Verbose, Get-RedshiftLoadPlan and the run itself all read this one object; running it is a loop
/// over <see cref="Steps"/>.
/// </summary>
public sealed record LoadPlan
{
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public required SourceFile Source { get; init; }
    /// <summary>Why this source: latest date or -Date, and the suffix precedence.</summary>
    public required string Reason { get; init; }
    public required FreshnessDecision Freshness { get; init; }
    /// <summary>True when the load will not run: the file is stale and -Force was not given.</summary>
    public bool Skip { get; init; }
    public required TableAction TableAction { get; init; }
    public IReadOnlyList<string> AddedColumns { get; init; } = [];
    public IReadOnlyList<ColumnWidening> WidenedColumns { get; init; } = [];
    /// <summary>How the module signs in to the database (password, or IAM temporary credentials).</summary>
    public string Authentication { get; init; } = "";
    public IReadOnlyList<LoadStep> Steps { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>The refresh window the delete step clears; null with -Truncate, an upsert or a new table.</summary>
    public RefreshWindow? Window { get; init; }
    public UpsertKeys? UpsertKeys { get; init; }
    /// <summary>What the table comparison accepted without a change (e.g. keys Redshift chose), for -Verbose.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>The table's columns once the plan's DDL has run, in the table's order.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Every statement in order, for -WhatIf/-Confirm and the LoadResult.</summary>
    public IEnumerable<string> Statements => Steps.SelectMany(s => s.Statements);
}
