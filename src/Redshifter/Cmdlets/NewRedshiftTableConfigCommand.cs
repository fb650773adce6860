using System.Management.Automation;
using System.Text;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Inference;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>Infers a table config (YAML) from sample data: types, lengths, a data-date column.</summary>
[Cmdlet(VerbsCommon.New, "RedshiftTableConfig")]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class NewRedshiftTableConfigCommand : S3Cmdlet
{
    // ---- the sample (a SourceData binds these by name)

    /// <summary>s3://bucket/key of a data file (or manifest).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Uri { get; set; } = "";

    /// <summary>Destination schema (written to meta.schema).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "";

    /// <summary>Destination table (the entry's name and dest).</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Table { get; set; } = "";

    /// <summary>The file's format; default: from its suffix.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SourceFormat? Format { get; set; }

    /// <summary>The file's compression; default: from its suffix.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SourceCompression? Compression { get; set; }

    /// <summary>The file is a manifest.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("IsManifest")]
    public SwitchParameter Manifest { get; set; }

    /// <summary>Delimiter of delimited text.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Delimiter { get; set; }

    /// <summary>Records to sample (default 10,000; 0 = all).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int SampleSize { get; set; } = 10_000;

    // ---- the config

    /// <summary>The column holding each record's data date; default: chosen from the names and types seen.</summary>
    [Parameter]
    public string? DataDateColumn { get; set; }

    /// <summary>The distribution key column.</summary>
    [Parameter]
    public string? DistKey { get; set; }

    /// <summary>Sort key columns in order; default: the data-date column.</summary>
    [Parameter]
    public string[]? SortKey { get; set; }

    /// <summary>Write the YAML to this file instead of the output.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    protected override void ProcessRecord()
    {
        Terminating(() => Arguments.Name(Schema, nameof(Schema)));
        Terminating(() => Arguments.Name(Table, nameof(Table)));
        var (bucket, key) = Terminating(() => S3Uri.Parse(Uri));
        var (suffixFormat, suffixCompression) = SourceName.DescribeObject(key);
        var source = new SourceFile
        {
            Bucket = bucket, Key = key, Schema = Schema, Table = Table,
            Format = Format is { } f ? Enum.Parse<DataFormat>(f.ToString()) : suffixFormat,
            Compression = Compression is { } c ? Enum.Parse<Engine.Sources.Compression>(c.ToString()) : suffixCompression,
            IsManifest = Manifest.IsPresent || key.EndsWith(".manifest", StringComparison.OrdinalIgnoreCase),
            Delimiter = Terminating(() => Arguments.Delimiter(Delimiter)),
        };
        var options = new InferenceOptions { Schema = Schema, Table = Table, DataDateColumn = DataDateColumn, DistKey = DistKey, SortKey = SortKey };
        using var storage = Terminating(CreateStorage);
        try
        {
            var yaml = RunEngine(async (bridge, ct) =>
            {
                var described = await Engine.Sources.Manifest.DescribeAsync(storage, source, Format != null, Compression != null, ct).ConfigureAwait(false);
                return await new ConfigInferrer(storage, bridge).InferAsync(described, options, SampleSize, ct).ConfigureAwait(false);
            });
            if (OutFile == null)
            {
                WriteObject(yaml);
                return;
            }
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
            File.WriteAllText(path, yaml, new UTF8Encoding(false));
            WriteVerbose($"Wrote the config for {Schema}.{Table} to {path}.");
            WriteObject(new FileInfo(path));
        }
        catch (RedshifterException ex)
        {
            WriteEngineError(ex, Uri);
        }
    }
}
