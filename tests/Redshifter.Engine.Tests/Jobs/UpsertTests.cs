using System.Globalization;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Jobs;

/// <summary>-Mode Upsert (issue 10) against the real servers: values, not just counts.</summary>
[Collection(ServersCollection.Name)]
public sealed class UpsertTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "ups_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    // status is NOT NULL with a default and absent from the files: the staging table must carry the default.
    private string Config(bool withExtra = false) =>
        "customers:\n  columns:\n" +
        "    - dest: id\n      type: bigint\n      primarykey: true\n      notnull: true\n" +
        (withExtra ? "    - dest: tier\n      type: varchar(10)\n" : "") +
        "    - dest: name\n      type: text\n" +
        "    - dest: status\n      type: varchar(10)\n      notnull: true\n      defaultval: \"'active'\"\n" +
        "    - dest: updated_at\n      type: timestamp\n" +
        $"  meta:\n    schema: {_schema}\n    datadatecolumn: updated_at\n";

    private async Task Upload(string date, string jsonLines, bool withExtra = false)
    {
        await _storage.PutTextAsync(_bucket, $"{_schema}_customers_{date}.json", jsonLines);
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_customers_{date}.yml", Config(withExtra));
    }

    private Task<LoadOutcome> Load(string date, LoadMode mode = LoadMode.Upsert, string[]? key = null, string? precombine = null, IChangeApproval? approval = null, bool truncate = false) =>
        new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, approval ?? AlwaysApprove.Instance).RunAsync(new LoadRequest
        {
            Bucket = _bucket, Schema = _schema, Table = "customers", Date = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture),
            Force = true, Mode = mode, UpsertKey = key, PrecombineKey = precombine, Truncate = truncate,
        }, CancellationToken.None);

    private Task<List<string>> Rows(string columns = "id, name, status") => fixture.RowsAsync($"SELECT {columns} FROM \"{_schema}\".customers ORDER BY id");

    private async Task Seed()
    {
        await Upload("2024-01-01T00:00:00Z", """
            {"id":1,"name":"Ada","updated_at":"2024-01-01T00:00:00"}
            {"id":2,"name":"Brendan","updated_at":"2024-01-01T00:00:00","status":"paused"}
            {"id":3,"name":"Chen","updated_at":"2024-01-01T00:00:00"}
            """);
        Assert.Equal(LoadStatus.Loaded, (await Load("2024-01-01T00:00:00Z", LoadMode.Append)).Status);
    }

    [Fact]
    public async Task Rows_of_existing_keys_are_updated_and_the_others_inserted()
    {
        await Seed();
        await Upload("2024-01-02T00:00:00Z", """
            {"id":2,"name":"Brendan E.","updated_at":"2024-01-02T00:00:00"}
            {"id":4,"name":"Dana","updated_at":"2024-01-02T00:00:00","status":"new"}
            {"id":3,"name":"Chen Li","updated_at":"2024-01-02T00:00:00"}
            """);
        var outcome = await Load("2024-01-02T00:00:00Z");
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal((3L, 2L, 1L, 0L), (outcome.RowsLoaded, outcome.RowsUpdated, outcome.RowsInserted, outcome.RowsDeleted));
        Assert.Contains("2 updated, 1 inserted", outcome.Message, StringComparison.Ordinal);
        // 1 untouched; 2 takes the file's values, its missing status the column default; 4 new.
        Assert.Equal(["1|Ada|active", "2|Brendan E.|active", "3|Chen Li|active", "4|Dana|new"], await Rows());
    }

    [Fact]
    public async Task Duplicate_keys_fail_without_a_precombine_key_and_keep_the_newest_with_one()
    {
        await Seed();
        await Upload("2024-01-02T00:00:00Z", """
            {"id":2,"name":"newest","updated_at":"2024-01-02T12:00:00"}
            {"id":5,"name":"only","updated_at":"2024-01-02T01:00:00"}
            {"id":2,"name":"oldest","updated_at":"2024-01-02T01:00:00"}
            {"id":2,"name":"middle","updated_at":"2024-01-02T06:00:00"}
            {"id":2,"name":"no date"}
            """);
        var refused = await Load("2024-01-02T00:00:00Z");
        Assert.Equal(LoadStatus.Failed, refused.Status);
        var cause = (RedshifterException)refused.Error!.InnerException!;
        Assert.Equal(ErrorIds.CopyFailed, cause.ErrorId);
        Assert.Contains("(id = 2) occurs 4 times", cause.Message, StringComparison.Ordinal);
        Assert.Contains("-PrecombineKey", cause.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(["1|Ada|active", "2|Brendan|paused", "3|Chen|active"], await Rows());

        var merged = await Load("2024-01-02T00:00:00Z", precombine: "UPDATED_AT");
        Assert.Equal(LoadStatus.Loaded, merged.Status);
        Assert.Equal((5L, 1L, 1L), (merged.RowsLoaded, merged.RowsUpdated, merged.RowsInserted));
        Assert.Equal(["1|Ada|active", "2|newest|active", "3|Chen|active", "5|only|active"], await Rows());
    }

    [Fact]
    public async Task After_an_added_column_every_value_lands_in_its_column()
    {
        await Seed();
        // The new config puts tier second; the table gets it last: staging and target orders differ from the config's.
        await Upload("2024-01-02T00:00:00Z", """
            {"name":"Chen Li","tier":"gold","id":3,"status":"vip","updated_at":"2024-01-02T00:00:00"}
            {"tier":"silver","id":7,"name":"Grace","updated_at":"2024-01-02T00:00:00"}
            """, withExtra: true);
        var outcome = await Load("2024-01-02T00:00:00Z");
        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(["tier"], outcome.AddedColumns);
        Assert.Equal(
            ["1|Ada|active|NULL|2024-01-01 00:00:00", "2|Brendan|paused|NULL|2024-01-01 00:00:00", "3|Chen Li|vip|gold|2024-01-02 00:00:00", "7|Grace|active|silver|2024-01-02 00:00:00"],
            await Rows("id, name, status, tier, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS')"));
    }

    [Fact]
    public async Task A_failure_mid_upsert_leaves_the_table_unchanged()
    {
        await Seed();
        var before = await Rows();
        // A bad value at line 3 (after rows that would update and insert).
        await Upload("2024-01-02T00:00:00Z", "{\"id\":1,\"name\":\"x\"}\n{\"id\":9,\"name\":\"y\"}\n{\"id\":\"three\",\"name\":\"z\"}\n");
        var bad = await Load("2024-01-02T00:00:00Z");
        Assert.Equal(LoadStatus.Failed, bad.Status);
        Assert.Contains("line 3", bad.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Rows());

        // Records without a value in the key: refused after the COPY into staging, before the merge.
        await Upload("2024-01-03T00:00:00Z", "{\"id\":1,\"name\":\"x\"}\n{\"id\":10,\"name\":\"keyless\"}\n");
        var nullKey = await Load("2024-01-03T00:00:00Z", key: ["updated_at"]);
        Assert.Equal(LoadStatus.Failed, nullKey.Status);
        Assert.Contains("2 record(s)", nullKey.Message, StringComparison.Ordinal);
        Assert.Contains("no value in the upsert key (updated_at)", nullKey.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Rows());

        // The staging tables never outlive a load: the next upsert in a fresh session starts clean.
        Assert.Equal(["0"], await fixture.RowsAsync("SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'redshifter_staging%'"));
    }

    [Fact]
    public async Task Bad_keys_are_refused_before_anything_changes()
    {
        // No primary key in the config and no -UpsertKey: refused before the table is even created.
        await Upload("2024-01-01T00:00:00Z", "{\"id\":1,\"name\":\"x\"}\n");
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_customers_2024-01-01T00:00:00Z.yml", Config().Replace("      primarykey: true\n", "", StringComparison.Ordinal));
        var noKey = await Load("2024-01-01T00:00:00Z");
        Assert.Contains("needs a key", noKey.Message, StringComparison.Ordinal);
        Assert.Equal(["0"], await fixture.RowsAsync($"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{_schema}'"));

        await Seed();
        await Upload("2024-01-02T00:00:00Z", "{\"id\":1,\"name\":\"x\"}\n");
        async Task<string> Refusal(string[]? key, string? precombine, bool truncate = false)
        {
            var outcome = await Load("2024-01-02T00:00:00Z", key: key, precombine: precombine, truncate: truncate);
            Assert.Equal(LoadStatus.Failed, outcome.Status);
            Assert.Equal(ErrorIds.InvalidArgument, ((RedshifterException)outcome.Error!.InnerException!).ErrorId);
            return outcome.Message!;
        }
        Assert.Contains("'nope' is not a column", await Refusal(["nope"], null), StringComparison.Ordinal);
        Assert.Contains("-PrecombineKey 'id' is part of the upsert key", await Refusal(null, "id"), StringComparison.Ordinal);
        Assert.Contains("contradict", await Refusal(null, null, truncate: true), StringComparison.Ordinal);
        Assert.Equal(["1|Ada|active", "2|Brendan|paused", "3|Chen|active"], await Rows());
    }

    [Fact]
    public async Task WhatIf_shows_every_statement_with_explicit_columns()
    {
        await Seed();
        await Upload("2024-01-02T00:00:00Z", "{\"id\":1,\"name\":\"x\"}\n");
        var shown = await Load("2024-01-02T00:00:00Z", precombine: "updated_at", approval: new NeverApprove());
        Assert.False(shown.Approved);
        var t = $"\"{_schema}\".\"customers\"";
        Assert.Equal(
            [
                $"SELECT pg_advisory_xact_lock(hashtext('{_schema}.customers'))",
                $"LOCK TABLE {t}",
                $"CREATE TEMP TABLE \"redshifter_staging\" (LIKE {t} INCLUDING DEFAULTS)",
                $"COPY \"redshifter_staging\" (\"id\", \"name\", \"status\", \"updated_at\") FROM STDIN (FORMAT BINARY) -- streamed from s3://{_bucket}/{_schema}_customers_2024-01-02T00:00:00Z.json",
                "CREATE TEMP TABLE \"redshifter_staging_latest\" AS SELECT \"id\", \"name\", \"status\", \"updated_at\" FROM (SELECT \"id\", \"name\", \"status\", \"updated_at\", ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY \"updated_at\" DESC NULLS LAST) AS \"redshifter_rank\" FROM \"redshifter_staging\") AS \"ranked\" WHERE \"redshifter_rank\" = 1",
                $"MERGE INTO {t} USING \"redshifter_staging_latest\" ON {t}.\"id\" = \"redshifter_staging_latest\".\"id\" WHEN MATCHED THEN UPDATE SET \"name\" = \"redshifter_staging_latest\".\"name\", \"status\" = \"redshifter_staging_latest\".\"status\", \"updated_at\" = \"redshifter_staging_latest\".\"updated_at\" WHEN NOT MATCHED THEN INSERT (\"id\", \"name\", \"status\", \"updated_at\") VALUES (\"redshifter_staging_latest\".\"id\", \"redshifter_staging_latest\".\"name\", \"redshifter_staging_latest\".\"status\", \"redshifter_staging_latest\".\"updated_at\")",
                "DROP TABLE \"redshifter_staging_latest\"",
                "DROP TABLE \"redshifter_staging\"",
            ],
            shown.Statements);
        Assert.Equal(["1|Ada|active", "2|Brendan|paused", "3|Chen|active"], await Rows());
    }

    /// <summary>PostgreSQL before 15 has no MERGE: the same upsert as DELETE … USING + INSERT (forced here on PostgreSQL 15).</summary>
    [Fact]
    public async Task Without_MERGE_the_matched_rows_are_deleted_and_the_staged_rows_inserted()
    {
        await Seed();
        await Upload("2024-01-02T00:00:00Z", "{\"id\":3,\"name\":\"Chen Li\"}\n{\"id\":8,\"name\":\"Hana\",\"status\":\"new\"}\n");
        var source = new SourceFile
        {
            Bucket = _bucket, Key = $"{_schema}_customers_2024-01-02T00:00:00Z.json", Schema = _schema, Table = "customers",
            DataDate = DateTimeOffset.Parse("2024-01-02T00:00:00Z", CultureInfo.InvariantCulture), Format = DataFormat.Json,
        };
        var log = new ListLog();
        await using (var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None))
        {
            session.SupportsMerge = false;
            await using var transaction = await session.BeginAsync(CancellationToken.None);
            var counts = await new Upsert(new TableLoader(_storage, log), log).RunAsync(session, transaction, source, ["id", "name", "status", "updated_at"], new UpsertKeys(["id"], null), CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            Assert.Equal((2L, 1L, 1L), (counts.RowsLoaded, counts.RowsUpdated, counts.RowsInserted));
        }
        Assert.Contains(log.Messages, m => m.Contains("DELETE FROM", StringComparison.Ordinal) && m.Contains("USING \"redshifter_staging\"", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.Contains("MERGE", StringComparison.Ordinal));
        Assert.Equal(["1|Ada|active", "2|Brendan|paused", "3|Chen Li|active", "8|Hana|new"], await Rows());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Updated_counts_staged_rows_whose_key_exists_even_when_the_target_holds_that_key_twice(bool merge)
    {
        // Redshift does not enforce primary keys: a table loaded by other means may hold a key twice.
        await fixture.SqlAsync($"CREATE SCHEMA IF NOT EXISTS \"{_schema}\"; CREATE TABLE \"{_schema}\".dupes (id INT, name VARCHAR(20)); INSERT INTO \"{_schema}\".dupes VALUES (1, 'a'), (1, 'a again'), (2, 'b')");
        await _storage.PutTextAsync(_bucket, "dupes.json", "{\"id\":1,\"name\":\"A\"}\n{\"id\":3,\"name\":\"C\"}\n");
        var source = new SourceFile { Bucket = _bucket, Key = "dupes.json", Schema = _schema, Table = "dupes", Format = DataFormat.Json };
        await using (var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None))
        {
            session.SupportsMerge = merge;
            await using var transaction = await session.BeginAsync(CancellationToken.None);
            var counts = await new Upsert(new TableLoader(_storage, NullEngineLog.Instance), NullEngineLog.Instance)
                .RunAsync(session, transaction, source, ["id", "name"], new UpsertKeys(["id"], null), CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            Assert.Equal((2L, 1L, 1L), (counts.RowsLoaded, counts.RowsUpdated, counts.RowsInserted));
        }
        // MERGE updates both rows of key 1; DELETE + INSERT leaves one.
        Assert.Equal(merge ? ["1|A", "1|A", "2|b", "3|C"] : ["1|A", "2|b", "3|C"], await fixture.RowsAsync($"SELECT id, name FROM \"{_schema}\".dupes ORDER BY id, name"));
    }

    private sealed class NeverApprove : IChangeApproval
    {
        public Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
