using Redshifter.Engine.Sources;

namespace Redshifter.Engine.Jobs;

/// <summary>How rows reach the table.</summary>
public enum LoadMode { Append, Upsert }

/// <summary>Everything Invoke-S3ToRedshift was asked for one table (DESIGN.md section 1's parameters).</summary>
public sealed record LoadRequest
{
    public required string Bucket { get; init; }
    /// <summary>"" or ending in '/': the -Bucket's prefix and -Prefix together.</summary>
    public string Prefix { get; init; } = "";
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public DateTimeOffset? Date { get; init; }
    /// <summary>-Config: s3:// URI or local path; null = the config beside the data.</summary>
    public string? Config { get; init; }
    public char? Delimiter { get; init; }
    public int IgnoreHeader { get; init; }
    public Granularity Granularity { get; init; } = Granularity.Day;
    public TableTimeZone TimeZone { get; init; } = TableTimeZone.Utc;
    public DateTimeOffset? StreamStart { get; init; }
    public DateTimeOffset? StreamEnd { get; init; }
    public bool Truncate { get; init; }
    public bool Force { get; init; }
    /// <summary>-HistoryTable as (schema, table); null = no history.</summary>
    public (string Schema, string Table)? HistoryTable { get; init; }
    public LoadMode Mode { get; init; } = LoadMode.Append;
    public IReadOnlyList<string>? UpsertKey { get; init; }
    public string? PrecombineKey { get; init; }
}

/// <summary>What happened to a table.</summary>
public enum LoadStatus { Loaded, Skipped, Failed }

/// <summary>The result of one table's load (the engine's LoadResult).</summary>
public sealed record LoadOutcome
{
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public SourceFile? Source { get; init; }
    public LoadStatus Status { get; init; }
    /// <summary>Created, Altered or Unchanged; null when the table was not reached.</summary>
    public string? TableAction { get; init; }
    public IReadOnlyList<string> AddedColumns { get; init; } = [];
    public IReadOnlyList<string> WidenedColumns { get; init; } = [];
    /// <summary>What the checks and the run warned about (also written as warnings as they happened).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>The plan the load ran (or would have run); null when it failed before planning.</summary>
    public LoadPlan? Plan { get; init; }
    public long RowsDeleted { get; init; }
    public long RowsLoaded { get; init; }
    public long RowsUpdated { get; init; }
    public long RowsInserted { get; init; }
    public TimeSpan Duration { get; init; }
    public string? Message { get; init; }
    /// <summary>The statements run (or, when not approved, that would have run), secrets redacted.</summary>
    public IReadOnlyList<string> Statements { get; init; } = [];
    /// <summary>False when -WhatIf (or the user at -Confirm) declined the change: nothing ran.</summary>
    public bool Approved { get; init; } = true;
    /// <summary>The failure, when <see cref="Status"/> is Failed.</summary>
    public Errors.RedshifterException? Error { get; init; }
}
