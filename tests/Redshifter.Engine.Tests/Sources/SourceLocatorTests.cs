using System.Globalization;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Sources;

/// <summary>Discovery against the real S3 server, in both layouts.</summary>
[Collection(ServersCollection.Name)]
public sealed class SourceLocatorTests(ServersFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly S3Storage _storage = fixture.CreateStorage();
    private readonly ListLog _log = new();

    public void Dispose() => _storage.Dispose();

    private static DateTimeOffset D(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    private Task<SourceFile> Find(string bucket, string table = "pages", DateTimeOffset? date = null, string prefix = "", string? config = null) =>
        new SourceLocator(_storage, _log).FindAsync(new SourceQuery { Bucket = bucket, Prefix = prefix, Schema = "api", Table = table, Date = date, Config = config }, CancellationToken.None);

    private async Task Put(string bucket, params string[] keys)
    {
        foreach (var k in keys) await _storage.PutTextAsync(bucket, k, "{\"id\":1}\n");
    }

    [Fact]
    public async Task Finds_the_latest_date_and_describes_it()
    {
        var bucket = await _storage.NewBucketAsync();
        await Put(bucket,
            "api_pages_2015-06-30T23:00:00Z.json",
            "api_pages_2015-07-01T00:00:00Z.json.gz",
            "api_pages_2015-07-01T00:00:00Z.json",
            "api_pages_2015-07-01T00:00:00Z.csv",
            "api_pages_v2_2016-01-01T00:00:00Z.json",   // another table, later: never taken
            "api_pages_2017-01-01T00:00:00Z.yml",       // a config, never data
            "api_pages_2099-99-99T00:00:00Z.json",      // bad date: skipped
            "config_api_pages_2015-07-01T00:00:00Z.yml");
        var found = await Find(bucket);
        Assert.Equal("api_pages_2015-07-01T00:00:00Z.json.gz", found.Key); // json.gz beats json and csv
        Assert.Equal(D("2015-07-01T00:00:00Z"), found.DataDate);
        Assert.Equal(DataFormat.Json, found.Format);
        Assert.Equal(Compression.Gzip, found.Compression);
        Assert.Equal($"s3://{bucket}/config_api_pages_2015-07-01T00:00:00Z.yml", found.ConfigUri);
        Assert.True(found.Size > 0);
        Assert.Contains(_log.Messages, m => m.Contains("2099-99-99", StringComparison.Ordinal) && m.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_manifest_beats_json_gz_and_is_validated()
    {
        var bucket = await _storage.NewBucketAsync();
        await Put(bucket, "api_pages_2015-07-01T00:00:00Z.json.gz", "parts/a.json.gz", "parts/b.json.gz");
        await _storage.PutTextAsync(bucket, "api_pages_2015-07-01T00:00:00Z.manifest",
            $"{{\"entries\":[{{\"url\":\"s3://{bucket}/parts/a.json.gz\",\"mandatory\":true}},{{\"url\":\"s3://{bucket}/parts/b.json.gz\",\"mandatory\":true}}]}}");
        var found = await Find(bucket);
        Assert.True(found.IsManifest);
        Assert.Equal(DataFormat.Json, found.Format);
        Assert.Equal(Compression.Gzip, found.Compression);

        await _storage.PutTextAsync(bucket, "api_pages_2015-07-02T00:00:00Z.manifest",
            $"{{\"entries\":[{{\"url\":\"s3://{bucket}/parts/missing.json\",\"mandatory\":true}}]}}");
        var missing = await Assert.ThrowsAsync<RedshifterException>(() => Find(bucket));
        Assert.Equal(ErrorIds.SourceNotFound, missing.ErrorId);
        Assert.Contains("parts/missing.json", missing.Message, StringComparison.Ordinal);

        await _storage.PutTextAsync(bucket, "api_pages_2015-07-03T00:00:00Z.manifest", "not json");
        var invalid = await Assert.ThrowsAsync<RedshifterException>(() => Find(bucket));
        Assert.Contains("not valid", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finds_an_exact_date_and_a_given_config_overrides_the_discovered_one()
    {
        var bucket = await _storage.NewBucketAsync();
        await Put(bucket, "exports/api_pages_2015-07-01T00:00:00Z.json", "exports/api_pages_2015-07-02T00:00:00Z.json", "exports/config_api_pages_2015-07-01T00:00:00Z.yml");
        var found = await Find(bucket, date: D("2015-07-01T00:00:00Z"), prefix: "exports/", config: $"s3://{bucket}/other.yml");
        Assert.Equal("exports/api_pages_2015-07-01T00:00:00Z.json", found.Key);
        Assert.Equal($"s3://{bucket}/other.yml", found.ConfigUri);
        var offset = await Find(bucket, date: D("2015-07-02T02:00:00+02:00"), prefix: "exports/");
        Assert.Equal("exports/api_pages_2015-07-02T00:00:00Z.json", offset.Key);
    }

    [Fact]
    public async Task A_missing_file_names_bucket_prefix_table_date_and_the_most_recent_file()
    {
        var bucket = await _storage.NewBucketAsync();
        await Put(bucket, "in/api_pages_2015-07-02T00:00:00Z.json");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Find(bucket, date: D("2015-07-01T00:00:00Z"), prefix: "in/"));
        Assert.Equal(ErrorIds.SourceNotFound, ex.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        foreach (var part in new[] { bucket, "'in/'", "api.pages", "2015-07-01T00:00:00Z", $"s3://{bucket}/in/api_pages_2015-07-02T00:00:00Z.json" })
            Assert.Contains(part, ex.Message, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<RedshifterException>(() => Find(bucket, table: "sessions"));
        Assert.Contains("No file of the table was seen", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bucket_is_named()
    {
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Find("no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Contains("no-such-bucket-", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Walks_the_partitioned_layout_newest_first()
    {
        var bucket = await _storage.NewBucketAsync();
        string P(int y, int m, int d, string file) => $"data/api/pages/_data_timestamp_year={y}/_data_timestamp_month={m:00}/_data_timestamp_day={d:00}/{file}";
        await Put(bucket,
            P(2015, 7, 1, "api_pages_2015-07-01T10:00:00Z.json"),
            P(2015, 7, 2, "api_pages_2015-07-02T10:00:00Z.json"),
            P(2015, 7, 2, "api_pages_2015-07-02T11:00:00Z.json.gz"),
            P(2015, 12, 1, "config_api_pages_2015-12-01T00:00:00Z.yml"), // newest folder holds no data: go back
            P(2015, 7, 2, "config_api_pages_2015-07-02T11:00:00Z.yml"));
        var found = await Find(bucket, prefix: "data/");
        Assert.Equal(P(2015, 7, 2, "api_pages_2015-07-02T11:00:00Z.json.gz"), found.Key);
        Assert.Equal($"s3://{bucket}/{P(2015, 7, 2, "config_api_pages_2015-07-02T11:00:00Z.yml")}", found.ConfigUri);
        var exact = await Find(bucket, prefix: "data/", date: D("2015-07-01T10:00:00Z"));
        Assert.Equal(P(2015, 7, 1, "api_pages_2015-07-01T10:00:00Z.json"), exact.Key);

        // The flat layout under the same prefix with a later date wins.
        await Put(bucket, "data/api_pages_2015-07-03T00:00:00Z.json");
        Assert.Equal("data/api_pages_2015-07-03T00:00:00Z.json", (await Find(bucket, prefix: "data/")).Key);
    }

    [Fact]
    public async Task Finding_the_latest_of_many_files_costs_few_requests()
    {
        var small = await RequestsToFindLatest(2_000);
        var large = await RequestsToFindLatest(20_000);
        output.WriteLine($"requests to find the latest: {small} at 2,000 files, {large} at 20,000 files");
        Assert.True(large <= 40, $"20,000 files took {large} requests");
        Assert.True(large - small <= 10, $"2,000 files took {small} requests, 20,000 took {large}");
    }

    private async Task<long> RequestsToFindLatest(int files)
    {
        var bucket = await _storage.NewBucketAsync();
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var keys = Enumerable.Range(0, files).Select(i => $"api_pages_{start.AddHours(i):yyyy-MM-ddTHH:mm:ss}Z.json")
            .Concat(Enumerable.Range(0, files / 10).Select(i => $"api_pages_v2_{start.AddHours(i):yyyy-MM-ddTHH:mm:ss}Z.json"));
        S3TestData.WriteObjectsOnDisk(fixture, bucket, keys);
        var before = _storage.RequestCount;
        var found = await Find(bucket);
        Assert.Equal($"api_pages_{start.AddHours(files - 1):yyyy-MM-ddTHH:mm:ss}Z.json", found.Key);
        return _storage.RequestCount - before;
    }
}
