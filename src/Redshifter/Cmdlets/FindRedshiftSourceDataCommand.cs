using System.Management.Automation;
using Redshifter.Completion;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>Finds the data file of each table in a bucket: the latest, or the one of -Date.</summary>
[Cmdlet(VerbsCommon.Find, "RedshiftSourceData")]
[OutputType(typeof(SourceData))]
public sealed class FindRedshiftSourceDataCommand : S3Cmdlet
{
    // ---- where to look

    /// <summary>Bucket name, or s3://name/prefix/.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Bucket { get; set; } = "";

    /// <summary>Key prefix under which to look.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Prefix { get; set; }

    // ---- what to look for

    /// <summary>Destination schema (the first part of the file names).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "";

    /// <summary>Destination tables: a list, or one comma-separated string.</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("Tables")]
    [ArgumentCompleter(typeof(TableCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Table { get; set; } = [];

    /// <summary>Exactly this data date (RFC 3339) instead of the latest.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DataDate")]
    public object? Date { get; set; }

    /// <summary>Config to use instead of the one beside the data: s3:// URI or local path.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ConfigUri")]
    public string? Config { get; set; }

    protected override void ProcessRecord()
    {
        Terminating(() => Arguments.Name(Schema, nameof(Schema)));
        var tables = Terminating(() => Arguments.Tables(Table));
        var date = Terminating(() => Arguments.Date(Date, nameof(Date)));
        var location = Terminating(() => Arguments.Location(Bucket, Prefix));
        var config = Terminating(() => Arguments.Config(Config, SessionState.Path.CurrentFileSystemLocation.Path));

        using var storage = Terminating(CreateStorage);
        foreach (var table in tables)
        {
            var query = new SourceQuery { Bucket = location.Bucket, Prefix = location.Prefix, Schema = Schema, Table = table, Date = date, Config = config };
            try
            {
                var found = RunEngine((bridge, ct) => new SourceLocator(storage, bridge).FindAsync(query, ct));
                WriteObject(found.ToSourceData());
            }
            catch (RedshifterException ex)
            {
                WriteEngineError(ex, $"{Schema}.{table}");
            }
        }
    }
}
