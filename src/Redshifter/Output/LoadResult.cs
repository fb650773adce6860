namespace Redshifter;

/// <summary>One table's load by Invoke-S3ToRedshift.</summary>
public sealed class LoadResult
{
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    public string? Uri { get; set; }
    public DateTimeOffset? DataDate { get; set; }
    public LoadStatus Status { get; set; }
    public TableAction? TableAction { get; set; }
    public string[] AddedColumns { get; set; } = [];
    /// <summary>varchar columns made longer to fit the config.</summary>
    public string[] WidenedColumns { get; set; } = [];
    public long RowsDeleted { get; set; }
    public long RowsLoaded { get; set; }
    /// <summary>Upsert only: rows of the file that replaced existing rows.</summary>
    public long RowsUpdated { get; set; }
    /// <summary>Upsert only: rows of the file that were new.</summary>
    public long RowsInserted { get; set; }
    public TimeSpan Duration { get; set; }
    public string? Message { get; set; }
    /// <summary>What the checks before the load and the load itself warned about.</summary>
    public string[] Warnings { get; set; } = [];
}
