using System.Management.Automation;
using Redshifter.Completion;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>Creates a table from its config, or adds the config's new columns; refuses any other difference.</summary>
[Cmdlet(VerbsData.Update, "RedshiftTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TableChange), typeof(SourceData))]
public sealed class UpdateRedshiftTableCommand : S3DatabaseCmdlet
{
    // ---- the table

    /// <summary>Destination schema (must equal the config's meta.schema).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "";

    /// <summary>Destination table.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TableCompleter))]
    [ValidateNotNullOrEmpty]
    public string Table { get; set; } = "";

    // ---- its description

    /// <summary>The table config: s3:// URI or local path (a SourceData's ConfigUri binds here).</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("ConfigUri")]
    [AllowNull, AllowEmptyString]
    public string? Config { get; set; }

    /// <summary>The source's format: CSV and delimited files are matched by position, which constrains column order.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SourceFormat Format { get; set; } = SourceFormat.Json;

    // ---- output

    /// <summary>Write the input object on (to feed Invoke-RedshiftCopy) instead of the TableChange.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The pipeline object, for -PassThru.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        Terminating(() => Arguments.Name(Schema, nameof(Schema)));
        Terminating(() => Arguments.Name(Table, nameof(Table)));
        var target = $"{Schema}.{Table}";
        if (string.IsNullOrWhiteSpace(Config))
        {
            WriteEngineError(new RedshifterException(ErrorIds.InvalidConfig, ErrorKind.ObjectNotFound,
                $"No table config for {target}: none was found beside the data, and none was given.",
                "Give one with -Config (s3:// URI or local path), or upload config_<schema>_<table>_<date>.yml beside the data file.", target), target);
            return;
        }
        var location = Terminating(() => Arguments.Config(Config, SessionState.Path.CurrentFileSystemLocation.Path))!;
        var settings = Terminating(GetDatabaseSettings);
        using var storage = S3Uri.IsS3Uri(location) ? Terminating(CreateStorage) : null;
        try
        {
            var (plan, applied) = RunEngine(async (bridge, ct) =>
            {
                var config = await TableConfigReader.ReadAsync(location, Schema, Table, storage, ct).ConfigureAwait(false);
                return await TableUpdater.UpdateAsync(settings, config, Format is SourceFormat.Csv or SourceFormat.Delimited, bridge, bridge, ct).ConfigureAwait(false);
            });
            if (plan.Action != Engine.Tables.TableAction.Unchanged && !applied) return; // -WhatIf, or the user said no
            if (PassThru) WriteObject(InputObject ?? (object)plan.ToTableChange(Schema, Table));
            else WriteObject(plan.ToTableChange(Schema, Table));
        }
        catch (RedshifterException ex)
        {
            WriteEngineError(ex, target);
        }
    }
}
