namespace Redshifter.Engine.Sql;

// The SQL of -Mode Upsert (DESIGN.md section 5): a temporary staging table made from the target, the
// checks and de-duplication of the staged rows, and the merge into the target. Every statement lists its
// columns: after an ADD COLUMN the target's column order differs from the config's, and SELECT * would
// put values into the wrong columns.
public abstract partial class SqlDialect
{
    /// <summary>The temporary table the file is copied into (one load per session, so one name serves).</summary>
    public const string StagingTable = "redshifter_staging";

    /// <summary>The staged rows with one row per key (the greatest -PrecombineKey), when duplicates are resolved.</summary>
    public const string LatestStagingTable = "redshifter_staging_latest";

    /// <summary>
    /// The staging table: the target's columns, types, NOT NULL and defaults (a staging table without the
    /// defaults would turn every record that lacks a NOT NULL column into an error).
    /// </summary>
    public virtual string CreateStagingTable(string schema, string table) =>
        $"CREATE TEMP TABLE {QuoteIdentifier(StagingTable)} (LIKE {QualifiedName(schema, table)} INCLUDING DEFAULTS)";

    /// <summary>One key that occurs more than once among the staged rows (its key values, then the count), if any.</summary>
    public virtual string FindDuplicateKey(IReadOnlyList<string> keys) =>
        $"SELECT {ColumnList(keys)}, COUNT(*) FROM {QuoteIdentifier(StagingTable)} GROUP BY {ColumnList(keys)} HAVING COUNT(*) > 1 LIMIT 1";

    /// <summary>The number of staged rows with a NULL in a key column (they could never match a row).</summary>
    public virtual string CountNullKeys(string stagingTable, IReadOnlyList<string> keys) =>
        $"SELECT COUNT(*) FROM {QuoteIdentifier(stagingTable)} WHERE {string.Join(" OR ", keys.Select(k => QuoteIdentifier(k) + " IS NULL"))}";

    /// <summary>Per key, the staged row with the greatest precombine value (NULLs lose), into <see cref="LatestStagingTable"/>.</summary>
    public virtual string KeepLatestPerKey(IReadOnlyList<string> columns, IReadOnlyList<string> keys, string precombineKey) =>
        $"CREATE TEMP TABLE {QuoteIdentifier(LatestStagingTable)} AS SELECT {ColumnList(columns)} FROM (" +
        $"SELECT {ColumnList(columns)}, ROW_NUMBER() OVER (PARTITION BY {ColumnList(keys)} ORDER BY {QuoteIdentifier(precombineKey)} DESC NULLS LAST) AS \"redshifter_rank\" " +
        $"FROM {QuoteIdentifier(StagingTable)}) AS \"ranked\" WHERE \"redshifter_rank\" = 1";

    public virtual string CountRows(string stagingTable) => $"SELECT COUNT(*) FROM {QuoteIdentifier(stagingTable)}";

    /// <summary>
    /// The staged rows whose key the target already holds: the rows the merge updates. EXISTS, not a join: Redshift
    /// does not enforce primary keys, so the target may hold a key twice, and a join would count that row twice
    /// (https://docs.aws.amazon.com/redshift/latest/dg/t_Defining_constraints.html).
    /// </summary>
    public virtual string CountMatchedRows(string schema, string table, string stagingTable, IReadOnlyList<string> keys) =>
        $"SELECT COUNT(*) FROM {QuoteIdentifier(stagingTable)} WHERE EXISTS (SELECT 1 FROM {QualifiedName(schema, table)} WHERE {KeyMatch(schema, table, stagingTable, keys)})";

    /// <summary>
    /// MERGE (Redshift; PostgreSQL 15 and later): matched rows take every staged value, the others are
    /// inserted. Redshift's MERGE allows no alias on the target, so both sides are named in full.
    /// </summary>
    public virtual string Merge(string schema, string table, string stagingTable, IReadOnlyList<string> columns, IReadOnlyList<string> keys)
    {
        var source = QuoteIdentifier(stagingTable);
        // A table of key columns only has nothing to update; setting a key to itself keeps the clause valid.
        var updated = columns.Where(c => !keys.Contains(c, StringComparer.Ordinal)).DefaultIfEmpty(keys[0]);
        return $"MERGE INTO {QualifiedName(schema, table)} USING {source} ON {KeyMatch(schema, table, stagingTable, keys)} " +
               $"WHEN MATCHED THEN UPDATE SET {string.Join(", ", updated.Select(c => $"{QuoteIdentifier(c)} = {source}.{QuoteIdentifier(c)}"))} " +
               $"WHEN NOT MATCHED THEN INSERT ({ColumnList(columns)}) VALUES ({string.Join(", ", columns.Select(c => $"{source}.{QuoteIdentifier(c)}"))})";
    }

    /// <summary>Before MERGE (PostgreSQL older than 15): the target's rows that the staged rows replace…</summary>
    public virtual string DeleteMatchedRows(string schema, string table, string stagingTable, IReadOnlyList<string> keys) =>
        $"DELETE FROM {QualifiedName(schema, table)} USING {QuoteIdentifier(stagingTable)} WHERE {KeyMatch(schema, table, stagingTable, keys)}";

    /// <summary>…then every staged row.</summary>
    public virtual string InsertStagedRows(string schema, string table, string stagingTable, IReadOnlyList<string> columns) =>
        $"INSERT INTO {QualifiedName(schema, table)} ({ColumnList(columns)}) SELECT {ColumnList(columns)} FROM {QuoteIdentifier(stagingTable)}";

    public virtual string DropTable(string table) => $"DROP TABLE {QuoteIdentifier(table)}";

    private static string ColumnList(IEnumerable<string> columns) => string.Join(", ", columns.Select(QuoteIdentifier));

    private static string KeyMatch(string schema, string table, string stagingTable, IReadOnlyList<string> keys) =>
        string.Join(" AND ", keys.Select(k => $"{QualifiedName(schema, table)}.{QuoteIdentifier(k)} = {QuoteIdentifier(stagingTable)}.{QuoteIdentifier(k)}"));
}
