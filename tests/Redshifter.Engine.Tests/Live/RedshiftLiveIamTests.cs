using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;

namespace Redshifter.Engine.Tests.Live;

/// <summary>
/// A live REDSHIFT_AUTH=iam case (issue 15): runs only with REDSHIFT_TEST_IAM=1, REDSHIFT_TEST_HOST,
/// REDSHIFT_TEST_PORT, REDSHIFT_TEST_DB and AWS_REGION (and an AWS identity the SDK finds); the cluster or
/// workgroup comes from the host, or REDSHIFT_TEST_CLUSTER_ID / REDSHIFT_TEST_WORKGROUP.
/// </summary>
public sealed class RedshiftIamFactAttribute : FactAttribute
{
    private static readonly string[] Variables = ["REDSHIFT_TEST_HOST", "REDSHIFT_TEST_PORT", "REDSHIFT_TEST_DB", "AWS_REGION"];

    public RedshiftIamFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("REDSHIFT_TEST_IAM") != "1") Skip = "Set REDSHIFT_TEST_IAM=1 (with the REDSHIFT_TEST_* variables) to run the live IAM test.";
        else if (Variables.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList() is { Count: > 0 } missing)
            Skip = $"No Redshift target: set {string.Join(", ", missing)} to run the live IAM test.";
    }
}

[Trait("Category", "Live")]
public sealed class RedshiftLiveIamTests
{
    [RedshiftIamFact]
    public async Task Signs_in_with_temporary_credentials_from_AWS()
    {
        string? Var(string name) => Environment.GetEnvironmentVariable(name);
        var values = new Dictionary<string, string?>
        {
            ["REDSHIFT_AUTH"] = "iam",
            ["REDSHIFT_HOST"] = Var("REDSHIFT_TEST_HOST"),
            ["REDSHIFT_PORT"] = Var("REDSHIFT_TEST_PORT"),
            ["REDSHIFT_DB"] = Var("REDSHIFT_TEST_DB"),
            ["REDSHIFT_SSLMODE"] = "Require",
            ["REDSHIFT_CLUSTER_ID"] = Var("REDSHIFT_TEST_CLUSTER_ID"),
            ["REDSHIFT_WORKGROUP"] = Var("REDSHIFT_TEST_WORKGROUP"),
        };
        foreach (var name in new[] { "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN" })
            values[name] = Var(name);
        var settings = DatabaseSettings.FromEnvironment(new DictionaryEnvironment(values));

        await using var session = await DatabaseSession.OpenAsync(settings, CancellationToken.None);

        Assert.Equal(EngineKind.Redshift, session.Engine);
        Assert.Equal(session.Settings.User, (string?)await session.ScalarAsync("SELECT current_user", null, CancellationToken.None), StringComparer.OrdinalIgnoreCase);
        Assert.StartsWith("iam: ", session.Settings.AuthenticationDescription, StringComparison.Ordinal);
    }
}
