using Redshifter.Engine.Aws;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Tests.Aws;

/// <summary>Which call, target, region and endpoint REDSHIFT_AUTH=iam uses (pure logic).</summary>
public sealed class IamTargetTests
{
    private static IamTarget Parse(string host, string? user = null, params (string Name, string? Value)[] vars) =>
        IamTarget.FromEnvironment(new DictionaryEnvironment(vars.ToDictionary(v => v.Name, v => v.Value)), host, "dev", user);

    [Fact]
    public void A_cluster_host_gives_the_cluster_and_its_region_and_AWS_endpoint()
    {
        var t = Parse("examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com", vars: ("AWS_REGION", "eu-central-1"));
        Assert.Equal((IamCall.GetClusterCredentialsWithIAM, "examplecluster", "us-west-2"), (t.Call, t.Name, t.Region));
        Assert.Equal("https://redshift.us-west-2.amazonaws.com/", t.Endpoint.ToString());
        Assert.Equal("redshift", t.Service);
        Assert.Equal("iam: GetClusterCredentialsWithIAM (cluster examplecluster, region us-west-2)", t.Description);
    }

    [Fact]
    public void A_Serverless_host_gives_the_workgroup()
    {
        var t = Parse("analytics.123456789012.eu-west-1.redshift-serverless.amazonaws.com", user: "loader");
        Assert.Equal((IamCall.GetCredentials, "analytics", "eu-west-1"), (t.Call, t.Name, t.Region));
        Assert.Equal("https://redshift-serverless.eu-west-1.amazonaws.com/", t.Endpoint.ToString());
        Assert.Equal("redshift-serverless:GetCredentials", t.Permission);
        Assert.Null(t.DbUser);
    }

    [Fact]
    public void REDSHIFT_USER_selects_GetClusterCredentials_and_variables_override_the_host()
    {
        var t = Parse("examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com", "loader", ("REDSHIFT_CLUSTER_ID", "other"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:9/"));
        Assert.Equal((IamCall.GetClusterCredentials, "other", "loader"), (t.Call, t.Name, t.DbUser));
        Assert.Equal("http://127.0.0.1:9/", t.Endpoint.ToString());
        Assert.Equal("iam: GetClusterCredentials (cluster other, user loader, region us-west-2)", t.Description);
    }

    [Fact]
    public void A_loopback_host_takes_the_target_from_the_variables_and_the_region_from_AWS_REGION()
    {
        var t = Parse("127.0.0.1", vars: [("REDSHIFT_WORKGROUP", "wg"), ("AWS_REGION", "ap-southeast-2"), ("AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS", "http://127.0.0.1:1234")]);
        Assert.Equal((IamCall.GetCredentials, "wg", "ap-southeast-2"), (t.Call, t.Name, t.Region));
        Assert.Equal("http://127.0.0.1:1234/", t.Endpoint.ToString());
    }

    [Fact]
    public void No_target_is_ConnectionFailed_naming_both_variables()
    {
        var ex = Assert.Throws<RedshifterException>(() => Parse("db.example.com", vars: ("AWS_REGION", "us-east-1")));
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains("REDSHIFT_CLUSTER_ID", ex.Message, StringComparison.Ordinal);
        Assert.Contains("REDSHIFT_WORKGROUP", ex.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REDSHIFT_AUTO_CREATE", "yes")]
    [InlineData("AWS_ENDPOINT_URL_REDSHIFT", "not a url")]
    public void Bad_values_are_InvalidArgument_naming_the_variable(string name, string value)
    {
        var ex = Assert.Throws<RedshifterException>(() => Parse("127.0.0.1", "u", ("REDSHIFT_CLUSTER_ID", "c"), ("AWS_REGION", "us-east-1"), (name, value)));
        Assert.Equal(ErrorIds.InvalidArgument, ex.ErrorId);
        Assert.Equal(name, ex.Target);
    }

    [Fact]
    public void Both_a_cluster_and_a_workgroup_is_InvalidArgument()
    {
        var ex = Assert.Throws<RedshifterException>(() => Parse("127.0.0.1", vars: [("REDSHIFT_CLUSTER_ID", "c"), ("REDSHIFT_WORKGROUP", "w"), ("AWS_REGION", "us-east-1")]));
        Assert.Equal(ErrorIds.InvalidArgument, ex.ErrorId);
    }

    [Fact]
    public void No_region_is_MissingEnvironmentVariable()
    {
        var ex = Assert.Throws<RedshifterException>(() => Parse("127.0.0.1", vars: ("REDSHIFT_CLUSTER_ID", "c")));
        Assert.Equal(ErrorIds.MissingEnvironmentVariable, ex.ErrorId);
        Assert.Equal("AWS_REGION", ex.Target);
    }
}
