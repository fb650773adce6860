using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Live;

/// <summary>
/// Every kind of text COPY the module sends to Redshift (JSON, CSV with a header, pipe-delimited as UNLOAD
/// writes it, a manifest) in every compression, and the table statements of a job: CREATE TABLE with
/// DISTKEY/SORTKEY/PRIMARY KEY, ADD COLUMN, and the refresh window's DELETE. Needs the REDSHIFT_TEST_*
/// variables and REDSHIFT_TEST_S3_BUCKET (docs/redshift.md says how); skipped, saying which are missing,
/// everywhere else. Each test works in a schema and key prefix of its own, and removes them.
/// </summary>
public sealed class RedshiftLiveFormatsTests() : LiveRedshiftTest("redshifter_fmt_")
{
    private string Config(string extraColumn = "") => $"""
        items:
          columns:
            - dest: id
              type: bigint
              primarykey: true
              distkey: true
            - dest: name
              type: varchar(16)
            - dest: day
              type: date
            - dest: at
              type: timestamp
              sortord: 1
        {extraColumn}  meta:
            schema: {Schema}
            datadatecolumn: at
        """;

    // The same three rows in each format: dates in three spellings DATEFORMAT 'auto' reads, a comma inside a value.
    private const string Json = """
        {"id":1,"name":"one","day":"2024-05-01","at":"2024-05-01 10:00:00"}
        {"id":2,"name":"two, too","day":"05/02/2024","at":"2024-05-01 11:00:00"}
        {"id":3,"name":"three","day":"2024.124","at":"2024-05-01 12:00:00"}

        """;
    private const string Csv = "id,name,day,at\n1,one,2024-05-01,2024-05-01 10:00:00\n2,\"two, too\",05/02/2024,2024-05-01 11:00:00\n3,three,2024.124,2024-05-01 12:00:00\n";
    private const string Delimited = "1|one|2024-05-01|2024-05-01 10:00:00\n2|two, too|05/02/2024|2024-05-01 11:00:00\n3|three|2024.124|2024-05-01 12:00:00\n";
    private static readonly string[] Expected = ["1|one|2024-05-01|2024-05-01 10:00:00", "2|two, too|2024-05-02|2024-05-01 11:00:00", "3|three|2024-05-03|2024-05-01 12:00:00"];

    private static string Suffix(DataFormat format, Compression compression) =>
        (format switch { DataFormat.Json => ".json", DataFormat.Csv => ".csv", _ => "" }) +
        (compression switch { Compression.Gzip => ".gz", Compression.Bzip2 => ".bz2", Compression.Zstd => ".zst", _ => "" });

    private async Task UploadConfig(string date, string config) =>
        await Storage!.PutTextAsync(Bucket, $"{Prefix}config_{Schema}_items_{date}.yml", config);

    private Task<LoadOutcome> Load(string date, char? delimiter = null, int ignoreHeader = 0) =>
        new LoadJob(RedshiftFactAttribute.Settings(), Storage!, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = Bucket, Prefix = Prefix, Schema = Schema, Table = "items", Date = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture),
            Force = true, Delimiter = delimiter, IgnoreHeader = ignoreHeader,
        }, CancellationToken.None);

    private Task<List<string>> Items() =>
        Rows($"SELECT id, name, to_char(day, 'YYYY-MM-DD'), to_char(at, 'YYYY-MM-DD HH24:MI:SS') FROM \"{Schema}\".items ORDER BY id");

    [RedshiftTheory(needsBucket: true)]
    [InlineData(DataFormat.Json, Compression.None)]
    [InlineData(DataFormat.Json, Compression.Gzip)]
    [InlineData(DataFormat.Json, Compression.Bzip2)]
    [InlineData(DataFormat.Json, Compression.Zstd)]
    [InlineData(DataFormat.Csv, Compression.None)]
    [InlineData(DataFormat.Csv, Compression.Gzip)]
    [InlineData(DataFormat.Csv, Compression.Bzip2)]
    [InlineData(DataFormat.Csv, Compression.Zstd)]
    [InlineData(DataFormat.Delimited, Compression.None)]
    [InlineData(DataFormat.Delimited, Compression.Gzip)]
    [InlineData(DataFormat.Delimited, Compression.Bzip2)]
    [InlineData(DataFormat.Delimited, Compression.Zstd)]
    public async Task Each_text_format_in_each_compression_loads_the_same_rows(DataFormat format, Compression compression)
    {
        const string date = "2024-05-01T00:00:00Z";
        var text = format switch { DataFormat.Json => Json, DataFormat.Csv => Csv, _ => Delimited };
        var bytes = S3TestData.Compress(compression, text);
        if (format == DataFormat.Delimited && compression is Compression.Bzip2 or Compression.Zstd)
        {
            // Delimited text has no .bz2 or .zst suffix of its own (DESIGN.md section 3): such a file reaches COPY
            // through a manifest, which takes format and compression from its entry's name (part.bz2, part.zst).
            var part = $"{Prefix}part{Suffix(format, compression)}";
            await Storage!.PutAsync(Bucket, part, bytes, CancellationToken.None);
            await Storage.PutTextAsync(Bucket, $"{Prefix}{Schema}_items_{date}.manifest", $$"""{"entries":[{"url":"s3://{{Bucket}}/{{part}}","mandatory":true}]}""");
        }
        else
        {
            await Storage!.PutAsync(Bucket, $"{Prefix}{Schema}_items_{date}{Suffix(format, compression)}", bytes, CancellationToken.None);
        }
        await UploadConfig(date, Config());
        var outcome = await Load(date, format == DataFormat.Delimited ? '|' : null, format == DataFormat.Csv ? 1 : 0);
        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal((format, compression), (outcome.Source!.Format, outcome.Source.Compression));
        // The COPY names the compression on a line of its own (none for an uncompressed file).
        var copy = Assert.Single(outcome.Statements, s => s.StartsWith("COPY ", StringComparison.Ordinal));
        foreach (var (kind, keyword) in new[] { (Compression.Gzip, "GZIP"), (Compression.Bzip2, "BZIP2"), (Compression.Zstd, "ZSTD") })
            Assert.True(copy.Contains($"\n{keyword}\n", StringComparison.Ordinal) == (kind == compression), $"{keyword} in the COPY of a {compression} file: {copy}");
        Assert.Equal(3, outcome.RowsLoaded);
        Assert.Equal(Expected, await Items());
    }

    [RedshiftFact(needsBucket: true)]
    public async Task A_manifest_loads_every_entry()
    {
        const string date = "2024-05-01T00:00:00Z";
        var lines = Json.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await Storage!.PutAsync(Bucket, $"{Prefix}part-1.json.gz", S3TestData.Gzip(lines[0] + "\n" + lines[1] + "\n"), CancellationToken.None);
        await Storage.PutAsync(Bucket, $"{Prefix}part-2.json.gz", S3TestData.Gzip(lines[2] + "\n"), CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}{Schema}_items_{date}.manifest",
            $$"""{"entries":[{"url":"s3://{{Bucket}}/{{Prefix}}part-1.json.gz","mandatory":true},{"url":"s3://{{Bucket}}/{{Prefix}}part-2.json.gz","mandatory":true}]}""");
        await UploadConfig(date, Config());
        var outcome = await Load(date);
        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Contains(outcome.Statements, s => s.Contains("MANIFEST", StringComparison.Ordinal) && s.Contains("GZIP", StringComparison.Ordinal));
        Assert.Equal(Expected, await Items());
    }

    [RedshiftFact(needsBucket: true)]
    public async Task Create_with_keys_then_add_a_column_then_replace_one_window()
    {
        // Day 1 creates the table with the config's keys.
        await Storage!.PutAsync(Bucket, $"{Prefix}{Schema}_items_2024-05-01T00:00:00Z.json.gz", S3TestData.Gzip(Json), CancellationToken.None);
        await UploadConfig("2024-05-01T00:00:00Z", Config());
        var first = await Load("2024-05-01T00:00:00Z");
        Assert.True(first.Status == LoadStatus.Loaded, first.Message);
        Assert.Equal(["at|False|1", "id|True|0"],
            await Rows(RedshiftFactAttribute.KeysSql(Schema, "items")));

        // Day 2 brings a new column: ADD COLUMN (with its default), and day 1's rows stay.
        const string extra = "    - dest: Source\n      type: varchar(8)\n      defaultval: \"'api'\"\n";
        await Storage.PutAsync(Bucket, $"{Prefix}{Schema}_items_2024-05-02T00:00:00Z.json.gz",
            S3TestData.Gzip("""{"id":4,"at":"2024-05-02 09:00:00","source":"batch"}""" + "\n"), CancellationToken.None);
        await UploadConfig("2024-05-02T00:00:00Z", Config(extra));
        var second = await Load("2024-05-02T00:00:00Z");
        Assert.True(second.Status == LoadStatus.Loaded, second.Message);
        Assert.Equal(["source"], second.AddedColumns);
        Assert.Equal(["1|api", "2|api", "3|api", "4|batch"], await Rows($"SELECT id, source FROM \"{Schema}\".items ORDER BY id"));

        // Day 1 again, with one row now: its window's rows are replaced, day 2's stay.
        await Storage.PutAsync(Bucket, $"{Prefix}{Schema}_items_2024-05-01T00:00:00Z.json.gz",
            S3TestData.Gzip("""{"id":9,"at":"2024-05-01 23:59:59"}""" + "\n"), CancellationToken.None);
        await UploadConfig("2024-05-01T00:00:00Z", Config(extra));
        var again = await Load("2024-05-01T00:00:00Z");
        Assert.True(again.Status == LoadStatus.Loaded, again.Message);
        Assert.Equal(3, again.RowsDeleted);
        Assert.Equal(["4", "9"], await Rows($"SELECT id FROM \"{Schema}\".items ORDER BY id"));
    }
}
