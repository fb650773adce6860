using System.Globalization;
using Redshifter.Engine.Aws;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Connections;

/// <summary>Which SQL engine the target is: decides the dialect and the loader.</summary>
public enum EngineKind
{
    PostgreSQL,
    Redshift,
}

/// <summary>
/// Where the destination database is and how to log in: the REDSHIFT_* variables of DESIGN.md
/// section 2, optionally with the user and password of a -Credential. ToString never shows the password.
/// With REDSHIFT_AUTH=iam, <see cref="Iam"/> says whom to ask for temporary credentials, and the user and
/// password are those AWS hands out when the session opens (empty until then).
/// </summary>
public sealed record DatabaseSettings
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string Database { get; init; }
    public required string User { get; init; }
    public required string Password { get; init; }
    /// <summary>Npgsql SSL mode name: Disable, Prefer (default), Require, VerifyCA, VerifyFull.</summary>
    public string SslMode { get; init; } = "Prefer";
    /// <summary>REDSHIFT_DIALECT, when set: overrides detection from <c>SELECT version()</c>.</summary>
    public EngineKind? DialectOverride { get; init; }
    public string? IamRole { get; init; }
    public int ConnectTimeoutSeconds { get; init; } = 15;
    /// <summary>REDSHIFT_AUTH=iam: the call that hands out the database credentials; null for password auth.</summary>
    public IamTarget? Iam { get; init; }

    /// <summary>The values of REDSHIFT_AUTH.</summary>
    public static readonly string[] AuthModes = ["password", "iam"];

    public static readonly string[] SslModes = ["Disable", "Allow", "Prefer", "Require", "VerifyCA", "VerifyFull"];

    public string Endpoint => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>How the module signs in, for the load plan and messages (never a secret).</summary>
    public string AuthenticationDescription => Iam?.Description ?? $"password (user {User})";

    public bool IsLoopback => Host is "localhost" or "127.0.0.1" or "::1" || Host.StartsWith("127.", StringComparison.Ordinal) || Host.StartsWith('/');

    /// <summary>
    /// Reads the environment. Host and port fall back to localhost:5439 when empty; database, user and
    /// password are required unless <paramref name="user"/>/<paramref name="password"/> come from a credential,
    /// or REDSHIFT_AUTH is iam (then REDSHIFT_USER is optional and selects GetClusterCredentials). A
    /// credential's password means password auth whatever REDSHIFT_AUTH says.
    /// </summary>
    public static DatabaseSettings FromEnvironment(IEnvironment env, string? user = null, string? password = null)
    {
        var portText = env.Optional(EnvironmentVariables.Port) ?? "5439";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw RedshifterException.InvalidArgument(
                $"REDSHIFT_PORT is '{portText}', which is not a TCP port number.",
                "Set REDSHIFT_PORT to the database's port, for example 5439 for Redshift or 5432 for PostgreSQL.",
                EnvironmentVariables.Port);
        }
        var sslText = env.Optional(EnvironmentVariables.SslMode) ?? "Prefer";
        var ssl = SslModes.FirstOrDefault(m => m.Equals(sslText, StringComparison.OrdinalIgnoreCase))
            ?? throw RedshifterException.InvalidArgument(
                $"REDSHIFT_SSLMODE is '{sslText}', which is not an SSL mode.",
                $"Set REDSHIFT_SSLMODE to one of {string.Join(", ", SslModes)}.",
                EnvironmentVariables.SslMode);
        EngineKind? dialect = null;
        var dialectText = env.Optional(EnvironmentVariables.Dialect);
        if (dialectText != null)
        {
            dialect = Enum.TryParse<EngineKind>(dialectText, ignoreCase: true, out var d) && Enum.IsDefined(d)
                ? d
                : throw RedshifterException.InvalidArgument(
                    $"REDSHIFT_DIALECT is '{dialectText}'; it must be Redshift or PostgreSQL.",
                    "Set REDSHIFT_DIALECT to Redshift or PostgreSQL, or remove it to detect the engine from SELECT version().",
                    EnvironmentVariables.Dialect);
        }
        var authText = env.Optional(EnvironmentVariables.Auth) ?? "password";
        var auth = AuthModes.FirstOrDefault(m => m.Equals(authText.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw RedshifterException.InvalidArgument(
                $"REDSHIFT_AUTH is '{authText}'; it must be password or iam.",
                "Set REDSHIFT_AUTH to password (REDSHIFT_USER and REDSHIFT_PASSWORD) or iam (temporary credentials from AWS), or remove it.",
                EnvironmentVariables.Auth);
        var host = env.Optional(EnvironmentVariables.Host) ?? "localhost";
        var database = env.Required(EnvironmentVariables.Database, "the name of the destination database");
        IamTarget? iam = null;
        if (auth == "iam" && password == null)
        {
            user ??= env.Optional(EnvironmentVariables.User);
            iam = IamTarget.FromEnvironment(env, host, database, user);
        }
        return new DatabaseSettings
        {
            Host = host,
            Port = port,
            Database = database,
            User = user ?? (iam != null ? "" : env.Required(EnvironmentVariables.User, "the database user")),
            Password = password ?? (iam != null ? "" : env.Required(EnvironmentVariables.Password, "the database user's password")),
            Iam = iam,
            SslMode = ssl,
            DialectOverride = dialect,
            IamRole = env.Optional(EnvironmentVariables.IamRole),
        };
    }

    /// <summary>Names the server and user, never the password.</summary>
    public override string ToString() => $"{(Iam == null || User.Length > 0 ? User : "(" + Iam.Description + ")")}@{Endpoint}/{Database} (SSL {SslMode})";
}
