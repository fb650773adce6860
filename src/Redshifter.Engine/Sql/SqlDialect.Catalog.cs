namespace Redshifter.Engine.Sql;

public abstract partial class SqlDialect
{
    /// <summary>
    /// The schemas the user can use (USAGE, whoever owns them), whose name starts with @prefix; not the system
    /// ones (pg_*, information_schema). From pg_namespace: Redshift's information_schema.schemata lists only the
    /// schemas the user owns. has_schema_privilege takes the schema's name on Redshift
    /// (https://docs.aws.amazon.com/redshift/latest/dg/r_HAS_SCHEMA_PRIVILEGE.html) and on PostgreSQL.
    /// </summary>
    public virtual string ListSchemasSql =>
        "SELECT nspname FROM pg_namespace " +
        "WHERE has_schema_privilege(nspname, 'USAGE') AND LEFT(nspname, 3) <> 'pg_' AND nspname <> 'information_schema' " +
        "AND nspname ILIKE @prefix || '%' ORDER BY nspname LIMIT 200";

    /// <summary>Base tables of schema @schema whose name starts with @prefix.</summary>
    public virtual string ListTablesSql =>
        "SELECT table_name FROM information_schema.tables " +
        "WHERE table_schema = @schema AND table_type = 'BASE TABLE' AND table_name ILIKE @prefix || '%' ORDER BY table_name LIMIT 200";
}
