using System.Globalization;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Checks;

/// <summary>
/// A column the load will write: the table's column (when the table exists), or the config's (when it is
/// new, or the column is to be added). <see cref="Type"/> is what the column will be once the plan has run:
/// a config asking for a longer varchar widens the table's, a shorter one leaves it as it is.
/// </summary>
internal sealed record CheckColumn(string Name, ColumnType Type, bool InConfig);

/// <summary>
/// The comparisons of the source check (issue 17 §2), free of I/O so that they are tested on their own:
/// what the head of a source says (keys seen, a header line, a Parquet schema, sampled values) against the
/// config and the table. Errors throw; warnings are sentences for people that say what, which column and
/// what to change.
/// </summary>
internal static class HeadComparison
{
    /// <summary>
    /// The columns the load writes, in the order the table will have them: the existing table's columns,
    /// then the config's columns it lacks (they are appended); without a table, the config's.
    /// </summary>
    public static IReadOnlyList<CheckColumn> TargetColumns(TableConfig config, TableState? table)
    {
        if (table is not { Exists: true }) return [.. config.Columns.Select(c => new CheckColumn(c.Name, c.Type, true))];
        var columns = new List<CheckColumn>();
        foreach (var existing in table.Columns)
        {
            var wanted = config.Column(existing.Name);
            var type = (existing.Type, wanted?.Type) switch
            {
                ({ Kind: ColumnKind.Varchar } have, { Kind: ColumnKind.Varchar } want) => have.Length >= want.Length ? have : want,
                ({ } have, _) => have,
                (null, { } want) => want,
                // A type Redshifter does not know: the load refuses it elsewhere; here it takes text, unchecked.
                _ => new ColumnType(ColumnKind.Varchar, 65535),
            };
            columns.Add(new CheckColumn(existing.Name, type, wanted != null));
        }
        foreach (var c in config.Columns.Where(c => !table.Columns.Any(e => e.Name.Equals(c.Name, StringComparison.OrdinalIgnoreCase))))
            columns.Add(new CheckColumn(c.Name, c.Type, true));
        return columns;
    }

    /// <summary>
    /// JSON keys against the columns: keys no column takes (COPY ignores them) and config columns that no
    /// sampled record has (they will be NULL or their default). Keys match columns case-insensitively.
    /// </summary>
    public static List<string> JsonKeys(IEnumerable<string> keysSeen, IReadOnlyList<CheckColumn> columns, int records, string uri)
    {
        var warnings = new List<string>();
        if (records == 0) return warnings; // an empty source is refused by the load itself
        var seen = new HashSet<string>(keysSeen, StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        var ignored = seen.Where(k => !names.Contains(k)).Order(StringComparer.OrdinalIgnoreCase).ToList();
        var sample = Sample(records);
        if (ignored.Count > 0)
            warnings.Add($"{uri}: ignored keys: {Quoted(ignored)} — no column takes {(ignored.Count == 1 ? "it" : "them")} ({sample}), so COPY drops {(ignored.Count == 1 ? "its values" : "their values")}. " +
                $"To keep {(ignored.Count == 1 ? "it" : "them")}, add {(ignored.Count == 1 ? "a column" : "columns")} of that name to the config.");
        var missing = columns.Where(c => c.InConfig && !seen.Contains(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
            warnings.Add($"{uri}: config column{(missing.Count == 1 ? "" : "s")} {Quoted(missing)} {(missing.Count == 1 ? "is" : "are")} in no record ({sample}), so {(missing.Count == 1 ? "it" : "they")} will be loaded as NULL (or {(missing.Count == 1 ? "its" : "their")} default). " +
                "Check the key's spelling in the file and the column's dest in the config, or remove the column from the config.");
        return warnings;
    }

    /// <summary>
    /// A CSV/delimited header line (the one <c>-IgnoreHeader 1</c> skips) against the config's column
    /// order. Fields go into columns by position, so a column that the header names at another position is
    /// an error naming both orders, and so is a header with another number of fields; a header name that is
    /// no column at all is only a warning (the load does not read names).
    /// </summary>
    public static List<string> CsvHeader(IReadOnlyList<string> header, TableConfig config, string uri)
    {
        var names = header.Select(h => h.Trim()).ToList();
        var expected = config.Columns.Select(c => c.Name).ToList();
        var outOfPlace = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var at = expected.FindIndex(e => e.Equals(names[i], StringComparison.OrdinalIgnoreCase));
            if (at >= 0 && at != i) outOfPlace.Add($"'{expected[at]}' is field {i + 1} in the file but column {at + 1} in the config");
        }
        if (outOfPlace.Count > 0 || names.Count != expected.Count)
        {
            var problem = outOfPlace.Count > 0
                ? string.Join("; ", outOfPlace)
                : $"the header has {names.Count} field(s) and the config {expected.Count} column(s)";
            throw new RedshifterException(ErrorIds.SchemaMismatch, ErrorKind.InvalidData,
                $"The header of {uri} does not match the config {config.Source}: {problem}. The file's order is ({string.Join(", ", names)}); the config's is ({string.Join(", ", expected)}). " +
                "CSV fields are loaded by position, so every value would go into the wrong column. Nothing was changed.",
                "Reorder the columns in the config to the file's order (or export the file in the config's order); for a table that exists, its columns must keep the config's order.",
                uri);
        }
        var warnings = new List<string>();
        var renamed = names.Select((n, i) => (Name: n, Column: expected[i]))
            .Where(p => !p.Name.Equals(p.Column, StringComparison.OrdinalIgnoreCase)).ToList();
        if (renamed.Count > 0)
            warnings.Add($"{uri}: the header names {string.Join(", ", renamed.Select(p => $"'{p.Name}'"))} where the config has {string.Join(", ", renamed.Select(p => $"'{p.Column}'"))}; " +
                "the values are loaded by position into the config's columns. Rename the columns in the config (or the file's header) if they are not the same data.");
        return warnings;
    }

    /// <summary>
    /// A Parquet type as Parquet.Net reads it (<see cref="ParquetSource.Options"/>): its name in the file's
    /// terms (physical type and logical annotation), the config type that takes it, and the column kinds
    /// Redshift's COPY loads it into. COPY reads Parquet through Redshift Spectrum, which refuses a column
    /// whose type differs ("incompatible Parquet schema": INT64 into INTEGER, DECIMAL into BIGINT, a string
    /// into a number); the file's columns go into the table's by position and their counts must match:
    /// https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html. Where Redshift's
    /// rule is not certain (a wider integer, a date into a timestamp) the column is let through: the load decides.
    /// </summary>
    private sealed record ParquetKind(Type Clr, string Name, string ConfigType, params ColumnKind[] Takes);

    private static readonly ColumnKind[] Integers = [ColumnKind.SmallInt, ColumnKind.Int, ColumnKind.BigInt, ColumnKind.Numeric];

    private static readonly ParquetKind[] ParquetKinds =
    [
        new(typeof(bool), "BOOLEAN", "boolean", ColumnKind.Boolean),
        new(typeof(sbyte), "INT32 (INT_8)", "smallint", Integers),
        new(typeof(byte), "INT32 (UINT_8)", "smallint", Integers),
        new(typeof(short), "INT32 (INT_16)", "smallint", Integers),
        new(typeof(ushort), "INT32 (UINT_16)", "int", ColumnKind.Int, ColumnKind.BigInt, ColumnKind.Numeric),
        new(typeof(int), "INT32", "int", ColumnKind.Int, ColumnKind.BigInt, ColumnKind.Numeric),
        new(typeof(uint), "INT32 (UINT_32)", "bigint", ColumnKind.BigInt, ColumnKind.Numeric),
        new(typeof(long), "INT64", "bigint", ColumnKind.BigInt, ColumnKind.Numeric),
        new(typeof(ulong), "INT64 (UINT_64)", "numeric(20,0)", ColumnKind.Numeric),
        new(typeof(float), "FLOAT", "real", ColumnKind.Real, ColumnKind.Float),
        new(typeof(double), "DOUBLE", "float", ColumnKind.Float, ColumnKind.Real),
        new(typeof(decimal), "DECIMAL", "numeric", ColumnKind.Numeric),
        new(typeof(Parquet.Data.BigDecimal), "DECIMAL", "numeric", ColumnKind.Numeric),
        new(typeof(DateOnly), "INT32 (DATE)", "date", ColumnKind.Date, ColumnKind.Timestamp, ColumnKind.TimestampTz),
        new(typeof(DateTime), "TIMESTAMP", "timestamp", ColumnKind.Timestamp, ColumnKind.TimestampTz, ColumnKind.Date),
        // Parquet.Net 6 gives strings as ReadOnlyMemory<char>.
        new(typeof(ReadOnlyMemory<char>), "BYTE_ARRAY (STRING)", "varchar", ColumnKind.Varchar, ColumnKind.Char),
        new(typeof(string), "BYTE_ARRAY (STRING)", "varchar", ColumnKind.Varchar, ColumnKind.Char),
    ];

    /// <summary>
    /// A Parquet file's columns against the table's (by position, as COPY loads them): another count, or a
    /// column whose type the table's column cannot take, is an error naming the column and the type that fits.
    /// </summary>
    public static void ParquetColumns(IReadOnlyList<Parquet.Schema.DataField> fields, IReadOnlyList<CheckColumn> columns, string uri)
    {
        if (fields.Count != columns.Count)
            throw new RedshifterException(ErrorIds.SchemaMismatch, ErrorKind.InvalidData,
                $"{uri} has {fields.Count} column(s) ({string.Join(", ", fields.Select(f => f.Name))}) and the table {columns.Count} ({string.Join(", ", columns.Select(c => c.Name))}): " +
                "COPY loads Parquet columns by position, so the counts must match. Nothing was changed.",
                "Export the file with the table's columns in the table's order, or change the config to the file's columns.", uri);
        var wrong = new List<string>();
        var fixes = new List<string>();
        for (var i = 0; i < fields.Count; i++)
        {
            var kind = ParquetKinds.FirstOrDefault(k => k.Clr == fields[i].ClrType);
            var column = columns[i];
            if (kind == null || column.Type.Kind == ColumnKind.Super || kind.Takes.Contains(column.Type.Kind)) continue;
            var (name, configType) = fields[i] is Parquet.Schema.DecimalDataField d
                ? ($"DECIMAL({d.Precision},{d.Scale})", $"numeric({d.Precision},{d.Scale})")
                : (kind.Name, kind.ConfigType);
            wrong.Add($"Parquet column {i + 1} '{fields[i].Name}' is {name}, which column '{column.Name}' ({column.Type.RedshiftSql.ToLowerInvariant()}) cannot take");
            fixes.Add($"'{column.Name}' to {configType}");
        }
        if (wrong.Count > 0)
            throw new RedshifterException(ErrorIds.SchemaMismatch, ErrorKind.InvalidData,
                $"The schema of {uri} does not fit the table: {string.Join("; ", wrong)}. Redshift's COPY refuses such a file (\"incompatible Parquet schema\"). Nothing was changed.",
                $"Change the type in the config of {string.Join(", ", fixes)} (a table that exists must be changed too), or write the file with the types the columns have.",
                uri);
    }

    /// <summary>
    /// A warning per column whose sampled values do not fit it (varchar/char bytes, numeric range).
    /// <paramref name="widths"/> false: no warning for text too long, as the load that follows counts every value
    /// TRUNCATECOLUMNS cuts and says so once per column (the PostgreSQL loader); a second warning would repeat it.
    /// </summary>
    public static List<string> Values(IReadOnlyList<CheckColumn> columns, IReadOnlyList<ValueStats> stats, int records, string uri, bool widths = true)
    {
        var warnings = new List<string>();
        var sample = Sample(records);
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            var s = stats[i];
            switch (column.Type.Kind)
            {
                case ColumnKind.Varchar or ColumnKind.Char when widths && s.MaxBytes > (column.Type.Length ?? 256):
                    var width = column.Type.Length ?? 256;
                    var fix = s.MaxBytes <= 65535
                        ? $"change its type in the config to {(column.Type.Kind == ColumnKind.Char && s.MaxBytes <= 4096 ? "char" : "varchar")}({s.MaxBytes.ToString(CultureInfo.InvariantCulture)}) or wider"
                        : "no varchar holds it (65535 bytes at most): shorten the values, or make the column super";
                    warnings.Add($"{uri}: column '{column.Name}' is {column.Type.RedshiftSql.ToLowerInvariant()} but its longest value ({sample}) is {s.MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes " +
                        $"(UTF-8, as Redshift counts), over its {width.ToString("N0", CultureInfo.InvariantCulture)}; COPY's TRUNCATECOLUMNS would cut such values silently. To keep them whole, {fix}.");
                    break;
                case ColumnKind.Numeric when s.MaxIntegerDigits > (column.Type.Precision ?? 18) - (column.Type.Scale ?? 0):
                    var scale = column.Type.Scale ?? 0;
                    var precision = s.MaxIntegerDigits + scale;
                    var numericFix = precision <= 38
                        ? $"change its type in the config to numeric({precision.ToString(CultureInfo.InvariantCulture)},{scale.ToString(CultureInfo.InvariantCulture)}) or wider"
                        : $"no numeric holds it with scale {scale.ToString(CultureInfo.InvariantCulture)} (38 digits at most): lower the scale, or make the column float";
                    warnings.Add($"{uri}: column '{column.Name}' is {column.Type.RedshiftSql.ToLowerInvariant()} (at most {((column.Type.Precision ?? 18) - scale).ToString(CultureInfo.InvariantCulture)} digits before the point) " +
                        $"but a value ({sample}) has {s.MaxIntegerDigits.ToString(CultureInfo.InvariantCulture)}: '{s.WidestNumber}' is out of its range and the load would fail on it. To take it, {numericFix}.");
                    break;
            }
            if (widths && column.Type.Kind == ColumnKind.Numeric && s.MostDecimalPlaces > (column.Type.Scale ?? 0))
            {
                warnings.Add($"{uri}: column '{column.Name}' is {column.Type.RedshiftSql.ToLowerInvariant()} ({(column.Type.Scale ?? 0).ToString(CultureInfo.InvariantCulture)} decimal place(s)) " +
                    $"but a value ({sample}) has {s.MostDecimalPlaces.ToString(CultureInfo.InvariantCulture)}: '{s.FinestNumber}'; COPY would cut such values to its scale silently (it truncates, without ROUNDEC). " +
                    $"To keep them whole, {ScaleFix(column.Type, s.MostDecimalPlaces)}.");
            }
        }
        return warnings;
    }

    /// <summary>The config change that keeps values of <paramref name="places"/> decimal places whole in a numeric column, keeping its digits before the point.</summary>
    internal static string ScaleFix(ColumnType type, int places)
    {
        var integerDigits = (type.Precision ?? 18) - (type.Scale ?? 0);
        var precision = integerDigits + places;
        return precision <= 38
            ? $"change its type in the config to numeric({precision.ToString(CultureInfo.InvariantCulture)},{places.ToString(CultureInfo.InvariantCulture)})"
            : $"no numeric keeps {integerDigits.ToString(CultureInfo.InvariantCulture)} digits before the point and {places.ToString(CultureInfo.InvariantCulture)} after it (38 digits at most): make the column float, or round the values before the load";
    }

    private static string Sample(int records) => $"in the first {records.ToString("N0", CultureInfo.InvariantCulture)} record{(records == 1 ? "" : "s")}";

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}

/// <summary>What the sample holds of one column: its longest text in UTF-8 bytes, its widest number.</summary>
internal sealed class ValueStats
{
    public int MaxBytes { get; private set; }
    public int MaxIntegerDigits { get; private set; }
    public string? WidestNumber { get; private set; }
    /// <summary>The most decimal places a number of the sample needs (trailing zeros do not count), and that number.</summary>
    public int MostDecimalPlaces { get; private set; }
    public string? FinestNumber { get; private set; }

    public void AddText(int utf8Bytes)
    {
        if (utf8Bytes > MaxBytes) MaxBytes = utf8Bytes;
    }

    /// <summary>A value for a numeric column, as written; values that are not numbers are the load's to report.</summary>
    public void AddNumber(string text)
    {
        var digits = IntegerDigits(text);
        if (digits is { } d && d > MaxIntegerDigits)
        {
            MaxIntegerDigits = d;
            WidestNumber = Excerpt(text);
        }
        if (digits != null && ExactNumeric.TryParse(text, 0, out _, out var places) && places > MostDecimalPlaces)
        {
            MostDecimalPlaces = places;
            FinestNumber = Excerpt(text);
        }
    }

    private static string Excerpt(string text) => text.Length > 60 ? text[..60] + "…" : text.Trim();

    /// <summary>
    /// Digits before the decimal point of a decimal number (sign, leading zeros and exponent accounted for),
    /// counted on the text so that 38-digit values are exact; null when it is not a number.
    /// </summary>
    internal static int? IntegerDigits(ReadOnlySpan<char> text)
    {
        var t = text.Trim();
        if (t.Length > 0 && t[0] is '+' or '-') t = t[1..];
        var exponent = 0;
        var e = t.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!int.TryParse(t[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 1000) return null;
            t = t[..e];
        }
        var point = t.IndexOf('.');
        var whole = point >= 0 ? t[..point] : t;
        var fraction = point >= 0 ? t[(point + 1)..] : [];
        if (whole.Length + fraction.Length == 0) return null;
        foreach (var c in whole) if (!char.IsAsciiDigit(c)) return null;
        foreach (var c in fraction) if (!char.IsAsciiDigit(c)) return null;
        // The digits with the point moved by the exponent: the integer part is what stays left of it.
        var all = string.Concat(whole, fraction).TrimStart('0');
        var leadingZeros = whole.Length + fraction.Length - string.Concat(whole, fraction).TrimStart('0').Length;
        if (all.Length == 0) return 0;
        var integerDigits = whole.Length + exponent - leadingZeros;
        return Math.Clamp(integerDigits, 0, all.Length + Math.Max(0, exponent));
    }
}
