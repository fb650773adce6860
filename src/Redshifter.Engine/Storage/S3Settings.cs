using Redshifter.Engine.Connections;

namespace Redshifter.Engine.Storage;

/// <summary>
/// How to reach S3: region, optional S3-compatible endpoint (path-style), and where the credentials
/// come from. Explicit values (-Region, -ProfileName) win over the environment.
/// </summary>
public sealed record S3Settings
{
    public required string Region { get; init; }
    /// <summary>AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL: an S3-compatible server, addressed path-style.</summary>
    public string? ServiceUrl { get; init; }
    /// <summary>A named profile given explicitly (-ProfileName); it wins over the environment's keys.
    /// Null = the environment's keys, else the SDK's default chain (which honours AWS_PROFILE, SSO, roles).</summary>
    public string? ProfileName { get; init; }
    /// <summary>Where the region came from, for -Debug (never the credentials themselves).</summary>
    public required string RegionSource { get; init; }

    public static S3Settings FromEnvironment(IEnvironment env, string? region = null, string? profileName = null)
    {
        string resolvedRegion;
        string source;
        if (!string.IsNullOrWhiteSpace(region)) { resolvedRegion = region; source = "the -Region parameter"; }
        else if (env.Optional(EnvironmentVariables.Region) is { } r) { resolvedRegion = r; source = EnvironmentVariables.Region; }
        else if (env.Optional(EnvironmentVariables.DefaultRegion) is { } dr) { resolvedRegion = dr; source = EnvironmentVariables.DefaultRegion; }
        else throw EnvironmentVariables.Missing(EnvironmentVariables.Region, "the AWS region of the bucket (also COPY's REGION)");
        return new S3Settings
        {
            Region = resolvedRegion,
            RegionSource = source,
            ServiceUrl = env.Optional(EnvironmentVariables.EndpointS3) ?? env.Optional(EnvironmentVariables.Endpoint),
            ProfileName = string.IsNullOrWhiteSpace(profileName) ? null : profileName,
        };
    }
}
