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

    public void Dispose() => Servers.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<ServersFixture>
{
    public const string Name = "Real servers";
}
