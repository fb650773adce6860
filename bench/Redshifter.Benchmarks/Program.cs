using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --stages [rows]   (CPU time of each loader stage, 1M rows by default)
if (args.Length > 0 && args[0] == "--stages")
{
    await Redshifter.Benchmarks.Stages.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000).ConfigureAwait(false);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Redshifter.Benchmarks.DecodeBenchmarks).Assembly).Run(args);
