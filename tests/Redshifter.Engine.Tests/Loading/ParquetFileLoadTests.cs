using System.Globalization;
using System.Text.Json;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// What the tests of Parquet files from independent writers share (DuckDB's, arrow-rs's): a schema and bucket
/// of their own, loading a file into the real PostgreSQL, and comparing every value with what DuckDB reads
/// back from the same file.
/// </summary>
public abstract class ParquetFileLoadTests(ServersFixture fixture, string schemaPrefix) : IAsyncLifetime
{
    private readonly S3Storage _storage = fixture.CreateStorage();

    protected ServersFixture Fixture { get; } = fixture;
    protected string Schema { get; } = schemaPrefix + Guid.NewGuid().ToString("N")[..10];
    protected string Bucket { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Bucket = await _storage.NewBucketAsync();
        await Fixture.SqlAsync($"CREATE SCHEMA \"{Schema}\"");
    }

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private protected async Task LoadAsync(DuckDbParquet.Expected file, string table, TypeColumn[] columns, bool create = true,
        DataFormat format = DataFormat.Parquet, Compression compression = Compression.None, int ignoreHeader = 0)
    {
        if (create) await Fixture.SqlAsync($"CREATE TABLE \"{Schema}\".\"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\" {c.PostgresType}"))})");
        var key = Path.GetFileName(file.Path);
        await _storage.PutAsync(Bucket, key, await File.ReadAllBytesAsync(file.Path), CancellationToken.None);
        var outcome = await CopyRunner.CopyAsync(Fixture.Database, _storage, new SourceFile
        {
            Bucket = Bucket, Key = key, Schema = Schema, Table = table, Format = format, Compression = compression, IgnoreHeader = ignoreHeader,
        }, truncate: false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
        Assert.Equal(file.Rows.Count, outcome.RowsLoaded);
    }

    private protected Task<List<string?[]>> ReadBackAsync(string table, TypeColumn[] columns) =>
        Fixture.ValuesAsync($"SELECT {string.Join(", ", columns.Select(c => $"\"{c.Name}\"::text"))} FROM \"{Schema}\".\"{table}\" AS t ORDER BY t.id"); // t.id: the number, not the text of the same name

    /// <summary>Every value of every row, column by column, as DuckDB reads it back, with the column's comparison.</summary>
    private protected static void AssertSameValues(DuckDbParquet.Expected expected, List<string?[]> loaded, TypeColumn[] columns)
    {
        Assert.Equal(columns.Select(c => c.Name), expected.Columns.Select(c => c.Name));
        Assert.Equal(expected.Rows.Count, loaded.Count);
        var mismatches = new List<string>();
        for (var r = 0; r < loaded.Count; r++)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                var want = columns[c].AsLoaded(expected.Rows[r][c]);
                var got = loaded[r][c];
                if (!columns[c].Same(want, got)) mismatches.Add($"row {r}, {columns[c].Name} ({expected.Columns[c].Type}, {string.Join("/", expected.Encodings.GetValueOrDefault(columns[c].Name, ["nested"]))}): DuckDB '{want ?? "NULL"}', loaded '{got ?? "NULL"}'");
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} value(s) differ in {Path.GetFileName(expected.Path)}:\n" + string.Join("\n", mismatches.Take(20)));
    }

    /// <summary>
    /// A column of a test file: its DuckDB expression over the row number i (from 0; empty where another writer
    /// writes the file), the PostgreSQL column it loads into, and how the loaded text compares with DuckDB's.
    /// In DuckDB's files, rows 0 and 1 hold the type's extremes; every nullable column is NULL where i % 7 = 3.
    /// </summary>
    internal sealed record TypeColumn(string Name, string DuckDb, string PostgresType, Comparison Compare = Comparison.Text)
    {
        public string Select => $"CASE WHEN i % 7 = 3 AND '{Name}' <> 'id' THEN NULL ELSE {DuckDb} END AS \"{Name}\"";

        /// <summary>
        /// DuckDB's text of a value as the table holds it: PostgreSQL keeps microseconds, so nanoseconds are cut
        /// (and PostgreSQL writes no trailing zeros in the fraction).
        /// </summary>
        public string? AsLoaded(string? duckDb) => duckDb != null && Compare == Comparison.Nanoseconds && duckDb.Length > 26 ? duckDb[..26].TrimEnd('0').TrimEnd('.') : duckDb;

        public bool Same(string? want, string? got) => want == null || got == null
            ? want == got
            : Compare switch
            {
                Comparison.Real => float.Parse(want, CultureInfo.InvariantCulture).Equals(float.Parse(got, CultureInfo.InvariantCulture)),
                Comparison.Double => double.Parse(want, CultureInfo.InvariantCulture).Equals(double.Parse(got, CultureInfo.InvariantCulture)),
                // jsonb orders keys its own way and writes numbers as it reads them: compared as JSON.
                Comparison.Json => JsonValues.Same(JsonDocument.Parse(want).RootElement, JsonDocument.Parse(got).RootElement),
                Comparison.JsonReal => JsonValues.Same(JsonDocument.Parse(want).RootElement, JsonDocument.Parse(got).RootElement, asReal: true),
                _ => want == got,
            };
    }

    /// <param name="Json">nested values (<see cref="JsonValues.Same"/>)</param>
    /// <param name="JsonReal">nested values whose numbers are FLOAT (REAL): compared as such</param>
    internal enum Comparison { Text, Real, Double, Nanoseconds, Json, JsonReal }
}

/// <summary>
/// Two JSON values of a nested column compared for what they say, not how it is written: objects by their members
/// in any order; numbers by their value ("1.50" is 1.5e0: jsonb keeps numbers as written, DuckDB writes its own
/// way); text that is a timestamp by its instant (DuckDB writes "2024-02-29 12:34:56.123+00", Redshifter ISO 8601
/// "2024-02-29T12:34:56.123Z"; without an offset both are UTC wall time). Dates and other text must be equal.
/// </summary>
internal static partial class JsonValues
{
    /// <param name="asReal">numbers are FLOAT (REAL) values: equal when they are the same float (DuckDB writes a float's double value)</param>
    public static bool Same(JsonElement a, JsonElement b, bool asReal = false)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var members = a.EnumerateObject().ToList();
                if (members.Count != b.EnumerateObject().Count()) return false;
                return members.All(m => b.TryGetProperty(m.Name, out var other) && Same(m.Value, other, asReal));
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Same(p.First, p.Second, asReal));
            case JsonValueKind.String:
                return a.GetString() == b.GetString() || (Instant(a.GetString()!) is { } x && Instant(b.GetString()!) == x);
            case JsonValueKind.Number:
                return asReal
                    ? (float)double.Parse(a.GetRawText(), CultureInfo.InvariantCulture) == (float)double.Parse(b.GetRawText(), CultureInfo.InvariantCulture)
                    : Number(a.GetRawText()) == Number(b.GetRawText());
            default:
                return true;
        }
    }

    /// <summary>A number as its significant digits and the exponent of the last ("1.50" and "15e-1": ("15", -1)).</summary>
    private static (bool Negative, string Digits, long Exponent) Number(string text)
    {
        var negative = text.StartsWith('-');
        var body = text.TrimStart('-', '+');
        long exponent = 0;
        var e = body.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = long.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }
        var point = body.IndexOf('.');
        if (point >= 0)
        {
            exponent -= body.Length - point - 1;
            body = body.Remove(point, 1);
        }
        body = body.TrimStart('0');
        var trimmed = body.TrimEnd('0');
        exponent += body.Length - trimmed.Length;
        return trimmed.Length == 0 ? (false, "0", 0) : (negative, trimmed, exponent);
    }

    private static DateTimeOffset? Instant(string text)
    {
        var match = TimestampPattern().Match(text);
        if (!match.Success) return null;
        var offset = match.Groups["offset"].Value switch
        {
            "" or "Z" => "+00:00",
            var o when o.Length == 3 => o + ":00",
            var o when o.Length == 5 => o[..3] + ":" + o[3..],
            var o => o,
        };
        return DateTimeOffset.Parse($"{match.Groups["date"].Value}T{match.Groups["time"].Value}{offset}", CultureInfo.InvariantCulture);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[ T](?<time>\d{2}:\d{2}:\d{2}(\.\d+)?)(?<offset>Z|[+-]\d{2}(:?\d{2})?)?$")]
    private static partial System.Text.RegularExpressions.Regex TimestampPattern();
}
