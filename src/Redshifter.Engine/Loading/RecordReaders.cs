using System.Buffers;
using System.Text;
using System.Text.Json;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Loading;

/// <summary>The destination's columns, in table order, with the name lookup JSON keys use (case-insensitive).</summary>
internal sealed class RecordLayout
{
    public TargetColumn[] Columns { get; }
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byName;

    public RecordLayout(IReadOnlyList<TargetColumn> columns)
    {
        Columns = [.. columns];
        var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Columns.Length; i++) map.TryAdd(Columns[i].Name, i);
        _byName = map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int IndexOf(ReadOnlySpan<char> name) => _byName.TryGetValue(name, out var i) ? i : -1;
}

/// <summary>Receives decoded rows in batches (the loader queues them to the writer).</summary>
internal delegate ValueTask BatchSink(List<object?[]> rows, CancellationToken cancellationToken);

/// <summary>Errors that name the file, line and column, as section 5 asks.</summary>
internal static class RecordErrors
{
    public static RedshifterException At(string uri, long line, string? column, string problem) => new(
        ErrorIds.CopyFailed, ErrorKind.InvalidData,
        $"Bad record in {uri} at line {line}{(column != null ? $", column '{column}'" : "")}: {problem}. Nothing was loaded.",
        "Fix or remove that record in the source file (or change the column's type in the config), then load again.", uri);
}

/// <summary>
/// A stream of JSON objects, newline-separated or not. Keys match columns case-insensitively; keys without
/// a column are ignored; a missing key takes the column's default (or NULL); nested objects and arrays
/// are kept as JSON text.
/// </summary>
internal sealed class JsonRecordReader(RecordLayout layout, string uri, int batchSize = 2048)
{
    private static readonly object Missing = new();
    private char[] _chars = new char[1024];

    public long Records { get; private set; }

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
            var batch = new List<object?[]>(batchSize);
            while (true)
            {
                while (start < end && buffer[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    if (buffer[start] == '\n') line++;
                    start++;
                }
                if (start == end)
                {
                    if (eof) break;
                    (buffer, start, end, eof) = await FillAsync(stream, buffer, start, end, grow: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var row = new object?[layout.Columns.Length];
                var consumed = TryParseObject(buffer.AsSpan(start, end - start), eof, row, line);
                if (consumed < 0)
                {
                    // The object continues past the buffer: read more (growing the buffer when it is full) and retry.
                    (buffer, start, end, eof) = await FillAsync(stream, buffer, start, end, grow: start == 0 && end == buffer.Length, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                line += buffer.AsSpan(start, consumed).Count((byte)'\n');
                start += consumed;
                Records++;
                batch.Add(row);
                if (batch.Count == batchSize)
                {
                    await sink(batch, cancellationToken).ConfigureAwait(false);
                    batch = new List<object?[]>(batchSize);
                }
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

    /// <summary>Parses one object at the start of <paramref name="data"/>; bytes consumed, or -1 when it is incomplete.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int TryParseObject(ReadOnlySpan<byte> data, bool isFinal, object?[] row, long line)
    {
        Array.Fill(row, Missing);
        var reader = new Utf8JsonReader(data, isFinal, default);
        try
        {
            if (!reader.Read()) return isFinal ? throw RecordErrors.At(uri, line, null, "the JSON ends in the middle of a value") : -1;
            if (reader.TokenType != JsonTokenType.StartObject)
                throw RecordErrors.At(uri, line, null, $"a record must be a JSON object, not {Describe(reader.TokenType)}");
            while (true)
            {
                if (!reader.Read()) return Incomplete(isFinal, line);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                var name = Chars(ref reader);
                var index = layout.IndexOf(name);
                if (!reader.Read()) return Incomplete(isFinal, line);
                var valueStart = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (!reader.TrySkip()) return Incomplete(isFinal, line);
                        if (index >= 0) Set(row, index, Encoding.UTF8.GetString(data[valueStart..(int)reader.BytesConsumed]), FieldKind.JsonNested, line);
                        break;
                    case JsonTokenType.Null:
                        if (index >= 0) row[index] = null;
                        break;
                    case JsonTokenType.String:
                        if (index >= 0) Set(row, index, Chars(ref reader), FieldKind.JsonString, line);
                        break;
                    case JsonTokenType.Number:
                        if (index >= 0) Set(row, index, Chars(ref reader), FieldKind.JsonNumber, line);
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        if (index >= 0) Set(row, index, reader.TokenType == JsonTokenType.True ? "true" : "false", FieldKind.JsonBoolean, line);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw RecordErrors.At(uri, line + (ex.LineNumber ?? 0), null, "invalid JSON: " + ex.Message.Split(" Path:", 2)[0]);
        }
        for (var i = 0; i < row.Length; i++) if (ReferenceEquals(row[i], Missing)) row[i] = layout.Columns[i].MissingValue;
        return (int)reader.BytesConsumed;
    }

    private int Incomplete(bool isFinal, long line) => isFinal ? throw RecordErrors.At(uri, line, null, "the JSON ends in the middle of a record") : -1;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Set(object?[] row, int index, ReadOnlySpan<char> text, FieldKind kind, long line)
    {
        try
        {
            row[index] = layout.Columns[index].Convert(text, kind);
        }
        catch (ValueConversionException ex)
        {
            throw RecordErrors.At(uri, line, layout.Columns[index].Name, ex.Message);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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
internal sealed class DelimitedRecordReader(RecordLayout layout, string uri, DelimitedOptions options, int batchSize = 2048)
{
    public long Records { get; private set; }

    public async Task ReadAsync(Stream stream, BatchSink sink, CancellationToken cancellationToken)
    {
        // Strict UTF-8: invalid bytes fail the load (Redshift's COPY does too, without ACCEPTINVCHARS).
        using var text = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        var chars = ArrayPool<char>.Shared.Rent(1 << 16);
        var field = new StringBuilder();
        var fields = new List<(string Text, bool Quoted)>(layout.Columns.Length);
        var batch = new List<object?[]>(batchSize);
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
                        fields.Add((field.ToString(), quoted));
                        field.Clear();
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
                            fields.Add((field.ToString(), quoted));
                            await EndRecordAsync(fields, recordLine, batch, sink, skip-- > 0, cancellationToken).ConfigureAwait(false);
                        }
                        field.Clear();
                        fields.Clear();
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
                fields.Add((field.ToString(), quoted));
                await EndRecordAsync(fields, recordLine, batch, sink, skip-- > 0, cancellationToken).ConfigureAwait(false);
            }
            if (batch.Count > 0) await sink(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private async ValueTask EndRecordAsync(List<(string Text, bool Quoted)> fields, long line, List<object?[]> batch, BatchSink sink, bool isHeader, CancellationToken cancellationToken)
    {
        if (isHeader) return;
        if (fields.Count != layout.Columns.Length)
            throw RecordErrors.At(uri, line, null, $"it has {fields.Count} field(s) but the table has {layout.Columns.Length} column(s) ({string.Join(", ", layout.Columns.Select(c => c.Name))})");
        var row = new object?[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            var column = layout.Columns[i];
            var text = fields[i].Text;
            var isString = column.Type.Kind is Config.ColumnKind.Varchar or Config.ColumnKind.Char;
            if (!options.Csv && isString) text = text.TrimEnd(' ', '\t'); // TRIMBLANKS
            if (text.Length == 0)
            {
                // Delimited mode has EMPTYASNULL; CSV loads an empty string into text columns and NULL elsewhere.
                row[i] = options.Csv && isString ? "" : null;
                continue;
            }
            try
            {
                row[i] = column.Convert(text, FieldKind.Text);
            }
            catch (ValueConversionException ex)
            {
                throw RecordErrors.At(uri, line, column.Name, ex.Message);
            }
        }
        Records++;
        batch.Add(row);
        if (batch.Count >= batchSize)
        {
            await sink([.. batch], cancellationToken).ConfigureAwait(false);
            batch.Clear();
        }
    }
}
