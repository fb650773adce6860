using System.Text.RegularExpressions;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Redshifter.Engine.Tests.Jobs;

/// <summary>
/// Issue 16 §4: on Redshift every statement is a leader-node round trip, so a load sends as few as it can.
/// Counted here from what the real PostgreSQL logs for a role that logs every statement.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class RoundTripTests(ServersFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _schema = "rt_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _role = "rt_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync()
    {
        _bucket = await _storage.NewBucketAsync();
        await fixture.SqlAsync($"CREATE ROLE {_role} LOGIN SUPERUSER PASSWORD 'rt-secret'");
        await fixture.SqlAsync($"ALTER ROLE {_role} SET log_statement = 'all'");
    }

    public async Task DisposeAsync()
    {
        await fixture.SqlAsync($"ALTER ROLE {_role} RESET log_statement");
        _storage.Dispose();
    }

    private async Task Upload(string table, string day)
    {
        var date = $"{day}T00:00:00Z";
        await _storage.PutTextAsync(_bucket, $"{_schema}_{table}_{date}.json", $"{{\"id\":1,\"at\":\"{day}T10:00:00\"}}");
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_{table}_{date}.yml",
            $"{table}:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n");
    }

    private string LogPath => Path.Combine(Path.GetDirectoryName(fixture.Servers.Postgres.DataDirectory)!, "postgres.log");

    /// <summary>The statements the server logged while <paramref name="work"/> ran.</summary>
    private async Task<List<string>> StatementsOf(Func<Task> work)
    {
        var start = new FileInfo(LogPath).Length;
        await work();
        await Task.Delay(300); // the server writes its log as it goes; let the last lines land
        await using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(start, SeekOrigin.Begin);
        var text = await new StreamReader(stream).ReadToEndAsync();
        return [.. Logged().Matches(text).Select(m => m.Groups[1].Value.Trim())];
    }

    [GeneratedRegex(@"LOG:\s+(?:statement|execute [^:]*):\s*(.*)")]
    private static partial Regex Logged();

    [Fact]
    public async Task A_load_sends_at_most_10_statements_to_an_existing_table_and_12_to_a_new_one()
    {
        var settings = fixture.Database with { User = _role, Password = "rt-secret" };
        var job = new LoadJob(settings, _storage, NullEngineLog.Instance, AlwaysApprove.Instance);
        Task<LoadOutcome> Load(string table) => job.RunAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = table, HistoryTable = (_schema, "load_history") }, CancellationToken.None);

        // The run's first table learns the server and makes sure of the history table.
        await Upload("first", "2024-01-01");
        var warmUp = await StatementsOf(async () => Assert.Equal(LoadStatus.Loaded, (await Load("first")).Status));

        await Upload("pages", "2024-01-01");
        var created = await StatementsOf(async () => Assert.Equal(LoadStatus.Loaded, (await Load("pages")).Status));
        await Upload("pages", "2024-01-02");
        var existing = await StatementsOf(async () => Assert.Equal(LoadStatus.Loaded, (await Load("pages")).Status));

        output.WriteLine($"first table of the run ({warmUp.Count}):\n  " + string.Join("\n  ", warmUp));
        output.WriteLine($"new table ({created.Count}):\n  " + string.Join("\n  ", created));
        output.WriteLine($"existing table ({existing.Count}):\n  " + string.Join("\n  ", existing));
        Assert.NotEmpty(warmUp);
        Assert.InRange(existing.Count, 1, 10);
        Assert.InRange(created.Count, 1, 12);
        // Nothing asked twice: the server's version, the table's columns, the history table's DDL.
        Assert.DoesNotContain(existing, s => s.Contains("version()", StringComparison.Ordinal));
        Assert.DoesNotContain(existing, s => s.Contains("CREATE TABLE IF NOT EXISTS", StringComparison.Ordinal));
        Assert.Single(existing, s => s.Contains("pg_catalog.pg_attribute", StringComparison.Ordinal));

        // Issue 14 §3: nothing reads the table before it is locked. The server's own order: the transaction,
        // the advisory lock (before even the catalog read, so two first loads never both create the table),
        // LOCK TABLE, and only then the table's latest data date; then the plan's steps.
        int At(string start) => existing.FindIndex(s => s.StartsWith(start, StringComparison.Ordinal));
        Assert.Equal(0, At("BEGIN"));
        Assert.Equal(1, At("SELECT pg_advisory_xact_lock("));
        Assert.True(At("SELECT a.attname") > At("SELECT pg_advisory_xact_lock("));
        Assert.True(At("LOCK TABLE") > At("SELECT a.attname"));
        Assert.Equal(At("LOCK TABLE") + 1, At("SELECT MAX("));
        Assert.True(At("DELETE FROM") > At("SELECT MAX("));
        Assert.Equal(existing.Count - 1, At("COMMIT"));
    }
}
