using Redshifter.Engine.Config;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Tables;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Tables;

/// <summary>Creating and altering tables in the real test PostgreSQL.</summary>
[Collection(ServersCollection.Name)]
public sealed class TableUpdaterTests(ServersFixture fixture)
{
    private readonly string _schema = "tbl_" + Guid.NewGuid().ToString("N")[..10];

    private const string AllTypes = """
        t:
          columns:
            - dest: id
              type: bigint
              primarykey: true
              notnull: true
            - dest: flag
              type: boolean
            - dest: small
              type: smallint
            - dest: medium
              type: int
              defaultval: "0"
            - dest: ratio
              type: float
            - dest: single
              type: real
            - dest: amount
              type: numeric(12,2)
            - dest: price
              type: decimal(8,3)
            - dest: day
              type: date
            - dest: time
              type: timestamp
              sortord: 1
            - dest: instant
              type: timestamptz
            - dest: name
              type: text
              defaultval: "''"
            - dest: body
              type: longtext
            - dest: code
              type: varchar(20)
            - dest: iso
              type: char(3)
            - dest: doc
              type: super
          meta:
            schema: SCHEMA
            datadatecolumn: time
        """;

    private TableConfig Config(string yaml) => TableConfigReader.Parse(yaml.Replace("SCHEMA", _schema, StringComparison.Ordinal), "t.yml", _schema, "t");

    private Task<(TableChangePlan Plan, bool Applied)> Update(TableConfig config, bool positional = false, IChangeApproval? approval = null) =>
        TableUpdater.UpdateAsync(fixture.Database, config, positional, NullEngineLog.Instance, approval ?? AlwaysApprove.Instance, CancellationToken.None);

    private async Task<TableState> State()
    {
        await using var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None);
        return await TableInspector.InspectAsync(session, _schema, "t", "time", null, CancellationToken.None);
    }

    [Fact]
    public async Task Creates_every_type_then_is_unchanged_then_adds_two_columns()
    {
        var created = await Update(Config(AllTypes));
        Assert.Equal(TableAction.Created, created.Plan.Action);
        var state = await State();
        Assert.Equal(16, state.Columns.Count);
        Assert.Equal("character varying(256)", state.Columns.Single(c => c.Name == "name").TypeText);
        Assert.Equal("jsonb", state.Columns.Single(c => c.Name == "doc").TypeText);
        Assert.True(state.Columns.Single(c => c.Name == "id").PrimaryKey);
        Assert.Null(state.LatestDataDate);

        var again = await Update(Config(AllTypes));
        Assert.Equal(TableAction.Unchanged, again.Plan.Action);
        Assert.Empty(again.Plan.Statements);

        var wider = AllTypes.Replace("  meta:", "    - dest: extra1\n      type: int\n    - dest: extra2\n      type: varchar(8)\n      defaultval: \"'x'\"\n      notnull: true\n  meta:", StringComparison.Ordinal);
        var altered = await Update(Config(wider), positional: true);
        Assert.Equal(TableAction.Altered, altered.Plan.Action);
        Assert.Equal(["extra1", "extra2"], altered.Plan.AddedColumns);
        Assert.Equal(2, altered.Plan.Statements.Count);
        Assert.Equal(18, (await State()).Columns.Count);
    }

    [Fact]
    public async Task A_changed_type_and_a_changed_not_null_are_one_mismatch_naming_both_and_nothing_changes()
    {
        await Update(Config(AllTypes));
        var changed = AllTypes.Replace("- dest: small\n      type: smallint", "- dest: small\n      type: bigint", StringComparison.Ordinal)
            .Replace("- dest: flag\n      type: boolean", "- dest: flag\n      type: boolean\n      notnull: true", StringComparison.Ordinal)
            .Replace("  meta:", "    - dest: newcol\n      type: int\n  meta:", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Update(Config(changed)));
        Assert.Equal(ErrorIds.SchemaMismatch, ex.ErrorId);
        Assert.Contains("column 'small' is smallint in the table but bigint in the config", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column 'flag' is nullable in the table but notnull in the config", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await State()).Columns, c => c.Name == "newcol");
    }

    [Fact]
    public async Task A_longer_varchar_widens_the_column_and_a_shorter_one_changes_nothing()
    {
        await Update(Config(AllTypes));
        var longer = AllTypes.Replace("type: varchar(20)", "type: varchar(200)", StringComparison.Ordinal);
        var (plan, applied) = await Update(Config(longer));
        Assert.True(applied);
        Assert.Equal(TableAction.Altered, plan.Action);
        Assert.Equal([new ColumnWidening("code", 20, 200)], plan.Widenings);
        Assert.Equal([$"ALTER TABLE \"{_schema}\".\"t\" ALTER COLUMN \"code\" TYPE VARCHAR(200)"], plan.WidenStatements);
        Assert.Equal("200", Assert.Single(await fixture.RowsAsync($"SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = '{_schema}' AND column_name = 'code'")));
        var shorter = AllTypes.Replace("type: varchar(20)", "type: varchar(10)", StringComparison.Ordinal);
        Assert.Equal(TableAction.Unchanged, (await Update(Config(shorter))).Plan.Action);
    }

    [Fact]
    public async Task Reordered_columns_for_a_positional_source_are_reported_every_difference()
    {
        await Update(Config(AllTypes));
        var reordered = AllTypes.Replace("    - dest: flag\n      type: boolean\n    - dest: small\n      type: smallint\n", "    - dest: small\n      type: int\n    - dest: flag\n      type: boolean\n", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Update(Config(reordered), positional: true));
        Assert.Contains("order", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column 'small' is smallint in the table but int in the config", ex.Message, StringComparison.Ordinal);
        // The same reorder is fine by name (JSON), apart from the type.
        var byName = await Assert.ThrowsAsync<RedshifterException>(() => Update(Config(reordered), positional: false));
        Assert.DoesNotContain("order", byName.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_not_approved_change_changes_nothing()
    {
        var (plan, applied) = await Update(Config(AllTypes), approval: new Deny());
        Assert.False(applied);
        Assert.Equal(TableAction.Created, plan.Action);
        Assert.Contains(plan.Statements, s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal));
        Assert.False((await State()).Exists);
    }

    [Fact]
    public async Task Reports_the_latest_data_date()
    {
        await Update(Config(AllTypes));
        await using var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None);
        await session.ExecuteAsync($"INSERT INTO \"{_schema}\".t (id, time) VALUES (1, '2017-08-15 14:00'), (2, '2017-08-15 21:00')", null, NullEngineLog.Instance, CancellationToken.None);
        Assert.Equal(new DateTime(2017, 8, 15, 21, 0, 0), (await State()).LatestDataDate);
    }

    private sealed class Deny : IChangeApproval
    {
        public Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}

/// <summary>
/// The same scenarios against a real Redshift cluster (REDSHIFT_TEST_* variables); skipped without one. In the
/// Live category, so that make test-redshift runs it with the classes in Live/.
/// </summary>
[Trait("Category", "Live")]
public sealed class RedshiftLiveTableTests
{
    [RedshiftFact]
    public async Task Creates_inspects_and_alters_a_table_on_Redshift()
    {
        var schema = "redshifter_live_" + Guid.NewGuid().ToString("N")[..8];
        var yaml = Config.TableConfigReaderTests.Pages.Replace("schema: api", $"schema: {schema}", StringComparison.Ordinal);
        var config = TableConfigReader.Parse(yaml, "live.yml", schema, "pages");
        var settings = RedshiftFactAttribute.Settings();
        var (plan, applied) = await TableUpdater.UpdateAsync(settings, config, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
        Assert.True(applied);
        Assert.Equal(TableAction.Created, plan.Action);
        await using var session = await DatabaseSession.OpenAsync(settings, CancellationToken.None);
        try
        {
            Assert.Equal(Engine.Connections.EngineKind.Redshift, session.Engine);
            var state = await TableInspector.InspectAsync(session, schema, "pages", "time", null, CancellationToken.None);
            Assert.True(state.Columns.Single(c => c.Name == "time").DistKey);
            Assert.Equal(1, state.Columns.Single(c => c.Name == "time").SortOrdinal);
            var again = await TableUpdater.UpdateAsync(settings, config, false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
            Assert.Equal(TableAction.Unchanged, again.Plan.Action);
        }
        finally
        {
            await session.ExecuteAsync($"DROP SCHEMA \"{schema}\" CASCADE", null, NullEngineLog.Instance, CancellationToken.None);
        }
    }
}
