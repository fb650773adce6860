namespace Redshifter.Engine.Sql;

// The SQL of a table load's transaction (DESIGN.md section 5 step 4) that is not DDL or COPY:
// serializing concurrent loads, the refresh-window delete, and the history table.
public abstract partial class SqlDialect
{
    /// <summary>
    /// Serializes loads of one table before anything else in the transaction (so that two loads never both
    /// decide to create the table). PostgreSQL: a transaction-scoped advisory lock on the table's name,
    /// which works before the table exists. Redshift has no advisory locks: null, and the job locks the
    /// table itself (<see cref="LockTable"/>) as soon as it exists.
    /// </summary>
    public virtual string? SerializeLoadsSql => null;

    /// <summary>Exclusive lock on an existing table until the transaction ends.</summary>
    public virtual string LockTable(string schema, string table) => $"LOCK TABLE {QualifiedName(schema, table)}";

    /// <summary>Rows whose data date lies in [@window_start, @window_end).</summary>
    public virtual string DeleteWindow(string schema, string table, string dataDateColumn) =>
        $"DELETE FROM {QualifiedName(schema, table)} WHERE {QuoteIdentifier(dataDateColumn)} >= @window_start AND {QuoteIdentifier(dataDateColumn)} < @window_end";

    /// <summary>Every row (not TRUNCATE: on Redshift that commits the transaction implicitly).</summary>
    public virtual string DeleteAll(string schema, string table) => $"DELETE FROM {QualifiedName(schema, table)}";

    public virtual string CreateSchemaIfMissing(string schema) => $"CREATE SCHEMA IF NOT EXISTS {QuoteIdentifier(schema)}";

    /// <summary>The load history table of -HistoryTable (DESIGN.md section 5), created if missing.</summary>
    public virtual string CreateHistoryTable(string schema, string table) =>
        $"CREATE TABLE IF NOT EXISTS {QualifiedName(schema, table)} (" +
        "schema_name VARCHAR(127) NOT NULL, table_name VARCHAR(127) NOT NULL, uri VARCHAR(1024) NOT NULL, " +
        "data_date TIMESTAMP, rows_loaded BIGINT NOT NULL, rows_deleted BIGINT NOT NULL, " +
        "started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, loaded_by VARCHAR(256) NOT NULL)";

    public virtual string InsertHistory(string schema, string table) =>
        $"INSERT INTO {QualifiedName(schema, table)} (schema_name, table_name, uri, data_date, rows_loaded, rows_deleted, started_at, finished_at, loaded_by) " +
        "VALUES (@schema_name, @table_name, @uri, @data_date, @rows_loaded, @rows_deleted, @started_at, @finished_at, @loaded_by)";

    /// <summary>A statement with its parameters written in as literals, for -WhatIf and -Verbose.</summary>
    public string Display(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        foreach (var (name, value) in parameters.OrderByDescending(p => p.Key.Length))
        {
            sql = sql.Replace("@" + name, Literal(value), StringComparison.Ordinal);
        }
        return sql;
    }

    private string Literal(object? value) => value switch
    {
        null => "NULL",
        DateTime d => QuoteLiteral(d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('.')),
        DateTimeOffset o => QuoteLiteral(o.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('.')),
        long or int => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
        _ => QuoteLiteral(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
    };
}

public sealed partial class PostgresDialect
{
    public override string? SerializeLoadsSql => "SELECT pg_advisory_xact_lock(hashtext(@lock_name))";
}
