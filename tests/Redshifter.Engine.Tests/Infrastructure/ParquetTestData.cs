using Parquet;
using Parquet.Schema;

namespace Redshifter.Engine.Tests.Infrastructure;

/// <summary>Parquet files for the tests: every mapped type, with nulls, in as many row groups as asked.</summary>
internal static class ParquetTestData
{
    /// <summary>The columns of <see cref="AllTypesAsync"/>, in file order, and the config types they map to.</summary>
    public static readonly (string Name, string ConfigType)[] AllTypesColumns =
    [
        ("id", "bigint"), ("qty", "int"), ("small", "smallint"), ("price", "float"), ("active", "boolean"),
        ("name", "varchar(16)"), ("day", "date"), ("at", "timestamp"), ("at_millis", "timestamp"), ("amount", "numeric(10,2)"),
    ];

    public static readonly ParquetSchema AllTypesSchema = new(
        new DataField<long>("id"),
        new DataField<int?>("qty"),
        new DataField<short?>("small"),
        new DataField<double?>("price"),
        new DataField<bool?>("active"),
        new DataField<string>("name"),
        new DateTimeDataField("day", DateTimeFormat.Date, isNullable: true),
        new DateTimeDataField("at", DateTimeFormat.DateAndTimeMicros, isNullable: true),
        new DateTimeDataField("at_millis", DateTimeFormat.DateAndTime, isNullable: true),
        new DecimalDataField("amount", 10, 2, isNullable: true));

    /// <summary>
    /// Row i (from 1): id i, qty i*10, small i%100, price i+0.5, active i even, name "n{i}" (ü for i=2),
    /// day 2024-01-01 + i days, at 2024-01-01T00:00:00.000001Z + i minutes, at_millis the same to the millisecond,
    /// amount i.25 — and every nullable column NULL in each row whose id is a multiple of 5.
    /// </summary>
    public static async Task<byte[]> AllTypesAsync(int rows, int rowGroups = 1)
    {
        using var ms = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(AllTypesSchema, ms))
        {
            var f = AllTypesSchema.DataFields;
            var perGroup = (rows + rowGroups - 1) / rowGroups;
            for (var first = 1; first <= rows; first += perGroup)
            {
                var ids = Enumerable.Range(first, Math.Min(perGroup, rows - first + 1)).ToArray();
                T? N<T>(int i, T value) where T : struct => i % 5 == 0 ? null : value;
                var at = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(10);
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<long>(f[0], ids.Select(i => (long)i).ToArray());
                await group.WriteAsync<int>(f[1], ids.Select(i => N(i, i * 10)).ToArray());
                await group.WriteAsync<short>(f[2], ids.Select(i => N(i, (short)(i % 100))).ToArray());
                await group.WriteAsync<double>(f[3], ids.Select(i => N(i, i + 0.5)).ToArray());
                await group.WriteAsync<bool>(f[4], ids.Select(i => N(i, i % 2 == 0)).ToArray());
                await group.WriteAsync(f[5], ids.Select(i => i % 5 == 0 ? null : i == 2 ? "nü2" : $"n{i}").ToArray());
                await group.WriteAsync<DateTime>(f[6], ids.Select(i => N(i, new DateTime(2024, 1, 1).AddDays(i))).ToArray());
                await group.WriteAsync<DateTime>(f[7], ids.Select(i => N(i, at.AddMinutes(i))).ToArray());
                await group.WriteAsync<DateTime>(f[8], ids.Select(i => N(i, at.AddMinutes(i).AddTicks(-10))).ToArray());
                await group.WriteAsync<decimal>(f[9], ids.Select(i => N(i, i + 0.25m)).ToArray());
            }
        }
        return ms.ToArray();
    }

    /// <summary>A file with one column of the given schema and values (for mismatch and nesting cases).</summary>
    public static async Task<byte[]> WriteAsync(ParquetSchema schema, Func<ParquetRowGroupWriter, Task> writeColumns)
    {
        using var ms = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, ms))
        {
            using var group = writer.CreateRowGroup();
            await writeColumns(group);
        }
        return ms.ToArray();
    }
}
