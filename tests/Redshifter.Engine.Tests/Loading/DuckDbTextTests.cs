using Redshifter.Engine.Sources;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// JSON and CSV files as another tool writes them: DuckDB's own spellings of every type (timestamps with a space,
/// offsets as "+00", doubles in its shortest form, decimals to 38 digits, quoted empty strings), loaded into the
/// real PostgreSQL and compared value for value with the values DuckDB wrote.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DuckDbTextTests(ServersFixture fixture, DuckDbTextTests.Files files) : ParquetFileLoadTests(fixture, "duckt_"), IClassFixture<DuckDbTextTests.Files>
{
    private static readonly TypeColumn[] AllTypes = DuckDbParquetTests.AllTypes;

    [Theory]
    [InlineData("all.json", DataFormat.Json, Compression.None, 0)]
    [InlineData("all.json.gz", DataFormat.Json, Compression.Gzip, 0)]
    [InlineData("all.json.zst", DataFormat.Json, Compression.Zstd, 0)]
    [InlineData("all.csv", DataFormat.Csv, Compression.None, 0)]
    [InlineData("header.csv.gz", DataFormat.Csv, Compression.Gzip, 1)]
    public async Task Every_type_loads_as_DuckDB_wrote_it(string name, DataFormat format, Compression compression, int ignoreHeader)
    {
        var expected = files.Of(name);
        var table = "t_" + name.Replace('.', '_');
        await LoadAsync(expected, table, AllTypes, format: format, compression: compression, ignoreHeader: ignoreHeader);
        AssertSameValues(As(format, expected, AllTypes), await ReadBackAsync(table, AllTypes), AllTypes);
    }

    /// <summary>
    /// Values at the edges of their types, and text that needs quoting, in the spellings DuckDB writes; timestamptz
    /// values written with the offsets of three zones (UTC, +05:45, and one with daylight saving time).
    /// </summary>
    [Theory]
    [InlineData("edges_utc.json", DataFormat.Json)]
    [InlineData("edges_kathmandu.json", DataFormat.Json)]
    [InlineData("edges_sao_paulo.json", DataFormat.Json)]
    [InlineData("edges_utc.csv", DataFormat.Csv)]
    [InlineData("edges_kathmandu.csv", DataFormat.Csv)]
    [InlineData("edges_sao_paulo.csv", DataFormat.Csv)]
    public async Task Values_at_the_edges_of_their_types_load_as_DuckDB_wrote_them(string name, DataFormat format)
    {
        var expected = files.Of(name);
        var table = "e_" + name.Replace('.', '_');
        await LoadAsync(expected, table, EdgeColumns, format: format);
        AssertSameValues(As(format, expected, EdgeColumns), await ReadBackAsync(table, EdgeColumns), EdgeColumns);
    }

    /// <summary>
    /// The values a load of the file holds: DuckDB writes NULL as an empty CSV field, and Redshift's COPY (CSV,
    /// without EMPTYASNULL, as DESIGN §5 spells it) loads an empty field into a varchar as '' ("Empty fields for other
    /// data types, such as INT, are always loaded with NULL": AWS, COPY data conversion parameters, EMPTYASNULL).
    /// </summary>
    private static DuckDbParquet.Expected As(DataFormat format, DuckDbParquet.Expected expected, TypeColumn[] columns)
    {
        if (format != DataFormat.Csv) return expected;
        var text = columns.Select(c => c.PostgresType.StartsWith("varchar", StringComparison.Ordinal)).ToArray();
        return expected with { Rows = [.. expected.Rows.Select(row => row.Select((v, i) => v ?? (text[i] ? "" : null)).ToArray())] };
    }

    internal static readonly TypeColumn[] EdgeColumns =
    [
        new("id", "i::BIGINT", "bigint"),
        new("dbl", "(CASE i WHEN 0 THEN -0.0 WHEN 1 THEN 5e-324 WHEN 2 THEN 1.7976931348623157e308 WHEN 4 THEN -2.2250738585072014e-308 WHEN 5 THEN 0.1 WHEN 6 THEN 1e22 ELSE 123456789.125 END)::DOUBLE", "double precision", Comparison.Double),
        new("flt", "(CASE i WHEN 0 THEN 1.4e-45 WHEN 1 THEN 3.4028235e38 WHEN 2 THEN 1.1754944e-38 WHEN 4 THEN 16777217 WHEN 5 THEN 0.1 ELSE -7.5 END)::FLOAT", "real", Comparison.Real),
        new("ts", "(CASE i WHEN 0 THEN '0001-01-01 00:00:00' WHEN 1 THEN '9999-12-31 23:59:59.999999' WHEN 2 THEN '1582-10-10 12:00:00' WHEN 4 THEN '1969-12-31 23:59:59.000001' WHEN 5 THEN '2000-02-29 00:00:00.5' ELSE '1900-02-28 23:59:59' END)::TIMESTAMP", "timestamp"),
        new("tstz", "(CASE i WHEN 0 THEN '2024-03-31 01:30:00+00' WHEN 1 THEN '2024-10-27 00:59:59.999999+00' WHEN 2 THEN '1999-12-31 23:59:59+00' WHEN 4 THEN '2038-01-19 03:14:08+00' WHEN 5 THEN '2024-02-18 02:30:00+00' ELSE '2016-12-31 23:59:59.5+00' END)::TIMESTAMPTZ", "timestamptz"),
        new("day", "(CASE i WHEN 0 THEN '0001-01-01' WHEN 1 THEN '9999-12-31' WHEN 2 THEN '1582-10-10' WHEN 4 THEN '2000-02-29' WHEN 5 THEN '1900-03-01' ELSE '1970-01-01' END)::DATE", "date"),
        new("d38", "(CASE i WHEN 0 THEN '-99999999999999999999999999999999999999' WHEN 1 THEN '99999999999999999999999999999999999999' WHEN 2 THEN '0' WHEN 4 THEN '1' WHEN 5 THEN '-1' ELSE '10000000000000000000000000000000000000' END)::DECIMAL(38,0)", "numeric(38,0)"),
        new("frac37", "(CASE i WHEN 0 THEN '-9.9999999999999999999999999999999999999' WHEN 1 THEN '9.9999999999999999999999999999999999999' WHEN 2 THEN '0' WHEN 4 THEN '0.0000000000000000000000000000000000001' ELSE '-0.5' END)::DECIMAL(38,37)", "numeric(38,37)"),
        new("txt", "CASE i WHEN 0 THEN 'line' || chr(10) || 'break' WHEN 1 THEN 'crlf' || chr(13) || chr(10) || 'end' WHEN 2 THEN ' spaced ' WHEN 4 THEN 'tab' || chr(9) || '\"q\",' WHEN 5 THEN 'back\\slash' ELSE 'NULL' END", "varchar(100)"),
    ];

    /// <summary>The class's files, written once by one run of DuckDB.</summary>
    public sealed class Files : IAsyncLifetime
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("redshifter-duckdb-text-");
        private IReadOnlyList<DuckDbParquet.Expected> _files = [];

        public DuckDbParquet.Expected Of(string name) => _files.Single(f => Path.GetFileName(f.Path) == name);

        public async Task InitializeAsync()
        {
            var select = DuckDbParquetTests.Select(2_000, AllTypes);
            DuckDbParquet.Job Job(string name, string format, string compression = "uncompressed", bool header = false) =>
                new(select, Path.Combine(_dir.FullName, name), compression, Format: format, Header: header);
            var edges = DuckDbParquetTests.Select(7, EdgeColumns);
            var zones = new[] { ("utc", "UTC"), ("kathmandu", "Asia/Kathmandu"), ("sao_paulo", "America/Sao_Paulo") };
            _files = await DuckDbParquet.WriteAsync(
            [
                Job("all.json", "json"), Job("all.json.gz", "json", "gzip"), Job("all.json.zst", "json", "zstd"),
                Job("all.csv", "csv"), Job("header.csv.gz", "csv", "gzip", header: true),
                .. zones.SelectMany(z => new[] { "json", "csv" }.Select(format =>
                    new DuckDbParquet.Job(edges, Path.Combine(_dir.FullName, $"edges_{z.Item1}.{format}"), "uncompressed", Format: format, TimeZone: z.Item2))),
            ]);
        }

        public Task DisposeAsync()
        {
            _dir.Delete(recursive: true);
            return Task.CompletedTask;
        }
    }
}
