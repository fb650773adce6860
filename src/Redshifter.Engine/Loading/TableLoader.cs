using System.Globalization;
using Amazon.Runtime;
using Npgsql;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Loading;

/// <summary>What a load put into its table: the rows, and warnings about the values (TRUNCATECOLUMNS cut some).</summary>
public sealed record LoadedRows(long Rows, IReadOnlyList<string> Warnings);

/// <summary>
/// Loads one source into its table, inside the caller's transaction: on Redshift with one COPY … FROM
/// 's3://…' statement (the cluster reads S3), on PostgreSQL by streaming the objects itself.
/// </summary>
public sealed class TableLoader(S3Storage storage, IEngineLog log)
{
    /// <summary>The target table has a SUPER column (Redshift's Parquet COPY then needs SERIALIZETOJSON).</summary>
    public bool IntoSuper { get; init; }

    /// <summary>
    /// The statements the load runs, secrets redacted (for -WhatIf and -Verbose). <paramref name="stagingTable"/>:
    /// the load goes into that temporary table, made from the source's table (-Mode Upsert).
    /// </summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(DatabaseSession session, SourceFile source, IReadOnlyList<string>? columns, CancellationToken cancellationToken, string? stagingTable = null)
    {
        if (session.Engine == EngineKind.Redshift)
        {
            var authorization = await AuthorizationAsync(session, cancellationToken).ConfigureAwait(false);
            return [session.Redactor.Redact(RedshiftDialect.Instance.Copy(source, authorization, storage.Settings.Region, stagingTable, IntoSuper))];
        }
        return [$"{PostgresDialect.CopyFromStdin(stagingTable == null ? source.Schema : null, stagingTable ?? source.Table, columns ?? ["…"])} -- streamed from {source.Uri}"];
    }

    /// <summary>
    /// Loads the source (into <paramref name="stagingTable"/> when given); returns the rows loaded.
    /// <paramref name="knownColumns"/>: the table's columns when the caller has just read them in this
    /// transaction (and changed nothing since), so that they are not asked for again.
    /// </summary>
    public async Task<LoadedRows> LoadAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, CancellationToken cancellationToken, string? stagingTable = null, IReadOnlyList<Tables.ExistingColumn>? knownColumns = null)
    {
        var loaded = await CopyAsync(session, transaction, source, stagingTable, knownColumns, cancellationToken).ConfigureAwait(false);
        // An empty source is refused: loading it would empty the refresh window (or with -Truncate the
        // table) and put nothing back, which is almost never what a scheduled job means.
        if (loaded.Rows == 0)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                $"{source.Uri} holds no records, so nothing was loaded and {source.Schema}.{source.Table} was left as it was.",
                "Check the export that wrote the file; to empty the table on purpose, delete its rows yourself.", source.Uri);
        return loaded;
    }

    private async Task<LoadedRows> CopyAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, string? stagingTable, IReadOnlyList<Tables.ExistingColumn>? knownColumns, CancellationToken cancellationToken)
    {
        if (session.Engine == EngineKind.PostgreSQL)
            return await new PostgresLoader(storage, log).LoadAsync(session, transaction, source, stagingTable, cancellationToken, knownColumns).ConfigureAwait(false);

        var authorization = await AuthorizationAsync(session, cancellationToken).ConfigureAwait(false);
        var copy = RedshiftDialect.Instance.Copy(source, authorization, storage.Settings.Region, stagingTable, IntoSuper);
        var start = await RedshiftLoadErrors.StartAsync(session, transaction, cancellationToken).ConfigureAwait(false);
        try
        {
            await session.ExecuteAsync(copy, transaction, log, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw await RedshiftLoadErrors.CopyFailedAsync(session, source, start, ex, cancellationToken).ConfigureAwait(false);
        }
        var rows = Convert.ToInt64(await session.ScalarAsync(RedshiftDialect.LastCopyCountSql, transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        log.Verbose($"{source.Schema}.{source.Table}: {rows:N0} rows loaded by COPY.");
        return new LoadedRows(rows, []);
    }

    /// <summary>IAM_ROLE when REDSHIFT_IAM_ROLE is set; otherwise the credentials the SDK resolved, forwarded (and redacted wherever shown).</summary>
    private async Task<CopyAuthorization> AuthorizationAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        if (session.Settings.IamRole is { } role) return new CopyAuthorization(role);
        ImmutableCredentials credentials;
        try
        {
            credentials = await storage.Credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonClientException ex)
        {
            throw new RedshifterException(ErrorIds.MissingEnvironmentVariable, ErrorKind.InvalidArgument,
                "No AWS credentials could be resolved for COPY, and REDSHIFT_IAM_ROLE is not set.",
                "Set REDSHIFT_IAM_ROLE to a role the cluster may assume (preferred), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", EnvironmentVariables.IamRole, ex);
        }
        session.AddSecrets(new SecretRedactor([credentials.SecretKey, credentials.Token]));
        return new CopyAuthorization(null, credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null);
    }
}
