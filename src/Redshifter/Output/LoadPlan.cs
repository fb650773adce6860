namespace Redshifter;

/// <summary>
/// What Invoke-S3ToRedshift would do for one table (Get-RedshiftLoadPlan): nothing has changed. Its shape
/// is meant to be kept: `ConvertTo-Json -Depth 5` makes a CI artifact a reviewer can diff.
/// </summary>
public sealed class LoadPlan
{
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    /// <summary>The data file the load would read.</summary>
    public SourceData? Source { get; set; }
    /// <summary>Why that file: the latest date or -Date, and the suffix precedence.</summary>
    public string Reason { get; set; } = "";
    /// <summary>Load or Skip, and why (the freshness rule).</summary>
    public string Freshness { get; set; } = "";
    public TableAction TableAction { get; set; }
    public string[] AddedColumns { get; set; } = [];
    /// <summary>varchar columns that would be made longer, as "name varchar(16) → varchar(64)".</summary>
    public string[] WidenedColumns { get; set; } = [];
    /// <summary>How the module signs in to the database (never a secret).</summary>
    public string Authentication { get; set; } = "";
    /// <summary>The statements in the order they would run, each with its purpose; secrets redacted.</summary>
    public LoadPlanStep[] Steps { get; set; } = [];
    /// <summary>What the checks of the source's head found (values too long, keys no column takes, …).</summary>
    public string[] Warnings { get; set; } = [];
}

/// <summary>One statement of a load plan.</summary>
public sealed class LoadPlanStep
{
    public int Order { get; set; }
    public string Purpose { get; set; } = "";
    /// <summary>The SQL (with its parameters written in; secrets redacted).</summary>
    public string Statement { get; set; } = "";

    public override string ToString() => $"{Order}. {Purpose}: {Statement}";
}
