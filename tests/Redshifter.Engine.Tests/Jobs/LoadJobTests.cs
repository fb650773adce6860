using System.Globalization;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Jobs;

/// <summary>The job's freshness and window cases against the real servers (issue 6's cases from the original tool).</summary>
[Collection(ServersCollection.Name)]
public sealed class LoadJobTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "job_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private string Config => $"events:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";

    private async Task Upload(string date, params (int Id, string At)[] rows)
    {
        await _storage.PutTextAsync(_bucket, $"{_schema}_events_{date}.json", string.Join("\n", rows.Select(r => $"{{\"id\":{r.Id},\"at\":\"{r.At}\"}}")));
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_events_{date}.yml", Config);
    }

    private Task<LoadOutcome> Load(string? date = null, Granularity granularity = Granularity.Day, string zone = "UTC", bool force = false) =>
        new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = _bucket, Schema = _schema, Table = "events", Date = date == null ? null : DateTimeOffset.Parse(date, CultureInfo.InvariantCulture),
            Granularity = granularity, TimeZone = TableTimeZone.Parse(zone), Force = force,
        }, CancellationToken.None);

    private async Task<List<string>> Ids()
    {
        await using var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None);
        await using var command = session.Command($"SELECT id FROM \"{_schema}\".events ORDER BY id", null);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt32(0).ToString(CultureInfo.InvariantCulture));
        return ids;
    }

    [Fact]
    public async Task Hour_granularity_skips_what_day_granularity_refreshes()
    {
        await Upload("2017-08-15T21:00:00Z", (1, "2017-08-15T21:00:00"));
        Assert.Equal(LoadStatus.Loaded, (await Load()).Status);
        await Upload("2017-08-15T14:00:00Z", (2, "2017-08-15T14:00:00"));
        var byHour = await Load("2017-08-15T14:00:00Z", Granularity.Hour);
        Assert.Equal(LoadStatus.Skipped, byHour.Status);
        var byDay = await Load("2017-08-15T14:00:00Z", Granularity.Day);
        Assert.Equal(LoadStatus.Loaded, byDay.Status);
        Assert.Equal(1, byDay.RowsDeleted); // the day was refreshed: a day's sync replaces the day
        Assert.Equal(["2"], await Ids());
    }

    [Fact]
    public async Task The_table_zone_decides_freshness_and_the_window()
    {
        // The table holds 23:00 wall-clock in Los Angeles = 06:00Z the next day: a file of 14:00Z that day is stale there.
        await Upload("2017-08-15T23:00:00Z", (1, "2017-08-15T23:00:00"));
        Assert.Equal(LoadStatus.Loaded, (await Load(zone: "America/Los_Angeles")).Status);
        await Upload("2017-08-15T14:00:00Z", (2, "2017-08-15T07:00:00"));
        Assert.Equal(LoadStatus.Skipped, (await Load("2017-08-15T14:00:00Z", zone: "America/Los_Angeles")).Status);
        Assert.Equal(LoadStatus.Loaded, (await Load("2017-08-15T14:00:00Z", zone: "UTC")).Status);
    }

    [Fact]
    public async Task The_day_window_in_Los_Angeles_is_the_local_day()
    {
        // 2017-07-11T04:00Z is 2017-07-10 21:00 in Los Angeles: the window is [07-10, 07-11) local.
        await Upload("2017-07-09T12:00:00Z", (1, "2017-07-09T12:00:00"), (2, "2017-07-10T01:00:00"), (3, "2017-07-10T23:00:00"), (4, "2017-07-11T00:30:00"));
        await Load(zone: "America/Los_Angeles");
        await Upload("2017-07-11T04:00:00Z", (5, "2017-07-10T21:00:00"));
        var outcome = await Load("2017-07-11T04:00:00Z", zone: "America/Los_Angeles", force: true);
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(2, outcome.RowsDeleted);
        Assert.Equal(["1", "4", "5"], await Ids());
    }

    [Fact]
    public async Task Loading_the_same_file_again_is_idempotent()
    {
        await Upload("2017-07-11T00:00:00Z", (1, "2017-07-11T01:00:00"), (2, "2017-07-11T02:00:00"));
        await Load();
        var again = await Load(force: true);
        Assert.Equal(2, again.RowsDeleted);
        Assert.Equal(["1", "2"], await Ids());
    }

    [Fact]
    public async Task A_missing_config_fails_the_table_without_touching_it()
    {
        await _storage.PutTextAsync(_bucket, $"{_schema}_events_2017-07-11T00:00:00Z.json", "{\"id\":1}");
        var outcome = await Load();
        Assert.Equal(LoadStatus.Failed, outcome.Status);
        Assert.Equal(ErrorIds.LoadFailed, outcome.Error!.ErrorId);
        Assert.Equal(ErrorIds.InvalidConfig, ((RedshifterException)outcome.Error.InnerException!).ErrorId);
        Assert.Contains("-Config", outcome.Error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_granularity_replaces_its_window_and_never_skips()
    {
        await Upload("2017-07-11T00:00:00Z", (1, "2017-07-11T01:00:00"), (2, "2017-07-11T05:00:00"));
        await Load();
        await Upload("2017-07-01T00:00:00Z", (3, "2017-07-11T01:30:00"));
        var outcome = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = _bucket, Schema = _schema, Table = "events", Date = DateTimeOffset.Parse("2017-07-01T00:00:00Z", CultureInfo.InvariantCulture),
            Granularity = Granularity.Stream,
            StreamStart = DateTimeOffset.Parse("2017-07-11T00:00:00Z", CultureInfo.InvariantCulture),
            StreamEnd = DateTimeOffset.Parse("2017-07-11T03:00:00Z", CultureInfo.InvariantCulture),
        }, CancellationToken.None);
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(["2", "3"], await Ids());
    }
}
