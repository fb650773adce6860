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

    private static async Task<(List<object?[]> Rows, string? Error)> JsonOutcome(string text, RecordLayout layout, bool fastPath)
    {
        var rows = new List<object?[]>();
        try
        {
            await new JsonRecordReader(layout, "s3://b/k.json", batchSize: 3) { FastPath = fastPath }.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), (b, _) => { rows.AddRange(b.Rows()); b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None);
            return (rows, null);
        }
        catch (RedshifterException ex)
        {
            return (rows, ex.Message);
        }
    }

    private static async Task<List<object?[]>> Delimited(string text, RecordLayout layout, bool csv, char delimiter, int header = 0)
    {
        var rows = new List<object?[]>();
        await new DelimitedRecordReader(layout, "s3://b/k", new DelimitedOptions(csv, delimiter, header), batchSize: 2).ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), (b, _) => { rows.AddRange(b.Rows()); b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None);
        return rows;
    }

    [Fact]
    public void A_refused_value_longer_than_the_detail_keeps_is_marked_as_cut_from_text_and_from_UTF8()
    {
        var column = new TargetColumn("n", ColumnType.ParseConfig("int")!, null);
        var written = new string('7', LoadErrorDetail.ValueLimit + 50);
        foreach (var value in new[] { RecordErrors.Written(written.AsSpan()), RecordErrors.Written(Encoding.UTF8.GetBytes(written)) })
        {
            var detail = Assert.Single(RecordErrors.Refused("s3://b/k.csv", 3, column, new ValueConversionException("too long"), value).Details);
            Assert.Equal(LoadErrorDetail.ValueLimit, detail.Value!.Length);
            Assert.EndsWith("7…", detail.Value, StringComparison.Ordinal);
        }
        // A value of exactly the limit is whole, with no mark.
        var exact = new string('7', LoadErrorDetail.ValueLimit);
        Assert.Equal(exact, Assert.Single(RecordErrors.Refused("s3://b/k.csv", 3, column, new ValueConversionException("x"), RecordErrors.Written(exact.AsSpan())).Details).Value);
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
    [InlineData("2015-07-01T12:00:00+02:00", "2015-07-01T12:00:00")] // the offset is ignored, as Redshift does for TIMESTAMP
    [InlineData("2015-07-01 10:00:00", "2015-07-01T10:00:00")]
    [InlineData("2015-07-01T10:00:00.123456", "2015-07-01T10:00:00.123456")]
    [InlineData("2015-07-01", "2015-07-01T00:00:00")]
    public void Timestamps_like_TIMEFORMAT_auto(string text, string expected)
    {
        var value = new TargetColumn("t", ColumnType.ParseConfig("timestamp")!, null).Convert(text, FieldKind.Text);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    // .NET parses a number beyond a float's range to infinity and one too small to zero, without a word; PostgreSQL
    // and Redshift refuse both ("out of range"). A real is read as a real, rounded once.
    [Theory]
    [InlineData("float", "1e400", "too large", null)]
    [InlineData("float", "-1.5e309", "too large", null)]
    [InlineData("float", "1e-400", "too small, other than zero", null)]
    [InlineData("real", "1e39", "too large", "float")]
    [InlineData("real", "-3.5e38", "too large", "float")]
    [InlineData("real", "1e-50", "too small, other than zero", "float")]
    public void A_number_beyond_a_float_s_range_is_refused_never_stored_as_infinity_or_zero(string type, string text, string why, string? fits)
    {
        var column = new TargetColumn("x", ColumnType.ParseConfig(type)!, null);
        foreach (var kind in new[] { FieldKind.Text, FieldKind.JsonNumber })
        {
            var batch = new RowBatch(new RecordLayout([column]), 1);
            batch.BeginRow();
            var ex = Assert.Throws<ValueConversionException>(() => column.Parse(Encoding.UTF8.GetBytes(text), kind, batch, 0));
            Assert.Equal($"'{text}' is out of range for {type}: {why}", ex.Message);
            Assert.Equal(fits, ex.Fits);
        }
    }

    [Theory]
    [InlineData("float", "0", 0.0)]
    [InlineData("float", "-0.0", -0.0)]
    [InlineData("float", "0e500", 0.0)]
    [InlineData("float", "5e-324", 5e-324)]
    [InlineData("float", "1.7976931348623157e308", double.MaxValue)]
    [InlineData("float", "-Infinity", double.NegativeInfinity)]
    [InlineData("float", "NaN", double.NaN)]
    [InlineData("real", "3.4028235e38", (double)float.MaxValue)]
    [InlineData("real", "1e-40", (double)1e-40f)] // a subnormal real, as PostgreSQL takes it
    [InlineData("real", "Infinity", double.PositiveInfinity)]
    [InlineData("real", "1.0000000596046448", (double)1.0000001f)] // just above halfway between two reals: through a double it would round down to 1
    public void Numbers_within_a_float_s_range_keep_their_value(string type, string text, double expected)
    {
        var value = new TargetColumn("x", ColumnType.ParseConfig(type)!, null).Convert(text, FieldKind.Text);
        Assert.Equal(expected, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
        if (expected == 0) Assert.Equal(double.IsNegative(expected), double.IsNegative(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_Parquet_double_beyond_a_real_s_range_is_refused()
    {
        var layout = Layout(("r", "real", null));
        var batch = new RowBatch(layout, 4);
        foreach (var wide in new[] { 1e300, -1e39, 1e-50 })
        {
            batch.BeginRow();
            var ex = Assert.Throws<ValueConversionException>(() => batch.SetValue(0, wide));
            Assert.Equal("float", ex.Fits);
        }
        batch.BeginRow();
        batch.SetValue(0, double.NegativeInfinity);
        batch.SetValue(0, 0.25);
        batch.EndRow();
        Assert.Equal(0.25f, Assert.Single(batch.Rows())[0]);
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

    [Fact]
    public async Task The_fast_JSON_path_reads_every_record_as_the_full_reader_does()
    {
        var layout = Layout(("id", "bigint", null), ("name", "varchar(8)", null), ("at", "timestamp", null), ("score", "float", null), ("ok", "boolean", null),
            ("n", "int", 7), ("doc", "super", null), ("tz", "timestamptz", null), ("amount", "numeric(8,2)", 1.5m), ("r", "real", null), ("s", "smallint", null),
            ("d", "date", null), ("c", "char(2)", "zz"));
        string[] keys = ["id", "ID", "Name", "at", "score", "ok", "n", "doc", "tz", "amount", "r", "s", "d", "c", "unknown", "na\\u006De", "\u00e9"];
        string[] values =
        [
            "1", "-0", "0", "12345678901234567890", "1.5", "-2.5e3", "1E2", "0.1", "1e400", "32768", "-2147483649", "01", "1.", "-", "+1", ".5", "1e", "2.", "-01",
            "\"x\"", "\"\"", "\"héllo wörld\"", "\"😀😀😀\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"a\tb\"", "\"abcdefghijk\"", "\"abcdefghijklmnopqrstu\\\"vw\"", "\"abcdefghijklmnopqr\tst\"", "\"abcdefghijklmnopqrstuvwxyz0123456789é\"", "\"ééééé\"", "\"  42 \"", "\"1e3\"", "\"12.345\"",
            "true", "false", "null", "tru", "nul", "True", "\"t\"", "\"yes\"", "\"0\"",
            "\"2015-07-01T12:00:00+02:00\"", "\"2015-07-01 10:00:00\"", "\"2015-07-01T10:00:00.1234567Z\"", "1435744800", "\"1435744800000\"", "\"2015-02-30\"", "\"Jul 1 2015\"",
            "{\"a\":[1,2]}", "[1, 2]", "{}", "[]", "{\"a\":", "x", "'a'",
        ];
        string[] blanks = ["", "", "", " ", "\n", "\t", "\r\n"];
        var random = new Random(5);
        for (var i = 0; i < 3000; i++)
        {
            var text = new StringBuilder();
            for (var record = random.Next(1, 6); record > 0; record--)
            {
                text.Append(blanks[random.Next(blanks.Length)]).Append('{');
                for (var field = random.Next(0, 7); field > 0; field--)
                {
                    text.Append(blanks[random.Next(blanks.Length)]).Append('"').Append(keys[random.Next(keys.Length)]).Append('"').Append(blanks[random.Next(blanks.Length)]).Append(':')
                        .Append(blanks[random.Next(blanks.Length)]).Append(values[random.Next(values.Length)]).Append(blanks[random.Next(blanks.Length)]);
                    if (field > 1) text.Append(random.Next(50) == 0 ? "" : ",");
                }
                text.Append(random.Next(100) == 0 ? "" : "}").Append(random.Next(4) == 0 ? "" : "\n");
            }
            var json = text.ToString();
            if (random.Next(20) == 0) json = json[..random.Next(json.Length)];
            var fast = await JsonOutcome(json, layout, fastPath: true);
            var full = await JsonOutcome(json, layout, fastPath: false);
            Assert.True(full.Error == fast.Error, $"{json}\nfull: {full.Error}\nfast: {fast.Error}");
            Assert.Equal(full.Rows.Count, fast.Rows.Count);
            for (var r = 0; r < full.Rows.Count; r++) Assert.True(full.Rows[r].SequenceEqual(fast.Rows[r]), $"{json}\nrow {r}: {string.Join("|", full.Rows[r])} vs {string.Join("|", fast.Rows[r])}");
        }
    }

    [Fact]
    public async Task Json_text_that_is_not_utf8_is_a_CopyFailed_naming_the_column()
    {
        var bytes = "{\"id\":1,\"name\":\"a"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("\"}"u8.ToArray()).ToArray();
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => new JsonRecordReader(Layout(("id", "bigint", null), ("name", "text", null)), "s3://b/k.json").ReadAsync(new MemoryStream(bytes), (b, _) => ValueTask.FromResult(b), CancellationToken.None));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("column 'name'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Typed_values_become_column_values_in_one_place()
    {
        var layout = Layout(("i", "int", null), ("f", "float", null), ("m", "numeric(6,2)", null), ("t", "timestamp", null), ("tz", "timestamptz", null), ("d", "date", null), ("v", "varchar(3)", null), ("j", "super", null), ("b", "boolean", null));
        var batch = new RowBatch(layout, 2);
        batch.BeginRow();
        batch.SetValue(0, 42L);
        batch.SetValue(1, 2.5f);
        batch.SetValue(2, 1.005m);
        batch.SetValue(3, new DateTimeOffset(2015, 7, 1, 12, 0, 0, TimeSpan.FromHours(2)));
        batch.SetValue(4, new DateTime(2015, 7, 1, 10, 0, 0, DateTimeKind.Unspecified));
        batch.SetValue(5, new DateOnly(2015, 7, 1));
        batch.SetValue(6, "abcdef");
        batch.SetValue(7, "{\"a\":1}");
        batch.SetValue(8, "yes");
        batch.EndRow();
        // A value with an offset into timestamp keeps its wall-clock time, as text with an offset does;
        // digits past the scale are cut, as Redshift's COPY cuts them (it does not round).
        Assert.Equal([42, 2.5, 1.00m, new DateTime(2015, 7, 1, 12, 0, 0), new DateTime(2015, 7, 1, 10, 0, 0, DateTimeKind.Utc), new DateOnly(2015, 7, 1), "abc", "{\"a\":1}", true], batch.Rows().Single());
        batch.BeginRow();
        Assert.Throws<ValueConversionException>(() => batch.SetValue(0, 1L << 40));
        Assert.Throws<ValueConversionException>(() => batch.SetValue(2, 12345.5m));
        Assert.Throws<ValueConversionException>(() => batch.SetValue(3, "not a time"));
    }
}
