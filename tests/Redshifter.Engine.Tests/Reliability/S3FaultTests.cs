using System.Diagnostics;
using System.Globalization;
using System.Text;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.TestServers;
using Xunit.Abstractions;

namespace Redshifter.Engine.Tests.Reliability;

/// <summary>
/// S3 failing during a load, through a fault-injecting proxy in front of the real s3rver (the client
/// talks to the real server; the proxy only breaks what the test asks it to): the server dying in the
/// middle of the object, answering 500/503 for a while, and a connection cut mid-object.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class S3FaultTests(ServersFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int Rows = 200_000;
    private const int OldRows = 1_000;
    private const string Date = "2017-07-11T00:00:00Z";
    private readonly S3Storage _storage = fixture.CreateStorage();

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task S3_stopping_in_the_middle_of_the_object_fails_the_load_with_CopyFailed_and_leaves_the_table_unchanged()
    {
        var (bucket, schema) = await NewTableWithOldRowsAsync();
        var before = await FingerprintAsync(schema);
        using var proxy = FaultProxy.Start(fixture.Servers.S3.Port);
        proxy.StopAfterResponseBytes = 512 * 1024; // the server dies half a megabyte into the data file
        using var storage = StorageThrough(proxy);
        var log = new ListLog();

        var clock = Stopwatch.StartNew();
        var outcome = await new LoadJob(fixture.Database, storage, log, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "t", Force = true }, CancellationToken.None);
        clock.Stop();
        output.WriteLine($"{outcome.Status} in {clock.Elapsed.TotalSeconds:N1} s, {proxy.Requests} requests: {outcome.Message}");

        Assert.True(proxy.Stopped, "the proxy never reached the cut: the test did not test anything");
        Assert.Equal(LoadStatus.Failed, outcome.Status);
        Assert.Equal(ErrorIds.LoadFailed, outcome.Error!.ErrorId);
        var cause = Assert.IsType<RedshifterException>(outcome.Error.InnerException);
        Assert.Equal(ErrorIds.CopyFailed, cause.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, cause.Kind);
        // Clear: which object, that S3 broke off (not "corrupt data"), how far it got, and that nothing was loaded.
        Assert.Contains($"s3://{bucket}/{schema}_t_{Date}.json.gz", cause.Message, StringComparison.Ordinal);
        Assert.Contains("Reading from S3 failed", cause.Message, StringComparison.Ordinal);
        Assert.Contains("broke off after", cause.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was loaded", cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("suffix", cause.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains(log.Messages, m => m.Contains("resuming there", StringComparison.Ordinal));
        AssertNoSecret(outcome.Error.ToString() + outcome.Message + string.Join("\n", log.Messages));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"failing took {clock.Elapsed}");
        Assert.Equal(before, await FingerprintAsync(schema));
    }

    [Theory]
    [InlineData(503, 1)] // SlowDown: the SDK backs off longer for throttling, so once each keeps the test short
    [InlineData(500, 2)]
    public async Task S3_failing_every_request_is_carried_through_by_the_SDK_retries(int status, int times)
    {
        var (bucket, schema) = await NewTableWithOldRowsAsync();
        using var proxy = FaultProxy.Start(fixture.Servers.S3.Port);
        proxy.FailureStatus = status;
        proxy.FailEachRequestTimes = times; // the SDK's standard retry mode makes 3 attempts
        using var storage = StorageThrough(proxy);

        var outcome = await new LoadJob(fixture.Database, storage, NullEngineLog.Instance, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "t", Force = true }, CancellationToken.None);
        output.WriteLine($"{outcome.Status}: {proxy.Requests} requests, {proxy.ErrorsSent} answered {status}, {storage.RequestCount} sent by the SDK");

        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal(Rows, outcome.RowsLoaded);
        Assert.True(proxy.ErrorsSent >= 5 * times, $"only {proxy.ErrorsSent} errors were injected");
        // Every request: failed `times` times, then through. The data object is read twice (the source check reads
        // its head before the transaction), and the proxy fails a request it has seen through no more.
        Assert.Equal(proxy.ErrorsSent * (times + 1), (proxy.Requests - 1) * times);
        Assert.Equal((Rows + OldRows / 2, (long)Rows * (Rows + 1) / 2 + -(long)(OldRows / 2) * (OldRows / 2)), await CountAndSumAsync(schema));
    }

    [Fact]
    public async Task A_read_cut_off_mid_object_resumes_where_it_stopped_and_loads_every_row()
    {
        var (bucket, schema) = await NewTableWithOldRowsAsync();
        using var proxy = FaultProxy.Start(fixture.Servers.S3.Port);
        proxy.CutResponsesAfterBytes = 300 * 1024;
        proxy.CutsLeft = 3;
        using var storage = StorageThrough(proxy);
        var log = new ListLog();

        var outcome = await new LoadJob(fixture.Database, storage, log, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "t", Force = true }, CancellationToken.None);
        output.WriteLine($"{outcome.Status}: {proxy.Cuts} cuts; " + string.Join(" | ", log.Messages.Where(m => m.Contains("resuming", StringComparison.Ordinal))));

        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal(3, proxy.Cuts);
        Assert.Equal(3, log.Messages.Count(m => m.Contains("resuming there", StringComparison.Ordinal)));
        Assert.Equal(Rows, outcome.RowsLoaded);
        Assert.Equal((Rows + OldRows / 2, (long)Rows * (Rows + 1) / 2 + -(long)(OldRows / 2) * (OldRows / 2)), await CountAndSumAsync(schema));
    }

    [Fact]
    public async Task A_read_that_stalls_without_closing_is_resumed_after_the_idle_timeout()
    {
        var (bucket, schema) = await NewTableWithOldRowsAsync();
        using var proxy = FaultProxy.Start(fixture.Servers.S3.Port);
        proxy.CutResponsesAfterBytes = 300 * 1024;
        proxy.CutsLeft = 1;
        proxy.StallInsteadOfCut = true; // the connection stays open and silent
        using var storage = StorageThrough(proxy);
        storage.ReadIdleTimeout = TimeSpan.FromSeconds(2);
        var log = new ListLog();

        var clock = Stopwatch.StartNew();
        var outcome = await new LoadJob(fixture.Database, storage, log, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "t", Force = true }, CancellationToken.None);
        output.WriteLine($"{outcome.Status} in {clock.Elapsed.TotalSeconds:N1} s: " + string.Join(" | ", log.Messages.Where(m => m.Contains("resuming", StringComparison.Ordinal))));

        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal(1, proxy.Cuts);
        Assert.Contains(log.Messages, m => m.Contains("no data came for 2 s", StringComparison.Ordinal) && m.Contains("resuming there", StringComparison.Ordinal));
        Assert.Equal(Rows, outcome.RowsLoaded);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the stalled load took {clock.Elapsed}");
    }

    private S3Storage StorageThrough(FaultProxy proxy)
    {
        var env = fixture.Environment(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_S3"] = proxy.Endpoint });
        return S3Storage.Create(S3Settings.FromEnvironment(env), env);
    }

    /// <summary>
    /// A table loaded from an older file: <see cref="OldRows"/> rows with negative ids, half of them in the
    /// new file's refresh window (so a load deletes them first). The new file (gzipped JSON lines, about
    /// 2 MB) holds ids 1..<see cref="Rows"/>.
    /// </summary>
    private async Task<(string Bucket, string Schema)> NewTableWithOldRowsAsync()
    {
        var schema = "s3f_" + Guid.NewGuid().ToString("N")[..8];
        var bucket = await _storage.NewBucketAsync();
        const string old = "2017-07-10T00:00:00Z";
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n    - dest: name\n      type: text\n  meta:\n    schema: {schema}\n    datadatecolumn: at\n";
        await _storage.PutTextAsync(bucket, $"{schema}_t_{old}.json", string.Join("\n", Enumerable.Range(1, OldRows).Select(i => $"{{\"id\":{-i},\"at\":\"2017-07-1{(i % 2 == 0 ? 1 : 0)}T05:00:00\",\"name\":\"old {i}\"}}")));
        await _storage.PutTextAsync(bucket, $"config_{schema}_t_{old}.yml", config);
        var text = new StringBuilder(Rows * 64);
        for (var i = 1; i <= Rows; i++) text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"at\":\"2017-07-11T{i % 24:00}:{i % 60:00}:00\",\"name\":\"row {i} {Guid.NewGuid():N}\"}}\n");
        await _storage.PutGzipAsync(bucket, $"{schema}_t_{Date}.json.gz", text.ToString());
        await _storage.PutTextAsync(bucket, $"config_{schema}_t_{Date}.yml", config);
        var first = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = bucket, Schema = schema, Table = "t", Date = DateTimeOffset.Parse(old, CultureInfo.InvariantCulture) }, CancellationToken.None);
        Assert.True(first.Status == LoadStatus.Loaded, first.Message);
        Assert.Equal((OldRows, -(long)OldRows * (OldRows + 1) / 2), await CountAndSumAsync(schema));
        return (bucket, schema);
    }

    private async Task<(long Count, long Sum)> CountAndSumAsync(string schema)
    {
        var row = (await fixture.RowsAsync($"SELECT count(*), coalesce(sum(id), 0) FROM \"{schema}\".t")).Single().Split('|');
        return (long.Parse(row[0], CultureInfo.InvariantCulture), long.Parse(row[1], CultureInfo.InvariantCulture));
    }

    private async Task<string> FingerprintAsync(string schema) =>
        (await fixture.RowsAsync($"SELECT count(*) || ':' || md5(string_agg(id || '|' || at || '|' || name, ',' ORDER BY id)) FROM \"{schema}\".t")).Single();

    private void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(fixture.Servers.Postgres.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("aws_secret_access_key", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(S3Server.SecretKey, text, StringComparison.Ordinal);
    }
}
