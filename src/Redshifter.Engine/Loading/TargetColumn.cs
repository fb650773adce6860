using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Redshifter.Engine.Config;

namespace Redshifter.Engine.Loading;

/// <summary>A value the column's type cannot take; the reader adds the file, line and column.</summary>
internal sealed class ValueConversionException(string message) : Exception(message)
{
    public ValueConversionException() : this("The value does not fit the column.") { }
    public ValueConversionException(string message, Exception inner) : this(message + " " + inner.Message) { }
}

/// <summary>What kind of JSON value a field held (text formats have only Text).</summary>
internal enum FieldKind { Text, JsonString, JsonNumber, JsonBoolean, JsonNested }

/// <summary>
/// One column of the destination table as the loader sees it: its type, the value used when a record
/// lacks it (its default, evaluated once per load, or NULL), how text becomes its value (with Redshift's
/// TRUNCATECOLUMNS for varchar/char), and how the value is written to the binary COPY.
/// </summary>
internal sealed class TargetColumn(string name, ColumnType type, object? missingValue)
{
    public string Name { get; } = name;
    public ColumnType Type { get; } = type;
    public object? MissingValue { get; } = missingValue;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public object? Convert(ReadOnlySpan<char> text, FieldKind kind)
    {
        switch (Type.Kind)
        {
            case ColumnKind.Varchar:
            case ColumnKind.Char:
                return Truncate(text, Type.Length ?? 256);
            case ColumnKind.Super:
                // jsonb takes JSON: nested values and numbers as they are, strings (and text fields that are not JSON) quoted.
                if (kind is FieldKind.JsonNested or FieldKind.JsonNumber or FieldKind.JsonBoolean) return text.ToString();
                if (kind == FieldKind.Text && LooksLikeJson(text)) return text.ToString();
                return JsonSerializer.Serialize(text.ToString());
            case ColumnKind.Boolean:
                if (ValueParser.TryParseBoolean(text, out var b)) return b;
                break;
            case ColumnKind.SmallInt:
                if (ValueParser.TryParseInteger(text, out var s) && s is >= short.MinValue and <= short.MaxValue) return (short)s;
                break;
            case ColumnKind.Int:
                if (ValueParser.TryParseInteger(text, out var i) && i is >= int.MinValue and <= int.MaxValue) return (int)i;
                break;
            case ColumnKind.BigInt:
                if (ValueParser.TryParseInteger(text, out var l)) return l;
                break;
            case ColumnKind.Float:
                if (ValueParser.TryParseDouble(text, out var d)) return d;
                break;
            case ColumnKind.Real:
                if (ValueParser.TryParseDouble(text, out var r)) return (float)r;
                break;
            case ColumnKind.Numeric:
                if (ValueParser.TryParseDecimal(text, out var m) && FitsNumeric(m)) return Math.Round(m, Type.Scale ?? 0, MidpointRounding.AwayFromZero);
                break;
            case ColumnKind.Date:
                if (ValueParser.TryParseTimestamp(text, out var dateTime, out var dateOffset))
                    return DateOnly.FromDateTime(dateOffset is { } o1 ? new DateTimeOffset(dateTime, o1).UtcDateTime : dateTime);
                break;
            case ColumnKind.Timestamp:
                // A value with a zone offset is stored as its UTC wall time (DESIGN.md section 5).
                if (ValueParser.TryParseTimestamp(text, out var wall, out var offset))
                    return offset is { } o2 ? DateTime.SpecifyKind(new DateTimeOffset(wall, o2).UtcDateTime, DateTimeKind.Unspecified) : wall;
                break;
            case ColumnKind.TimestampTz:
                // Without a zone the value is read as UTC, as Redshift does.
                if (ValueParser.TryParseTimestamp(text, out var wallTz, out var offsetTz))
                    return new DateTimeOffset(wallTz, offsetTz ?? TimeSpan.Zero).UtcDateTime;
                break;
        }
        throw new ValueConversionException($"'{Excerpt(text)}' is not a valid {Type}");
    }

    private bool FitsNumeric(decimal value)
    {
        var integerDigits = (Type.Precision ?? 18) - (Type.Scale ?? 0);
        var limit = integerDigits >= 28 ? decimal.MaxValue : (decimal)Math.Pow(10, integerDigits);
        return Math.Abs(Math.Truncate(value)) < limit;
    }

    /// <summary>TRUNCATECOLUMNS: at most <paramref name="maxBytes"/> UTF-8 bytes, cut at a character boundary.</summary>
    internal static string Truncate(ReadOnlySpan<char> text, int maxBytes)
    {
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes) return text.ToString();
        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            var step = char.IsHighSurrogate(text[end]) && end + 1 < text.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.Slice(end, step));
            if (bytes + size > maxBytes) break;
            bytes += size;
            end += step;
        }
        return text[..end].ToString();
    }

    private static bool LooksLikeJson(ReadOnlySpan<char> text)
    {
        var t = text.Trim();
        return t.Length > 0 && (t[0] is '{' or '[' or '"') ;
    }

    internal static string Excerpt(ReadOnlySpan<char> text) => text.Length > 60 ? text[..60].ToString() + "…" : text.ToString();

    /// <summary>Writes a converted value with the binary COPY's synchronous API (the hot loop; see DESIGN.md section 10).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Write(NpgsqlBinaryImporter importer, object? value)
    {
        if (value == null) { importer.WriteNull(); return; }
        switch (Type.Kind)
        {
            case ColumnKind.Boolean: importer.Write((bool)value, NpgsqlDbType.Boolean); break;
            case ColumnKind.SmallInt: importer.Write((short)value, NpgsqlDbType.Smallint); break;
            case ColumnKind.Int: importer.Write((int)value, NpgsqlDbType.Integer); break;
            case ColumnKind.BigInt: importer.Write((long)value, NpgsqlDbType.Bigint); break;
            case ColumnKind.Float: importer.Write((double)value, NpgsqlDbType.Double); break;
            case ColumnKind.Real: importer.Write((float)value, NpgsqlDbType.Real); break;
            case ColumnKind.Numeric: importer.Write((decimal)value, NpgsqlDbType.Numeric); break;
            case ColumnKind.Date: importer.Write((DateOnly)value, NpgsqlDbType.Date); break;
            case ColumnKind.Timestamp: importer.Write((DateTime)value, NpgsqlDbType.Timestamp); break;
            case ColumnKind.TimestampTz: importer.Write((DateTime)value, NpgsqlDbType.TimestampTz); break;
            case ColumnKind.Char: importer.Write((string)value, NpgsqlDbType.Char); break;
            case ColumnKind.Super: importer.Write((string)value, NpgsqlDbType.Jsonb); break;
            default: importer.Write((string)value, NpgsqlDbType.Varchar); break;
        }
    }
}
