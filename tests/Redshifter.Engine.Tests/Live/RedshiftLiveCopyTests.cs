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

    private Task<LoadOutcome> Load(string date, LoadMode mode = LoadMode.Append, string? precombine = null, bool truncate = false, IEngineLog? log = null) =>
        new LoadJob(RedshiftFactAttribute.Settings(), Storage!, log ?? NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = Bucket, Prefix = Prefix, Schema = Schema, Table = "events", Date = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture), Force = true, Mode = mode,
            PrecombineKey = precombine, Truncate = truncate,
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
        var log = new ListLog();
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"name\":\"one\",\"at\":\"2024-01-01 10:00:00\"}\n{\"id\":2,\"name\":\"two\",\"at\":\"2024-01-01 11:00:00\"}\n");
        await Load("2024-01-01T00:00:00Z", log: log);
        await Upload("2024-01-02T00:00:00Z", "{\"id\":2,\"name\":\"TWO\",\"at\":\"2024-01-02 10:00:00\"}\n{\"id\":3,\"name\":\"three\",\"at\":\"2024-01-02 11:00:00\"}\n");
        var outcome = await Load("2024-01-02T00:00:00Z", LoadMode.Upsert, log: log);
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal((1L, 1L), (outcome.RowsUpdated, outcome.RowsInserted));
        Assert.Contains(outcome.Statements, s => s.StartsWith($"MERGE INTO \"{Schema}\".\"events\" USING \"redshifter_staging\"", StringComparison.Ordinal));
        Assert.Equal(["1|one|2024-01-01 10:00:00", "2|TWO|2024-01-02 10:00:00", "3|three|2024-01-02 11:00:00"], await Rows());

        // The COPY statements the loads ran (the job logs each as "SQL: …"): the table's own COPY lets Redshift choose
        // encodings (COMPUPDATE ON), the staging table's does not (COMPUPDATE OFF, issue 14 item 11).
        var copies = log.Messages.Where(m => m.StartsWith("VERBOSE: SQL: COPY ", StringComparison.Ordinal)).ToList();
        Assert.Contains(copies, m => m.StartsWith($"VERBOSE: SQL: COPY \"{Schema}\".\"events\" FROM ", StringComparison.Ordinal) && m.EndsWith(" COMPUPDATE ON", StringComparison.Ordinal));
        var staged = copies.Where(m => m.StartsWith("VERBOSE: SQL: COPY \"redshifter_staging\" FROM ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(staged);
        Assert.All(staged, m => Assert.EndsWith(" COMPUPDATE OFF", m, StringComparison.Ordinal));
    }

    [RedshiftFact(needsBucket: true)]
    public async Task Upsert_with_a_precombine_key_keeps_the_greatest_row_of_each_key()
    {
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"name\":\"one\",\"at\":\"2024-01-01 10:00:00\"}\n{\"id\":2,\"name\":\"two\",\"at\":\"2024-01-01 11:00:00\"}\n");
        await Load("2024-01-01T00:00:00Z");
        await Upload("2024-01-02T00:00:00Z", """
            {"id":2,"name":"newest","at":"2024-01-02 12:00:00"}
            {"id":3,"name":"three","at":"2024-01-02 01:00:00"}
            {"id":2,"name":"oldest","at":"2024-01-02 01:00:00"}
            {"id":2,"name":"middle","at":"2024-01-02 06:00:00"}

            """);
        var outcome = await Load("2024-01-02T00:00:00Z", LoadMode.Upsert, precombine: "AT");
        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        // Four rows copied into the staging table; one per key left (ROW_NUMBER() by the precombine key, greatest first).
        Assert.Equal((4L, 1L, 1L), (outcome.RowsLoaded, outcome.RowsUpdated, outcome.RowsInserted));
        Assert.Contains(outcome.Statements, s => s.Contains("ROW_NUMBER()", StringComparison.Ordinal) && s.Contains("\"at\" DESC", StringComparison.Ordinal));
        Assert.Equal(["1|one|2024-01-01 10:00:00", "2|newest|2024-01-02 12:00:00", "3|three|2024-01-02 01:00:00"], await Rows());
    }

    /// <summary>
    /// Redshift does not enforce primary keys (Defining table constraints), so a target loaded by other means
    /// may hold a key twice: the upsert still counts as updated the staged rows whose key the target holds
    /// (issue 14 item 12), and MERGE updates every target row of that key. Invoke-RedshiftCopy -Mode Upsert's path.
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task Upsert_counts_staged_rows_whose_key_the_target_holds_even_twice()
    {
        await Sql($"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".dupes (id INT, name VARCHAR(20)); INSERT INTO \"{Schema}\".dupes VALUES (1, 'a'), (1, 'a again'), (2, 'b')");
        await Storage!.PutTextAsync(Bucket, $"{Prefix}dupes.json", "{\"id\":1,\"name\":\"A\"}\n{\"id\":3,\"name\":\"C\"}\n");
        var outcome = await CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage!, new SourceFile
        {
            Bucket = Bucket, Key = $"{Prefix}dupes.json", Schema = Schema, Table = "dupes", Format = DataFormat.Json,
        }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None, new UpsertRequest(["id"], null));
        Assert.Equal((2L, 1L, 1L), (outcome.RowsLoaded, outcome.RowsUpdated, outcome.RowsInserted));
        Assert.Contains(outcome.Statements, s => s.StartsWith($"MERGE INTO \"{Schema}\".\"dupes\" USING \"redshifter_staging\"", StringComparison.Ordinal));
        Assert.Equal(["1|A", "1|A", "2|b", "3|C"], await Rows($"SELECT id, name FROM \"{Schema}\".dupes ORDER BY id, name"));
    }

    [RedshiftFact(needsBucket: true)]
    public async Task Truncate_deletes_every_old_row_inside_the_transaction()
    {
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"at\":\"2024-01-01 10:00:00\"}\n{\"id\":2,\"at\":\"2024-01-01 11:00:00\"}\n");
        Assert.Equal(LoadStatus.Loaded, (await Load("2024-01-01T00:00:00Z")).Status);

        // A -Truncate load whose COPY fails: its DELETE of every row is rolled back with it (DELETE, not TRUNCATE,
        // which would have committed the transaction at once).
        await Upload("2024-01-02T00:00:00Z", "{\"id\":3,\"at\":\"2024-01-02 10:00:00\"}\n{\"id\":\"four\",\"at\":\"2024-01-02 11:00:00\"}\n");
        var failed = await Load("2024-01-02T00:00:00Z", truncate: true);
        Assert.Equal(LoadStatus.Failed, failed.Status);
        Assert.Equal(ErrorIds.CopyFailed, ((RedshifterException)failed.Error!.InnerException!).ErrorId);
        Assert.Equal(["1|NULL|2024-01-01 10:00:00", "2|NULL|2024-01-01 11:00:00"], await Rows());

        // The same day again, good: every old row goes, day 1's too (outside day 2's refresh window).
        await Upload("2024-01-02T00:00:00Z", "{\"id\":3,\"at\":\"2024-01-02 10:00:00\"}\n");
        var outcome = await Load("2024-01-02T00:00:00Z", truncate: true);
        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal((2L, 1L), (outcome.RowsDeleted, outcome.RowsLoaded));
        Assert.Contains($"DELETE FROM \"{Schema}\".\"events\"", outcome.Statements);
        Assert.DoesNotContain(outcome.Statements, s => s.StartsWith("TRUNCATE", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["3|NULL|2024-01-02 10:00:00"], await Rows());
    }

    /// <summary>
    /// Issue 14 item 5 on a real bucket: COPY would read the data key as a prefix and load the backup beside it,
    /// so the job refuses before its transaction: no SQL ran, and the table keeps its rows.
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task A_data_key_that_begins_another_key_is_refused_before_any_SQL_and_changes_nothing()
    {
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"at\":\"2024-01-01 10:00:00\"}\n");
        Assert.Equal(LoadStatus.Loaded, (await Load("2024-01-01T00:00:00Z")).Status);
        await Upload("2024-01-02T00:00:00Z", "{\"id\":2,\"at\":\"2024-01-02 10:00:00\"}\n");
        var backup = $"{Prefix}{Schema}_events_2024-01-02T00:00:00Z.json.gz.bak";
        await Storage!.PutAsync(Bucket, backup, S3TestData.Gzip("{\"id\":99,\"at\":\"2024-01-02 11:00:00\"}\n"), CancellationToken.None);

        var log = new ListLog();
        var outcome = await Load("2024-01-02T00:00:00Z", log: log);

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error!.InnerException);
        Assert.Equal(ErrorIds.CopyFailed, cause.ErrorId);
        Assert.Contains($"s3://{Bucket}/{backup}", cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("VERBOSE: SQL: ", StringComparison.Ordinal));
        Assert.Equal(["1|NULL|2024-01-01 10:00:00"], await Rows());
    }

    /// <summary>A table for <see cref="ParquetTestData.AllTypesAsync"/>'s columns (by position; some named otherwise).</summary>
    private Task CreateOrders() =>
        Sql($"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".orders (id BIGINT NOT NULL, qty INT, small SMALLINT, cost DOUBLE PRECISION, active BOOLEAN, name VARCHAR(16), day DATE, at TIMESTAMP, at2 TIMESTAMP, amount NUMERIC(10,2))");

    /// <summary>A manifest entry for a file under the test's prefix, with its meta.content_length when given.</summary>
    private string Entry(string name, long? contentLength) =>
        $"{{\"url\":\"s3://{Bucket}/{Prefix}{name}\",\"mandatory\":true{(contentLength is { } length ? $",\"meta\":{{\"content_length\":{length}}}" : "")}}}";

    /// <summary>The source Invoke-RedshiftCopy -Uri makes of a manifest: format and compression from its entries.</summary>
    private async Task<SourceFile> ManifestSource(string key, string table) =>
        await Manifest.DescribeAsync(Storage!, new SourceFile { Bucket = Bucket, Key = $"{Prefix}{key}", Schema = Schema, Table = table, IsManifest = true }, false, false, CancellationToken.None);

    [RedshiftFact(needsBucket: true)]
    public async Task Parquet_loads_by_position()
    {
        await CreateOrders();
        await Storage!.PutAsync(Bucket, $"{Prefix}orders.parquet", await ParquetTestData.AllTypesAsync(10, rowGroups: 2), CancellationToken.None);
        var outcome = await CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage, new SourceFile
        {
            Bucket = Bucket, Key = $"{Prefix}orders.parquet", Schema = Schema, Table = "orders", Format = DataFormat.Parquet,
        }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
        Assert.Equal(10, outcome.RowsLoaded);
        await using var check = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None);
        Assert.Equal(2L, Convert.ToInt64(await check.ScalarAsync($"SELECT count(*) FROM \"{Schema}\".orders WHERE qty IS NULL", null, CancellationToken.None), CultureInfo.InvariantCulture));
        Assert.Equal(9.25m, Convert.ToDecimal(await check.ScalarAsync($"SELECT amount FROM \"{Schema}\".orders WHERE id = 9", null, CancellationToken.None), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// COPY … MANIFEST FORMAT AS PARQUET: every entry carries meta.content_length, as Redshift requires for
    /// Parquet (Using a manifest to specify data files).
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task A_manifest_of_Parquet_files_with_their_content_length_loads_every_entry()
    {
        await CreateOrders();
        byte[] part1 = await ParquetTestData.AllTypesAsync(7), part2 = await ParquetTestData.AllTypesAsync(12, rowGroups: 2);
        await Storage!.PutAsync(Bucket, $"{Prefix}part-1.parquet", part1, CancellationToken.None);
        await Storage.PutAsync(Bucket, $"{Prefix}part-2.parquet", part2, CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}orders.manifest", $"{{\"entries\":[{Entry("part-1.parquet", part1.Length)},{Entry("part-2.parquet", part2.Length)}]}}");
        var source = await ManifestSource("orders.manifest", "orders");
        Assert.Equal(DataFormat.Parquet, source.Format);

        var outcome = await CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage, source, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);

        Assert.Equal(19, outcome.RowsLoaded);
        Assert.Contains(outcome.Statements, s => s.StartsWith("COPY ", StringComparison.Ordinal) && s.Contains("\nMANIFEST\nFORMAT AS PARQUET\n", StringComparison.Ordinal));
        Assert.Equal(["19|106"], await Rows($"SELECT count(*), sum(id) FROM \"{Schema}\".orders"));
    }

    /// <summary>
    /// Issue 14 item 4 on a real cluster: a Parquet manifest without meta.content_length is refused before any
    /// SQL runs (Invoke-RedshiftCopy's path, -Truncate asked), and the table keeps its row.
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task A_Parquet_manifest_without_content_length_is_refused_before_any_SQL_and_changes_nothing()
    {
        await CreateOrders();
        await Sql($"INSERT INTO \"{Schema}\".orders (id) VALUES (7)");
        var part = await ParquetTestData.AllTypesAsync(2);
        await Storage!.PutAsync(Bucket, $"{Prefix}part-1.parquet", part, CancellationToken.None);
        await Storage.PutAsync(Bucket, $"{Prefix}part-2.parquet", part, CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}orders.manifest", $"{{\"entries\":[{Entry("part-1.parquet", part.Length)},{Entry("part-2.parquet", null)}]}}");
        var source = await ManifestSource("orders.manifest", "orders");
        var log = new ListLog();

        var error = await Assert.ThrowsAsync<RedshifterException>(() =>
            CopyRunner.CopyAsync(RedshiftFactAttribute.Settings(), Storage, source, true, log, AlwaysApprove.Instance, CancellationToken.None));

        Assert.Equal(ErrorIds.InvalidConfig, error.ErrorId);
        Assert.Contains($"s3://{Bucket}/{Prefix}part-2.parquet", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("part-1.parquet", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("VERBOSE: SQL: ", StringComparison.Ordinal));
        Assert.Equal(["7"], await Rows($"SELECT id FROM \"{Schema}\".orders"));
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
