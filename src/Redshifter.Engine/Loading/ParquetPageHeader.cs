using Parquet.Meta;

namespace Redshifter.Engine.Loading;

/// <summary>
/// A Parquet page header (the Thrift struct PageHeader before each page of a column chunk), with only the fields
/// <see cref="ParquetColumnChunk"/> needs: the sizes, and of the data page, data page v2 or dictionary page header
/// its counts, encodings and level lengths. Format: https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift
/// </summary>
internal readonly record struct ParquetPageHeader
{
    public PageType Type { get; init; }
    public int UncompressedSize { get; init; }
    public int CompressedSize { get; init; }

    /// <summary>Values in the page, nulls included (a dictionary page: its entries).</summary>
    public int NumValues { get; init; }

    /// <summary>Of a DATA_PAGE_V2: its nulls (values = NumValues - NumNulls).</summary>
    public int NumNulls { get; init; }

    public Encoding Encoding { get; init; }

    /// <summary>Of a DATA_PAGE (v1): how its levels are encoded (RLE, or the deprecated BIT_PACKED).</summary>
    public Encoding DefinitionLevelEncoding { get; init; }

    public Encoding RepetitionLevelEncoding { get; init; }

    /// <summary>Of a DATA_PAGE_V2: the lengths of its levels, which come first in the page and are never compressed.</summary>
    public int DefinitionLevelsByteLength { get; init; }

    public int RepetitionLevelsByteLength { get; init; }

    /// <summary>Of a DATA_PAGE_V2: whether its values are compressed with the chunk's codec (true unless the header says false).</summary>
    public bool IsCompressed { get; init; }

    /// <summary>Reads a page header from the start of <paramref name="data"/>; <paramref name="length"/> is its length in bytes.</summary>
    /// <exception cref="EndOfStreamException">the bytes end inside the header</exception>
    /// <exception cref="InvalidDataException">the bytes are not a page header</exception>
    public static ParquetPageHeader Read(ReadOnlySpan<byte> data, out int length)
    {
        var reader = new ThriftCompactReader(data);
        var header = new ParquetPageHeader { IsCompressed = true, DefinitionLevelEncoding = Encoding.RLE, RepetitionLevelEncoding = Encoding.RLE };
        bool sawType = false, sawSizes = false;
        short last = 0;
        while (reader.ReadFieldHeader(ref last, out var id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32):
                    header = header with { Type = (PageType)reader.ReadI32() };
                    sawType = true;
                    break;
                case (2, ThriftCompactReader.I32):
                    header = header with { UncompressedSize = reader.ReadI32() };
                    break;
                case (3, ThriftCompactReader.I32):
                    header = header with { CompressedSize = reader.ReadI32() };
                    sawSizes = true;
                    break;
                case (5, ThriftCompactReader.Struct):
                    header = ReadDataPageHeader(ref reader, header);
                    break;
                case (7, ThriftCompactReader.Struct):
                    header = ReadDictionaryPageHeader(ref reader, header);
                    break;
                case (8, ThriftCompactReader.Struct):
                    header = ReadDataPageHeaderV2(ref reader, header);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        if (!sawType || !sawSizes || header.CompressedSize < 0 || header.UncompressedSize < 0 || header.NumValues < 0 || header.NumNulls < 0 ||
            header.DefinitionLevelsByteLength < 0 || header.RepetitionLevelsByteLength < 0)
            throw new InvalidDataException("a page header of the column chunk is not valid");
        length = reader.Position;
        return header;
    }

    private static ParquetPageHeader ReadDataPageHeader(ref ThriftCompactReader reader, ParquetPageHeader header)
    {
        short last = 0;
        while (reader.ReadFieldHeader(ref last, out var id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): header = header with { NumValues = reader.ReadI32() }; break;
                case (2, ThriftCompactReader.I32): header = header with { Encoding = (Encoding)reader.ReadI32() }; break;
                case (3, ThriftCompactReader.I32): header = header with { DefinitionLevelEncoding = (Encoding)reader.ReadI32() }; break;
                case (4, ThriftCompactReader.I32): header = header with { RepetitionLevelEncoding = (Encoding)reader.ReadI32() }; break;
                default: reader.Skip(type); break;
            }
        }
        return header;
    }

    private static ParquetPageHeader ReadDictionaryPageHeader(ref ThriftCompactReader reader, ParquetPageHeader header)
    {
        short last = 0;
        while (reader.ReadFieldHeader(ref last, out var id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): header = header with { NumValues = reader.ReadI32() }; break;
                case (2, ThriftCompactReader.I32): header = header with { Encoding = (Encoding)reader.ReadI32() }; break;
                default: reader.Skip(type); break;
            }
        }
        return header;
    }

    private static ParquetPageHeader ReadDataPageHeaderV2(ref ThriftCompactReader reader, ParquetPageHeader header)
    {
        short last = 0;
        while (reader.ReadFieldHeader(ref last, out var id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): header = header with { NumValues = reader.ReadI32() }; break;
                case (2, ThriftCompactReader.I32): header = header with { NumNulls = reader.ReadI32() }; break;
                case (4, ThriftCompactReader.I32): header = header with { Encoding = (Encoding)reader.ReadI32() }; break;
                case (5, ThriftCompactReader.I32): header = header with { DefinitionLevelsByteLength = reader.ReadI32() }; break;
                case (6, ThriftCompactReader.I32): header = header with { RepetitionLevelsByteLength = reader.ReadI32() }; break;
                case (7, ThriftCompactReader.True or ThriftCompactReader.False): header = header with { IsCompressed = type == ThriftCompactReader.True }; break;
                default: reader.Skip(type); break;
            }
        }
        return header;
    }
}

/// <summary>
/// Reads Thrift's compact protocol, as Parquet writes its metadata: just enough to read a struct's fields one by
/// one and skip those not wanted (of any type, nested to any depth). Spec:
/// https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data)
{
    // The compact protocol's type ids.
    public const byte True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12, Uuid = 13;

    private const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _depth;

    public int Position { get; private set; }

    /// <summary>
    /// The next field's header: false at the end of the struct (STOP). A field id is written as the difference
    /// from the one before (<paramref name="last"/>, 0 at the start of a struct) when it fits in 4 bits, else in full.
    /// </summary>
    public bool ReadFieldHeader(ref short last, out short id, out byte type)
    {
        var b = ReadByte();
        type = (byte)(b & 0x0F);
        if (type == 0)
        {
            id = 0;
            return false;
        }
        var delta = b >> 4;
        id = delta != 0 ? (short)(last + delta) : checked((short)ReadZigZag());
        last = id;
        return true;
    }

    public byte ReadByte() => Position < _data.Length ? _data[Position++] : throw Truncated();

    /// <summary>An unsigned LEB128 varint.</summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("a Thrift varint is longer than 10 bytes");
    }

    /// <summary>A zigzag varint (i16, i32, i64).</summary>
    public long ReadZigZag()
    {
        var v = ReadVarint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    public int ReadI32()
    {
        var v = ReadZigZag();
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new InvalidDataException("a Thrift i32 is out of range");
    }

    /// <summary>Skips a value of the type (a field's, or a list's, set's or map's element: a bool is a byte there).</summary>
    public void Skip(byte type, bool element = false)
    {
        switch (type)
        {
            case True or False:
                if (element) ReadByte();
                break;
            case Byte:
                ReadByte();
                break;
            case I16 or I32 or I64:
                ReadVarint();
                break;
            case Double:
                Advance(8);
                break;
            case Uuid:
                Advance(16);
                break;
            case Binary:
                Advance(checked((int)Math.Min(ReadVarint(), int.MaxValue)));
                break;
            case List or Set:
            {
                var header = ReadByte();
                var count = (long)(header >> 4);
                if (count == 15) count = (long)Math.Min(ReadVarint(), int.MaxValue);
                Nest();
                for (long i = 0; i < count; i++) Skip((byte)(header & 0x0F), element: true);
                _depth--;
                break;
            }
            case Map:
            {
                var count = (long)Math.Min(ReadVarint(), int.MaxValue);
                if (count == 0) break;
                var types = ReadByte();
                Nest();
                for (long i = 0; i < count; i++)
                {
                    Skip((byte)(types >> 4), element: true);
                    Skip((byte)(types & 0x0F), element: true);
                }
                _depth--;
                break;
            }
            case Struct:
            {
                Nest();
                short last = 0;
                while (ReadFieldHeader(ref last, out _, out var fieldType)) Skip(fieldType);
                _depth--;
                break;
            }
            default:
                throw new InvalidDataException($"unknown Thrift type {type}");
        }
    }

    private void Nest()
    {
        if (++_depth > MaxDepth) throw new InvalidDataException("Thrift structs are nested too deep");
    }

    private void Advance(int count)
    {
        if (count < 0 || count > _data.Length - Position) throw Truncated();
        Position += count;
    }

    // Not InvalidDataException: a reader of part of the bytes may read more and try again.
    private static EndOfStreamException Truncated() => new("a page header ends early");
}
