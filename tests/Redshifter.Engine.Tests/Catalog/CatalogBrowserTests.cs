using Redshifter.Engine.Catalog;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Catalog;

/// <summary>Schema completion (issue 14 item 13): the schemas the user can use, not only the ones it owns.</summary>
[Collection(ServersCollection.Name)]
public sealed class CatalogBrowserTests(ServersFixture fixture)
{
    [Fact]
    public void The_schema_list_is_read_from_pg_namespace_with_the_usage_privilege() =>
        Assert.Equal(
            "SELECT nspname FROM pg_namespace WHERE has_schema_privilege(nspname, 'USAGE') AND LEFT(nspname, 3) <> 'pg_' AND nspname <> 'information_schema' " +
            "AND nspname ILIKE @prefix || '%' ORDER BY nspname LIMIT 200",
            RedshiftDialect.Instance.ListSchemasSql);

    [Fact]
    public async Task Completion_lists_schemas_owned_by_another_role_that_grants_usage_and_not_the_others()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (owner, reader) = ($"cb_owner_{id}", $"cb_reader_{id}");
        var (shared, closed, own) = ($"cb_{id}_shared", $"cb_{id}_closed", $"cb_{id}_own");
        await fixture.SqlAsync(
            $"CREATE ROLE {owner} NOLOGIN; CREATE ROLE {reader} LOGIN PASSWORD 'cb-pw'; " +
            $"CREATE SCHEMA {shared} AUTHORIZATION {owner}; CREATE SCHEMA {closed} AUTHORIZATION {owner}; CREATE SCHEMA {own} AUTHORIZATION {reader}; " +
            $"GRANT USAGE ON SCHEMA {shared} TO {reader}");
        try
        {
            var settings = fixture.Database with { User = reader, Password = "cb-pw" };
            Assert.Equal([own, shared], await CatalogBrowser.ListSchemasAsync(settings, $"CB_{id}", CancellationToken.None));
            Assert.Equal([shared], await CatalogBrowser.ListSchemasAsync(settings, $"cb_{id}_s", CancellationToken.None));
            Assert.Empty(await CatalogBrowser.ListSchemasAsync(settings, "pg_", CancellationToken.None));
            Assert.Empty(await CatalogBrowser.ListSchemasAsync(settings, "information", CancellationToken.None));
        }
        finally
        {
            await fixture.SqlAsync($"DROP SCHEMA {shared}, {closed}, {own}; DROP ROLE {reader}; DROP ROLE {owner}");
        }
    }
}
