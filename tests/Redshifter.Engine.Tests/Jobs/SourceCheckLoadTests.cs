using Parquet.Schema;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Jobs;

/// <summary>
/// The source check in a load (issue 17 §2) on the real PostgreSQL and s3rver: errors before anything
/// changes, warnings on the outcome, the plan and the log — each once — in the job and in Invoke-RedshiftCopy.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class SourceCheckLoadTests(ServersFixture fixture) : IAsyncLifetime
{
    private const string Date = "2024-05-01T00:00:00Z";
    private readonly string _schema = "headcheck_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private readonly ListLog _log = new();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private Task PutConfig(params (string Name, string Type)[] columns) => _storage.PutTextAsync(_bucket, $"config_{_schema}_pages_{Date}.yml",
        "pages:\n  columns:\n" + string.Concat(columns.Select(c => $"    - dest: {c.Name}\n      type: {c.Type}\n")) + $"  meta:\n    schema: {_schema}\n    datadatecolumn: at\n");

    private LoadRequest Request(int ignoreHeader = 0) => new() { Bucket = _bucket, Schema = _schema, Table = "pages", IgnoreHeader = ignoreHeader, Force = true };

    private LoadJob Job(Engine.IChangeApproval? approval = null) => new(fixture.Database, _storage, _log, approval ?? AlwaysApprove.Instance);

    private List<string> LoggedWarnings() => [.. _log.Messages.Where(m => m.StartsWith("WARNING: ", StringComparison.Ordinal)).Select(m => m["WARNING: ".Length..])];

    private Task<List<string>> Rows() => fixture.RowsAsync($"SELECT id, name FROM \"{_schema}\".pages ORDER BY id");

    [Fact]
    public async Task A_CSV_header_in_another_order_fails_the_load_before_anything_changes()
    {
        await PutConfig(("id", "bigint"), ("name", "text"), ("at", "timestamp"));
        await _storage.PutTextAsync(_bucket, $"{_schema}_pages_{Date}.csv", "id,name,at\n1,a,2024-05-01 01:00:00\n");
        Assert.Equal(LoadStatus.Loaded, (await Job().RunAsync(Request(ignoreHeader: 1), CancellationToken.None)).Status);
        await _storage.PutTextAsync(_bucket, $"{_schema}_pages_{Date}.csv", "name,id,at\nb,2,2024-05-01 02:00:00\n");

        var outcome = await Job().RunAsync(Request(ignoreHeader: 1), CancellationToken.None);

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error!.InnerException);
        Assert.Equal(ErrorIds.SchemaMismatch, cause.ErrorId);
        Assert.Contains("The file's order is (name, id, at); the config's is (id, name, at)", cause.Message, StringComparison.Ordinal);
        Assert.Equal(["1|a"], await Rows());

        // The same file when the table already holds newer data: stale, so skipped as before, whatever its head holds.
        await fixture.SqlAsync($"INSERT INTO \"{_schema}\".pages VALUES (9, 'z', '2024-05-03 00:00:00')");
        var stale = await Job().RunAsync(Request(ignoreHeader: 1) with { Force = false }, CancellationToken.None);
        Assert.True(stale.Status == LoadStatus.Skipped, stale.Message);
    }

    [Fact]
    public async Task A_Parquet_string_where_the_config_says_bigint_fails_the_load_naming_the_column()
    {
        await PutConfig(("id", "bigint"), ("at", "timestamp"));
        var schema = new ParquetSchema(new DataField<string>("id"), new DateTimeDataField("at", DateTimeFormat.DateAndTime));
        await _storage.PutAsync(_bucket, $"{_schema}_pages_{Date}.parquet", await ParquetTestData.WriteAsync(schema, async g =>
        {
            await g.WriteAsync(schema.DataFields[0], new[] { "7" });
            await g.WriteAsync<DateTime>(schema.DataFields[1], new[] { new DateTime(2024, 5, 1, 1, 0, 0, DateTimeKind.Utc) });
        }), CancellationToken.None);

        var outcome = await Job().RunAsync(Request(), CancellationToken.None);

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error!.InnerException);
        Assert.Equal(ErrorIds.SchemaMismatch, cause.ErrorId);
        Assert.Contains("Parquet column 1 'id' is BYTE_ARRAY (STRING), which column 'id' (bigint) cannot take", cause.Message, StringComparison.Ordinal);
        Assert.Equal(["0"], await fixture.RowsAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{_schema}'"));
    }

    [Fact]
    public async Task A_JSON_key_no_column_takes_is_a_warning_on_the_outcome_told_once()
    {
        await PutConfig(("id", "bigint"), ("name", "text"), ("at", "timestamp"));
        await _storage.PutTextAsync(_bucket, $"{_schema}_pages_{Date}.json", "{\"id\":1,\"name\":\"a\",\"at\":\"2024-05-01 01:00:00\",\"referrer\":\"x\"}");

        var outcome = await Job().RunAsync(Request(), CancellationToken.None);

        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Contains("ignored keys: 'referrer'", warning, StringComparison.Ordinal);
        Assert.Equal([warning], LoggedWarnings());
        Assert.Equal(outcome.Warnings, outcome.Plan!.Warnings);
        Assert.Equal(["1|a"], await Rows());
    }

    [Fact]
    public async Task A_value_longer_than_its_varchar_is_a_warning_naming_the_column_its_size_and_the_width_that_fits()
    {
        await PutConfig(("id", "bigint"), ("name", "varchar(64)"), ("at", "timestamp"));
        await _storage.PutTextAsync(_bucket, $"{_schema}_pages_{Date}.json", $"{{\"id\":1,\"name\":\"{new string('x', 70)}\",\"at\":\"2024-05-01 01:00:00\"}}");

        // The plan: the sample's longest value, before anything runs.
        var plan = await Job().PlanAsync(Request(), CancellationToken.None);
        var planned = Assert.Single(plan.Warnings);
        Assert.Contains("column 'name' is varchar(64) but its longest value (in the first 1 record) is 70 bytes", planned, StringComparison.Ordinal);
        Assert.Contains("varchar(70)", planned, StringComparison.Ordinal);

        // The load on PostgreSQL: the loader counts what TRUNCATECOLUMNS cut, and that is the one warning of the column.
        var outcome = await Job().RunAsync(Request(), CancellationToken.None);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Contains("TRUNCATECOLUMNS cut 1", warning, StringComparison.Ordinal);
        Assert.Contains("varchar(70)", warning, StringComparison.Ordinal);
        Assert.Equal(LoadStatus.Loaded, outcome.Status); // a warning, not an error: TRUNCATECOLUMNS cuts it, as Redshift would
    }

    [Fact]
    public async Task The_plan_carries_the_warnings_told_once_and_changes_nothing()
    {
        await PutConfig(("id", "bigint"), ("name", "text"), ("title", "text"), ("at", "timestamp"));
        await _storage.PutTextAsync(_bucket, $"{_schema}_pages_{Date}.json", "{\"id\":1,\"name\":\"a\",\"at\":\"2024-05-01 01:00:00\"}");

        var plan = await Job(PlanOnlyApproval.Instance).PlanAsync(Request(), CancellationToken.None);

        var warning = Assert.Single(plan.Warnings);
        Assert.Contains("config column 'title' is in no record", warning, StringComparison.Ordinal);
        Assert.Equal([warning], LoggedWarnings());
        Assert.Equal(["0"], await fixture.RowsAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{_schema}'"));
    }

    [Fact]
    public async Task A_load_that_asks_first_checks_its_source_once()
    {
        await PutConfig(("id", "bigint"), ("name", "text"), ("at", "timestamp"));
        await _storage.PutTextAsync(_bucket, $"{_schema}_pages_{Date}.json", "{\"id\":1,\"name\":\"a\",\"at\":\"2024-05-01 01:00:00\",\"extra\":2}");

        var outcome = await Job(new AskingApproval()).RunAsync(Request(), CancellationToken.None);

        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Single(outcome.Warnings);
        Assert.Single(LoggedWarnings());
    }

    [Fact]
    public async Task Invoke_RedshiftCopy_checks_the_header_against_the_table()
    {
        await fixture.SqlAsync($"CREATE SCHEMA \"{_schema}\"; CREATE TABLE \"{_schema}\".pages (id bigint, name varchar(8)); INSERT INTO \"{_schema}\".pages VALUES (1, 'a')");
        await _storage.PutTextAsync(_bucket, "p.csv", "name,id\nb,2\n");
        var source = new SourceFile { Bucket = _bucket, Key = "p.csv", Schema = _schema, Table = "pages", Format = DataFormat.Csv, IgnoreHeader = 1 };

        var error = await Assert.ThrowsAsync<RedshifterException>(() => CopyRunner.CopyAsync(fixture.Database, _storage, source, true, _log, AlwaysApprove.Instance, CancellationToken.None));

        Assert.Equal(ErrorIds.SchemaMismatch, error.ErrorId);
        Assert.Contains("The file's order is (name, id); the config's is (id, name)", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1|a"], await Rows());
    }

    /// <summary>-Confirm: the job asks (without a lock), then runs what was approved.</summary>
    private sealed class AskingApproval : Engine.IChangeApproval
    {
        public Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken) => Task.FromResult(true);
        public bool WillAsk => true;
    }
}
