using Redshifter.Engine.Errors;
using Redshifter.Engine.Jobs;

namespace Redshifter.Engine.Tests.Jobs;

/// <summary>The original tool's freshness and window cases (issue 6), plus the edges around them.</summary>
public sealed class FreshnessRuleTests
{
    private static readonly DateTimeOffset Input = DateTimeOffset.Parse("2017-08-15T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly TableTimeZone LosAngeles = TableTimeZone.Parse("America/Los_Angeles");

    private static DateTime Wall(string s) => DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2017-08-15T21:00:00", "UTC", Granularity.Day, false)]
    [InlineData("2017-08-15T21:00:00", "UTC", Granularity.Hour, true)]
    [InlineData("2017-08-15T14:00:00", "UTC", Granularity.Hour, false)]
    [InlineData("2017-08-15T14:00:00", "America/Los_Angeles", Granularity.Hour, true)]
    [InlineData("2017-08-15T23:00:00", "UTC", Granularity.Day, false)]
    [InlineData("2017-08-15T23:00:00", "America/Los_Angeles", Granularity.Day, true)]
    [InlineData("2017-08-14T23:59:59", "UTC", Granularity.Day, false)]
    [InlineData("2017-08-16T00:00:00", "UTC", Granularity.Day, true)]
    public void Decides_like_the_original_tool(string target, string zone, Granularity granularity, bool stale)
    {
        var decision = FreshnessRule.Decide(Wall(target), Input, granularity, TableTimeZone.Parse(zone));
        Assert.Equal(stale, decision.IsStale);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void An_empty_table_and_Stream_never_skip()
    {
        Assert.False(FreshnessRule.Decide(null, Input, Granularity.Day, TableTimeZone.Utc).IsStale);
        Assert.False(FreshnessRule.Decide(Wall("2030-01-01T00:00:00"), Input, Granularity.Stream, TableTimeZone.Utc).IsStale);
    }

    [Fact]
    public void Same_day_is_refreshed_not_skipped()
    {
        var decision = FreshnessRule.Decide(Wall("2017-08-15T14:00:00"), Input, Granularity.Day, TableTimeZone.Utc);
        Assert.False(decision.IsStale);
        Assert.Contains("refreshed", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Day_window_in_UTC()
    {
        var w = RefreshWindow.For(DateTimeOffset.Parse("2017-07-11T12:09:00Z", System.Globalization.CultureInfo.InvariantCulture), Granularity.Day, TableTimeZone.Utc);
        Assert.Equal(Wall("2017-07-11T00:00:00"), w.Start);
        Assert.Equal(Wall("2017-07-12T00:00:00"), w.End);
    }

    [Fact]
    public void Day_window_in_Los_Angeles_is_the_local_day()
    {
        var w = RefreshWindow.For(DateTimeOffset.Parse("2017-07-11T04:00:00Z", System.Globalization.CultureInfo.InvariantCulture), Granularity.Day, LosAngeles);
        Assert.Equal(Wall("2017-07-10T00:00:00"), w.Start);
        Assert.Equal(Wall("2017-07-11T00:00:00"), w.End);
    }

    [Fact]
    public void Hour_window_is_the_local_hour()
    {
        var w = RefreshWindow.For(DateTimeOffset.Parse("2017-07-11T04:30:00Z", System.Globalization.CultureInfo.InvariantCulture), Granularity.Hour, LosAngeles);
        Assert.Equal(Wall("2017-07-10T21:00:00"), w.Start);
        Assert.Equal(Wall("2017-07-10T22:00:00"), w.End);
    }

    [Fact]
    public void Stream_window_needs_both_ends_in_order()
    {
        var start = DateTimeOffset.Parse("2017-07-11T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var w = RefreshWindow.For(start, Granularity.Stream, TableTimeZone.Utc, start, start.AddHours(6));
        Assert.Equal(Wall("2017-07-11T06:00:00"), w.End);
        Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<RedshifterException>(() => RefreshWindow.For(start, Granularity.Stream, TableTimeZone.Utc)).ErrorId);
        Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<RedshifterException>(() => RefreshWindow.For(start, Granularity.Stream, TableTimeZone.Utc, start, start)).ErrorId);
    }

    [Fact]
    public void An_unknown_zone_is_an_argument_error()
    {
        var ex = Assert.Throws<RedshifterException>(() => TableTimeZone.Parse("Mars/Olympus_Mons"));
        Assert.Equal(ErrorIds.InvalidArgument, ex.ErrorId);
        Assert.Contains("Mars/Olympus_Mons", ex.Message, StringComparison.Ordinal);
    }
}
