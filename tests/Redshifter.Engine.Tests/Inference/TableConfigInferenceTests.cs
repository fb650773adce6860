using Redshifter.Engine.Errors;
using Redshifter.Engine.Inference;

namespace Redshifter.Engine.Tests.Inference;

public sealed class TableConfigInferenceTests
{
    private static string Infer(SampleKind kind, params string?[] values)
    {
        var p = new ColumnProfile("c");
        foreach (var v in values) p.Observe(v == null ? SampleKind.Null : kind, v);
        return p.ConfigType;
    }

    [Theory]
    [InlineData("boolean", "true", "false")]
    [InlineData("smallint", "true", "7")]
    [InlineData("smallint", "1", "-32768")]
    [InlineData("int", "1", "40000")]
    [InlineData("bigint", "1", "3000000000")]
    [InlineData("numeric(5,2)", "1", "123.45")]
    [InlineData("numeric(22,0)", "1", "1234567890123456789012")]
    [InlineData("float", "1", "1.5e10")]
    [InlineData("date", "2015-07-01", "2015-07-02")]
    [InlineData("timestamp", "2015-07-01", "2015-07-01 10:00:00")]
    [InlineData("timestamptz", "2015-07-01T10:00:00", "2015-07-01T10:00:00+02:00")]
    [InlineData("timestamptz", "2015-07-01T10:00:00Z")]
    [InlineData("varchar(16)", "1", "abc")]
    [InlineData("varchar(16)", "2015-07-01", "12")]
    [InlineData("text", null, null)]
    public void Widens_text_fields_like_a_csv_sample(string expected, params string?[] values) =>
        Assert.Equal(expected, Infer(SampleKind.Text, values));

    [Fact]
    public void Json_kinds_keep_their_type()
    {
        var p = new ColumnProfile("c");
        p.Observe(SampleKind.Boolean, "true");
        p.Observe(SampleKind.Number, "12");
        Assert.Equal("smallint", p.ConfigType);
        var s = new ColumnProfile("s");
        s.Observe(SampleKind.String, "123"); // a quoted number stays text in JSON
        Assert.Equal("varchar(16)", s.ConfigType);
        var n = new ColumnProfile("n");
        n.Observe(SampleKind.Nested, "{\"a\":1}");
        n.Observe(SampleKind.Number, "1");
        Assert.Equal("super", n.ConfigType);
    }

    [Theory]
    [InlineData(1, "varchar(16)")]
    [InlineData(17, "varchar(32)")]
    [InlineData(200, "text")]
    [InlineData(256, "text")]
    [InlineData(257, "varchar(512)")]
    [InlineData(32768, "varchar(32768)")]
    [InlineData(32769, "longtext")]
    public void Sizes_strings_to_a_power_of_two(int bytes, string expected) =>
        Assert.Equal(expected, ColumnProfile.VarcharType(bytes));

    [Fact]
    public void Writes_the_config_format_in_first_seen_order_with_the_data_date_column_as_sort_key()
    {
        var inference = new TableConfigInference();
        Record(inference, ("ID", SampleKind.Number, "1"), ("Url", SampleKind.String, "https://e.com/a"), ("time", SampleKind.String, "2015-07-01T00:00:00"));
        Record(inference, ("id", SampleKind.Number, "2"), ("time", SampleKind.String, "2015-07-01T01:00:00"), ("extra", SampleKind.Nested, "[1]"));
        var yaml = inference.ToYaml(new InferenceOptions { Schema = "api", Table = "pages", SourceUri = "s3://b/api_pages_x.json" });
        var expected = string.Join('\n',
            "# Table config for api.pages, inferred by New-RedshiftTableConfig",
            "# from s3://b/api_pages_x.json",
            "# sample: 2 records. Review the types before the first load.",
            "pages:",
            "  dest: pages",
            "  columns:",
            "    - dest: id",
            "      type: smallint  # 2 values",
            "    - dest: url",
            "      type: varchar(16)  # 1 values, 1 null, longest 15 bytes",
            "    - dest: time",
            "      type: timestamp  # 2 values",
            "      notnull: true",
            "      sortord: 1",
            "    - dest: extra",
            "      type: super  # 1 values, 1 null",
            "  meta:",
            "    schema: api",
            "    datadatecolumn: time",
            "");
        Assert.Equal(expected, yaml);
    }

    [Fact]
    public void Without_a_date_column_it_asks_for_one()
    {
        var inference = new TableConfigInference();
        Record(inference, ("id", SampleKind.Number, "1"));
        var ex = Assert.Throws<RedshifterException>(() => inference.ToYaml(new InferenceOptions { Schema = "api", Table = "t" }));
        Assert.Equal(ErrorIds.InvalidArgument, ex.ErrorId);
        Assert.Contains("-DataDateColumn", ex.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_field_name_is_an_error_with_a_suggested_rename()
    {
        var inference = new TableConfigInference();
        inference.BeginRecord();
        var ex = Assert.Throws<RedshifterException>(() => inference.Observe("user name;", SampleKind.String, "x"));
        Assert.Equal(ErrorIds.InvalidConfig, ex.ErrorId);
        Assert.Contains("'user_name'", ex.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefers_the_telling_date_names()
    {
        var inference = new TableConfigInference();
        Record(inference, ("created_at", SampleKind.String, "2015-07-01T00:00:00Z"), ("time", SampleKind.String, "2015-07-01T00:00:00Z"));
        Assert.Equal("time", inference.ChooseDataDateColumn(null));
        Assert.Equal("created_at", inference.ChooseDataDateColumn("Created_At"));
    }

    private static void Record(TableConfigInference inference, params (string Key, SampleKind Kind, string? Text)[] values)
    {
        inference.BeginRecord();
        foreach (var (k, kind, t) in values) inference.Observe(k, kind, t);
        inference.EndRecord(values.Select(v => v.Key.ToLowerInvariant()).ToHashSet());
    }
}
