using System.Globalization;
using Npgsql;
using Redshifter.Engine.Config;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Jobs;

/// <summary>
/// Issue 14's behaviour of a real Redshift cluster, shown on PostgreSQL where it can be (names folded to
/// lower case, keys Redshift picks itself, primary keys NOT NULL, widening, locking before reading,
/// a table created meanwhile) and pinned as decisions where it cannot.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedshiftBehaviourTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "rs_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private Task<LoadOutcome> Load(string table, string? date = null, IChangeApproval? approval = null, DatabaseSettings? settings = null, IEngineLog? log = null, string? history = null,
        Action<Database.DatabaseSession>? sessionOpened = null, bool truncate = false) =>
        new LoadJob(settings ?? fixture.Database, _storage, log ?? NullEngineLog.Instance, approval ?? AlwaysApprove.Instance) { SessionOpened = sessionOpened }.RunAsync(new LoadRequest
        {
            Bucket = _bucket, Schema = _schema, Table = table, Date = date == null ? null : DateTimeOffset.Parse(date, CultureInfo.InvariantCulture),
            HistoryTable = history == null ? null : (_schema, history), Truncate = truncate,
        }, CancellationToken.None);

    /// <summary>The statements a load sent, as -Verbose tells them.</summary>
    private static List<string> Sent(ListLog log) =>
        [.. log.Messages.Where(m => m.StartsWith("VERBOSE: SQL: ", StringComparison.Ordinal)).Select(m => m["VERBOSE: SQL: ".Length..])];

    private async Task Upload(string table, string date, string config, string json)
    {
        await _storage.PutTextAsync(_bucket, $"{_schema}_{table}_{date}.json", json);
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_{table}_{date}.yml", config);
    }

    private string MixedCaseConfig(string nameType = "varchar(16)") => $"""
        UserEvents:
          dest: UserEvents
          columns:
            - dest: userId
              type: int
              primarykey: true
            - dest: Name
              type: {nameType}
            - dest: loadedAt
              type: timestamp
          meta:
            schema: {_schema.ToUpperInvariant()}
            datadatecolumn: LoadedAt
        """;

    [Fact]
    public async Task Mixed_case_names_are_stored_folded_and_the_second_load_finds_them()
    {
        await Upload("UserEvents", "2024-03-02T00:00:00Z", MixedCaseConfig(), """{"USERID":1,"name":"a","loadedat":"2024-03-02T10:00:00"}""");
        var first = await Load("UserEvents");
        Assert.Equal(LoadStatus.Loaded, first.Status);
        Assert.Equal("Created", first.TableAction);
        Assert.Equal("userevents", first.Table);
        Assert.Equal(["userid|integer|True", "name|character varying(16)|False", "loadedat|timestamp without time zone|False"],
            await fixture.RowsAsync($"SELECT column_name, data_type || COALESCE('(' || character_maximum_length || ')', ''), is_nullable = 'NO' FROM information_schema.columns WHERE table_schema = '{_schema}' AND table_name = 'userevents' ORDER BY ordinal_position"));

        // Same config, older file: the table is found (no new column, no re-create) and freshness is decided by the folded data-date column.
        await Upload("UserEvents", "2024-03-01T00:00:00Z", MixedCaseConfig(), """{"userId":2,"Name":"b","LoadedAt":"2024-03-01T10:00:00"}""");
        var older = await Load("UserEvents", "2024-03-01T00:00:00Z");
        Assert.Equal(LoadStatus.Skipped, older.Status);
        Assert.Equal("Unchanged", older.TableAction);
        Assert.Equal(["1|a"], await fixture.RowsAsync($"SELECT userid, name FROM \"{_schema}\".userevents ORDER BY 1"));
    }

    [Fact]
    public void Two_columns_that_fold_to_one_name_are_an_invalid_config()
    {
        var ex = Assert.Throws<RedshifterException>(() => TableConfigReader.Parse(
            "t:\n  columns:\n    - dest: userId\n      type: int\n    - dest: userid\n      type: int\n  meta:\n    schema: s\n    datadatecolumn: userid\n", "t.yml", "s", "t"));
        Assert.Equal(ErrorIds.InvalidConfig, ex.ErrorId);
        Assert.Contains("'userId' and 'userid' are one column 'userid'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_over_127_bytes_is_an_invalid_config()
    {
        var name = new string('é', 64); // 128 bytes in UTF-8
        var ex = Assert.Throws<RedshifterException>(() => TableConfigReader.Parse(
            $"t:\n  columns:\n    - dest: {name}\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: s\n    datadatecolumn: at\n", "t.yml", "s", "t"));
        Assert.Equal(ErrorIds.InvalidConfig, ex.ErrorId);
        Assert.Contains("longer than 127 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("distkey: true", "distkey")]
    [InlineData("sortord: 1", "sort key")]
    public void A_super_column_cannot_be_a_key(string key, string what)
    {
        var ex = Assert.Throws<RedshifterException>(() => TableConfigReader.Parse(
            $"t:\n  columns:\n    - dest: doc\n      type: super\n      {key}\n    - dest: at\n      type: date\n  meta:\n    schema: s\n    datadatecolumn: at\n", "t.yml", "s", "t"));
        Assert.Equal(ErrorIds.InvalidConfig, ex.ErrorId);
        Assert.Contains($"type super, which cannot be a {what}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_primary_key_is_not_null_without_saying_so_and_a_second_load_matches()
    {
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n      primarykey: true\n    - dest: at\n      type: date\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";
        Assert.True(TableConfigReader.Parse(config, "t.yml", _schema, "t").Columns[0].NotNull);
        await Upload("t", "2024-01-01T00:00:00Z", config, """{"id":1,"at":"2024-01-01"}""");
        Assert.Equal(LoadStatus.Loaded, (await Load("t")).Status);
        await Upload("t", "2024-01-02T00:00:00Z", config, """{"id":2,"at":"2024-01-02"}""");
        var second = await Load("t");
        Assert.True(second.Status == LoadStatus.Loaded, second.Message);
        Assert.Equal("Unchanged", second.TableAction);
    }

    [Fact]
    public void Keys_the_config_does_not_set_are_accepted_as_Redshift_chose_them()
    {
        var config = TableConfigReader.Parse("t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: s\n    datadatecolumn: at\n", "t.yml", "s", "t");
        // DISTSTYLE AUTO / SORTKEY AUTO later chose id as distkey and at as sort key.
        ExistingColumn[] table =
        [
            new() { Name = "id", TypeText = "integer", Type = ColumnType.ParseCatalog("integer"), DistKey = true },
            new() { Name = "at", TypeText = "date", Type = ColumnType.ParseCatalog("date"), SortOrdinal = 1 },
        ];
        var diff = TableDiff.Compare(config, table, positional: false, compareKeys: true);
        Assert.Empty(diff.Mismatches);
        Assert.Equal(2, diff.Notes.Count);
        Assert.Contains(diff.Notes, n => n.Contains("no distkey", StringComparison.Ordinal));

        // A config that sets a sort key still has it compared (and its distribution is still accepted).
        var keyed = config with { Columns = [config.Columns[0], config.Columns[1] with { SortOrdinal = null }, ] };
        keyed = keyed with { Columns = [keyed.Columns[0] with { SortOrdinal = 1 }, keyed.Columns[1]] };
        var mismatch = TableDiff.Compare(keyed, table, positional: false, compareKeys: true);
        Assert.Equal(2, mismatch.Mismatches.Count);
        Assert.All(mismatch.Mismatches, m => Assert.Contains("sort key ordinal", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_longer_varchar_in_the_config_widens_the_column_and_nothing_is_cut()
    {
        await Upload("UserEvents", "2024-03-01T00:00:00Z", MixedCaseConfig("varchar(16)"), """{"userId":1,"Name":"short","loadedAt":"2024-03-01T10:00:00"}""");
        Assert.Equal(LoadStatus.Loaded, (await Load("UserEvents")).Status);
        var longName = "a name of 31 bytes, not sixteen";
        await Upload("UserEvents", "2024-03-02T00:00:00Z", MixedCaseConfig("varchar(64)"), $$"""{"userId":2,"Name":"{{longName}}","loadedAt":"2024-03-02T10:00:00"}""");
        var widened = await Load("UserEvents");
        Assert.True(widened.Status == LoadStatus.Loaded, widened.Message);
        Assert.Equal("Altered", widened.TableAction);
        Assert.Equal(["name"], widened.WidenedColumns);
        Assert.Contains(widened.Statements, s => s == $"ALTER TABLE \"{_schema}\".\"userevents\" ALTER COLUMN \"name\" TYPE VARCHAR(64)");
        Assert.Equal([longName], await fixture.RowsAsync($"SELECT name FROM \"{_schema}\".userevents WHERE userid = 2"));
        Assert.Equal(["64"], await fixture.RowsAsync($"SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = '{_schema}' AND table_name = 'userevents' AND column_name = 'name'"));

        // A re-run changes nothing more; a shorter varchar in the config never narrows the table.
        await Upload("UserEvents", "2024-03-03T00:00:00Z", MixedCaseConfig("varchar(32)"), """{"userId":3,"Name":"c","loadedAt":"2024-03-03T10:00:00"}""");
        var again = await Load("UserEvents");
        Assert.Equal("Unchanged", again.TableAction);
        Assert.Empty(again.WidenedColumns);
    }

    [Fact]
    public async Task Widening_before_the_transaction_as_on_Redshift_is_reported_with_the_load()
    {
        // PostgreSQL made to widen as Redshift must (outside the transaction block): the load's transaction is
        // rolled back, the column widened, and the load planned and run again; its result still says so.
        static void AsRedshift(Database.DatabaseSession session) => session.WidensOutsideTransaction = true;
        await Upload("UserEvents", "2024-03-01T00:00:00Z", MixedCaseConfig("varchar(16)"), """{"userId":1,"Name":"short","loadedAt":"2024-03-01T10:00:00"}""");
        Assert.Equal(LoadStatus.Loaded, (await Load("UserEvents", sessionOpened: AsRedshift)).Status);
        var longName = "a name of 31 bytes, not sixteen";
        await Upload("UserEvents", "2024-03-02T00:00:00Z", MixedCaseConfig("varchar(64)"), $$"""{"userId":2,"Name":"{{longName}}","loadedAt":"2024-03-02T10:00:00"}""");
        var log = new ListLog();
        var widened = await Load("UserEvents", sessionOpened: AsRedshift, log: log);
        Assert.True(widened.Status == LoadStatus.Loaded, widened.Message);
        Assert.Equal("Altered", widened.TableAction);
        Assert.Equal(["name"], widened.WidenedColumns);
        var alter = $"ALTER TABLE \"{_schema}\".\"userevents\" ALTER COLUMN \"name\" TYPE VARCHAR(64)";
        Assert.Equal(alter, widened.Statements[0]); // it ran first, before the transaction
        Assert.Equal([alter], widened.Plan!.Steps.Where(s => s.BeforeTransaction).SelectMany(s => s.Statements));
        // Sent once, after the attempt that found it needed (rolled back) and before the transaction that loaded:
        // from there on, what was sent is the plan in its order.
        var sent = Sent(log);
        Assert.Single(sent, s => s == alter);
        Assert.Equal(widened.Statements, sent.SkipWhile(s => s != alter));
        Assert.Equal([longName], await fixture.RowsAsync($"SELECT name FROM \"{_schema}\".userevents WHERE userid = 2"));

        // The plan of the next such change shows the widening first, before the lock.
        await Upload("UserEvents", "2024-03-03T00:00:00Z", MixedCaseConfig("varchar(100)"), """{"userId":3,"Name":"c","loadedAt":"2024-03-03T10:00:00"}""");
        var planned = await Load("UserEvents", approval: PlanOnlyApproval.Instance, sessionOpened: AsRedshift);
        Assert.Equal(["name"], planned.WidenedColumns);
        Assert.StartsWith("ALTER TABLE", planned.Statements[0], StringComparison.Ordinal);
        Assert.StartsWith("SELECT pg_advisory_xact_lock", planned.Statements[1], StringComparison.Ordinal);
        Assert.Equal(["64"], await fixture.RowsAsync($"SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = '{_schema}' AND table_name = 'userevents' AND column_name = 'name'"));
    }

    [Fact]
    public async Task The_statements_a_load_sends_are_the_plans_in_its_order()
    {
        await Upload("UserEvents", "2024-03-01T00:00:00Z", MixedCaseConfig("varchar(16)"), """{"userId":1,"Name":"short","loadedAt":"2024-03-01T10:00:00"}""");
        var first = new ListLog();
        var created = await Load("UserEvents", log: first, history: "load_history");
        await Upload("UserEvents", "2024-03-02T00:00:00Z", MixedCaseConfig("varchar(64)"), """{"userId":2,"Name":"b","loadedAt":"2024-03-02T10:00:00"}""");
        var second = new ListLog();
        var existing = await Load("UserEvents", log: second, history: "load_history", truncate: true);
        foreach (var (outcome, log) in new[] { (created, first), (existing, second) })
        {
            Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
            // Every step's statement, in the plan's order, is what was sent; the history row is sent with its values.
            var planned = outcome.Plan!.Steps.Where(s => s.Kind != LoadStepKind.History).SelectMany(s => s.Statements).ToList();
            var sent = Sent(log).Where(s => !s.StartsWith("INSERT INTO", StringComparison.Ordinal)).ToList();
            Assert.Equal(planned, sent);
            Assert.Single(Sent(log), s => s.StartsWith($"INSERT INTO \"{_schema}\".\"load_history\"", StringComparison.Ordinal));
        }
        Assert.Contains(existing.Plan!.Steps, s => s.Kind == LoadStepKind.WidenColumn);
        Assert.Contains(existing.Plan!.Steps, s => s.Kind == LoadStepKind.Delete);
    }

    [Fact]
    public void On_Redshift_widening_is_planned_before_the_transaction()
    {
        var sql = RedshiftDialect.Instance.WidenColumn("Api", "Pages", "Url", new ColumnType(ColumnKind.Varchar, 1024));
        Assert.Equal("ALTER TABLE \"api\".\"pages\" ALTER COLUMN \"url\" TYPE VARCHAR(1024)", sql);
        Assert.True(RedshiftDialect.Instance.WidensOutsideTransaction);
        Assert.False(PostgresDialect.Instance.WidensOutsideTransaction);
    }

    [Fact]
    public async Task Redshift_plan_locks_an_existing_table_first_and_a_new_table_has_no_delete()
    {
        var redshift = fixture.Database with { DialectOverride = EngineKind.Redshift };
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";
        await Upload("t", "2024-01-01T00:00:00Z", config, """{"id":1,"at":"2024-01-01"}""");
        var created = await Load("t", approval: PlanOnlyApproval.Instance, settings: redshift);
        Assert.False(created.Approved);
        Assert.Equal(["CREATE SCHEMA", "CREATE TABLE", "COPY"], created.Statements.Select(s => string.Join(' ', s.Split(' ').Take(2))).Select(s => s.StartsWith("COPY", StringComparison.Ordinal) ? "COPY" : s));

        Assert.Equal(LoadStatus.Loaded, (await Load("t")).Status);
        var existing = await Load("t", approval: PlanOnlyApproval.Instance, settings: redshift);
        Assert.StartsWith($"LOCK TABLE \"{_schema}\".\"t\"", existing.Statements[0], StringComparison.Ordinal);
        Assert.StartsWith($"DELETE FROM \"{_schema}\".\"t\" WHERE \"at\" >= ", existing.Statements[1], StringComparison.Ordinal);
        Assert.StartsWith("COPY", existing.Statements[2], StringComparison.Ordinal);
        Assert.Equal(3, existing.Statements.Count);
    }

    [Fact]
    public async Task A_plan_takes_no_lock_so_it_does_not_wait_for_a_running_load()
    {
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";
        await Upload("t", "2024-01-01T00:00:00Z", config, """{"id":1,"at":"2024-01-01"}""");
        Assert.Equal(LoadStatus.Loaded, (await Load("t")).Status);
        // Another load of the table is running: it holds the table's advisory lock.
        await using var other = new NpgsqlConnection(ConnectionString());
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_xact_lock(hashtext('{_schema}.t'))", other, tx)) await hold.ExecuteScalarAsync();

        var plan = await new LoadJob(fixture.Database, _storage, NullEngineLog.Instance, PlanOnlyApproval.Instance)
            .PlanAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "t" }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(TableAction.Unchanged, plan.TableAction);
        Assert.False(plan.Skip);
        Assert.Equal([LoadStepKind.Lock, LoadStepKind.Lock, LoadStepKind.Delete, LoadStepKind.Copy], plan.Steps.Select(s => s.Kind));
        Assert.Contains("latest data date", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("same day", plan.Freshness.Reason, StringComparison.Ordinal);
    }

    /// <summary>-Confirm: a person may take minutes to answer, so the question comes before any lock.</summary>
    private sealed class ConfirmingApproval(Func<Task<bool>> whileAsking) : IChangeApproval
    {
        public int Asked;
        public bool? LocksWereFree;
        public bool WillAsk => true;
        public async Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken)
        {
            Asked++;
            LocksWereFree = await whileAsking();
            return true;
        }
    }

    [Fact]
    public async Task With_Confirm_the_question_comes_before_any_lock_and_is_asked_once()
    {
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";
        await Upload("t", "2024-01-01T00:00:00Z", config, """{"id":1,"at":"2024-01-01"}""");
        Assert.Equal(LoadStatus.Loaded, (await Load("t")).Status);
        await Upload("t", "2024-01-02T00:00:00Z", config, """{"id":2,"at":"2024-01-02"}""");
        var approval = new ConfirmingApproval(async () =>
        {
            // Another session can take both locks a load takes while the user is being asked.
            await using var other = new NpgsqlConnection(ConnectionString());
            await other.OpenAsync();
            await using var tx = await other.BeginTransactionAsync();
            await using (var advisory = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock(hashtext('{_schema}.t'))", other, tx))
                if (!(bool)(await advisory.ExecuteScalarAsync())!) return false;
            await using (var table = new NpgsqlCommand($"LOCK TABLE \"{_schema}\".t NOWAIT", other, tx)) await table.ExecuteNonQueryAsync();
            return true;
        });
        var outcome = await Load("t", approval: approval);
        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal(1, approval.Asked);
        Assert.True(approval.LocksWereFree);
        Assert.Equal(["1", "2"], await fixture.RowsAsync($"SELECT id FROM \"{_schema}\".t ORDER BY id"));
    }

    [Fact]
    public async Task A_table_created_by_another_session_meanwhile_is_found_when_the_transaction_runs_again()
    {
        var config = $"t:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: date\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n";
        await Upload("t", "2024-01-01T00:00:00Z", config, """{"id":1,"at":"2024-01-01"}""");
        await fixture.SqlAsync($"CREATE SCHEMA \"{_schema}\"");
        // Another writer (not a Redshifter load: it takes no advisory lock) creates the table and commits a little later.
        await using var other = new NpgsqlConnection(ConnectionString());
        await other.OpenAsync();
        var tx = await other.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand($"CREATE TABLE \"{_schema}\".t (id int, at date)", other, tx)) await create.ExecuteNonQueryAsync();
        var log = new ListLog();
        var load = Load("t", log: log);
        await Task.Delay(1500);
        await tx.CommitAsync();

        var outcome = await load.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(outcome.Status == LoadStatus.Loaded, outcome.Message);
        Assert.Equal("Unchanged", outcome.TableAction);
        Assert.Contains(outcome.Warnings, w => w.Contains("another load created the table at the same time", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.StartsWith("WARNING: ", StringComparison.Ordinal) && m.Contains("runs again", StringComparison.Ordinal));
        Assert.Equal(["1"], await fixture.RowsAsync($"SELECT id FROM \"{_schema}\".t"));
    }

    [Theory]
    [InlineData("40001", "could not serialize access", 0, 0, true)]
    [InlineData("XX000", "1023 DETAIL: Serializable isolation violation on table - 100123, transactions forming the cycle are: 1, 2", 2, 0, true)]
    [InlineData("XX000", "1023 DETAIL: Serializable isolation violation on table", 3, 0, false)]
    [InlineData("40P01", "deadlock detected", 1, 1, true)]
    [InlineData("42P07", "relation \"t\" already exists", 0, 0, true)]
    [InlineData("42P07", "relation \"t\" already exists", 0, 1, false)]
    [InlineData("22P02", "invalid input syntax for type integer", 0, 0, false)]
    public void Which_failures_run_the_transaction_again(string sqlState, string message, int conflicts, int creates, bool retried)
    {
        var ex = new PostgresException(message, "ERROR", "ERROR", sqlState);
        Assert.Equal(retried, TransactionRetry.Reason(ex, conflicts, creates) != null);
        // Wrapped as a loader wraps a failed COPY, a conflict is still seen.
        if (sqlState == "XX000" && conflicts == 0)
            Assert.NotNull(TransactionRetry.Reason(new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData, "COPY failed: " + message, null, "x", new InvalidOperationException(message)), 0, 0));
    }

    [Fact]
    public void Names_fold_as_Redshift_folds_them()
    {
        Assert.Equal("userid", Identifier.Fold("userId"));
        Assert.Equal("émile_x", Identifier.Fold("émile_X")); // ASCII letters only
        Assert.Equal("\"api\".\"userevents\"", SqlDialect.QualifiedName("API", "UserEvents"));
        Assert.True(Identifier.Comparer.Equals("LoadedAt", "loadedat"));
    }

    private string ConnectionString()
    {
        var d = fixture.Database;
        return new NpgsqlConnectionStringBuilder { Host = d.Host, Port = d.Port, Database = d.Database, Username = d.User, Password = d.Password }.ConnectionString;
    }
}
