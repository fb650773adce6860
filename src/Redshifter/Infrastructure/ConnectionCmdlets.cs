using System.Management.Automation;

using Redshifter.Engine.Connections;
using Redshifter.Engine.Storage;

namespace Redshifter.Infrastructure;

// Uniform connection parameters (as dbatools and AWS.Tools name them), declared once per kind of
// connection. The environment variables stay the default and the contract; these override them.

/// <summary>A cmdlet that reads S3: -ProfileName and -Region.</summary>
public abstract class S3Cmdlet : RedshifterCmdlet
{
    /// <summary>AWS credential profile to use instead of the environment's keys (as AWS.Tools names it).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>AWS region of the bucket; default AWS_REGION.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    internal override S3Storage CreateStorage() => ConnectionDefaults.CreateStorage(this, ProfileName, Region);
}

/// <summary>A cmdlet that connects to the database: -Credential.</summary>
public abstract class DatabaseCmdlet : RedshifterCmdlet
{
    /// <summary>Database user and password instead of REDSHIFT_USER and REDSHIFT_PASSWORD.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    internal override DatabaseSettings GetDatabaseSettings() => ConnectionDefaults.DatabaseSettings(this, Credential);
}

/// <summary>A cmdlet that reads S3 and connects to the database.</summary>
public abstract class S3DatabaseCmdlet : S3Cmdlet
{
    /// <summary>Database user and password instead of REDSHIFT_USER and REDSHIFT_PASSWORD.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    internal override DatabaseSettings GetDatabaseSettings() => ConnectionDefaults.DatabaseSettings(this, Credential);
}

/// <summary>A cmdlet that loads a table: -Mode with the upsert's -UpsertKey and -PrecombineKey, declared once for both loaders.</summary>
public abstract class LoadCmdlet : S3DatabaseCmdlet
{
    /// <summary>Append (default) or Upsert (merge the file's rows by key, through a staging table).</summary>
    [Parameter]
    public LoadMode Mode { get; set; } = LoadMode.Append;

    /// <summary>Key columns for Upsert ('a,b' or a list); default: the primary key.</summary>
    [Parameter]
    public string[]? UpsertKey { get; set; }

    /// <summary>For Upsert: keep the row with the greatest value of this column per key.</summary>
    [Parameter]
    public string? PrecombineKey { get; set; }

    /// <summary>The upsert asked for (null for Append); bad combinations are a terminating InvalidArgument.</summary>
    internal Engine.Loading.UpsertRequest? UpsertRequest(bool truncate) => Terminating(() => Arguments.Upsert(Mode, UpsertKey, PrecombineKey, truncate));
}

internal static class ConnectionDefaults
{
    internal static DatabaseSettings DatabaseSettings(RedshifterCmdlet cmdlet, PSCredential? credential)
    {
        var settings = Engine.Connections.DatabaseSettings.FromEnvironment(
            RedshifterCmdlet.Environment,
            credential?.UserName,
            credential?.GetNetworkCredential().Password);
        var signIn = credential != null ? "user and password from -Credential"
            : settings.Iam != null ? settings.AuthenticationDescription + $" ({EnvironmentVariables.Auth})"
            : $"{EnvironmentVariables.User} and {EnvironmentVariables.Password}";
        cmdlet.WriteDebug($"Database: {settings} (sign-in: {signIn}).");
        if (!settings.IsLoopback && settings.SslMode is "Disable" or "Allow")
        {
            cmdlet.WriteWarning($"The connection to {settings.Endpoint} is not encrypted (REDSHIFT_SSLMODE={settings.SslMode}): the password and data cross the network in clear text. Set REDSHIFT_SSLMODE=Require (or VerifyFull).");
        }
        return settings;
    }

    internal static S3Storage CreateStorage(RedshifterCmdlet cmdlet, string? profileName, string? region)
    {
        var env = RedshifterCmdlet.Environment;
        var settings = S3Settings.FromEnvironment(env, region, profileName);
        var storage = S3Storage.Create(settings, env);
        cmdlet.WriteDebug($"AWS region '{settings.Region}' from {settings.RegionSource}; credentials from {storage.CredentialSource}" +
            (settings.ServiceUrl != null ? $"; S3 endpoint {settings.ServiceUrl} (path-style)." : "."));
        return storage;
    }


}
