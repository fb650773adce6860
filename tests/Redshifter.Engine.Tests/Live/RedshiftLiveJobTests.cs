using System.Globalization;
using Redshifter.Engine.Catalog;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Live;

/// <summary>
/// Issue 14's job-level behaviour on a real Redshift cluster (provisioned or Serverless): names folded to
/// lower case, keys chosen by automatic table optimization accepted, a varchar widened just before the
/// transaction, a primary key's NOT NULL, the history row, two first loads of one new table at once, two loads of
/// one day at once (the lock before the first read), a Parquet
/// file through the whole job, a SUPER key refused before anything runs, and schema completion.
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

    private Task<LoadOutcome> Load(string table, string? history = null, IEngineLog? log = null) =>
        new LoadJob(RedshiftFactAttribute.Settings(), Storage!, log ?? NullEngineLog.Instance, AlwaysApprove.Instance).RunAsync(new LoadRequest
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
        var log = new ListLog();
        var second = await Load("UserEvents", history: "load_history", log: log);
        Assert.True(second.Status == LoadStatus.Loaded, second.Message);
        // -Verbose says why the keys Redshift chose were accepted.
        Assert.Contains(log.Messages, m => m.StartsWith("VERBOSE: ", StringComparison.Ordinal) && m.Contains("the config sets no distkey, so the table's distribution (possibly chosen by Redshift) is accepted", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.StartsWith("VERBOSE: ", StringComparison.Ordinal) && m.Contains("the config sets no sort key", StringComparison.Ordinal));
        // Widened just before the transaction (Redshift allows it in none), and reported with the load.
        Assert.Equal(["name"], second.WidenedColumns);
        Assert.Equal("Altered", second.TableAction);
        Assert.StartsWith($"ALTER TABLE \"{Schema}\".\"userevents\" ALTER COLUMN \"name\" TYPE VARCHAR(64)", second.Statements[0], StringComparison.Ordinal);
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

    /// <summary>
    /// Issue 14 item 3: the table is locked before it is first read. Two loads of the same day at once: the one
    /// that gets the lock second reads the table only after the first committed, so its DELETE of the day removes
    /// the first's rows. Had it read before locking, under snapshot isolation (the Serverless default) it would
    /// delete from a snapshot without them and leave the day twice; under serializable isolation it would fail
    /// with error 1023 and run again (a warning).
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task Two_loads_of_one_day_at_once_leave_that_day_once()
    {
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: {Schema}\n    datadatecolumn: at\n";
        await Upload("t", "2024-01-01T00:00:00Z", config, "{\"id\":1,\"at\":\"2024-01-01\"}\n{\"id\":2,\"at\":\"2024-01-01\"}\n");
        var first = await Load("t");
        Assert.True(first.Status == LoadStatus.Loaded, first.Message);

        var both = await Task.WhenAll(Load("t"), Load("t"));

        Assert.All(both, o => Assert.True(o.Status == LoadStatus.Loaded, o.Message));
        Assert.All(both, o => Assert.Equal((2L, 2L), (o.RowsDeleted, o.RowsLoaded)));
        Assert.All(both, o => Assert.DoesNotContain(o.Warnings, w => w.Contains("runs again", StringComparison.Ordinal)));
        Assert.Equal(["1", "2"], await Rows($"SELECT id FROM \"{Schema}\".t ORDER BY id"));
    }

    /// <summary>
    /// A Parquet file found, checked and loaded by the job (not Invoke-RedshiftCopy's runner): the table created
    /// from the config, then COPY … FORMAT AS PARQUET by position.
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task Parquet_loads_through_the_job_into_the_table_it_creates()
    {
        const string date = "2024-03-01T00:00:00Z";
        var config = "orders:\n  columns:\n" + string.Concat(ParquetTestData.AllTypesColumns.Select(c => $"    - dest: {c.Name}\n      type: {c.ConfigType}\n")) +
                     $"  meta:\n    schema: {Schema}\n    datadatecolumn: at\n";
        await Storage!.PutAsync(Bucket, $"{Prefix}{Schema}_orders_{date}.parquet", await ParquetTestData.AllTypesAsync(12, rowGroups: 2), CancellationToken.None);
        await Storage.PutTextAsync(Bucket, $"{Prefix}config_{Schema}_orders_{date}.yml", config);

        var outcome = await Load("orders");

        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal(("Created", DataFormat.Parquet, 12L), (outcome.TableAction, outcome.Source!.Format, outcome.RowsLoaded));
        Assert.Contains(outcome.Statements, s => s.StartsWith($"COPY \"{Schema}\".\"orders\" FROM 's3://{Bucket}/{Prefix}{Schema}_orders_{date}.parquet'", StringComparison.Ordinal)
            && s.EndsWith("\nFORMAT AS PARQUET\nSTATUPDATE ON", StringComparison.Ordinal));
        // Every 5th row's nullable columns are NULL; "nü2" is two-byte UTF-8; numeric(10,2) exact; a DATE by position.
        Assert.Equal(["12|2|nü2|11.25|2024-01-02"], await Rows(
            $"SELECT count(*), count(*) - count(qty), max(CASE WHEN id = 2 THEN name END), max(CASE WHEN id = 11 THEN amount END), to_char(min(day), 'YYYY-MM-DD') FROM \"{Schema}\".orders"));
    }

    /// <summary>
    /// Issue 14 item 10 on a real cluster: a SUPER column as distkey or sort key is refused when the config is
    /// read, before any SQL (not even the schema is created); and Redshift itself refuses such a table, which is
    /// why (SUPER limitations: https://docs.aws.amazon.com/redshift/latest/dg/limitations-super.html).
    /// </summary>
    [RedshiftTheory(needsBucket: true)]
    [InlineData("distkey: true", "distkey", "DISTSTYLE KEY DISTKEY (doc)")]
    [InlineData("sortord: 1", "sort key", "COMPOUND SORTKEY (doc)")]
    public async Task A_super_key_is_refused_before_any_SQL_as_Redshift_refuses_it(string key, string what, string attribute)
    {
        var config = $"docs:\n  columns:\n    - dest: id\n      type: bigint\n    - dest: doc\n      type: super\n      {key}\n    - dest: at\n      type: date\n  meta:\n    schema: {Schema}\n    datadatecolumn: at\n";
        await Upload("docs", "2024-01-01T00:00:00Z", config, """{"id":1,"doc":{"a":1},"at":"2024-01-01"}""");
        var log = new ListLog();

        var outcome = await Load("docs", log: log);

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error!.InnerException);
        Assert.Equal(ErrorIds.InvalidConfig, cause.ErrorId);
        Assert.Contains($"type super, which cannot be a {what}", cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("VERBOSE: SQL: ", StringComparison.Ordinal));
        Assert.Equal(["0"], await Rows($"SELECT count(*) FROM pg_namespace WHERE nspname = '{Schema}'"));

        await Sql($"CREATE SCHEMA \"{Schema}\"");
        await Assert.ThrowsAnyAsync<Exception>(() => Sql($"CREATE TABLE \"{Schema}\".docs (id BIGINT, doc SUPER, at DATE) {attribute}"));
    }

    /// <summary>
    /// Issue 14 item 13: argument completion lists the schemas the user can use, from pg_namespace with
    /// has_schema_privilege, not only the ones it owns: public (every user has USAGE on it by default:
    /// https://docs.aws.amazon.com/redshift/latest/dg/r_Schemas_and_tables-schema-based-privileges.html) as well as
    /// the test's own schema, typed in another case and with its '_' escaped for ILIKE; then the tables of that schema.
    /// </summary>
    [RedshiftFact(needsBucket: true)]
    public async Task Completion_lists_the_schemas_the_user_can_use_and_their_tables()
    {
        await Sql($"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".events (id INT); CREATE TABLE \"{Schema}\".errors (id INT); CREATE VIEW \"{Schema}\".events_v AS SELECT id FROM \"{Schema}\".events");
        var settings = RedshiftFactAttribute.Settings();

        Assert.Equal([Schema], await CatalogBrowser.ListSchemasAsync(settings, Schema.ToUpperInvariant(), CancellationToken.None));
        // A typed '_' is a character, not ILIKE's any-one-character: the schema's last character is a hex digit.
        Assert.Empty(await CatalogBrowser.ListSchemasAsync(settings, Schema[..^1] + "_", CancellationToken.None));
        Assert.Contains("public", await CatalogBrowser.ListSchemasAsync(settings, "PUB", CancellationToken.None));
        Assert.Empty(await CatalogBrowser.ListSchemasAsync(settings, "pg_", CancellationToken.None));
        Assert.Empty(await CatalogBrowser.ListSchemasAsync(settings, "information", CancellationToken.None));
        Assert.Equal(["errors", "events"], await CatalogBrowser.ListTablesAsync(settings, Schema, "E", CancellationToken.None)); // base tables only
    }
}
