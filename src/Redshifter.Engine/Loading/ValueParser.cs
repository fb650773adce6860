using System.Globalization;

namespace Redshifter.Engine.Loading;

/// <summary>
/// Text to values the way Redshift's COPY reads them: dates and timestamps as DATEFORMAT 'auto' and
/// TIMEFORMAT 'auto' recognize them (<see cref="TryParseTimestamp"/>), booleans as true/false/t/f/1/0/yes/no,
/// numbers in the invariant culture. Every method returns false instead of throwing: the caller names the record.
/// </summary>
public static class ValueParser
{
    /// <summary>
    /// A date or timestamp in one of the spellings that Redshift's DATEFORMAT/TIMEFORMAT 'auto' recognizes, and no
    /// other (https://docs.aws.amazon.com/redshift/latest/dg/automatic-recognition.html, with the formats of
    /// https://docs.aws.amazon.com/redshift/latest/dg/r_DATEFORMAT_and_TIMEFORMAT_strings.html):
    /// <list type="bullet">
    /// <item>a date: <c>2009-01-12</c>, <c>01/12/2009</c>, <c>01.12.2009</c>, <c>Jan 12, 2009</c> or <c>January 12 2009</c>,
    /// <c>Jan-12-2009</c> or <c>Jan-12-09</c>, <c>20090112</c>, <c>2009.012</c> (day of the year), <c>J2454844</c> (Julian day);</item>
    /// <item>then, after a space (<c>T</c> in ISO 8601), a time <c>HH:MI[:SS[.ffffff]]</c> with an optional <c>AM</c>/<c>PM</c>,
    /// or <c>HHMISS</c> after <c>YYYYMMDD</c> and <c>YYMMDD</c> (<c>960108 040809</c>, the only form of YYMMDD);</item>
    /// <item>after a time, a zone: <c>Z</c>, <c>±HH</c>, <c>±HHMM</c>, <c>±HH:MM</c>, or (after a space) UTC, GMT or a
    /// North American abbreviation such as <c>PST</c>;</item>
    /// <item><c>17 Dec 07:37:16 1997 PST</c> (day, month, time, year, zone); and a trailing <c>BC</c>.</item>
    /// </list>
    /// Epoch seconds and milliseconds are not recognized (they are TIMEFORMAT 'epochsecs'/'epochmillisecs'), nor is any
    /// other spelling: such a value is a load error, never a guessed date. Month names are English, any case; a two-digit
    /// year is 1970–2069. Without a time the time is midnight.
    /// </summary>
    /// <param name="wallTicks">The written wall-clock date and time, in ticks from 0001-01-01 of the proleptic Gregorian
    /// calendar; negative before year 1 (BC), down to Julian day 0 (4714-11-24 BC).</param>
    /// <param name="offset">The written zone's offset from UTC, or null when the text had none.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out long wallTicks, out TimeSpan? offset)
    {
        text = text.Trim();
        var bc = text.Length > 3 && text[^3] == ' ' && text[^2..].Equals("BC", StringComparison.OrdinalIgnoreCase);
        return new DateTimeReader(bc ? text[..^3].TrimEnd(' ') : text, bc).Read(out wallTicks, out offset);
    }

    /// <summary>The day of <paramref name="wallTicks"/> (ticks from 0001-01-01, negative BC) as a <see cref="DateOnly.DayNumber"/> (negative BC).</summary>
    public static long DayNumber(long wallTicks) => wallTicks >= 0 ? wallTicks / TimeSpan.TicksPerDay : -((-wallTicks + TimeSpan.TicksPerDay - 1) / TimeSpan.TicksPerDay);

    /// <summary>
    /// The text PostgreSQL prints for a date or timestamp before year 1 (e.g. <c>0095-01-08 BC</c>), which
    /// <see cref="DateOnly"/> and <see cref="DateTime"/> cannot hold: the Gregorian calendar repeats every 400 years,
    /// so the date is found 4,800 years later and its year moved back.
    /// </summary>
    public static string FormatBeforeYearOne(long wallTicks, bool withTime)
    {
        var day = DayNumber(wallTicks);
        var later = DateOnly.FromDayNumber(checked((int)(day + ShiftDays)));
        var text = string.Create(CultureInfo.InvariantCulture, $"{1 - (later.Year - ShiftYears):D4}-{later.Month:D2}-{later.Day:D2}");
        var timeOfDay = new TimeSpan(wallTicks - day * TimeSpan.TicksPerDay);
        if (withTime) text += timeOfDay.ToString(timeOfDay.Ticks % TimeSpan.TicksPerSecond == 0 ? @"\ hh\:mm\:ss" : @"\ hh\:mm\:ss\.FFFFFFF", CultureInfo.InvariantCulture);
        return text + " BC";
    }

    // Years before 1 are computed 4,800 years later (12 Gregorian cycles of 400 years, 146,097 days each).
    private const int ShiftYears = 4800;
    private const long ShiftDays = ShiftYears / 400 * 146_097L;
    // The Julian day of 0001-01-01; Julian day 0 (4714-11-24 BC) is where PostgreSQL's and Redshift's dates begin.
    private const long JulianDayOfYearOne = 1_721_426;

    /// <summary>Reads one date/time spelling (see <see cref="TryParseTimestamp"/>), the whole text or nothing.</summary>
    /// <remarks>
    /// Its methods are compiled optimized at once (AggressiveOptimization), skipping tiered compilation: left to
    /// tiered PGO, loading a million timestamps in a PowerShell session took 0.7–1.0 s more CPU (1.5–1.8 s against
    /// 0.6–0.9 s; the same with DOTNET_TieredPGO=0 or these attributes: bench/Redshifter.Benchmarks, docs/benchmarks.md).
    /// </remarks>
    private ref struct DateTimeReader(ReadOnlySpan<char> text, bool bc)
    {
        private readonly ReadOnlySpan<char> _s = text;
        private int _i;
        private bool _twoDigitYear;
        private long _timeOfDay;
        private TimeSpan? _offset;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool Read(out long wallTicks, out TimeSpan? offset)
        {
            wallTicks = 0;
            offset = null;
            if (!ReadDay(out var day) || _i != _s.Length || day < -JulianDayOfYearOne || day > DateOnly.MaxValue.DayNumber) return false;
            wallTicks = day * TimeSpan.TicksPerDay + _timeOfDay;
            offset = _offset;
            return true;
        }

        /// <summary>The date and whatever follows it (time, zone); false on any other spelling.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool ReadDay(out long day)
        {
            day = 0;
            int year, month, dayOfMonth;
            if (Peek() is 'J' or 'j' && !char.IsAsciiLetter(Peek(1)))
            {
                // J2451187: a Julian day, which has no BC.
                _i++;
                if (bc || !Number(1, 7, out var julian)) return false;
                day = julian - JulianDayOfYearOne;
                return OptionalTime();
            }
            if (char.IsAsciiLetter(Peek()))
            {
                // Jan-12-2009, Jan-08-95 BC | Jan 12, 2009, January 12 2009, Jun 1,2008
                if (!MonthName(out month)) return false;
                if (Take('-'))
                {
                    if (!Number(1, 2, out dayOfMonth) || !Take('-') || !Year(allowTwoDigits: true, out year)) return false;
                }
                // Between day and year a comma, spaces or both (both are taken: '|', not '||').
                else if (!Spaces() || !Number(1, 2, out dayOfMonth) || !(Take(',') | Spaces()) || !Year(allowTwoDigits: false, out year)) return false;
                return Date(year, month, dayOfMonth, out day) && OptionalTime();
            }
            switch (DigitRun())
            {
                case 8:
                    // 20090112 [040809]
                    Fixed(4, out year);
                    Fixed(2, out month);
                    Fixed(2, out dayOfMonth);
                    if (!Date(year, month, dayOfMonth, out day)) return false;
                    if (_i == _s.Length) return true;
                    if (!Spaces()) return false;
                    return DigitRun() == 6 ? CompactTime() && OptionalZone() : Time() && OptionalZone();
                case 6:
                    // 960108 040809: this form only with its time.
                    Fixed(2, out year);
                    Fixed(2, out month);
                    Fixed(2, out dayOfMonth);
                    _twoDigitYear = true;
                    return Date(year, month, dayOfMonth, out day) && Spaces() && DigitRun() == 6 && CompactTime() && OptionalZone();
                case 4 when Peek(4) == '.':
                    // 2009.012: the year's 12th day.
                    Fixed(4, out year);
                    _i++;
                    if (!Number(3, 3, out var dayOfYear) || !Date(year, 12, 31, out var lastDay) || !Date(year, 1, 1, out day) || dayOfYear < 1 || dayOfYear > lastDay - day + 1) return false;
                    day += dayOfYear - 1;
                    return OptionalTime();
                case 4:
                    // ISO 8601, and the default YYYY-MM-DD [HH:MI:SS]: 2009-01-12[(T| )14:30:00[.123456][Z|±hh[:mm]]]
                    Fixed(4, out year);
                    if (!Take('-') || !Number(2, 2, out month) || !Take('-') || !Number(2, 2, out dayOfMonth) || !Date(year, month, dayOfMonth, out day)) return false;
                    if (Peek() is not ('T' or 't')) return OptionalTime();
                    _i++;
                    return Time() && OptionalZone();
                case 1 or 2:
                    Number(1, 2, out var first);
                    if (Peek() is '/' or '.')
                    {
                        // 01/12/2009 and 12.17.1997: month first, as the pages' examples (03/31/2003, 12.17.1997 07:37:16.00 PST) are.
                        var separator = _s[_i++];
                        return Number(1, 2, out dayOfMonth) && Take(separator) && Year(allowTwoDigits: false, out year) && Date(year, first, dayOfMonth, out day) && OptionalTime();
                    }
                    // 17 Dec 07:37:16 1997 PST: the year after the time.
                    return Spaces() && MonthName(out month) && Spaces() && Time() && Spaces() && Year(allowTwoDigits: false, out year)
                        && Date(year, month, first, out day) && OptionalZone();
                default:
                    return false;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private readonly char Peek(int ahead = 0) => _i + ahead < _s.Length ? _s[_i + ahead] : '\0';

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private readonly int DigitRun()
        {
            var end = _i;
            while (end < _s.Length && char.IsAsciiDigit(_s[end])) end++;
            return end - _i;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool Take(char c)
        {
            if (Peek() != c) return false;
            _i++;
            return true;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool Spaces()
        {
            var start = _i;
            while (Peek() == ' ') _i++;
            return _i > start;
        }

        /// <summary>Exactly <paramref name="digits"/> digits (the caller has seen them).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Fixed(int digits, out int value)
        {
            value = 0;
            for (var end = _i + digits; _i < end; _i++) value = value * 10 + (_s[_i] - '0');
        }

        /// <summary>A number of <paramref name="minDigits"/> to <paramref name="maxDigits"/> digits, not followed by another digit.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool Number(int minDigits, int maxDigits, out int value)
        {
            value = 0;
            var digits = DigitRun();
            if (digits < minDigits || digits > maxDigits) return false;
            Fixed(digits, out value);
            return true;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool Year(bool allowTwoDigits, out int year)
        {
            year = 0;
            var digits = DigitRun();
            if (digits != 4 && !(allowTwoDigits && digits == 2)) return false;
            _twoDigitYear = digits == 2;
            Fixed(digits, out year);
            return true;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool MonthName(out int month)
        {
            month = 0;
            var start = _i;
            while (char.IsAsciiLetter(Peek())) _i++;
            var name = _s[start.._i];
            for (var m = 0; m < MonthNames.Length; m++)
            {
                if (name.Equals(MonthNames[m], StringComparison.OrdinalIgnoreCase) || name.Equals(MonthNames[m].AsSpan(0, 3), StringComparison.OrdinalIgnoreCase))
                {
                    month = m + 1;
                    return true;
                }
            }
            return false;
        }

        /// <summary>The end, or a space, a time and an optional zone.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool OptionalTime() => _i == _s.Length || (Spaces() && Time() && OptionalZone());

        /// <summary>HHMISS (after YYYYMMDD or YYMMDD).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool CompactTime()
        {
            Fixed(2, out var hour);
            Fixed(2, out var minute);
            Fixed(2, out var second);
            return SetTime(hour, minute, second, 0);
        }

        /// <summary>HH:MI[:SS[.fraction]] [AM|PM]</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool Time()
        {
            if (!Number(1, 2, out var hour) || !Take(':') || !Number(2, 2, out var minute)) return false;
            var second = 0;
            long fraction = 0;
            if (Take(':'))
            {
                if (!Number(2, 2, out second)) return false;
                if (Take('.'))
                {
                    // Ticks are 100 ns: digits past the seventh are dropped.
                    var digits = DigitRun();
                    if (digits == 0) return false;
                    for (var d = 0; d < 7; d++) fraction = fraction * 10 + (d < digits ? _s[_i + d] - '0' : 0);
                    _i += digits;
                }
            }
            var beforeMarker = _i;
            Spaces();
            if (Peek() is 'A' or 'a' or 'P' or 'p' && Peek(1) is 'M' or 'm' && !char.IsAsciiLetter(Peek(2)))
            {
                // HH12 with AM or PM (DATEFORMAT and TIMEFORMAT strings): 12 AM is midnight, 12 PM noon.
                var pm = Peek() is 'P' or 'p';
                _i += 2;
                if (hour is < 1 or > 12) return false;
                hour = hour % 12 + (pm ? 12 : 0);
            }
            else _i = beforeMarker;
            return SetTime(hour, minute, second, fraction);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool SetTime(int hour, int minute, int second, long fraction)
        {
            if (hour > 23 || minute > 59 || second > 59) return false;
            _timeOfDay = new TimeSpan(hour, minute, second).Ticks + fraction;
            return true;
        }

        /// <summary>The end, or Z, ±HH, ±HHMM, ±HH:MM, or a space and a zone name, then the end.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private bool OptionalZone()
        {
            if (_i == _s.Length) return true;
            var spaced = Spaces();
            if (Peek() is '+' or '-')
            {
                var negative = _s[_i++] == '-';
                int hours, minutes = 0;
                switch (DigitRun())
                {
                    case 4:
                        Fixed(2, out hours);
                        Fixed(2, out minutes);
                        break;
                    case 1 or 2:
                        // -08, +05:30, and -8:00 as the TIMESTAMPTZ default format writes it.
                        Number(1, 2, out hours);
                        if (Take(':') && !Number(2, 2, out minutes)) return false;
                        break;
                    default:
                        return false;
                }
                if (hours > 15 || minutes > 59) return false;
                var o = new TimeSpan(hours, minutes, 0);
                _offset = negative ? -o : o;
            }
            else if (!spaced && Peek() is 'Z' or 'z')
            {
                _i++;
                _offset = TimeSpan.Zero;
            }
            else
            {
                var start = _i;
                while (char.IsAsciiLetter(Peek())) _i++;
                if (!spaced || !ZoneAbbreviations.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(_s[start.._i], out var hours)) return false;
                _offset = TimeSpan.FromHours(hours);
            }
            return _i == _s.Length;
        }

        /// <summary>The day number of a date (negative BC), with the two-digit-year and BC rules of PostgreSQL, which Redshift follows.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private readonly bool Date(int year, int month, int dayOfMonth, out long day)
        {
            day = 0;
            if (bc) year = year == 0 ? int.MinValue : 1 - year; // astronomical: 1 BC is year 0
            else if (_twoDigitYear) year += year < 70 ? 2000 : 1900;
            else if (year == 0) return false; // there is no year 0 AD
            var shift = year < 1 ? ShiftYears : 0;
            if (year + shift < 1 || month is < 1 or > 12 || dayOfMonth < 1 || dayOfMonth > DateTime.DaysInMonth(year + shift, month)) return false;
            day = new DateOnly(year + shift, month, dayOfMonth).DayNumber - (shift == 0 ? 0 : ShiftDays);
            return true;
        }
    }

    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    // UTC and the zone abbreviations of North America that PostgreSQL and Redshift read (their standard offsets).
    private static readonly Dictionary<string, int> ZoneAbbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UTC"] = 0, ["UT"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -5, ["EDT"] = -4, ["CST"] = -6, ["CDT"] = -5, ["MST"] = -7, ["MDT"] = -6, ["PST"] = -8, ["PDT"] = -7,
        ["AKST"] = -9, ["AKDT"] = -8, ["HST"] = -10,
    };

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        text = text.Trim();
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("t", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("1") || text.Equals("yes", StringComparison.OrdinalIgnoreCase) || text.Equals("y", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("f", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("0") || text.Equals("no", StringComparison.OrdinalIgnoreCase) || text.Equals("n", StringComparison.OrdinalIgnoreCase))
        {
            value = false;
            return true;
        }
        value = false;
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseInteger(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseDouble(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Text to a real, rounded once (parsing to double first and then to float can round twice).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseSingle(ReadOnlySpan<char> text, out float value) =>
        float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// A number whose digits before any exponent are not all zero ("1e400", "-2.5e-50"; not "0.0e5", "Infinity"):
    /// where .NET parses such a number to infinity or to zero, it was out of the type's range.
    /// </summary>
    public static bool HasNonZeroMantissa(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is 'e' or 'E') return false;
            if (c is >= '1' and <= '9') return true;
        }
        return false;
    }
}
