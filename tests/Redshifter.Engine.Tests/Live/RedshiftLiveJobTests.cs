using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Live;

/// <summary>
/// Issue 14's job-level behaviour on a real Redshift cluster (provisioned or Serverless): names folded to
/// lower case, keys chosen by automatic table optimization accepted, a varchar widened just before the
/// transaction, a primary key's NOT NULL, the history row, and two first loads of one new table at once.
/// Needs the REDSHIFT_TEST_* variables and REDSHIFT_TEST_S3_BUCKET; skipped, saying which are missing,
/// everywhere else. Each test works in a schema and key prefix of its own, and removes them.
/// </summary>
public sealed class RedshiftLiveJobTests() : LiveRedshiftTest("redshifter_job_")
{
    private string MixedConfig(string nameType) => $"""
        UserEvents:
          dest: UserEvents
          columns:
            - dest: userId
              type: bigint
              primarykey: true
            - dest: Name
              type: {nameType}
            - dest: loadedAt
              type: timestamp
          meta:
            schema: {Schema}
            datadatecolumn: LoadedAt
        """;

    private async Task Upload(string table, string date, string config, string json)
    {
        await Storage!.PutAsync(Bucket, $"{Prefix}{Schema}_{table}_{date}.json.gz", S3TestData.Gzip(json), CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}config_{Schema}_{table}_{date}.yml", config);
    }

    private Task<LoadOutcome> Load(string table, string? history = null) =>
        new LoadJob(RedshiftFactAttribute.Settings(), Storage!, NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = Bucket, Prefix = Prefix, Schema = Schema, Table = table, HistoryTable = history == null ? null : (Schema, history),
        }, CancellationToken.None);

    [RedshiftFact(needsBucket: true)]
    public async Task Mixed_case_names_keys_chosen_by_Redshift_and_a_widened_varchar()
    {
        await Upload("UserEvents", "2024-03-01T00:00:00Z", MixedConfig("varchar(8)"), """{"userId":1,"Name":"short","loadedAt":"2024-03-01 10:00:00"}""");
        var first = await Load("UserEvents", history: "load_history");
        Assert.True(first.Status == LoadStatus.Loaded, first.Message);
        Assert.Equal(["userid", "name", "loadedat"], await Rows($"SELECT column_name FROM information_schema.columns WHERE table_schema = '{Schema}' AND table_name = 'userevents' ORDER BY ordinal_position"));

        // Automatic table optimization picks keys later; simulate it, and the next load must not call it a mismatch.
        await Sql($"ALTER TABLE \"{Schema}\".userevents ALTER DISTSTYLE KEY DISTKEY userid");
        await Sql($"ALTER TABLE \"{Schema}\".userevents ALTER SORTKEY (loadedat)");
        var longName = "a name of thirty-one bytes, yes";
        await Upload("UserEvents", "2024-03-02T00:00:00Z", MixedConfig("varchar(64)"), $$"""{"userId":2,"Name":"{{longName}}","loadedAt":"2024-03-02 10:00:00"}""");
        var second = await Load("UserEvents", history: "load_history");
        Assert.True(second.Status == LoadStatus.Loaded, second.Message);
        Assert.Equal(["name"], second.WidenedColumns);
        Assert.Equal([longName], await Rows($"SELECT name FROM \"{Schema}\".userevents WHERE userid = 2"));
        Assert.Equal(["2"], await Rows($"SELECT count(*) FROM \"{Schema}\".load_history"));
    }

    [RedshiftFact(needsBucket: true)]
    public async Task Two_first_loads_of_one_new_table_both_succeed()
    {
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: {Schema}\n    datadatecolumn: at\n";
        await Upload("t", "2024-01-01T00:00:00Z", config, """{"id":1,"at":"2024-01-01"}""");
        await Sql($"CREATE SCHEMA IF NOT EXISTS \"{Schema}\"");
        var both = await Task.WhenAll(Load("t"), Load("t"));
        Assert.All(both, o => Assert.True(o.Status == LoadStatus.Loaded, o.Message));
        // The second one ran after the first (serialized by the lock), and replaced the same day's row.
        Assert.Equal(["1"], await Rows($"SELECT count(*) FROM \"{Schema}\".t"));
    }
}
