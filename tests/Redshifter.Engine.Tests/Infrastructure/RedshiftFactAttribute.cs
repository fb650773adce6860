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
    public RedshiftFactAttribute(bool needsBucket) => Skip = SkipReason(needsBucket);

    /// <summary>Why a live test cannot run here (which variables are missing), or null when it can.</summary>
    public static string? SkipReason(bool needsBucket)
    {
        var missing = Variables.Concat(needsBucket ? CopyVariables : []).Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        return missing.Count > 0 ? $"No Redshift cluster{(needsBucket ? " and bucket" : "")}: set {string.Join(", ", missing)} to run the live Redshift tests (make test-redshift)." : null;
    }

    /// <summary>
    /// The columns of a table that are its distribution key or in its sort key ("name|distkey|sort ordinal",
    /// sort key first): from pg_attribute, which, unlike PG_TABLE_DEF, does not depend on the search_path.
    /// </summary>
    public static string KeysSql(string schema, string table) =>
        "SELECT a.attname, a.attisdistkey, a.attsortkeyord FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid " +
        $"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relname = '{table}' AND a.attnum > 0 " +
        "AND (a.attisdistkey OR a.attsortkeyord <> 0) ORDER BY a.attsortkeyord DESC, a.attname";

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

/// <summary>A theory against a real Redshift cluster: skipped, saying which variables are missing, like <see cref="RedshiftFactAttribute"/>.</summary>
public sealed class RedshiftTheoryAttribute : TheoryAttribute
{
    public RedshiftTheoryAttribute(bool needsBucket) => Skip = RedshiftFactAttribute.SkipReason(needsBucket);
}
