using System.Diagnostics;
using System.IO.Compression;
using Redshifter.Engine.Loading;

namespace Redshifter.Benchmarks;

/// <summary>
/// The CPU time of each stage of a load, in memory and one at a time: gunzip, JSON decode, binary COPY
/// encode. Thread CPU time, not wall time, so that other work on the machine disturbs it less.
/// </summary>
internal static class Stages
{
    public static async Task RunAsync(int rows)
    {
        var data = new DecodeBenchmarks { Rows = rows };
        data.Setup();
        var json = data.JsonBytes;
        using var gzipped = new MemoryStream();
        await using (var zip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true)) await zip.WriteAsync(json).ConfigureAwait(false);
        var gz = gzipped.ToArray();
        Console.WriteLine($"{rows:N0} rows, {json.Length / 1048576.0:N0} MB of JSON, {gz.Length / 1048576.0:N0} MB gzipped");
        for (var run = 1; run <= 3; run++)
        {
            var buffer = new byte[1 << 20];
            var gunzip = await Cpu(async () =>
            {
                await using var unzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
                while (await unzip.ReadAsync(buffer).ConfigureAwait(false) > 0) { }
            }).ConfigureAwait(false);
            var decode = await Cpu(() => data.Json()).ConfigureAwait(false);
            var full = await Cpu(() => data.JsonFullReader()).ConfigureAwait(false);
            var csv = await Cpu(() => data.Csv()).ConfigureAwait(false);
            var encode = await Cpu(() => Task.FromResult(data.EncodeBinaryCopy())).ConfigureAwait(false);
            Console.WriteLine($"run {run}: gunzip {gunzip:N2} s, JSON decode {decode:N2} s (Utf8JsonReader path {full:N2} s), CSV decode {csv:N2} s, binary COPY encode {encode:N2} s");
        }
    }

    private static async Task<double> Cpu(Func<Task> work)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        await work().ConfigureAwait(false);
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
    }
}
