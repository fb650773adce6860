using System.Globalization;

namespace Redshifter.Engine.Loading;

/// <summary>
/// Text to values the way Redshift's COPY reads them: TIMEFORMAT 'auto' (ISO 8601 with or without a zone,
/// 'YYYY-MM-DD HH:MI:SS', epoch seconds or milliseconds), booleans as true/false/t/f/1/0/yes/no, numbers in
/// the invariant culture. Every method returns false instead of throwing: the caller names the record.
/// </summary>
public static class ValueParser
{
    /// <summary>A timestamp: the wall-clock time, and the offset when the text had one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTime wallClock, out TimeSpan? offset)
    {
        text = text.Trim();
        offset = null;
        wallClock = default;
        if (text.Length == 0) return false;
        if (IsAllDigits(text)) return TryParseEpoch(text, out wallClock, out offset);
        if (TryParseIso(text, out wallClock, out offset)) return true;
        // Anything else the invariant culture reads (e.g. 2015/07/01 10:00:00, Jul 1 2015 10:00).
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var dto) && HasZone(text))
        {
            wallClock = dto.DateTime;
            offset = dto.Offset;
            return true;
        }
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var dt))
        {
            wallClock = DateTime.SpecifyKind(dt, DateTimeKind.Unspecified);
            return true;
        }
        return false;
    }

    /// <summary>Epoch seconds, or milliseconds when the number is too large to be seconds (after year 5138).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseEpoch(ReadOnlySpan<char> text, out DateTime wallClock, out TimeSpan? offset)
    {
        wallClock = default;
        offset = TimeSpan.Zero;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return false;
        try
        {
            var instant = Math.Abs(n) >= 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(n) : DateTimeOffset.FromUnixTimeSeconds(n);
            wallClock = DateTime.SpecifyKind(instant.UtcDateTime, DateTimeKind.Unspecified);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    // yyyy-MM-dd[(T| )HH:mm[:ss[.fffffff]]][Z|±hh[:mm]|±hhmm]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool TryParseIso(ReadOnlySpan<char> s, out DateTime wallClock, out TimeSpan? offset)
    {
        wallClock = default;
        offset = null;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-') return false;
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)) return false;
        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        var i = 10;
        if (i < s.Length && (s[i] == 'T' || s[i] == ' ' || s[i] == 't'))
        {
            if (s.Length < i + 6 || s[i + 3] != ':') return false;
            if (!Digits(s.Slice(i + 1, 2), out hour) || !Digits(s.Slice(i + 4, 2), out minute)) return false;
            i += 6;
            if (i < s.Length && s[i] == ':')
            {
                if (s.Length < i + 3 || !Digits(s.Slice(i + 1, 2), out second)) return false;
                i += 3;
                if (i < s.Length && (s[i] == '.' || s[i] == ','))
                {
                    i++;
                    var start = i;
                    long fraction = 0;
                    var digits = 0;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        if (digits < 7) { fraction = fraction * 10 + (s[i] - '0'); digits++; }
                        i++;
                    }
                    if (i == start) return false;
                    while (digits++ < 7) fraction *= 10;
                    ticks = fraction;
                }
            }
        }
        if (i < s.Length)
        {
            var zone = s[i..].TrimStart(' ');
            if (zone is "Z" or "z" || zone.Equals("UTC", StringComparison.OrdinalIgnoreCase)) offset = TimeSpan.Zero;
            else if (zone.Length >= 3 && (zone[0] == '+' || zone[0] == '-') && Digits(zone.Slice(1, 2), out var oh))
            {
                var om = 0;
                var rest = zone[3..];
                if (rest.Length == 3 && rest[0] == ':' && Digits(rest[1..], out om)) { }
                else if (rest.Length == 2 && Digits(rest, out om)) { }
                else if (rest.Length != 0) return false;
                var o = new TimeSpan(oh, om, 0);
                offset = zone[0] == '-' ? -o : o;
            }
            else return false;
        }
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || year < 1 || hour > 23 || minute > 59 || second > 59) return false;
        wallClock = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        return true;
    }

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

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseDecimal(ReadOnlySpan<char> text, out decimal value) =>
        decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return s.Length > 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsAllDigits(ReadOnlySpan<char> s)
    {
        var start = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
        if (s.Length == start) return false;
        foreach (var c in s[start..]) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool HasZone(ReadOnlySpan<char> s) => s.EndsWith("Z") || s.EndsWith("z") || s.LastIndexOfAny('+', '-') > 10 || s.Contains("GMT", StringComparison.OrdinalIgnoreCase) || s.Contains("UTC", StringComparison.OrdinalIgnoreCase);
}
