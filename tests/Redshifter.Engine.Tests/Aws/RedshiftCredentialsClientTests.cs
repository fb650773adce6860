using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Redshifter.Engine.Aws;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;
using Redshifter.TestServers;

namespace Redshifter.Engine.Tests.Aws;

/// <summary>The three credential calls against the fake AWS endpoint: signing, parameters, answers and failures.</summary>
public sealed partial class RedshiftCredentialsClientTests : IDisposable
{
    private const string KeyId = "AKIDREDSHIFTERTEST";
    private const string Secret = "secret-key-that-must-never-show";
    private readonly FakeAws _aws = new();

    public void Dispose() => _aws.Dispose();

    private DictionaryEnvironment Env(params (string Name, string? Value)[] more)
    {
        var values = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = KeyId,
            ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_ENDPOINT_URL_REDSHIFT"] = _aws.Endpoint,
            ["AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS"] = _aws.Endpoint,
        };
        foreach (var (name, value) in more) values[name] = value;
        return new DictionaryEnvironment(values);
    }

    private static Task<DatabaseCredentials> Get(IamTarget target, AWSCredentials? credentials = null) =>
        new RedshiftCredentialsClient(credentials ?? new BasicAWSCredentials(KeyId, Secret), "test keys").GetAsync(target, CancellationToken.None);

    private static void AssertSigned(FakeAwsRequest request, string region, string service, string keyId = KeyId)
    {
        var m = Authorization().Match(request.Authorization);
        Assert.True(m.Success, request.Authorization);
        Assert.Equal(keyId, m.Groups["key"].Value);
        Assert.Equal(DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture), m.Groups["date"].Value);
        Assert.Equal(region, m.Groups["region"].Value);
        Assert.Equal(service, m.Groups["service"].Value);
        Assert.Contains("host", m.Groups["signed"].Value.Split(';'));
        Assert.Equal("POST", request.Method);
    }

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, ?SignedHeaders=(?<signed>[^,]+), ?Signature=[0-9a-f]{64}$")]
    private static partial Regex Authorization();

    [Fact]
    public async Task GetClusterCredentialsWithIAM_is_a_signed_Query_call_for_the_cluster_and_database()
    {
        var target = IamTarget.FromEnvironment(Env(("REDSHIFT_CLUSTER_ID", "c1")), "127.0.0.1", "dev", user: null);
        var credentials = await Get(target);

        Assert.Equal(("IAM:ci-loader", _aws.DbPassword), (credentials.User, credentials.Password));
        Assert.InRange(credentials.Expiration, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
        var request = Assert.Single(_aws.Requests);
        AssertSigned(request, "eu-west-1", "redshift");
        Assert.StartsWith("application/x-www-form-urlencoded", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Action"] = "GetClusterCredentialsWithIAM", ["Version"] = "2012-12-01", ["ClusterIdentifier"] = "c1", ["DbName"] = "dev",
        }, request.Form);
        Assert.DoesNotContain(_aws.DbPassword, credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClusterCredentials_names_the_user_its_groups_and_AutoCreate()
    {
        var env = Env(("REDSHIFT_CLUSTER_ID", "c2"), ("REDSHIFT_AUTO_CREATE", "1"), ("REDSHIFT_DB_GROUPS", "loaders, readers"));
        var target = IamTarget.FromEnvironment(env, "127.0.0.1", "dev", user: "ci_loader");
        var credentials = await Get(target);

        Assert.Equal("IAMA:ci_loader", credentials.User);
        var form = Assert.Single(_aws.Requests).Form;
        Assert.Equal("GetClusterCredentials", form["Action"]);
        Assert.Equal("ci_loader", form["DbUser"]);
        Assert.Equal("true", form["AutoCreate"]);
        Assert.Equal("loaders", form["DbGroups.DbGroup.1"]);
        Assert.Equal("readers", form["DbGroups.DbGroup.2"]);
        Assert.Equal("c2", form["ClusterIdentifier"]);
    }

    [Fact]
    public async Task Serverless_GetCredentials_is_a_signed_JSON_call_for_the_workgroup()
    {
        var target = IamTarget.FromEnvironment(Env(("REDSHIFT_WORKGROUP", "wg1")), "127.0.0.1", "dev", user: "ignored");
        var credentials = await Get(target, new SessionAWSCredentials(KeyId, Secret, "session-token-xyz"));

        Assert.Equal(("IAM:ci-loader", _aws.DbPassword), (credentials.User, credentials.Password));
        Assert.InRange(credentials.Expiration, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
        var request = Assert.Single(_aws.Requests);
        AssertSigned(request, "eu-west-1", "redshift-serverless");
        Assert.Equal("RedshiftServerless.GetCredentials", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("session-token-xyz", request.SecurityToken);
        Assert.Equal(new Dictionary<string, string> { ["workgroupName"] = "wg1", ["dbName"] = "dev" }, request.Json);
    }

    public static TheoryData<bool, FakeAwsFault, string, string> Refusals => new()
    {
        { false, FakeAwsFault.AccessDenied, "redshift:GetClusterCredentialsWithIAM", "arn:aws:redshift:eu-west-1:<account>:dbname:c9/dev" },
        { false, FakeAwsFault.NotFound, "ClusterNotFound", "REDSHIFT_CLUSTER_ID ('c9')" },
        { false, FakeAwsFault.ExpiredToken, "ExpiredToken", "renew them" },
        { false, FakeAwsFault.Garbage, "not the XML response", "AWS_ENDPOINT_URL_REDSHIFT" },
        { true, FakeAwsFault.AccessDenied, "redshift-serverless:GetCredentials", "arn:aws:redshift-serverless:eu-west-1:<account>:workgroup/" },
        { true, FakeAwsFault.NotFound, "ResourceNotFoundException", "REDSHIFT_WORKGROUP ('c9')" },
        { true, FakeAwsFault.Garbage, "not the JSON response", "AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refusal_is_ConnectionFailed_naming_the_call_and_the_fix_without_a_secret(bool serverless, FakeAwsFault fault, string inMessage, string inAction)
    {
        _aws.Fault = fault;
        var target = IamTarget.FromEnvironment(Env((serverless ? "REDSHIFT_WORKGROUP" : "REDSHIFT_CLUSTER_ID", "c9")), "127.0.0.1", "dev", user: null);
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Get(target));

        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains(inMessage, ex.Message, StringComparison.Ordinal);
        Assert.Contains(serverless ? "redshift-serverless:GetCredentials for workgroup 'c9'" : "redshift:GetClusterCredentialsWithIAM for cluster 'c9'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(inAction, ex.RecommendedAction, StringComparison.Ordinal);
        Assert.Single(_aws.Requests); // a refusal is not retried
        foreach (var text in new[] { ex.Message, ex.RecommendedAction, ex.ToString() })
        {
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(_aws.DbPassword, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_server_error_is_retried_and_then_reported()
    {
        _aws.Fault = FakeAwsFault.ServerError;
        var target = IamTarget.FromEnvironment(Env(("REDSHIFT_CLUSTER_ID", "c3")), "127.0.0.1", "dev", user: null);
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Get(target));
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains("InternalFailure", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, _aws.RequestsOf("GetClusterCredentialsWithIAM").Count);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_ConnectionFailed_naming_it()
    {
        var closed = "http://127.0.0.1:" + FreePort().ToString(CultureInfo.InvariantCulture);
        var target = IamTarget.FromEnvironment(Env(("REDSHIFT_WORKGROUP", "wg"), ("AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS", closed)), "127.0.0.1", "dev", user: null);
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Get(target));
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
        Assert.Contains(closed, ex.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS", ex.RecommendedAction, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
