namespace Redshifter;

/// <summary>One COPY into a table (Invoke-RedshiftCopy).</summary>
public sealed class CopyResult
{
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    public string Uri { get; set; } = "";
    public long RowsLoaded { get; set; }
    public TimeSpan Duration { get; set; }
}
