using Redshifter.Engine.Aws;
using Redshifter.Engine.Connections;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Aws;

/// <summary>When the credential cache asks AWS again: on a clock the test moves, against the fake endpoint.</summary>
public sealed class IamCredentialCacheTests : IDisposable
{
    private readonly FakeAws _aws = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _aws.Dispose();

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private IamTarget Target(string cluster) => IamTarget.FromEnvironment(new DictionaryEnvironment(new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDCACHE", ["AWS_SECRET_ACCESS_KEY"] = "cache-secret", ["AWS_REGION"] = "us-east-1",
        ["REDSHIFT_CLUSTER_ID"] = cluster, ["AWS_ENDPOINT_URL_REDSHIFT"] = _aws.Endpoint,
    }), "127.0.0.1", "dev", user: null);

    private int Calls => _aws.RequestsOf("GetClusterCredentialsWithIAM").Count;

    [Fact]
    public async Task Fifteen_minute_credentials_are_reused_until_two_minutes_remain()
    {
        var cache = new IamCredentialCache(_clock);
        var target = Target("c1");
        var first = await cache.GetAsync(target, CancellationToken.None);
        _clock.Now += TimeSpan.FromMinutes(12);
        Assert.Same(first, await cache.GetAsync(target, CancellationToken.None));
        Assert.Equal(1, Calls);

        _clock.Now += TimeSpan.FromMinutes(1.5); // 1.5 minutes left: renewed
        Assert.NotSame(first, await cache.GetAsync(target, CancellationToken.None));
        Assert.Equal(2, Calls);
        Assert.Contains(_aws.DbPassword, cache.Passwords);
    }

    [Fact]
    public async Task Short_credentials_are_renewed_when_a_third_of_their_lifetime_remains()
    {
        _aws.Lifetime = TimeSpan.FromSeconds(30);
        var cache = new IamCredentialCache(_clock);
        var target = Target("c2");
        await cache.GetAsync(target, CancellationToken.None);
        _clock.Now += TimeSpan.FromSeconds(15);
        await cache.GetAsync(target, CancellationToken.None);
        Assert.Equal(1, Calls);
        _clock.Now += TimeSpan.FromSeconds(6); // 9 s of 30 left
        await cache.GetAsync(target, CancellationToken.None);
        Assert.Equal(2, Calls);
    }

    [Fact]
    public async Task Targets_are_held_apart_and_concurrent_sign_ins_share_one_call()
    {
        var cache = new IamCredentialCache(_clock);
        var (a, b) = (Target("ca"), Target("cb"));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => cache.GetAsync(i % 2 == 0 ? a : b, CancellationToken.None)));
        Assert.Equal(["ca", "cb"], _aws.Requests.Select(r => r.Form["ClusterIdentifier"]).Order().ToArray());

        cache.Forget(a);
        await cache.GetAsync(a, CancellationToken.None);
        await cache.GetAsync(b, CancellationToken.None);
        Assert.Equal(3, Calls);
    }
}
