using System.Text.Json;
using Parquet;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Parquet files from a second independent writer, arrow-rs (tests/tools/arrow), with what DuckDB's files do
/// not have: strings in DELTA_BYTE_ARRAY and DELTA_LENGTH_BYTE_ARRAY (on v1 and v2 data pages), and nested
/// columns (lists, maps, lists of structs and of lists) on data pages v2 in every codec and encoding. Each is loaded into the real PostgreSQL and compared value for value with what
/// DuckDB reads back from it, once DuckDB is shown to read back what the script wrote.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ArrowRsParquetTests(ServersFixture fixture, ArrowRsParquetTests.Files files) : ParquetFileLoadTests(fixture, "arrow_"), IClassFixture<ArrowRsParquetTests.Files>
{
    private static readonly TypeColumn Id = new("id", "", "bigint");
    private static readonly TypeColumn Text = new("s", "", "varchar(1000)");
    private static readonly TypeColumn List = new("li", "", "jsonb", Comparison.Json);

    /// <summary>
    /// Text in every delta encoding loads as written. DELTA_BYTE_ARRAY stores each value as the length in bytes of
    /// the prefix it shares with the value before, and the rest: Parquet.Net 6.1's string decoder cuts that length
    /// in UTF-16 characters, so text that is not ASCII came out changed (the utf8_prefixes files: 'üx' loaded as
    /// 'übx', '日本人' as '日本語テキス人') or made it throw (the delta_byte_array files). Text is now read as
    /// its bytes, which that decoder cuts right.
    /// </summary>
    [Theory]
    [InlineData("delta_byte_array_v1", "DELTA_BYTE_ARRAY", PageV1)]
    [InlineData("delta_byte_array_v2", "DELTA_BYTE_ARRAY", PageV2)]
    [InlineData("delta_byte_array_ascii_v1", "DELTA_BYTE_ARRAY", PageV1)]
    [InlineData("delta_byte_array_ascii_v2", "DELTA_BYTE_ARRAY", PageV2)]
    [InlineData("delta_byte_array_utf8_prefixes_v1", "DELTA_BYTE_ARRAY", PageV1)]
    [InlineData("delta_byte_array_utf8_prefixes_v2", "DELTA_BYTE_ARRAY", PageV2)]
    [InlineData("delta_length_byte_array_v1", "DELTA_LENGTH_BYTE_ARRAY", PageV1)]
    [InlineData("delta_length_byte_array_v2", "DELTA_LENGTH_BYTE_ARRAY", PageV2)]
    public async Task Delta_encoded_strings_load_as_written(string name, string encoding, int pageType)
    {
        var file = files.Of(name);
        // The file is what the test says: the string column in that encoding, on pages of that version.
        Assert.Contains(encoding, file.ReadBack.Encodings["s"]);
        Assert.Equal(pageType, await FirstDataPageTypeAsync(file.ReadBack.Path, "s"));
        TypeColumn[] columns = [Id, Text];
        await LoadAsync(file.ReadBack, name, columns);
        AssertSameValues(file.ReadBack, await ReadBackAsync(name, columns), columns);
    }

    /// <summary>A list&lt;int32&gt; (null lists, empty lists, null elements) and a string column on v1 data pages.</summary>
    [Fact]
    public async Task A_list_and_a_string_column_on_v1_pages_load_as_written()
    {
        var file = files.Of("list_v1");
        Assert.Equal(PageV1, await FirstDataPageTypeAsync(file.ReadBack.Path, "item"));
        TypeColumn[] columns = [Id, List, Text];
        await LoadAsync(file.ReadBack, "list_v1", columns);
        AssertSameValues(file.ReadBack, await ReadBackAsync("list_v1", columns), columns);
    }

    /// <summary>
    /// The same on data pages v2 (writer version 2.0): Parquet.Net 6.1 reads no repetition levels from a
    /// DATA_PAGE_V2 (NotImplementedException), so Redshifter reads the list's chunks itself (ParquetColumnChunk).
    /// </summary>
    [Fact]
    public async Task A_list_and_a_string_column_on_v2_pages_load_as_written()
    {
        var file = files.Of("list_v2");
        Assert.Equal(PageV2, await FirstDataPageTypeAsync(file.ReadBack.Path, "item"));
        Assert.Equal(PageV2, await FirstDataPageTypeAsync(file.ReadBack.Path, "s"));
        TypeColumn[] columns = [Id, List, Text];
        await LoadAsync(file.ReadBack, "list_v2", columns);
        AssertSameValues(file.ReadBack, await ReadBackAsync("list_v2", columns), columns);
    }

    private static readonly TypeColumn[] NestedColumns =
    [
        Id,
        .. new[] { "ls", "mp", "lst", "ll", "ld", "lt", "ldec", "ldec9", "ldec18", "ldbl" }.Select(n => new TypeColumn(n, "", "jsonb", Comparison.Json)),
        new("lf", "", "jsonb", Comparison.JsonReal),
        new("lb", "", "jsonb", Comparison.Json),
    ];

    public static TheoryData<string, bool> CodecsAndDictionary()
    {
        var data = new TheoryData<string, bool>();
        foreach (var codec in DuckDbParquetTests.Codecs) foreach (var dictionary in new[] { true, false }) data.Add(codec, dictionary);
        return data;
    }

    /// <summary>
    /// Nested columns on data pages v2 — lists of text, dates, timestamps, decimals (INT32, INT64, FIXED_LEN_BYTE_ARRAY),
    /// doubles, floats and booleans, a map, a list of structs, a list of lists; null and empty lists and maps, null
    /// elements — in each codec, with dictionary encoding (which falls back part way through a chunk) or without (the
    /// DELTA encodings), load as written. Parquet.Net reads no repetition levels from v2 pages; Redshifter reads these.
    /// </summary>
    [Theory]
    [MemberData(nameof(CodecsAndDictionary))]
    public async Task Nested_columns_on_v2_pages_load_as_written(string codec, bool dictionary)
    {
        var name = $"nested_{codec}_{(dictionary ? "dictionary" : "plain")}_v2";
        var file = files.Of(name);
        Assert.Equal(PageV2, await FirstDataPageTypeAsync(file.ReadBack.Path, "ls, list, item"));
        Assert.Equal(PageV2, await FirstDataPageTypeAsync(file.ReadBack.Path, "mp, entries, value"));
        string[] expected = dictionary ? ["RLE_DICTIONARY", "DELTA_BYTE_ARRAY"] : ["DELTA_BYTE_ARRAY"];
        Assert.Superset(expected.ToHashSet(), file.ReadBack.Encodings["ls, list, item"].ToHashSet());
        Assert.Contains("DELTA_BINARY_PACKED", file.ReadBack.Encodings["ld, list, item"]);
        Assert.Contains("DELTA_BYTE_ARRAY", file.ReadBack.Encodings["ldec, list, item"]);
        await LoadAsync(file.ReadBack, name, NestedColumns);
        AssertSameValues(file.ReadBack, await ReadBackAsync(name, NestedColumns), NestedColumns);
    }

    /// <summary>Nested columns on v2 pages in the encodings arrow-rs writes only when told: PLAIN (all types), DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT.</summary>
    [Theory]
    [InlineData("plain", "PLAIN", "lb, list, item")]
    [InlineData("delta_length_byte_array", "DELTA_LENGTH_BYTE_ARRAY", "ls, list, item")]
    [InlineData("delta_byte_array", "DELTA_BYTE_ARRAY", "ls, list, item")]
    [InlineData("byte_stream_split", "BYTE_STREAM_SPLIT", "lf, list, item")]
    public async Task Nested_columns_in_each_encoding_on_v2_pages_load_as_written(string encoding, string parquetEncoding, string leaf)
    {
        var name = $"nested_encoding_{encoding}_v2";
        var file = files.Of(name);
        Assert.Equal(PageV2, await FirstDataPageTypeAsync(file.ReadBack.Path, leaf));
        Assert.Contains(parquetEncoding, file.ReadBack.Encodings[leaf]);
        var columns = NestedColumns.Where(c => file.Columns.Contains(c.Name)).ToArray();
        await LoadAsync(file.ReadBack, name, columns);
        AssertSameValues(file.ReadBack, await ReadBackAsync(name, columns), columns);
    }

    /// <summary>
    /// Non-ASCII text in a list in DELTA_BYTE_ARRAY on v1 pages: read by Parquet.Net's string decoder, which cuts each
    /// shared prefix in characters where the format counts bytes, this file failed to load (and such text can load
    /// changed, 'üx' as 'übx', as the flat cases above showed); every nested leaf is now read as the bytes the file holds.
    /// </summary>
    [Fact]
    public async Task Nested_text_in_DELTA_BYTE_ARRAY_on_v1_pages_loads_as_written()
    {
        var file = files.Of("nested_encoding_delta_byte_array_v1");
        Assert.Equal(PageV1, await FirstDataPageTypeAsync(file.ReadBack.Path, "ls, list, item"));
        Assert.Contains("DELTA_BYTE_ARRAY", file.ReadBack.Encodings["ls, list, item"]);
        var columns = NestedColumns.Where(c => file.Columns.Contains(c.Name)).ToArray();
        await LoadAsync(file.ReadBack, "nested_delta_v1", columns);
        AssertSameValues(file.ReadBack, await ReadBackAsync("nested_delta_v1", columns), columns);
    }

    /// <summary>The same columns on v1 pages.</summary>
    [Fact]
    public async Task Nested_columns_on_v1_pages_load_as_written()
    {
        var file = files.Of("nested_snappy_dictionary_v1");
        Assert.Equal(PageV1, await FirstDataPageTypeAsync(file.ReadBack.Path, "ls, list, item"));
        await LoadAsync(file.ReadBack, "nested_v1", NestedColumns);
        AssertSameValues(file.ReadBack, await ReadBackAsync("nested_v1", NestedColumns), NestedColumns);
    }

    /// <summary>
    /// Bytes that are not UTF-8 in a nested value read as text (a list of BYTE_ARRAY) fail their row as they do in a
    /// flat column, naming the row and column: never loaded as U+FFFD.
    /// </summary>
    [Fact]
    public async Task Text_in_a_list_that_is_not_UTF8_fails_its_row()
    {
        var file = files.Of("not_utf8_list_v2");
        TypeColumn[] columns = [Id, new("lbin", "", "jsonb", Comparison.Json)];
        var error = await Assert.ThrowsAsync<RedshifterException>(() => LoadAsync(file.ReadBack, "not_utf8", columns));
        Assert.Equal(ErrorIds.CopyFailed, error.ErrorId);
        Assert.StartsWith($"Bad record in s3://{Bucket}/not_utf8_list_v2.parquet at row 8, column 'lbin': the text is not valid UTF-8 (Parquet column 'lbin')", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Fixture.RowsAsync($"SELECT id FROM \"{Schema}\".not_utf8"));
    }

    private const int PageV1 = 0, PageV2 = 3; // Parquet's PageType: DATA_PAGE, DATA_PAGE_V2

    /// <summary>
    /// The type of a column's first data page in the first row group, from its page header (Thrift compact: the
    /// header's first field, 0x15 = field 1 of type i32, then the value zigzag-encoded). The column by its name, or
    /// a leaf of a nested column by its path ("ls, list, item").
    /// </summary>
    private static async Task<int> FirstDataPageTypeAsync(string path, string leaf)
    {
        await using var stream = File.OpenRead(path);
        long offset;
        await using (var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true))
        {
            var field = reader.Schema.GetDataFields().Single(f => f.Name == leaf || string.Join(", ", f.Path.ToList()) == leaf);
            offset = reader.OpenRowGroupReader(0).GetMetadata(field)!.MetaData!.DataPageOffset;
        }
        stream.Position = offset;
        var header = new byte[2];
        await stream.ReadExactlyAsync(header);
        Assert.Equal(0x15, header[0]);
        return header[1] >> 1;
    }

    /// <summary>The class's files, written once by arrow-rs; DuckDB must read back from each exactly what was written.</summary>
    public sealed class Files : IAsyncLifetime
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("redshifter-arrow-");
        private IReadOnlyList<ArrowParquet.File> _files = [];

        public ArrowParquet.File Of(string name) => _files.Single(f => Path.GetFileName(f.ReadBack.Path) == name + ".parquet");

        public async Task InitializeAsync()
        {
            _files = await ArrowParquet.WriteAsync(_dir.FullName);
            Assert.Equal(29, _files.Count);
            // Bytes that are not UTF-8 are not text that could have been written as JSON.
            foreach (var file in _files.Where(f => !Path.GetFileName(f.ReadBack.Path).StartsWith("not_utf8", StringComparison.Ordinal))) AssertReadBackAsWritten(file);
        }

        public Task DisposeAsync()
        {
            _dir.Delete(recursive: true);
            return Task.CompletedTask;
        }

        /// <summary>DuckDB's text of each value is the value written (nested values compared as JSON: <see cref="JsonValues.Same"/>).</summary>
        private static void AssertReadBackAsWritten(ArrowParquet.File file)
        {
            var name = Path.GetFileName(file.ReadBack.Path);
            Assert.Equal(file.Columns, file.ReadBack.Columns.Select(c => c.Name));
            Assert.Equal(file.Written.Count, file.ReadBack.Rows.Count);
            for (var r = 0; r < file.Written.Count; r++)
            {
                for (var c = 0; c < file.Columns.Count; c++)
                {
                    var written = file.Written[r][c];
                    var read = file.ReadBack.Rows[r][c];
                    var same = written.ValueKind switch
                    {
                        JsonValueKind.Null => read == null,
                        JsonValueKind.String => read == written.GetString(),
                        JsonValueKind.Number => read == written.GetRawText(),
                        _ => read != null && JsonValues.Same(written, JsonDocument.Parse(read).RootElement, asReal: file.ReadBack.Columns[c].Type == "FLOAT[]"),
                    };
                    Assert.True(same, $"{name} row {r}, {file.Columns[c]}: written {written.GetRawText()}, DuckDB reads back '{read ?? "NULL"}'");
                }
            }
        }
    }
}
