using Npgsql;

namespace Redshifter.Engine.Jobs;

/// <summary>
/// Which failures of a load's transaction are worth running the whole transaction again, and how often.
/// Redshift cancels one of two concurrent transactions that cannot be serialized ("ERROR: 1023 …
/// Serializable isolation violation") and its own troubleshooting page says to retry the transaction
/// (https://docs.aws.amazon.com/redshift/latest/dg/c_serial_isolation-serializable-isolation-troubleshooting.html);
/// a deadlock is the same kind of loss. Two first loads of a new table both try CREATE TABLE: the second
/// fails because the first created it, and once more it finds the table and locks it.
/// </summary>
public static class TransactionRetry
{
    /// <summary>Retries of a serialization failure or deadlock (so at most 4 attempts).</summary>
    public const int MaxConflictRetries = 3;

    /// <summary>Why the transaction may run again, or null when it must not (or has been retried enough).</summary>
    /// <param name="conflictRetries">Serialization/deadlock retries made so far.</param>
    /// <param name="createRetries">Retries made because the table appeared meanwhile.</param>
    public static string? Reason(Exception failure, int conflictRetries, int createRetries)
    {
        var pg = Find(failure);
        // A COPY's failure reaches here wrapped in a CopyFailed that keeps only the server's message.
        if (pg == null)
            return Messages(failure).Any(IsConflictText) && conflictRetries < MaxConflictRetries ? "the transaction conflicted with another one" : null;
        if (IsConflict(pg)) return conflictRetries < MaxConflictRetries ? $"the transaction conflicted with another one ({Short(pg.MessageText)})" : null;
        // 42P07: duplicate_table; 23505 on the catalog's unique index when both CREATE TABLEs raced.
        if (pg.SqlState == "42P07" || (pg.SqlState == "23505" && pg.ConstraintName?.StartsWith("pg_", StringComparison.Ordinal) == true))
            return createRetries < 1 ? "another load created the table at the same time" : null;
        return null;
    }

    /// <summary>A serialization failure or deadlock: PostgreSQL's SQLSTATEs, and Redshift's error 1023.</summary>
    private static bool IsConflict(PostgresException pg) => pg.SqlState is "40001" or "40P01" || IsConflictText(pg.MessageText);

    private static bool IsConflictText(string message) =>
        message.Contains("Serializable isolation violation", StringComparison.OrdinalIgnoreCase)
        || message.StartsWith("1023", StringComparison.Ordinal)
        || message.Contains("deadlock detected", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Messages(Exception? ex)
    {
        for (; ex != null; ex = ex.InnerException) yield return ex.Message;
    }

    /// <summary>Whether the failure is the table appearing meanwhile (counted apart: retried once).</summary>
    public static bool IsTableCreatedMeanwhile(Exception failure) => Find(failure) is { SqlState: "42P07" or "23505" };

    /// <summary>A random wait before the next attempt, growing with it, so that two loads do not collide again in step.</summary>
    public static TimeSpan Delay(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(100, 400) * (1 << Math.Min(attempt, 4)));

    private static PostgresException? Find(Exception? ex)
    {
        for (; ex != null; ex = ex.InnerException)
        {
            if (ex is PostgresException pg) return pg;
        }
        return null;
    }

    private static string Short(string s) => s.Length > 120 ? s[..120] + "…" : s;
}
