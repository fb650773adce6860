using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Redshifter.Engine.Inference;

/// <summary>What one sampled value is, before any column type is decided.</summary>
public enum SampleKind
{
    Null,
    /// <summary>A JSON true/false.</summary>
    Boolean,
    /// <summary>A JSON number.</summary>
    Number,
    /// <summary>A JSON string: text, unless it reads as a date or time.</summary>
    String,
    /// <summary>A JSON object or array.</summary>
    Nested,
    /// <summary>A field of CSV/delimited text: untyped, its type is read from its text.</summary>
    Text,
}

/// <summary>The type a column has been widened to so far. The order within each chain is the widening order.</summary>
public enum InferredType
{
    None,
    Boolean,
    SmallInt,
    Int,
    BigInt,
    Numeric,
    Float,
    Date,
    Timestamp,
    TimestampTz,
    Varchar,
    Super,
}

/// <summary>
/// One column's evidence over the sample: the narrowest type that holds every value seen, widening
/// as records disagree (boolean → smallint → int → bigint → numeric(p,s) → float; date → timestamp →
/// timestamptz; anything that mixes the chains, or text, → varchar; nested objects/arrays → super).
/// </summary>
public sealed partial class ColumnProfile(string name)
{
    public string Name { get; } = name;
    public InferredType Type { get; private set; } = InferredType.None;
    public long Values { get; private set; }
    public long Nulls { get; private set; }
    /// <summary>Longest value in UTF-8 bytes (for varchar sizing; counts every kind).</summary>
    public int MaxBytes { get; private set; }
    /// <summary>For numeric: digits before and after the point, the largest seen.</summary>
    public int IntegerDigits { get; private set; }
    public int Scale { get; private set; }

    /// <summary>True when the source declared the type (a Parquet schema): values then only size the column.</summary>
    public bool Declared { get; private set; }

    public void Declare(InferredType type, int precision, int scale)
    {
        Type = type;
        IntegerDigits = Math.Max(precision - scale, 0);
        Scale = scale;
        Declared = true;
    }

    public void Observe(SampleKind kind, string? text)
    {
        if (kind == SampleKind.Null || (kind == SampleKind.Text && string.IsNullOrEmpty(text)))
        {
            Nulls++;
            return;
        }
        Values++;
        text ??= "";
        MaxBytes = Math.Max(MaxBytes, Encoding.UTF8.GetByteCount(text));
        if (Declared) return;
        var seen = kind switch
        {
            SampleKind.Boolean => InferredType.Boolean,
            SampleKind.Number => ClassifyNumber(text),
            SampleKind.Nested => InferredType.Super,
            SampleKind.String => ClassifyTemporal(text) ?? InferredType.Varchar,
            _ => ClassifyText(text),
        };
        Type = Widen(Type, seen);
    }

    private InferredType ClassifyText(string text)
    {
        var t = text.Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("false", StringComparison.OrdinalIgnoreCase)) return InferredType.Boolean;
        if (NumberPattern().IsMatch(t)) return ClassifyNumber(t);
        return ClassifyTemporal(t) ?? InferredType.Varchar;
    }

    private InferredType ClassifyNumber(string text)
    {
        if (text.Contains('e', StringComparison.OrdinalIgnoreCase)) return InferredType.Float;
        var digits = text.TrimStart('-', '+');
        var point = digits.IndexOf('.', StringComparison.Ordinal);
        if (point >= 0)
        {
            var integer = digits[..point].TrimStart('0');
            IntegerDigits = Math.Max(IntegerDigits, integer.Length);
            Scale = Math.Max(Scale, digits.Length - point - 1);
            return IntegerDigits + Scale > 38 ? InferredType.Float : InferredType.Numeric;
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            IntegerDigits = Math.Max(IntegerDigits, digits.TrimStart('0').Length);
            return value is >= short.MinValue and <= short.MaxValue ? InferredType.SmallInt
                : value is >= int.MinValue and <= int.MaxValue ? InferredType.Int
                : InferredType.BigInt;
        }
        IntegerDigits = Math.Max(IntegerDigits, digits.TrimStart('0').Length);
        return IntegerDigits > 38 ? InferredType.Float : InferredType.Numeric;
    }

    /// <summary>Date, timestamp or timestamptz when the text is one (ISO 8601, or "YYYY-MM-DD HH:MI:SS"); else null.</summary>
    internal static InferredType? ClassifyTemporal(string text)
    {
        var t = text.Trim();
        if (DatePattern().IsMatch(t)) return DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? InferredType.Date : null;
        var m = TimestampPattern().Match(t);
        if (!m.Success) return null;
        if (!DateTime.TryParse(m.Groups["local"].Value.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return null;
        return m.Groups["zone"].Success ? InferredType.TimestampTz : InferredType.Timestamp;
    }

    internal static InferredType Widen(InferredType current, InferredType seen)
    {
        if (current == InferredType.None) return seen;
        if (current == seen) return current;
        if (current == InferredType.Super || seen == InferredType.Super) return InferredType.Super;
        if (current == InferredType.Varchar || seen == InferredType.Varchar) return InferredType.Varchar;
        var numeric = IsNumeric(current) && IsNumeric(seen);
        var temporal = IsTemporal(current) && IsTemporal(seen);
        return numeric || temporal ? (InferredType)Math.Max((int)current, (int)seen) : InferredType.Varchar;
    }

    private static bool IsNumeric(InferredType t) => t is >= InferredType.Boolean and <= InferredType.Float;
    private static bool IsTemporal(InferredType t) => t is >= InferredType.Date and <= InferredType.TimestampTz;

    /// <summary>The config type (DESIGN.md section 4) for what was seen.</summary>
    public string ConfigType => Type switch
    {
        InferredType.Boolean => "boolean",
        InferredType.SmallInt => "smallint",
        InferredType.Int => "int",
        InferredType.BigInt => "bigint",
        InferredType.Numeric => NumericType(),
        InferredType.Float => "float",
        InferredType.Date => "date",
        InferredType.Timestamp => "timestamp",
        InferredType.TimestampTz => "timestamptz",
        InferredType.Super => "super",
        InferredType.Varchar => VarcharType(MaxBytes),
        _ => "text",
    };

    private string NumericType()
    {
        var scale = Math.Min(Scale, 37);
        var precision = Math.Min(38, Math.Max(IntegerDigits + scale, 1));
        return string.Create(CultureInfo.InvariantCulture, $"numeric({precision},{scale})");
    }

    /// <summary>varchar(n), n the longest value rounded up to a power of two (at least 16); text at 256, longtext beyond 32768.</summary>
    internal static string VarcharType(int maxBytes)
    {
        var n = 16;
        while (n < maxBytes) n *= 2;
        return n switch
        {
            256 => "text",
            > 32768 => "longtext",
            _ => string.Create(CultureInfo.InvariantCulture, $"varchar({n})"),
        };
    }

    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^(?<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)(?<zone>Z|[+-]\d{2}(:?\d{2})?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex TimestampPattern();
}
