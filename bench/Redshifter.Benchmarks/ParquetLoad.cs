using System.Diagnostics;
using Redshifter.Engine;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;

namespace Redshifter.Benchmarks;

/// <summary>A file (Parquet, or JSON lines when its name ends in .json.gz) loaded end to end (S3 server → PostgreSQL) in this process, for a profiler; the source check timed alone too.</summary>
internal static class ParquetLoad
{
    public static async Task RunAsync(string path, int runs)
    {
        using var servers = Redshifter.TestServers.TestServers.Start("bench");
        servers.ApplyToProcessEnvironment();
        var env = ProcessEnvironment.Instance;
        using var storage = S3Storage.Create(S3Settings.FromEnvironment(env), env);
        var json = path.EndsWith(".json.gz", StringComparison.Ordinal);
        var key = json ? "rows.json.gz" : "rows.parquet";
        await using (var file = File.OpenRead(path)) await storage.PutAsync("bench", key, file, CancellationToken.None);
        var settings = DatabaseSettings.FromEnvironment(env);
        await using (var session = await Engine.Database.DatabaseSession.OpenAsync(settings, CancellationToken.None))
            await session.ExecuteAsync("CREATE TABLE public.b_rs (id BIGINT, name VARCHAR(256), time TIMESTAMP, score DOUBLE PRECISION, ok BOOLEAN)", null, NullEngineLog.Instance, CancellationToken.None);
        var source = new SourceFile { Bucket = "bench", Key = key, Schema = "public", Table = "b_rs", Format = json ? DataFormat.Json : DataFormat.Parquet, Compression = json ? Compression.Gzip : Compression.None };
        var process = Process.GetCurrentProcess();
        for (var run = 1; run <= runs; run++)
        {
            // Peak working set during this run's load, above the working set just before it (after a full collection).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            process.Refresh();
            var idle = process.WorkingSet64;
            using var peak = new PeakWorkingSet(process);
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await using (var session = await Engine.Database.DatabaseSession.OpenAsync(settings, CancellationToken.None))
                await Engine.Checks.SourceCheck.RunAsync(source, session, storage, NullEngineLog.Instance, CancellationToken.None);
            Console.WriteLine($"run {run}: source check alone {clock.Elapsed.TotalSeconds:N2} s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:N2} s");
            clock.Restart();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            // BENCH_TRACE=1: the load's verbose messages with the time since the call began (where the wall time goes).
            IEngineLog log = Environment.GetEnvironmentVariable("BENCH_TRACE") == "1" ? new TimedLog(clock) : NullEngineLog.Instance;
            var outcome = await CopyRunner.CopyAsync(settings, storage, source, truncate: true, log, AlwaysApprove.Instance, CancellationToken.None);
            Console.WriteLine($"run {run}: {outcome.RowsLoaded:N0} rows in {clock.Elapsed.TotalSeconds:N2} s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:N2} s, peak {(peak.Max - idle) / (1 << 20):N0} MB above the {idle / (1 << 20):N0} MB before it");
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            Console.WriteLine($"  GCs gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}; allocated {GC.GetTotalAllocatedBytes() / (1 << 20):N0} MB; last GC: heap {gc.HeapSizeBytes / (1 << 20):N0} MB, committed {gc.TotalCommittedBytes / (1 << 20):N0} MB, fragmented {gc.FragmentedBytes / (1 << 20):N0} MB, LOH {gc.GenerationInfo[3].SizeAfterBytes / (1 << 20):N0} MB, gen2 {gc.GenerationInfo[2].SizeAfterBytes / (1 << 20):N0} MB");
        }
    }

    /// <summary>Samples the process's working set every 20 ms (PeakWorkingSet64 is the whole life's peak, upload included).</summary>
    private sealed class PeakWorkingSet : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampler;
        private long _max;

        public PeakWorkingSet(Process process)
        {
            _sampler = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    process.Refresh();
                    _max = Math.Max(_max, process.WorkingSet64);
                    try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
                }
            });
        }

        public long Max => _max;

        public void Dispose()
        {
            _stop.Cancel();
            _sampler.Wait();
            _stop.Dispose();
        }
    }

    private sealed class TimedLog(Stopwatch clock) : IEngineLog
    {
        public void Verbose(string message) => Console.WriteLine($"  {clock.Elapsed.TotalMilliseconds,7:N0} ms  {(message.Length > 110 ? message[..110] + "…" : message)}");
        public void Debug(string message) => Verbose(message);
        public void Warning(string message) => Verbose("WARNING: " + message);
        public void Progress(string activity, string status, int percentComplete) { }
    }
}
