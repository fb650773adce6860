using Redshifter.Engine.Checks;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Tests.Checks;

/// <summary>The source check's comparisons on their own (issue 17 §2): keys, header, values against config and table.</summary>
public sealed class HeadComparisonTests
{
    private const string Uri = "s3://b/api_pages_2015-07-01T00:00:00Z.json";

    private static TableConfig Config(params (string Name, string Type)[] columns) => new()
    {
        Source = "s3://b/config_api_pages.yml",
        Schema = "api",
        Table = "pages",
        DataDateColumn = columns[0].Name,
        Columns = [.. columns.Select(c => new ColumnConfig { Name = c.Name, Type = ColumnType.ParseConfig(c.Type)! })],
    };

    private static readonly TableConfig Pages = Config(("time", "timestamp"), ("id", "bigint"), ("url", "text"), ("title", "varchar(10)"));

    [Fact]
    public void Keys_no_column_takes_are_one_warning_that_lists_them()
    {
        var warnings = HeadComparison.JsonKeys(["time", "id", "url", "title", "referrer", "Session_Id"], HeadComparison.TargetColumns(Pages, null), 1000, Uri);

        var warning = Assert.Single(warnings);
        Assert.Contains("ignored keys: 'referrer', 'Session_Id'", warning, StringComparison.Ordinal);
        Assert.Contains(Uri, warning, StringComparison.Ordinal);
        Assert.Contains("add columns of that name to the config", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_match_columns_whatever_their_case()
    {
        var warnings = HeadComparison.JsonKeys(["TIME", "Id", "URL", "title"], HeadComparison.TargetColumns(Pages, null), 5, Uri);

        Assert.Empty(warnings);
    }

    [Fact]
    public void Config_columns_no_record_has_are_a_warning_naming_them()
    {
        var warnings = HeadComparison.JsonKeys(["time", "id"], HeadComparison.TargetColumns(Pages, null), 3, Uri);

        var warning = Assert.Single(warnings);
        Assert.Contains("config columns 'url', 'title' are in no record (in the first 3 records)", warning, StringComparison.Ordinal);
        Assert.Contains("NULL", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_warnings_when_keys_are_extra_and_columns_missing()
    {
        var warnings = HeadComparison.JsonKeys(["time", "id", "url", "ttile"], HeadComparison.TargetColumns(Pages, null), 1000, Uri);

        Assert.Equal(2, warnings.Count);
        Assert.Contains("ignored keys: 'ttile'", warnings[0], StringComparison.Ordinal);
        Assert.Contains("config column 'title' is in no record", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_only_the_existing_table_has_is_taken_and_not_reported()
    {
        var table = new TableState
        {
            Schema = "api", Table = "pages", Exists = true,
            Columns = [Existing("time", "timestamp without time zone"), Existing("id", "bigint"), Existing("legacy", "integer")],
        };

        var warnings = HeadComparison.JsonKeys(["time", "id", "url", "title", "legacy"], HeadComparison.TargetColumns(Pages, table), 10, Uri);

        Assert.Empty(warnings);
    }

    [Fact]
    public void An_empty_sample_warns_of_nothing()
    {
        Assert.Empty(HeadComparison.JsonKeys([], HeadComparison.TargetColumns(Pages, null), 0, Uri));
    }

    [Fact]
    public void Parquet_types_go_where_Redshift_takes_them_and_nowhere_else()
    {
        Parquet.Schema.DataField[] fields =
        [
            new Parquet.Schema.DataField<int>("qty"), new Parquet.Schema.DataField<long>("id"), new Parquet.Schema.DataField<string>("doc"),
            new Parquet.Schema.DataField<bool>("active"), new Parquet.Schema.DateTimeDataField("at", Parquet.Schema.DateTimeFormat.DateAndTime),
        ];
        var fits = Config(("qty", "bigint"), ("id", "numeric(20,0)"), ("doc", "super"), ("active", "boolean"), ("at", "timestamptz"));
        HeadComparison.ParquetColumns(fields, HeadComparison.TargetColumns(fits, null), Uri);

        var narrow = Config(("qty", "smallint"), ("id", "int"), ("doc", "text"), ("active", "int"), ("at", "timestamp"));
        var error = Assert.Throws<RedshifterException>(() => HeadComparison.ParquetColumns(fields, HeadComparison.TargetColumns(narrow, null), Uri));

        Assert.Equal(ErrorIds.SchemaMismatch, error.ErrorId);
        Assert.Contains("Parquet column 1 'qty' is INT32, which column 'qty' (smallint) cannot take", error.Message, StringComparison.Ordinal);
        Assert.Contains("Parquet column 2 'id' is INT64, which column 'id' (integer) cannot take", error.Message, StringComparison.Ordinal);
        Assert.Contains("Parquet column 4 'active' is BOOLEAN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'doc'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'at'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'qty' to int, 'id' to bigint, 'active' to boolean", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("numeric(6,2)", 3, "change its type in the config to numeric(7,3)")]
    [InlineData("numeric(12,0)", 5, "change its type in the config to numeric(17,5)")]
    [InlineData("decimal", 2, "change its type in the config to numeric(20,2)")] // Redshift's default is (18,0)
    [InlineData("numeric(38,2)", 3, "no numeric keeps 36 digits before the point and 3 after it (38 digits at most): make the column float, or round the values before the load")]
    public void The_fix_for_cut_decimals_keeps_the_digits_before_the_point(string type, int places, string fix) =>
        Assert.Equal(fix, HeadComparison.ScaleFix(ColumnType.ParseConfig(type)!, places));

    private static ExistingColumn Existing(string name, string type) => new() { Name = name, TypeText = type, Type = ColumnType.ParseCatalog(type) };
}
