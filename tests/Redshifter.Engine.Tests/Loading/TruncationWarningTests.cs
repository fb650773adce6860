using System.Globalization;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// TRUNCATECOLUMNS cuts a value longer than its varchar, as Redshift does, and the PostgreSQL loader says so
/// once per column (count, longest size in bytes, the width that fits): issue 17, section 2.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class TruncationWarningTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "tw_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    // 66 bytes: 64 ASCII letters and one two-byte letter.
    private static readonly string LongName = new string('n', 64) + "é";

    public async Task InitializeAsync()
    {
        _bucket = await _storage.NewBucketAsync();
        await fixture.SqlAsync($"CREATE SCHEMA \"{_schema}\"");
    }

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Invoke_RedshiftCopy_warns_once_per_column_with_the_count_the_longest_size_and_the_width_that_fits()
    {
        await fixture.SqlAsync($"CREATE TABLE \"{_schema}\".people (id INT, name VARCHAR(64), code CHAR(2), note VARCHAR(8))");
        await _storage.PutTextAsync(_bucket, "people.csv", $"1,{LongName},abc,short\n2,{new string('m', 65)},ab,ok\n3,fine,xyz,\n");
        var log = new ListLog();
        var outcome = await CopyRunner.CopyAsync(fixture.Database, _storage,
            new SourceFile { Bucket = _bucket, Key = "people.csv", Schema = _schema, Table = "people", Format = DataFormat.Csv }, false, log, AlwaysApprove.Instance, CancellationToken.None);

        Assert.Equal(3, outcome.RowsLoaded);
        Assert.Equal(
            [
                $"{_schema}.people: TRUNCATECOLUMNS cut 2 value(s) of column 'name' to varchar(64); the longest was 66 bytes: make it varchar(66) in the config to keep them whole.",
                $"{_schema}.people: TRUNCATECOLUMNS cut 2 value(s) of column 'code' to char(2); the longest was 3 bytes: make it char(3) in the config to keep them whole.",
            ],
            outcome.Warnings);
        Assert.Equal(outcome.Warnings.Select(w => "WARNING: " + w), log.Messages.Where(m => m.StartsWith("WARNING: ", StringComparison.Ordinal)));
        // Stored cut, as Redshift stores it (at a character boundary: the two-byte letter does not fit).
        Assert.Equal([$"1|{new string('n', 64)}|ab", $"2|{new string('m', 64)}|ab", "3|fine|xy"],
            await fixture.RowsAsync($"SELECT id, name, code FROM \"{_schema}\".people ORDER BY id"));
    }

    [Fact]
    public async Task Invoke_S3ToRedshift_reports_the_cut_values_of_a_record_past_the_checked_head_on_the_result()
    {
        const string Date = "2024-05-01T00:00:00Z";
        var lines = Enumerable.Range(1, 1500).Select(i => $"{{\"id\":{i},\"name\":\"{(i == 1400 ? LongName : "p" + i.ToString(CultureInfo.InvariantCulture))}\",\"at\":\"2024-05-01T10:00:00\"}}");
        await _storage.PutTextAsync(_bucket, $"{_schema}_people_{Date}.json", string.Join("\n", lines));
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_people_{Date}.yml", $"""
            people:
              dest: people
              columns:
                - dest: id
                  type: int
                - dest: name
                  type: varchar(64)
                - dest: at
                  type: timestamp
              meta:
                schema: {_schema}
                datadatecolumn: at
            """);
        var outcome = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance)
            .RunAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "people" }, CancellationToken.None);

        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(
            $"{_schema}.people: TRUNCATECOLUMNS cut 1 value(s) of column 'name' to varchar(64); the longest was 66 bytes: make it varchar(66) in the config to keep them whole.",
            Assert.Single(outcome.Warnings, w => w.Contains("TRUNCATECOLUMNS", StringComparison.Ordinal)));
        Assert.Equal([new string('n', 64)], await fixture.RowsAsync($"SELECT name FROM \"{_schema}\".people WHERE id = 1400"));
    }
}
