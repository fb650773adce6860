using System.Text;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Sql;

// DDL and catalog reads for destination tables.
public abstract partial class SqlDialect
{
    public abstract string TypeSql(ColumnType type);

    /// <summary>Whether the engine has distribution and sort keys (Redshift) to create and compare.</summary>
    public abstract bool HasDistributionKeys { get; }

    /// <summary>
    /// The table's columns in order: name, type (format_type), not null, default, primary key, distkey,
    /// sort key ordinal. Parameters @schema, @table.
    /// </summary>
    public abstract string ColumnsSql { get; }

    /// <summary>The pg_catalog query both engines answer, with the engine's expressions for distkey and sort key ordinal.</summary>
    protected static string CatalogColumnsSql(string distKey, string sortKeyOrdinal) =>
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), " +
        $"CASE WHEN p.conkey IS NOT NULL AND a.attnum = ANY (p.conkey) THEN true ELSE false END, {distKey}, {sortKeyOrdinal} " +
        "FROM pg_catalog.pg_attribute a " +
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid " +
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
        "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum " +
        "LEFT JOIN pg_catalog.pg_constraint p ON p.conrelid = c.oid AND p.contype = 'p' " +
        "WHERE n.nspname = @schema AND c.relname = @table AND a.attnum > 0 AND NOT a.attisdropped " +
        "ORDER BY a.attnum";

    /// <summary>MAX of the data-date column, as a sequence of queries to try in order (the first non-null answer wins).</summary>
    public virtual IReadOnlyList<string> LatestDataDateSql(string schema, string table, string column) =>
        [$"SELECT MAX({QuoteIdentifier(column)}) FROM {QualifiedName(schema, table)}"];

    /// <summary>CREATE TABLE with every column, keys and defaults of the config.</summary>
    public virtual string CreateTable(TableConfig config)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TABLE ").Append(QualifiedName(config.Schema, config.Table)).Append(" (\n");
        var lines = config.Columns.Select(c => "  " + ColumnDefinition(c)).ToList();
        var pk = config.PrimaryKey.Select(c => QuoteIdentifier(c.Name)).ToList();
        if (pk.Count > 0) lines.Add($"  PRIMARY KEY ({string.Join(", ", pk)})");
        sql.Append(string.Join(",\n", lines)).Append("\n)");
        sql.Append(TableAttributes(config));
        return sql.ToString();
    }

    /// <summary>Redshift's DISTKEY/SORTKEY after the column list; nothing on PostgreSQL.</summary>
    protected virtual string TableAttributes(TableConfig config) => "";

    /// <summary>"name" TYPE [DEFAULT expr] [NOT NULL]: the order Redshift's grammar and PostgreSQL's both accept.</summary>
    protected string ColumnDefinition(ColumnConfig column)
    {
        var text = $"{QuoteIdentifier(column.Name)} {TypeSql(column.Type)}";
        if (column.Default != null) text += " DEFAULT " + column.Default;
        if (column.NotNull) text += " NOT NULL";
        return text;
    }

    /// <summary>
    /// One ADD COLUMN: type, DEFAULT and NOT NULL only (Redshift allows nothing else there, and keys cannot
    /// be added to an existing table). NOT NULL needs a DEFAULT, for the rows already in the table.
    /// </summary>
    public virtual string AddColumn(string schema, string table, ColumnConfig column)
    {
        if (column.NotNull && column.Default == null)
            throw new RedshifterException(ErrorIds.SchemaMismatch, ErrorKind.InvalidData,
                $"Column '{column.Name}' cannot be added to {schema}.{table}: it is NOT NULL without a default, and the table already has rows to fill.",
                $"Give '{column.Name}' a defaultval in the config, or drop notnull.", $"{schema}.{table}");
        return $"ALTER TABLE {QualifiedName(schema, table)} ADD COLUMN {ColumnDefinition(column)}";
    }
}

public abstract partial class SqlDialect
{
    /// <summary>
    /// A varchar column grown to a longer type: the one type change Redshift allows, and not inside a
    /// transaction block (https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html,
    /// "ALTER COLUMN column_name TYPE updated_varchar_data_type_size").
    /// </summary>
    public virtual string WidenColumn(string schema, string table, string column, ColumnType type) =>
        $"ALTER TABLE {QualifiedName(schema, table)} ALTER COLUMN {QuoteIdentifier(column)} TYPE {TypeSql(type)}";

    /// <summary>Whether <see cref="WidenColumn"/> must run outside the load's transaction (Redshift).</summary>
    public abstract bool WidensOutsideTransaction { get; }
}

public sealed partial class RedshiftDialect
{
    public override bool WidensOutsideTransaction => true;

    public override string TypeSql(ColumnType type) => type.RedshiftSql;

    public override bool HasDistributionKeys => true;

    // pg_attribute carries Redshift's attisdistkey and attsortkeyord; pg_table_def would only show
    // tables on the search_path.
    public override string ColumnsSql => CatalogColumnsSql("a.attisdistkey", "a.attsortkeyord");

    /// <summary>
    /// As the original tool did: look at the last day, week, month and year before scanning the whole table,
    /// so that a large table's MAX reads few blocks (Redshift skips blocks by the sort key's zone maps).
    /// </summary>
    private static readonly string[] RecentPeriods = ["day", "week", "month", "year"];

    public override IReadOnlyList<string> LatestDataDateSql(string schema, string table, string column)
    {
        var max = $"SELECT MAX({QuoteIdentifier(column)}) FROM {QualifiedName(schema, table)}";
        return [.. RecentPeriods.Select(unit => $"{max} WHERE {QuoteIdentifier(column)} >= DATEADD({unit}, -1, GETDATE())"), max];
    }

    protected override string TableAttributes(TableConfig config)
    {
        var text = "";
        if (config.DistKey is { } dist) text += $"\nDISTSTYLE KEY DISTKEY ({QuoteIdentifier(dist.Name)})";
        var sort = config.SortKey.Select(c => QuoteIdentifier(c.Name)).ToList();
        if (sort.Count > 0) text += $"\nCOMPOUND SORTKEY ({string.Join(", ", sort)})";
        return text;
    }
}

public sealed partial class PostgresDialect
{
    public override bool WidensOutsideTransaction => false;

    public override string TypeSql(ColumnType type) => type.PostgresSql;

    public override bool HasDistributionKeys => false;

    public override string ColumnsSql => CatalogColumnsSql("false", "0");
}
