using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Loading;

/// <summary>
/// The destination's columns, in table order, with the name lookup JSON keys use (case-insensitive), and
/// the values that records lacking a column get (each column's default, or NULL).
/// </summary>
internal sealed class RecordLayout
{
    public TargetColumn[] Columns { get; }
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly RowBatch _defaults;

    public RecordLayout(IReadOnlyList<TargetColumn> columns)
    {
        Columns = [.. columns];
        var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Columns.Length; i++) map.TryAdd(Columns[i].Name, i);
        _byName = map.GetAlternateLookup<ReadOnlySpan<char>>();
        // The defaults as a one-row batch, copied typed into rows that lack them.
        _defaults = new RowBatch(this, 1);
        _defaults.BeginRow();
        for (var i = 0; i < Columns.Length; i++) _defaults.SetValue(i, Columns[i].MissingValue);
        _defaults.EndRow();
        // Only now: the defaults' row may hold NULL for a NOT NULL column that no record should lack.
        Required = [.. Enumerable.Range(0, Columns.Length).Where(i => Columns[i].NotNull)];
    }

    /// <summary>The NOT NULL columns, checked as each row ends.</summary>
    internal int[] Required { get; } = [];

    /// <summary>
    /// Hears each key looked up and the column it names (-1: none). Readers look a key up at least once per
    /// distinct key, so the source check learns every key of its sample this way; null in loads.
    /// </summary>
    internal Action<string, int>? OnLookup { get; init; }

    public int IndexOf(ReadOnlySpan<char> name)
    {
        var i = _byName.TryGetValue(name, out var found) ? found : -1;
        OnLookup?.Invoke(name.ToString(), i);
        return i;
    }

    public int IndexOf(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length > 256) return IndexOf(Encoding.UTF8.GetString(utf8Name));
        Span<char> chars = stackalloc char[256];
        return IndexOf(chars[..Encoding.UTF8.GetChars(utf8Name, chars)]);
    }

    internal void SetMissing(RowBatch batch, int column) => batch.CopyValue(column, _defaults, 0);
}

/// <summary>Errors that name the file, line, column and value (a <see cref="LoadErrorDetail"/>), as section 5 asks.</summary>
internal static class RecordErrors
{
    public static RedshifterException At(string uri, long line, string? column, string problem, string? value = null, string? fits = null, string where = "line") => new(
        ErrorIds.CopyFailed, ErrorKind.InvalidData,
        $"Bad record in {uri} at {where} {line}{(column != null ? $", column '{column}'" : "")}: {problem}. Nothing was loaded.",
        fits != null
            ? $"Change column '{column}' to {fits} in the config (the type that takes this value), or fix that record in the source file, then load again."
            : "Fix or remove that record in the source file (or change the column's type in the config), then load again.", uri)
    {
        Details = [new LoadErrorDetail(uri, line, column, value, problem)],
    };

    /// <summary>A value the column refused.</summary>
    public static RedshifterException Refused(string uri, long line, TargetColumn column, ValueConversionException ex, string? value, string where = "line") =>
        At(uri, line, column.Name, ex.Message, value, ex.Fits, where);

    /// <summary>
    /// The value as written, for the error's detail: a little more than the detail keeps (decoded at a character
    /// boundary), so that <see cref="LoadErrorDetail.Cut"/> sees a longer value as longer and marks the cut.
    /// </summary>
    public static string Written(ReadOnlySpan<byte> utf8) =>
        Encoding.UTF8.GetString(utf8[..TargetColumn.TruncatedLength(utf8, LoadErrorDetail.ValueLimit * 4)]);

    public static string Written(ReadOnlySpan<char> text) => text[..Math.Min(text.Length, LoadErrorDetail.ValueLimit + 1)].ToString();

    /// <summary>Ends the batch's row; a NOT NULL column left without a value is the record's error.</summary>
    public static void EndRow(RowBatch batch, string uri, long line, string where = "line")
    {
        if (batch.EndRow() is { } column)
            throw At(uri, line, column.Name, $"null value in column '{column.Name}', which is NOT NULL (the record has no value for it, and it has no default)", where: where);
    }
}

/// <summary>
/// A stream of JSON objects, newline-separated or not. Keys match columns case-insensitively; keys without
/// a column are ignored; a missing key takes the column's default (or NULL); nested objects and arrays
/// are kept as JSON text.
/// <para>
/// Flat records without escapes (nearly all of them in practice) are read by a hand-written scanner
/// straight from the UTF-8 bytes; anything else (escapes, nesting, invalid JSON) is read again from its
/// start with <see cref="Utf8JsonReader"/>, which also words the errors.
/// </para>
/// </summary>
internal sealed class JsonRecordReader(RecordLayout layout, string uri, int batchSize = RowBatch.DefaultCapacity)
{
    private const int Incomplete = -1;
    private const int Fallback = -2;
    private const int CachedKeys = 64;

    private char[] _chars = new char[1024];

    // Records repeat their keys in the same order: the key last seen at each position, and its column.
    private readonly byte[]?[] _keys = new byte[CachedKeys][];
    private readonly int[] _keyColumns = new int[CachedKeys];

    public long Records { get; private set; }

    /// <summary>Off: every record is read by <see cref="Utf8JsonReader"/> (tests compare the two paths).</summary>
    internal bool FastPath { get; init; } = true;

    public async Task ReadAsync(Stream stream, BatchSink sink, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var (start, end, eof) = (0, 0, false);
            (buffer, start, end, eof) = await FillAsync(stream, buffer, start, end, grow: false, cancellationToken).ConfigureAwait(false);
            while (!eof && end < 3) (buffer, start, end, eof) = await FillAsync(stream, buffer, start, end, grow: false, cancellationToken).ConfigureAwait(false);
            if (end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = 3; // UTF-8 BOM
            long line = 1;
            var batch = new RowBatch(layout, batchSize);
            while (true)
            {
                start += ReadRecords(buffer.AsSpan(start, end - start), eof, batch, ref line, out var incomplete);
                if (batch.IsFull)
                {
                    batch = await sink(batch, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (eof && !incomplete) break;
                // The data ends in blanks or inside a record: read more (growing the buffer when a record fills it) and go on.
                (buffer, start, end, eof) = await FillAsync(stream, buffer, start, end, grow: incomplete && start == 0 && end == buffer.Length, cancellationToken).ConfigureAwait(false);
            }
            if (batch.Count > 0) await sink(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<(byte[] Buffer, int Start, int End, bool Eof)> FillAsync(Stream stream, byte[] buffer, int start, int end, bool grow, CancellationToken cancellationToken)
    {
        if (grow)
        {
            if (buffer.Length >= 256 << 20) throw new InvalidDataException("a single JSON record is larger than 256 MB");
            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(start, end - start).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }
        else if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
        }
        end -= start;
        start = 0;
        var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
        return (buffer, start, end + read, read == 0);
    }

    /// <summary>
    /// Reads whole records from <paramref name="data"/> into the batch until the data ends (or ends in the
    /// middle of a record: <paramref name="incomplete"/>) or the batch is full; the bytes consumed. The
    /// loop is here rather than in the async method so that it is fully optimized from the first call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadRecords(ReadOnlySpan<byte> data, bool isFinal, RowBatch batch, ref long line, out bool incomplete)
    {
        incomplete = false;
        var start = 0;
        while (!batch.IsFull)
        {
            while (start < data.Length && data[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                if (data[start] == '\n') line++;
                start++;
            }
            if (start == data.Length) break;
            var record = data[start..];
            batch.BeginRow();
            var consumed = FastPath ? TryParseFlat(record, isFinal, batch, line) : Fallback;
            if (consumed == Fallback)
            {
                batch.BeginRow();
                consumed = TryParseObject(record, isFinal, batch, line);
            }
            if (consumed < 0)
            {
                incomplete = true;
                break;
            }
            RecordErrors.EndRow(batch, uri, line);
            line += record[..consumed].Count((byte)'\n');
            start += consumed;
            Records++;
        }
        return start;
    }

    /// <summary>
    /// The fast path: one flat object at the start of <paramref name="data"/> (which starts with a
    /// non-blank byte), values straight from the bytes. Bytes consumed; <see cref="Incomplete"/> when the
    /// object continues past the data; <see cref="Fallback"/> for anything it does not handle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int TryParseFlat(ReadOnlySpan<byte> data, bool isFinal, RowBatch batch, long line)
    {
        // At the end of the data a record is cut short: the full reader says how.
        var shortData = isFinal ? Fallback : Incomplete;
        if (data[0] != '{') return Fallback;
        var i = SkipBlanks(data, 1);
        if (i == data.Length) return shortData;
        if (data[i] == '}') return i + 1;
        var position = 0;
        while (true)
        {
            if (data[i] != '"') return Fallback;
            var keyStart = i + 1;
            var keyLength = IndexOfStringStop(data, keyStart) - keyStart;
            if (keyLength < 0) return shortData;
            if (data[keyStart + keyLength] != '"') return Fallback;
            var column = ColumnOf(data.Slice(keyStart, keyLength), position++);
            i = SkipBlanks(data, keyStart + keyLength + 1);
            if (i == data.Length) return shortData;
            if (data[i] != ':') return Fallback;
            i = SkipBlanks(data, i + 1);
            if (i == data.Length) return shortData;
            switch (data[i])
            {
                case (byte)'"':
                    var valueStart = i + 1;
                    var length = IndexOfStringStop(data, valueStart) - valueStart;
                    if (length < 0) return shortData;
                    if (data[valueStart + length] != '"') return Fallback;
                    if (column >= 0) Set(batch, column, data.Slice(valueStart, length), FieldKind.JsonString, line);
                    i = valueStart + length + 1;
                    break;
                case (byte)'-' or >= (byte)'0' and <= (byte)'9':
                    var numberEnd = i + 1;
                    while (numberEnd < data.Length && data[numberEnd] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-') numberEnd++;
                    if (numberEnd == data.Length) return shortData;
                    var number = data[i..numberEnd];
                    // Utf8JsonReader checks what follows a number before it yields the number.
                    if (!IsJsonNumber(number) || data[numberEnd] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')) return Fallback;
                    if (column >= 0) Set(batch, column, number, FieldKind.JsonNumber, line);
                    i = numberEnd;
                    break;
                case (byte)'t':
                    if (data.Length - i < 4) return shortData;
                    if (!data.Slice(i, 4).SequenceEqual("true"u8)) return Fallback;
                    if (column >= 0) Set(batch, column, "true"u8, FieldKind.JsonBoolean, line);
                    i += 4;
                    break;
                case (byte)'f':
                    if (data.Length - i < 5) return shortData;
                    if (!data.Slice(i, 5).SequenceEqual("false"u8)) return Fallback;
                    if (column >= 0) Set(batch, column, "false"u8, FieldKind.JsonBoolean, line);
                    i += 5;
                    break;
                case (byte)'n':
                    if (data.Length - i < 4) return shortData;
                    if (!data.Slice(i, 4).SequenceEqual("null"u8)) return Fallback;
                    if (column >= 0) batch.SetNull(column);
                    i += 4;
                    break;
                default:
                    return Fallback; // nested values, and anything that is not JSON
            }
            i = SkipBlanks(data, i);
            if (i == data.Length) return shortData;
            if (data[i] == '}') return i + 1;
            if (data[i] != ',') return Fallback;
            i = SkipBlanks(data, i + 1);
            if (i == data.Length) return shortData;
        }
    }

    /// <summary>
    /// Where a string that starts at <paramref name="from"/> stops: its closing quote, an escape, or a
    /// control character (invalid in JSON); -1 when the data ends first. Vectorized here rather than with
    /// SearchValues, whose generic code starts unoptimized in every process.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOfStringStop(ReadOnlySpan<byte> data, int from)
    {
        var i = from;
        if (Vector128.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(data);
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)' ');
            for (; i <= data.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref first, (nuint)i);
                var stops = Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes, space);
                if (stops != Vector128<byte>.Zero) return i + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
            }
        }
        for (; i < data.Length; i++)
            if (data[i] is (byte)'"' or (byte)'\\' or < (byte)' ') return i;
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipBlanks(ReadOnlySpan<byte> data, int i)
    {
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i;
    }

    /// <summary>JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsJsonNumber(ReadOnlySpan<byte> n)
    {
        var i = 0;
        if (n[i] == '-' && ++i == n.Length) return false;
        if (n[i] == '0') i++;
        else if (n[i] is >= (byte)'1' and <= (byte)'9') while (i < n.Length && char.IsAsciiDigit((char)n[i])) i++;
        else return false;
        if (i < n.Length && n[i] == '.')
        {
            var digits = ++i;
            while (i < n.Length && char.IsAsciiDigit((char)n[i])) i++;
            if (i == digits) return false;
        }
        if (i < n.Length && n[i] is (byte)'e' or (byte)'E')
        {
            if (++i < n.Length && n[i] is (byte)'+' or (byte)'-') i++;
            var digits = i;
            while (i < n.Length && char.IsAsciiDigit((char)n[i])) i++;
            if (i == digits) return false;
        }
        return i == n.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ColumnOf(ReadOnlySpan<byte> key, int position)
    {
        if (position >= CachedKeys) return layout.IndexOf(key);
        var cached = _keys[position];
        if (cached != null && key.SequenceEqual(cached)) return _keyColumns[position];
        var column = layout.IndexOf(key);
        if (cached == null || cached.Length != key.Length) _keys[position] = key.ToArray();
        else key.CopyTo(cached);
        _keyColumns[position] = column;
        return column;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Set(RowBatch batch, int column, ReadOnlySpan<byte> value, FieldKind kind, long line)
    {
        try
        {
            layout.Columns[column].Parse(value, kind, batch, column);
        }
        catch (ValueConversionException ex)
        {
            throw RecordErrors.Refused(uri, line, layout.Columns[column], ex, RecordErrors.Written(value));
        }
    }

    /// <summary>Parses one object at the start of <paramref name="data"/> with the full JSON reader; bytes consumed, or -1 when it is incomplete.</summary>
    private int TryParseObject(ReadOnlySpan<byte> data, bool isFinal, RowBatch batch, long line)
    {
        var reader = new Utf8JsonReader(data, isFinal, default);
        try
        {
            if (!reader.Read()) return isFinal ? throw RecordErrors.At(uri, line, null, "the JSON ends in the middle of a value") : -1;
            if (reader.TokenType != JsonTokenType.StartObject)
                throw RecordErrors.At(uri, line, null, $"a record must be a JSON object, not {Describe(reader.TokenType)}");
            while (true)
            {
                if (!reader.Read()) return IncompleteRecord(isFinal, line);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                var index = layout.IndexOf(Chars(ref reader));
                if (!reader.Read()) return IncompleteRecord(isFinal, line);
                var valueStart = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (!reader.TrySkip()) return IncompleteRecord(isFinal, line);
                        if (index >= 0) Set(batch, index, data[valueStart..(int)reader.BytesConsumed], FieldKind.JsonNested, line);
                        break;
                    case JsonTokenType.Null:
                        if (index >= 0) batch.SetNull(index);
                        break;
                    case JsonTokenType.String:
                        if (index >= 0) Set(batch, index, Chars(ref reader), FieldKind.JsonString, line);
                        break;
                    case JsonTokenType.Number:
                        if (index >= 0) Set(batch, index, Chars(ref reader), FieldKind.JsonNumber, line);
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        if (index >= 0) Set(batch, index, reader.TokenType == JsonTokenType.True ? "true" : "false", FieldKind.JsonBoolean, line);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw RecordErrors.At(uri, line + (ex.LineNumber ?? 0), null, "invalid JSON: " + ex.Message.Split(" Path:", 2)[0]);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader's word for strings that are not valid UTF-8 (or UTF-16 after unescaping).
            throw RecordErrors.At(uri, line, null, "invalid JSON text: " + ex.Message);
        }
        return (int)reader.BytesConsumed;
    }

    private int IncompleteRecord(bool isFinal, long line) => isFinal ? throw RecordErrors.At(uri, line, null, "the JSON ends in the middle of a record") : -1;

    private void Set(RowBatch batch, int column, ReadOnlySpan<char> text, FieldKind kind, long line)
    {
        try
        {
            layout.Columns[column].Parse(text, kind, batch, column);
        }
        catch (ValueConversionException ex)
        {
            throw RecordErrors.Refused(uri, line, layout.Columns[column], ex, RecordErrors.Written(text));
        }
    }

    private ReadOnlySpan<char> Chars(ref Utf8JsonReader reader)
    {
        var max = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (_chars.Length < max) _chars = new char[Math.Max(max, _chars.Length * 2)];
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
        {
            var n = reader.CopyString(_chars);
            return _chars.AsSpan(0, n);
        }
        var count = Encoding.UTF8.GetChars(reader.ValueSpan, _chars);
        return _chars.AsSpan(0, count);
    }

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };
}

/// <summary>How delimited text is read: Redshift's FORMAT AS CSV, or the original tool's DELIMITER … REMOVEQUOTES ESCAPE TRIMBLANKS EMPTYASNULL.</summary>
internal sealed record DelimitedOptions(bool Csv, char Delimiter, int IgnoreHeader);

/// <summary>
/// CSV (RFC 4180 quoting, "" inside quotes) or delimited text in the original's mode (backslash escapes,
/// surrounding quotes removed, trailing blanks trimmed, empty fields NULL). Fields are matched to the
/// table's columns by position; a line with more or fewer fields than columns fails the load.
/// </summary>
internal sealed class DelimitedRecordReader(RecordLayout layout, string uri, DelimitedOptions options, int batchSize = RowBatch.DefaultCapacity)
{
    public long Records { get; private set; }

    /// <summary>The field names of a header line (the line IGNOREHEADER skips), unquoted and trimmed.</summary>
    public static string[] HeaderNames(string line, char delimiter) => [.. line.Split(delimiter).Select(n => n.Trim().Trim('"'))];

    public async Task ReadAsync(Stream stream, BatchSink sink, CancellationToken cancellationToken)
    {
        // Strict UTF-8: invalid bytes fail the load (Redshift's COPY does too, without ACCEPTINVCHARS).
        using var text = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        var chars = ArrayPool<char>.Shared.Rent(1 << 16);
        // The record's fields, unescaped, one after the other in one buffer (no string per field).
        var field = new RecordText(layout.Columns.Length);
        var batch = new RowBatch(layout, batchSize);
        long line = 1, recordLine = 1;
        var inQuotes = false;
        var quoted = false;
        var escape = false;
        var skip = options.IgnoreHeader;
        var anything = false; // the current record has content
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await text.ReadAsync(chars.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
                catch (DecoderFallbackException)
                {
                    throw RecordErrors.At(uri, line, null, "the text is not valid UTF-8");
                }
                if (n == 0) break;
                for (var i = 0; i < n; i++)
                {
                    var c = chars[i];
                    if (escape)
                    {
                        escape = false;
                        field.Append(c);
                        anything = true;
                        if (c == '\n') line++;
                        continue;
                    }
                    if (inQuotes)
                    {
                        if (c == '"')
                        {
                            // CSV: "" is a quote; otherwise the quote ends the quoted part.
                            if (options.Csv && i + 1 < n && chars[i + 1] == '"') { field.Append('"'); i++; continue; }
                            if (options.Csv && i + 1 == n && text.Peek() == '"') { field.Append('"'); await text.ReadAsync(chars.AsMemory(0, 1), cancellationToken).ConfigureAwait(false); n = 0; break; }
                            inQuotes = false;
                            continue;
                        }
                        if (!options.Csv && c == '\\') { escape = true; continue; }
                        if (c == '\n') line++;
                        field.Append(c);
                        continue;
                    }
                    if (!options.Csv && c == '\\') { escape = true; anything = true; continue; }
                    if (c == '"' && field.Length == 0 && !quoted) { inQuotes = true; quoted = true; anything = true; continue; }
                    if (c == options.Delimiter)
                    {
                        field.EndField();
                        quoted = false;
                        anything = true;
                        continue;
                    }
                    if (c == '\n' || c == '\r')
                    {
                        if (c == '\r' && i + 1 < n && chars[i + 1] == '\n') i++;
                        else if (c == '\r' && i + 1 == n && text.Peek() == '\n') text.Read();
                        if (anything || field.Length > 0)
                        {
                            field.EndField();
                            if (skip-- <= 0 && EndRecord(field, recordLine, batch)) batch = await sink(batch, cancellationToken).ConfigureAwait(false);
                        }
                        field.Clear();
                        quoted = false;
                        anything = false;
                        line++;
                        recordLine = line;
                        continue;
                    }
                    field.Append(c);
                    anything = true;
                }
            }
            if (inQuotes) throw RecordErrors.At(uri, recordLine, null, "a quoted field is not closed before the end of the file");
            if (anything || field.Length > 0)
            {
                field.EndField();
                if (skip-- <= 0) EndRecord(field, recordLine, batch);
            }
            if (batch.Count > 0) await sink(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Converts the record into a row of the batch; true when the batch is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool EndRecord(RecordText record, long line, RowBatch batch)
    {
        if (record.Count != layout.Columns.Length)
            throw RecordErrors.At(uri, line, null, $"it has {record.Count} field(s) but the table has {layout.Columns.Length} column(s) ({string.Join(", ", layout.Columns.Select(c => c.Name))})");
        batch.BeginRow();
        for (var i = 0; i < record.Count; i++)
        {
            var column = layout.Columns[i];
            var text = record.Field(i);
            var isString = column.Type.Kind is Config.ColumnKind.Varchar or Config.ColumnKind.Char;
            if (!options.Csv && isString) text = text.TrimEnd(" \t"); // TRIMBLANKS
            if (text.Length == 0)
            {
                // Delimited mode has EMPTYASNULL; CSV loads an empty string into text columns and NULL elsewhere.
                if (options.Csv && isString) batch.SetText(i, ReadOnlySpan<byte>.Empty);
                else batch.SetNull(i);
                continue;
            }
            try
            {
                column.Parse(text, FieldKind.Text, batch, i);
            }
            catch (ValueConversionException ex)
            {
                throw RecordErrors.Refused(uri, line, column, ex, RecordErrors.Written(text));
            }
        }
        RecordErrors.EndRow(batch, uri, line);
        Records++;
        return batch.IsFull;
    }

    /// <summary>The text of one record: its fields' chars in one growing buffer, and where each field starts.</summary>
    private sealed class RecordText(int columns)
    {
        private char[] _chars = new char[256];
        private int[] _ends = new int[Math.Max(columns, 1) + 1];
        private int _fieldStart;

        public int Count { get; private set; }

        /// <summary>Chars of the field being read.</summary>
        public int Length => _length - _fieldStart;

        private int _length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(char c)
        {
            if (_length == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2);
            _chars[_length++] = c;
        }

        public void EndField()
        {
            if (Count == _ends.Length) Array.Resize(ref _ends, _ends.Length * 2);
            _ends[Count++] = _length;
            _fieldStart = _length;
        }

        public ReadOnlySpan<char> Field(int i)
        {
            var start = i == 0 ? 0 : _ends[i - 1];
            return _chars.AsSpan(start, _ends[i] - start);
        }

        public void Clear() => _length = _fieldStart = Count = 0;
    }
}
