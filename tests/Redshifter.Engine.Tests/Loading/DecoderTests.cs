using System.Text;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>The decoders and value conversion, without servers.</summary>
public sealed class DecoderTests
{
    private static RecordLayout Layout(params (string Name, string Type, object? Missing)[] columns) =>
        new([.. columns.Select(c => new TargetColumn(c.Name, ColumnType.ParseConfig(c.Type)!, c.Missing))]);

    private static async Task<List<object?[]>> Json(string text, RecordLayout layout)
    {
        var rows = new List<object?[]>();
        await new JsonRecordReader(layout, "s3://b/k.json", batchSize: 3).ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), (b, _) => { rows.AddRange(b.Rows()); b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None);
        return rows;
    }

    private static async Task<List<object?[]>> Delimited(string text, RecordLayout layout, bool csv, char delimiter, int header = 0)
    {
        var rows = new List<object?[]>();
        await new DelimitedRecordReader(layout, "s3://b/k", new DelimitedOptions(csv, delimiter, header), batchSize: 2).ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), (b, _) => { rows.AddRange(b.Rows()); b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None);
        return rows;
    }

    [Fact]
    public async Task Json_objects_with_or_without_newlines_mixed_case_keys_nested_and_missing()
    {
        var layout = Layout(("id", "bigint", null), ("name", "varchar(8)", null), ("meta", "text", null), ("doc", "super", null), ("n", "int", 7));
        var rows = await Json("{\"ID\":1,\"Name\":\"abcdefghijk\",\"meta\":{\"a\":[1,2]},\"doc\":\"x\",\"unknown\":5}{\"id\":2}\n\n{\"id\":3,\"doc\":{\"k\":true},\"n\":null}", layout);
        Assert.Equal(3, rows.Count);
        Assert.Equal([1L, "abcdefgh", "{\"a\":[1,2]}", "\"x\"", 7], rows[0]);
        Assert.Equal([2L, null, null, null, 7], rows[1]);
        Assert.Equal([3L, null, null, "{\"k\":true}", null], rows[2]);
    }

    [Fact]
    public async Task Json_record_that_is_not_an_object_names_its_line()
    {
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Json("{\"id\":1}\n{\"id\":2}\n[1,2]\n", Layout(("id", "bigint", null))));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_value_that_does_not_fit_names_line_and_column()
    {
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Json("{\"id\":1}\n{\"id\":\"x1\"}\n", Layout(("id", "bigint", null))));
        Assert.Contains("line 2, column 'id'", ex.Message, StringComparison.Ordinal);
        var truncated = await Assert.ThrowsAsync<RedshifterException>(() => Json("{\"id\":1}\n{\"id\":2", Layout(("id", "bigint", null))));
        Assert.Contains("line 2", truncated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_records_cross_buffer_boundaries()
    {
        var big = new string('x', 3_000_000);
        var rows = await Json($"{{\"id\":1,\"body\":\"{big}\"}}\n{{\"id\":2,\"body\":\"y\"}}", Layout(("id", "bigint", null), ("body", "longtext", null)));
        Assert.Equal(2, rows.Count);
        Assert.Equal(65535, ((string)rows[0][1]!).Length);
    }

    [Theory]
    [InlineData("2015-07-01T10:00:00Z", "2015-07-01T10:00:00")]
    [InlineData("2015-07-01T12:00:00+02:00", "2015-07-01T10:00:00")]
    [InlineData("2015-07-01 10:00:00", "2015-07-01T10:00:00")]
    [InlineData("2015-07-01T10:00:00.123456", "2015-07-01T10:00:00.123456")]
    [InlineData("1435744800", "2015-07-01T10:00:00")]
    [InlineData("1435744800000", "2015-07-01T10:00:00")]
    [InlineData("2015-07-01", "2015-07-01T00:00:00")]
    public void Timestamps_like_TIMEFORMAT_auto(string text, string expected)
    {
        var value = new TargetColumn("t", ColumnType.ParseConfig("timestamp")!, null).Convert(text, FieldKind.Text);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Fact]
    public void Truncates_by_bytes_at_a_character_boundary()
    {
        Assert.Equal("ab", TargetColumn.Truncate("abc", 2));
        Assert.Equal("aé", TargetColumn.Truncate("aéb", 3));
        Assert.Equal("a", TargetColumn.Truncate("aéb", 2));
        Assert.Equal("😀", TargetColumn.Truncate("😀😀", 5));
    }

    [Fact]
    public async Task Csv_quotes_newlines_headers_and_empty_fields()
    {
        var layout = Layout(("id", "int", null), ("name", "text", null), ("amount", "numeric(8,2)", null));
        var rows = await Delimited("id,name,amount\r\n1,\"Smith, \"\"J\"\"\",1.5\n2,\"two\nlines\",\n3,,7\n", layout, csv: true, ',', header: 1);
        Assert.Equal(3, rows.Count);
        Assert.Equal([1, "Smith, \"J\"", 1.50m], rows[0]);
        Assert.Equal([2, "two\nlines", null], rows[1]);
        Assert.Equal([3, "", 7.00m], rows[2]);
    }

    [Fact]
    public async Task Delimited_like_UNLOAD_with_escapes_quotes_blanks_and_empty_as_null()
    {
        var layout = Layout(("a", "text", null), ("b", "text", null), ("c", "int", null));
        var rows = await Delimited("x\\|y|\"quoted|pipe\"|1\nend  ||\nback\\\\slash|line\\\nbreak|3", layout, csv: false, '|');
        Assert.Equal(["x|y", "quoted|pipe", 1], rows[0]);
        Assert.Equal(["end", null, null], rows[1]);
        Assert.Equal(["back\\slash", "line\nbreak", 3], rows[2]);
    }

    [Fact]
    public async Task Too_many_fields_is_an_error_naming_the_line()
    {
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Delimited("1|a\n2|b|c\n", Layout(("id", "int", null), ("v", "text", null)), csv: false, '|'));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3 field(s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_an_error()
    {
        var rows = new List<object?[]>();
        var bytes = new byte[] { (byte)'a', (byte)'|', 0xC3, 0x28, (byte)'\n' };
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => new DelimitedRecordReader(Layout(("a", "text", null), ("b", "text", null)), "s3://b/k", new DelimitedOptions(false, '|', 0)).ReadAsync(new MemoryStream(bytes), (b, _) => { b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None));
        Assert.Contains("UTF-8", ex.Message, StringComparison.Ordinal);
    }
}
