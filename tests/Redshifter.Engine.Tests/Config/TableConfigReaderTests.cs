using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Tests.Config;

public sealed class TableConfigReaderTests
{
    internal const string Pages = """
        pages:
          dest: pages
          columns:
            - dest: id
              type: bigint
              primarykey: true
              notnull: true
            - dest: url
              type: text
              defaultval: "''"
            - dest: time
              type: timestamp
              sortord: 1
              distkey: true
          meta:
            schema: api
            datadatecolumn: time
        """;

    private static RedshifterException Invalid(string yaml, string schema = "api", string table = "pages")
    {
        var ex = Assert.Throws<RedshifterException>(() => TableConfigReader.Parse(yaml, "pages.yml", schema, table));
        Assert.Equal(ErrorIds.InvalidConfig, ex.ErrorId);
        Assert.Contains("pages.yml", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Reads_the_original_format()
    {
        var c = TableConfigReader.Parse(Pages, "pages.yml", "api", "pages");
        Assert.Equal("time", c.DataDateColumn);
        Assert.Equal(["id", "url", "time"], c.Columns.Select(x => x.Name));
        Assert.True(c.Columns[0].PrimaryKey && c.Columns[0].NotNull);
        Assert.Equal(new ColumnType(ColumnKind.Varchar, 256), c.Columns[1].Type);
        Assert.Equal("''", c.Columns[1].Default);
        Assert.Equal(1, c.Columns[2].SortOrdinal);
        Assert.True(c.Columns[2].DistKey);
    }

    [Fact]
    public void Reads_BOM_and_CRLF()
    {
        var c = TableConfigReader.Parse("\uFEFF" + Pages.Replace("\n", "\r\n", StringComparison.Ordinal), "pages.yml", "api", "pages");
        Assert.Equal(3, c.Columns.Count);
    }

    [Fact]
    public void Finds_the_entry_by_dest_or_by_key()
    {
        var yaml = "other:\n  dest: pages\n  columns:\n    - dest: t\n      type: date\n  meta:\n    schema: api\n    datadatecolumn: t\nsessions:\n  columns:\n    - dest: t\n      type: date\n  meta:\n    schema: api\n    datadatecolumn: t\n";
        Assert.Equal("pages", TableConfigReader.Parse(yaml, "x.yml", "api", "pages").Table);
        Assert.Equal("sessions", TableConfigReader.Parse(yaml, "x.yml", "api", "sessions").Table);
    }

    [Fact]
    public void Missing_table_in_config() => Assert.Contains("no entry for table 'nope'", Invalid(Pages, table: "nope").Message, StringComparison.Ordinal);

    [Fact]
    public void Mismatched_schema() => Assert.Contains("meta.schema is 'api' but the destination schema is 'web'", Invalid(Pages, schema: "web").Message, StringComparison.Ordinal);

    [Fact]
    public void Missing_data_date_column() =>
        Assert.Contains("meta.datadatecolumn is missing", Invalid(Pages.Replace("    datadatecolumn: time", "", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void Data_date_column_not_among_the_columns() =>
        Assert.Contains("'when' is not one of the columns", Invalid(Pages.Replace("datadatecolumn: time", "datadatecolumn: when", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void Unknown_type() =>
        Assert.Contains("unknown type 'blob'", Invalid(Pages.Replace("type: bigint", "type: blob", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void Duplicate_column() =>
        Assert.Contains("column 'url' is listed twice", Invalid(Pages.Replace("dest: time", "dest: url", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("x\"; drop table pages; --")]
    [InlineData("1abc")]
    [InlineData("has space")]
    public void Invalid_identifiers_are_rejected(string name) =>
        Assert.Contains("not a valid column name", Invalid(Pages.Replace("dest: url", $"dest: '{name}'", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_default_cannot_smuggle_a_statement() =>
        Assert.Contains("contains ';'", Invalid(Pages.Replace("defaultval: \"''\"", "defaultval: \"0; drop table x\"", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void Syntax_errors_name_line_and_column()
    {
        var ex = Invalid("pages:\n  dest: pages\n  columns: [ oops\n");
        Assert.Matches("line \\d+, column \\d+", ex.Message);
    }

    [Fact]
    public void Tabs_are_explained() => Assert.Contains("tabs", Invalid("pages:\n\tdest: pages\n").Message, StringComparison.Ordinal);

    [Fact]
    public void Every_problem_is_listed()
    {
        var ex = Invalid(Pages.Replace("type: bigint", "type: blob", StringComparison.Ordinal).Replace("schema: api", "schema: web", StringComparison.Ordinal));
        Assert.Contains("blob", ex.Message, StringComparison.Ordinal);
        Assert.Contains("meta.schema", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class ColumnTypeTests
{
    [Theory]
    [InlineData("boolean", "BOOLEAN", "BOOLEAN")]
    [InlineData("smallint", "SMALLINT", "SMALLINT")]
    [InlineData("int", "INTEGER", "INTEGER")]
    [InlineData("bigint", "BIGINT", "BIGINT")]
    [InlineData("float", "DOUBLE PRECISION", "DOUBLE PRECISION")]
    [InlineData("real", "REAL", "REAL")]
    [InlineData("numeric(12,2)", "NUMERIC(12,2)", "NUMERIC(12,2)")]
    [InlineData("decimal(5,0)", "NUMERIC(5,0)", "NUMERIC(5,0)")]
    [InlineData("date", "DATE", "DATE")]
    [InlineData("timestamp", "TIMESTAMP", "TIMESTAMP")]
    [InlineData("timestamptz", "TIMESTAMPTZ", "TIMESTAMPTZ")]
    [InlineData("text", "VARCHAR(256)", "VARCHAR(256)")]
    [InlineData("longtext", "VARCHAR(65535)", "VARCHAR(65535)")]
    [InlineData("varchar(20)", "VARCHAR(20)", "VARCHAR(20)")]
    [InlineData("char(3)", "CHAR(3)", "CHAR(3)")]
    [InlineData("super", "SUPER", "JSONB")]
    public void Every_config_type_has_both_spellings(string config, string redshift, string postgres)
    {
        var t = ColumnType.ParseConfig(config)!;
        Assert.Equal(redshift, t.RedshiftSql);
        Assert.Equal(postgres, t.PostgresSql);
    }

    [Theory]
    [InlineData("character varying(256)", "text")]
    [InlineData("timestamp without time zone", "timestamp")]
    [InlineData("timestamp with time zone", "timestamptz")]
    [InlineData("numeric(12,2)", "numeric(12,2)")]
    [InlineData("jsonb", "super")]
    [InlineData("integer", "int")]
    [InlineData("double precision", "float")]
    [InlineData("character(3)", "char(3)")]
    public void Reads_the_catalog_spelling(string catalog, string config) => Assert.Equal(config, ColumnType.ParseCatalog(catalog)!.ConfigText);

    [Theory]
    [InlineData("varchar(0)")]
    [InlineData("varchar(70000)")]
    [InlineData("numeric(40,2)")]
    [InlineData("numeric(5,6)")]
    [InlineData("int(3)")]
    [InlineData("blob")]
    public void Rejects_what_is_not_a_type(string text) => Assert.Null(ColumnType.ParseConfig(text));

    [Fact]
    public void Varchar_lengths_are_compatible_other_differences_are_not()
    {
        Assert.True(ColumnType.ParseConfig("varchar(10)")!.IsCompatibleWith(ColumnType.ParseConfig("text")!));
        Assert.False(ColumnType.ParseConfig("int")!.IsCompatibleWith(ColumnType.ParseConfig("bigint")!));
        Assert.False(ColumnType.ParseConfig("numeric(10,2)")!.IsCompatibleWith(ColumnType.ParseConfig("numeric(10,3)")!));
    }
}
