using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Redshifter.Engine.Config;

namespace Redshifter.Engine.Loading;

/// <summary>A value the column's type cannot take; the reader adds the file, line and column.</summary>
internal sealed class ValueConversionException(string message) : Exception(message)
{
    public ValueConversionException() : this("The value does not fit the column.") { }
    public ValueConversionException(string message, Exception inner) : this(message + " " + inner.Message) { }

    /// <summary>The column type that would take the value (e.g. <c>numeric(14,2)</c>), when one would.</summary>
    public string? Fits { get; init; }
}

/// <summary>What kind of JSON value a field held (text formats have only Text).</summary>
internal enum FieldKind { Text, JsonString, JsonNumber, JsonBoolean, JsonNested }

/// <summary>
/// One column of the destination table as the loader sees it: its type, the value used when a record
/// lacks it (its default, evaluated once per load, or NULL), and how text becomes its value (with
/// Redshift's TRUNCATECOLUMNS for varchar/char), stored typed in a <see cref="RowBatch"/>.
/// </summary>
internal sealed class TargetColumn(string name, ColumnType type, object? missingValue, bool notNull = false)
{
    public string Name { get; } = name;
    public ColumnType Type { get; } = type;
    public object? MissingValue { get; } = missingValue;

    /// <summary>The column is NOT NULL: a record without a value for it is refused (as Redshift's COPY does).</summary>
    public bool NotNull { get; } = notNull;

    /// <summary>
    /// Values this load cut to fit the column, as Redshift's COPY cuts them without a word: text TRUNCATECOLUMNS
    /// cut, or numbers with more decimal places than the scale (COPY truncates them without ROUNDEC). Counted when
    /// the row ends (<see cref="RowBatch.EndRow"/>), so a record parsed twice counts once; one decoding thread per load writes these.
    /// </summary>
    public long CutValues { get; private set; }

    /// <summary>The largest value cut: UTF-8 bytes for text (as Redshift counts widths), decimal places for a number.</summary>
    public int LongestCut { get; private set; }

    internal void CountCut(int size)
    {
        CutValues++;
        if (size > LongestCut) LongestCut = size;
    }

    /// <summary>A numeric value at the column's scale; <paramref name="places"/> past the scale means digits were cut, which is noted.</summary>
    private void SetNumeric(RowBatch batch, int column, Int128 unscaled, int places, ReadOnlySpan<char> written)
    {
        batch.SetNumeric(column, CheckPrecision(unscaled, written));
        if (places > (Type.Scale ?? 0)) batch.NoteCut(column, places);
    }

    /// <summary>The value <paramref name="text"/> gives the column, as a CLR object (see <see cref="RowBatch.GetValue"/>); not for the hot path.</summary>
    public object? Convert(ReadOnlySpan<char> text, FieldKind kind)
    {
        var one = new RowBatch(new RecordLayout([new TargetColumn(Name, Type, null)]), 1);
        one.BeginRow();
        Parse(text, kind, one, 0);
        one.EndRow();
        return one.GetValue(0, 0);
    }

    /// <summary>
    /// UTF-8 text to the column's value in the batch's current row: the fast path for JSON, which avoids
    /// strings altogether (text is copied as bytes, numbers parsed from bytes with the same rules as
    /// <see cref="ValueParser"/>); anything else is decoded to chars on the stack and parsed as text.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Parse(ReadOnlySpan<byte> utf8, FieldKind kind, RowBatch batch, int column)
    {
        switch (Type.Kind)
        {
            case ColumnKind.Varchar:
            case ColumnKind.Char:
                if (!Utf8.IsValid(utf8)) throw NotUtf8();
                var kept = TruncatedLength(utf8, Type.Length ?? 256);
                if (kept < utf8.Length) batch.NoteCut(column, utf8.Length);
                batch.SetText(column, utf8[..kept]);
                return;
            case ColumnKind.BigInt when kind == FieldKind.JsonNumber:
                if (long.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) { batch.SetFixed(column, l); return; }
                break;
            case ColumnKind.Int when kind == FieldKind.JsonNumber:
                if (long.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) && i is >= int.MinValue and <= int.MaxValue) { batch.SetFixed(column, i); return; }
                break;
            case ColumnKind.SmallInt when kind == FieldKind.JsonNumber:
                if (long.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) && s is >= short.MinValue and <= short.MaxValue) { batch.SetFixed(column, s); return; }
                break;
            case ColumnKind.Float when kind == FieldKind.JsonNumber:
                // Infinity or zero may be a number out of range: the text path tells.
                if (double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d != 0) { batch.SetFixed(column, BitConverter.DoubleToInt64Bits(d)); return; }
                break;
            case ColumnKind.Boolean when kind == FieldKind.JsonBoolean:
                batch.SetFixed(column, utf8.Length > 0 && utf8[0] == (byte)'t' ? 1 : 0);
                return;
        }
        if (!Utf8.IsValid(utf8)) throw NotUtf8();
        // Large values get their own buffer, so that a thread keeps no large scratch.
        var chars = utf8.Length > 4096 ? new char[utf8.Length] : t_chars ??= new char[4096];
        Parse(chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, chars)), kind, batch, column);
    }

    // Scratch for decoding UTF-8 values to text (per thread: readers of different loads may run at once).
    [ThreadStatic]
    private static char[]? t_chars;

    private static ValueConversionException NotUtf8() => new("the text is not valid UTF-8");

    /// <summary>Text to the column's value in the batch's current row, with COPY's rules; throws <see cref="ValueConversionException"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Parse(ReadOnlySpan<char> text, FieldKind kind, RowBatch batch, int column)
    {
        switch (Type.Kind)
        {
            case ColumnKind.Varchar:
            case ColumnKind.Char:
                var keptChars = TruncatedLength(text, Type.Length ?? 256);
                if (keptChars < text.Length) batch.NoteCut(column, Encoding.UTF8.GetByteCount(text));
                batch.SetText(column, text[..keptChars]);
                return;
            case ColumnKind.Super:
                // jsonb takes JSON: nested values and numbers as they are, strings (and text fields that are not JSON) quoted.
                if (kind is FieldKind.JsonNested or FieldKind.JsonNumber or FieldKind.JsonBoolean || (kind == FieldKind.Text && LooksLikeJson(text))) batch.SetText(column, text);
                else batch.SetText(column, JsonSerializer.Serialize(text.ToString()).AsSpan());
                return;
            case ColumnKind.Boolean:
                if (ValueParser.TryParseBoolean(text, out var b)) { batch.SetFixed(column, b ? 1 : 0); return; }
                break;
            case ColumnKind.SmallInt:
                if (ValueParser.TryParseInteger(text, out var s) && s is >= short.MinValue and <= short.MaxValue) { batch.SetFixed(column, s); return; }
                break;
            case ColumnKind.Int:
                if (ValueParser.TryParseInteger(text, out var i) && i is >= int.MinValue and <= int.MaxValue) { batch.SetFixed(column, i); return; }
                break;
            case ColumnKind.BigInt:
                if (ValueParser.TryParseInteger(text, out var l)) { batch.SetFixed(column, l); return; }
                break;
            case ColumnKind.Float:
                if (ValueParser.TryParseDouble(text, out var d)) { batch.SetFixed(column, BitConverter.DoubleToInt64Bits(InRange(d, text))); return; }
                break;
            case ColumnKind.Real:
                if (ValueParser.TryParseSingle(text, out var r)) { batch.SetFixed(column, BitConverter.SingleToInt32Bits((float)InRange(r, text))); return; }
                break;
            case ColumnKind.Numeric:
                if (ExactNumeric.TryParse(text, Type.Scale ?? 0, out var m, out var places)) { SetNumeric(batch, column, m, places, text); return; }
                break;
            // Redshift ignores a zone offset going into DATE or TIMESTAMP: the written wall-clock date and time are
            // kept (https://docs.aws.amazon.com/redshift/latest/dg/r_Examples_with_datetime_types.html: 'Jun 1,2008
            // 09:59:59 EST' into TIMESTAMP is 09:59:59), and a DATE drops the time
            // (https://docs.aws.amazon.com/redshift/latest/dg/automatic-recognition.html). PostgreSQL casts the same way.
            case ColumnKind.Date:
                if (ValueParser.TryParseTimestamp(text, out var dateTime, out _))
                {
                    batch.SetFixed(column, ValueParser.DayNumber(dateTime));
                    return;
                }
                break;
            case ColumnKind.Timestamp:
                if (ValueParser.TryParseTimestamp(text, out var wall, out _))
                {
                    batch.SetFixed(column, wall);
                    return;
                }
                break;
            case ColumnKind.TimestampTz:
                // TIMESTAMPTZ takes the instant: an offset converts to UTC; without one the value is read as UTC, as Redshift does.
                if (ValueParser.TryParseTimestamp(text, out var wallTz, out var offsetTz))
                {
                    batch.SetFixed(column, wallTz - (offsetTz ?? TimeSpan.Zero).Ticks);
                    return;
                }
                break;
        }
        throw new ValueConversionException($"'{Excerpt(text)}' is not a valid {Type}" + (Type.Kind is ColumnKind.Date or ColumnKind.Timestamp or ColumnKind.TimestampTz ? DateSpellingHint : ""))
        {
            Fits = WiderInteger(text),
        };
    }

    // What Redshift's COPY would also refuse: say which spellings it reads.
    private const string DateSpellingHint =
        " (DATEFORMAT and TIMEFORMAT 'auto' read ISO 8601 such as 2015-07-01T10:00:00Z and the other spellings of " +
        "https://docs.aws.amazon.com/redshift/latest/dg/automatic-recognition.html, not epoch seconds or milliseconds)";

    /// <summary>For an integer too large for a smallint or int column, the integer type that takes it.</summary>
    private string? WiderInteger(ReadOnlySpan<char> text) =>
        Type.Kind is ColumnKind.SmallInt or ColumnKind.Int && ValueParser.TryParseInteger(text, out var n)
            ? n is >= int.MinValue and <= int.MaxValue ? "int" : "bigint"
            : null;

    /// <summary>A typed value to the column's value (see <see cref="RowBatch.SetValue"/>).</summary>
    internal void Store(object? value, RowBatch batch, int column)
    {
        switch (value)
        {
            case null:
                batch.SetNull(column);
                return;
            case string json when Type.Kind == ColumnKind.Super:
                batch.SetText(column, json.AsSpan());
                return;
            case string text:
                Parse(text, FieldKind.Text, batch, column);
                return;
        }
        switch (Type.Kind)
        {
            case ColumnKind.Boolean when value is bool b:
                batch.SetFixed(column, b ? 1 : 0);
                return;
            // The types a column holds, stored as they are (Parquet's common case, without the conversions below).
            case ColumnKind.BigInt when value is long l:
                batch.SetFixed(column, l);
                return;
            case ColumnKind.Int when value is int i:
                batch.SetFixed(column, i);
                return;
            case ColumnKind.Float when value is double d:
                batch.SetFixed(column, BitConverter.DoubleToInt64Bits(d));
                return;
            case ColumnKind.SmallInt or ColumnKind.Int or ColumnKind.BigInt when value is long or int or short or sbyte or byte or ushort or uint or ulong:
                var max = Type.Kind switch { ColumnKind.SmallInt => short.MaxValue, ColumnKind.Int => int.MaxValue, _ => long.MaxValue };
                var integer = System.Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                if (integer < -max - 1 || integer > max) break;
                batch.SetFixed(column, (long)integer);
                return;
            case ColumnKind.Float when value is double or float or long or int or short or decimal:
                batch.SetFixed(column, BitConverter.DoubleToInt64Bits(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                return;
            case ColumnKind.Real when value is double or float or long or int or short or decimal:
                var single = System.Convert.ToSingle(value, CultureInfo.InvariantCulture);
                // A finite double beyond a real's range becomes infinity, a tiny one zero: refused, as from text.
                if (value is double wide && (float.IsInfinity(single) != double.IsInfinity(wide) || (single == 0) != (wide == 0)))
                    throw OutOfRange(wide.ToString("R", CultureInfo.InvariantCulture), wide);
                batch.SetFixed(column, BitConverter.SingleToInt32Bits(single));
                return;
            case ColumnKind.Numeric when value is decimal or long or int or short:
                if (!ExactNumeric.TryFromDecimal(System.Convert.ToDecimal(value, CultureInfo.InvariantCulture), Type.Scale ?? 0, out var m, out var places)) break;
                SetNumeric(batch, column, m, places, System.Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case ColumnKind.Numeric when value is Parquet.Data.BigDecimal big:
                // A Parquet DECIMAL read as its unscaled integer: exact at any precision.
                if (!ExactNumeric.TryFromBigInteger(big.UnscaledValue, big.Scale, Type.Scale ?? 0, out var exact, out var bigPlaces)) break;
                SetNumeric(batch, column, exact, bigPlaces, big.ToString());
                return;
            case ColumnKind.Date when value is DateOnly date:
                batch.SetFixed(column, date.DayNumber);
                return;
            case ColumnKind.Date when value is DateTime dateTime:
                batch.SetFixed(column, DateOnly.FromDateTime(dateTime).DayNumber);
                return;
            // A Parquet TIMESTAMP is a count from the epoch, UTC when isAdjustedToUTC: its only written form is that UTC
            // time, stored as it is (Redshift's Parquet COPY names no conversion:
            // https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html).
            case ColumnKind.Timestamp when value is DateTime wall:
                batch.SetFixed(column, UtcTicks(wall));
                return;
            // A value with its offset: DATE and TIMESTAMP keep its wall-clock time, as from text (above); TIMESTAMPTZ the instant.
            case ColumnKind.Date when value is DateTimeOffset written:
                batch.SetFixed(column, DateOnly.FromDateTime(written.DateTime).DayNumber);
                return;
            case ColumnKind.Timestamp when value is DateTimeOffset written:
                batch.SetFixed(column, written.DateTime.Ticks);
                return;
            case ColumnKind.TimestampTz when value is DateTimeOffset instant:
                batch.SetFixed(column, instant.UtcTicks);
                return;
            case ColumnKind.TimestampTz when value is DateTime utc:
                // Without a zone the value is read as UTC, as Redshift does.
                batch.SetFixed(column, UtcTicks(utc));
                return;
            case ColumnKind.Varchar or ColumnKind.Char or ColumnKind.Super or ColumnKind.Numeric or ColumnKind.Float or ColumnKind.Real or ColumnKind.Boolean:
                Parse(System.Convert.ToString(value, CultureInfo.InvariantCulture), FieldKind.Text, batch, column);
                return;
        }
        throw new ValueConversionException($"'{Excerpt(System.Convert.ToString(value, CultureInfo.InvariantCulture))}' ({value.GetType().Name}) is not a valid {Type}");
    }

    /// <summary>A DateTime's storage form in a timestamp column: its ticks, a local time first turned into UTC.</summary>
    internal static long UtcTicks(DateTime value) => (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).Ticks;

    /// <summary>
    /// A value with more integer digits than the column's precision minus its scale does not fit: an error
    /// (Redshift's COPY fails the record too), never a rounded or cut value. Without a precision the
    /// column is Redshift's default NUMERIC(18,0).
    /// </summary>
    private Int128 CheckPrecision(Int128 unscaled, ReadOnlySpan<char> written)
    {
        var precision = Type.Precision ?? 18;
        if (!ExactNumeric.Fits(unscaled, precision))
        {
            var scale = Type.Scale ?? 0;
            throw new ValueConversionException($"'{Excerpt(written.ToString())}' is out of range for {Type}: at most {precision - scale} digit(s) before the decimal point")
            {
                Fits = $"numeric({ExactNumeric.Digits(unscaled)},{scale})",
            };
        }
        return unscaled;
    }

    /// <summary>
    /// A float or real parsed from <paramref name="written"/>: .NET parses a number beyond the type's range to
    /// infinity and one too small for it to zero, silently; PostgreSQL and Redshift refuse both ("out of range"),
    /// and so does the loader. NaN and the infinity spellings have no digits and pass.
    /// </summary>
    private double InRange(double parsed, ReadOnlySpan<char> written)
    {
        if ((double.IsInfinity(parsed) || parsed == 0) && ValueParser.HasNonZeroMantissa(written))
            throw OutOfRange(written.ToString(), ValueParser.TryParseDouble(written, out var wide) ? wide : double.PositiveInfinity);
        return parsed;
    }

    private ValueConversionException OutOfRange(string written, double value) =>
        new($"'{Excerpt(written)}' is out of range for {Type}: {(double.IsInfinity(value) || Math.Abs(value) >= 1 ? "too large" : "too small, other than zero")}")
        {
            // A value only a real cannot hold fits a float (double precision).
            Fits = Type.Kind == ColumnKind.Real && double.IsFinite(value) && value != 0 ? "float" : null,
        };

    /// <summary>TRUNCATECOLUMNS: at most <paramref name="maxBytes"/> UTF-8 bytes, cut at a character boundary.</summary>
    internal static string Truncate(ReadOnlySpan<char> text, int maxBytes) => text[..TruncatedLength(text, maxBytes)].ToString();

    /// <summary>How many chars of <paramref name="text"/> fit in <paramref name="maxBytes"/> UTF-8 bytes, cut at a character boundary.</summary>
    internal static int TruncatedLength(ReadOnlySpan<char> text, int maxBytes)
    {
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes) return text.Length;
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
        return end;
    }

    /// <summary>The same cut on valid UTF-8: back off to the start of the character that crosses the limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TruncatedLength(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        if (utf8.Length <= maxBytes) return utf8.Length;
        var end = maxBytes;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--; // continuation bytes belong to the character being cut
        return end;
    }

    private static bool LooksLikeJson(ReadOnlySpan<char> text)
    {
        var t = text.Trim();
        return t.Length > 0 && (t[0] is '{' or '[' or '"') ;
    }

    internal static string Excerpt(ReadOnlySpan<char> text) => text.Length > 60 ? text[..60].ToString() + "…" : text.ToString();
}
