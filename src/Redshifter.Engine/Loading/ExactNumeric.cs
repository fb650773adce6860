using System.Globalization;
using System.Numerics;

namespace Redshifter.Engine.Loading;

/// <summary>
/// Numeric values carried exactly from the file to PostgreSQL's binary numeric: as an unscaled integer at
/// the column's scale (a value of numeric(38,10) is 38 digits, which Int128 holds: |v| &lt; 10^38 &lt; 2^127).
/// Never through .NET decimal, whose 28-29 significant digits would round a Redshift DECIMAL(38,s)
/// silently. More fractional digits than the scale are cut (toward zero), as Redshift's COPY does
/// without ROUNDEC ("COPY truncates values when necessary to fit the scale of the column":
/// https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html#copy-roundec);
/// each parse says how many decimal places the value had, so that the load can count and report the cuts.
/// More integer digits than precision minus scale is an error, never a rounded value.
/// </summary>
internal static class ExactNumeric
{
    public const int MaxPrecision = 38;

    private static readonly Int128[] Powers = BuildPowers();

    private static Int128[] BuildPowers()
    {
        var p = new Int128[MaxPrecision + 1];
        p[0] = 1;
        for (var i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }

    /// <summary>10^n for n in 0..38.</summary>
    public static Int128 Pow10(int n) => Powers[n];

    /// <summary>Whether an unscaled value has at most <paramref name="precision"/> digits.</summary>
    public static bool Fits(Int128 unscaled, int precision) => Int128.Abs(unscaled) < Powers[Math.Min(precision, MaxPrecision)];

    /// <summary>The digits of an unscaled value: the least precision that holds it (at least 1).</summary>
    public static int Digits(Int128 unscaled)
    {
        var digits = 1;
        while (digits < MaxPrecision && !Fits(unscaled, digits)) digits++;
        return digits;
    }

    /// <summary>
    /// Parses a decimal number (sign, digits, an optional fraction and exponent: "-12.5", "1e3", ".5") to
    /// its unscaled value at <paramref name="scale"/>, digits past the scale cut. False when it is not a number,
    /// or has more than 38 significant digits before the scale. <paramref name="places"/>: the decimal places
    /// the value needs to be exact (its last non-zero digit's), at least <paramref name="scale"/>; more means digits were cut.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, int scale, out Int128 unscaled, out int places)
    {
        unscaled = 0;
        places = scale;
        text = text.Trim();
        var i = 0;
        var negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
        // The digits as written, with the position of the decimal point among them.
        var digitsStart = i;
        var digitCount = 0;
        var pointAt = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c)) digitCount++;
            else if (c == '.' && pointAt < 0) pointAt = digitCount;
            else break;
        }
        if (digitCount == 0) return false;
        var exponent = 0;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-')) expNegative = text[i++] == '-';
            var expStart = i;
            for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                exponent = exponent * 10 + (text[i] - '0');
                if (exponent > 1000) return false;
            }
            if (i == expStart) return false;
            if (expNegative) exponent = -exponent;
        }
        if (i != text.Length) return false;
        if (pointAt < 0) pointAt = digitCount;

        // Digit k (0-based among the digits) has weight 10^(pointAt - 1 - k + exponent); at the scale it
        // contributes to the unscaled value with exponent e = pointAt - 1 - k + exponent + scale.
        Int128 value = 0;
        var significant = 0;
        var k = 0;
        foreach (var c in text[digitsStart..])
        {
            if (c == '.') continue;
            if (!char.IsAsciiDigit(c)) break;
            var d = c - '0';
            var e = pointAt - 1 - k + exponent + scale;
            k++;
            if (e < 0)
            {
                // Past the scale: cut, remembering how far the value's digits go.
                if (d != 0 && scale - e > places) places = scale - e;
                continue;
            }
            if (value == 0 && d == 0 && significant == 0) continue;
            significant++;
            if (significant > MaxPrecision) return false;
            value = value * 10 + d;
        }
        // The last written digit's exponent at the scale: when positive, the written digits stop short of
        // the scale and the value is scaled up by what they lack.
        var lastE = pointAt - digitCount + exponent + scale;
        if (lastE > 0)
        {
            if (value != 0 && significant + lastE > MaxPrecision) return false;
            if (value != 0) value *= Powers[Math.Min(lastE, MaxPrecision)];
        }
        if (value >= Powers[MaxPrecision]) return false;
        unscaled = negative ? -value : value;
        return true;
    }

    /// <summary>A .NET decimal at <paramref name="scale"/>, exactly (cut past the scale, <paramref name="places"/> as in <see cref="TryParse"/>); false when it has more than 38 digits there.</summary>
    public static bool TryFromDecimal(decimal value, int scale, out Int128 unscaled, out int places)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var valueScale = (bits[3] >> 16) & 0xFF;
        var mantissa = (Int128)new UInt128((uint)bits[2], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        if (bits[3] < 0) mantissa = -mantissa;
        return TryFromBigInteger((BigInteger)mantissa, valueScale, scale, out unscaled, out places);
    }

    /// <summary>An unscaled integer of any size at <paramref name="fromScale"/> (a Parquet DECIMAL), moved to <paramref name="scale"/> (cut past it, <paramref name="places"/> as in <see cref="TryParse"/>).</summary>
    public static bool TryFromBigInteger(BigInteger value, int fromScale, int scale, out Int128 unscaled, out int places)
    {
        unscaled = 0;
        places = scale;
        if (fromScale > scale)
        {
            // BigInteger division truncates toward zero: the cut Redshift's COPY makes.
            value = BigInteger.DivRem(value, BigInteger.Pow(10, fromScale - scale), out var remainder);
            if (!remainder.IsZero)
            {
                places = fromScale;
                while (remainder % 10 == 0) { remainder /= 10; places--; }
            }
        }
        else if (fromScale < scale)
        {
            value *= BigInteger.Pow(10, scale - fromScale);
        }
        if (BigInteger.Abs(value) >= (BigInteger)Powers[MaxPrecision]) return false;
        unscaled = (Int128)value;
        return true;
    }

    /// <summary>The value as text ("-123.4500" at scale 4).</summary>
    public static string Format(Int128 unscaled, int scale)
    {
        var negative = unscaled < 0;
        var digits = (negative ? (UInt128)(-unscaled) : (UInt128)unscaled).ToString(CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            if (digits.Length <= scale) digits = new string('0', scale - digits.Length + 1) + digits;
            digits = digits[..^scale] + "." + digits[^scale..];
        }
        return negative ? "-" + digits : digits;
    }

    /// <summary>The value as a .NET decimal when it has at most 28 digits; otherwise its text.</summary>
    public static object ToClrValue(Int128 unscaled, int scale) =>
        Int128.Abs(unscaled) < Powers[28] && scale <= 28
            ? new decimal((int)(ulong)(UInt128)Int128.Abs(unscaled), (int)((ulong)(UInt128)Int128.Abs(unscaled) >> 32), (int)(ulong)((UInt128)Int128.Abs(unscaled) >> 64), unscaled < 0, (byte)scale)
            : Format(unscaled, scale);
}
