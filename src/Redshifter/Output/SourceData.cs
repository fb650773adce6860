namespace Redshifter;

/// <summary>A data file found for a table (Find-RedshiftSourceData). Binds by property name to the next cmdlets.</summary>
public sealed class SourceData
{
    public string Bucket { get; set; } = "";
    public string Key { get; set; } = "";
    /// <summary>s3://bucket/key</summary>
    public string Uri { get; set; } = "";
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    public DateTimeOffset DataDate { get; set; }
    public SourceFormat Format { get; set; }
    public SourceCompression Compression { get; set; }
    public bool IsManifest { get; set; }
    /// <summary>s3://bucket/key of the config, or the local path given with -Config.</summary>
    public string? ConfigUri { get; set; }
    /// <summary>The object's size in bytes.</summary>
    public long Size { get; set; }

    public override string ToString() => Uri;
}
