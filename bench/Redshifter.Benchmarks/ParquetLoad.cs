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
        await storage.PutAsync("bench", key, await File.ReadAllBytesAsync(path), CancellationToken.None);
        var settings = DatabaseSettings.FromEnvironment(env);
        await using (var session = await Engine.Database.DatabaseSession.OpenAsync(settings, CancellationToken.None))
            await session.ExecuteAsync("CREATE TABLE public.b_rs (id BIGINT, name VARCHAR(256), time TIMESTAMP, score DOUBLE PRECISION, ok BOOLEAN)", null, NullEngineLog.Instance, CancellationToken.None);
        var source = new SourceFile { Bucket = "bench", Key = key, Schema = "public", Table = "b_rs", Format = json ? DataFormat.Json : DataFormat.Parquet, Compression = json ? Compression.Gzip : Compression.None };
        for (var run = 1; run <= runs; run++)
        {
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
            Console.WriteLine($"run {run}: {outcome.RowsLoaded:N0} rows in {clock.Elapsed.TotalSeconds:N2} s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:N2} s");
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
