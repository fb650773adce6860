using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Jobs;

/// <summary>
/// The rows a load replaces: data dates in [Start, End), as wall-clock values of the table's zone (the
/// way the data-date column stores them). Deleting this window before the COPY makes a re-load of the
/// same file idempotent.
/// </summary>
public sealed record RefreshWindow(DateTime Start, DateTime End)
{
    /// <summary>The hour or day (in the table's zone) that contains the file's data date, or the stream window.</summary>
    public static RefreshWindow For(DateTimeOffset fileDate, Granularity granularity, TableTimeZone zone, DateTimeOffset? streamStart = null, DateTimeOffset? streamEnd = null)
    {
        if (granularity == Granularity.Stream)
        {
            if (streamStart is null || streamEnd is null)
                throw RedshifterException.InvalidArgument(
                    "-Granularity Stream needs -StreamStart and -StreamEnd: the window of rows the load replaces.",
                    "Add -StreamStart and -StreamEnd (RFC 3339, e.g. 2015-07-01T00:00:00Z), or use -Granularity Hour or Day.", "Stream");
            if (streamEnd <= streamStart)
                throw RedshifterException.InvalidArgument(
                    $"-StreamEnd ({streamEnd:O}) must be later than -StreamStart ({streamStart:O}).",
                    "Swap or correct the two values.", "Stream");
            return new RefreshWindow(zone.ToWallClock(streamStart.Value), zone.ToWallClock(streamEnd.Value));
        }
        var local = zone.ToWallClock(fileDate);
        var start = granularity == Granularity.Hour
            ? new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified)
            : local.Date;
        var end = granularity == Granularity.Hour ? start.AddHours(1) : start.AddDays(1);
        return new RefreshWindow(start, end);
    }

    /// <summary>For messages: "day 2015-07-01", "hour 2015-07-01 10:00", or the stream window.</summary>
    public string Describe(Granularity granularity) => granularity switch
    {
        Granularity.Day => $"day {Start:yyyy-MM-dd}",
        Granularity.Hour => $"hour {Start:yyyy-MM-dd HH:mm}",
        _ => ToString(),
    };

    public override string ToString() => $"[{Start:yyyy-MM-dd HH:mm}, {End:yyyy-MM-dd HH:mm})";
}
