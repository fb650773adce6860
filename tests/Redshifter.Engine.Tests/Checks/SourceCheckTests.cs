using System.Text;
using Parquet.Schema;
using Redshifter.Engine.Checks;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Checks;

/// <summary>
/// The source check's read of a source's head (issue 17 §2) against the real S3 server: what it reads
/// (the header line, the first 1,000 records or 8 MB, a Parquet footer), and what it then says.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class SourceCheckTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private static TableConfig Config(params (string Name, string Type)[] columns) => new()
    {
        Source = "s3://b/config_api_pages.yml",
        Schema = "api",
        Table = "pages",
        DataDateColumn = columns[0].Name,
        Columns = [.. columns.Select(c => new ColumnConfig { Name = c.Name, Type = ColumnType.ParseConfig(c.Type)! })],
    };

    private SourceFile Source(string key, DataFormat format, Compression compression = Compression.None, int ignoreHeader = 0) =>
        new() { Bucket = _bucket, Key = key, Schema = "api", Table = "pages", Format = format, Compression = compression, IgnoreHeader = ignoreHeader };

    private async Task<IReadOnlyList<string>> Check(SourceFile source, TableConfig config, ListLog? log = null)
    {
        log ??= new ListLog();
        var head = await SourceCheck.ReadHeadAsync(source, config, _storage, log, CancellationToken.None);
        return head.Compare(table: null, log);
    }

    [Fact]
    public async Task Json_keys_no_column_takes_and_columns_no_record_has_are_warnings_also_told_to_the_log()
    {
        await _storage.PutGzipAsync(_bucket, "p.json.gz", "{\"id\":1,\"URL\":\"a\",\"referrer\":\"x\"}\n{\"id\":2,\"url\":\"b\",\"nested\":{\"k\":1}}");
        var log = new ListLog();

        var warnings = await Check(Source("p.json.gz", DataFormat.Json, Compression.Gzip), Config(("id", "bigint"), ("url", "text"), ("title", "text")), log);

        Assert.Equal(2, warnings.Count);
        Assert.Contains("ignored keys: 'nested', 'referrer'", warnings[0], StringComparison.Ordinal);
        Assert.Contains("'title' is in no record (in the first 2 records)", warnings[1], StringComparison.Ordinal);
        Assert.Equal(warnings.Select(w => "WARNING: " + w), log.Messages.Where(m => m.StartsWith("WARNING: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_table_s_columns_count_and_the_head_is_compared_once()
    {
        await _storage.PutTextAsync(_bucket, "p.json", "{\"id\":1,\"legacy\":\"x\",\"name\":\"" + new string('n', 40) + "\"}");
        var log = new ListLog();
        var head = await SourceCheck.ReadHeadAsync(Source("p.json", DataFormat.Json), Config(("id", "bigint"), ("name", "varchar(16)")), _storage, log, CancellationToken.None);
        // The table has a column the config lacks (it takes 'legacy'), and 'name' is wider there than in the config.
        var table = new TableState
        {
            Schema = "api", Table = "pages", Exists = true,
            Columns = [Column("id", "bigint"), Column("legacy", "text"), Column("name", "varchar(64)")],
        };

        Assert.Empty(head.Compare(table, log));
        Assert.Empty(head.Compare(null, log)); // once per load: a transaction that runs again says nothing twice
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("WARNING", StringComparison.Ordinal));
    }

    private static ExistingColumn Column(string name, string type) => new() { Name = name, TypeText = type, Type = ColumnType.ParseConfig(type) };

    [Fact]
    public async Task Only_the_first_thousand_records_are_read()
    {
        // Record 1,001 has a key no column takes and a value too long: the check never sees them.
        var records = Enumerable.Range(1, 1000).Select(i => $"{{\"id\":{i},\"name\":\"n\"}}").Append("{\"id\":1001,\"name\":\"" + new string('x', 300) + "\",\"late\":1}");
        await _storage.PutTextAsync(_bucket, "p.json", string.Join("\n", records));

        var warnings = await Check(Source("p.json", DataFormat.Json), Config(("id", "bigint"), ("name", "varchar(16)")));

        Assert.Empty(warnings);
    }

    [Fact]
    public async Task Only_the_first_8_MB_are_read_when_records_are_large()
    {
        // 10 KB records: 8 MB hold 837 of them whole, fewer than the 1,000-record bound; record 900 is longer still.
        var value = new string('v', 10_000);
        var records = Enumerable.Range(1, 950).Select(i => $"{{\"id\":{i},\"name\":\"{(i == 900 ? value + value : value)}\"}}");
        await _storage.PutTextAsync(_bucket, "big.json", string.Join("\n", records));

        var warning = Assert.Single(await Check(Source("big.json", DataFormat.Json), Config(("id", "bigint"), ("name", "varchar(64)"))));

        Assert.Contains("in the first 837 records", warning, StringComparison.Ordinal);
        Assert.Contains("is 10,000 bytes", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_longer_than_its_varchar_is_a_warning_with_the_width_that_fits()
    {
        await _storage.PutTextAsync(_bucket, "p.csv", "id,name\n1,short\n2," + new string('é', 35) + "\n");

        var warning = Assert.Single(await Check(Source("p.csv", DataFormat.Csv, ignoreHeader: 1), Config(("id", "bigint"), ("name", "varchar(64)"))));

        Assert.Contains("column 'name' is varchar(64) but its longest value (in the first 2 records) is 70 bytes", warning, StringComparison.Ordinal);
        Assert.Contains("varchar(70)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_out_of_its_decimal_range_is_a_warning()
    {
        await _storage.PutTextAsync(_bucket, "p.psv", "1|12.5\n2|123456.75\n");

        var warning = Assert.Single(await Check(Source("p.psv", DataFormat.Delimited), Config(("id", "bigint"), ("amount", "numeric(6,2)"))));

        Assert.Contains("column 'amount' is numeric(6,2)", warning, StringComparison.Ordinal);
        Assert.Contains("'123456.75' is out of its range", warning, StringComparison.Ordinal);
        Assert.Contains("numeric(8,2)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digits_past_a_decimal_s_scale_are_a_warning_with_the_scale_that_keeps_them_unless_the_load_counts_them()
    {
        // Redshift's COPY cuts them silently (no ROUNDEC); the PostgreSQL loader counts its own cuts instead.
        await _storage.PutTextAsync(_bucket, "p.psv", "1|12.5\n2|20.259\n3|1.10000\n4|-0.0015e1\n");
        var config = Config(("id", "bigint"), ("amount", "numeric(6,2)"));

        var warning = Assert.Single(await Check(Source("p.psv", DataFormat.Delimited), config));

        Assert.Equal(
            "s3://" + _bucket + "/p.psv: column 'amount' is numeric(6,2) (2 decimal place(s)) but a value (in the first 4 records) has 3: '20.259'; " +
            "COPY would cut such values to its scale silently (it truncates, without ROUNDEC). To keep them whole, change its type in the config to numeric(7,3).",
            warning);
        var head = await SourceCheck.ReadHeadAsync(Source("p.psv", DataFormat.Delimited), config, _storage, new ListLog(), CancellationToken.None);
        Assert.Empty(head.Compare(table: null, new ListLog(), loadCountsCuts: true));
    }

    [Fact]
    public async Task A_header_in_another_order_is_an_error_naming_both_orders()
    {
        await _storage.PutGzipAsync(_bucket, "p.csv.gz", "\uFEFFname,id\r\nx,1\r\n");

        var error = await Assert.ThrowsAsync<RedshifterException>(() => Check(Source("p.csv.gz", DataFormat.Csv, Compression.Gzip, ignoreHeader: 1), Config(("id", "bigint"), ("name", "text"))));

        Assert.Equal(ErrorIds.SchemaMismatch, error.ErrorId);
        Assert.Contains("The file's order is (name, id); the config's is (id, name)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_ignore_header_the_first_line_is_a_record()
    {
        await _storage.PutTextAsync(_bucket, "p.csv", "name,id\n");

        Assert.Empty(await Check(Source("p.csv", DataFormat.Csv), Config(("id", "text"), ("name", "text"))));
    }

    private async Task<SourceFile> PutParquet(string key, byte[] file)
    {
        await _storage.PutAsync(_bucket, key, file, CancellationToken.None);
        return Source(key, DataFormat.Parquet);
    }

    private static TableConfig AllTypesConfig(string idType = "bigint") =>
        Config([.. ParquetTestData.AllTypesColumns.Select(c => c.Name == "id" ? (c.Name, idType) : c)]);

    [Fact]
    public async Task A_Parquet_schema_is_read_from_the_footer_alone()
    {
        var file = await ParquetTestData.AllTypesAsync(25_000, rowGroups: 7);
        Assert.True(file.Length > 200_000);
        var source = await PutParquet("all.parquet", file);
        var requests = _storage.RequestCount;

        Assert.Empty(await Check(source, AllTypesConfig()));

        Assert.True(_storage.RequestCount - requests <= 3, $"{_storage.RequestCount - requests} S3 requests");
    }

    [Fact]
    public async Task A_small_first_row_group_s_values_are_checked_against_their_widths()
    {
        // Rows 1-12 in two row groups: the first (1-6) has 'nü2' (4 bytes) and amounts up to 6.25.
        var source = await PutParquet("all.parquet", await ParquetTestData.AllTypesAsync(12, rowGroups: 2));
        var config = Config([.. ParquetTestData.AllTypesColumns.Select(c => c.Name switch { "name" => (c.Name, "varchar(3)"), "amount" => (c.Name, "numeric(2,2)"), _ => c })]);

        var warnings = await Check(source, config);

        Assert.Equal(2, warnings.Count);
        Assert.Contains("column 'name' is varchar(3) but its longest value (in the first 6 records) is 4 bytes", warnings[0], StringComparison.Ordinal);
        Assert.Contains("varchar(4)", warnings[0], StringComparison.Ordinal);
        Assert.Contains("column 'amount' is numeric(2,2)", warnings[1], StringComparison.Ordinal);
        Assert.Contains("numeric(3,2)", warnings[1], StringComparison.Ordinal);
    }

    /// <summary>
    /// A file as DuckDB writes it with v2 pages: its DATE and INT columns are DELTA_BINARY_PACKED, which
    /// Parquet.Net reads only as the integers they store. The check reads them as the load does, so the text
    /// column after them is still checked.
    /// </summary>
    [Fact]
    public async Task A_DuckDB_v2_file_s_first_row_group_is_checked_like_any_other()
    {
        var dir = Directory.CreateTempSubdirectory("redshifter-check-");
        try
        {
            var path = Path.Combine(dir.FullName, "v2.parquet");
            await Redshifter.TestServers.DuckDbParquet.WriteAsync([new(
                "SELECT i::INT AS n, DATE '2024-01-01' + i::INT AS day, repeat('x', 3 + i) AS s FROM range(5) t(i)", path, ParquetVersion: "v2")]);
            var source = await PutParquet("v2.parquet", await File.ReadAllBytesAsync(path));

            var warnings = await Check(source, Config(("n", "int"), ("day", "date"), ("s", "varchar(4)")));

            var warning = Assert.Single(warnings);
            Assert.Contains("column 's' is varchar(4) but its longest value (in the first 5 records) is 7 bytes", warning, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_Parquet_string_where_the_config_says_bigint_is_an_error_naming_the_column()
    {
        var schema = new ParquetSchema(new DataField<string>("id"), new DataField<long>("n"));
        var source = await PutParquet("s.parquet", await ParquetTestData.WriteAsync(schema, async g =>
        {
            await g.WriteAsync(schema.DataFields[0], new[] { "7" });
            await g.WriteAsync<long>(schema.DataFields[1], new long[] { 1 });
        }));

        var error = await Assert.ThrowsAsync<RedshifterException>(() => Check(source, Config(("id", "bigint"), ("n", "int"))));

        Assert.Equal(ErrorIds.SchemaMismatch, error.ErrorId);
        Assert.Contains("Parquet column 1 'id' is BYTE_ARRAY (STRING), which column 'id' (bigint) cannot take", error.Message, StringComparison.Ordinal);
        Assert.Contains("Parquet column 2 'n' is INT64, which column 'n' (integer) cannot take", error.Message, StringComparison.Ordinal);
        Assert.Contains("'id' to varchar, 'n' to bigint", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_Parquet_column_count_is_an_error_naming_both()
    {
        var source = await PutParquet("all.parquet", await ParquetTestData.AllTypesAsync(3));

        var error = await Assert.ThrowsAsync<RedshifterException>(() => Check(source, Config(("id", "bigint"), ("name", "text"))));

        Assert.Equal(ErrorIds.SchemaMismatch, error.ErrorId);
        Assert.Contains("has 10 column(s) (id, qty, small, price, active, name, day, at, at_millis, amount) and the table 2 (id, name)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Parquet_decimal_names_its_precision_and_a_wider_integer_column_takes_a_narrower_one()
    {
        var source = await PutParquet("all.parquet", await ParquetTestData.AllTypesAsync(3));
        var config = Config([.. ParquetTestData.AllTypesColumns.Select(c => c.Name switch { "qty" => (c.Name, "bigint"), "amount" => (c.Name, "float"), _ => c })]);

        var error = await Assert.ThrowsAsync<RedshifterException>(() => Check(source, config));

        Assert.Contains("Parquet column 10 'amount' is DECIMAL(10,2), which column 'amount' (double precision) cannot take", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'qty'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'amount' to numeric(10,2)", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_Parquet_is_left_to_the_load()
    {
        var source = await PutParquet("bad.parquet", Encoding.UTF8.GetBytes("not parquet at all, just text"));

        Assert.Empty(await Check(source, AllTypesConfig()));
    }
}
