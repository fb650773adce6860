using System.Globalization;
using System.Text;
using Redshifter.Engine.Sources;

namespace Redshifter.Engine.Sql;

/// <summary>How Redshift's COPY authenticates to S3: an IAM role (preferred), or forwarded keys.</summary>
public sealed record CopyAuthorization(string? IamRole, string? AccessKeyId = null, string? SecretAccessKey = null, string? SessionToken = null)
{
    public override string ToString() => IamRole != null ? $"IAM role {IamRole}" : $"access key {AccessKeyId}";
}

public sealed partial class RedshiftDialect
{
    /// <summary>
    /// The one COPY statement of DESIGN.md section 5, every literal escaped.
    /// <paramref name="stagingTable"/>: copy into that temporary table (made from the source's table) instead.
    /// <paramref name="intoSuper"/>: the table has a SUPER column, which a Parquet file's nested (or any) column
    /// loads into only with SERIALIZETOJSON ("Copying data from columnar-format Parquet and ORC",
    /// https://docs.aws.amazon.com/redshift/latest/dg/copy_json.html#copy_json-from-parquet-orc).
    /// </summary>
    public string Copy(SourceFile source, CopyAuthorization authorization, string region, string? stagingTable = null, bool intoSuper = false)
    {
        var sql = new StringBuilder();
        sql.Append("COPY ").Append(stagingTable != null ? QuoteIdentifier(stagingTable) : QualifiedName(source.Schema, source.Table))
           .Append(" FROM ").Append(QuoteLiteral(source.Uri)).Append('\n');
        if (authorization.IamRole != null)
        {
            sql.Append("IAM_ROLE ").Append(QuoteLiteral(authorization.IamRole)).Append('\n');
        }
        else
        {
            var credentials = $"aws_access_key_id={authorization.AccessKeyId};aws_secret_access_key={authorization.SecretAccessKey}";
            if (!string.IsNullOrEmpty(authorization.SessionToken)) credentials += ";token=" + authorization.SessionToken;
            sql.Append("CREDENTIALS ").Append(QuoteLiteral(credentials)).Append('\n');
        }
        if (source.IsManifest) sql.Append("MANIFEST\n");
        // Parquet COPY accepts only authorization, MANIFEST and a few load options (STATUPDATE among them):
        // REGION, TIMEFORMAT, compression keywords and COMPUPDATE make it fail. Columns go by position.
        if (source.Format == DataFormat.Parquet) return sql.Append(intoSuper ? "FORMAT AS PARQUET SERIALIZETOJSON\nSTATUPDATE ON" : "FORMAT AS PARQUET\nSTATUPDATE ON").ToString();
        sql.Append(source.Format switch
        {
            DataFormat.Json => "FORMAT AS JSON 'auto ignorecase'",
            DataFormat.Csv => "FORMAT AS CSV" + (source.Delimiter is { } d && d != ',' ? " DELIMITER AS " + QuoteLiteral(d.ToString()) : ""),
            _ => "DELIMITER AS " + QuoteLiteral((source.Delimiter ?? '|').ToString()) + " REMOVEQUOTES ESCAPE TRIMBLANKS EMPTYASNULL ACCEPTANYDATE",
        }).Append('\n');
        var compression = source.Compression switch { Compression.Gzip => "GZIP", Compression.Bzip2 => "BZIP2", Compression.Zstd => "ZSTD", _ => null };
        if (compression != null) sql.Append(compression).Append('\n');
        if (source.IgnoreHeader > 0 && source.Format != DataFormat.Json) sql.Append(CultureInfo.InvariantCulture, $"IGNOREHEADER {source.IgnoreHeader}\n");
        // DATEFORMAT 'auto' on every text COPY: without it a DATE column takes only 'YYYY-MM-DD', and the delimited
        // mode's ACCEPTANYDATE would turn every other spelling into NULL without a word ("Always use ACCEPTANYDATE
        // with the DATEFORMAT parameter": https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html).
        // COMPUPDATE OFF into the upsert's staging table: into an empty table the analysis samples the input and
        // re-creates the table with new encodings, on every upsert, for a table dropped a moment later
        // (https://docs.aws.amazon.com/redshift/latest/dg/c_Loading_tables_auto_compress.html).
        sql.Append("REGION ").Append(QuoteLiteral(region))
           .Append(" DATEFORMAT 'auto' TIMEFORMAT 'auto' TRUNCATECOLUMNS STATUPDATE ON COMPUPDATE ")
           .Append(stagingTable != null ? "OFF" : "ON");
        return sql.ToString();
    }

    /// <summary>Rows the last COPY of this session loaded.</summary>
    public static string LastCopyCountSql => "SELECT pg_last_copy_count()";

    /// <summary>
    /// Taken just before COPY, to find that COPY's load errors from another session once the failure has
    /// aborted this one: the session's process id (the views' session_id / session) and its transaction's
    /// start (SYSDATE is the transaction's start, not the statement's:
    /// https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html). An earlier COPY on the same pooled
    /// session ran in an earlier transaction, so it started before that and is never reported. SYSDATE is in
    /// the session's time zone and the views' times in UTC: they agree under Redshift's default, UTC, which the
    /// module never changes (a user whose time zone is set otherwise may see fewer or more rows).
    /// </summary>
    public static string CopyStartSql => "SELECT pg_backend_pid(), SYSDATE";

    /// <summary>
    /// The load errors of the failed COPY from SYS_LOAD_ERROR_DETAIL, which Serverless and provisioned clusters
    /// both have (https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_ERROR_DETAIL.html; it has no raw value).
    /// Columns: file, line, column, value, reason, error code, column type. Parameters @session, @started.
    /// </summary>
    public static string LoadErrorDetailSql =>
        "SELECT TRIM(file_name), line_number, TRIM(column_name), CAST(NULL AS VARCHAR), TRIM(error_message), error_code, TRIM(column_type) " +
        "FROM sys_load_error_detail WHERE session_id = @session AND start_time >= @started ORDER BY start_time, line_number LIMIT 10";

    /// <summary>
    /// The same from STL_LOAD_ERRORS, for clusters without the SYS view (Serverless has no STL views:
    /// https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html). Same columns and parameters.
    /// </summary>
    public static string StlLoadErrorsSql =>
        "SELECT TRIM(filename), line_number, TRIM(colname), TRIM(raw_field_value), TRIM(err_reason), err_code, TRIM(type) " +
        "FROM stl_load_errors WHERE session = @session AND starttime >= @started ORDER BY starttime, line_number LIMIT 10";
}

public sealed partial class PostgresDialect
{
    /// <summary>The binary COPY the PostgreSQL loader streams rows into.</summary>
    public static string CopyFromStdin(string? schema, string table, IEnumerable<string> columns) =>
        $"COPY {(schema != null ? QualifiedName(schema, table) : QuoteIdentifier(table))} ({string.Join(", ", columns.Select(QuoteIdentifier))}) FROM STDIN (FORMAT BINARY)";

    /// <summary>Evaluates column defaults once per load, as text (for records that lack the column).</summary>
    public static string EvaluateDefaults(IEnumerable<string> expressions) =>
        "SELECT " + string.Join(", ", expressions.Select(e => $"({e})::text"));
}
