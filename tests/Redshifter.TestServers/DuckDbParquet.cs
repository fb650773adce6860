using System.Text.Json;
using System.Text.Json.Serialization;

namespace Redshifter.TestServers;

/// <summary>
/// Parquet files written by DuckDB (npm, pinned in tests/tools/duckdb), an independent writer: the loader
/// must read what data lakes write, not only what its own library writes. Each file comes with the values
/// DuckDB reads back from it, as text, which are what a load must hold.
/// </summary>
public static class DuckDbParquet
{
    /// <summary>One file to write: a DuckDB SELECT and the writer's options.</summary>
    /// <param name="Select">the rows, as DuckDB SQL; null to only read back a file written by another writer</param>
    /// <param name="Path">where to write the file</param>
    /// <param name="Compression">uncompressed, snappy, gzip, zstd, lz4_raw or brotli</param>
    /// <param name="ParquetVersion">v1 (data pages v1, PLAIN/dictionary) or v2 (data pages v2, DELTA_* and BYTE_STREAM_SPLIT encodings)</param>
    /// <param name="RowGroupSize">rows per row group, or DuckDB's default</param>
    /// <param name="Format">parquet, json (newline-delimited objects) or csv; for json and csv the expected values are the SELECT's</param>
    /// <param name="Header">csv: a header line first</param>
    /// <param name="TimeZone">json and csv: the IANA zone whose offsets timestamptz values are written with (the expected values stay UTC)</param>
    public sealed record Job(string? Select, string Path, string Compression = "snappy", string ParquetVersion = "v1", int? RowGroupSize = null,
        string Format = "parquet", bool Header = false, string? TimeZone = null);

    /// <summary>What DuckDB reads back from a file it wrote.</summary>
    /// <param name="Path">the file</param>
    /// <param name="Columns">the file's columns and their DuckDB types, in file order</param>
    /// <param name="Encodings">the encodings of each column's pages (by path in the schema)</param>
    /// <param name="Rows">each row's values as DuckDB's text (TimeZone UTC), or null, in file order</param>
    public sealed record Expected(string Path, IReadOnlyList<Column> Columns, IReadOnlyDictionary<string, string[]> Encodings, IReadOnlyList<string?[]> Rows);

    public sealed record Column(string Name, string Type);

    private sealed record Output(
        [property: JsonPropertyName("columns")] Column[] Columns,
        [property: JsonPropertyName("encodings")] Dictionary<string, string[]> Encodings,
        [property: JsonPropertyName("rows")] string?[][] Rows);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Writes the files in one run of node (DuckDB starts once), and returns what DuckDB reads back from each.</summary>
    public static async Task<IReadOnlyList<Expected>> WriteAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken = default)
    {
        var jobsFile = System.IO.Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(jobsFile, JsonSerializer.Serialize(jobs, Json), cancellationToken).ConfigureAwait(false);
            await NodeTool.RunAsync("duckdb", "write-parquet.mjs", "@duckdb/node-api", "DuckDB's Parquet writer", [jobsFile], cancellationToken).ConfigureAwait(false);
            var expected = new List<Expected>(jobs.Count);
            foreach (var job in jobs)
            {
                var output = JsonSerializer.Deserialize<Output>(await File.ReadAllTextAsync(job.Path + ".expected.json", cancellationToken).ConfigureAwait(false), Json)
                             ?? throw new InvalidOperationException("No values read back from " + job.Path);
                expected.Add(new Expected(job.Path, output.Columns, output.Encodings, output.Rows));
            }
            return expected;
        }
        finally
        {
            File.Delete(jobsFile);
        }
    }
}
