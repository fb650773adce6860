using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Loading;

/// <summary>One row of Redshift's load error views, in the columns of <see cref="RedshiftDialect.LoadErrorDetailSql"/>.</summary>
internal sealed record RedshiftLoadError(string? File, long? Line, string? Column, string? Value, string? Reason, int? Code, string? ColumnType)
{
    // "Input data exceeded the acceptable range for the data type": for a string, longer than its column
    // (https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html).
    private const int OutOfRange = 1204;

    /// <summary>The row as a detail; Redshift words the reason, so any secret the session knows is masked in it, as everywhere.</summary>
    public LoadErrorDetail ToDetail(string uri, Connections.SecretRedactor redactor) =>
        new(string.IsNullOrEmpty(File) ? uri : File, Line, Column, Value, string.IsNullOrEmpty(Reason) ? "(Redshift gave no reason)" : redactor.Redact(Reason));

    /// <summary>For a string too long for its column (and its value known): the varchar that takes it, in bytes as Redshift counts them.</summary>
    public string? Fits =>
        Code == OutOfRange && Value != null && ColumnType is { } type && (type.StartsWith("varchar", StringComparison.OrdinalIgnoreCase) || type.StartsWith("char", StringComparison.OrdinalIgnoreCase) || type.StartsWith("bpchar", StringComparison.OrdinalIgnoreCase))
            ? $"varchar({Encoding.UTF8.GetByteCount(Value)})"
            : null;
}

/// <summary>
/// A failed Redshift COPY with Redshift's own account of it: the rows of SYS_LOAD_ERROR_DETAIL (or, where that
/// view does not exist, STL_LOAD_ERRORS) of that COPY only, as <see cref="LoadErrorDetail"/>s.
/// </summary>
internal static class RedshiftLoadErrors
{
    /// <summary>Where a COPY ran: its session's process id and its transaction's start (<see cref="RedshiftDialect.CopyStartSql"/>).</summary>
    public sealed record CopyStart(object? Session, object? Started);

    public static async Task<CopyStart> StartAsync(DatabaseSession session, DatabaseTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = session.Command(RedshiftDialect.CopyStartSql, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new CopyStart(reader.GetValue(0), reader.GetValue(1));
    }

    /// <summary>The COPY's error with the views' rows, read from another session (the failed one's transaction is aborted).</summary>
    public static async Task<RedshifterException> CopyFailedAsync(DatabaseSession session, SourceFile source, CopyStart start, PostgresException ex, CancellationToken cancellationToken)
    {
        string? view = null;
        IReadOnlyList<RedshiftLoadError> rows = [];
        string? lookupFailed = null;
        try
        {
            (view, rows) = await ReadAsync(session.Settings, start, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception lookup) when (lookup is NpgsqlException or RedshifterException)
        {
            lookupFailed = lookup.Message;
        }
        return CopyFailed(source, session.Redactor, session.Redactor.Redact(ex.MessageText), view, rows, start, lookupFailed);
    }

    private static async Task<(string View, IReadOnlyList<RedshiftLoadError> Rows)> ReadAsync(Connections.DatabaseSettings settings, CopyStart start, CancellationToken cancellationToken)
    {
        await using var other = await DatabaseSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        var parameters = new Dictionary<string, object?> { ["session"] = start.Session, ["started"] = start.Started };
        try
        {
            return ("SYS_LOAD_ERROR_DETAIL", await RowsAsync(other, RedshiftDialect.LoadErrorDetailSql, parameters, cancellationToken).ConfigureAwait(false));
        }
        catch (PostgresException missing) when (missing.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // An older provisioned cluster: only the STL view.
        }
        return ("STL_LOAD_ERRORS", await RowsAsync(other, RedshiftDialect.StlLoadErrorsSql, parameters, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<IReadOnlyList<RedshiftLoadError>> RowsAsync(DatabaseSession session, string sql, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        await using var command = session.Command(sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<RedshiftLoadError>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new RedshiftLoadError(Text(reader, 0), Number(reader, 1), Text(reader, 2), Text(reader, 3), Text(reader, 4), (int?)Number(reader, 5), Text(reader, 6)));
        }
        return rows;
    }

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);

    private static long? Number(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);

    /// <summary>
    /// The error: the records as details, the fix that fits (a varchar wide enough for a value too long), and
    /// where to look for more, naming the view that exists on this cluster.
    /// </summary>
    internal static RedshifterException CopyFailed(SourceFile source, Connections.SecretRedactor redactor, string reason, string? view, IReadOnlyList<RedshiftLoadError> rows, CopyStart start, string? lookupFailed = null)
    {
        var details = rows.Select(r => r.ToDetail(source.Uri, redactor)).ToList();
        var said = details.Count > 0 ? " " + string.Join("; ", details) + "." : lookupFailed != null ? $" (The load errors could not be read: {lookupFailed}.)" : "";
        var where = view switch
        {
            "SYS_LOAD_ERROR_DETAIL" => $"SYS_LOAD_ERROR_DETAIL has the full detail (session_id = {start.Session}, start_time >= '{Timestamp(start.Started)}')",
            "STL_LOAD_ERRORS" => $"STL_LOAD_ERRORS has the full detail (session = {start.Session}, starttime >= '{Timestamp(start.Started)}')",
            _ => "SYS_LOAD_ERROR_DETAIL (STL_LOAD_ERRORS on clusters without it) has the full detail",
        };
        var fit = rows.FirstOrDefault(r => r.Fits != null);
        var action = fit != null
            ? $"Change column '{fit.Column}' to {fit.Fits} in the config (the width that fits the value), or fix that record in the source file, then load again; {where}."
            : $"Fix the records named (or the table's column types), then load again; {where}.";
        return new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
            redactor.Redact($"COPY of {source.Uri} into {source.Schema}.{source.Table} failed: {reason}.{said} Nothing was loaded."),
            action, source.Uri, new InvalidOperationException(reason))
        {
            Details = details,
        };
    }

    private static string? Timestamp(object? value) => value is DateTime t ? t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture);
}
