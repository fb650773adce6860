using System.Globalization;
using Parquet.Schema;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>Parquet sources into PostgreSQL (issue 10): every mapped type with its value, nulls, row groups, by position.</summary>
[Collection(ServersCollection.Name)]
public sealed class ParquetLoaderTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "pq_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    // The table's names differ from the file's (price → cost, …): Parquet columns go by position, as in Redshift.
    private const string Columns =
        "id BIGINT NOT NULL, qty INT, small SMALLINT, cost DOUBLE PRECISION, active BOOLEAN, name VARCHAR(3), day DATE, at TIMESTAMP, at_tz TIMESTAMPTZ, amount NUMERIC(10,2)";

    public async Task InitializeAsync()
    {
        _bucket = await _storage.NewBucketAsync();
        await Sql($"CREATE SCHEMA \"{_schema}\"; CREATE TABLE \"{_schema}\".orders ({Columns})");
    }

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private Task Sql(string sql) => fixture.SqlAsync(sql);

    private Task<List<string>> Rows(string query) => fixture.RowsAsync(query);

    private async Task<CopyOutcome> Copy(byte[] file, string key = "orders.parquet", bool truncate = true)
    {
        await _storage.PutAsync(_bucket, key, file, CancellationToken.None);
        return await CopyRunner.CopyAsync(fixture.Database, _storage, new SourceFile
        {
            Bucket = _bucket, Key = key, Schema = _schema, Table = "orders", Format = DataFormat.Parquet,
        }, truncate, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task The_spool_file_has_no_name_while_it_is_read_so_a_killed_load_leaves_none()
    {
        // Windows deletes a delete-on-close file when the process dies; elsewhere the name must go at once.
        if (OperatingSystem.IsWindows()) return;
        await _storage.PutAsync(_bucket, "spool.parquet", await ParquetTestData.AllTypesAsync(10), CancellationToken.None);
        var before = Directory.GetFiles(Path.GetTempPath(), "redshifter-*.parquet").ToHashSet(StringComparer.Ordinal);
        var source = await ParquetSource.OpenAsync(_storage, new SourceObject(_bucket, "spool.parquet", Compression.None), _ => { }, CancellationToken.None);
        await using (source)
        {
            var spooled = Directory.GetFiles(Path.GetTempPath(), "redshifter-*.parquet").Except(before, StringComparer.Ordinal).ToList();
            Assert.True(spooled.Count == 0, "a spool file has a name while it is read: " + string.Join(", ", spooled));
            var group = await source.ReadRowGroupAsync(0, CancellationToken.None); // and it still reads
            Assert.Equal(10, group.Rows);
        }
    }

    [Fact]
    public async Task Every_mapped_type_loads_with_its_value_and_nulls()
    {
        var outcome = await Copy(await ParquetTestData.AllTypesAsync(10));
        Assert.Equal(10, outcome.RowsLoaded);
        var rows = await Rows(
            $"SELECT id, qty, small, cost, active, name, to_char(day, 'YYYY-MM-DD'), to_char(at, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(at_tz, 'YYYY-MM-DD HH24:MI:SS.MS'), amount " +
            $"FROM \"{_schema}\".orders WHERE id IN (1, 2, 5) ORDER BY id");
        Assert.Equal(
            [
                "1|10|1|1.5|False|n1|2024-01-02|2024-01-01 00:01:00.000001|2024-01-01 00:01:00.000|1.25",
                "2|20|2|2.5|True|nü|2024-01-03|2024-01-01 00:02:00.000001|2024-01-01 00:02:00.000|2.25", // TRUNCATECOLUMNS: 'nü2' is 4 bytes, VARCHAR(3) keeps 'nü'
                "5|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
            ],
            rows);
    }

    [Fact]
    public async Task A_file_of_many_row_groups_loads_every_row_once()
    {
        var outcome = await Copy(await ParquetTestData.AllTypesAsync(25_000, rowGroups: 7));
        Assert.Equal(25_000, outcome.RowsLoaded);
        Assert.Equal(["25000|25000|312512500|5000"], await Rows($"SELECT count(*), count(DISTINCT id), sum(id), count(*) - count(qty) FROM \"{_schema}\".orders"));
    }

    [Fact]
    public async Task A_column_count_that_differs_from_the_table_fails_and_changes_nothing()
    {
        await Copy(await ParquetTestData.AllTypesAsync(3));
        var schema = new ParquetSchema(new DataField<long>("id"), new DataField<string>("name"));
        var narrow = await ParquetTestData.WriteAsync(schema, async g =>
        {
            await g.WriteAsync<long>(schema.DataFields[0], new long[] { 7 });
            await g.WriteAsync(schema.DataFields[1], new[] { "x" });
        });
        var error = await Assert.ThrowsAsync<RedshifterException>(() => Copy(narrow, "narrow.parquet"));
        // The source check reads the file's schema before the transaction (issue 17 §2).
        Assert.Equal(ErrorIds.SchemaMismatch, error.ErrorId);
        Assert.Contains("has 2 column(s) (id, name) and the table 10", error.Message, StringComparison.Ordinal);
        Assert.Equal(["3"], await Rows($"SELECT count(*) FROM \"{_schema}\".orders"));
    }

    [Fact]
    public async Task A_value_the_column_cannot_take_names_the_row_and_column()
    {
        await Copy(await ParquetTestData.AllTypesAsync(3));
        // amount is NUMERIC(10,2) in the table (a Parquet INT64 is a type it takes); a value beyond its range at the file's row 4.
        var f = ParquetTestData.AllTypesSchema.DataFields;
        var schema = new ParquetSchema(f.Select((d, i) => i == 9 ? new DataField<long?>("amount") : d).ToArray());
        var file = await ParquetTestData.WriteAsync(schema, async g =>
        {
            var ids = new long[] { 1, 2, 3, 4 };
            await g.WriteAsync<long>(schema.DataFields[0], ids);
            await g.WriteAsync<int>(schema.DataFields[1], new int?[4]);
            await g.WriteAsync<short>(schema.DataFields[2], new short?[4]);
            await g.WriteAsync<double>(schema.DataFields[3], new double?[4]);
            await g.WriteAsync<bool>(schema.DataFields[4], new bool?[4]);
            await g.WriteAsync(schema.DataFields[5], new string?[4]);
            await g.WriteAsync<DateTime>(schema.DataFields[6], new DateTime?[4]);
            await g.WriteAsync<DateTime>(schema.DataFields[7], new DateTime?[4]);
            await g.WriteAsync<DateTime>(schema.DataFields[8], new DateTime?[4]);
            await g.WriteAsync<long>(schema.DataFields[9], new long?[] { 1, 2, 3, 5_000_000_000 });
        });
        var error = await Assert.ThrowsAsync<RedshifterException>(() => Copy(file, "wide.parquet"));
        Assert.Contains("at row 4, column 'amount'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["3"], await Rows($"SELECT count(*) FROM \"{_schema}\".orders"));
    }

    /// <summary>
    /// Parquet text is loaded from its bytes: bytes that are not UTF-8 (a BYTE_ARRAY column written without the
    /// STRING type) fail the record naming row and column, as Redshift's COPY fails it, rather than loading
    /// U+FFFD in their place.
    /// </summary>
    [Fact]
    public async Task Text_that_is_not_UTF8_names_the_row_and_column_and_loads_nothing()
    {
        await Copy(await ParquetTestData.AllTypesAsync(3));
        var f = ParquetTestData.AllTypesSchema.DataFields;
        var schema = new ParquetSchema(f.Select((d, i) => i == 5 ? new DataField<byte[]>("name") : d).ToArray());
        var file = await ParquetTestData.WriteAsync(schema, async g =>
        {
            await g.WriteAsync<long>(schema.DataFields[0], new long[] { 1, 2 });
            await g.WriteAsync<int>(schema.DataFields[1], new int?[2]);
            await g.WriteAsync<short>(schema.DataFields[2], new short?[2]);
            await g.WriteAsync<double>(schema.DataFields[3], new double?[2]);
            await g.WriteAsync<bool>(schema.DataFields[4], new bool?[2]);
            await g.WriteAsync(schema.DataFields[5], new byte[]?[] { "ok"u8.ToArray(), [0x61, 0xC3, 0x28] });
            await g.WriteAsync<DateTime>(schema.DataFields[6], new DateTime?[2]);
            await g.WriteAsync<DateTime>(schema.DataFields[7], new DateTime?[2]);
            await g.WriteAsync<DateTime>(schema.DataFields[8], new DateTime?[2]);
            await g.WriteAsync<decimal>(schema.DataFields[9], new decimal?[2]);
        });
        var error = await Assert.ThrowsAsync<RedshifterException>(() => Copy(file, "latin1.parquet"));
        Assert.Contains("at row 2, column 'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Equal(["3"], await Rows($"SELECT count(*) FROM \"{_schema}\".orders"));
    }

    /// <summary>
    /// Read through Parquet.Net's nullable API, a required column came back NULL now and then (seen here, in
    /// this class's sequence of files): required columns are read with the non-nullable API. Files of every
    /// size in turn, many times; id is required in the file and NOT NULL in the table.
    /// </summary>
    [Fact]
    public async Task Required_columns_never_load_as_null()
    {
        var files = new[] { await ParquetTestData.AllTypesAsync(10), await ParquetTestData.AllTypesAsync(25_000, rowGroups: 7), await ParquetTestData.AllTypesAsync(3) };
        for (var run = 1; run <= 4; run++)
        {
            foreach (var file in files) await Copy(file);
            Assert.Equal(["3|0"], await Rows($"SELECT count(*), count(*) FILTER (WHERE id IS NULL OR name IS NULL AND id % 5 <> 0) FROM \"{_schema}\".orders"));
        }
    }

    [Fact]
    public async Task A_manifest_of_Parquet_files_loads_every_entry()
    {
        byte[] part1 = await ParquetTestData.AllTypesAsync(7), part2 = await ParquetTestData.AllTypesAsync(12, rowGroups: 2);
        await _storage.PutAsync(_bucket, "part-1.parquet", part1, CancellationToken.None);
        await _storage.PutAsync(_bucket, "part-2.parquet", part2, CancellationToken.None);
        // Redshift requires meta.content_length on every entry of a Parquet manifest (SourceChecks refuses one without).
        await _storage.PutTextAsync(_bucket, "orders.manifest",
            $"{{\"entries\":[{{\"url\":\"s3://{_bucket}/part-1.parquet\",\"mandatory\":true,\"meta\":{{\"content_length\":{part1.Length}}}}},{{\"url\":\"s3://{_bucket}/part-2.parquet\",\"mandatory\":true,\"meta\":{{\"content_length\":{part2.Length}}}}}]}}");
        var source = await Manifest.DescribeAsync(_storage, new SourceFile { Bucket = _bucket, Key = "orders.manifest", Schema = _schema, Table = "orders", IsManifest = true }, false, false, CancellationToken.None);
        Assert.Equal(DataFormat.Parquet, source.Format);
        var outcome = await CopyRunner.CopyAsync(fixture.Database, _storage, source, true, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
        Assert.Equal(19, outcome.RowsLoaded);
        Assert.Equal(["19|106"], await Rows($"SELECT count(*), sum(id) FROM \"{_schema}\".orders"));
    }

    [Fact]
    public async Task A_Parquet_file_upserts_by_key()
    {
        await Copy(await ParquetTestData.AllTypesAsync(10));
        await Sql($"UPDATE \"{_schema}\".orders SET name = 'old' WHERE id <= 3");
        await _storage.PutAsync(_bucket, "more.parquet", await ParquetTestData.AllTypesAsync(12, rowGroups: 3), CancellationToken.None);
        var outcome = await CopyRunner.CopyAsync(fixture.Database, _storage, new SourceFile { Bucket = _bucket, Key = "more.parquet", Schema = _schema, Table = "orders", Format = DataFormat.Parquet },
            false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None, new UpsertRequest(["id"], null));
        Assert.Equal((12L, 10L, 2L), (outcome.RowsLoaded, outcome.RowsUpdated, outcome.RowsInserted));
        Assert.Equal(["12|0|n12"], await Rows($"SELECT count(*), count(*) FILTER (WHERE name = 'old'), max(name) FILTER (WHERE id = 12) FROM \"{_schema}\".orders"));
    }

    [Fact]
    public async Task Discovery_prefers_parquet_and_the_job_creates_and_loads_the_table()
    {
        var date = "2024-03-01T00:00:00Z";
        await _storage.PutAsync(_bucket, $"{_schema}_events_{date}.parquet", await ParquetTestData.AllTypesAsync(12, rowGroups: 2), CancellationToken.None);
        await _storage.PutTextAsync(_bucket, $"{_schema}_events_{date}.json", "{\"id\":1}");
        var config = $"events:\n  columns:\n" + string.Concat(ParquetTestData.AllTypesColumns.Select(c => $"    - dest: {c.Name}\n      type: {(c.Name == "name" ? "text" : c.ConfigType)}\n")) +
                     $"  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_events_{date}.yml", config);
        var outcome = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(
            new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "events" }, CancellationToken.None);
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(DataFormat.Parquet, outcome.Source!.Format);
        Assert.Equal(12, outcome.RowsLoaded);
        Assert.Equal(["12|nü2"], await Rows($"SELECT count(*), max(name) FILTER (WHERE id = 2) FROM \"{_schema}\".events"));
    }
}
