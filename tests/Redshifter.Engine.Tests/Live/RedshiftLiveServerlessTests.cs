using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Live;

/// <summary>A live test that needs a Redshift Serverless workgroup: REDSHIFT_TEST_SERVERLESS=1 besides the cluster and bucket variables.</summary>
public sealed class RedshiftServerlessFactAttribute : FactAttribute
{
    public RedshiftServerlessFactAttribute() =>
        Skip = RedshiftFactAttribute.SkipReason(needsBucket: true)
            ?? (Environment.GetEnvironmentVariable("REDSHIFT_TEST_SERVERLESS") != "1" ? "Set REDSHIFT_TEST_SERVERLESS=1 when REDSHIFT_TEST_HOST is a Serverless workgroup to run the Serverless tests." : null);
}

/// <summary>
/// What differs on Redshift Serverless (issue 14): it has no STL views, so a bad record's details must come
/// from SYS_LOAD_ERROR_DETAIL; and its transactions run under snapshot isolation, where two loads of one
/// table at once must both commit, each replacing only its own window. (That the LOCK comes before the first
/// read is shown by RedshiftLiveJobTests.Two_loads_of_one_day_at_once_leave_that_day_once: loads of two
/// different days, as here, would not tell.)
/// Each test works in a schema and key prefix of its own, and removes them.
/// </summary>
public sealed class RedshiftLiveServerlessTests() : LiveRedshiftTest("redshifter_sls_")
{
    private string Config => $"events:\n  columns:\n    - dest: id\n      type: bigint\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {Schema}\n    datadatecolumn: at\n";

    private async Task Upload(string date, string json)
    {
        await Storage!.PutAsync(Bucket, $"{Prefix}{Schema}_events_{date}.json.gz", S3TestData.Gzip(json), CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}config_{Schema}_events_{date}.yml", Config);
    }

    private Task<LoadOutcome> Load(string date) =>
        new LoadJob(RedshiftFactAttribute.Settings(), Storage!, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = Bucket, Prefix = Prefix, Schema = Schema, Table = "events", Date = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture), Force = true,
        }, CancellationToken.None);

    [RedshiftServerlessFact]
    public async Task A_bad_record_is_described_from_SYS_LOAD_ERROR_DETAIL_as_there_are_no_STL_views()
    {
        // Proves the target is Serverless: its STL views do not exist.
        await Assert.ThrowsAnyAsync<Exception>(() => Rows("SELECT 1 FROM stl_load_errors LIMIT 1"));
        await Upload("2024-06-01T00:00:00Z", "{\"id\":1,\"at\":\"2024-06-01 10:00:00\"}\n{\"id\":\"two\",\"at\":\"2024-06-01 11:00:00\"}\n");

        var outcome = await Load("2024-06-01T00:00:00Z");

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        Assert.Equal(ErrorIds.CopyFailed, ((RedshifterException)outcome.Error!.InnerException!).ErrorId);
        var detail = Assert.Single(outcome.Error.Details);
        Assert.Equal((2L, "id"), (detail.Line, detail.Column));
        Assert.Contains("SYS_LOAD_ERROR_DETAIL", outcome.Error.RecommendedAction, StringComparison.Ordinal);
    }

    [RedshiftServerlessFact]
    public async Task Two_loads_of_one_table_at_once_each_replace_only_their_own_day()
    {
        await Upload("2024-06-01T00:00:00Z", "{\"id\":1,\"at\":\"2024-06-01 10:00:00\"}\n");
        Assert.Equal(LoadStatus.Loaded, (await Load("2024-06-01T00:00:00Z")).Status);
        await Upload("2024-06-02T00:00:00Z", "{\"id\":2,\"at\":\"2024-06-02 10:00:00\"}\n{\"id\":3,\"at\":\"2024-06-02 11:00:00\"}\n");
        await Upload("2024-06-03T00:00:00Z", "{\"id\":4,\"at\":\"2024-06-03 10:00:00\"}\n");

        // Under snapshot isolation both commit, and neither touches the other's day.
        var both = await Task.WhenAll(Load("2024-06-02T00:00:00Z"), Load("2024-06-03T00:00:00Z"));

        Assert.All(both, o => Assert.True(o.Status == LoadStatus.Loaded, o.Message));
        Assert.Equal(["1", "2", "3", "4"], await Rows($"SELECT id FROM \"{Schema}\".events ORDER BY id"));
    }
}
