namespace Redshifter;

/// <summary>
/// One record a load refused: the TargetObject of a failed load's error record (DESIGN.md section 6).
/// From the PostgreSQL loader's own checks, or from Redshift's SYS_LOAD_ERROR_DETAIL / STL_LOAD_ERRORS.
/// </summary>
public sealed class LoadErrorDetail
{
    /// <summary>s3://bucket/key of the file that holds the record.</summary>
    public string Uri { get; set; } = "";
    /// <summary>The record's line in the file (a Parquet file: its row); empty when not known.</summary>
    public long? Line { get; set; }
    public string? Column { get; set; }
    /// <summary>The value as written, at most 100 characters (a longer one ends in "…").</summary>
    public string? Value { get; set; }
    public string Reason { get; set; } = "";

    public override string ToString() =>
        $"{Uri}{(Line is { } l ? $" line {l}" : "")}{(Column != null ? $", column '{Column}'" : "")}{(Value != null ? $", value '{Value}'" : "")}: {Reason}";
}
