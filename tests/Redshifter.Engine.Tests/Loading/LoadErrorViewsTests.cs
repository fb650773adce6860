using Npgsql;
using Redshifter.Engine.Database;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Which of Redshift's load error views a failed COPY reads, run against the real PostgreSQL with stand-ins
/// of the views (tables with their columns, on the search path of a role of this test): SYS_LOAD_ERROR_DETAIL
/// where it exists, else STL_LOAD_ERRORS (an older provisioned cluster), and only the rows of that COPY's
/// session since its transaction began.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class LoadErrorViewsTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "lev_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _role = "lev_" + Guid.NewGuid().ToString("N")[..10];
    private static readonly SourceFile Source = new() { Bucket = "analytics", Key = "api_pages_2015-07-01T00:00:00Z.json", Schema = "api", Table = "pages", Format = DataFormat.Json };
    private static readonly DateTime Started = new(2026, 12, 2, 10, 15, 30);

    public async Task InitializeAsync()
    {
        await fixture.SqlAsync($"CREATE SCHEMA {_schema}");
        await fixture.SqlAsync($"CREATE ROLE {_role} LOGIN SUPERUSER PASSWORD 'lev-secret'");
        await fixture.SqlAsync($"ALTER ROLE {_role} SET search_path = {_schema}");
        await fixture.SqlAsync($"""
            CREATE TABLE {_schema}.stl_load_errors (session int, starttime timestamp, filename char(256), line_number bigint, colname char(127),
                raw_field_value char(1024), err_reason char(100), err_code int, type char(10));
            INSERT INTO {_schema}.stl_load_errors VALUES
                (4242, '2026-12-02 10:15:31', 's3://analytics/api_pages_2015-07-01T00:00:00Z.json', 7, 'url', 'https://example.com/a-long-address', 'String length exceeds DDL length', 1204, 'varchar'),
                (4242, '2026-12-02 10:15:29', 's3://analytics/older.json', 3, 'url', 'x', 'an earlier COPY of this session', 1204, 'varchar'),
                (5151, '2026-12-02 10:15:32', 's3://analytics/other.json', 2, 'id', 'y', 'another session''s COPY', 1207, 'int4');
            """);
    }

    public async Task DisposeAsync()
    {
        await fixture.SqlAsync($"DROP SCHEMA {_schema} CASCADE");
        await fixture.SqlAsync($"DROP ROLE {_role}");
    }

    private async Task<Errors.RedshifterException> FailAsync()
    {
        await using var session = await DatabaseSession.OpenAsync(fixture.Database with { User = _role, Password = "lev-secret" }, CancellationToken.None);
        var refused = new PostgresException("Load into table 'pages' failed. Check 'sys_load_error_detail' system table for details.", "ERROR", "ERROR", "XX000");
        return await RedshiftLoadErrors.CopyFailedAsync(session, Source, new RedshiftLoadErrors.CopyStart(4242, Started), refused, CancellationToken.None);
    }

    [Fact]
    public async Task Without_SYS_LOAD_ERROR_DETAIL_the_STL_view_tells_that_COPY_only()
    {
        var error = await FailAsync();
        var detail = Assert.Single(error.Details);
        Assert.Equal(("s3://analytics/api_pages_2015-07-01T00:00:00Z.json", 7L, "url", "https://example.com/a-long-address", "String length exceeds DDL length"),
            (detail.Uri, detail.Line, detail.Column, detail.Value, detail.Reason));
        Assert.Contains("STL_LOAD_ERRORS has the full detail (session = 4242", error.RecommendedAction, StringComparison.Ordinal);
        Assert.StartsWith("Change column 'url' to varchar(34)", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SYS_LOAD_ERROR_DETAIL_is_read_where_it_exists()
    {
        await fixture.SqlAsync($"""
            CREATE TABLE {_schema}.sys_load_error_detail (session_id int, start_time timestamp, file_name char(256), line_number bigint, column_name char(127),
                error_message char(512), error_code int, column_type char(128));
            INSERT INTO {_schema}.sys_load_error_detail VALUES
                (4242, '2026-12-02 10:15:31', 's3://analytics/api_pages_2015-07-01T00:00:00Z.json', 9, 'id', 'Invalid digit, Value ''x''', 1207, 'int4'),
                (4242, '2026-12-02 10:15:00', 's3://analytics/older.json', 1, 'id', 'an earlier COPY of this session', 1207, 'int4');
            """);
        var error = await FailAsync();
        var detail = Assert.Single(error.Details);
        Assert.Equal((9L, "id", "Invalid digit, Value 'x'"), (detail.Line, detail.Column, detail.Reason));
        Assert.Null(detail.Value); // the SYS view has no raw value
        Assert.Contains("SYS_LOAD_ERROR_DETAIL has the full detail (session_id = 4242", error.RecommendedAction, StringComparison.Ordinal);
    }
}
