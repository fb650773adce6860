using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// How a failed Redshift COPY finds its own load errors: the SQL pinned from the AWS pages
/// (https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_ERROR_DETAIL.html,
/// https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html, https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html),
/// and the views' rows as LoadErrorDetails with the fix and the view named.
/// </summary>
public sealed class LoadErrorViewsGoldenTests
{
    private static readonly SourceFile Source = new() { Bucket = "analytics", Key = "api_pages_2015-07-01T00:00:00Z.json", Schema = "api", Table = "pages", Format = DataFormat.Json };
    private static readonly RedshiftLoadErrors.CopyStart Start = new(1073815, new DateTime(2026, 12, 2, 10, 15, 30, 123, 456));

    [Fact]
    public void The_session_and_its_transaction_start_are_taken_before_the_COPY() =>
        Assert.Equal("SELECT pg_backend_pid(), SYSDATE", RedshiftDialect.CopyStartSql);

    [Fact]
    public void SYS_LOAD_ERROR_DETAIL_is_read_first_for_that_session_since_its_transaction_began() =>
        Assert.Equal(
            "SELECT TRIM(file_name), line_number, TRIM(column_name), CAST(NULL AS VARCHAR), TRIM(error_message), error_code, TRIM(column_type) " +
            "FROM sys_load_error_detail WHERE session_id = @session AND start_time >= @started ORDER BY start_time, line_number LIMIT 10",
            RedshiftDialect.LoadErrorDetailSql);

    [Fact]
    public void STL_LOAD_ERRORS_is_the_fallback_with_the_same_columns_and_filter() =>
        Assert.Equal(
            "SELECT TRIM(filename), line_number, TRIM(colname), TRIM(raw_field_value), TRIM(err_reason), err_code, TRIM(type) " +
            "FROM stl_load_errors WHERE session = @session AND starttime >= @started ORDER BY starttime, line_number LIMIT 10",
            RedshiftDialect.StlLoadErrorsSql);

    [Fact]
    public void Rows_become_details_and_the_hint_names_the_view_that_exists()
    {
        var rows = new[] { new RedshiftLoadError("s3://analytics/api_pages_2015-07-01T00:00:00Z.json", 2, "id", null, "Invalid digit, Value 't', Pos 0, Type: Long", 1207, "int8") };
        var ex = RedshiftLoadErrors.CopyFailed(Source, SecretRedactor.None, "Load into table 'pages' failed. Check 'sys_load_error_detail' system table for details.", "SYS_LOAD_ERROR_DETAIL", rows, Start);
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Equal([new LoadErrorDetail("s3://analytics/api_pages_2015-07-01T00:00:00Z.json", 2, "id", null, "Invalid digit, Value 't', Pos 0, Type: Long")], ex.Details);
        Assert.Contains("line 2, column 'id': Invalid digit", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("SYS_LOAD_ERROR_DETAIL has the full detail (session_id = 1073815, start_time >= '2026-12-02 10:15:30.123456').", ex.RecommendedAction, StringComparison.Ordinal);

        var stl = RedshiftLoadErrors.CopyFailed(Source, SecretRedactor.None, "Load failed", "STL_LOAD_ERRORS", rows, Start);
        Assert.Contains("STL_LOAD_ERRORS has the full detail (session = 1073815, starttime >= '2026-12-02 10:15:30.123456')", stl.RecommendedAction, StringComparison.Ordinal);
        Assert.DoesNotContain("SYS_LOAD_ERROR_DETAIL", stl.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_longer_than_its_column_names_the_width_that_fits_and_a_long_value_is_cut()
    {
        var value = "ü" + new string('x', 130); // 132 bytes in UTF-8
        var rows = new[] { new RedshiftLoadError(null, 7, "name", value, "String length exceeds DDL length", 1204, "varchar") };
        var ex = RedshiftLoadErrors.CopyFailed(Source, SecretRedactor.None, "Load failed", "STL_LOAD_ERRORS", rows, Start);
        Assert.StartsWith("Change column 'name' to varchar(132) in the config", ex.RecommendedAction, StringComparison.Ordinal);
        var detail = Assert.Single(ex.Details);
        Assert.Equal((Source.Uri, 7L), (detail.Uri, detail.Line)); // no file name in the row: the COPY's source
        Assert.Equal(LoadErrorDetail.ValueLimit, detail.Value!.Length);
        Assert.EndsWith("x…", detail.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_views_still_fail_the_COPY_saying_so_and_where_to_look()
    {
        var ex = RedshiftLoadErrors.CopyFailed(Source, new SecretRedactor(["s3cr3t"]), "Load failed (key s3cr3t)", null, [], Start, "permission denied");
        Assert.Empty(ex.Details);
        var masked = RedshiftLoadErrors.CopyFailed(Source, new SecretRedactor(["s3cr3t"]), "Load failed", "SYS_LOAD_ERROR_DETAIL", [new RedshiftLoadError(null, 1, "id", null, "S3 refused key s3cr3t", 1212, null)], Start);
        Assert.DoesNotContain("s3cr3t", Assert.Single(masked.Details).Reason, StringComparison.Ordinal);
        Assert.Contains("The load errors could not be read: permission denied", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SYS_LOAD_ERROR_DETAIL (STL_LOAD_ERRORS on clusters without it)", ex.RecommendedAction, StringComparison.Ordinal);
    }
}
