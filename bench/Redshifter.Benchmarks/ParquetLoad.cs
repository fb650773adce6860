using System.Diagnostics;
using Redshifter.Engine;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;

namespace Redshifter.Benchmarks;

/// <summary>A Parquet file loaded end to end (S3 server → PostgreSQL) in this process, for a profiler.</summary>
internal static class ParquetLoad
{
    public static async Task RunAsync(string path, int runs)
    {
        using var servers = Redshifter.TestServers.TestServers.Start("bench");
        servers.ApplyToProcessEnvironment();
        var env = ProcessEnvironment.Instance;
        using var storage = S3Storage.Create(S3Settings.FromEnvironment(env), env);
        await storage.PutAsync("bench", "rows.parquet", await File.ReadAllBytesAsync(path), CancellationToken.None);
        var settings = DatabaseSettings.FromEnvironment(env);
        await using (var session = await Engine.Database.DatabaseSession.OpenAsync(settings, CancellationToken.None))
            await session.ExecuteAsync("CREATE TABLE public.b_rs (id BIGINT, name VARCHAR(256), time TIMESTAMP, score DOUBLE PRECISION, ok BOOLEAN)", null, NullEngineLog.Instance, CancellationToken.None);
        var source = new SourceFile { Bucket = "bench", Key = "rows.parquet", Schema = "public", Table = "b_rs", Format = DataFormat.Parquet };
        for (var run = 1; run <= runs; run++)
        {
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var outcome = await CopyRunner.CopyAsync(settings, storage, source, truncate: true, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
            Console.WriteLine($"run {run}: {outcome.RowsLoaded:N0} rows in {clock.Elapsed.TotalSeconds:N2} s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:N2} s");
        }
    }
}
