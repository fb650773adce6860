using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Reliability;

/// <summary>Faults of the real servers during a run.</summary>
[Collection(ServersCollection.Name)]
public sealed class FaultTests(ServersFixture fixture) : IDisposable
{
    private readonly S3Storage _storage = fixture.CreateStorage();

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task PostgreSQL_restarting_between_two_tables_of_one_run_does_not_fail_the_second()
    {
        var schema = "flt_" + Guid.NewGuid().ToString("N")[..8];
        var bucket = await _storage.NewBucketAsync();
        foreach (var table in new[] { "a", "b" })
        {
            await _storage.PutTextAsync(bucket, $"{schema}_{table}_2017-07-11T00:00:00Z.json", "{\"id\":1,\"at\":\"2017-07-11T01:00:00\"}");
            await _storage.PutTextAsync(bucket, $"config_{schema}_{table}_2017-07-11T00:00:00Z.yml", $"{table}:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {schema}\n    datadatecolumn: at\n");
        }
        var job = new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance);
        Assert.Equal(LoadStatus.Loaded, (await job.RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "a" }, CancellationToken.None)).Status);
        fixture.Servers.Postgres.Restart();
        var second = await job.RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "b" }, CancellationToken.None);
        Assert.True(second.Status == LoadStatus.Loaded, second.Message);
    }

    [Fact]
    public async Task PostgreSQL_checks_during_a_statement_that_the_client_is_still_there()
    {
        // So that a killed load's backend (and its advisory lock) goes within seconds even while it waits
        // for a lock; the kill -9 suite (make test-long) shows the effect.
        await using var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None);
        Assert.Equal("2s", await session.ScalarAsync("SHOW client_connection_check_interval", null, CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_database_fails_within_the_connect_timeout_naming_host_and_port()
    {
        var settings = fixture.Database with { Port = 1, ConnectTimeoutSeconds = 3 };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => DatabaseSession.OpenAsync(settings, CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains("127.0.0.1:1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Servers.Postgres.Password, ex.ToString(), StringComparison.Ordinal);
    }
}
