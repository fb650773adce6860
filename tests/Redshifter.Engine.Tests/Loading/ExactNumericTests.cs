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

    [Theory]
    [InlineData("1.5", 0, "2")]
    [InlineData("-1.5", 0, "-2")]
    [InlineData("2.4999", 2, "2.50")]
    [InlineData("1e3", 2, "1000.00")]
    [InlineData("1.25E-1", 3, "0.125")]
    [InlineData(".5", 1, "0.5")]
    [InlineData("-0.004", 2, "0.00")]
    [InlineData("00012.3400", 4, "12.3400")]
    [InlineData("99999999999999999999999999999999999999", 0, "99999999999999999999999999999999999999")]
    [InlineData("0.99999999999999999999999999999999999999", 38, "0.99999999999999999999999999999999999999")]
    public void Parses_exactly_and_rounds_half_away_from_zero(string text, int scale, string expected)
    {
        Assert.True(ExactNumeric.TryParse(text, scale, out var unscaled));
        Assert.Equal(expected, ExactNumeric.Format(unscaled, scale));
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
    public void Refuses_what_is_not_a_38_digit_number(string text) => Assert.False(ExactNumeric.TryParse(text, 0, out _));

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
            // Reference: value = digits * 10^(exponent - (len - point)); at the scale, rounded half away from zero.
            var whole = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
            var shift = exponent - (digits.Length - point) + scale;
            BigInteger expected;
            if (shift >= 0) expected = whole * BigInteger.Pow(10, shift);
            else
            {
                var divisor = BigInteger.Pow(10, -shift);
                expected = BigInteger.DivRem(whole, divisor, out var rem);
                if (rem * 2 >= divisor) expected += 1;
            }
            if (text.StartsWith('-')) expected = -expected;
            var ok = ExactNumeric.TryParse(text, scale, out var unscaled);
            if (BigInteger.Abs(expected) >= BigInteger.Pow(10, 38)) { Assert.False(ok, text); continue; }
            Assert.True(ok, text);
            Assert.Equal(expected, (BigInteger)unscaled);
        }
    }
}
