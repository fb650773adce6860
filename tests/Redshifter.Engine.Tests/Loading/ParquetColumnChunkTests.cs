using System.Buffers.Binary;
using System.Numerics;
using Parquet.Meta;
using Redshifter.Engine.Loading;
using Encoding = Parquet.Meta.Encoding;
using ParquetType = Parquet.Meta.Type;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Redshifter's own reader of Parquet column chunks (used for lists and maps on data pages v2) on bytes made by
/// hand from the format's spec (https://github.com/apache/parquet-format): the Thrift compact page header, the
/// RLE/bit-packed hybrid, BIT_PACKED and DELTA_BINARY_PACKED, and whole chunks with what arrow-rs and DuckDB do
/// not write (v2 values left uncompressed under a codec, BYTE_STREAM_SPLIT integers and decimals, INT96, the
/// deprecated level encoding and LZ4 codec).
/// </summary>
public sealed class ParquetColumnChunkTests
{
    [Fact]
    public void A_page_header_is_read_with_its_v2_fields_and_unknown_fields_skipped()
    {
        byte[] bytes =
        [
            0x15, 0x06, // 1: type = 3 (DATA_PAGE_V2), i32 zigzag
            0x15, 0xC8, 0x01, // 2: uncompressed_page_size = 100 (zigzag 200, a two-byte varint)
            0x15, 0xA0, 0x01, // 3: compressed_page_size = 80
            0x15, 0x02, // 4: crc, skipped
            0x4C, // 8: data_page_header_v2, a struct (delta 4)
            0x15, 0x14, // 1: num_values = 10
            0x15, 0x04, // 2: num_nulls = 2
            0x15, 0x0A, // 3: num_rows = 5
            0x15, 0x12, // 4: encoding = 9 (BYTE_STREAM_SPLIT)
            0x15, 0x06, // 5: definition_levels_byte_length = 3
            0x15, 0x08, // 6: repetition_levels_byte_length = 4
            0x12, // 7: is_compressed = false (a bool field's value is its type: 2)
            0x1C, // 8: statistics, a struct, skipped
            0x18, 0x02, (byte)'a', (byte)'b', // 1: max, binary
            0x46, 0x02, // 5: null_count, i64 (delta 4)
            0x00, // end of statistics
            0x00, // end of data_page_header_v2
            0x09, 0xC8, 0x01, // 100 (long form: delta 0, then the id as zigzag i16): a list, skipped
            0x25, 0x02, 0x04, // two i32 elements
            0x1B, 0x01, 0x85, 0x01, (byte)'k', 0x02, // 101: a map, skipped: one entry, binary key, i32 value
            0x19, 0x11, 0x01, // 102: a list of one bool (a byte in a list)
            0x17, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, // 103: a double, skipped
            0x00, // end of the header
            0xEE, // the page's first byte
        ];

        var header = ParquetPageHeader.Read(bytes, out var length);

        Assert.Equal(bytes.Length - 1, length);
        Assert.Equal(PageType.DATA_PAGE_V2, header.Type);
        Assert.Equal((100, 80), (header.UncompressedSize, header.CompressedSize));
        Assert.Equal((10, 2), (header.NumValues, header.NumNulls));
        Assert.Equal(Encoding.BYTE_STREAM_SPLIT, header.Encoding);
        Assert.Equal((3, 4), (header.DefinitionLevelsByteLength, header.RepetitionLevelsByteLength));
        Assert.False(header.IsCompressed);
    }

    [Fact]
    public void A_v1_page_header_has_its_level_encodings_and_a_v2_one_is_compressed_unless_it_says_not()
    {
        var v1 = ParquetPageHeader.Read([0x15, 0x00, 0x15, 0x08, 0x15, 0x08, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x08, 0x15, 0x08, 0x00, 0x00], out _); // levels 4: BIT_PACKED
        Assert.Equal(PageType.DATA_PAGE, v1.Type);
        Assert.Equal((3, Encoding.PLAIN, Encoding.BIT_PACKED, Encoding.BIT_PACKED), (v1.NumValues, v1.Encoding, v1.DefinitionLevelEncoding, v1.RepetitionLevelEncoding));
        var v2 = ParquetPageHeader.Read([0x15, 0x06, 0x15, 0x00, 0x15, 0x00, 0x5C, 0x00, 0x00], out _);
        Assert.True(v2.IsCompressed);
    }

    [Fact]
    public void A_page_header_that_ends_early_or_is_not_one_fails()
    {
        Assert.Throws<EndOfStreamException>(() => ParquetPageHeader.Read([0x15, 0x06, 0x15], out _));
        Assert.Throws<EndOfStreamException>(() => ParquetPageHeader.Read([0x15, 0x06, 0x18, 0x10, 0x61], out _)); // a binary longer than what is left
        Assert.Throws<InvalidDataException>(() => ParquetPageHeader.Read([0x1E, 0x00], out _)); // type 14: no such Thrift type
        Assert.Throws<InvalidDataException>(() => ParquetPageHeader.Read([0x15, 0x06, 0x00], out _)); // no sizes
    }

    [Fact]
    public void The_hybrid_decodes_RLE_runs_and_bit_packed_groups()
    {
        // Width 3: five 4s (RLE: header 5 << 1, the value in one byte), then 0..7 bit-packed (header 1 << 1 | 1; the spec's example bytes).
        byte[] data = [0x0A, 0x04, 0x03, 0x88, 0xC6, 0xFA];
        var values = new int[13];
        Assert.Equal(data.Length, ParquetEncodings.DecodeHybrid(data, 3, values));
        Assert.Equal([4, 4, 4, 4, 4, 0, 1, 2, 3, 4, 5, 6, 7], values);

        // Fewer values than the runs hold: the rest of a bit-packed group is padding.
        var some = new int[7];
        ParquetEncodings.DecodeHybrid(data, 3, some);
        Assert.Equal([4, 4, 4, 4, 4, 0, 1], some);

        // Width 0: runs without value bytes.
        var zeros = new int[4];
        Assert.Equal(1, ParquetEncodings.DecodeHybrid([0x08], 0, zeros));
        Assert.Equal([0, 0, 0, 0], zeros);

        // A value of two bytes (width 9), little-endian.
        var wide = new int[2];
        ParquetEncodings.DecodeHybrid([0x04, 0x2C, 0x01], 9, wide);
        Assert.Equal([300, 300], wide);
    }

    [Fact]
    public void The_hybrid_fails_when_its_data_ends_before_its_values()
    {
        Assert.Throws<InvalidDataException>(() => ParquetEncodings.DecodeHybrid([0x0A, 0x04], 3, new int[6]));
        Assert.Throws<InvalidDataException>(() => ParquetEncodings.DecodeHybrid([0x03, 0x88], 3, new int[8]));
        Assert.Throws<InvalidDataException>(() => ParquetEncodings.DecodeHybrid([0x02, 0x09], 3, new int[1])); // 9 does not fit 3 bits
    }

    [Fact]
    public void Deprecated_bit_packed_levels_are_packed_from_the_most_significant_bit()
    {
        var values = new int[8];
        Assert.Equal(3, ParquetEncodings.DecodeBitPackedLegacy([0x05, 0x39, 0x77], 3, values)); // the spec's example
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], values);
    }

    [Fact]
    public void Delta_binary_packed_decodes_the_specs_example_and_64_bit_deltas_that_wrap()
    {
        // 1..5: block of 128 in 4 miniblocks, 5 values, first 1; min delta 1, all miniblocks 0 bits wide.
        byte[] sequence = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0, 0xAB];
        var pos = 0;
        Assert.Equal([1L, 2, 3, 4, 5], ParquetEncodings.DecodeDeltaBinaryPacked(sequence, ref pos));
        Assert.Equal(sequence.Length - 1, pos);

        long[] extremes = [long.MinValue, long.MaxValue, 0, -1, long.MinValue, 42];
        var encoded = EncodeDeltaBinaryPacked(extremes);
        pos = 0;
        Assert.Equal(extremes, ParquetEncodings.DecodeDeltaBinaryPacked(encoded, ref pos));
        Assert.Equal(encoded.Length, pos);

        var many = Enumerable.Range(0, 1000).Select(i => (long)i * i * (i % 3 == 0 ? -1 : 1)).ToArray();
        encoded = EncodeDeltaBinaryPacked(many);
        pos = 0;
        Assert.Equal(many, ParquetEncodings.DecodeDeltaBinaryPacked(encoded, ref pos));
        Assert.Equal(encoded.Length, pos);
    }

    /// <summary>
    /// A list&lt;int32&gt; chunk of two v2 pages under snappy: the first's values compressed, the second's not
    /// (is_compressed false), its levels never. Rows: [1, null], null, [], [2, 3, 4].
    /// </summary>
    [Fact]
    public void A_chunk_of_v2_pages_gives_its_levels_and_values_with_values_compressed_or_not()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.INT32 };
        // Levels: max definition 3 (list, element, value), max repetition 1.
        var chunk = Concat(
            V2Page(definitions: Rle([3, 2], 2), repetitions: Rle([0, 1], 1), nulls: 1, values: Plain32(1), compress: true),
            V2Page(definitions: Rle([0, 1, 3, 3, 3], 2), repetitions: Rle([0, 0, 0, 1, 1], 1), nulls: 2, values: Plain32(2, 3, 4), compress: false));

        var read = ParquetColumnChunk.Decode(chunk, CompressionCodec.SNAPPY, 7, element, 3, 1);

        Assert.Equal([3, 2, 0, 1, 3, 3, 3], read.Definitions);
        Assert.Equal([0, 1, 0, 0, 0, 1, 1], read.Repetitions);
        Assert.Equal([1, 2, 3, 4], read.Present.Cast<int>());
    }

    [Fact]
    public void A_dictionary_page_and_dictionary_indices_give_the_entries()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.BYTE_ARRAY, ConvertedType = ConvertedType.UTF8 };
        var dictionary = Concat(PlainBytes("ü"), PlainBytes("日本"));
        var chunk = Concat(
            Page(2, dictionary.Length, dictionary.Length, 7, [0x15, 0x04, 0x15, 0x00]), dictionary, // 7: dictionary_page_header: 2 entries, PLAIN
            V2Page(definitions: Rle([1, 1, 0, 1], 1), repetitions: [], nulls: 1, values: [1, .. Rle([1, 0, 1], 1)], encoding: Encoding.RLE_DICTIONARY, compress: false));

        var read = ParquetColumnChunk.Decode(chunk, CompressionCodec.UNCOMPRESSED, 4, element, 1, 0);

        Assert.Equal(["日本", "ü", "日本"], read.Present.Select(v => Encoding8(v)));
        Assert.Empty(read.Repetitions);
    }

    /// <summary>A v1 page with the deprecated BIT_PACKED levels and RLE booleans, in the deprecated LZ4 codec as Hadoop frames it.</summary>
    [Fact]
    public void A_v1_page_with_bit_packed_levels_and_RLE_booleans_in_hadoop_LZ4()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.BOOLEAN };
        // Repetition levels 0,1,0 and definition levels 2,2,1 (width 1 and 2, most significant bit first).
        byte[] booleans = [.. Int32(2), .. Rle([1, 0], 1)];
        byte[] page = [0b0100_0000, 0b1010_0100, .. booleans];
        var compressed = new byte[K4os.Compression.LZ4.LZ4Codec.MaximumOutputSize(page.Length)];
        var length = K4os.Compression.LZ4.LZ4Codec.Encode(page, compressed);
        byte[] framed = [.. BigEndian(page.Length), .. BigEndian(length), .. compressed.AsSpan(0, length)];
        var chunk = Concat(V1Header(3, Encoding.RLE, Encoding.BIT_PACKED, page.Length, framed.Length), framed);

        var read = ParquetColumnChunk.Decode(chunk, CompressionCodec.LZ4, 3, element, 2, 1);

        Assert.Equal([2, 2, 1], read.Definitions);
        Assert.Equal([0, 1, 0], read.Repetitions);
        Assert.Equal([true, false], read.Present.Cast<bool>());
    }

    [Fact]
    public void Byte_stream_split_integers_dates_and_fixed_length_decimals()
    {
        var date = new SchemaElement { Name = "item", Type = ParquetType.INT32, LogicalType = new LogicalType { DATE = new DateType() } };
        int[] days = [0, -1, 19783];
        var split = Split(days.SelectMany(d => Int32(d)).ToArray(), 4);
        var read = ParquetColumnChunk.Decode(V2Page([], [], 0, split, Encoding.BYTE_STREAM_SPLIT, false, count: 3), CompressionCodec.UNCOMPRESSED, 3, date, 0, 0);
        Assert.Equal([new DateOnly(1970, 1, 1), new DateOnly(1969, 12, 31), new DateOnly(2024, 3, 1)], read.Present.Cast<DateOnly>());

        var big = new SchemaElement { Name = "item", Type = ParquetType.INT64 };
        long[] longs = [long.MinValue, long.MaxValue];
        read = ParquetColumnChunk.Decode(V2Page([], [], 0, Split(longs.SelectMany(l => BitConverter.GetBytes(l)).ToArray(), 8), Encoding.BYTE_STREAM_SPLIT, false, count: 2), CompressionCodec.UNCOMPRESSED, 2, big, 0, 0);
        Assert.Equal(longs, read.Present.Cast<long>());

        // DECIMAL(38,10) in 16 bytes, two's complement big-endian: the largest and smallest, exactly.
        var dec = new SchemaElement { Name = "item", Type = ParquetType.FIXED_LEN_BYTE_ARRAY, TypeLength = 16, LogicalType = new LogicalType { DECIMAL = new DecimalType { Precision = 38, Scale = 10 } } };
        var max = BigInteger.Pow(10, 38) - 1;
        var bytes = Concat(Fixed16(max), Fixed16(-max), Fixed16(-1));
        read = ParquetColumnChunk.Decode(V2Page([], [], 0, Split(bytes, 16), Encoding.BYTE_STREAM_SPLIT, false, count: 3), CompressionCodec.UNCOMPRESSED, 3, dec, 0, 0);
        Assert.Equal(["9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "-0.0000000001"], read.Present.Select(v => v!.ToString()));
    }

    [Fact]
    public void INT96_timestamps_are_UTC_instants_to_the_microsecond()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.INT96 };
        // 2024-02-29 12:34:56.789123456: Julian day 2460370, nanoseconds of the day.
        var nanos = ((12 * 3600 + 34 * 60 + 56) * 1_000_000_000L) + 789_123_456;
        byte[] value = [.. BitConverter.GetBytes(nanos), .. Int32(2_460_370)];
        var read = ParquetColumnChunk.Decode(V2Page([], [], 0, value, Encoding.PLAIN, false, count: 1), CompressionCodec.UNCOMPRESSED, 1, element, 0, 0);
        Assert.Equal(new DateTime(2024, 2, 29, 12, 34, 56, 789, 123, DateTimeKind.Utc), Assert.IsType<DateTime>(read.Present[0]));
        Assert.Equal(DateTimeKind.Utc, ((DateTime)read.Present[0]!).Kind);
    }

    /// <summary>
    /// DELTA_BYTE_ARRAY shares prefixes in bytes: one that ends inside a character gives the bytes as written; and
    /// bytes that are not UTF-8 come as they are (their row fails where they are turned into text).
    /// </summary>
    [Fact]
    public void Delta_byte_array_prefixes_are_bytes_and_text_is_given_as_its_bytes()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.BYTE_ARRAY, ConvertedType = ConvertedType.UTF8 };
        byte[][] values = [System.Text.Encoding.UTF8.GetBytes("日本"), System.Text.Encoding.UTF8.GetBytes("日本人"), [0xE6, 0x97, 0xFF]];
        // Prefix lengths 0, 6, 2 (inside 日), then the suffixes.
        byte[] data = [.. EncodeDeltaBinaryPacked([0, 6, 2]), .. EncodeDeltaBinaryPacked([6, 3, 1]), .. values[0], .. values[1][6..], 0xFF];
        var read = ParquetColumnChunk.Decode(V2Page([], [], 0, data, Encoding.DELTA_BYTE_ARRAY, false, count: 3), CompressionCodec.UNCOMPRESSED, 3, element, 0, 0);
        Assert.Equal(values, read.Present.Select(v => ((ReadOnlyMemory<byte>)v!).ToArray()));
    }

    [Fact]
    public void A_chunk_whose_pages_hold_fewer_values_than_its_metadata_says_fails()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.INT32 };
        var chunk = V2Page([], [], 0, Plain32(1), Encoding.PLAIN, false, count: 1);
        Assert.Throws<InvalidDataException>(() => ParquetColumnChunk.Decode(chunk, CompressionCodec.UNCOMPRESSED, 2, element, 0, 0));
        Assert.Throws<InvalidDataException>(() => ParquetColumnChunk.Decode(chunk.AsMemory(0, chunk.Length - 1), CompressionCodec.UNCOMPRESSED, 1, element, 0, 0));
    }

    /// <summary>
    /// Whether a chunk is on v2 pages is read from its page headers: past its dictionary page, and through a header
    /// longer than the first bytes read (statistics can make it so).
    /// </summary>
    [Fact]
    public async Task The_page_version_is_read_past_the_dictionary_and_a_long_header()
    {
        var element = new SchemaElement { Name = "item", Type = ParquetType.INT32 };
        var dictionary = Plain32(7);
        var longHeader = Page(2, dictionary.Length, dictionary.Length, 7, [0x15, 0x02, 0x15, 0x00]);
        // An unknown field (id 20: binary of 1,000 bytes) in the dictionary page's header, which a reader skips.
        byte[] padded = [.. longHeader[..^1], 0x08, 0x28, .. Uleb(1000), .. new byte[1000], 0x00];
        var data = V2Page(definitions: Rle([1, 1], 1), repetitions: Rle([0, 1], 1), nulls: 0, values: [1, .. Rle([0, 0], 1)], encoding: Encoding.RLE_DICTIONARY);
        var chunk = Concat(padded, dictionary, data);
        using var file = new MemoryStream(Concat("PAR1"u8.ToArray(), chunk));
        var meta = new ColumnMetaData { DictionaryPageOffset = 4, DataPageOffset = 4 + padded.Length + dictionary.Length, TotalCompressedSize = chunk.Length, NumValues = 2, Codec = CompressionCodec.UNCOMPRESSED };

        Assert.True(await ParquetColumnChunk.HasV2DataPagesAsync(file, meta, CancellationToken.None));
        var read = await ParquetColumnChunk.ReadAsync(file, meta, element, 1, 1, CancellationToken.None);
        Assert.Equal([7, 7], read.Present.Cast<int>());
        Assert.Equal([0, 1], read.Repetitions);

        var v1 = Concat(V1Header(1, Encoding.PLAIN, Encoding.RLE, 4, 4), Plain32(5));
        using var v1File = new MemoryStream(Concat("PAR1"u8.ToArray(), v1));
        Assert.False(await ParquetColumnChunk.HasV2DataPagesAsync(v1File, new ColumnMetaData { DataPageOffset = 4, TotalCompressedSize = v1.Length, NumValues = 1 }, CancellationToken.None));
    }

    private static string Encoding8(object? value) => System.Text.Encoding.UTF8.GetString(((ReadOnlyMemory<byte>)value!).Span);

    // Pages made by hand: a header (Thrift compact) and a body.

    /// <summary>A page header: type, sizes, and one struct field (its id and its bytes, ending with STOP) for the page kind's header.</summary>
    private static byte[] Page(int type, int uncompressed, int compressed, int structId, byte[] structFields) =>
        [0x15, .. ZigZag(type), 0x15, .. ZigZag(uncompressed), 0x15, .. ZigZag(compressed), (byte)(((structId - 3) << 4) | 0x0C), .. structFields, 0x00, 0x00];

    private static byte[] V1Header(int values, Encoding encoding, Encoding levels, int uncompressed, int compressed) =>
        Page(0, uncompressed, compressed, 5, [0x15, .. ZigZag(values), 0x15, .. ZigZag((int)encoding), 0x15, .. ZigZag((int)levels), 0x15, .. ZigZag((int)levels)]);

    /// <summary>A DATA_PAGE_V2: levels (RLE without lengths) and values, the values snappy-compressed if asked (and the header then says so).</summary>
    private static byte[] V2Page(byte[] definitions, byte[] repetitions, int nulls, byte[] values, Encoding encoding = Encoding.PLAIN, bool compress = false, int? count = null)
    {
        var stored = compress ? Snappier.Snappy.CompressToArray(values) : values;
        var numValues = count ?? CountRle(definitions);
        byte[] fields =
        [
            0x15, .. ZigZag(numValues), 0x15, .. ZigZag(nulls), 0x15, .. ZigZag(numValues), 0x15, .. ZigZag((int)encoding),
            0x15, .. ZigZag(definitions.Length), 0x15, .. ZigZag(repetitions.Length), compress ? (byte)0x11 : (byte)0x12,
        ];
        var body = Concat(repetitions, definitions, stored);
        return Concat(Page(3, repetitions.Length + definitions.Length + values.Length, body.Length, 8, fields), body);
    }

    private static int CountRle(byte[] levels) => LevelCounts.TryGetValue(levels, out var n) ? n : throw new InvalidOperationException("levels made by Rle() only");

    private static readonly Dictionary<byte[], int> LevelCounts = new(ReferenceEqualityComparer.Instance);

    /// <summary>Levels as bit-packed groups of the hybrid (no length before them), remembering how many.</summary>
    private static byte[] Rle(int[] values, int width)
    {
        var groups = (values.Length + 7) / 8;
        var packed = new byte[groups * width];
        for (var i = 0; i < values.Length; i++)
            for (var b = 0; b < width; b++)
                if (((values[i] >> b) & 1) == 1) packed[(i * width + b) / 8] |= (byte)(1 << ((i * width + b) % 8));
        byte[] encoded = [.. Uleb((ulong)((groups << 1) | 1)), .. packed];
        LevelCounts[encoded] = values.Length;
        return encoded;
    }

    private static byte[] Plain32(params int[] values) => values.SelectMany(Int32).ToArray();

    private static byte[] PlainBytes(string text) => [.. Int32(System.Text.Encoding.UTF8.GetByteCount(text)), .. System.Text.Encoding.UTF8.GetBytes(text)];

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Fixed16(BigInteger value)
    {
        var bytes = new byte[16];
        if (value.Sign < 0) bytes.AsSpan().Fill(0xFF);
        var written = value.ToByteArray(isUnsigned: false, isBigEndian: true);
        written.CopyTo(bytes, 16 - written.Length);
        return bytes;
    }

    /// <summary>BYTE_STREAM_SPLIT: every value's byte k in stream k.</summary>
    private static byte[] Split(byte[] values, int width)
    {
        var count = values.Length / width;
        var split = new byte[values.Length];
        for (var i = 0; i < count; i++) for (var k = 0; k < width; k++) split[k * count + i] = values[i * width + k];
        return split;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] ZigZag(int value) => Uleb((ulong)((value << 1) ^ (value >> 31)) & 0xFFFFFFFF);

    private static byte[] Uleb(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>DELTA_BINARY_PACKED as the spec lays it out: blocks of 128 in 4 miniblocks of 32, deltas in 64 bits, wrapping.</summary>
    private static byte[] EncodeDeltaBinaryPacked(long[] values)
    {
        var output = new List<byte>();
        output.AddRange(Uleb(128));
        output.AddRange(Uleb(4));
        output.AddRange(Uleb((ulong)values.Length));
        output.AddRange(Uleb(values.Length == 0 ? 0 : (ulong)((values[0] << 1) ^ (values[0] >> 63))));
        var deltas = values.Zip(values.Skip(1), (a, b) => unchecked(b - a)).ToArray();
        for (var block = 0; block < deltas.Length; block += 128)
        {
            var slice = deltas.Skip(block).Take(128).ToArray();
            var min = slice.Min();
            output.AddRange(Uleb((ulong)((min << 1) ^ (min >> 63))));
            var relative = slice.Select(d => unchecked((ulong)(d - min))).ToArray();
            var miniblocks = (relative.Length + 31) / 32;
            var widths = Enumerable.Range(0, 4).Select(m => m < miniblocks ? relative.Skip(m * 32).Take(32).Select(r => 64 - BitOperations.LeadingZeroCount(r)).Max() : 0).ToArray();
            output.AddRange(widths.Select(w => (byte)w));
            for (var m = 0; m < miniblocks; m++)
            {
                var packed = new byte[32 * widths[m] / 8];
                var items = relative.Skip(m * 32).Take(32).ToArray();
                for (var i = 0; i < items.Length; i++)
                    for (var b = 0; b < widths[m]; b++)
                        if (((items[i] >> b) & 1) == 1) packed[(i * widths[m] + b) / 8] |= (byte)(1 << ((i * widths[m] + b) % 8));
                output.AddRange(packed);
            }
        }
        return [.. output];
    }
}
