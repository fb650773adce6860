using System.Globalization;
using Redshifter.Engine.Config;
using Redshifter.Engine.Loading;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// DATEFORMAT 'auto' and TIMEFORMAT 'auto' as Redshift documents them: every example spelling of
/// https://docs.aws.amazon.com/redshift/latest/dg/automatic-recognition.html, of the formats table of
/// https://docs.aws.amazon.com/redshift/latest/dg/r_DATEFORMAT_and_TIMEFORMAT_strings.html and of
/// https://docs.aws.amazon.com/redshift/latest/dg/r_Examples_with_datetime_types.html gives its value; spellings
/// that are not there (epoch numbers above all) are refused.
/// </summary>
public sealed class AutoDateFormatTests
{
    private static string Show(object? value) => value switch
    {
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "NULL",
    };

    private static object? Load(string type, string text) => new TargetColumn("c", ColumnType.ParseConfig(type)!, null).Convert(text, FieldKind.Text);

    [Theory]
    // automatic-recognition.html: the formats 'auto' adds.
    [InlineData("2019-02-11T05:09:12.195Z", "timestamp", "2019-02-11 05:09:12.195")]
    [InlineData("J2451187", "date", "1999-01-08")]
    [InlineData("Jan-08-95 BC", "date", "0095-01-08 BC")]
    [InlineData("19960108 040809", "timestamp", "1996-01-08 04:08:09")]
    [InlineData("960108 040809", "timestamp", "1996-01-08 04:08:09")]
    [InlineData("1996.008", "date", "1996-01-08")]
    [InlineData("1996-01-08 04:05:06.789", "timestamp", "1996-01-08 04:05:06.789")]
    [InlineData("17 Dec 07:37:16 1997 PST", "timestamp", "1997-12-17 07:37:16")]
    [InlineData("12/17/1997 07:37:16.00 PST", "timestamp", "1997-12-17 07:37:16")]
    [InlineData("1997-12-17 07:37:16-08", "timestamp", "1997-12-17 07:37:16")]
    [InlineData("12.17.1997 07:37:16.00 PST", "timestamp", "1997-12-17 07:37:16")]
    [InlineData("J2345678 04:05:06.789", "timestamp", "1710-02-23 04:05:06.789")]
    [InlineData("J2345678 04:05:06.789", "date", "1710-02-23")]
    // A DATE drops the time; a TIMESTAMP without one is midnight (automatic-recognition.html).
    [InlineData("1996-01-08 04:05:06.789", "date", "1996-01-08")]
    [InlineData("J2451187", "timestamp", "1999-01-08 00:00:00")]
    // With a zone, TIMESTAMPTZ is the instant.
    [InlineData("2019-02-11T05:09:12.195Z", "timestamptz", "2019-02-11 05:09:12.195")]
    [InlineData("17 Dec 07:37:16 1997 PST", "timestamptz", "1997-12-17 15:37:16")]
    [InlineData("12/17/1997 07:37:16.00 PST", "timestamptz", "1997-12-17 15:37:16")]
    [InlineData("1997-12-17 07:37:16-08", "timestamptz", "1997-12-17 15:37:16")]
    [InlineData("12.17.1997 07:37:16.00 PST", "timestamptz", "1997-12-17 15:37:16")]
    // r_DATEFORMAT_and_TIMEFORMAT_strings.html: the defaults and the example table.
    [InlineData("2009-01-12", "date", "2009-01-12")]
    [InlineData("2009-01-12 14:30:00", "timestamp", "2009-01-12 14:30:00")]
    [InlineData("2009-01-12 14:30:00-8:00", "timestamptz", "2009-01-12 22:30:00")]
    [InlineData("Jan-01-1999", "date", "1999-01-01")]
    [InlineData("03/31/2003", "date", "2003-03-31")]
    [InlineData("March 31, 2003", "date", "2003-03-31")]
    [InlineData("03.31.2003 18:45:05", "timestamp", "2003-03-31 18:45:05")]
    [InlineData("03.31.2003 18:45:05.123456", "timestamp", "2003-03-31 18:45:05.123456")]
    [InlineData("03/31/2003 06:45:05 PM", "timestamp", "2003-03-31 18:45:05")]
    [InlineData("03/31/2003 12:05:00 AM", "timestamp", "2003-03-31 00:05:00")]
    // r_Examples_with_datetime_types.html
    [InlineData("Jun 1,2008", "date", "2008-06-01")]
    [InlineData("20081231", "date", "2008-12-31")]
    [InlineData("20081231", "timestamp", "2008-12-31 00:00:00")]
    [InlineData("Jun 1,2008 09:59:59", "timestamp", "2008-06-01 09:59:59")]
    [InlineData("Jun 1,2008 09:59:59 EST", "timestamp", "2008-06-01 09:59:59")]
    [InlineData("Jun 1,2008 09:59:59 EST", "timestamptz", "2008-06-01 14:59:59")]
    [InlineData("Dec 31,2008 18:20", "timestamp", "2008-12-31 18:20:00")]
    // ISO 8601 with offsets; BC at the ends of the calendar (1 BC is a leap year; Julian day 0 is the first day).
    [InlineData("2015-07-01T12:00:00+02:00", "timestamp", "2015-07-01 12:00:00")]
    [InlineData("2015-07-01T12:00:00+0200", "timestamptz", "2015-07-01 10:00:00")]
    [InlineData("2015-07-01t12:00", "timestamp", "2015-07-01 12:00:00")]
    [InlineData("January 12 2009", "date", "2009-01-12")]
    [InlineData("Jan-08-95", "date", "1995-01-08")]
    [InlineData("Jan-08-95 BC", "timestamp", "0095-01-08 00:00:00 BC")]
    [InlineData("Feb-29-0001 BC", "date", "0001-02-29 BC")]
    [InlineData("4714-11-24 BC", "date", "4714-11-24 BC")]
    [InlineData("J0", "date", "4714-11-24 BC")]
    [InlineData("  2009-01-12  ", "date", "2009-01-12")]
    public void Recognizes_the_documented_spellings(string text, string type, string expected) =>
        Assert.Equal(expected, Show(Load(type, text)));

    [Theory]
    [InlineData("1435744800")] // epoch seconds: TIMEFORMAT 'epochsecs', not 'auto'
    [InlineData("1435744800000")] // epoch milliseconds
    [InlineData("0")]
    [InlineData("960108")] // YYMMDD only with its HHMISS
    [InlineData("2015-02-30")]
    [InlineData("2015-13-01")]
    [InlineData("2015-7-1")]
    [InlineData("2015/07/01")]
    [InlineData("07/01/15")]
    [InlineData("31/12/2015")] // the day first is not a documented order
    [InlineData("1995.366")]
    [InlineData("1996.08")]
    [InlineData("J")]
    [InlineData("J12345678")]
    [InlineData("J2451187 BC")]
    [InlineData("Jan-08-00 BC")] // no year 0 BC
    [InlineData("0000-01-01")] // no year 0 AD
    [InlineData("Feb-29-0002 BC")]
    [InlineData("4714-11-23 BC")] // before Julian day 0
    [InlineData("2015-07-01T10:00:00,5")]
    [InlineData("2015-07-01T")]
    [InlineData("2015-07-01Z")]
    [InlineData("2015-07-01 24:00:00")]
    [InlineData("2015-07-01 10:60:00")]
    [InlineData("2015-07-01 10:00:60")]
    [InlineData("2015-07-01 13:00 PM")]
    [InlineData("2015-07-01 10:00:00 XYZ")]
    [InlineData("2015-07-01 10:00:00+16:00")]
    [InlineData("2015-07-01 10:00:00+123")]
    [InlineData("2015-07-01 10:00:00 AD")]
    [InlineData("2015-07-01 10:00:00 PST PST")]
    [InlineData("17 Dec 1997")] // only with the time before the year
    [InlineData("Smarch 1, 2015")]
    [InlineData("July 4th 2015")]
    [InlineData("Thu Jul 1 2015")]
    [InlineData("now")]
    [InlineData("infinity")]
    [InlineData("2015-07-01 10:00:00 extra")]
    public void Refuses_every_other_spelling(string text)
    {
        Assert.False(ValueParser.TryParseTimestamp(text, out _, out _), text);
        foreach (var type in new[] { "date", "timestamp", "timestamptz" })
        {
            var ex = Assert.Throws<ValueConversionException>(() => Load(type, text));
            Assert.Contains("is not a valid", ex.Message, StringComparison.Ordinal);
        }
    }
}
