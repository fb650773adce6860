using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Connections;

/// <summary>Reads the process environment; a seam so that unit tests can supply their own.</summary>
public interface IEnvironment
{
    string? GetVariable(string name);
}

public sealed class ProcessEnvironment : IEnvironment
{
    public static readonly ProcessEnvironment Instance = new();
    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);
}

public sealed class DictionaryEnvironment(IReadOnlyDictionary<string, string?> values) : IEnvironment
{
    public string? GetVariable(string name) => values.TryGetValue(name, out var v) ? v : null;
}

/// <summary>The variable names of DESIGN.md section 2, spelled once.</summary>
public static class EnvironmentVariables
{
    public const string Host = "REDSHIFT_HOST";
    public const string Port = "REDSHIFT_PORT";
    public const string Database = "REDSHIFT_DB";
    public const string User = "REDSHIFT_USER";
    public const string Password = "REDSHIFT_PASSWORD";
    public const string SslMode = "REDSHIFT_SSLMODE";
    public const string IamRole = "REDSHIFT_IAM_ROLE";
    public const string Dialect = "REDSHIFT_DIALECT";
    /// <summary>password (default) or iam.</summary>
    public const string Auth = "REDSHIFT_AUTH";
    public const string ClusterId = "REDSHIFT_CLUSTER_ID";
    public const string Workgroup = "REDSHIFT_WORKGROUP";
    public const string AutoCreate = "REDSHIFT_AUTO_CREATE";
    public const string DbGroups = "REDSHIFT_DB_GROUPS";
    public const string AccessKeyId = "AWS_ACCESS_KEY_ID";
    public const string SecretAccessKey = "AWS_SECRET_ACCESS_KEY";
    public const string SessionToken = "AWS_SESSION_TOKEN";
    public const string Region = "AWS_REGION";
    public const string DefaultRegion = "AWS_DEFAULT_REGION";
    public const string Profile = "AWS_PROFILE";
    public const string EndpointS3 = "AWS_ENDPOINT_URL_S3";
    public const string Endpoint = "AWS_ENDPOINT_URL";
    public const string EndpointRedshift = "AWS_ENDPOINT_URL_REDSHIFT";
    public const string EndpointRedshiftServerless = "AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS";
    public const string EndpointSts = "AWS_ENDPOINT_URL_STS";
    public const string WebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE";
    public const string RoleArn = "AWS_ROLE_ARN";
    public const string RoleSessionName = "AWS_ROLE_SESSION_NAME";

    /// <summary>The value, or <c>null</c> when unset or blank.</summary>
    public static string? Optional(this IEnvironment env, string name)
    {
        var value = env.GetVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>The value, or a <c>Redshifter.MissingEnvironmentVariable</c> error naming it.</summary>
    public static string Required(this IEnvironment env, string name, string purpose) =>
        env.Optional(name) ?? throw Missing(name, purpose);

    public static RedshifterException Missing(string name, string purpose) => new(
        ErrorIds.MissingEnvironmentVariable,
        ErrorKind.InvalidArgument,
        $"The environment variable {name} is not set; it gives {purpose}.",
        $"Set {name} (for example `$env:{name} = '…'` in PowerShell, or in your CI job's environment) and run the command again.",
        name);
}
