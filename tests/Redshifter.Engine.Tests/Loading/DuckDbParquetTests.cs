using Parquet.Schema;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Parquet files as data lakes write them (issue 16 §2): written by DuckDB, an independent writer, with
/// every codec and both data page versions, loaded into the real PostgreSQL and compared value for value
/// with what DuckDB reads back from the same file.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DuckDbParquetTests(ServersFixture fixture, DuckDbParquetTests.Files files) : ParquetFileLoadTests(fixture, "duck_"), IClassFixture<DuckDbParquetTests.Files>
{
    public static readonly string[] Codecs = ["uncompressed", "snappy", "gzip", "zstd", "lz4_raw", "brotli"];
    public static readonly string[] PageVersions = ["v1", "v2"];

    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var codec in Codecs) foreach (var version in PageVersions) data.Add(codec, version);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Every_type_loads_as_DuckDB_reads_it_back(string codec, string version)
    {
        var expected = files.Of($"all_{codec}_{version}");
        // The file exercises the encodings of its page version (else the cell would prove less than it says).
        var encodings = expected.Encodings.Values.SelectMany(e => e).ToHashSet(StringComparer.Ordinal);
        string[] expectedEncodings = version == "v2" ? ["DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "BYTE_STREAM_SPLIT", "RLE_DICTIONARY"] : ["PLAIN", "PLAIN_DICTIONARY"];
        Assert.Superset(expectedEncodings.ToHashSet(StringComparer.Ordinal), encodings);
        var table = $"t_{codec}_{version}";
        await LoadAsync(expected, table, AllTypes);
        AssertSameValues(expected, await ReadBackAsync(table, AllTypes), AllTypes);
    }

    /// <summary>
    /// Larger files (make test-long): 60,000 rows in row groups of 25,000, every type and besides them columns
    /// that make other pages — dictionary-friendly, long text, sparse, and a first row group of nulls only.
    /// </summary>
    [Theory]
    [Trait("Category", "Long")]
    [MemberData(nameof(Matrix))]
    public async Task Large_files_load_as_DuckDB_reads_them_back(string codec, string version)
    {
        TypeColumn[] columns = [.. AllTypes, .. LargeFileColumns];
        var dir = Directory.CreateTempSubdirectory("redshifter-duckdb-large-");
        try
        {
            var path = Path.Combine(dir.FullName, $"large_{codec}_{version}.parquet");
            var expected = (await DuckDbParquet.WriteAsync([new DuckDbParquet.Job(Select(60_000, columns), path, codec, version, RowGroupSize: 25_000)]))[0];
            var table = $"large_{codec}_{version}";
            await LoadAsync(expected, table, columns);
            AssertSameValues(expected, await ReadBackAsync(table, columns), columns);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static readonly TypeColumn[] LargeFileColumns =
    [
        new("label", "'k' || (i % 10)", "varchar(10)"),
        new("long_text", "repeat(chr((65 + i % 26)::INTEGER), (i * 37 % 700)::INTEGER)", "varchar(700)"),
        new("sparse", "(CASE WHEN i % 1000 = 0 THEN i END)::BIGINT", "bigint"),
        new("late", "(CASE WHEN i >= 30000 THEN i * 0.5 END)::DECIMAL(18,3)", "numeric(18,3)"),
    ];

    /// <summary>
    /// INT96 timestamps (Spark and Hive still write them; DuckDB cannot): written here by Parquet.Net, read back
    /// by DuckDB as the independent reader (as TIMESTAMP: UTC wall time), loaded into timestamp.
    /// </summary>
    [Fact]
    public async Task INT96_timestamps_load_as_DuckDB_reads_them()
    {
        var schema = new ParquetSchema(new DataField<long>("id"), new DateTimeDataField("at", DateTimeFormat.Impala, isNullable: true));
        DateTime?[] values =
        [
            new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990), new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc), null,
            new DateTime(2024, 2, 29, 12, 34, 56, DateTimeKind.Utc).AddTicks(7_891_230), new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990),
            // The first instant .NET has: stored as it is, never as -infinity.
            new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        ];
        var bytes = await ParquetTestData.WriteAsync(schema, async g =>
        {
            await g.WriteAsync<long>(schema.DataFields[0], Enumerable.Range(0, values.Length).Select(i => (long)i).ToArray());
            await g.WriteAsync<DateTime>(schema.DataFields[1], values);
        });
        var dir = Directory.CreateTempSubdirectory("redshifter-int96-");
        try
        {
            var path = Path.Combine(dir.FullName, "int96.parquet");
            await File.WriteAllBytesAsync(path, bytes);
            var expected = (await DuckDbParquet.WriteAsync([new DuckDbParquet.Job(null, path)]))[0];
            TypeColumn[] columns = [AllTypes[0], new("at", "", "timestamp")];
            await LoadAsync(expected, "int96", columns);
            AssertSameValues(expected, await ReadBackAsync("int96", columns), columns);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Nested columns (struct, list, list of structs, map; null members, null elements and empty lists kept) load
    /// into SUPER (jsonb here) as the JSON DuckDB makes of them, from DuckDB's v1 and v2 files. (DuckDB's v2 files
    /// have v2 encodings on DATA_PAGE pages; lists on DATA_PAGE_V2 pages are in ArrowRsParquetTests.)
    /// </summary>
    [Fact]
    public async Task Nested_columns_load_into_super_as_DuckDB_writes_them_as_JSON()
    {
        var expected = files.Of("nested_v1");
        await LoadAsync(expected, "nested", NestedColumns);
        AssertSameValues(expected, await ReadBackAsync("nested", NestedColumns), NestedColumns);
    }

    [Fact]
    public async Task Nested_columns_on_v2_pages_load_into_super_as_DuckDB_writes_them_as_JSON()
    {
        var expected = files.Of("nested_v2");
        await LoadAsync(expected, "nested_v2", NestedColumns);
        AssertSameValues(expected, await ReadBackAsync("nested_v2", NestedColumns), NestedColumns);
    }

    [Fact]
    public async Task Structs_on_v2_pages_load_into_super_as_DuckDB_writes_them_as_JSON()
    {
        TypeColumn[] columns = [AllTypes[0], NestedColumns[1]];
        var expected = files.Of("struct_v2");
        Assert.Contains("DELTA_BINARY_PACKED", expected.Encodings["st, d"]);
        await LoadAsync(expected, "struct_v2", columns);
        AssertSameValues(expected, await ReadBackAsync("struct_v2", columns), columns);
    }

    [Fact]
    public async Task A_UUID_column_loads_as_its_text()
    {
        TypeColumn[] columns = [AllTypes[0], UuidColumn];
        var expected = files.Of("uuid");
        await LoadAsync(expected, "uuids", columns);
        AssertSameValues(expected, await ReadBackAsync("uuids", columns), columns);
    }

    [Fact]
    public async Task A_column_of_a_type_Redshifter_does_not_load_names_the_file_row_group_and_column_and_changes_nothing()
    {
        TypeColumn[] columns = [AllTypes[0], IntervalColumn];
        await Fixture.SqlAsync($"CREATE TABLE \"{Schema}\".spans (id bigint, span varchar(100)); INSERT INTO \"{Schema}\".spans VALUES (1, 'kept')");
        var file = files.Of("interval");
        var error = await Assert.ThrowsAsync<RedshifterException>(() => LoadAsync(file, "spans", columns, create: false));
        Assert.Equal(ErrorIds.CopyFailed, error.ErrorId);
        Assert.Contains($"s3://{Bucket}/interval.parquet: cannot read column 'span' (FIXED_LEN_BYTE_ARRAY INTERVAL, encoding ", error.Message, StringComparison.Ordinal);
        Assert.Contains("of row group 1 of 1: Redshifter does not load Parquet values of this type", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Export column 'span' as a type that Redshift's COPY loads from Parquet", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(["1|kept"], await Fixture.RowsAsync($"SELECT id, span FROM \"{Schema}\".spans"));
    }

    internal static readonly TypeColumn[] AllTypes =
    [
        new("id", "i::BIGINT", "bigint"),
        new("flag", "i % 3 = 0", "boolean"),
        new("tiny", "(CASE i WHEN 0 THEN -128 WHEN 1 THEN 127 ELSE i % 200 - 100 END)::TINYINT", "smallint"),
        new("small", "(CASE i WHEN 0 THEN -32768 WHEN 1 THEN 32767 ELSE i * 37 % 60000 - 30000 END)::SMALLINT", "smallint"),
        new("int", "(CASE i WHEN 0 THEN -2147483648 WHEN 1 THEN 2147483647 ELSE i * 7919 % 2000000000 - 1000000000 END)::INTEGER", "int"),
        new("big", "(CASE i WHEN 0 THEN -9223372036854775808 WHEN 1 THEN 9223372036854775807 ELSE i * 1234567891011 - 99999999 END)::BIGINT", "bigint"),
        new("utiny", "(CASE i WHEN 0 THEN 0 WHEN 1 THEN 255 ELSE i % 256 END)::UTINYINT", "smallint"),
        new("usmall", "(CASE i WHEN 0 THEN 0 WHEN 1 THEN 65535 ELSE i * 31 % 65536 END)::USMALLINT", "int"),
        new("uint", "(CASE i WHEN 0 THEN 0 WHEN 1 THEN 4294967295 ELSE i * 2654435761 % 4294967296 END)::UINTEGER", "bigint"),
        new("ubig", "(CASE i WHEN 0 THEN 0::UBIGINT WHEN 1 THEN 18446744073709551615::UBIGINT ELSE hash(i) END)", "numeric(20,0)"),
        new("real", "(CASE i WHEN 0 THEN -3.4028235e38 WHEN 1 THEN 3.4028235e38 ELSE i / 7.0 END)::FLOAT", "real", Comparison.Real),
        new("double", "(CASE i WHEN 0 THEN -1.7976931348623157e308 WHEN 1 THEN 2.2250738585072014e-308 ELSE i / 3.0 END)::DOUBLE", "double precision", Comparison.Double),
        new("dec4", "(CASE i WHEN 0 THEN -99.99 WHEN 1 THEN 99.99 ELSE (i % 19999 - 9999) / 100 END)::DECIMAL(4,2)", "numeric(4,2)"),
        new("dec9", "(CASE i WHEN 0 THEN -99999.9999 WHEN 1 THEN 99999.9999 ELSE i % 30000 * 3.1415 END)::DECIMAL(9,4)", "numeric(9,4)"),
        new("dec18", "(CASE i WHEN 0 THEN -999999999999.999999 WHEN 1 THEN 999999999999.999999 ELSE i * 1234567.123457 END)::DECIMAL(18,6)", "numeric(18,6)"),
        new("dec38", "(CASE i WHEN 0 THEN -9999999999999999999999999999.9999999999 WHEN 1 THEN 9999999999999999999999999999.9999999999 ELSE i * 617283945061728340.4770609152 END)::DECIMAL(38,10)", "numeric(38,10)"),
        new("text", "CASE i WHEN 0 THEN '' WHEN 1 THEN 'ü – 日本語 \"q\" ''s'' \\ 🙂' ELSE 'v' || (i * 7 % 1000)::VARCHAR END", "varchar(1000)"),
        new("day", "DATE '1970-01-01' + (CASE i WHEN 0 THEN -25567 WHEN 1 THEN 376199 ELSE i * 17 - 5000 END)::INTEGER", "date"),
        new("at", "TIMESTAMP '1969-12-31 23:59:59.999999' + to_microseconds(i * 1000003001)", "timestamp"),
        new("at_ms", "(TIMESTAMP '2024-02-29 12:34:56.789' + to_milliseconds(i * 86400123))::TIMESTAMP_MS", "timestamp"),
        new("at_ns", "make_timestamp_ns(1709210096123456789 + i * 3600000000001)", "timestamp", Comparison.Nanoseconds),
        new("at_tz", "TIMESTAMPTZ '2024-03-31 01:59:59.5+00' + to_microseconds(i * 1000001)", "timestamptz"),
        new("nothing", "NULL::INTEGER", "int"),
    ];

    private static readonly TypeColumn[] NestedColumns =
    [
        AllTypes[0],
        new("st", "{'a': i::INTEGER, 'b': 'x' || i, 'c': i / 2, 'd': DATE '2024-01-01' + i::INTEGER, 'e': CASE WHEN i % 3 = 0 THEN NULL ELSE i END}", "jsonb", Comparison.Json),
        new("li", "CASE WHEN i % 5 = 4 THEN [] ELSE [i::INTEGER, i::INTEGER + 1, NULL] END", "jsonb", Comparison.Json),
        new("ls", "[{'k': 'a' || i, 'v': i}, {'k': NULL, 'v': -i}]", "jsonb", Comparison.Json),
        new("mp", "MAP {'k' || i: i::INTEGER}", "jsonb", Comparison.Json),
    ];

    private static readonly TypeColumn UuidColumn = new("uuid", "uuid()", "varchar(36)");
    private static readonly TypeColumn IntervalColumn = new("span", "INTERVAL (i) DAY", "varchar(100)");

    private const int Rows = 2_000;

    private static string Select(params TypeColumn[] columns) => Select(Rows, columns);

    internal static string Select(int rows, TypeColumn[] columns) => $"SELECT {string.Join(", ", columns.Select(c => c.Select))} FROM range({rows}) t(i)";

    /// <summary>
    /// The class's files, written once by one run of DuckDB: the matrix (every codec × page version, all types
    /// in each, several row groups) and a file for each type outside the matrix.
    /// </summary>
    public sealed class Files : IAsyncLifetime
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("redshifter-duckdb-");
        private IReadOnlyList<DuckDbParquet.Expected> _files = [];

        public DuckDbParquet.Expected Of(string name) => _files.Single(f => Path.GetFileName(f.Path) == name + ".parquet");

        public async Task InitializeAsync()
        {
            var matrix = Codecs.SelectMany(codec => PageVersions.Select(version =>
                new DuckDbParquet.Job(Select(AllTypes), Path.Combine(_dir.FullName, $"all_{codec}_{version}.parquet"), codec, version, RowGroupSize: 700)));
            DuckDbParquet.Job[] others =
            [
                new(Select(AllTypes[0], UuidColumn), Path.Combine(_dir.FullName, "uuid.parquet"), ParquetVersion: "v2"),
                new(Select(AllTypes[0], IntervalColumn), Path.Combine(_dir.FullName, "interval.parquet"), ParquetVersion: "v2"),
                new(Select(NestedColumns), Path.Combine(_dir.FullName, "nested_v1.parquet"), ParquetVersion: "v1"),
                new(Select(NestedColumns), Path.Combine(_dir.FullName, "nested_v2.parquet"), ParquetVersion: "v2"),
                new(Select(AllTypes[0], NestedColumns[1]), Path.Combine(_dir.FullName, "struct_v2.parquet"), ParquetVersion: "v2"),
            ];
            _files = await DuckDbParquet.WriteAsync([.. matrix, .. others]);
        }

        public Task DisposeAsync()
        {
            _dir.Delete(recursive: true);
            return Task.CompletedTask;
        }
    }
}
