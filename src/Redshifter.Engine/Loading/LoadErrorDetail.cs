namespace Redshifter.Engine.Loading;

/// <summary>
/// One record a load refused (DESIGN.md section 6): the file, its line (or Parquet row), the column, the
/// value as written (at most <see cref="ValueLimit"/> characters) and why. The PostgreSQL loader makes them
/// from its own checks; on Redshift they are the rows of SYS_LOAD_ERROR_DETAIL or STL_LOAD_ERRORS.
/// </summary>
public sealed record LoadErrorDetail(string Uri, long? Line, string? Column, string? Value, string Reason)
{
    /// <summary>Values are cut to this many characters (the last one an ellipsis), so that a huge field never floods an error.</summary>
    public const int ValueLimit = 100;

    public string? Value { get; init; } = Cut(Value);

    /// <summary>At most <see cref="ValueLimit"/> characters, never splitting a surrogate pair.</summary>
    public static string? Cut(string? value)
    {
        if (value == null || value.Length <= ValueLimit) return value;
        var keep = ValueLimit - 1;
        if (char.IsHighSurrogate(value[keep - 1])) keep--;
        return string.Concat(value.AsSpan(0, keep), "…");
    }

    public override string ToString() =>
        $"{Uri}{(Line is { } l ? $" line {l}" : "")}{(Column != null ? $", column '{Column}'" : "")}{(Value != null ? $", value '{Value}'" : "")}: {Reason}";
}
