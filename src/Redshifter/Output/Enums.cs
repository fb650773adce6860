namespace Redshifter;

// Parameter and output enums live in this assembly (the default load context) so that PowerShell can
// bind and show them before the engine is loaded; the engine has its own and the cmdlets convert by name.

/// <summary>How a source file is encoded.</summary>
public enum SourceFormat { Json, Csv, Delimited, Parquet }

/// <summary>How a source file is compressed.</summary>
public enum SourceCompression { None, Gzip, Bzip2, Zstd }

/// <summary>Width of the refresh window (DESIGN.md section 5).</summary>
public enum Granularity { Hour, Day, Stream }

/// <summary>How rows reach the table.</summary>
public enum LoadMode { Append, Upsert }

/// <summary>What a load did.</summary>
public enum LoadStatus { Loaded, Skipped, Failed }

/// <summary>What Update-RedshiftTable did to the table.</summary>
public enum TableAction { Created, Altered, Unchanged }
