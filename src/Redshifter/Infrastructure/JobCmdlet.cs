using System.Management.Automation;
using Redshifter.Completion;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;

namespace Redshifter.Infrastructure;

/// <summary>
/// The parameters of the whole job (DESIGN.md section 1), declared once for Invoke-S3ToRedshift, which
/// runs it, and Get-RedshiftLoadPlan, which only plans it: the same words mean the same load.
/// </summary>
public abstract class JobCmdlet : LoadCmdlet
{
    /// <summary>The tables asked for, with where to look for each (tables may arrive through the pipeline).</summary>
    private protected readonly List<(string Bucket, string Prefix, string Schema, string Table)> _tables = [];

    // ---- where the data is

    /// <summary>Bucket name, or s3://name/prefix/.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Bucket { get; set; } = "";

    /// <summary>Key prefix under which to look.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Prefix { get; set; }

    /// <summary>Exactly this data date (RFC 3339) instead of the latest.</summary>
    [Parameter]
    public object? Date { get; set; }

    /// <summary>Config to use instead of the one beside the data: s3:// URI or local path.</summary>
    [Parameter]
    public string? Config { get; set; }

    /// <summary>The source is delimited text with this delimiter.</summary>
    [Parameter]
    public string? Delimiter { get; set; }

    /// <summary>Header lines to skip in CSV/delimited sources.</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int IgnoreHeader { get; set; }

    // ---- where it goes

    /// <summary>Destination schema.</summary>
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

    // ---- how

    /// <summary>Delete every row before inserting (same transaction).</summary>
    [Parameter]
    public SwitchParameter Truncate { get; set; }

    /// <summary>Load even when the table holds newer data than the file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Width of the refresh window: Hour, Day (default) or Stream.</summary>
    [Parameter]
    public Granularity Granularity { get; set; } = Granularity.Day;

    /// <summary>IANA zone of the table's data-date column.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TimeZoneCompleter))]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Start of the refresh window for -Granularity Stream.</summary>
    [Parameter]
    public object? StreamStart { get; set; }

    /// <summary>End of the refresh window for -Granularity Stream.</summary>
    [Parameter]
    public object? StreamEnd { get; set; }

    /// <summary>Tables loaded at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>schema.table that records every load.</summary>
    [Parameter]
    public string? HistoryTable { get; set; }

    protected override void ProcessRecord()
    {
        // Tables may arrive through the pipeline: collect them, load in EndProcessing (so -ThrottleLimit spans them all).
        Terminating(() => Arguments.Name(Schema, nameof(Schema)));
        var location = Terminating(() => Arguments.Location(Bucket, Prefix));
        foreach (var t in Terminating(() => Arguments.Tables(Table))) _tables.Add((location.Bucket, location.Prefix, Schema, t));
    }

    /// <summary>The request of every table (its bucket, prefix and names are filled in per table).</summary>
    private protected LoadRequest BuildRequestTemplate()
    {
        (string, string)? history = null;
        if (!string.IsNullOrWhiteSpace(HistoryTable))
        {
            var parts = HistoryTable.Split('.');
            if (parts.Length != 2)
                throw RedshifterException.InvalidArgument($"-HistoryTable '{HistoryTable}' must be schema.table.", "Write it as schema.table, e.g. ops.load_history.", HistoryTable);
            history = (Arguments.Name(parts[0], nameof(HistoryTable)), Arguments.Name(parts[1], nameof(HistoryTable)));
        }
        var streamStart = Arguments.Date(StreamStart, nameof(StreamStart));
        var streamEnd = Arguments.Date(StreamEnd, nameof(StreamEnd));
        if (Granularity == Granularity.Stream && (streamStart == null || streamEnd == null || streamEnd <= streamStart))
            throw RedshifterException.InvalidArgument("-Granularity Stream needs -StreamStart and -StreamEnd, the end after the start: the window of rows the load replaces.",
                "Add -StreamStart and -StreamEnd (RFC 3339), or use -Granularity Hour or Day.", "Stream");
        var upsert = UpsertRequest(Truncate);
        return new LoadRequest
        {
            Bucket = "",
            Schema = Schema,
            Table = "",
            Date = Arguments.Date(Date, nameof(Date)),
            Config = Arguments.Config(Config, SessionState.Path.CurrentFileSystemLocation.Path),
            Delimiter = Arguments.Delimiter(Delimiter),
            IgnoreHeader = IgnoreHeader,
            Granularity = Enum.Parse<Engine.Jobs.Granularity>(Granularity.ToString()),
            TimeZone = TableTimeZone.Parse(TimeZone),
            StreamStart = streamStart,
            StreamEnd = streamEnd,
            Truncate = Truncate,
            Force = Force,
            HistoryTable = history,
            Mode = Enum.Parse<Engine.Jobs.LoadMode>(Mode.ToString()),
            UpsertKey = upsert?.Key,
            PrecombineKey = upsert?.PrecombineKey,
        };
    }
}
