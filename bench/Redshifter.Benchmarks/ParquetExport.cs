using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Redshifter.Benchmarks;

/// <summary>
/// Writes the load benchmark's rows (Measure-Load.ps1's CSV: id, name, time, score, ok) as a Parquet file
/// with row groups of 100,000 rows, for the Parquet load figure beside the JSON one.
/// </summary>
internal static class ParquetExport
{
    private const int RowGroup = 100_000;

    public static async Task RunAsync(string csvPath, string parquetPath)
    {
        var schema = new ParquetSchema(
            new DataField<long>("id"), new DataField<string>("name"), new DateTimeDataField("time", DateTimeFormat.DateAndTimeMicros),
            new DataField<double>("score"), new DataField<bool>("ok"));
        var f = schema.DataFields;
        await using var file = File.Create(parquetPath);
        await using var writer = await ParquetWriter.CreateAsync(schema, file).ConfigureAwait(false);
        using var lines = new StreamReader(csvPath);
        var (ids, names, times, scores, oks) = (new List<long>(), new List<string>(), new List<DateTime>(), new List<double>(), new List<bool>());
        long rows = 0;
        async Task FlushAsync()
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<long>(f[0], ids.ToArray()).ConfigureAwait(false);
            await group.WriteAsync(f[1], names).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(f[2], times.ToArray()).ConfigureAwait(false);
            await group.WriteAsync<double>(f[3], scores.ToArray()).ConfigureAwait(false);
            await group.WriteAsync<bool>(f[4], oks.ToArray()).ConfigureAwait(false);
            ids.Clear(); names.Clear(); times.Clear(); scores.Clear(); oks.Clear();
        }
        while (await lines.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var p = line.Split(',');
            ids.Add(long.Parse(p[0], CultureInfo.InvariantCulture));
            names.Add(p[1]);
            times.Add(DateTime.Parse(p[2], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            scores.Add(double.Parse(p[3], CultureInfo.InvariantCulture));
            oks.Add(bool.Parse(p[4]));
            if (++rows % RowGroup == 0) await FlushAsync().ConfigureAwait(false);
        }
        if (ids.Count > 0) await FlushAsync().ConfigureAwait(false);
        Console.WriteLine($"{rows:N0} rows written to {parquetPath}");
    }
}
