namespace Redshifter.Engine.Loading;

/// <summary>
/// The integer encodings of Parquet pages that <see cref="ParquetColumnChunk"/> decodes: the RLE/bit-packed
/// hybrid (levels, dictionary indices, RLE booleans), the deprecated BIT_PACKED levels, and DELTA_BINARY_PACKED
/// (integers, and the lengths of the DELTA_*_BYTE_ARRAY encodings).
/// Spec: https://github.com/apache/parquet-format/blob/master/Encodings.md
/// </summary>
internal static class ParquetEncodings
{
    /// <summary>The bits a level (or index) up to <paramref name="max"/> takes.</summary>
    public static int BitWidth(int max) => max <= 0 ? 0 : 32 - int.LeadingZeroCount(max);

    /// <summary>
    /// Decodes <paramref name="output"/>.Length values of the RLE/bit-packed hybrid (without a length prefix):
    /// runs, each a ULEB128 header whose low bit says which: 0, a value repeated (header &gt;&gt; 1) times, in
    /// ceil(width / 8) bytes little-endian; 1, (header &gt;&gt; 1) groups of 8 values bit-packed, least significant bit first.
    /// </summary>
    /// <returns>the bytes read</returns>
    public static int DecodeHybrid(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32) throw new InvalidDataException($"a bit width of {bitWidth} for RLE/bit-packed values");
        var pos = 0;
        var n = 0;
        var valueBytes = (bitWidth + 7) / 8;
        while (n < output.Length)
        {
            if (pos >= data.Length) throw new InvalidDataException($"RLE/bit-packed values end after {n} of {output.Length}");
            var header = ReadUleb(data, ref pos);
            if ((header & 1) == 0)
            {
                var count = header >> 1;
                if (valueBytes > data.Length - pos) throw new InvalidDataException("an RLE run ends early");
                var value = 0u;
                for (var b = 0; b < valueBytes; b++) value |= (uint)data[pos + b] << (8 * b);
                pos += valueBytes;
                if (bitWidth < 32 && value >> bitWidth != 0) throw new InvalidDataException($"an RLE run's value {value} is wider than {bitWidth} bits");
                var take = (int)Math.Min(count, (ulong)(output.Length - n));
                output.Slice(n, take).Fill((int)value);
                n += take;
            }
            else
            {
                var values = (header >> 1) * 8;
                var take = (int)Math.Min(values, (ulong)(output.Length - n));
                // The run's last group may stop short of its full bytes at the end of the data: only the bits read must be there.
                var bytes = (long)(header >> 1) * bitWidth;
                var available = data[pos..];
                if (((long)take * bitWidth + 7) / 8 > available.Length) throw new InvalidDataException("a bit-packed run ends early");
                for (var j = 0; j < take; j++) output[n + j] = (int)Unpack(available, (long)j * bitWidth, bitWidth);
                n += take;
                pos = (int)Math.Min(pos + bytes, data.Length);
            }
        }
        return pos;
    }

    /// <summary>
    /// Decodes the deprecated BIT_PACKED encoding of levels: values packed from the most significant bit of each
    /// byte, in ceil(count * width / 8) bytes.
    /// </summary>
    /// <returns>the bytes read</returns>
    public static int DecodeBitPackedLegacy(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        var bytes = checked(((long)output.Length * bitWidth + 7) / 8);
        if (bytes > data.Length) throw new InvalidDataException("BIT_PACKED levels end early");
        for (var i = 0; i < output.Length; i++)
        {
            var value = 0;
            for (var b = 0; b < bitWidth; b++)
            {
                var bit = (long)i * bitWidth + b;
                value = (value << 1) | ((data[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1);
            }
            output[i] = value;
        }
        return (int)bytes;
    }

    /// <summary>
    /// Decodes DELTA_BINARY_PACKED: a header (values per block, miniblocks per block, value count, first value),
    /// then blocks, each a minimum delta and its miniblocks' bit widths, then the miniblocks' deltas (less the
    /// minimum) bit-packed. Deltas are added in 64 bits, wrapping, as the writer computed them; an INT32 column's
    /// values are the low 32 bits.
    /// </summary>
    /// <param name="pos">where the encoded values start; on return, just after them (the DELTA_*_BYTE_ARRAY data that follows)</param>
    public static long[] DecodeDeltaBinaryPacked(ReadOnlySpan<byte> data, ref int pos)
    {
        var blockSize = ReadUleb(data, ref pos);
        var miniblocks = ReadUleb(data, ref pos);
        var total = ReadUleb(data, ref pos);
        var first = ReadZigZag(data, ref pos);
        if (blockSize == 0 || blockSize % 128 != 0 || miniblocks == 0 || blockSize % miniblocks != 0 || blockSize / miniblocks % 32 != 0 || blockSize > 1 << 20)
            throw new InvalidDataException($"DELTA_BINARY_PACKED blocks of {blockSize} values in {miniblocks} miniblocks");
        if (total > int.MaxValue || total > ((ulong)data.Length + 1) * blockSize + 1) throw new InvalidDataException($"DELTA_BINARY_PACKED says {total} values in {data.Length} bytes");
        var values = new long[total];
        if (total == 0) return values;
        values[0] = first;
        var last = first;
        var n = 1;
        var perMiniblock = (int)(blockSize / miniblocks);
        while (n < values.Length)
        {
            var minDelta = ReadZigZag(data, ref pos);
            if ((ulong)(data.Length - pos) < miniblocks) throw new InvalidDataException("DELTA_BINARY_PACKED bit widths end early");
            var widths = data.Slice(pos, (int)miniblocks);
            pos += (int)miniblocks;
            // A last block's miniblocks without values are not written (their widths are, of any value).
            for (var m = 0; m < widths.Length && n < values.Length; m++)
            {
                int width = widths[m];
                if (width > 64) throw new InvalidDataException($"a DELTA_BINARY_PACKED miniblock of {width} bits");
                var bytes = perMiniblock * width / 8;
                var take = Math.Min(perMiniblock, values.Length - n);
                var body = data[pos..];
                if (((long)take * width + 7) / 8 > body.Length) throw new InvalidDataException("a DELTA_BINARY_PACKED miniblock ends early");
                for (var j = 0; j < take; j++)
                {
                    last = unchecked(last + minDelta + (long)Unpack(body, (long)j * width, width));
                    values[n++] = last;
                }
                pos = Math.Min(pos + bytes, data.Length);
            }
        }
        return values;
    }

    /// <summary>A value of <paramref name="width"/> bits (up to 64) at a bit offset, packed least significant bit first.</summary>
    public static ulong Unpack(ReadOnlySpan<byte> data, long bitOffset, int width)
    {
        ulong value = 0;
        var got = 0;
        while (got < width)
        {
            var index = (int)(bitOffset >> 3);
            var shift = (int)(bitOffset & 7);
            var take = Math.Min(8 - shift, width - got);
            value |= (ulong)((data[index] >> shift) & ((1 << take) - 1)) << got;
            got += take;
            bitOffset += take;
        }
        return value;
    }

    public static ulong ReadUleb(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException("a varint ends early");
            var b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("a varint is longer than 10 bytes");
    }

    public static long ReadZigZag(ReadOnlySpan<byte> data, ref int pos)
    {
        var v = ReadUleb(data, ref pos);
        return (long)(v >> 1) ^ -(long)(v & 1);
    }
}
