namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// One CSV of date spellings that DATEFORMAT/TIMEFORMAT 'auto' recognize, loaded the same way on PostgreSQL
/// (PostgresLoaderTests) and on a real Redshift cluster (RedshiftLiveCopyTests): both must store the same values.
/// Examples from https://docs.aws.amazon.com/redshift/latest/dg/automatic-recognition.html and
/// https://docs.aws.amazon.com/redshift/latest/dg/r_Examples_with_datetime_types.html.
/// </summary>
internal static class DateSpellings
{
    public const string Columns = "id INT, d DATE, t TIMESTAMP, tz TIMESTAMPTZ";

    public const string Csv =
        "1,J2451187,19960108 040809,17 Dec 07:37:16 1997 PST\n" +
        "2,Jan-08-95 BC,Jan-08-95 BC,12/17/1997 07:37:16.00 PST\n" +
        "3,1996.008,\"Jun 1,2008 09:59:59 EST\",1997-12-17 07:37:16-08\n" +
        "4,\"March 31, 2003\",2024-03-10T12:00:00+05:00,2024-03-10T12:00:00+05:00\n";

    /// <summary>The rows as <see cref="Query"/> prints them: a zone is ignored into TIMESTAMP and gives the instant in TIMESTAMPTZ.</summary>
    public static readonly string[] Expected =
    [
        "1|1999-01-08 AD|1996-01-08 04:08:09 AD|1997-12-17 15:37:16",
        "2|0095-01-08 BC|0095-01-08 00:00:00 BC|1997-12-17 15:37:16",
        "3|1996-01-08 AD|2008-06-01 09:59:59 AD|1997-12-17 15:37:16",
        "4|2003-03-31 AD|2024-03-10 12:00:00 AD|2024-03-10 07:00:00",
    ];

    /// <summary>The table's rows in text both engines print alike (to_char with the era, the instant in UTC).</summary>
    public static string Query(string schema, string table) =>
        $"SELECT id, to_char(d, 'YYYY-MM-DD BC'), to_char(t, 'YYYY-MM-DD HH24:MI:SS BC'), to_char(tz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM \"{schema}\".{table} ORDER BY id";
}
