namespace Redshifter.Engine.Sources;

/// <summary>How a source file is encoded (DESIGN.md section 3 suffixes).</summary>
public enum DataFormat { Json, Csv, Delimited, Parquet }

/// <summary>How a source file is compressed.</summary>
public enum Compression { None, Gzip, Bzip2, Zstd }

/// <summary>
/// A data file to load into a table: what discovery finds, what the loaders read. A manifest
/// (<see cref="IsManifest"/>) lists the real data files; <see cref="Format"/>/<see cref="Compression"/>
/// then describe its entries.
/// </summary>
public sealed record SourceFile
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public DateTimeOffset DataDate { get; init; }
    public DataFormat Format { get; init; }
    public Compression Compression { get; init; }
    public bool IsManifest { get; init; }
    /// <summary>s3://… of the config, or a local path; null when none was found or given.</summary>
    public string? ConfigUri { get; init; }
    public long Size { get; init; }
    /// <summary>Delimiter for Delimited sources ('|' when the file does not say otherwise).</summary>
    public char? Delimiter { get; init; }
    /// <summary>Header lines to skip in CSV/delimited sources (Redshift IGNOREHEADER).</summary>
    public int IgnoreHeader { get; init; }

    public string Uri => Storage.S3Uri.Format(Bucket, Key);
}
