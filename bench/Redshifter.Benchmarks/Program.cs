using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --stages [rows]   (CPU time of each loader stage, 1M rows by default)
// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --parquet rows.csv rows.parquet   (Measure-Load.ps1 -Parquet)
// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --parquet-stages rows.parquet   (Parquet.Net against ParquetSharp, in memory)
// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --parquet-load rows.parquet [runs]   (end to end in this process, for a profiler)
if (args.Length == 3 && args[0] == "--parquet")
{
    await Redshifter.Benchmarks.ParquetExport.RunAsync(args[1], args[2]).ConfigureAwait(false);
    return;
}
if (args.Length >= 2 && args[0] == "--parquet-load")
{
    await Redshifter.Benchmarks.ParquetLoad.RunAsync(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3).ConfigureAwait(false);
    return;
}
if (args.Length == 2 && args[0] == "--parquet-stages")
{
    await Redshifter.Benchmarks.ParquetStages.RunAsync(args[1]).ConfigureAwait(false);
    return;
}
if (args.Length > 0 && args[0] == "--stages")
{
    await Redshifter.Benchmarks.Stages.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000).ConfigureAwait(false);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Redshifter.Benchmarks.DecodeBenchmarks).Assembly).Run(args);
