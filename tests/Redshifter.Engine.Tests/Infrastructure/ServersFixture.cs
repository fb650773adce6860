using Redshifter.Engine.Connections;
using Redshifter.Engine.Storage;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL and one real s3rver for the whole test run (started in a few seconds, always
/// stopped). Tests get the connection environment as an <see cref="IEnvironment"/> rather than through
/// process variables, so that a test can change its copy without affecting the others.
/// </summary>
public sealed class ServersFixture : IDisposable
{
    public TestServers.TestServers Servers { get; } = TestServers.TestServers.Start();

    public string Bucket => TestServers.TestServers.DefaultBucket;

    /// <summary>The environment of DESIGN.md section 2 for these servers, with optional changes (null removes).</summary>
    public IEnvironment Environment(IReadOnlyDictionary<string, string?>? changes = null)
    {
        var values = Servers.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        if (changes != null) foreach (var (k, v) in changes) values[k] = v;
        return new DictionaryEnvironment(values);
    }

    public DatabaseSettings Database => DatabaseSettings.FromEnvironment(Environment());

    public S3Storage CreateStorage() => S3Storage.Create(S3Settings.FromEnvironment(Environment()), Environment());

    /// <summary>Runs SQL on the test PostgreSQL, on a connection of its own.</summary>
    public async Task SqlAsync(string sql)
    {
        await using var session = await Engine.Database.DatabaseSession.OpenAsync(Database, CancellationToken.None);
        await session.ExecuteAsync(sql, null, NullEngineLog.Instance, CancellationToken.None);
    }

    /// <summary>A query's rows, each as its values joined by '|' (NULL for null), in the session time zone UTC.</summary>
    public async Task<List<string>> RowsAsync(string query) =>
        [.. (await ValuesAsync(query)).Select(row => string.Join("|", row.Select(v => v ?? "NULL")))];

    /// <summary>Each row's values as text (invariant culture), null for NULL: for values that may hold '|' or the word NULL.</summary>
    public async Task<List<string?[]>> ValuesAsync(string query)
    {
        await using var session = await Engine.Database.DatabaseSession.OpenAsync(Database, CancellationToken.None);
        await session.ExecuteAsync("SET TIME ZONE 'UTC'", null, NullEngineLog.Instance, CancellationToken.None);
        await using var command = session.Command(query, null);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))]);
        return rows;
    }

    public void Dispose() => Servers.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<ServersFixture>
{
    public const string Name = "Real servers";
}
