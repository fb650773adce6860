using System.Diagnostics;
using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Aws;

/// <summary>
/// REDSHIFT_AUTH=iam end to end: a LoadJob with no REDSHIFT_PASSWORD signs in to the real PostgreSQL as the
/// role whose password the fake AWS endpoint hands out (IAM:ci-loader), for a cluster and for Serverless;
/// renews credentials that expire mid-run; gets its AWS identity by web identity; and reports refusals.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class IamLoadTests(ServersFixture fixture) : IAsyncLifetime, IDisposable
{
    private const string IamUser = "IAM:ci-loader";
    private readonly string _schema = "iam_" + Guid.NewGuid().ToString("N")[..10];
    // Each test its own target, so that the process-wide credential cache starts empty for it.
    private readonly string _target = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly FakeAws _aws = new() { IamDbUser = IamUser };
    private readonly S3Storage _storage = fixture.CreateStorage();
    private readonly ListLog _log = new();
    private string _bucket = "";

    public async Task InitializeAsync()
    {
        fixture.Servers.Postgres.AddLoginRole(IamUser, _aws.DbPassword);
        _bucket = await _storage.NewBucketAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _storage.Dispose();
        _aws.Dispose();
    }

    /// <summary>The fixture's environment for iam auth: no database user or password.</summary>
    private IEnvironment Env(bool serverless = false, Dictionary<string, string?>? more = null)
    {
        var changes = new Dictionary<string, string?>
        {
            ["REDSHIFT_AUTH"] = "iam",
            ["REDSHIFT_USER"] = null,
            ["REDSHIFT_PASSWORD"] = null,
            [serverless ? "REDSHIFT_WORKGROUP" : "REDSHIFT_CLUSTER_ID"] = _target,
        };
        foreach (var (k, v) in _aws.EndpointVariables) changes[k] = v;
        foreach (var (k, v) in more ?? []) changes[k] = v;
        return fixture.Environment(changes);
    }

    private async Task Upload(string table, int rows = 2)
    {
        const string date = "2021-03-04T00:00:00Z";
        await _storage.PutTextAsync(_bucket, $"{_schema}_{table}_{date}.json",
            string.Join("\n", Enumerable.Range(1, rows).Select(i => $"{{\"id\":{i},\"at\":\"2021-03-04T0{i % 10}:00:00\"}}")));
        await _storage.PutTextAsync(_bucket, $"config_{_schema}_{table}_{date}.yml",
            $"{table}:\n  columns:\n    - dest: id\n      type: int\n    - dest: at\n      type: timestamp\n  meta:\n    schema: {_schema}\n    datadatecolumn: at\n");
    }

    private Task<LoadOutcome> Load(LoadJob job, string table) =>
        job.RunAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = table }, CancellationToken.None);

    private LoadJob Job(IEnvironment env, S3Storage? storage = null) =>
        new(DatabaseSettings.FromEnvironment(env), storage ?? _storage, _log, AlwaysApprove.Instance);

    private Task<List<string>> Owner(string table) =>
        fixture.RowsAsync($"SELECT tableowner FROM pg_tables WHERE schemaname = '{_schema}' AND tablename = '{table}'");

    private void AssertNoSecretShown(params string?[] texts)
    {
        foreach (var text in texts.Concat(_log.Messages))
        {
            Assert.DoesNotContain(_aws.DbPassword, text ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(_aws.AssumedSessionToken, text ?? "", StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(false, "GetClusterCredentialsWithIAM", "redshift")]
    [InlineData(true, "RedshiftServerless.GetCredentials", "redshift-serverless")]
    public async Task Loads_as_the_user_AWS_hands_out_without_a_password(bool serverless, string action, string service)
    {
        await Upload("events");
        var job = Job(Env(serverless));

        var plan = await job.PlanAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "events" }, CancellationToken.None);
        var outcome = await job.RunAsync(new LoadRequest { Bucket = _bucket, Schema = _schema, Table = "events", HistoryTable = (_schema, "history") }, CancellationToken.None);

        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(2, outcome.RowsLoaded);
        Assert.Equal([IamUser], await Owner("events")); // the issued credentials were the ones used
        Assert.Equal([$"{IamUser}@{Environment.MachineName}"], await fixture.RowsAsync($"SELECT loaded_by FROM \"{_schema}\".history"));
        Assert.Equal($"iam: {(serverless ? "GetCredentials (workgroup" : "GetClusterCredentialsWithIAM (cluster")} {_target}, region us-east-1)", plan.Authentication);
        var request = Assert.Single(_aws.Requests); // the plan's credentials served the load
        Assert.Equal(action, request.Action);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={S3Server.AccessKey}/", request.Authorization, StringComparison.Ordinal);
        Assert.Contains($"/us-east-1/{service}/aws4_request", request.Authorization, StringComparison.Ordinal);
        Assert.Equal(_target, serverless ? request.Json["workgroupName"] : request.Form["ClusterIdentifier"]);
        AssertNoSecretShown(outcome.Message, plan.ToString(), string.Join("\n", plan.Steps.Select(s => s.ToString())));
    }

    [Fact]
    public async Task A_run_that_outlives_the_credentials_fetches_new_ones()
    {
        _aws.Lifetime = TimeSpan.FromSeconds(3);
        string[] tables = ["a", "b", "c", "d"];
        foreach (var t in tables) await Upload(t);
        // Each statement waits 120 ms, as against a distant leader node: the run outlives the credentials.
        using var slow = new LatencyProxy(fixture.Servers.Postgres.Port, TimeSpan.FromMilliseconds(120));
        var job = Job(Env(more: new() { ["REDSHIFT_PORT"] = slow.Port.ToString(CultureInfo.InvariantCulture) }));

        var clock = Stopwatch.StartNew();
        foreach (var t in tables) Assert.Equal(LoadStatus.Loaded, (await Load(job, t)).Status);
        clock.Stop();

        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(4), $"the run took {clock.Elapsed}; it must outlive the 3 s credentials");
        var fetches = _aws.RequestsOf("GetClusterCredentialsWithIAM").Count;
        Assert.InRange(fetches, 2, tables.Length); // renewed, and not fetched for every connection needlessly
        AssertNoSecretShown();
    }

    [Fact]
    public async Task Web_identity_gives_the_role_keys_that_sign_the_credential_call_and_read_S3()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV4YW1wbGUifQ.c2lnbmF0dXJl");
        var previous = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_STS");
        // The SDK's STS client reads its endpoint from the process; no other test calls STS.
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", _aws.Endpoint);
        try
        {
            await Upload("events");
            var env = Env(more: new()
            {
                ["AWS_ACCESS_KEY_ID"] = null,
                ["AWS_SECRET_ACCESS_KEY"] = null,
                ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
                ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci-loader",
            });
            using var roleStorage = S3Storage.Create(S3Settings.FromEnvironment(env), env);
            Assert.StartsWith("web identity", roleStorage.CredentialSource, StringComparison.Ordinal);

            var outcome = await Load(Job(env, roleStorage), "events");

            Assert.Equal(LoadStatus.Loaded, outcome.Status);
            Assert.Equal([IamUser], await Owner("events"));
            var assumed = _aws.RequestsOf("AssumeRoleWithWebIdentity");
            Assert.NotEmpty(assumed);
            Assert.All(assumed, r => Assert.Equal("arn:aws:iam::123456789012:role/ci-loader", r.Form["RoleArn"]));
            var token = await File.ReadAllTextAsync(tokenFile);
            Assert.All(assumed, r => Assert.Equal(token, r.Form["WebIdentityToken"]));
            var call = Assert.Single(_aws.RequestsOf("GetClusterCredentialsWithIAM"));
            Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={_aws.AssumedAccessKeyId}/", call.Authorization, StringComparison.Ordinal);
            Assert.Equal(_aws.AssumedSessionToken, call.SecurityToken);
            AssertNoSecretShown(outcome.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", previous);
            File.Delete(tokenFile);
        }
    }

    [Theory]
    [InlineData(FakeAwsFault.AccessDenied, "redshift:GetClusterCredentialsWithIAM")]
    [InlineData(FakeAwsFault.NotFound, "ClusterNotFound")]
    [InlineData(FakeAwsFault.Garbage, "not the XML response")]
    public async Task A_refused_credential_call_fails_the_table_with_ConnectionFailed_and_changes_nothing(FakeAwsFault fault, string expected)
    {
        _aws.Fault = fault;
        await Upload("events");
        var outcome = await Load(Job(Env()), "events");

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error?.InnerException);
        Assert.Equal(ErrorIds.ConnectionFailed, cause.ErrorId);
        Assert.Contains(expected, cause.Message, StringComparison.Ordinal);
        Assert.StartsWith(ErrorIds.ConnectionFailed, outcome.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.RowsAsync($"SELECT 1 FROM information_schema.schemata WHERE schema_name = '{_schema}'"));
        AssertNoSecretShown(outcome.Message, cause.RecommendedAction, cause.ToString());
    }

    [Fact]
    public async Task An_unreachable_credential_endpoint_fails_with_ConnectionFailed_naming_it()
    {
        await Upload("events");
        var closed = "http://127.0.0.1:1";
        var outcome = await Load(Job(Env(more: new() { ["AWS_ENDPOINT_URL_REDSHIFT"] = closed })), "events");

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error?.InnerException);
        Assert.Equal(ErrorIds.ConnectionFailed, cause.ErrorId);
        Assert.Contains("127.0.0.1:1", cause.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.RowsAsync($"SELECT 1 FROM information_schema.schemata WHERE schema_name = '{_schema}'"));
    }

    [Fact]
    public async Task Credentials_the_server_refuses_are_fetched_once_more()
    {
        await Upload("a");
        await Upload("b");
        var job = Job(Env());
        Assert.Equal(LoadStatus.Loaded, (await Load(job, "a")).Status);
        // The password changed behind the held credentials (revoked, rotated): the next sign-in is refused once.
        _aws.DbPassword = "rotated-" + Guid.NewGuid().ToString("N");
        fixture.Servers.Postgres.AddLoginRole(IamUser, _aws.DbPassword);
        Npgsql.NpgsqlConnection.ClearAllPools();

        var outcome = await Load(job, "b");

        Assert.Equal(LoadStatus.Loaded, outcome.Status);
        Assert.Equal(2, _aws.RequestsOf("GetClusterCredentialsWithIAM").Count);
        Assert.Equal([IamUser], await Owner("b"));
    }

    [Fact]
    public async Task A_user_the_server_refuses_twice_is_ConnectionFailed_saying_AWS_handed_it_out()
    {
        await Upload("events");
        _aws.DbPassword = "not-the-role-password-" + Guid.NewGuid().ToString("N");
        var outcome = await Load(Job(Env()), "events");

        Assert.Equal(LoadStatus.Failed, outcome.Status);
        var cause = Assert.IsType<RedshifterException>(outcome.Error?.InnerException);
        Assert.Equal(ErrorIds.ConnectionFailed, cause.ErrorId);
        Assert.Contains($"refused user '{IamUser}' with the password AWS handed out", cause.Message, StringComparison.Ordinal);
        Assert.Contains($"cluster '{_target}'", cause.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(2, _aws.RequestsOf("GetClusterCredentialsWithIAM").Count); // asked once more, then gave up
        AssertNoSecretShown(outcome.Message, cause.RecommendedAction, cause.ToString());
    }

    [Fact]
    public void REDSHIFT_AUTH_must_be_password_or_iam_and_a_credential_means_password()
    {
        var ex = Assert.Throws<RedshifterException>(() => DatabaseSettings.FromEnvironment(fixture.Environment(new Dictionary<string, string?> { ["REDSHIFT_AUTH"] = "kerberos" })));
        Assert.Equal(ErrorIds.InvalidArgument, ex.ErrorId);
        Assert.Equal("REDSHIFT_AUTH", ex.Target);

        var iam = DatabaseSettings.FromEnvironment(Env());
        Assert.NotNull(iam.Iam);
        Assert.Equal("", iam.Password);
        var withCredential = DatabaseSettings.FromEnvironment(Env(), "someone", "pw");
        Assert.Null(withCredential.Iam);
        Assert.Equal("password (user someone)", withCredential.AuthenticationDescription);
    }
}
