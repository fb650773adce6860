using Npgsql;
using Redshifter.Engine.Config;
using Redshifter.Engine.Database;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tables;

/// <summary>A column of an existing table, as the catalog describes it.</summary>
public sealed record ExistingColumn
{
    public required string Name { get; init; }
    /// <summary>The catalog's spelling (format_type), e.g. <c>character varying(256)</c>.</summary>
    public required string TypeText { get; init; }
    /// <summary>Null when Redshifter does not know the type.</summary>
    public ColumnType? Type { get; init; }
    public bool NotNull { get; init; }
    public string? Default { get; init; }
    public bool PrimaryKey { get; init; }
    public bool DistKey { get; init; }
    /// <summary>0 when not part of the sort key.</summary>
    public int SortOrdinal { get; init; }
}

/// <summary>What the destination holds for a table: whether it exists, its columns, its latest data date.</summary>
public sealed record TableState
{
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public bool Exists { get; init; }
    public IReadOnlyList<ExistingColumn> Columns { get; init; } = [];
    /// <summary>MAX(data-date column): wall-clock time in the table's zone (Kind Unspecified), or for a timestamptz column an instant (Kind Utc); null when empty or not asked.</summary>
    public DateTime? LatestDataDate { get; init; }
}

/// <summary>
/// Reads a table's state through the dialect's catalog queries. Names are folded as Redshift stores them.
/// The columns (a catalog read) and the latest data date (a read of the table itself) are separate calls,
/// so that a load can lock the table between them: on Redshift the first read of a table takes the
/// transaction's snapshot, and a load must not decide from a snapshot older than its lock.
/// </summary>
public static class TableInspector
{
    public static async Task<TableState> InspectAsync(DatabaseSession session, string schema, string table, string? dataDateColumn, DatabaseTransaction? transaction, CancellationToken cancellationToken)
    {
        var state = await ReadColumnsAsync(session, schema, table, transaction, cancellationToken).ConfigureAwait(false);
        return dataDateColumn == null || !state.Exists ? state
            : state with { LatestDataDate = await ReadLatestDataDateAsync(session, state, dataDateColumn, transaction, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>
    /// Whether the table exists and its columns, in one catalog query (no columns = no table): pg_catalog,
    /// which Redshift and PostgreSQL share, read through the dialect of the server actually connected.
    /// </summary>
    public static async Task<TableState> ReadColumnsAsync(DatabaseSession session, string schema, string table, DatabaseTransaction? transaction, CancellationToken cancellationToken)
    {
        (schema, table) = (Identifier.Fold(schema), Identifier.Fold(table));
        try
        {
            var columns = new List<ExistingColumn>();
            var keys = new Dictionary<string, object?> { ["schema"] = schema, ["table"] = table };
            await using (var command = session.Command(session.CatalogDialect.ColumnsSql, transaction, keys))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var typeText = reader.GetString(1);
                    columns.Add(new ExistingColumn
                    {
                        Name = reader.GetString(0),
                        TypeText = typeText,
                        Type = ColumnType.ParseCatalog(typeText),
                        NotNull = reader.GetBoolean(2),
                        Default = reader.IsDBNull(3) ? null : reader.GetString(3),
                        PrimaryKey = reader.GetBoolean(4),
                        DistKey = reader.GetBoolean(5),
                        SortOrdinal = Convert.ToInt32(reader.GetValue(6), System.Globalization.CultureInfo.InvariantCulture),
                    });
                }
            }
            return new TableState { Schema = schema, Table = table, Exists = columns.Count > 0, Columns = columns };
        }
        catch (PostgresException ex)
        {
            throw InspectFailed(session, schema, table, ex);
        }
    }

    /// <summary>MAX(data-date column), or null when the table is empty or has no such column.</summary>
    public static async Task<DateTime?> ReadLatestDataDateAsync(DatabaseSession session, TableState state, string dataDateColumn, DatabaseTransaction? transaction, CancellationToken cancellationToken)
    {
        var column = state.Columns.FirstOrDefault(c => Identifier.SameName(c.Name, dataDateColumn));
        if (column == null) return null;
        try
        {
            foreach (var sql in session.CatalogDialect.LatestDataDateSql(state.Schema, state.Table, column.Name))
            {
                var value = await session.ScalarAsync(sql, transaction, cancellationToken).ConfigureAwait(false);
                DateTime? latest = value switch
                {
                    // timestamp: wall-clock (Unspecified); timestamptz: an instant (Utc), converted by the freshness rule.
                    DateTime d => d,
                    DateOnly d => d.ToDateTime(TimeOnly.MinValue),
                    _ => null,
                };
                if (latest != null) return latest;
            }
            return null;
        }
        catch (PostgresException ex)
        {
            throw InspectFailed(session, state.Schema, state.Table, ex);
        }
    }

    private static Errors.RedshifterException InspectFailed(DatabaseSession session, string schema, string table, PostgresException ex) =>
        new(Errors.ErrorIds.LoadFailed, Errors.ErrorKind.InvalidOperation,
            $"Could not inspect {schema}.{table}: {session.Redactor.Redact(ex.MessageText)}.",
            "Check the table's name and your permissions on it (SELECT on the table, USAGE on the schema).", $"{schema}.{table}", ex);
}
