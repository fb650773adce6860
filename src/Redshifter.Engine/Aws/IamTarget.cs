using System.Text.RegularExpressions;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Aws;

/// <summary>Which AWS call hands out the database credentials.</summary>
public enum IamCall
{
    /// <summary>Provisioned cluster; the database user is the caller's IAM identity.</summary>
    GetClusterCredentialsWithIAM,
    /// <summary>Provisioned cluster; the database user is REDSHIFT_USER.</summary>
    GetClusterCredentials,
    /// <summary>Redshift Serverless workgroup.</summary>
    GetCredentials,
}

/// <summary>
/// What REDSHIFT_AUTH=iam asks AWS for (DESIGN.md section 2): the cluster or workgroup, its region and the
/// endpoint of the call, the database, and for GetClusterCredentials the user and its options. Holds no
/// secret: the AWS credentials are resolved from <see cref="Environment"/> when the call is made.
/// </summary>
public sealed partial record IamTarget
{
    public required IamCall Call { get; init; }
    /// <summary>The cluster identifier or the Serverless workgroup name.</summary>
    public required string Name { get; init; }
    public required string Region { get; init; }
    public required Uri Endpoint { get; init; }
    public required string Database { get; init; }
    /// <summary>REDSHIFT_USER for GetClusterCredentials; null otherwise.</summary>
    public string? DbUser { get; init; }
    public bool AutoCreate { get; init; }
    public IReadOnlyList<string> DbGroups { get; init; } = [];
    /// <summary>Where the AWS credentials of the call come from (the same chain as S3's).</summary>
    public required IEnvironment Environment { get; init; }

    public bool IsServerless => Call == IamCall.GetCredentials;

    /// <summary>The SigV4 service name the call is signed for.</summary>
    public string Service => IsServerless ? "redshift-serverless" : "redshift";

    /// <summary>The IAM action the caller needs, e.g. <c>redshift:GetClusterCredentialsWithIAM</c>.</summary>
    public string Permission => $"{Service}:{Call}";

    /// <summary>The resource the permission must allow, as IAM policies spell it (account unknown here).</summary>
    public string ResourceArn => Call switch
    {
        IamCall.GetClusterCredentialsWithIAM => $"arn:aws:redshift:{Region}:<account>:dbname:{Name}/{Database}",
        IamCall.GetClusterCredentials => $"arn:aws:redshift:{Region}:<account>:dbuser:{Name}/{DbUser}",
        _ => $"arn:aws:redshift-serverless:{Region}:<account>:workgroup/<id of workgroup {Name}>",
    };

    /// <summary>What the credentials are for, e.g. "cluster 'c1'" or "workgroup 'wg'".</summary>
    public string Subject => $"{(IsServerless ? "workgroup" : "cluster")} '{Name}'";

    /// <summary>For the load plan and messages, e.g. "iam: GetClusterCredentialsWithIAM (cluster c1, region us-east-1)".</summary>
    public string Description => $"iam: {Call} ({(IsServerless ? "workgroup" : "cluster")} {Name}{(DbUser != null ? ", user " + DbUser : "")}, region {Region})";

    /// <summary>What identifies the credentials handed out: two settings with the same key share them.</summary>
    internal string CacheKey => string.Join('\n', Call, Name, Region, Endpoint, Database, DbUser, AutoCreate, string.Join(',', DbGroups),
        Environment.Optional(EnvironmentVariables.AccessKeyId), Environment.Optional(EnvironmentVariables.Profile), Environment.Optional(EnvironmentVariables.RoleArn));

    public override string ToString() => Description;

    /// <summary>
    /// Reads the IAM settings: the workgroup (REDSHIFT_WORKGROUP, else a <c>*.redshift-serverless.amazonaws.com</c> host)
    /// or the cluster (REDSHIFT_CLUSTER_ID, else a <c>*.redshift.amazonaws.com</c> host), the region (from the host,
    /// else AWS_REGION / AWS_DEFAULT_REGION) and the endpoint (AWS_ENDPOINT_URL_REDSHIFT[_SERVERLESS], AWS_ENDPOINT_URL,
    /// else AWS's regional one).
    /// </summary>
    public static IamTarget FromEnvironment(IEnvironment env, string host, string database, string? user)
    {
        var clusterId = env.Optional(EnvironmentVariables.ClusterId);
        var workgroup = env.Optional(EnvironmentVariables.Workgroup);
        if (clusterId != null && workgroup != null)
        {
            throw RedshifterException.InvalidArgument(
                $"Both REDSHIFT_CLUSTER_ID ('{clusterId}') and REDSHIFT_WORKGROUP ('{workgroup}') are set; REDSHIFT_AUTH=iam needs one target.",
                "Set REDSHIFT_CLUSTER_ID for a provisioned cluster or REDSHIFT_WORKGROUP for Redshift Serverless, not both.",
                EnvironmentVariables.Workgroup);
        }
        var serverlessHost = ServerlessHost().Match(host);
        var clusterHost = ClusterHost().Match(host);
        var serverless = workgroup != null || (clusterId == null && serverlessHost.Success);
        string name;
        string? hostRegion;
        if (serverless)
        {
            name = workgroup ?? serverlessHost.Groups["name"].Value;
            hostRegion = serverlessHost.Success ? serverlessHost.Groups["region"].Value : null;
        }
        else if (clusterId != null || clusterHost.Success)
        {
            name = clusterId ?? clusterHost.Groups["name"].Value;
            hostRegion = clusterHost.Success ? clusterHost.Groups["region"].Value : null;
        }
        else
        {
            throw new RedshifterException(ErrorIds.ConnectionFailed, ErrorKind.InvalidArgument,
                $"REDSHIFT_AUTH is iam, but the cluster or workgroup to ask for credentials is unknown: REDSHIFT_CLUSTER_ID and REDSHIFT_WORKGROUP are not set, and the host '{host}' is not a Redshift endpoint (<cluster>.<id>.<region>.redshift.amazonaws.com or <workgroup>.<account>.<region>.redshift-serverless.amazonaws.com).",
                "Set REDSHIFT_CLUSTER_ID to the cluster's identifier, or REDSHIFT_WORKGROUP to the Serverless workgroup's name (or use REDSHIFT_AUTH=password).",
                EnvironmentVariables.ClusterId);
        }
        var region = hostRegion ?? env.Optional(EnvironmentVariables.Region) ?? env.Optional(EnvironmentVariables.DefaultRegion)
            ?? throw EnvironmentVariables.Missing(EnvironmentVariables.Region, $"the AWS region of {(serverless ? "workgroup" : "cluster")} '{name}' (for REDSHIFT_AUTH=iam)");
        var call = serverless ? IamCall.GetCredentials : user != null ? IamCall.GetClusterCredentials : IamCall.GetClusterCredentialsWithIAM;
        var endpointVariable = serverless ? EnvironmentVariables.EndpointRedshiftServerless : EnvironmentVariables.EndpointRedshift;
        var endpointText = env.Optional(endpointVariable) ?? env.Optional(EnvironmentVariables.Endpoint);
        Uri endpoint;
        if (endpointText == null)
        {
            var domain = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
            endpoint = new Uri($"https://{(serverless ? "redshift-serverless" : "redshift")}.{region}.{domain}/");
        }
        else if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint!) || endpoint.Scheme is not ("http" or "https"))
        {
            throw RedshifterException.InvalidArgument(
                $"The endpoint '{endpointText}' (from {(env.Optional(endpointVariable) != null ? endpointVariable : EnvironmentVariables.Endpoint)}) is not an http(s) URL.",
                $"Set {endpointVariable} to a URL such as https://{(serverless ? "redshift-serverless" : "redshift")}.{region}.amazonaws.com, or remove it.",
                endpointVariable);
        }
        var autoCreateText = env.Optional(EnvironmentVariables.AutoCreate);
        var autoCreate = autoCreateText switch
        {
            null or "0" => false,
            "1" => true,
            _ when bool.TryParse(autoCreateText, out var b) => b,
            _ => throw RedshifterException.InvalidArgument(
                $"REDSHIFT_AUTO_CREATE is '{autoCreateText}'; it must be 1 or 0.",
                "Set REDSHIFT_AUTO_CREATE=1 to let GetClusterCredentials create REDSHIFT_USER, or remove it.",
                EnvironmentVariables.AutoCreate),
        };
        var groups = (env.Optional(EnvironmentVariables.DbGroups) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (call != IamCall.GetClusterCredentials && (autoCreate || groups.Length > 0))
        {
            throw RedshifterException.InvalidArgument(
                $"REDSHIFT_AUTO_CREATE and REDSHIFT_DB_GROUPS apply to GetClusterCredentials only, but this target uses {call}.",
                serverless ? "Remove REDSHIFT_AUTO_CREATE and REDSHIFT_DB_GROUPS: Redshift Serverless maps the IAM identity to its database user."
                    : "Set REDSHIFT_USER to the database user to sign in as, or remove REDSHIFT_AUTO_CREATE and REDSHIFT_DB_GROUPS.",
                EnvironmentVariables.DbGroups);
        }
        return new IamTarget
        {
            Call = call,
            Name = name,
            Region = region.ToLowerInvariant(),
            Endpoint = endpoint,
            Database = database,
            DbUser = call == IamCall.GetClusterCredentials ? user : null,
            AutoCreate = autoCreate,
            DbGroups = groups,
            Environment = env,
        };
    }

    // https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-connection-string.html:
    // a cluster's endpoint is <cluster>.<unique id>.<region>.redshift.amazonaws.com.
    [GeneratedRegex(@"^(?<name>[a-z][a-z0-9-]*)\.(?<id>[a-z0-9]+)\.(?<region>[a-z]{2}(-[a-z]+)+-\d)\.redshift\.amazonaws\.com(\.cn)?\.?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClusterHost();

    // https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-connecting.html:
    // a workgroup's endpoint is <workgroup>.<account>.<region>.redshift-serverless.amazonaws.com.
    [GeneratedRegex(@"^(?<name>[a-z0-9-]+)\.(?<account>\d{12})\.(?<region>[a-z]{2}(-[a-z]+)+-\d)\.redshift-serverless\.amazonaws\.com(\.cn)?\.?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ServerlessHost();
}
