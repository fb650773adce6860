namespace Redshifter.Engine.Jobs;

/// <summary>Whether a file may be loaded, and why (for the LoadResult message and -Verbose).</summary>
public sealed record FreshnessDecision(bool IsStale, string Reason);

/// <summary>
/// The original tool's freshness rule (DESIGN.md section 5 step 3): the table's latest data date is
/// wall-clock time in the table's zone; convert it to UTC, truncate it and the file's data date to the
/// granularity in UTC, and the file is stale when the table's period is later than the file's. A file
/// of the same period is not stale: it is loaded and replaces that period. Stream never skips.
/// </summary>
public static class FreshnessRule
{
    public static FreshnessDecision Decide(DateTime? tableLatest, DateTimeOffset fileDate, Granularity granularity, TableTimeZone zone)
    {
        if (granularity == Granularity.Stream) return new(false, "Stream granularity never skips.");
        if (tableLatest is null) return new(false, "The table holds no data yet.");
        var table = Truncate(zone.ToInstant(tableLatest.Value).UtcDateTime, granularity);
        var file = Truncate(fileDate.UtcDateTime, granularity);
        var unit = granularity == Granularity.Hour ? "hour" : "day";
        var format = granularity == Granularity.Hour ? "yyyy-MM-dd HH:00'Z'" : "yyyy-MM-dd";
        var t = table.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        var f = file.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        return table > file
            ? new(true, $"The table already holds data of a later {unit} ({t}) than the file ({f}).")
            : new(false, table == file
                ? $"The file is of the same {unit} as the table's latest data ({f}): that {unit} is refreshed."
                : $"The file ({f}) is newer than the table's latest data ({t}).");
    }

    /// <summary>Truncates a UTC time to the start of its hour or day.</summary>
    public static DateTime Truncate(DateTime utc, Granularity granularity) => granularity switch
    {
        Granularity.Hour => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc),
        _ => new DateTime(utc.Year, utc.Month, utc.Day, 0, 0, 0, DateTimeKind.Utc),
    };
}
