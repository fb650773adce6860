using System.Globalization;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using ParquetType = Parquet.Meta.Type;

namespace Redshifter.Engine.Loading;

/// <summary>
/// What the integers of an INT32 or INT64 Parquet column stand for (its logical type, or for older writers its
/// converted type): the column's values are read as the integers the file stores and turned into their
/// meaning here. Parquet.Net 6.1 decodes DELTA_BINARY_PACKED (the integer encoding of v2 data pages, written
/// by DuckDB, Spark and pyarrow) only into plain integers, never into the dates, timestamps, decimals and
/// 8-bit integers it maps those columns to ("element type System.DateOnly is not supported in DELTA_BINARY_PACKED").
/// Format: https://github.com/apache/parquet-format/blob/master/LogicalTypes.md
/// </summary>
internal enum IntegerMeaning
{
    Int32,
    Int64,
    Int8,
    Int16,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Date,
    Decimal,
    TimestampMillis,
    TimestampMicros,
    TimestampNanos,
    TimeMillis,
    TimeMicros,
    TimeNanos,
}

internal static class ParquetIntegers
{
    private const long UnixEpochTicks = 621355968000000000L; // 1970-01-01
    private const int UnixEpochDay = 719162; // DateOnly(1970, 1, 1).DayNumber

    /// <summary>The physical integer type of a column (INT32 or INT64), or null for any other.</summary>
    public static ParquetType? PhysicalType(DataField field) =>
        field.SchemaElement?.Type is ParquetType.INT32 or ParquetType.INT64 ? field.SchemaElement.Type : null;

    /// <summary>
    /// Reads a column chunk's stored integers (packed: nulls have none) and its definition levels, if any.
    /// </summary>
    /// <param name="int32">the column as INT32 values, or null for an INT64 column</param>
    /// <param name="int64">the column as INT64 values (for an INT32 column too: see below)</param>
    public static async Task ReadStoredAsync(ParquetRowGroupReader group, DataField? int32, DataField int64, long[] values, Memory<int>? levels, int count, CancellationToken cancellationToken)
    {
        if (int32 == null || OnlyDeltaPages(group, int64))
        {
            // An INT32 column whose pages are all DELTA_BINARY_PACKED is decoded as INT64, then cut to 32 bits:
            // writers may compute its deltas in 64 bits (DuckDB does: a jump from -2^31 to 2^31-1 takes 33
            // bits), which Parquet.Net's 32-bit decoder misreads; the 64-bit one reads them right.
            await group.ReadRawAsync(int64, values.AsMemory(0, count), levels, null, cancellationToken).ConfigureAwait(false);
            if (int32 != null) for (var i = 0; i < count; i++) values[i] = unchecked((int)values[i]);
            return;
        }
        var stored = System.Buffers.ArrayPool<int>.Shared.Rent(count);
        try
        {
            await group.ReadRawAsync(int32, stored.AsMemory(0, count), levels, null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++) values[i] = stored[i];
            // A chunk that mixes DELTA_BINARY_PACKED pages with dictionary or PLAIN ones cannot be decoded in 64
            // bits, and the 32-bit decoder misreads deltas wider than 32 bits. Such a misread value would change
            // silently: the chunk's own statistics bound every value it holds, so a value outside them is refused.
            if (DeltaAmongOthers(group, int64) && Bounds(group, int64) is var (min, max))
            {
                for (var i = 0; i < count; i++)
                    if (values[i] < min || values[i] > max)
                        throw new InvalidDataException(
                            $"Parquet.Net decoded {values[i].ToString(CultureInfo.InvariantCulture)}, outside the column chunk's own range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], " +
                            "from a chunk that mixes DELTA_BINARY_PACKED pages with dictionary or PLAIN pages; it cannot read such a chunk exactly");
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(stored);
        }
    }

    /// <summary>Whether the column's chunk has DELTA_BINARY_PACKED pages besides dictionary or PLAIN ones.</summary>
    private static bool DeltaAmongOthers(ParquetRowGroupReader group, DataField field)
    {
        var encodings = group.GetMetadata(field)?.MetaData?.Encodings;
        return encodings != null && encodings.Contains(Encoding.DELTA_BINARY_PACKED) && !OnlyDeltaPages(group, field);
    }

    /// <summary>The chunk's minimum and maximum from its statistics (INT32, little-endian), when it has them.</summary>
    private static (long Min, long Max)? Bounds(ParquetRowGroupReader group, DataField field)
    {
        var stats = group.GetMetadata(field)?.MetaData?.Statistics;
        var min = stats?.MinValue ?? stats?.Min;
        var max = stats?.MaxValue ?? stats?.Max;
        if (min is not { Length: 4 } || max is not { Length: 4 }) return null;
        var (low, high) = (System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(min), System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(max));
        // An unsigned column's statistics are in unsigned order: read as signed they may not bound anything.
        return low <= high ? (low, high) : null;
    }

    /// <summary>Whether every data page of the column's chunk in this row group is DELTA_BINARY_PACKED (no dictionary, no PLAIN).</summary>
    private static bool OnlyDeltaPages(ParquetRowGroupReader group, DataField field)
    {
        var encodings = group.GetMetadata(field)?.MetaData?.Encodings;
        return encodings != null && encodings.Contains(Encoding.DELTA_BINARY_PACKED) &&
               !encodings.Any(e => e is Encoding.PLAIN or Encoding.PLAIN_DICTIONARY or Encoding.RLE_DICTIONARY or Encoding.BYTE_STREAM_SPLIT);
    }

    public static IntegerMeaning MeaningOf(SchemaElement element)
    {
        var wide = element.Type == ParquetType.INT64;
        var logical = element.LogicalType;
        if (logical?.INTEGER is { } integer)
            return (integer.BitWidth, integer.IsSigned) switch
            {
                (8, true) => IntegerMeaning.Int8,
                (16, true) => IntegerMeaning.Int16,
                (8, false) => IntegerMeaning.UInt8,
                (16, false) => IntegerMeaning.UInt16,
                (32, false) => IntegerMeaning.UInt32,
                (64, false) => IntegerMeaning.UInt64,
                _ => wide ? IntegerMeaning.Int64 : IntegerMeaning.Int32,
            };
        if (logical?.DECIMAL != null) return IntegerMeaning.Decimal;
        if (logical?.DATE != null) return IntegerMeaning.Date;
        if (logical?.TIMESTAMP is { } timestamp) return Unit(timestamp.Unit, IntegerMeaning.TimestampMillis, IntegerMeaning.TimestampMicros, IntegerMeaning.TimestampNanos);
        if (logical?.TIME is { } time) return Unit(time.Unit, IntegerMeaning.TimeMillis, IntegerMeaning.TimeMicros, IntegerMeaning.TimeNanos);
        return element.ConvertedType switch
        {
            ConvertedType.INT_8 => IntegerMeaning.Int8,
            ConvertedType.INT_16 => IntegerMeaning.Int16,
            ConvertedType.UINT_8 => IntegerMeaning.UInt8,
            ConvertedType.UINT_16 => IntegerMeaning.UInt16,
            ConvertedType.UINT_32 => IntegerMeaning.UInt32,
            ConvertedType.UINT_64 => IntegerMeaning.UInt64,
            ConvertedType.DECIMAL => IntegerMeaning.Decimal,
            ConvertedType.DATE => IntegerMeaning.Date,
            ConvertedType.TIMESTAMP_MILLIS => IntegerMeaning.TimestampMillis,
            ConvertedType.TIMESTAMP_MICROS => IntegerMeaning.TimestampMicros,
            ConvertedType.TIME_MILLIS => IntegerMeaning.TimeMillis,
            ConvertedType.TIME_MICROS => IntegerMeaning.TimeMicros,
            _ => wide ? IntegerMeaning.Int64 : IntegerMeaning.Int32,
        };
    }

    private static IntegerMeaning Unit(TimeUnit unit, IntegerMeaning millis, IntegerMeaning micros, IntegerMeaning nanos) =>
        unit.NANOS != null ? nanos : unit.MICROS != null ? micros : millis;

    /// <summary>
    /// A stored integer as the CLR value the loader takes (<see cref="TargetColumn"/>): int, long, sbyte, short,
    /// byte, ushort, uint, ulong, DateOnly, decimal (exact: at most 18 digits), DateTime (UTC when the file says
    /// the instant is adjusted to UTC, else a wall time) or TimeSpan.
    /// </summary>
    public static object ToValue(long stored, IntegerMeaning meaning, SchemaElement element) => meaning switch
    {
        IntegerMeaning.Int32 => (int)stored,
        IntegerMeaning.Int64 => stored,
        IntegerMeaning.Int8 => (sbyte)stored,
        IntegerMeaning.Int16 => (short)stored,
        IntegerMeaning.UInt8 => (byte)stored,
        IntegerMeaning.UInt16 => (ushort)stored,
        IntegerMeaning.UInt32 => (uint)stored,
        IntegerMeaning.UInt64 => unchecked((ulong)stored),
        IntegerMeaning.Date => Date(stored),
        IntegerMeaning.Decimal => Decimal(stored, element.LogicalType?.DECIMAL?.Scale ?? element.Scale ?? 0),
        IntegerMeaning.TimestampMillis or IntegerMeaning.TimestampMicros or IntegerMeaning.TimestampNanos => Timestamp(stored, meaning, element),
        IntegerMeaning.TimeMillis => TimeSpan.FromTicks(stored * TimeSpan.TicksPerMillisecond),
        IntegerMeaning.TimeMicros => TimeSpan.FromTicks(stored * TimeSpan.TicksPerMicrosecond),
        IntegerMeaning.TimeNanos => TimeSpan.FromTicks(stored / 100),
        _ => throw new ArgumentOutOfRangeException(nameof(meaning)),
    };

    internal static DateOnly Date(long daysSinceEpoch)
    {
        var day = UnixEpochDay + daysSinceEpoch;
        if (day < DateOnly.MinValue.DayNumber || day > DateOnly.MaxValue.DayNumber)
            throw new ValueConversionException($"the date {daysSinceEpoch:N0} days from 1970-01-01 is outside the years 1-9999 that Redshifter loads");
        return DateOnly.FromDayNumber((int)day);
    }

    private static decimal Decimal(long unscaled, int scale)
    {
        // decimal holds 96 bits and a scale up to 28: any INT32/INT64 decimal (at most 18 digits) exactly.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(Math.Abs((decimal)unscaled), bits);
        return new decimal(bits[0], bits[1], bits[2], unscaled < 0, checked((byte)scale));
    }

    /// <summary>A TIMESTAMP's stored count (millis, micros or nanos from the epoch) as a DateTime.</summary>
    internal static DateTime Timestamp(long stored, IntegerMeaning meaning, SchemaElement element) => meaning switch
    {
        IntegerMeaning.TimestampMillis => Timestamp(stored, 1_000, element),
        IntegerMeaning.TimestampMicros => Timestamp(stored, 1_000_000, element),
        // PostgreSQL and Redshift keep microseconds: the nanoseconds are cut (toward the past, as a clock would show them).
        IntegerMeaning.TimestampNanos => Timestamp(Math.DivRem(stored, 1_000, out var nanos) - (nanos < 0 ? 1 : 0), 1_000_000, element),
        _ => throw new ArgumentOutOfRangeException(nameof(meaning)),
    };

    private static DateTime Timestamp(long units, long perSecond, SchemaElement element)
    {
        var ticksPerUnit = TimeSpan.TicksPerSecond / perSecond;
        if (units < (DateTime.MinValue.Ticks - UnixEpochTicks) / ticksPerUnit || units > (DateTime.MaxValue.Ticks - UnixEpochTicks) / ticksPerUnit)
            throw new ValueConversionException($"the timestamp {units:N0} units of 1/{perSecond:N0} s from 1970-01-01 is outside the years 1-9999 that Redshifter loads");
        var utc = element.LogicalType?.TIMESTAMP?.IsAdjustedToUTC ?? true; // the converted types TIMESTAMP_* are instants
        return new DateTime(UnixEpochTicks + units * ticksPerUnit, utc ? DateTimeKind.Utc : DateTimeKind.Unspecified);
    }
}
