using Redshifter.Engine.Connections;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Redshift's COPY text, pinned per option (AWS documentation: COPY … FROM 's3://…' authorization
/// [MANIFEST] data format [compression] [IGNOREHEADER n] REGION … DATEFORMAT 'auto' TIMEFORMAT 'auto' TRUNCATECOLUMNS
/// STATUPDATE ON COMPUPDATE ON), and the secret absent from every printed form.
/// </summary>
public sealed class CopyStatementGoldenTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
    private static readonly CopyAuthorization Keys = new(null, "AKIAIOSFODNN7EXAMPLE", Secret);
    private static readonly CopyAuthorization Role = new("arn:aws:iam::123456789012:role/RedshiftCopy");

    private static SourceFile Source(DataFormat format, Compression compression = Compression.None, bool manifest = false, char? delimiter = null, int ignoreHeader = 0, string key = "api_pages_2015-07-01T00:00:00Z.json") => new()
    {
        Bucket = "analytics", Key = key, Schema = "api", Table = "pages", Format = format, Compression = compression,
        IsManifest = manifest, Delimiter = delimiter, IgnoreHeader = ignoreHeader,
    };

    [Fact]
    public void Json_with_an_IAM_role()
    {
        Assert.Equal(
            "COPY \"api\".\"pages\" FROM 's3://analytics/api_pages_2015-07-01T00:00:00Z.json'\n" +
            "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftCopy'\n" +
            "FORMAT AS JSON 'auto ignorecase'\n" +
            "REGION 'eu-west-1' DATEFORMAT 'auto' TIMEFORMAT 'auto' TRUNCATECOLUMNS STATUPDATE ON COMPUPDATE ON",
            RedshiftDialect.Instance.Copy(Source(DataFormat.Json), Role, "eu-west-1"));
    }

    [Fact]
    public void Gzipped_json_manifest_with_forwarded_session_credentials()
    {
        var sql = RedshiftDialect.Instance.Copy(Source(DataFormat.Json, Compression.Gzip, manifest: true, key: "x.manifest"), Keys with { SessionToken = Token }, "us-east-1");
        Assert.Equal(
            "COPY \"api\".\"pages\" FROM 's3://analytics/x.manifest'\n" +
            $"CREDENTIALS 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;aws_secret_access_key={Secret};token={Token}'\n" +
            "MANIFEST\n" +
            "FORMAT AS JSON 'auto ignorecase'\n" +
            "GZIP\n" +
            "REGION 'us-east-1' DATEFORMAT 'auto' TIMEFORMAT 'auto' TRUNCATECOLUMNS STATUPDATE ON COMPUPDATE ON", sql);
        var shown = new SecretRedactor([Secret, Token]).Redact(sql);
        Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, shown, StringComparison.Ordinal);
        Assert.Contains("aws_secret_access_key=***;token=***", shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Compression.Bzip2, "BZIP2")]
    [InlineData(Compression.Zstd, "ZSTD")]
    public void Compression_keywords(Compression compression, string keyword) =>
        Assert.Contains("\n" + keyword + "\n", RedshiftDialect.Instance.Copy(Source(DataFormat.Csv, compression), Role, "us-east-1"), StringComparison.Ordinal);

    [Fact]
    public void Csv_with_a_header_and_a_delimiter()
    {
        var sql = RedshiftDialect.Instance.Copy(Source(DataFormat.Csv, delimiter: ';', ignoreHeader: 1), Role, "us-east-1");
        Assert.Contains("\nFORMAT AS CSV DELIMITER AS ';'\nIGNOREHEADER 1\nREGION", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_original_delimited_mode()
    {
        var sql = RedshiftDialect.Instance.Copy(Source(DataFormat.Delimited, Compression.Gzip, key: "api_pages_2015-07-01T00:00:00Z.gz"), Role, "us-east-1");
        Assert.Contains("\nDELIMITER AS '|' REMOVEQUOTES ESCAPE TRIMBLANKS EMPTYASNULL ACCEPTANYDATE\nGZIP\n", sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DataFormat.Json)]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Delimited)]
    public void Every_text_COPY_reads_dates_with_DATEFORMAT_auto(DataFormat format)
    {
        // Issue 14 item 6: without DATEFORMAT a DATE takes only 'YYYY-MM-DD', and ACCEPTANYDATE (the delimited mode)
        // turns every other spelling into NULL; AWS: "Always use ACCEPTANYDATE with the DATEFORMAT parameter".
        var sql = RedshiftDialect.Instance.Copy(Source(format), Role, "us-east-1");
        Assert.Contains(" DATEFORMAT 'auto' TIMEFORMAT 'auto' ", sql, StringComparison.Ordinal);
        if (sql.Contains("ACCEPTANYDATE", StringComparison.Ordinal))
            Assert.True(sql.IndexOf("ACCEPTANYDATE", StringComparison.Ordinal) < sql.IndexOf("DATEFORMAT 'auto'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DataFormat.Json)]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Delimited)]
    public void The_upsert_staging_COPY_turns_the_compression_analysis_off(DataFormat format)
    {
        // Issue 14 item 11: COMPUPDATE ON into the empty temporary table would re-create it with new encodings on every upsert.
        var staged = RedshiftDialect.Instance.Copy(Source(format), Role, "us-east-1", "redshifter_staging");
        Assert.EndsWith(" STATUPDATE ON COMPUPDATE OFF", staged, StringComparison.Ordinal);
        Assert.EndsWith(" STATUPDATE ON COMPUPDATE ON", RedshiftDialect.Instance.Copy(Source(format), Role, "us-east-1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parquet_takes_only_the_format_and_manifest()
    {
        // AWS: "COPY from columnar data formats" allows only FROM, IAM_ROLE/CREDENTIALS, MANIFEST, STATUPDATE,
        // ACCEPTINVCHARS, FILLRECORD, EXPLICIT_IDS; REGION fails even for a bucket in the cluster's region.
        Assert.Equal(
            "COPY \"api\".\"pages\" FROM 's3://analytics/p.parquet'\nIAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftCopy'\nFORMAT AS PARQUET\nSTATUPDATE ON",
            RedshiftDialect.Instance.Copy(Source(DataFormat.Parquet, key: "p.parquet"), Role, "us-east-1"));
    }

    [Fact]
    public void Parquet_into_a_table_with_a_super_column_serializes_nested_columns_to_JSON()
    {
        // AWS, "Copying data from columnar-format Parquet and ORC" (copy_json.html): with SERIALIZETOJSON any column
        // of the file that lines up with a SUPER column loads as SUPER, structs and arrays included; the page's
        // example is FORMAT PARQUET SERIALIZETOJSON. Text formats take no such option.
        Assert.Equal(
            "COPY \"api\".\"pages\" FROM 's3://analytics/p.parquet'\nIAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftCopy'\nFORMAT AS PARQUET SERIALIZETOJSON\nSTATUPDATE ON",
            RedshiftDialect.Instance.Copy(Source(DataFormat.Parquet, key: "p.parquet"), Role, "us-east-1", intoSuper: true));
        Assert.DoesNotContain("SERIALIZETOJSON", RedshiftDialect.Instance.Copy(Source(DataFormat.Json), Role, "us-east-1", intoSuper: true), StringComparison.Ordinal);
    }

    [Fact]
    public void A_Parquet_manifest_with_forwarded_credentials_into_the_staging_table()
    {
        var sql = RedshiftDialect.Instance.Copy(Source(DataFormat.Parquet, key: "p.manifest", manifest: true), Keys with { SessionToken = Token }, "us-east-1", "redshifter_staging");
        Assert.Equal(
            "COPY \"redshifter_staging\" FROM 's3://analytics/p.manifest'\n" +
            $"CREDENTIALS 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;aws_secret_access_key={Secret};token={Token}'\n" +
            "MANIFEST\nFORMAT AS PARQUET\nSTATUPDATE ON", sql);
        var shown = new SecretRedactor([Secret, Token]).Redact(sql);
        Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_literal_is_escaped()
    {
        var sql = RedshiftDialect.Instance.Copy(Source(DataFormat.Json, key: "it's\\odd.json"), Role with { IamRole = "arn:x'y" }, "us-east-1");
        Assert.Contains("FROM 's3://analytics/it''s\\\\odd.json'", sql, StringComparison.Ordinal);
        Assert.Contains("IAM_ROLE 'arn:x''y'", sql, StringComparison.Ordinal);
    }
}
