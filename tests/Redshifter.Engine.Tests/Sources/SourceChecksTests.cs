using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Sources;

/// <summary>
/// The checks before a load's transaction (issue 14 items 4, 5 and 14) against the real S3 server, and
/// through the job and Invoke-RedshiftCopy's runner on the real PostgreSQL: refused alike on both engines,
/// with nothing changed.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class SourceChecksTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly S3Storage _storage = fixture.CreateStorage();
    private readonly string _schema = "checks_" + Guid.NewGuid().ToString("N")[..10];
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private SourceFile Source(string key, DataFormat format = DataFormat.Json, bool manifest = false) =>
        new() { Bucket = _bucket, Key = key, Schema = _schema, Table = "events", Format = format, IsManifest = manifest };

    private static async Task<RedshifterException> Refused(Func<Task> check) => await Assert.ThrowsAsync<RedshifterException>(check);

    [Theory]
    [InlineData(EngineKind.PostgreSQL)]
    [InlineData(EngineKind.Redshift)]
    public async Task A_key_that_begins_other_keys_is_refused_naming_them(EngineKind engine)
    {
        const string key = "api_pages_2024-01-01T00:00:00Z.json.gz";
        foreach (var k in new[] { key, key + ".bak", key + ".1", "api_pages_2024-01-01T00:00:00Z.json" })
            await _storage.PutTextAsync(_bucket, k, "{}");
        var error = await Refused(() => SourceChecks.VerifyAsync(Source(key), _storage, engine, NullEngineLog.Instance, CancellationToken.None));
        Assert.Equal(ErrorIds.CopyFailed, error.ErrorId);
        Assert.Contains($"s3://{_bucket}/{key}.bak", error.Message, StringComparison.Ordinal);
        Assert.Contains($"s3://{_bucket}/{key}.1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"{key[..^3]},", error.Message, StringComparison.Ordinal); // the .json beside it is not under the prefix
        Assert.Contains("manifest", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_other_keys_are_named_up_to_ten_and_more()
    {
        const string key = "t_2024-01-01T00:00:00Z.csv";
        await _storage.PutTextAsync(_bucket, key, "1");
        for (var i = 0; i < 14; i++) await _storage.PutTextAsync(_bucket, $"{key}.{i:D2}", "1");
        var error = await Refused(() => SourceChecks.VerifyKeyIsExactAsync(Source(key, DataFormat.Csv), _storage, CancellationToken.None));
        Assert.Contains($"{key}.09 and more", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"{key}.10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exact_key_and_a_manifest_pass()
    {
        await _storage.PutTextAsync(_bucket, "a.json", "{}");
        await _storage.PutTextAsync(_bucket, "a.json.gz", "{}"); // "a.json" begins "a.json.gz": refused below; "a.json.gz" itself is exact
        await SourceChecks.VerifyAsync(Source("a.json.gz"), _storage, EngineKind.PostgreSQL, NullEngineLog.Instance, CancellationToken.None);
        await Refused(() => SourceChecks.VerifyAsync(Source("a.json"), _storage, EngineKind.PostgreSQL, NullEngineLog.Instance, CancellationToken.None));
        // A manifest is exact: an object beginning with its key is not loaded by COPY … MANIFEST.
        await _storage.PutTextAsync(_bucket, "a.manifest", $"{{\"entries\":[{{\"url\":\"s3://{_bucket}/a.json.gz\",\"mandatory\":true}}]}}");
        await _storage.PutTextAsync(_bucket, "a.manifest.bak", "{}");
        await SourceChecks.VerifyAsync(Source("a.manifest", manifest: true), _storage, EngineKind.PostgreSQL, NullEngineLog.Instance, CancellationToken.None);
    }

    [Theory]
    [InlineData(EngineKind.PostgreSQL)]
    [InlineData(EngineKind.Redshift)]
    public async Task A_Parquet_manifest_needs_every_entrys_content_length(EngineKind engine)
    {
        var part = await ParquetTestData.AllTypesAsync(3);
        await _storage.PutAsync(_bucket, "p/part-0.parquet", part, CancellationToken.None);
        await _storage.PutAsync(_bucket, "p/part-1.parquet", part, CancellationToken.None);
        await _storage.PutAsync(_bucket, "p/part-2.parquet", part, CancellationToken.None);
        string Entry(int i, string meta) => $"{{\"url\":\"s3://{_bucket}/p/part-{i}.parquet\",\"mandatory\":true{meta}}}";
        var withLength = $",\"meta\":{{\"content_length\":{part.Length}}}";

        await _storage.PutTextAsync(_bucket, "m1.manifest", $"{{\"entries\":[{Entry(0, withLength)},{Entry(1, "")},{Entry(2, ",\"meta\":{}")}]}}");
        var error = await Refused(() => SourceChecks.VerifyAsync(Source("m1.manifest", DataFormat.Parquet, true), _storage, engine, NullEngineLog.Instance, CancellationToken.None));
        Assert.Equal(ErrorIds.InvalidConfig, error.ErrorId);
        Assert.Contains($"s3://{_bucket}/p/part-1.parquet, s3://{_bucket}/p/part-2.parquet", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("part-0", error.Message, StringComparison.Ordinal);
        Assert.Contains("content_length", error.RecommendedAction, StringComparison.Ordinal);

        await _storage.PutTextAsync(_bucket, "m2.manifest", $"{{\"entries\":[{Entry(0, withLength)},{Entry(1, ",\"meta\":{\"content_length\":12}")}]}}");
        error = await Refused(() => SourceChecks.VerifyAsync(Source("m2.manifest", DataFormat.Parquet, true), _storage, engine, NullEngineLog.Instance, CancellationToken.None));
        Assert.Equal(ErrorIds.InvalidConfig, error.ErrorId);
        Assert.Contains($"part-1.parquet (content_length 12, object {part.Length} bytes)", error.Message, StringComparison.Ordinal);

        await _storage.PutTextAsync(_bucket, "m3.manifest", $"{{\"entries\":[{Entry(0, withLength)},{Entry(1, withLength)}]}}");
        await SourceChecks.VerifyAsync(Source("m3.manifest", DataFormat.Parquet, true), _storage, engine, NullEngineLog.Instance, CancellationToken.None);
        // A JSON manifest needs no meta: COPY requires only url (and the optional mandatory).
        await _storage.PutTextAsync(_bucket, "m4.manifest", $"{{\"entries\":[{Entry(1, "")}]}}");
        await SourceChecks.VerifyAsync(Source("m4.manifest", DataFormat.Json, true), _storage, engine, NullEngineLog.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task On_Redshift_a_bucket_outside_AWS_REGION_is_refused_before_loading()
    {
        // The S3 server reports every bucket in us-east-1 (an empty location constraint); AWS_REGION says eu-west-1.
        await _storage.PutTextAsync(_bucket, "x.parquet", "PAR1");
        await _storage.PutTextAsync(_bucket, "x.json", "{}");
        using var elsewhere = S3Storage.Create(S3Settings.FromEnvironment(fixture.Environment(new Dictionary<string, string?> { ["AWS_REGION"] = "eu-west-1" })), fixture.Environment());
        var parquet = await Refused(() => SourceChecks.VerifyAsync(Source("x.parquet", DataFormat.Parquet), elsewhere, EngineKind.Redshift, NullEngineLog.Instance, CancellationToken.None));
        Assert.Equal(ErrorIds.CopyFailed, parquet.ErrorId);
        Assert.Contains($"'{_bucket}' is in us-east-1, but AWS_REGION says eu-west-1", parquet.Message, StringComparison.Ordinal);
        Assert.Contains("Parquet", parquet.Message, StringComparison.Ordinal);
        var json = await Refused(() => SourceChecks.VerifyAsync(Source("x.json"), elsewhere, EngineKind.Redshift, NullEngineLog.Instance, CancellationToken.None));
        Assert.Contains("AWS_REGION=us-east-1", json.RecommendedAction, StringComparison.Ordinal);
        // PostgreSQL reads S3 itself: no COPY REGION is involved. And in the right region, Redshift passes too.
        await SourceChecks.VerifyAsync(Source("x.parquet", DataFormat.Parquet), elsewhere, EngineKind.PostgreSQL, NullEngineLog.Instance, CancellationToken.None);
        await SourceChecks.VerifyAsync(Source("x.parquet", DataFormat.Parquet), _storage, EngineKind.Redshift, NullEngineLog.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task The_job_refuses_a_key_with_a_backup_beside_it_and_changes_nothing()
    {
        const string date = "2024-01-01T00:00:00Z";
        var key = $"{_schema}_events_{date}.json";
        await _storage.PutTextAsync(_bucket, key, "{\"id\":1,\"at\":\"2024-01-01 10:00:00\"}");
        await _storage.PutTextAsync(_bucket, key + ".bak", "{\"id\":2,\"at\":\"2024-01-01 11:00:00\"}");
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_events_{date}.yml",
            $"events:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n");
        var outcome = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = _bucket, Schema = _schema, Table = "events", Date = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture),
        }, CancellationToken.None);
        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error!.InnerException);
        Assert.Equal(ErrorIds.CopyFailed, cause.ErrorId);
        Assert.Contains(key + ".bak", cause.Message, StringComparison.Ordinal);
        // Refused before BEGIN: not even the schema was created.
        Assert.Equal(["0"], await fixture.RowsAsync($"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{_schema}'"));
    }

    [Fact]
    public async Task Invoke_RedshiftCopy_refuses_a_Parquet_manifest_without_lengths_and_changes_nothing()
    {
        await fixture.SqlAsync($"CREATE SCHEMA \"{_schema}\"; CREATE TABLE \"{_schema}\".events (id int); INSERT INTO \"{_schema}\".events VALUES (7)");
        await _storage.PutAsync(_bucket, "part.parquet", await ParquetTestData.AllTypesAsync(2), CancellationToken.None);
        await _storage.PutTextAsync(_bucket, "e.manifest", $"{{\"entries\":[{{\"url\":\"s3://{_bucket}/part.parquet\",\"mandatory\":true}}]}}");
        var error = await Refused(() => CopyRunner.CopyAsync(fixture.Database, _storage, Source("e.manifest", DataFormat.Parquet, true), true,
            NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None));
        Assert.Equal(ErrorIds.InvalidConfig, error.ErrorId);
        Assert.Equal(["7"], await fixture.RowsAsync($"SELECT id FROM \"{_schema}\".events"));
    }
}
