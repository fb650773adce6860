using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Redshifter.Engine.Config;

namespace Redshifter.Engine.Loading;

/// <summary>
/// PostgreSQL's binary COPY format (COPY … FROM STDIN (FORMAT BINARY)), encoded from row batches and sent
/// through Npgsql's raw COPY stream. Npgsql's NpgsqlBinaryImporter resolves, binds and writes a parameter
/// for every single value (about as much CPU as decoding the JSON); encoding a whole batch here costs a
/// few nanoseconds a value. Values are encoded exactly as Npgsql's converters do (big-endian; dates
/// and timestamps from 2000-01-01; jsonb with its version byte). Unlike Npgsql's converters, DateTime/DateOnly
/// Min and Max are written as the dates they are, never as -infinity/infinity: 0001-01-01 and 9999-12-31 are
/// dates a file may hold, and Redshift (which has no infinity) stores them as written.
/// </summary>
internal static class BinaryCopy
{
    /// <summary>Signature, flags (no OIDs), header extension length.</summary>
    public static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The field count -1 that ends the data.</summary>
    public static readonly byte[] Trailer = [0xFF, 0xFF];

    private const long PostgresEpochTicks = 630822816000000000L; // 2000-01-01
    private const int PostgresEpochDay = 730119; // DateOnly(2000, 1, 1).DayNumber
    private const int MaxNumericBytes = 4 + 8 + 2 * 12; // length, header, at most 11 base-10000 digits for 38 decimal digits and the padding

    /// <summary>Encodes the batch's rows into <paramref name="buffer"/> (replaced by a bigger pooled one when needed); the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Encode(RowBatch batch, ref byte[] buffer)
    {
        var columns = batch.Layout.Columns;
        var kinds = new ColumnKind[columns.Length];
        for (var c = 0; c < kinds.Length; c++) kinds[c] = columns[c].Type.Kind;
        var bound = batch.TextUsed + (long)batch.Count * (2 + columns.Length * (MaxNumericBytes + 1));
        if (bound > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(bound, Array.MaxLength));
        }
        var span = buffer.AsSpan();
        var text = batch.Text;
        var p = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            BinaryPrimitives.WriteInt16BigEndian(span[p..], (short)kinds.Length);
            p += 2;
            for (var c = 0; c < kinds.Length; c++)
            {
                if (batch.Nulls[c][r])
                {
                    BinaryPrimitives.WriteInt32BigEndian(span[p..], -1);
                    p += 4;
                    continue;
                }
                switch (kinds[c])
                {
                    case ColumnKind.Boolean:
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], 1);
                        span[p + 4] = batch.Fixed[c][r] != 0 ? (byte)1 : (byte)0;
                        p += 5;
                        break;
                    case ColumnKind.SmallInt:
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], 2);
                        BinaryPrimitives.WriteInt16BigEndian(span[(p + 4)..], (short)batch.Fixed[c][r]);
                        p += 6;
                        break;
                    case ColumnKind.Int:
                    case ColumnKind.Real: // the float's bits
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], 4);
                        BinaryPrimitives.WriteInt32BigEndian(span[(p + 4)..], (int)batch.Fixed[c][r]);
                        p += 8;
                        break;
                    case ColumnKind.BigInt:
                    case ColumnKind.Float: // the double's bits
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], 8);
                        BinaryPrimitives.WriteInt64BigEndian(span[(p + 4)..], batch.Fixed[c][r]);
                        p += 12;
                        break;
                    case ColumnKind.Date:
                        var day = (int)batch.Fixed[c][r];
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], 4);
                        BinaryPrimitives.WriteInt32BigEndian(span[(p + 4)..], day - PostgresEpochDay);
                        p += 8;
                        break;
                    case ColumnKind.Timestamp:
                    case ColumnKind.TimestampTz:
                        var ticks = batch.Fixed[c][r];
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], 8);
                        // Microseconds, the 100 ns digit cut toward the past as the written text is cut (a floor:
                        // division alone would move a time before 2000 up, 1999-12-31 23:59:59.9999999 to 2000).
                        BinaryPrimitives.WriteInt64BigEndian(span[(p + 4)..], Math.DivRem(ticks - PostgresEpochTicks, 10, out var sub) - (sub < 0 ? 1 : 0));
                        p += 12;
                        break;
                    case ColumnKind.Numeric:
                        p += WriteNumeric(span[p..], batch.Numerics[c][r], columns[c].Type.Scale ?? 0);
                        break;
                    case ColumnKind.Super:
                        var json = batch.TextLength[c][r];
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], json + 1);
                        span[p + 4] = 1; // jsonb's format version
                        text.AsSpan(batch.TextStart[c][r], json).CopyTo(span[(p + 5)..]);
                        p += 5 + json;
                        break;
                    default: // varchar, char: the UTF-8 text
                        var length = batch.TextLength[c][r];
                        BinaryPrimitives.WriteInt32BigEndian(span[p..], length);
                        text.AsSpan(batch.TextStart[c][r], length).CopyTo(span[(p + 4)..]);
                        p += 4 + length;
                        break;
                }
            }
        }
        return p;
    }

    /// <summary>
    /// numeric: digit count, weight, sign, display scale, then base-10000 digits, most significant first.
    /// <paramref name="unscaled"/> is the value times 10^<paramref name="scale"/> (<see cref="ExactNumeric"/>).
    /// </summary>
    internal static int WriteNumeric(Span<byte> destination, Int128 unscaled, int scale)
    {
        var negative = unscaled < 0;
        var mantissa = negative ? (UInt128)(-unscaled) : (UInt128)unscaled;
        // The fraction takes whole base-10000 digits: its last one holds scale % 4 decimal digits, padded
        // with zeros (taken off first, so that nothing is multiplied past 38 digits).
        var fractionDigits = (scale + 3) / 4;
        Span<short> digits = stackalloc short[16]; // least significant first
        var n = 0;
        var partial = scale % 4;
        if (partial != 0 && mantissa != 0)
        {
            var unit = (uint)Pow10(partial);
            digits[n++] = (short)((uint)(mantissa % unit) * (uint)Pow10(4 - partial));
            mantissa /= unit;
        }
        while (mantissa != 0)
        {
            digits[n++] = (short)(ushort)(mantissa % 10000);
            mantissa /= 10000;
        }
        var low = 0;
        while (low < n && digits[low] == 0) low++; // trailing zero digits are not sent
        var count = n - low;
        var weight = count == 0 ? 0 : n - 1 - fractionDigits;
        BinaryPrimitives.WriteInt32BigEndian(destination, 8 + 2 * count);
        BinaryPrimitives.WriteInt16BigEndian(destination[4..], (short)count);
        BinaryPrimitives.WriteInt16BigEndian(destination[6..], (short)weight);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], negative && count > 0 ? (ushort)0x4000 : (ushort)0);
        BinaryPrimitives.WriteInt16BigEndian(destination[10..], (short)scale);
        var p = 12;
        for (var i = n - 1; i >= low; i--, p += 2) BinaryPrimitives.WriteInt16BigEndian(destination[p..], digits[i]);
        return p;
    }

    private static int Pow10(int n) => n switch { 0 => 1, 1 => 10, 2 => 100, _ => 1000 };
}
