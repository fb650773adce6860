using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Tests.Config;

namespace Redshifter.Engine.Tests.Tables;

/// <summary>
/// The Redshift DDL, pinned. Written from the AWS documentation's CREATE TABLE grammar
/// (column_name data_type [DEFAULT default_expr] [NOT NULL]; table constraints PRIMARY KEY (…);
/// table attributes DISTSTYLE KEY DISTKEY (column) [COMPOUND] SORTKEY (column, …)) and ALTER TABLE … ADD
/// [COLUMN] column_name column_type [DEFAULT default_expr] [NOT NULL | NULL].
/// </summary>
public sealed class RedshiftDdlGoldenTests
{
    private static TableConfig Config(string yaml) => TableConfigReader.Parse(yaml, "t.yml", "api", "pages");

    [Fact]
    public void Create_with_primary_distribution_and_compound_sort_keys()
    {
        var sql = RedshiftDialect.Instance.CreateTable(Config(TableConfigReaderTests.Pages));
        Assert.Equal(
            "CREATE TABLE \"api\".\"pages\" (\n" +
            "  \"id\" BIGINT NOT NULL,\n" +
            "  \"url\" VARCHAR(256) DEFAULT '',\n" +
            "  \"time\" TIMESTAMP,\n" +
            "  PRIMARY KEY (\"id\")\n" +
            ")\n" +
            "DISTSTYLE KEY DISTKEY (\"time\")\n" +
            "COMPOUND SORTKEY (\"time\")", sql);
    }

    [Fact]
    public void Sort_key_follows_sortord_not_column_order()
    {
        var yaml = "pages:\n  columns:\n    - dest: a\n      type: int\n      sortord: 2\n    - dest: b\n      type: date\n      sortord: 1\n  meta:\n    schema: api\n    datadatecolumn: b\n";
        Assert.EndsWith("\nCOMPOUND SORTKEY (\"b\", \"a\")", RedshiftDialect.Instance.CreateTable(Config(yaml)), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_keys_there_are_no_table_attributes()
    {
        var yaml = "pages:\n  columns:\n    - dest: d\n      type: date\n    - dest: doc\n      type: super\n  meta:\n    schema: api\n    datadatecolumn: d\n";
        Assert.Equal("CREATE TABLE \"api\".\"pages\" (\n  \"d\" DATE,\n  \"doc\" SUPER\n)", RedshiftDialect.Instance.CreateTable(Config(yaml)));
        Assert.Equal("CREATE TABLE \"api\".\"pages\" (\n  \"d\" DATE,\n  \"doc\" JSONB\n)", PostgresDialect.Instance.CreateTable(Config(yaml)));
    }

    [Fact]
    public void PostgreSQL_has_no_distribution_or_sort_keys()
    {
        var sql = PostgresDialect.Instance.CreateTable(Config(TableConfigReaderTests.Pages));
        Assert.DoesNotContain("DISTKEY", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("SORTKEY", sql, StringComparison.Ordinal);
        Assert.EndsWith("  PRIMARY KEY (\"id\")\n)", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_column_with_default_and_not_null()
    {
        var column = new ColumnConfig { Name = "status", Type = ColumnType.ParseConfig("varchar(16)")!, Default = "'new'", NotNull = true };
        Assert.Equal("ALTER TABLE \"api\".\"pages\" ADD COLUMN \"status\" VARCHAR(16) DEFAULT 'new' NOT NULL", RedshiftDialect.Instance.AddColumn("api", "pages", column));
        var plain = new ColumnConfig { Name = "n", Type = ColumnType.ParseConfig("int")! };
        Assert.Equal("ALTER TABLE \"api\".\"pages\" ADD COLUMN \"n\" INTEGER", RedshiftDialect.Instance.AddColumn("api", "pages", plain));
    }

    [Fact]
    public void Add_column_never_carries_keys_and_not_null_needs_a_default()
    {
        var keyed = new ColumnConfig { Name = "k", Type = ColumnType.ParseConfig("int")!, DistKey = true, SortOrdinal = 1, PrimaryKey = true, Default = "0" };
        var sql = RedshiftDialect.Instance.AddColumn("api", "pages", keyed);
        Assert.DoesNotContain("KEY", sql, StringComparison.Ordinal);
        var ex = Assert.Throws<RedshifterException>(() => RedshiftDialect.Instance.AddColumn("api", "pages", new ColumnConfig { Name = "k", Type = ColumnType.ParseConfig("int")!, NotNull = true }));
        Assert.Equal(ErrorIds.SchemaMismatch, ex.ErrorId);
    }

    [Fact]
    public void Odd_but_valid_names_are_quoted()
    {
        var yaml = "Select:\n  columns:\n    - dest: Order\n      type: int\n    - dest: from$2\n      type: date\n    - dest: größe\n      type: real\n  meta:\n    schema: Group\n    datadatecolumn: from$2\n";
        var config = TableConfigReader.Parse(yaml, "t.yml", "Group", "Select");
        // Folded to lower case as Redshift stores them (ASCII letters only): https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
        Assert.Equal("CREATE TABLE \"group\".\"select\" (\n  \"order\" INTEGER,\n  \"from$2\" DATE,\n  \"größe\" REAL\n)", RedshiftDialect.Instance.CreateTable(config));
    }

    [Fact]
    public void Latest_data_date_is_bounded_on_Redshift()
    {
        var queries = RedshiftDialect.Instance.LatestDataDateSql("api", "pages", "time");
        Assert.Equal("SELECT MAX(\"time\") FROM \"api\".\"pages\" WHERE \"time\" >= DATEADD(day, -1, GETDATE())", queries[0]);
        Assert.Equal("SELECT MAX(\"time\") FROM \"api\".\"pages\"", queries[^1]);
        Assert.Equal(5, queries.Count);
        Assert.Single(PostgresDialect.Instance.LatestDataDateSql("api", "pages", "time"));
    }
}

/// <summary>TableDiff's Redshift-only comparisons (sort and distribution keys), which PostgreSQL cannot show.</summary>
public sealed class TableDiffKeyTests
{
    private static readonly TableConfig PagesConfig =
        TableConfigReader.Parse(TableConfigReaderTests.Pages, "t.yml", "api", "pages");

    private static Engine.Tables.ExistingColumn Column(string name, string type, bool notNull = false, string? @default = null, bool pk = false, bool dist = false, int sort = 0) => new()
    {
        Name = name, TypeText = type, Type = ColumnType.ParseCatalog(type), NotNull = notNull, Default = @default, PrimaryKey = pk, DistKey = dist, SortOrdinal = sort,
    };

    [Fact]
    public void A_different_sort_key_is_an_error_on_Redshift()
    {
        var existing = new[]
        {
            Column("id", "bigint", notNull: true, pk: true, sort: 1),
            Column("url", "character varying(256)", @default: "''::character varying"),
            Column("time", "timestamp without time zone", dist: true),
        };
        var diff = Engine.Tables.TableDiff.Compare(PagesConfig, existing, positional: false, compareKeys: true);
        Assert.Contains("column 'id' has sort key ordinal 1 in the table but 0 in the config", diff.Mismatches);
        Assert.Contains("column 'time' has sort key ordinal 0 in the table but 1 in the config", diff.Mismatches);
        Assert.Equal(ErrorIds.SchemaMismatch, diff.ToError(PagesConfig).ErrorId);
        // The same table matches on PostgreSQL, which has no sort keys to compare.
        Assert.Empty(Engine.Tables.TableDiff.Compare(PagesConfig, existing, positional: false, compareKeys: false).Mismatches);
    }

    [Fact]
    public void The_same_schema_is_no_change_and_trailing_columns_are_added()
    {
        var existing = new[]
        {
            Column("id", "bigint", notNull: true, pk: true),
            Column("url", "character varying(256)", @default: "''::character varying"),
        };
        var diff = Engine.Tables.TableDiff.Compare(PagesConfig, existing, positional: true, compareKeys: false);
        Assert.Empty(diff.Mismatches);
        Assert.Equal(["time"], diff.ColumnsToAdd.Select(c => c.Name));
    }
}
