using Npgsql;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Catalog;

/// <summary>
/// Names for tab completion: schemas and tables of the connected database. Short timeouts and no
/// errors: completion must be fast and silent when the database is not reachable.
/// </summary>
public static class CatalogBrowser
{
    public static Task<IReadOnlyList<string>> ListSchemasAsync(DatabaseSettings settings, string prefix, CancellationToken cancellationToken) =>
        QueryAsync(settings, d => d.ListSchemasSql, prefix, null, cancellationToken);

    public static Task<IReadOnlyList<string>> ListTablesAsync(DatabaseSettings settings, string schema, string prefix, CancellationToken cancellationToken) =>
        QueryAsync(settings, d => d.ListTablesSql, prefix, schema, cancellationToken);

    private static async Task<IReadOnlyList<string>> QueryAsync(DatabaseSettings settings, Func<SqlDialect, string> sql, string prefix, string? schema, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = await DatabaseSession.OpenAsync(settings with { ConnectTimeoutSeconds = 3 }, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql(SqlDialect.For(session.Engine)), session.Connection) { CommandTimeout = 3 };
            command.Parameters.AddWithValue("prefix", EscapeLike(prefix));
            if (schema != null) command.Parameters.AddWithValue("schema", schema);
            var names = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) names.Add(reader.GetString(0));
            return names;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return [];
        }
    }

    private static string EscapeLike(string prefix) =>
        prefix.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
