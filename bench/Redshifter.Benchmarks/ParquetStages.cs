using System.Diagnostics;
using Redshifter.Engine.Config;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;

namespace Redshifter.Benchmarks;

/// <summary>
/// Reading a Parquet file (Measure-Load.ps1's rows: id, name, time, score, ok) from local disk, in memory,
/// CPU and wall time of each way (issue 16 §3, Parquet.Net against ParquetSharp): Parquet.Net's decoding
/// alone, Parquet.Net into row batches (the loader's path), and ParquetSharp's (Apache Parquet C++) decoding
/// alone, text as raw UTF-8 (no string per value).
/// </summary>
internal static class ParquetStages
{
    private static RecordLayout Layout() => new([
        new TargetColumn("id", ColumnType.ParseConfig("bigint")!, null),
        new TargetColumn("name", ColumnType.ParseConfig("varchar(256)")!, null),
        new TargetColumn("time", ColumnType.ParseConfig("timestamp")!, null),
        new TargetColumn("score", ColumnType.ParseConfig("float")!, null),
        new TargetColumn("ok", ColumnType.ParseConfig("boolean")!, null),
    ]);

    public static async Task RunAsync(string path)
    {
        var layout = Layout();
        var source = new SourceObject("bench", "rows.parquet", Compression.None);
        for (var run = 1; run <= 3; run++)
        {
            var netDecode = await Measure(async () =>
            {
                await using var p = await ParquetSource.OpenSpooledAsync(File.OpenRead(path), source, CancellationToken.None);
                for (var g = 0; g < p.RowGroupCount; g++) await p.ReadRowGroupAsync(g, CancellationToken.None);
            });
            long rows = 0;
            var netFull = await Measure(async () =>
            {
                await using var p = await ParquetSource.OpenSpooledAsync(File.OpenRead(path), source, CancellationToken.None);
                await new ParquetRecordReader(layout).ReadAsync(p, (full, _) => { rows += full.Count; full.Clear(); return ValueTask.FromResult(full); }, CancellationToken.None);
            });
            var sharpDecode = await Measure(() => { SharpDecode(path); return Task.CompletedTask; });
            Console.WriteLine($"run {run}: {rows:N0} rows. CPU (wall) in s: Parquet.Net decode {netDecode}, Parquet.Net into batches {netFull}, ParquetSharp decode {sharpDecode}");
        }
    }

    /// <summary>Every column of every row group through ParquetSharp's typed column readers.</summary>
    private static void SharpDecode(string path)
    {
        using var file = new ParquetSharp.ParquetFileReader(path);
        const int capacity = 1 << 20;
        var (ids, names, times, scores, oks) = (new long[capacity], new ParquetSharp.ByteArray[capacity], new long[capacity], new double[capacity], new bool[capacity]);
        var (defs, reps) = (new short[capacity], new short[capacity]);
        for (var g = 0; g < file.FileMetaData.NumRowGroups; g++)
        {
            using var group = file.RowGroup(g);
            var n = (int)group.MetaData.NumRows;
            using (var c = (ParquetSharp.ColumnReader<long>)group.Column(0)) Read(c, ids, n, defs, reps);
            using (var c = (ParquetSharp.ColumnReader<ParquetSharp.ByteArray>)group.Column(1)) Read(c, names, n, defs, reps);
            using (var c = (ParquetSharp.ColumnReader<long>)group.Column(2)) Read(c, times, n, defs, reps);
            using (var c = (ParquetSharp.ColumnReader<double>)group.Column(3)) Read(c, scores, n, defs, reps);
            using (var c = (ParquetSharp.ColumnReader<bool>)group.Column(4)) Read(c, oks, n, defs, reps);
        }
    }

    private static void Read<T>(ParquetSharp.ColumnReader<T> reader, T[] values, int n, short[] defs, short[] reps) where T : unmanaged
    {
        var read = 0;
        while (read < n && reader.HasNext) read += (int)reader.ReadBatch(n - read, defs.AsSpan(read), reps.AsSpan(read), values.AsSpan(read), out _);
    }

    private static async Task<string> Measure(Func<Task> work)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await work();
        return $"{(Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds:N2} ({clock.Elapsed.TotalSeconds:N2})";
    }
}
