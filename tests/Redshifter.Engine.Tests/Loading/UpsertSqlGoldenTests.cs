using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Redshift's upsert SQL, pinned from the AWS documentation: CREATE TABLE … (LIKE parent INCLUDING
/// DEFAULTS) for the staging table; MERGE INTO target USING source_table ON … WHEN MATCHED THEN UPDATE SET
/// col = expr WHEN NOT MATCHED THEN INSERT (cols) VALUES (…) — the source a table (not a subquery), no alias
/// on the target; window functions with ORDER BY … NULLS LAST.
/// </summary>
public sealed class UpsertSqlGoldenTests
{
    private static readonly RedshiftDialect Redshift = RedshiftDialect.Instance;

    [Fact]
    public void The_staging_table_takes_the_targets_defaults()
    {
        Assert.Equal("CREATE TEMP TABLE \"redshifter_staging\" (LIKE \"api\".\"orders\" INCLUDING DEFAULTS)", Redshift.CreateStagingTable("api", "orders"));
    }

    [Fact]
    public void The_COPY_goes_into_the_staging_table_with_the_usual_options()
    {
        var source = new SourceFile { Bucket = "b", Key = "api_orders_2024-01-01T00:00:00Z.json.gz", Schema = "api", Table = "orders", Format = DataFormat.Json, Compression = Compression.Gzip };
        Assert.Equal(
            "COPY \"redshifter_staging\" FROM 's3://b/api_orders_2024-01-01T00:00:00Z.json.gz'\n" +
            "IAM_ROLE 'arn:aws:iam::123456789012:role/R'\n" +
            "FORMAT AS JSON 'auto ignorecase'\n" +
            "GZIP\n" +
            "REGION 'eu-west-1' DATEFORMAT 'auto' TIMEFORMAT 'auto' TRUNCATECOLUMNS STATUPDATE ON COMPUPDATE OFF",
            Redshift.Copy(source, new CopyAuthorization("arn:aws:iam::123456789012:role/R"), "eu-west-1", SqlDialect.StagingTable));
    }

    [Fact]
    public void Duplicate_keys_and_missing_keys_are_found_in_the_staged_rows()
    {
        Assert.Equal(
            "SELECT \"order_id\", \"line\", COUNT(*) FROM \"redshifter_staging\" GROUP BY \"order_id\", \"line\" HAVING COUNT(*) > 1 LIMIT 1",
            Redshift.FindDuplicateKey(["order_id", "line"]));
        Assert.Equal(
            "SELECT COUNT(*) FROM \"redshifter_staging\" WHERE \"order_id\" IS NULL OR \"line\" IS NULL",
            Redshift.CountNullKeys(SqlDialect.StagingTable, ["order_id", "line"]));
    }

    [Fact]
    public void The_precombine_key_keeps_the_latest_row_of_each_key()
    {
        Assert.Equal(
            "CREATE TEMP TABLE \"redshifter_staging_latest\" AS SELECT \"order_id\", \"line\", \"qty\", \"changed_at\" FROM (" +
            "SELECT \"order_id\", \"line\", \"qty\", \"changed_at\", ROW_NUMBER() OVER (PARTITION BY \"order_id\", \"line\" ORDER BY \"changed_at\" DESC NULLS LAST) AS \"redshifter_rank\" " +
            "FROM \"redshifter_staging\") AS \"ranked\" WHERE \"redshifter_rank\" = 1",
            Redshift.KeepLatestPerKey(["order_id", "line", "qty", "changed_at"], ["order_id", "line"], "changed_at"));
    }

    [Fact]
    public void The_merge_names_every_column_and_matches_on_the_whole_key()
    {
        Assert.Equal(
            "MERGE INTO \"api\".\"orders\" USING \"redshifter_staging\" " +
            "ON \"api\".\"orders\".\"order_id\" = \"redshifter_staging\".\"order_id\" AND \"api\".\"orders\".\"line\" = \"redshifter_staging\".\"line\" " +
            "WHEN MATCHED THEN UPDATE SET \"qty\" = \"redshifter_staging\".\"qty\", \"changed_at\" = \"redshifter_staging\".\"changed_at\" " +
            "WHEN NOT MATCHED THEN INSERT (\"order_id\", \"line\", \"qty\", \"changed_at\") " +
            "VALUES (\"redshifter_staging\".\"order_id\", \"redshifter_staging\".\"line\", \"redshifter_staging\".\"qty\", \"redshifter_staging\".\"changed_at\")",
            Redshift.Merge("api", "orders", SqlDialect.StagingTable, ["order_id", "line", "qty", "changed_at"], ["order_id", "line"]));
    }

    [Fact]
    public void A_table_of_key_columns_only_still_merges()
    {
        Assert.Contains("WHEN MATCHED THEN UPDATE SET \"id\" = \"redshifter_staging\".\"id\" WHEN NOT MATCHED",
            Redshift.Merge("api", "tags", SqlDialect.StagingTable, ["id"], ["id"]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_matched_count_and_the_cleanup()
    {
        Assert.Equal(
            "SELECT COUNT(*) FROM \"redshifter_staging\" WHERE EXISTS (SELECT 1 FROM \"api\".\"orders\" WHERE \"api\".\"orders\".\"order_id\" = \"redshifter_staging\".\"order_id\")",
            Redshift.CountMatchedRows("api", "orders", SqlDialect.StagingTable, ["order_id"]));
        Assert.Equal("DROP TABLE \"redshifter_staging\"", Redshift.DropTable(SqlDialect.StagingTable));
    }
}
