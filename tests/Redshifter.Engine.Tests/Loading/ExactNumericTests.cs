using System.Globalization;
using System.Numerics;
using System.Text;
using Parquet;
using Parquet.Schema;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Loading;

/// <summary>
/// Issue 16 §1: numeric values are exact to 38 digits from the file to the table — JSON, CSV and Parquet —
/// and a value that does not fit its column is an error, never a rounded value.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ExactNumericTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly string _schema = "num_" + Guid.NewGuid().ToString("N")[..10];
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync()
    {
        _bucket = await _storage.NewBucketAsync();
        await fixture.SqlAsync($"CREATE SCHEMA \"{_schema}\"");
    }

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private async Task<CopyOutcome> Copy(string table, string key, byte[] body, DataFormat format)
    {
        await _storage.PutAsync(_bucket, key, body, CancellationToken.None);
        return await CopyRunner.CopyAsync(fixture.Database, _storage, new SourceFile { Bucket = _bucket, Key = key, Schema = _schema, Table = table, Format = format },
            false, NullEngineLog.Instance, AlwaysApprove.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task The_issue_s_values_are_stored_exactly()
    {
        await fixture.SqlAsync($"CREATE TABLE \"{_schema}\".big (a NUMERIC(38,12), b NUMERIC(38,10))");
        await Copy("big", "big.json", Encoding.UTF8.GetBytes("""{"a":12345678901234567890123456.123456789012,"b":"617283945061728340130.4770609152"}"""), DataFormat.Json);
        Assert.Equal(["12345678901234567890123456.123456789012|617283945061728340130.4770609152"],
            await fixture.RowsAsync($"SELECT a::text, b::text FROM \"{_schema}\".big"));

        // The same as a Parquet FIXED_LEN_BYTE_ARRAY DECIMAL(38,10).
        await fixture.SqlAsync($"CREATE TABLE \"{_schema}\".bigp (b NUMERIC(38,10))");
        var field = new BigDecimalDataField("b", 38, 10);
        var file = await ParquetTestData.WriteAsync(new ParquetSchema(field), g => g.WriteAsync<Parquet.Data.BigDecimal>(field,
            new[] { new Parquet.Data.BigDecimal(BigInteger.Parse("6172839450617283401304770609152", CultureInfo.InvariantCulture), 38, 10) }));
        await Copy("bigp", "big.parquet", file, DataFormat.Parquet);
        Assert.Equal(["617283945061728340130.4770609152"], await fixture.RowsAsync($"SELECT b::text FROM \"{_schema}\".bigp"));
    }

    /// <summary>
    /// More decimal places than the column's scale: cut, as Redshift's COPY cuts them without ROUNDEC (20.259 into
    /// DECIMAL(8,2) is 20.25), from JSON, CSV and a Parquet DECIMAL of a larger scale alike; and never silently:
    /// the load counts them and says which scale keeps them whole.
    /// </summary>
    [Theory]
    [InlineData(DataFormat.Json)]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Parquet)]
    public async Task Digits_past_the_scale_are_cut_as_Redshift_COPY_cuts_them_and_said(DataFormat format)
    {
        var table = "cut_" + format.ToString().ToLowerInvariant();
        await fixture.SqlAsync($"CREATE TABLE \"{_schema}\".{table} (id INT, amount NUMERIC(8,2))");
        string[] written = ["20.259", "-20.259", "1.10000", "0.00001", "7"];
        byte[] file;
        if (format == DataFormat.Parquet)
        {
            var schema = new ParquetSchema(new DataField<int>("id"), new DecimalDataField("amount", 12, 5));
            file = await ParquetTestData.WriteAsync(schema, async g =>
            {
                await g.WriteAsync<int>(schema.DataFields[0], Enumerable.Range(1, written.Length).ToArray());
                await g.WriteAsync<decimal>(schema.DataFields[1], written.Select(w => decimal.Parse(w, CultureInfo.InvariantCulture)).ToArray());
            });
        }
        else
        {
            file = Encoding.UTF8.GetBytes(string.Join("\n", written.Select((w, i) => format == DataFormat.Json ? $"{{\"id\":{i + 1},\"amount\":{w}}}" : $"{i + 1},{w}")));
        }
        var outcome = await Copy(table, table + "." + format.ToString().ToLowerInvariant(), file, format);

        Assert.Equal(["1|20.25", "2|-20.25", "3|1.10", "4|0.00", "5|7.00"], await fixture.RowsAsync($"SELECT id, amount::text FROM \"{_schema}\".{table} ORDER BY id"));
        Assert.Equal($"{_schema}.{table}: COPY cut 3 value(s) of column 'amount' to the 2 decimal place(s) of numeric(8,2) (Redshift's COPY truncates them too; it does not round); a value had 5: change its type in the config to numeric(11,5).",
            Assert.Single(outcome.Warnings));
    }

    [Fact]
    public async Task A_value_out_of_its_precision_fails_the_load_naming_line_and_column()
    {
        await fixture.SqlAsync($"CREATE TABLE \"{_schema}\".small (id INT, amount NUMERIC(5,2))");
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => Copy("small", "small.json", Encoding.UTF8.GetBytes("{\"id\":1,\"amount\":999.99}\n{\"id\":2,\"amount\":1000.00}\n"), DataFormat.Json));
        Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'amount'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("out of range for numeric(5,2)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.RowsAsync($"SELECT * FROM \"{_schema}\".small"));
    }

    /// <summary>Random decimals of every precision 1-38 and scale 0-precision, as JSON, CSV and Parquet, read back identical as text.</summary>
    [Theory]
    [InlineData(DataFormat.Json)]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Parquet)]
    public async Task Random_decimals_of_every_precision_and_scale_read_back_identical(DataFormat format)
    {
        var random = new Random(20261202 + (int)format);
        // Every precision, each with a random scale, and the extremes of scale.
        var types = Enumerable.Range(1, 38).Select(p => (P: p, S: random.Next(0, p + 1)))
            .Concat<(int P, int S)>([(38, 0), (38, 38), (1, 1), (1, 0), (29, 28), (38, 19)]).ToList();
        var table = "r" + (int)format;
        await fixture.SqlAsync($"CREATE TABLE \"{_schema}\".{table} ({string.Join(", ", types.Select((t, i) => $"c{i} NUMERIC({t.P},{t.S})"))})");
        const int rows = 40;
        var expected = new string[rows][];
        for (var r = 0; r < rows; r++)
            expected[r] = [.. types.Select(t => RandomDecimal(random, t.P, t.S, extreme: r < 2))];

        byte[] body;
        if (format == DataFormat.Json)
            body = Encoding.UTF8.GetBytes(string.Join("\n", expected.Select(row => "{" + string.Join(",", row.Select((v, i) => $"\"c{i}\":{v}")) + "}")));
        else if (format == DataFormat.Csv)
            body = Encoding.UTF8.GetBytes(string.Join("\n", expected.Select(row => string.Join(",", row))));
        else
        {
            var fields = types.Select((t, i) => new BigDecimalDataField($"c{i}", t.P, t.S)).ToArray();
            body = await ParquetTestData.WriteAsync(new ParquetSchema(fields), async g =>
            {
                for (var i = 0; i < fields.Length; i++)
                {
                    var (p, s) = types[i];
                    var column = expected.Select(row => new Parquet.Data.BigDecimal(BigInteger.Parse(row[i].Replace(".", "", StringComparison.Ordinal), CultureInfo.InvariantCulture), p, s)).ToArray();
                    await g.WriteAsync<Parquet.Data.BigDecimal>(fields[i], column);
                }
            });
        }
        var outcome = await Copy(table, table + (format == DataFormat.Parquet ? ".parquet" : format == DataFormat.Csv ? ".csv" : ".json"), body, format);
        Assert.Equal(rows, outcome.RowsLoaded);

        var stored = await fixture.RowsAsync($"SELECT {string.Join(", ", types.Select((_, i) => $"c{i}::text"))} FROM \"{_schema}\".{table}");
        Assert.Equal(expected.Select(row => string.Join("|", row.Select(Canonical))).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    /// <summary>A decimal of precision p and scale s written with exactly s fraction digits; the extreme rows use all nines.</summary>
    private static string RandomDecimal(Random random, int p, int s, bool extreme)
    {
        var intDigits = extreme ? p - s : random.Next(0, p - s + 1);
        var text = new StringBuilder();
        if (random.Next(2) == 0) text.Append('-');
        for (var i = 0; i < intDigits; i++) text.Append(extreme ? '9' : (char)('0' + random.Next(i == 0 ? 1 : 0, 10)));
        if (intDigits == 0) text.Append('0');
        if (s > 0)
        {
            text.Append('.');
            for (var i = 0; i < s; i++) text.Append(extreme ? '9' : (char)('0' + random.Next(10)));
        }
        return text.ToString();
    }

    /// <summary>How PostgreSQL prints the value of numeric(p,s) (a negative zero has no sign).</summary>
    private static string Canonical(string written) => written.TrimStart('-').All(c => c is '0' or '.') ? written.TrimStart('-') : written;

    /// <summary>
    /// Digits past the scale are cut toward zero, as Redshift's COPY does without ROUNDEC (its example: 20.259 into
    /// DECIMAL(8,2) is 20.25), and the parse says how many decimal places the value had.
    /// </summary>
    [Theory]
    [InlineData("20.259", 2, "20.25", 3)]
    [InlineData("1.5", 0, "1", 1)]
    [InlineData("-1.5", 0, "-1", 1)]
    [InlineData("2.4999", 2, "2.49", 4)]
    [InlineData("2.4900", 2, "2.49", 2)]
    [InlineData("1e3", 2, "1000.00", 2)]
    [InlineData("1.25E-1", 3, "0.125", 3)]
    [InlineData("1.25E-1", 1, "0.1", 3)]
    [InlineData(".5", 1, "0.5", 1)]
    [InlineData("-0.004", 2, "0.00", 3)]
    [InlineData("00012.3400", 4, "12.3400", 4)]
    [InlineData("99999999999999999999999999999999999999", 0, "99999999999999999999999999999999999999", 0)]
    [InlineData("0.99999999999999999999999999999999999999", 38, "0.99999999999999999999999999999999999999", 38)]
    [InlineData("0.999999999999999999999999999999999999999", 38, "0.99999999999999999999999999999999999999", 39)]
    [InlineData("-0.001", 3, "-0.001", 3)]
    [InlineData("0", 3, "0.000", 3)]
    [InlineData("-12.5", 3, "-12.500", 3)]
    [InlineData("99999999.9995", 3, "99999999.999", 4)]
    [InlineData("0.0005", 3, "0.000", 4)]
    public void Parses_exactly_and_cuts_past_the_scale_as_Redshift_COPY_does(string text, int scale, string expected, int places)
    {
        Assert.True(ExactNumeric.TryParse(text, scale, out var unscaled, out var had));
        Assert.Equal(expected, ExactNumeric.Format(unscaled, scale));
        Assert.Equal(places, had);
    }

    [Theory]
    [InlineData("20259", 3, 2, "20.25", 3)]
    [InlineData("-20259", 3, 2, "-20.25", 3)]
    [InlineData("20250", 3, 2, "20.25", 2)]
    [InlineData("2025", 2, 4, "20.2500", 4)]
    [InlineData("-99999999999999999999999999999999999999", 38, 10, "-0.9999999999", 38)]
    public void Parquet_decimals_move_to_the_column_scale_cut_as_text_is(string unscaledText, int fromScale, int scale, string expected, int places)
    {
        Assert.True(ExactNumeric.TryFromBigInteger(BigInteger.Parse(unscaledText, CultureInfo.InvariantCulture), fromScale, scale, out var unscaled, out var had));
        Assert.Equal(expected, ExactNumeric.Format(unscaled, scale));
        Assert.Equal(places, had);
        Assert.True(ExactNumeric.TryFromDecimal(decimal.Parse(ExactNumeric.Format(unscaled, scale), CultureInfo.InvariantCulture), scale, out var again, out var same));
        Assert.Equal(unscaled, again);
        Assert.Equal(scale, same);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1e")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("999999999999999999999999999999999999999")] // 39 digits
    public void Refuses_what_is_not_a_38_digit_number(string text) => Assert.False(ExactNumeric.TryParse(text, 0, out _, out _));

    [Fact]
    public void Parsing_agrees_with_BigInteger_arithmetic_on_random_numbers()
    {
        var random = new Random(42);
        for (var n = 0; n < 20000; n++)
        {
            var digits = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => (char)('0' + random.Next(10))));
            var point = random.Next(0, digits.Length + 1);
            var exponent = random.Next(-10, 10);
            var scale = random.Next(0, 12);
            var text = (random.Next(2) == 0 ? "-" : "") + digits[..point] + "." + digits[point..] + (exponent != 0 ? "e" + exponent.ToString(CultureInfo.InvariantCulture) : "");
            // Reference: value = digits * 10^(exponent - (len - point)); at the scale, cut toward zero; the places
            // are those of the last non-zero digit (at least the scale).
            var whole = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
            var shift = exponent - (digits.Length - point) + scale;
            BigInteger expected;
            var places = scale;
            if (shift >= 0) expected = whole * BigInteger.Pow(10, shift);
            else
            {
                expected = BigInteger.DivRem(whole, BigInteger.Pow(10, -shift), out var rem);
                for (var extra = 1; extra <= -shift && !rem.IsZero; extra++)
                    if (rem % BigInteger.Pow(10, -shift - extra) == 0) { places = scale + extra; break; }
            }
            if (text.StartsWith('-')) expected = -expected;
            var ok = ExactNumeric.TryParse(text, scale, out var unscaled, out var had);
            if (BigInteger.Abs(expected) >= BigInteger.Pow(10, 38)) { Assert.False(ok, text); continue; }
            Assert.True(ok, text);
            Assert.Equal(expected, (BigInteger)unscaled);
            Assert.Equal(places, had);
        }
    }
}
