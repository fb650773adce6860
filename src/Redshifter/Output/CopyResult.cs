namespace Redshifter;

/// <summary>One COPY into a table (Invoke-RedshiftCopy).</summary>
public sealed class CopyResult
{
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    public string Uri { get; set; } = "";
    public long RowsLoaded { get; set; }
    /// <summary>-Mode Upsert only: rows of the file that replaced existing rows.</summary>
    public long RowsUpdated { get; set; }
    /// <summary>-Mode Upsert only: rows of the file that were new.</summary>
    public long RowsInserted { get; set; }
    public TimeSpan Duration { get; set; }
}
