using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using Parquet.Meta;
using ParquetType = Parquet.Meta.Type;

namespace Redshifter.Engine.Loading;

/// <summary>
/// One leaf column's chunk of a row group, read by Redshifter itself from the file: its definition levels,
/// repetition levels and non-null values (packed), as <see cref="ParquetNested"/> places them. Parquet.Net 6.1
/// reads no repetition levels from a DATA_PAGE_V2 (NotImplementedException), which arrow-rs, Spark and pyarrow
/// write for lists and maps; this reads the page headers (<see cref="ParquetPageHeader"/>), the dictionary page,
/// DATA_PAGE and DATA_PAGE_V2 pages, in every encoding and codec of the format.
/// Spec: https://github.com/apache/parquet-format (README.md, Encodings.md, Compression.md, LogicalTypes.md)
/// </summary>
internal sealed class ParquetColumnChunk
{
    private readonly CompressionCodec _codec;
    private readonly SchemaElement _element;
    private readonly int _maxDefinition, _maxRepetition;
    private readonly IntegerMeaning _meaning;
    private readonly List<int> _definitions = [], _repetitions = [];
    private readonly List<object?> _values = [];
    private object?[]? _dictionary;

    private ParquetColumnChunk(CompressionCodec codec, SchemaElement element, int maxDefinition, int maxRepetition)
    {
        (_codec, _element, _maxDefinition, _maxRepetition) = (codec, element, maxDefinition, maxRepetition);
        _meaning = element.Type is ParquetType.INT32 or ParquetType.INT64 ? ParquetIntegers.MeaningOf(element) : default;
    }

    /// <summary>A leaf column chunk's levels and values: empty level arrays where the leaf has no such levels.</summary>
    internal sealed record Values(int[] Definitions, int[] Repetitions, object?[] Present);

    /// <summary>Where the chunk starts in the file (its dictionary page, if any, else its first data page) and its length.</summary>
    private static (long Start, int Length) Extent(ColumnMetaData meta)
    {
        // A dictionary page comes before the data pages; some writers write 0 for "none".
        var start = meta.DictionaryPageOffset is > 0 and var dictionary && dictionary < meta.DataPageOffset ? dictionary : meta.DataPageOffset;
        if (start < 4 || meta.TotalCompressedSize is <= 0 or > int.MaxValue) throw new InvalidDataException($"the column chunk's offset {start} or size {meta.TotalCompressedSize} is not valid");
        return (start, (int)meta.TotalCompressedSize);
    }

    /// <summary>Whether the chunk's first data page is a DATA_PAGE_V2 (read from its page headers alone).</summary>
    public static async Task<bool> HasV2DataPagesAsync(Stream file, ColumnMetaData meta, CancellationToken cancellationToken)
    {
        var (start, length) = Extent(meta);
        var (at, window) = (0, 256);
        while (at < length)
        {
            var size = Math.Min(window, length - at);
            var buffer = new byte[size];
            var filled = await ReadAtAsync(file, start + at, buffer, size, cancellationToken).ConfigureAwait(false);
            ParquetPageHeader header;
            int headerLength;
            try
            {
                header = ParquetPageHeader.Read(buffer.AsSpan(0, filled), out headerLength);
            }
            catch (EndOfStreamException) when (filled == size && size < length - at)
            {
                window *= 4; // a header longer than that (statistics can be long): read more of it
                continue;
            }
            switch (header.Type)
            {
                case PageType.DATA_PAGE: return false;
                case PageType.DATA_PAGE_V2: return true;
            }
            at += headerLength + header.CompressedSize;
        }
        return false;
    }

    /// <summary>Reads the chunk of a leaf column (its schema element, and the most its levels can be) from the file.</summary>
    public static async Task<Values> ReadAsync(Stream file, ColumnMetaData meta, SchemaElement element, int maxDefinition, int maxRepetition, CancellationToken cancellationToken)
    {
        var (start, length) = Extent(meta);
        var bytes = new byte[length];
        if (await ReadAtAsync(file, start, bytes, length, cancellationToken).ConfigureAwait(false) < length)
            throw new InvalidDataException("the file ends inside the column chunk");
        return Decode(bytes, meta.Codec, meta.NumValues, element, maxDefinition, maxRepetition);
    }

    private static async Task<int> ReadAtAsync(Stream file, long offset, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        var position = file.Position;
        try
        {
            file.Position = offset;
            return await file.ReadAtLeastAsync(buffer.AsMemory(0, count), count, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            file.Position = position;
        }
    }

    /// <summary>Decodes a whole column chunk (its pages, each a header and a body).</summary>
    /// <param name="numValues">the chunk's values, nulls included, as its metadata says</param>
    internal static Values Decode(ReadOnlyMemory<byte> chunk, CompressionCodec codec, long numValues, SchemaElement element, int maxDefinition, int maxRepetition)
    {
        var reader = new ParquetColumnChunk(codec, element, maxDefinition, maxRepetition);
        var pos = 0;
        long levels = 0;
        while (pos < chunk.Length && levels < numValues)
        {
            var header = ParquetPageHeader.Read(chunk.Span[pos..], out var headerLength);
            pos += headerLength;
            if (header.CompressedSize > chunk.Length - pos) throw new InvalidDataException("a page runs past the end of the column chunk");
            var body = chunk.Slice(pos, header.CompressedSize);
            pos += header.CompressedSize;
            switch (header.Type)
            {
                case PageType.DICTIONARY_PAGE:
                    reader.ReadDictionaryPage(header, body);
                    break;
                case PageType.DATA_PAGE:
                    reader.ReadDataPage(header, body);
                    levels += header.NumValues;
                    break;
                case PageType.DATA_PAGE_V2:
                    reader.ReadDataPageV2(header, body);
                    levels += header.NumValues;
                    break;
                // INDEX_PAGE, and any page type to come: not needed for the values.
            }
        }
        if (levels != numValues) throw new InvalidDataException($"the column chunk's pages hold {levels} values where its metadata says {numValues}");
        return new Values([.. reader._definitions], [.. reader._repetitions], [.. reader._values]);
    }

    private void ReadDictionaryPage(ParquetPageHeader header, ReadOnlyMemory<byte> body)
    {
        if (header.Encoding is not (Encoding.PLAIN or Encoding.PLAIN_DICTIONARY)) throw new NotSupportedException($"a dictionary page in {header.Encoding}");
        var data = Decompress(body, header.UncompressedSize);
        var first = _values.Count;
        ReadPlain(data, header.NumValues);
        _dictionary = [.. _values.GetRange(first, header.NumValues)];
        _values.RemoveRange(first, header.NumValues);
    }

    /// <summary>A DATA_PAGE: the whole page compressed; in it the repetition levels, the definition levels (RLE each with its length before it, or BIT_PACKED), then the values.</summary>
    private void ReadDataPage(ParquetPageHeader header, ReadOnlyMemory<byte> body)
    {
        var data = Decompress(body, header.UncompressedSize);
        var pos = 0;
        if (_maxRepetition > 0) pos += ReadLevels(data.Span[pos..], header.RepetitionLevelEncoding, _maxRepetition, header.NumValues, _repetitions);
        var present = header.NumValues;
        if (_maxDefinition > 0)
        {
            var first = _definitions.Count;
            pos += ReadLevels(data.Span[pos..], header.DefinitionLevelEncoding, _maxDefinition, header.NumValues, _definitions);
            present = CountDefined(first);
        }
        ReadValues(header.Encoding, data[pos..], present);
    }

    /// <summary>A DATA_PAGE_V2: the repetition and definition levels first, RLE without lengths before them and never compressed, then the values, compressed unless the header says not.</summary>
    private void ReadDataPageV2(ParquetPageHeader header, ReadOnlyMemory<byte> body)
    {
        var (repetitionLength, definitionLength) = (header.RepetitionLevelsByteLength, header.DefinitionLevelsByteLength);
        if ((long)repetitionLength + definitionLength > body.Length) throw new InvalidDataException("a v2 data page's levels are longer than the page");
        if (_maxRepetition > 0)
        {
            var span = Grow(_repetitions, header.NumValues);
            ParquetEncodings.DecodeHybrid(body.Span[..repetitionLength], ParquetEncodings.BitWidth(_maxRepetition), span);
            CheckLevels(span, _maxRepetition);
        }
        var present = header.NumValues - header.NumNulls;
        if (_maxDefinition > 0)
        {
            var first = _definitions.Count;
            var span = Grow(_definitions, header.NumValues);
            ParquetEncodings.DecodeHybrid(body.Span.Slice(repetitionLength, definitionLength), ParquetEncodings.BitWidth(_maxDefinition), span);
            CheckLevels(span, _maxDefinition);
            present = CountDefined(first);
        }
        var values = body[(repetitionLength + definitionLength)..];
        if (header.IsCompressed) values = Decompress(values, header.UncompressedSize - repetitionLength - definitionLength);
        ReadValues(header.Encoding, values, present);
    }

    private int CountDefined(int first)
    {
        var count = 0;
        foreach (var d in CollectionsMarshal.AsSpan(_definitions)[first..]) if (d == _maxDefinition) count++;
        return count;
    }

    /// <summary>A v1 page's levels: RLE (the hybrid, its length in 4 bytes before it) or the deprecated BIT_PACKED.</summary>
    /// <returns>the bytes read</returns>
    private static int ReadLevels(ReadOnlySpan<byte> data, Encoding encoding, int max, int count, List<int> levels)
    {
        var span = Grow(levels, count);
        int read;
        switch (encoding)
        {
            case Encoding.RLE:
                if (data.Length < 4) throw new InvalidDataException("a data page ends before its levels");
                var length = BinaryPrimitives.ReadInt32LittleEndian(data);
                if (length < 0 || length > data.Length - 4) throw new InvalidDataException("a data page's levels are longer than the page");
                ParquetEncodings.DecodeHybrid(data.Slice(4, length), ParquetEncodings.BitWidth(max), span);
                read = 4 + length;
                break;
            case Encoding.BIT_PACKED:
                read = ParquetEncodings.DecodeBitPackedLegacy(data, ParquetEncodings.BitWidth(max), span);
                break;
            default:
                throw new NotSupportedException($"levels in {encoding}");
        }
        CheckLevels(span, max);
        return read;
    }

    private static void CheckLevels(ReadOnlySpan<int> levels, int max)
    {
        foreach (var level in levels) if (level > max) throw new InvalidDataException($"a level of {level} where the column's levels go up to {max}");
    }

    private static Span<int> Grow(List<int> list, int count)
    {
        var first = list.Count;
        CollectionsMarshal.SetCount(list, first + count);
        return CollectionsMarshal.AsSpan(list).Slice(first, count);
    }

    private ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> data, int size)
    {
        // A v2 page of nulls only may hold no value bytes at all, compressed or not.
        if (_codec == CompressionCodec.UNCOMPRESSED || (data.IsEmpty && size == 0)) return data;
        if (size < 0) throw new InvalidDataException("a page's uncompressed size is negative");
        var output = new byte[size];
        int written;
        switch (_codec)
        {
            case CompressionCodec.SNAPPY:
                written = Snappier.Snappy.Decompress(data.Span, output);
                break;
            case CompressionCodec.GZIP:
                using (var gzip = new GZipStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress))
                    written = gzip.ReadAtLeast(output, size, throwOnEndOfStream: false);
                break;
            case CompressionCodec.BROTLI:
                if (!BrotliDecoder.TryDecompress(data.Span, output, out written)) throw new InvalidDataException("a brotli page does not decompress to its size");
                break;
            case CompressionCodec.ZSTD:
                using (var zstd = new ZstdSharp.Decompressor()) written = zstd.Unwrap(data.Span, output);
                break;
            case CompressionCodec.LZ4_RAW:
                written = K4os.Compression.LZ4.LZ4Codec.Decode(data.Span, output);
                break;
            case CompressionCodec.LZ4:
                written = DecodeHadoopLz4(data.Span, output);
                break;
            default:
                throw new NotSupportedException($"the codec {_codec}");
        }
        if (written != size) throw new InvalidDataException($"a page decompressed ({_codec}) to {written} bytes where its header says {size}");
        return output;
    }

    /// <summary>
    /// The deprecated LZ4 codec: as Hadoop frames it (blocks, each its uncompressed and compressed length in 4 bytes
    /// big-endian, then LZ4 raw), or, as some writers wrote it, LZ4 raw alone.
    /// </summary>
    private static int DecodeHadoopLz4(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var (pos, written) = (0, 0);
        while (data.Length - pos >= 8)
        {
            var uncompressed = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
            var compressed = BinaryPrimitives.ReadInt32BigEndian(data[(pos + 4)..]);
            if (uncompressed < 0 || compressed < 0 || compressed > data.Length - pos - 8 || uncompressed > output.Length - written) break;
            if (K4os.Compression.LZ4.LZ4Codec.Decode(data.Slice(pos + 8, compressed), output.Slice(written, uncompressed)) != uncompressed) break;
            pos += 8 + compressed;
            written += uncompressed;
            if (pos == data.Length) return written;
        }
        return K4os.Compression.LZ4.LZ4Codec.Decode(data, output);
    }

    /// <summary>A page's <paramref name="count"/> non-null values, in its encoding, onto the chunk's values.</summary>
    private void ReadValues(Encoding encoding, ReadOnlyMemory<byte> data, int count)
    {
        if (count == 0) return;
        switch (encoding)
        {
            case Encoding.PLAIN:
                ReadPlain(data, count);
                return;
            case Encoding.PLAIN_DICTIONARY or Encoding.RLE_DICTIONARY:
                ReadDictionaryIndices(data.Span, count);
                return;
            case Encoding.RLE when _element.Type == ParquetType.BOOLEAN:
                ReadRleBooleans(data.Span, count);
                return;
            case Encoding.DELTA_BINARY_PACKED when _element.Type is ParquetType.INT32 or ParquetType.INT64:
                var pos = 0;
                var integers = ParquetEncodings.DecodeDeltaBinaryPacked(data.Span, ref pos);
                if (integers.Length < count) throw new InvalidDataException($"a page holds {integers.Length} DELTA_BINARY_PACKED values where its levels say {count}");
                for (var i = 0; i < count; i++) _values.Add(Integer(integers[i]));
                return;
            case Encoding.DELTA_LENGTH_BYTE_ARRAY when _element.Type == ParquetType.BYTE_ARRAY:
                var at = 0;
                foreach (var value in DeltaLengthByteArrays(data, ref at, count)) _values.Add(Bytes(value));
                return;
            case Encoding.DELTA_BYTE_ARRAY when _element.Type is ParquetType.BYTE_ARRAY or ParquetType.FIXED_LEN_BYTE_ARRAY:
                ReadDeltaByteArrays(data, count);
                return;
            case Encoding.BYTE_STREAM_SPLIT when _element.Type is ParquetType.FLOAT or ParquetType.DOUBLE or ParquetType.INT32 or ParquetType.INT64 or ParquetType.FIXED_LEN_BYTE_ARRAY:
                ReadByteStreamSplit(data.Span, count);
                return;
            default:
                throw new NotSupportedException($"{_element.Type} values in the encoding {encoding}");
        }
    }

    private void ReadPlain(ReadOnlyMemory<byte> data, int count)
    {
        var span = data.Span;
        var width = FixedWidth();
        if (width > 0 && (long)width * count > span.Length) throw new InvalidDataException($"a page holds fewer than its {count} PLAIN {_element.Type} values");
        switch (_element.Type)
        {
            case ParquetType.BOOLEAN:
                if ((count + 7) / 8 > span.Length) throw new InvalidDataException($"a page holds fewer than its {count} PLAIN BOOLEAN values");
                for (var i = 0; i < count; i++) _values.Add(((span[i >> 3] >> (i & 7)) & 1) == 1);
                return;
            case ParquetType.INT32:
                for (var i = 0; i < count; i++) _values.Add(Integer(BinaryPrimitives.ReadInt32LittleEndian(span[(4 * i)..])));
                return;
            case ParquetType.INT64:
                for (var i = 0; i < count; i++) _values.Add(Integer(BinaryPrimitives.ReadInt64LittleEndian(span[(8 * i)..])));
                return;
            case ParquetType.INT96:
                for (var i = 0; i < count; i++) _values.Add(Int96(span.Slice(12 * i, 12)));
                return;
            case ParquetType.FLOAT:
                for (var i = 0; i < count; i++) _values.Add(BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]));
                return;
            case ParquetType.DOUBLE:
                for (var i = 0; i < count; i++) _values.Add(BinaryPrimitives.ReadDoubleLittleEndian(span[(8 * i)..]));
                return;
            case ParquetType.FIXED_LEN_BYTE_ARRAY:
                for (var i = 0; i < count; i++) _values.Add(Bytes(data.Slice(width * i, width)));
                return;
            case ParquetType.BYTE_ARRAY:
                var pos = 0;
                for (var i = 0; i < count; i++)
                {
                    if (span.Length - pos < 4) throw new InvalidDataException($"a page holds fewer than its {count} PLAIN BYTE_ARRAY values");
                    var length = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
                    if (length < 0 || length > span.Length - pos - 4) throw new InvalidDataException("a PLAIN BYTE_ARRAY value runs past the end of its page");
                    _values.Add(Bytes(data.Slice(pos + 4, length)));
                    pos += 4 + length;
                }
                return;
            default:
                throw new NotSupportedException($"the physical type {_element.Type}");
        }
    }

    /// <summary>The bytes of a value of the column's fixed width, or 0 for BYTE_ARRAY and BOOLEAN.</summary>
    private int FixedWidth() => _element.Type switch
    {
        ParquetType.INT32 or ParquetType.FLOAT => 4,
        ParquetType.INT64 or ParquetType.DOUBLE => 8,
        ParquetType.INT96 => 12,
        ParquetType.FIXED_LEN_BYTE_ARRAY => _element.TypeLength is > 0 and var length ? length : throw new InvalidDataException("a FIXED_LEN_BYTE_ARRAY column without its length"),
        _ => 0,
    };

    /// <summary>Dictionary indices: their bit width in a byte, then the RLE/bit-packed hybrid.</summary>
    private void ReadDictionaryIndices(ReadOnlySpan<byte> data, int count)
    {
        var dictionary = _dictionary ?? throw new InvalidDataException("a dictionary-encoded page without a dictionary page before it");
        if (data.IsEmpty) throw new InvalidDataException("a dictionary-encoded page without its indices");
        var indices = new int[count];
        ParquetEncodings.DecodeHybrid(data[1..], data[0], indices);
        foreach (var index in indices)
            _values.Add((uint)index < (uint)dictionary.Length ? dictionary[index] : throw new InvalidDataException($"a dictionary index {index} past the dictionary's {dictionary.Length} entries"));
    }

    /// <summary>RLE booleans: the hybrid of bit width 1, its length in 4 bytes before it.</summary>
    private void ReadRleBooleans(ReadOnlySpan<byte> data, int count)
    {
        if (data.Length < 4) throw new InvalidDataException("an RLE boolean page ends before its length");
        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4) throw new InvalidDataException("RLE booleans are longer than their page");
        var bits = new int[count];
        ParquetEncodings.DecodeHybrid(data.Slice(4, length), 1, bits);
        foreach (var bit in bits) _values.Add(bit == 1);
    }

    /// <summary>DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then the values' bytes one after another.</summary>
    private static ReadOnlyMemory<byte>[] DeltaLengthByteArrays(ReadOnlyMemory<byte> data, ref int pos, int count)
    {
        var lengths = ParquetEncodings.DecodeDeltaBinaryPacked(data.Span, ref pos);
        if (lengths.Length < count) throw new InvalidDataException($"a page holds {lengths.Length} DELTA_LENGTH_BYTE_ARRAY lengths where its levels say {count}");
        var values = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            if (lengths[i] < 0 || lengths[i] > data.Length - pos) throw new InvalidDataException("a DELTA_LENGTH_BYTE_ARRAY value runs past the end of its page");
            values[i] = data.Slice(pos, (int)lengths[i]);
            pos += (int)lengths[i];
        }
        return values;
    }

    /// <summary>DELTA_BYTE_ARRAY: the lengths of the prefixes each value shares with the one before (DELTA_BINARY_PACKED), then the suffixes (DELTA_LENGTH_BYTE_ARRAY).</summary>
    private void ReadDeltaByteArrays(ReadOnlyMemory<byte> data, int count)
    {
        var pos = 0;
        var prefixes = ParquetEncodings.DecodeDeltaBinaryPacked(data.Span, ref pos);
        if (prefixes.Length < count) throw new InvalidDataException($"a page holds {prefixes.Length} DELTA_BYTE_ARRAY prefixes where its levels say {count}");
        var suffixes = DeltaLengthByteArrays(data, ref pos, count);
        ReadOnlyMemory<byte> previous = default;
        for (var i = 0; i < count; i++)
        {
            if (prefixes[i] < 0 || prefixes[i] > previous.Length) throw new InvalidDataException($"a DELTA_BYTE_ARRAY prefix of {prefixes[i]} bytes after a value of {previous.Length}");
            var value = new byte[prefixes[i] + suffixes[i].Length];
            previous.Span[..(int)prefixes[i]].CopyTo(value);
            suffixes[i].Span.CopyTo(value.AsSpan((int)prefixes[i]));
            previous = value;
            _values.Add(Bytes(value));
        }
    }

    /// <summary>BYTE_STREAM_SPLIT: the values' first bytes, then their second bytes, and so on.</summary>
    private void ReadByteStreamSplit(ReadOnlySpan<byte> data, int count)
    {
        var width = FixedWidth();
        if (data.Length % width != 0 || data.Length / width < count) throw new InvalidDataException($"a BYTE_STREAM_SPLIT page of {data.Length} bytes for {count} values of {width} bytes");
        var stream = data.Length / width;
        Span<byte> value = width <= 64 ? stackalloc byte[width] : new byte[width];
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < width; k++) value[k] = data[k * stream + i];
            _values.Add(_element.Type switch
            {
                ParquetType.FLOAT => BinaryPrimitives.ReadSingleLittleEndian(value),
                ParquetType.DOUBLE => BinaryPrimitives.ReadDoubleLittleEndian(value),
                ParquetType.INT32 => Integer(BinaryPrimitives.ReadInt32LittleEndian(value)),
                ParquetType.INT64 => Integer(BinaryPrimitives.ReadInt64LittleEndian(value)),
                _ => Bytes(value.ToArray()),
            });
        }
    }

    /// <summary>A stored INT32 (its low 32 bits) or INT64 as its logical type's value (<see cref="ParquetIntegers"/>).</summary>
    private object Integer(long stored) =>
        ParquetIntegers.ToValue(_element.Type == ParquetType.INT32 ? unchecked((int)stored) : stored, _meaning, _element);

    /// <summary>
    /// An INT96 timestamp (Impala, Hive, Spark): nanoseconds of the day (8 bytes) and the Julian day (4 bytes), as a
    /// UTC instant, to the microsecond (as PostgreSQL and Redshift keep it).
    /// </summary>
    private static DateTime Int96(ReadOnlySpan<byte> value)
    {
        const int JulianUnixEpoch = 2_440_588;
        var nanos = BinaryPrimitives.ReadInt64LittleEndian(value);
        var day = BinaryPrimitives.ReadInt32LittleEndian(value[8..]);
        var ticks = ((long)day - JulianUnixEpoch) * TimeSpan.TicksPerDay + nanos / 1_000 * TimeSpan.TicksPerMicrosecond;
        var epoch = DateTime.UnixEpoch.Ticks;
        if (ticks < -epoch || ticks > DateTime.MaxValue.Ticks - epoch)
            throw new ValueConversionException($"the INT96 timestamp of Julian day {day} is outside the years 1-9999 that Redshifter loads");
        return new DateTime(epoch + ticks, DateTimeKind.Utc);
    }

    /// <summary>
    /// A BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY value as its logical type's: a DECIMAL's two's-complement big-endian
    /// unscaled integer exactly, a UUID, a FLOAT16; anything else as its bytes, which are text (as the flat columns read them).
    /// </summary>
    private object Bytes(ReadOnlyMemory<byte> value)
    {
        var logical = _element.LogicalType;
        if (logical?.DECIMAL is { } decimalType) return new ParquetDecimal(new BigInteger(value.Span, isUnsigned: false, isBigEndian: true), decimalType.Scale);
        if (_element.ConvertedType == ConvertedType.DECIMAL) return new ParquetDecimal(new BigInteger(value.Span, isUnsigned: false, isBigEndian: true), _element.Scale ?? 0);
        if (logical?.UUID != null && value.Length == 16) return new Guid(value.Span, bigEndian: true);
        if (logical?.FLOAT16 != null && value.Length == 2) return (float)BinaryPrimitives.ReadHalfLittleEndian(value.Span);
        if (_element.ConvertedType == ConvertedType.INTERVAL) throw new NotSupportedException("Redshifter does not load Parquet values of this type (INTERVAL)");
        return value;
    }
}

/// <summary>A Parquet DECIMAL held exactly, of any precision: its unscaled integer and scale.</summary>
internal readonly record struct ParquetDecimal(BigInteger Unscaled, int Scale)
{
    /// <summary>The number as plain decimal text ("-123.4500" at scale 4), which JSON takes as a number as it is.</summary>
    public override string ToString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Scale > 0)
        {
            if (digits.Length <= Scale) digits = new string('0', Scale - digits.Length + 1) + digits;
            digits = digits[..^Scale] + "." + digits[^Scale..];
        }
        else if (Scale < 0 && !Unscaled.IsZero)
        {
            digits += new string('0', -Scale);
        }
        return Unscaled.Sign < 0 ? "-" + digits : digits;
    }
}
