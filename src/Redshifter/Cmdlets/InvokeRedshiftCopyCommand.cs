using System.Management.Automation;
using Redshifter.Completion;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>Loads one source into its (existing) table: Redshift COPY, or the module's streaming loader on PostgreSQL.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "RedshiftCopy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CopyResult))]
public sealed class InvokeRedshiftCopyCommand : LoadCmdlet
{
    // ---- the source (a SourceData from the pipeline binds these by name)

    /// <summary>s3://bucket/key of the data file (or manifest).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Uri { get; set; } = "";

    /// <summary>The file's format; default: from its suffix.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SourceFormat? Format { get; set; }

    /// <summary>The file's compression; default: from its suffix.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SourceCompression? Compression { get; set; }

    /// <summary>The file is a Redshift manifest listing the data files.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("IsManifest")]
    public SwitchParameter Manifest { get; set; }

    /// <summary>Delimiter of delimited text (default '|'; CSV ',').</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Delimiter { get; set; }

    /// <summary>Header lines to skip in CSV/delimited files.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 1000)]
    public int IgnoreHeader { get; set; }

    // ---- the destination

    /// <summary>Destination schema.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "";

    /// <summary>Destination table (it must exist).</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TableCompleter))]
    [ValidateNotNullOrEmpty]
    public string Table { get; set; } = "";

    /// <summary>Delete every row of the table first, in the same transaction.</summary>
    [Parameter]
    public SwitchParameter Truncate { get; set; }

    protected override void ProcessRecord()
    {
        var upsert = UpsertRequest(Truncate);
        Terminating(() => Arguments.Name(Schema, nameof(Schema)));
        Terminating(() => Arguments.Name(Table, nameof(Table)));
        var (bucket, key) = Terminating(() => S3Uri.Parse(Uri));
        var delimiter = Terminating(() => Arguments.Delimiter(Delimiter));
        var (suffixFormat, suffixCompression) = SourceName.DescribeObject(key);
        var manifest = Manifest.IsPresent || key.EndsWith(".manifest", StringComparison.OrdinalIgnoreCase);
        var source = new SourceFile
        {
            Bucket = bucket,
            Key = key,
            Schema = Schema,
            Table = Table,
            Format = Format is { } f ? Enum.Parse<DataFormat>(f.ToString()) : delimiter != null && suffixFormat == DataFormat.Delimited ? DataFormat.Delimited : suffixFormat,
            Compression = Compression is { } c ? Enum.Parse<Engine.Sources.Compression>(c.ToString()) : suffixCompression,
            IsManifest = manifest,
            Delimiter = delimiter,
            IgnoreHeader = IgnoreHeader,
        };
        var settings = Terminating(GetDatabaseSettings);
        using var storage = Terminating(CreateStorage);
        try
        {
            var outcome = RunEngine(async (bridge, ct) =>
            {
                var described = await Engine.Sources.Manifest.DescribeAsync(storage, source, Format != null, Compression != null, ct).ConfigureAwait(false);
                return await CopyRunner.CopyAsync(settings, storage, described, Truncate, bridge, bridge, ct, upsert).ConfigureAwait(false);
            });
            if (!outcome.Applied) return;
            WriteObject(new CopyResult { Schema = Schema, Table = Table, Uri = source.Uri, RowsLoaded = outcome.RowsLoaded, RowsUpdated = outcome.RowsUpdated, RowsInserted = outcome.RowsInserted, Duration = outcome.Duration });
        }
        catch (RedshifterException ex)
        {
            WriteEngineError(ex, source.Uri);
        }
    }
}
