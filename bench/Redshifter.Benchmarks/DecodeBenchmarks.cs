using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Redshifter.Engine.Config;
using Redshifter.Engine.Loading;

namespace Redshifter.Benchmarks;

/// <summary>
/// The loader's CPU per row, without S3, gzip or PostgreSQL: decoding 100,000 rows (the columns and
/// values of bench/Measure-Load.ps1: bigint, varchar, timestamp, double, boolean) from JSON lines and
/// from CSV into row batches, and encoding those batches in the binary COPY format.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] _json = [];
    private byte[] _csv = [];
    private RecordLayout _layout = null!;
    private List<RowBatch> _decoded = [];
    private byte[] _encoded = new byte[1 << 20];

    /// <summary>Rows decoded per operation.</summary>
    public int Rows { get; init; } = 100_000;

    internal byte[] JsonBytes => _json;

    [GlobalSetup]
    public void Setup()
    {
        _layout = new RecordLayout([
            new TargetColumn("id", ColumnType.ParseConfig("bigint")!, null),
            new TargetColumn("name", ColumnType.ParseConfig("varchar(256)")!, null),
            new TargetColumn("time", ColumnType.ParseConfig("timestamp")!, null),
            new TargetColumn("score", ColumnType.ParseConfig("float")!, null),
            new TargetColumn("ok", ColumnType.ParseConfig("boolean")!, null),
        ]);
        var json = new StringBuilder();
        var csv = new StringBuilder();
        var start = new DateTime(2015, 7, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < Rows; i++)
        {
            // The same rows as Measure-Load.ps1's generator (JavaScript's toISOString and number formatting).
            var time = start.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var name = $"name-{i % 9973}-{new string('x', i % 40)}";
            var score = (i * 0.37 % 1000).ToString("R", CultureInfo.InvariantCulture);
            var ok = i % 3 == 0 ? "true" : "false";
            json.Append(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"name\":\"{name}\",\"time\":\"{time}\",\"score\":{score},\"ok\":{ok}}}\n");
            csv.Append(CultureInfo.InvariantCulture, $"{i},{name},{time},{score},{ok}\n");
        }
        _json = Encoding.UTF8.GetBytes(json.ToString());
        _csv = Encoding.UTF8.GetBytes(csv.ToString());
        _decoded = [];
        new JsonRecordReader(_layout, "s3://bench/rows.json").ReadAsync(new MemoryStream(_json), (full, _) =>
        {
            _decoded.Add(full);
            return ValueTask.FromResult(new RowBatch(_layout));
        }, CancellationToken.None).GetAwaiter().GetResult();
    }

    private static ValueTask<RowBatch> Recycle(RowBatch full, CancellationToken cancellationToken)
    {
        full.Clear();
        return ValueTask.FromResult(full);
    }

    /// <summary>JSON lines, flat records: the hand-written scanner over UTF-8 (the loader's path).</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> Json()
    {
        var reader = new JsonRecordReader(_layout, "s3://bench/rows.json");
        await reader.ReadAsync(new MemoryStream(_json), Recycle, CancellationToken.None).ConfigureAwait(false);
        return reader.Records;
    }

    /// <summary>The same records through Utf8JsonReader (the path for escapes and nesting; before issue 5, every record's).</summary>
    [Benchmark]
    public async Task<long> JsonFullReader()
    {
        var reader = new JsonRecordReader(_layout, "s3://bench/rows.json") { FastPath = false };
        await reader.ReadAsync(new MemoryStream(_json), Recycle, CancellationToken.None).ConfigureAwait(false);
        return reader.Records;
    }

    [Benchmark]
    public async Task<long> Csv()
    {
        var reader = new DelimitedRecordReader(_layout, "s3://bench/rows.csv", new DelimitedOptions(Csv: true, ',', IgnoreHeader: 0));
        await reader.ReadAsync(new MemoryStream(_csv), Recycle, CancellationToken.None).ConfigureAwait(false);
        return reader.Records;
    }

    /// <summary>The writer's share: the decoded rows in PostgreSQL's binary COPY format.</summary>
    [Benchmark]
    public long EncodeBinaryCopy()
    {
        long bytes = 0;
        foreach (var batch in _decoded) bytes += BinaryCopy.Encode(batch, ref _encoded);
        return bytes;
    }
}
