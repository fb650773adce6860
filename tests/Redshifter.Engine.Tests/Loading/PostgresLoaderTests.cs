using System.Globalization;
using System.Text;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>The streaming PostgreSQL loader against the real test PostgreSQL and S3 server.</summary>
[Collection(ServersCollection.Name)]
public sealed class PostgresLoaderTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "ld_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync()
    {
        _bucket = await _storage.NewBucketAsync();
        await Sql($"CREATE SCHEMA \"{_schema}\"; CREATE TABLE \"{_schema}\".pages (id BIGINT NOT NULL, url VARCHAR(16), time TIMESTAMP, score DOUBLE PRECISION, ok BOOLEAN, status VARCHAR(8) DEFAULT 'new', doc JSONB)");
    }

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private Task Sql(string sql) => fixture.SqlAsync(sql);

    private Task<List<string>> Rows(string query) => fixture.RowsAsync(query);

    private Task<CopyOutcome> Copy(string key, DataFormat format, Compression compression = Compression.None, bool manifest = false, bool truncate = false, char? delimiter = null, int ignoreHeader = 0, string table = "pages") =>
        CopyRunner.CopyAsync(fixture.Database, _storage, new SourceFile
        {
            Bucket = _bucket, Key = key, Schema = _schema, Table = table, Format = format, Compression = compression,
            IsManifest = manifest, Delimiter = delimiter, IgnoreHeader = ignoreHeader,
        }, truncate, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);

    /// <summary>Creates <paramref name="table"/> with <paramref name="columns"/>, stores <paramref name="text"/> at <paramref name="key"/> and loads it.</summary>
    private async Task<CopyOutcome> CreateAndCopy(string table, string columns, string key, DataFormat format, string text)
    {
        await Sql($"CREATE TABLE \"{_schema}\".{table} ({columns})");
        await _storage.PutTextAsync(_bucket, key, text);
        return await Copy(key, format, table: table);
    }

    private const string JsonLines =
        "{\"id\":1,\"URL\":\"https://example.com/a-very-long-url\",\"time\":\"2015-07-01T12:00:00+02:00\",\"score\":1.5,\"ok\":true,\"doc\":{\"a\":[1,2]}}\n" +
        "{\"id\":2,\"time\":\"07/01/2015 10:00:00\",\"ok\":\"f\",\"status\":\"done\"}\n" +
        "{\"id\":3,\"time\":\"2015-07-01 10:00:00\",\"score\":null}";

    [Theory]
    [InlineData(Compression.None)]
    [InlineData(Compression.Gzip)]
    [InlineData(Compression.Bzip2)]
    [InlineData(Compression.Zstd)]
    public async Task Loads_json_in_every_compression_with_Redshift_semantics(Compression compression)
    {
        var bytes = S3TestData.Compress(compression, JsonLines);
        await _storage.PutAsync(_bucket, "p.json", bytes, CancellationToken.None);
        var outcome = await Copy("p.json", DataFormat.Json, compression);
        Assert.Equal(3, outcome.RowsLoaded);
        Assert.Equal(
            [
                "1|https://example.|07/01/2015 12:00:00|1.5|True|new|{\"a\": [1, 2]}", // offset ignored (the written wall time); over-long string truncated; default for a missing key
                "2|NULL|07/01/2015 10:00:00|NULL|False|done|NULL", // MM/DD/YYYY; 'f' is false
                "3|NULL|07/01/2015 10:00:00|NULL|NULL|new|NULL",
            ],
            await Rows($"SELECT id, url, time, score, ok, status, doc::text FROM \"{_schema}\".pages ORDER BY id"));
    }

    [Fact]
    public async Task Loads_csv_with_a_header_and_delimited_text_as_UNLOAD_writes_it()
    {
        await _storage.PutTextAsync(_bucket, "p.csv", "id,url,time,score,ok,status,doc\n1,\"a,b\",2015-07-01T00:00:00Z,2.5,true,x,\"{\"\"k\"\": 1}\"\n");
        Assert.Equal(1, (await Copy("p.csv", DataFormat.Csv, ignoreHeader: 1)).RowsLoaded);
        await _storage.PutGzipAsync(_bucket, "p.gz", "2|pipe\\|d|2015-07-02 00:00:00|3|f||\n3||||||\n");
        Assert.Equal(2, (await Copy("p.gz", DataFormat.Delimited, Compression.Gzip)).RowsLoaded);
        Assert.Equal(
            ["1|a,b|False|x", "2|pipe|d|False|NULL", "3|NULL|True|NULL"],
            await Rows($"SELECT id, url, time IS NULL, status FROM \"{_schema}\".pages ORDER BY id"));
    }

    [Theory]
    [InlineData(DataFormat.Json, "o.json", "{\"id\":1,\"t\":\"2024-03-10T12:00:00+05:00\",\"tz\":\"2024-03-10T12:00:00+05:00\",\"d\":\"2024-03-10T01:00:00+05:00\"}\n")]
    [InlineData(DataFormat.Csv, "o.csv", "1,2024-03-10T12:00:00+05:00,2024-03-10T12:00:00+05:00,2024-03-10T01:00:00+05:00\n")]
    [InlineData(DataFormat.Delimited, "o", "1|2024-03-10 12:00:00+05|2024-03-10 12:00:00+05|2024-03-10 01:00:00+0500\n")]
    public async Task An_offset_is_ignored_into_timestamp_and_date_and_gives_the_instant_into_timestamptz(DataFormat format, string key, string text)
    {
        // As Redshift: TIMESTAMP and DATE keep the written wall-clock time (a UTC wall time would be 07:00 and the 9th), TIMESTAMPTZ the instant.
        var outcome = await CreateAndCopy("offsets", "id INT, t TIMESTAMP, tz TIMESTAMPTZ, d DATE", key, format, text);
        Assert.Equal(1, outcome.RowsLoaded);
        Assert.Equal(
            ["1|2024-03-10 12:00:00|2024-03-10 07:00:00|2024-03-10"],
            await Rows($"SELECT id, t::text, (tz AT TIME ZONE 'UTC')::text, d::text FROM \"{_schema}\".offsets"));
    }

    [Fact]
    public async Task Dates_in_the_spellings_of_DATEFORMAT_auto_load_and_an_epoch_number_fails_naming_line_and_column()
    {
        // automatic-recognition.html: Julian, BC, YYYYMMDD HHMISS, YYYY.DDD, zone names and offsets (the live class loads the same into Redshift).
        var outcome = await CreateAndCopy("spellings", DateSpellings.Columns, "s.csv", DataFormat.Csv, DateSpellings.Csv);
        Assert.Equal(DateSpellings.Expected.Length, outcome.RowsLoaded);
        Assert.Equal(DateSpellings.Expected, await Rows(DateSpellings.Query(_schema, "spellings")));

        // Epoch seconds are TIMEFORMAT 'epochsecs', which Redshift's 'auto' does not read: a load error, never a guessed time.
        await _storage.PutTextAsync(_bucket, "epoch.json", "{\"id\":5,\"t\":\"2015-07-01 10:00:00\"}\n{\"id\":6,\"t\":1435744800}\n");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("epoch.json", DataFormat.Json, table: "spellings"));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("line 2, column 't'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'1435744800' is not a valid timestamp (DATEFORMAT and TIMEFORMAT 'auto' read ISO 8601", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not epoch seconds", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["1", "2", "3", "4"], await Rows($"SELECT id FROM \"{_schema}\".spellings ORDER BY id"));
    }

    [Fact]
    public async Task Loads_every_entry_of_a_manifest_and_truncates_first_when_asked()
    {
        await _storage.PutTextAsync(_bucket, "m/a.json", "{\"id\":10}\n{\"id\":11}");
        await _storage.PutGzipAsync(_bucket, "m/b.json.gz", "{\"id\":12}");
        await _storage.PutTextAsync(_bucket, "p.manifest", $"{{\"entries\":[{{\"url\":\"s3://{_bucket}/m/a.json\",\"mandatory\":true}},{{\"url\":\"s3://{_bucket}/m/b.json.gz\",\"mandatory\":true}},{{\"url\":\"s3://{_bucket}/m/gone.json\",\"mandatory\":false}}]}}");
        await Sql($"INSERT INTO \"{_schema}\".pages (id) VALUES (1), (2)");
        var outcome = await Copy("p.manifest", DataFormat.Json, manifest: true, truncate: true);
        Assert.Equal(3, outcome.RowsLoaded);
        Assert.Equal(2, outcome.RowsDeleted);
        Assert.Equal(["10", "11", "12"], await Rows($"SELECT id FROM \"{_schema}\".pages ORDER BY id"));
    }

    [Fact]
    public async Task A_broken_record_fails_with_its_line_and_leaves_the_table_unchanged()
    {
        await Sql($"INSERT INTO \"{_schema}\".pages (id) VALUES (100)");
        var lines = Enumerable.Range(1, 5000).Select(i => $"{{\"id\":{i},\"time\":\"2015-07-01T00:00:00Z\"}}").ToList();
        lines[4199] = "{\"id\":4200,\"time\":\"not a time\"}";
        await _storage.PutGzipAsync(_bucket, "broken.json.gz", string.Join("\n", lines));
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("broken.json.gz", DataFormat.Json, Compression.Gzip, truncate: true));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("line 4200, column 'time'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"s3://{_bucket}/broken.json.gz", ex.Message, StringComparison.Ordinal);
        var detail = Assert.Single(ex.Details);
        Assert.Equal(($"s3://{_bucket}/broken.json.gz", 4200L, "time", "not a time"), (detail.Uri, detail.Line, detail.Column, detail.Value));
        Assert.StartsWith("'not a time' is not a valid timestamp (DATEFORMAT and TIMEFORMAT 'auto' read", detail.Reason, StringComparison.Ordinal);
        Assert.Equal(["100"], await Rows($"SELECT id FROM \"{_schema}\".pages"));
    }

    [Fact]
    public async Task A_record_without_a_value_for_a_not_null_column_is_refused_with_its_line()
    {
        await Sql($"INSERT INTO \"{_schema}\".pages (id) VALUES (100)");
        await _storage.PutTextAsync(_bucket, "noid.csv", "1,a,,,,,\n2,b,,,,,\n,c,,,,,\n");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("noid.csv", DataFormat.Csv, truncate: true));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        var detail = Assert.Single(ex.Details);
        Assert.Equal((3L, "id", (string?)null), (detail.Line, detail.Column, detail.Value));
        Assert.Contains("NOT NULL", detail.Reason, StringComparison.Ordinal);
        Assert.Equal(["100"], await Rows($"SELECT id FROM \"{_schema}\".pages"));
    }

    [Fact]
    public async Task A_number_out_of_range_names_the_precision_that_fits_and_a_long_value_is_cut_in_the_detail()
    {
        await Sql($"CREATE TABLE \"{_schema}\".prices (id INT, amount NUMERIC(5,2), qty SMALLINT)");
        await _storage.PutTextAsync(_bucket, "prices.json", "{\"id\":1,\"amount\":123.45}\n{\"id\":2,\"amount\":-1234567.891}");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => CopyRunner.CopyAsync(fixture.Database, _storage,
            new SourceFile { Bucket = _bucket, Key = "prices.json", Schema = _schema, Table = "prices", Format = DataFormat.Json }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None));
        var detail = Assert.Single(ex.Details);
        Assert.Equal((2L, "amount", "-1234567.891"), (detail.Line, detail.Column, detail.Value));
        Assert.Contains("numeric(9,2)", ex.RecommendedAction, StringComparison.Ordinal);

        var huge = new string('9', 150);
        await _storage.PutTextAsync(_bucket, "qty.json", $"{{\"id\":1,\"qty\":\"{huge}\"}}\n{{\"id\":2,\"qty\":40000}}");
        ex = await Assert.ThrowsAsync<RedshifterException>(() => CopyRunner.CopyAsync(fixture.Database, _storage,
            new SourceFile { Bucket = _bucket, Key = "qty.json", Schema = _schema, Table = "prices", Format = DataFormat.Json }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None));
        detail = Assert.Single(ex.Details);
        Assert.Equal(LoadErrorDetail.ValueLimit, detail.Value!.Length);
        Assert.EndsWith("9…", detail.Value, StringComparison.Ordinal);
        Assert.Empty(await Rows($"SELECT id FROM \"{_schema}\".prices"));

        await _storage.PutTextAsync(_bucket, "qty.json", "{\"id\":2,\"qty\":40000}");
        ex = await Assert.ThrowsAsync<RedshifterException>(() => CopyRunner.CopyAsync(fixture.Database, _storage,
            new SourceFile { Bucket = _bucket, Key = "qty.json", Schema = _schema, Table = "prices", Format = DataFormat.Json }, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None));
        Assert.Equal(("qty", "40000"), (ex.Details[0].Column, ex.Details[0].Value));
        Assert.Contains("Change column 'qty' to int", ex.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_beyond_a_float_s_range_fails_the_load_naming_the_type_that_takes_it()
    {
        // .NET would read these as infinity and zero; PostgreSQL and Redshift refuse them, and so does the loader.
        await Sql($"CREATE TABLE \"{_schema}\".readings (id INT, r REAL, f DOUBLE PRECISION)");
        await _storage.PutTextAsync(_bucket, "r.json", "{\"id\":1,\"r\":1.5,\"f\":2.5}\n{\"id\":2,\"r\":1e39}");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("r.json", DataFormat.Json, table: "readings"));
        var detail = Assert.Single(ex.Details);
        Assert.Equal((2L, "r", "1e39"), (detail.Line, detail.Column, detail.Value));
        Assert.Contains("out of range for real: too large", detail.Reason, StringComparison.Ordinal);
        Assert.Contains("Change column 'r' to float", ex.RecommendedAction, StringComparison.Ordinal);

        await _storage.PutTextAsync(_bucket, "f.csv", "1,0.5,1e-400\n");
        ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("f.csv", DataFormat.Csv, table: "readings"));
        Assert.Equal((1L, "f"), (ex.Details[0].Line, ex.Details[0].Column));
        Assert.Contains("out of range for float: too small, other than zero", ex.Details[0].Reason, StringComparison.Ordinal);
        Assert.Empty(await Rows($"SELECT id FROM \"{_schema}\".readings"));
    }

    [Fact]
    public async Task A_constraint_violation_fails_and_leaves_the_table_unchanged()
    {
        await _storage.PutTextAsync(_bucket, "nulls.json", "{\"id\":1}\n{\"url\":\"no id\"}");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("nulls.json", DataFormat.Json));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("null value", ex.Message, StringComparison.Ordinal);
        Assert.Equal((2L, "id"), (ex.Details[0].Line, ex.Details[0].Column));
        Assert.Empty(await Rows($"SELECT id FROM \"{_schema}\".pages"));
    }

    [Fact]
    public async Task Corrupt_compression_names_the_file()
    {
        await _storage.PutTextAsync(_bucket, "fake.json.gz", "this is not gzip");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("fake.json.gz", DataFormat.Json, Compression.Gzip));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("fake.json.gz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_table_is_a_clear_error()
    {
        await _storage.PutTextAsync(_bucket, "p.json", "{\"id\":1}");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("p.json", DataFormat.Json, table: "nope"));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_column_type_is_written_as_PostgreSQL_reads_it()
    {
        var outcome = await CreateAndCopy("kinds", "n INT, sm SMALLINT, i INTEGER, b BIGINT, r REAL, f DOUBLE PRECISION, m NUMERIC(12,3), d DATE, t TIMESTAMP, tz TIMESTAMPTZ, c CHAR(3), v VARCHAR(5), j JSONB, ok BOOLEAN", "kinds.json", DataFormat.Json, string.Join("\n",
            "{\"n\":1,\"sm\":-32768,\"i\":2147483647,\"b\":-9223372036854775808,\"r\":1.5,\"f\":0.1,\"m\":\"123456789.1239\",\"d\":\"2015-07-01\",\"t\":\"2015-07-01T10:00:00.1234567\",\"tz\":\"2015-07-01T12:00:00+02:00\",\"c\":\"ab\",\"v\":\"héllo wörld\",\"j\":{\"k\":[1,\"é\"]},\"ok\":true}",
            "{\"n\":2,\"sm\":0,\"m\":-0.001,\"d\":\"0001-01-01\",\"t\":\"9999-12-31T23:59:59.9999999\",\"tz\":\"Jul 1, 2015 10:00:00\",\"j\":\"str\",\"f\":-1e300,\"r\":-0.25,\"ok\":\"f\",\"c\":\"abcdef\"}",
            "{\"n\":3,\"m\":0}",
            "{\"n\":4,\"m\":-12.5,\"b\":\"42\",\"d\":\"2000-01-01\",\"t\":\"1999-12-31 23:59:59.9999999\",\"tz\":\"1969-07-20T20:17:40.0000009Z\",\"j\":12.50,\"v\":\"\"}",
            "{\"n\":5,\"m\":99999999.9995,\"d\":\"1970-01-01T00:00:00Z\",\"t\":\"19700101 000000\",\"tz\":\"0001-01-01T00:00:00Z\",\"j\":[],\"v\":\"ab\\u00e9\\n\"}",
            "{\"n\":6,\"m\":\"0.0005\",\"f\":1.7976931348623157e308,\"r\":3.4028235e38}"));
        Assert.Equal(6, outcome.RowsLoaded);
        // Digits past numeric(12,3)'s scale are cut, as Redshift's COPY cuts them (without ROUNDEC), and counted.
        Assert.Equal($"{_schema}.kinds: COPY cut 3 value(s) of column 'm' to the 3 decimal place(s) of numeric(12,3) (Redshift's COPY truncates them too; it does not round); a value had 4: change its type in the config to numeric(13,4).",
            Assert.Single(outcome.Warnings, w => w.Contains("'m'", StringComparison.Ordinal)));
        // Rows 1 and 5 leave the JSON fast path for the nested 'j' after their values were parsed: each cut counts once.
        Assert.Equal($"{_schema}.kinds: TRUNCATECOLUMNS cut 1 value(s) of column 'v' to varchar(5); the longest was 13 bytes: make it varchar(13) in the config to keep them whole.",
            Assert.Single(outcome.Warnings, w => w.Contains("'v'", StringComparison.Ordinal)));
        Assert.Equal(3, outcome.Warnings.Count);
        Assert.Equal(
            [
                "1|-32768|2147483647|-9223372036854775808|1.5|0.1|123456789.123|2015-07-01|2015-07-01 10:00:00.123456|2015-07-01 10:00:00|ab|héll|{\"k\": [1, \"é\"]}|true",
                "2|0|NULL|NULL|-0.25|-1e+300|-0.001|0001-01-01|9999-12-31 23:59:59.999999|2015-07-01 10:00:00|abc|NULL|\"str\"|false", // the edges of .NET's dates, never ±infinity
                "3|NULL|NULL|NULL|NULL|NULL|0.000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
                "4|NULL|NULL|42|NULL|NULL|-12.500|2000-01-01|1999-12-31 23:59:59.999999|1969-07-20 20:17:40|NULL||12.50|NULL", // digits past the microsecond cut toward the past, before 2000 too
                "5|NULL|NULL|NULL|NULL|NULL|99999999.999|1970-01-01|1970-01-01 00:00:00|0001-01-01 00:00:00|NULL|abé\n|[]|NULL",
                "6|NULL|NULL|NULL|3.4028235e+38|1.7976931348623157e+308|0.000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
            ],
            await Rows($"SELECT n, sm::text, i::text, b::text, r::text, f::text, m::text, d::text, t::text, (tz AT TIME ZONE 'UTC')::text, c::text, v, j::text, ok::text FROM \"{_schema}\".kinds ORDER BY n"));
    }

    // TRUNCATECOLUMNS (issue 17, section 2): 66 bytes: 64 ASCII letters and one two-byte letter.
    private static readonly string LongName = new string('n', 64) + "é";

    [Fact]
    public async Task Invoke_RedshiftCopy_warns_once_per_column_with_the_count_the_longest_size_and_the_width_that_fits()
    {
        await Sql($"CREATE TABLE \"{_schema}\".people (id INT, name VARCHAR(64), code CHAR(2), note VARCHAR(8))");
        await _storage.PutTextAsync(_bucket, "people.csv", $"1,{LongName},abc,short\n2,{new string('m', 65)},ab,ok\n3,fine,xyz,\n");
        var log = new ListLog();
        var outcome = await CopyRunner.CopyAsync(fixture.Database, _storage,
            new SourceFile { Bucket = _bucket, Key = "people.csv", Schema = _schema, Table = "people", Format = DataFormat.Csv }, false, log, AlwaysApprove.Instance, CancellationToken.None);

        Assert.Equal(3, outcome.RowsLoaded);
        Assert.Equal(
            [
                $"{_schema}.people: TRUNCATECOLUMNS cut 2 value(s) of column 'name' to varchar(64); the longest was 66 bytes: make it varchar(66) in the config to keep them whole.",
                $"{_schema}.people: TRUNCATECOLUMNS cut 2 value(s) of column 'code' to char(2); the longest was 3 bytes: make it char(3) in the config to keep them whole.",
            ],
            outcome.Warnings);
        Assert.Equal(outcome.Warnings.Select(w => "WARNING: " + w), log.Messages.Where(m => m.StartsWith("WARNING: ", StringComparison.Ordinal)));
        // Stored cut, as Redshift stores it (at a character boundary: the two-byte letter does not fit).
        Assert.Equal([$"1|{new string('n', 64)}|ab", $"2|{new string('m', 64)}|ab", "3|fine|xy"],
            await Rows($"SELECT id, name, code FROM \"{_schema}\".people ORDER BY id"));
    }

    [Fact]
    public async Task Invoke_S3ToRedshift_reports_the_cut_values_of_a_record_past_the_checked_head_on_the_result()
    {
        const string Date = "2024-05-01T00:00:00Z";
        var lines = Enumerable.Range(1, 1500).Select(i => $"{{\"id\":{i},\"name\":\"{(i == 1400 ? LongName : "p" + i.ToString(CultureInfo.InvariantCulture))}\",\"at\":\"2024-05-01T10:00:00\"}}");
        await _storage.PutTextAsync(_bucket, $"{_schema}_people_{Date}.json", string.Join("\n", lines));
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_people_{Date}.yml", $"""
            people:
              dest: people
              columns:
                - dest: id
                  type: int
                - dest: name
                  type: varchar(64)
                - dest: at
                  type: timestamp
              meta:
                schema: {_schema}
                datadatecolumn: at
            """);
        var outcome = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "people" }, CancellationToken.None);

        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(
            $"{_schema}.people: TRUNCATECOLUMNS cut 1 value(s) of column 'name' to varchar(64); the longest was 66 bytes: make it varchar(66) in the config to keep them whole.",
            Assert.Single(outcome.Warnings, w => w.Contains("TRUNCATECOLUMNS", StringComparison.Ordinal)));
        Assert.Equal([new string('n', 64)], await Rows($"SELECT name FROM \"{_schema}\".people WHERE id = 1400"));
    }

    [Fact]
    public async Task A_Parquet_value_cut_past_the_first_row_group_is_counted_and_said()
    {
        // Issue 17's case: the longest name lies in a later row group than the one the checks (and
        // New-RedshiftTableConfig's sample) read; the load cuts it to the config's varchar and says so.
        const string Date = "2024-05-01T00:00:00Z";
        var schema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<long>("id"), new Parquet.Schema.DataField<string>("name"),
            new Parquet.Schema.DateTimeDataField("at", Parquet.Schema.DateTimeFormat.DateAndTimeMicros));
        using var file = new MemoryStream();
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(schema, file))
        {
            foreach (var ids in new[] { Enumerable.Range(1, 1000).ToArray(), Enumerable.Range(1001, 1000).ToArray() })
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<long>(schema.DataFields[0], ids.Select(i => (long)i).ToArray());
                await group.WriteAsync(schema.DataFields[1], ids.Select(i => i is 1400 or 1500 ? LongName : "p" + i.ToString(CultureInfo.InvariantCulture)).ToArray());
                await group.WriteAsync<DateTime>(schema.DataFields[2], ids.Select(_ => new DateTime(2024, 5, 1, 10, 0, 0)).ToArray());
            }
        }
        await _storage.PutAsync(_bucket, $"{_schema}_people_{Date}.parquet", file.ToArray(), CancellationToken.None);
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_people_{Date}.yml", $"""
            people:
              columns:
                - dest: id
                  type: bigint
                - dest: name
                  type: varchar(64)
                - dest: at
                  type: timestamp
              meta:
                schema: {_schema}
                datadatecolumn: at
            """);
        var log = new ListLog();
        var outcome = await new LoadJob(fixture.Database, _storage, log, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "people" }, CancellationToken.None);

        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal(2000, outcome.RowsLoaded);
        var said = $"{_schema}.people: TRUNCATECOLUMNS cut 2 value(s) of column 'name' to varchar(64); the longest was 66 bytes: make it varchar(66) in the config to keep them whole.";
        Assert.Equal(said, Assert.Single(outcome.Warnings, w => w.Contains("varchar", StringComparison.Ordinal)));
        Assert.Single(log.Messages, m => m == "WARNING: " + said);
        Assert.Equal([new string('n', 64), new string('n', 64)], await Rows($"SELECT name FROM \"{_schema}\".people WHERE id IN (1400, 1500)"));
    }
}
