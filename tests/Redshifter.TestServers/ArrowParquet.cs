using System.Text.Json;

namespace Redshifter.TestServers;

/// <summary>
/// Parquet files written by arrow-rs (parquet-wasm, pinned in tests/tools/arrow), a second independent writer
/// besides DuckDB, with what DuckDB does not write: DELTA_BYTE_ARRAY and DELTA_LENGTH_BYTE_ARRAY strings, and
/// nested columns on data pages v2 in every codec and encoding. Each file comes with the values the script wrote
/// and those DuckDB reads back.
/// </summary>
public static class ArrowParquet
{
    /// <summary>One file: what DuckDB reads back from it, and the values written (JSON: numbers, strings, arrays or null).</summary>
    public sealed record File(DuckDbParquet.Expected ReadBack, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Written);

    private sealed record Written(string[] Columns, JsonElement[][] Rows);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes the script's files into <paramref name="dir"/> and has DuckDB read each back.</summary>
    public static async Task<IReadOnlyList<File>> WriteAsync(string dir, CancellationToken cancellationToken = default)
    {
        await NodeTool.RunAsync("arrow", "write-arrow-parquet.mjs", "parquet-wasm", "arrow-rs's Parquet writer", [dir], cancellationToken).ConfigureAwait(false);
        var paths = Directory.GetFiles(dir, "*.parquet").Order(StringComparer.Ordinal).ToArray();
        var readBack = await DuckDbParquet.WriteAsync([.. paths.Select(p => new DuckDbParquet.Job(null, p))], cancellationToken).ConfigureAwait(false);
        var files = new List<File>(paths.Length);
        foreach (var expected in readBack)
        {
            var written = JsonSerializer.Deserialize<Written>(await System.IO.File.ReadAllTextAsync(expected.Path + ".written.json", cancellationToken).ConfigureAwait(false), Json)
                          ?? throw new InvalidOperationException("No values written for " + expected.Path);
            files.Add(new File(expected, written.Columns, written.Rows));
        }
        return files;
    }
}
