using System.Globalization;
using Redshifter.Engine.Database;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Reliability;

/// <summary>Concurrent loads of one table are serialized (DESIGN.md section 5's lock): the file's rows end up exactly once.</summary>
[Collection(ServersCollection.Name)]
public sealed class ConcurrencyTests(ServersFixture fixture) : IDisposable
{
    private readonly S3Storage _storage = fixture.CreateStorage();

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task Five_pairs_of_concurrent_forced_loads_leave_the_file_rows_exactly_once()
    {
        var schema = "conc_" + Guid.NewGuid().ToString("N")[..8];
        var bucket = await _storage.NewBucketAsync();
        const string date = "2017-07-11T00:00:00Z";
        await _storage.PutGzipAsync(bucket, $"{schema}_t_{date}.json.gz", string.Join("\n", Enumerable.Range(1, 20_000).Select(i => $"{{\"id\":{i},\"at\":\"2017-07-11T{i % 24:00}:00:00\"}}")));
        await _storage.PutTextAsync(bucket, $"config_{schema}_t_{date}.yml", $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {schema}\n    datadatecolumn: at\n");
        var request = new LoadRequest { Bucket = bucket, Schema = schema, Table = "t", Force = true };
        for (var pair = 0; pair < 5; pair++)
        {
            var loads = Enumerable.Range(0, 2).Select(_ => new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(request, CancellationToken.None)).ToArray();
            var outcomes = await Task.WhenAll(loads);
            Assert.All(outcomes, o => Assert.Equal(LoadStatus.Loaded, o.Status));
            await using var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None);
            var count = Convert.ToInt64(await session.ScalarAsync($"SELECT count(*) FROM \"{schema}\".t", null, CancellationToken.None), CultureInfo.InvariantCulture);
            var distinct = Convert.ToInt64(await session.ScalarAsync($"SELECT count(DISTINCT id) FROM \"{schema}\".t", null, CancellationToken.None), CultureInfo.InvariantCulture);
            Assert.Equal(20_000, count);
            Assert.Equal(20_000, distinct);
        }
    }
}
