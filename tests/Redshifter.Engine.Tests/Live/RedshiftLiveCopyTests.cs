using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.Engine.Tests.Loading;

namespace Redshifter.Engine.Tests.Live;

/// <summary>
/// COPY, upsert and Parquet against a real Redshift cluster and a real S3 bucket it can read
/// (REDSHIFT_TEST_* variables, REDSHIFT_TEST_S3_BUCKET, AWS_REGION, and REDSHIFT_TEST_IAM_ROLE or AWS
/// credentials). Skipped, saying which variables are missing, everywhere else — including this project's CI.
/// Each test works in a schema and a key prefix of its own, and removes them.
/// </summary>
public sealed class RedshiftLiveCopyTests() : LiveRedshiftTest("redshifter_live_")
{
    private const string Config = """
        events:
          columns:
            - dest: id
              type: bigint
              primarykey: true
              notnull: true
            - dest: name
              type: varchar(8)
            - dest: at
              type: timestamp
              sortord: 1
          meta:
            schema: SCHEMA
            datadatecolumn: at
        """;

    private async Task Upload(string date, string jsonLines)
    {
        await Storage!.PutAsync(Bucket, $"{Prefix}{Schema}_events_{date}.json.gz", S3TestData.Gzip(jsonLines), CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}config_{Schema}_events_{date}.yml", Config.Replace("SCHEMA", Schema, StringComparison.Ordinal));
    }

    private Task<LoadOutcome> Load(string date, LoadMode mode = LoadMode.Append) =>
        new LoadJob(RedshiftFactAttribute.Settings(), Storage!, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = Bucket, Prefix = Prefix, Schema = Schema, Table = "events", Date = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture), Force = true, Mode = mode,
        }, CancellationToken.None);

    private Task<List<string>> Rows() =>
        Rows($"SELECT id, name, to_char(at, 'YYYY-MM-DD HH24:MI:SS') FROM \"{Schema}\".events ORDER BY id");

    [RedshiftFact(needsBucket: true)]
    public async Task COPY_loads_gzipped_JSON_with_Redshift_semantics_and_counts_the_rows()
    {
        await Upload("2024-01-01T00:00:00Z", "{\"ID\":1,\"name\":\"a very long name\",\"at\":\"2024-01-01T10:00:00+02:00\"}\n{\"id\":2,\"at\":\"2024-01-01 12:00:00\"}\n");
        var outcome = await Load("2024-01-01T00:00:00Z");
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(2, outcome.RowsLoaded);
        Assert.Contains(outcome.Statements, s => s.StartsWith($"COPY \"{Schema}\".\"events\" FROM 's3://{Bucket}/{Prefix}", StringComparison.Ordinal));
        // ignorecase keys, TRUNCATECOLUMNS, TIMEFORMAT 'auto' (an offset into TIMESTAMP is ignored: the written wall time), missing key NULL.
        Assert.Equal(["1|a very l|2024-01-01 10:00:00", "2|NULL|2024-01-01 12:00:00"], await Rows());
    }

    [RedshiftFact(needsBucket: true)]
    public async Task DATEFORMAT_auto_stores_the_documented_spellings_as_the_PostgreSQL_loader_does()
    {
        // The CSV that PostgresLoaderTests loads into PostgreSQL: Julian, BC, YYYYMMDD HHMISS, YYYY.DDD, zone names and offsets.
        await Sql($"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".spellings ({DateSpellings.Columns})");
        await Storage!.PutTextAsync(Bucket, $"{Prefix}spellings.csv", DateSpellings.Csv);
        var outcome = await CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage!, new SourceFile
        {
            Bucket = Bucket, Key = $"{Prefix}spellings.csv", Schema = Schema, Table = "spellings", Format = DataFormat.Csv,
        }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
        Assert.Equal(DateSpellings.Expected.Length, outcome.RowsLoaded);
        Assert.Equal(DateSpellings.Expected, await Rows(DateSpellings.Query(Schema, "spellings")));
    }

    [RedshiftFact(needsBucket: true)]
    public async Task A_bad_record_fails_with_the_load_errors_and_changes_nothing()
    {
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"at\":\"2024-01-01 10:00:00\"}\n");
        await Load("2024-01-01T00:00:00Z");
        await Upload("2024-01-02T00:00:00Z", "{\"id\":2,\"at\":\"2024-01-02 10:00:00\"}\n{\"id\":\"three\",\"at\":\"2024-01-02 11:00:00\"}\n");
        var outcome = await Load("2024-01-02T00:00:00Z");
        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = (RedshifterException)outcome.Error!.InnerException!;
        Assert.Equal(ErrorIds.CopyFailed, cause.ErrorId);
        Assert.Contains("line 2", cause.Message, StringComparison.Ordinal); // from SYS_LOAD_ERROR_DETAIL (STL_LOAD_ERRORS on older clusters)
        var detail = Assert.Single(outcome.Error.Details);
        Assert.Equal((2L, "id"), (detail.Line, detail.Column));
        Assert.EndsWith("_events_2024-01-02T00:00:00Z.json.gz", detail.Uri, StringComparison.Ordinal);
        Assert.Matches("(SYS_LOAD_ERROR_DETAIL|STL_LOAD_ERRORS) has the full detail", outcome.Error.RecommendedAction);
        Assert.Equal(["1|NULL|2024-01-01 10:00:00"], await Rows());

        // The next failed COPY (likely on the same pooled session) reports its own record only, not the one above.
        await Upload("2024-01-03T00:00:00Z", "{\"id\":3,\"at\":\"2024-01-03 10:00:00\"}\n{\"id\":4,\"at\":\"2024-01-03 11:00:00\"}\n{\"id\":\"five\",\"at\":\"2024-01-03 12:00:00\"}\n");
        var again = await Load("2024-01-03T00:00:00Z");
        Assert.Equal(3L, Assert.Single(again.Error!.Details).Line);
    }

    [RedshiftFact(needsBucket: true)]
    public async Task Upsert_merges_through_a_staging_table()
    {
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"name\":\"one\",\"at\":\"2024-01-01 10:00:00\"}\n{\"id\":2,\"name\":\"two\",\"at\":\"2024-01-01 11:00:00\"}\n");
        await Load("2024-01-01T00:00:00Z");
        await Upload("2024-01-02T00:00:00Z", "{\"id\":2,\"name\":\"TWO\",\"at\":\"2024-01-02 10:00:00\"}\n{\"id\":3,\"name\":\"three\",\"at\":\"2024-01-02 11:00:00\"}\n");
        var outcome = await Load("2024-01-02T00:00:00Z", LoadMode.Upsert);
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal((1L, 1L), (outcome.RowsUpdated, outcome.RowsInserted));
        Assert.Contains(outcome.Statements, s => s.StartsWith($"MERGE INTO \"{Schema}\".\"events\" USING \"redshifter_staging\"", StringComparison.Ordinal));
        Assert.Equal(["1|one|2024-01-01 10:00:00", "2|TWO|2024-01-02 10:00:00", "3|three|2024-01-02 11:00:00"], await Rows());
    }

    [RedshiftFact(needsBucket: true)]
    public async Task Parquet_loads_by_position()
    {
        await using (var session = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None))
            await session.ExecuteAsync(
                $"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".orders (id BIGINT NOT NULL, qty INT, small SMALLINT, cost DOUBLE PRECISION, active BOOLEAN, name VARCHAR(16), day DATE, at TIMESTAMP, at2 TIMESTAMP, amount NUMERIC(10,2))",
                null, NullEngineLog.Instance, CancellationToken.None);
        await Storage!.PutAsync(Bucket, $"{Prefix}orders.parquet", await ParquetTestData.AllTypesAsync(10, rowGroups: 2), CancellationToken.None);
        var outcome = await CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage, new SourceFile
        {
            Bucket = Bucket, Key = $"{Prefix}orders.parquet", Schema = Schema, Table = "orders", Format = DataFormat.Parquet,
        }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
        Assert.Equal(10, outcome.RowsLoaded);
        await using var check = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None);
        Assert.Equal(2L, Convert.ToInt64(await check.ScalarAsync($"SELECT count(*) FROM \"{Schema}\".orders WHERE qty IS NULL", null, CancellationToken.None), CultureInfo.InvariantCulture));
        Assert.Equal(12.25m, Convert.ToDecimal(await check.ScalarAsync($"SELECT amount FROM \"{Schema}\".orders WHERE id = 12 - 1", null, CancellationToken.None), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A Parquet file (written by DuckDB) with a struct and a list column, into a table whose columns for them are
    /// SUPER: the COPY says SERIALIZETOJSON (AWS's page on loading Parquet into SUPER), and the nested values can
    /// be navigated afterwards.
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task Nested_Parquet_columns_load_into_super()
    {
        var dir = Directory.CreateTempSubdirectory("redshifter-live-");
        try
        {
            var path = Path.Combine(dir.FullName, "nested.parquet");
            await Redshifter.TestServers.DuckDbParquet.WriteAsync([new(
                "SELECT 1::BIGINT AS id, {'name': 'Zoë', 'n': 2} AS doc, [1, NULL, 3]::INTEGER[] AS li UNION ALL SELECT 2, NULL, []::INTEGER[]", path)]);
            await using (var session = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None))
                await session.ExecuteAsync($"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".docs (id BIGINT, doc SUPER, li SUPER)", null, NullEngineLog.Instance, CancellationToken.None);
            await Storage!.PutAsync(Bucket, $"{Prefix}nested.parquet", await File.ReadAllBytesAsync(path), CancellationToken.None);
            var outcome = await CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage, new SourceFile
            {
                Bucket = Bucket, Key = $"{Prefix}nested.parquet", Schema = Schema, Table = "docs", Format = DataFormat.Parquet,
            }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
            Assert.Equal(2, outcome.RowsLoaded);
            Assert.Contains(outcome.Statements, s => s.Contains("FORMAT AS PARQUET SERIALIZETOJSON", StringComparison.Ordinal));
            await using var check = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None);
            Assert.Equal("Zoë", Convert.ToString(await check.ScalarAsync($"SELECT doc.name::VARCHAR FROM \"{Schema}\".docs WHERE id = 1", null, CancellationToken.None), CultureInfo.InvariantCulture));
            Assert.Equal(3L, Convert.ToInt64(await check.ScalarAsync($"SELECT get_array_length(li) FROM \"{Schema}\".docs WHERE id = 1", null, CancellationToken.None), CultureInfo.InvariantCulture));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
