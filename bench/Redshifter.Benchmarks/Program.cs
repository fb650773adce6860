using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Redshifter.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Redshifter.Benchmarks.DecodeBenchmarks).Assembly).Run(args);
