using System.Management.Automation;
using Redshifter.Completion;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Tables;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>Inspects destination tables: whether they exist, their columns, their latest data date.</summary>
[Cmdlet(VerbsCommon.Get, "RedshiftTable")]
[OutputType(typeof(TableInfo))]
public sealed class GetRedshiftTableCommand : DatabaseCmdlet
{
    /// <summary>Destination schema.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "";

    /// <summary>Tables: a list, or one comma-separated string.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Tables")]
    [ArgumentCompleter(typeof(TableCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Table { get; set; } = [];

    /// <summary>The column that holds the data date: its MAX is the table's latest data date.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? DataDateColumn { get; set; }

    protected override void ProcessRecord()
    {
        Terminating(() => Arguments.Name(Schema, nameof(Schema)));
        var tables = Terminating(() => Arguments.Tables(Table));
        if (DataDateColumn != null) Terminating(() => Arguments.Name(DataDateColumn, nameof(DataDateColumn)));
        var settings = Terminating(GetDatabaseSettings);
        Terminating(() => RunEngine(async (bridge, ct) =>
        {
            await using var session = await DatabaseSession.OpenAsync(settings, ct).ConfigureAwait(false);
            foreach (var table in tables)
            {
                try
                {
                    var state = await TableInspector.InspectAsync(session, Schema, table, DataDateColumn, null, ct).ConfigureAwait(false);
                    bridge.Verbose($"{Schema}.{table}: {(state.Exists ? $"{state.Columns.Count} column(s)" : "does not exist")}{(state.LatestDataDate is { } d ? $", latest data date {d:yyyy-MM-dd HH:mm:ss}" : "")}.");
                    bridge.Post(() => WriteObject(state.ToTableInfo(DataDateColumn)));
                }
                catch (RedshifterException ex)
                {
                    bridge.Post(() => WriteEngineError(ex, $"{Schema}.{table}"));
                }
            }
        }));
    }
}
