namespace Redshifter.Engine.Tests.Infrastructure;

/// <summary>
/// A test against a real Redshift cluster: it runs only when REDSHIFT_TEST_HOST, REDSHIFT_TEST_PORT,
/// REDSHIFT_TEST_DB, REDSHIFT_TEST_USER and REDSHIFT_TEST_PASSWORD are set, and reports itself skipped
/// (with that reason) otherwise.
/// </summary>
public sealed class RedshiftFactAttribute : FactAttribute
{
    public static readonly string[] Variables = ["REDSHIFT_TEST_HOST", "REDSHIFT_TEST_PORT", "REDSHIFT_TEST_DB", "REDSHIFT_TEST_USER", "REDSHIFT_TEST_PASSWORD"];

    /// <summary>What the COPY scenarios need besides the cluster: a bucket the cluster can read (through REDSHIFT_TEST_IAM_ROLE, or the forwarded AWS credentials) in AWS_REGION.</summary>
    public static readonly string[] CopyVariables = ["REDSHIFT_TEST_S3_BUCKET", "AWS_REGION"];

    public RedshiftFactAttribute() : this(needsBucket: false) { }

    /// <param name="needsBucket">The test loads from S3 (COPY): it also needs <see cref="CopyVariables"/>.</param>
    public RedshiftFactAttribute(bool needsBucket)
    {
        var missing = Variables.Concat(needsBucket ? CopyVariables : []).Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0) Skip = $"No Redshift cluster{(needsBucket ? " and bucket" : "")}: set {string.Join(", ", missing)} to run the live Redshift tests.";
    }

    /// <summary>The cluster's connection as the module's environment.</summary>
    public static Engine.Connections.DatabaseSettings Settings() => new()
    {
        Host = Environment.GetEnvironmentVariable("REDSHIFT_TEST_HOST")!,
        Port = int.Parse(Environment.GetEnvironmentVariable("REDSHIFT_TEST_PORT")!, System.Globalization.CultureInfo.InvariantCulture),
        Database = Environment.GetEnvironmentVariable("REDSHIFT_TEST_DB")!,
        User = Environment.GetEnvironmentVariable("REDSHIFT_TEST_USER")!,
        Password = Environment.GetEnvironmentVariable("REDSHIFT_TEST_PASSWORD")!,
        SslMode = "Require",
        IamRole = Environment.GetEnvironmentVariable("REDSHIFT_TEST_IAM_ROLE") is { Length: > 0 } role ? role : null,
    };
}
