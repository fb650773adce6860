using Npgsql;
using Redshifter.Engine.Config;
using Redshifter.Engine.Database;

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

/// <summary>Reads a table's state through the dialect's catalog queries.</summary>
public static class TableInspector
{
    public static async Task<TableState> InspectAsync(DatabaseSession session, string schema, string table, string? dataDateColumn, DatabaseTransaction? transaction, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(session, schema, table, dataDateColumn, transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw new Errors.RedshifterException(Errors.ErrorIds.LoadFailed, Errors.ErrorKind.InvalidOperation,
                $"Could not inspect {schema}.{table}: {session.Redactor.Redact(ex.MessageText)}.",
                "Check the table's name and your permissions on it (SELECT on the table, USAGE on the schema).", $"{schema}.{table}", ex);
        }
    }

    private static async Task<TableState> ReadAsync(DatabaseSession session, string schema, string table, string? dataDateColumn, DatabaseTransaction? transaction, CancellationToken cancellationToken)
    {
        var dialect = session.CatalogDialect;
        var keys = new Dictionary<string, object?> { ["schema"] = schema, ["table"] = table };
        var exists = Convert.ToInt64(await session.ScalarAsync(dialect.TableExistsSql, transaction, cancellationToken, keys).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
        if (!exists) return new TableState { Schema = schema, Table = table };

        var columns = new List<ExistingColumn>();
        await using (var command = session.Command(dialect.ColumnsSql, transaction, keys))
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

        DateTime? latest = null;
        if (dataDateColumn != null && columns.Any(c => c.Name == dataDateColumn))
        {
            foreach (var sql in dialect.LatestDataDateSql(schema, table, dataDateColumn))
            {
                var value = await session.ScalarAsync(sql, transaction, cancellationToken).ConfigureAwait(false);
                latest = value switch
                {
                    // timestamp: wall-clock (Unspecified); timestamptz: an instant (Utc), converted by the freshness rule.
                    DateTime d => d,
                    DateOnly d => d.ToDateTime(TimeOnly.MinValue),
                    _ => null,
                };
                if (latest != null) break;
            }
        }
        return new TableState { Schema = schema, Table = table, Exists = true, Columns = columns, LatestDataDate = latest };
    }
}
