namespace Redshifter.Engine.Sql;

public abstract partial class SqlDialect
{
    /// <summary>User schemas whose name starts with @prefix (information_schema works on both engines).</summary>
    public virtual string ListSchemasSql =>
        "SELECT schema_name FROM information_schema.schemata " +
        "WHERE schema_name NOT IN ('information_schema', 'pg_catalog', 'pg_toast', 'pg_internal') AND schema_name NOT LIKE 'pg\\_temp\\_%' " +
        "AND schema_name ILIKE @prefix || '%' ORDER BY schema_name LIMIT 200";

    /// <summary>Base tables of schema @schema whose name starts with @prefix.</summary>
    public virtual string ListTablesSql =>
        "SELECT table_name FROM information_schema.tables " +
        "WHERE table_schema = @schema AND table_type = 'BASE TABLE' AND table_name ILIKE @prefix || '%' ORDER BY table_name LIMIT 200";
}
