using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Jobs;

/// <summary>
/// The zone a table's data-date column is written in (-TimeZone): an IANA id, on every OS. The column
/// holds wall-clock values without a zone; this converts between them and instants.
/// </summary>
public sealed class TableTimeZone
{
    public static readonly TableTimeZone Utc = new(TimeZoneInfo.Utc, "UTC");

    public TimeZoneInfo Zone { get; }
    public string Id { get; }

    private TableTimeZone(TimeZoneInfo zone, string id)
    {
        Zone = zone;
        Id = id;
    }

    public static TableTimeZone Parse(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Equals("UTC", StringComparison.OrdinalIgnoreCase) || id == "Etc/UTC") return Utc;
        try
        {
            return new TableTimeZone(TimeZoneInfo.FindSystemTimeZoneById(id), id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw RedshifterException.InvalidArgument(
                $"-TimeZone '{id}' is not a time zone this system knows.",
                "Give an IANA time zone id such as UTC, Europe/Berlin or America/Los_Angeles (tab completion lists them).",
                id);
        }
    }

    /// <summary>A wall-clock value of the column, as the instant it denotes.</summary>
    public DateTimeOffset ToInstant(DateTime wallClock)
    {
        if (wallClock.Kind == DateTimeKind.Utc) return new DateTimeOffset(wallClock); // a timestamptz value is an instant already
        var unspecified = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        // An invalid local time (skipped by a DST change) is read with the standard offset.
        var offset = Zone.IsInvalidTime(unspecified) ? Zone.BaseUtcOffset : Zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }

    /// <summary>An instant as the wall-clock value the column would hold.</summary>
    public DateTime ToWallClock(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, Zone).DateTime, DateTimeKind.Unspecified);

    public override string ToString() => Id;
}
