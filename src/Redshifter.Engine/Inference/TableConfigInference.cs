using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Inference;

/// <summary>What the user asked of the inferred config.</summary>
public sealed record InferenceOptions
{
    public required string Schema { get; init; }
    public required string Table { get; init; }
    /// <summary>-DataDateColumn; null = chosen from the names and types seen.</summary>
    public string? DataDateColumn { get; init; }
    public string? DistKey { get; init; }
    /// <summary>-SortKey columns in order; null = the data-date column.</summary>
    public IReadOnlyList<string>? SortKey { get; init; }
    /// <summary>Where the sample came from, for the header comment.</summary>
    public string? SourceUri { get; init; }
}

/// <summary>
/// Infers a table config (DESIGN.md section 4) from sampled records: one <see cref="ColumnProfile"/> per
/// key, in first-seen order, names lower-cased and checked as identifiers. Feed it records with
/// <see cref="BeginRecord"/>/<see cref="Observe"/>, then <see cref="ToYaml"/>.
/// </summary>
public sealed partial class TableConfigInference
{
    /// <summary>Names that say "this is the data's date", in order of preference.</summary>
    public static readonly string[] DataDateNames = ["_data_timestamp", "timestamp", "time", "date", "updated_at", "created_at"];

    private readonly Dictionary<string, ColumnProfile> _byName = new(StringComparer.Ordinal);
    private readonly List<ColumnProfile> _columns = [];

    public long Records { get; private set; }
    public IReadOnlyList<ColumnProfile> Columns => _columns;

    public void BeginRecord() => Records++;

    /// <summary>One value of the current record. Keys are matched case-insensitively (as the loader does).</summary>
    public void Observe(string key, SampleKind kind, string? text) => Profile(key).Observe(kind, text);

    /// <summary>A column whose type the source declares (a Parquet schema): values seen size it, but never change its type.</summary>
    public void Declare(string key, InferredType type, int precision = 0, int scale = 0) => Profile(key).Declare(type, precision, scale);

    private ColumnProfile Profile(string key)
    {
        var name = key.ToLowerInvariant();
        if (!_byName.TryGetValue(name, out var profile))
        {
            var problem = Identifier.Problem(name);
            if (problem != null)
            {
                var suggestion = SuggestName(name);
                throw new RedshifterException(ErrorIds.InvalidConfig, ErrorKind.InvalidData,
                    $"The field '{key}' cannot be a column name: {problem}.",
                    $"Rename the field in the data, or write the config by hand and map it; a valid name would be '{suggestion}'.",
                    key);
            }
            profile = new ColumnProfile(name);
            // A key first seen in a later record was null (absent) in every record before it.
            for (var i = 1; i < Records; i++) profile.Observe(SampleKind.Null, null);
            _byName.Add(name, profile);
            _columns.Add(profile);
        }
        return profile;
    }

    /// <summary>Marks the keys a record did not have as null for that record (call after its values).</summary>
    public void EndRecord(IReadOnlySet<string> keysSeen)
    {
        foreach (var c in _columns)
        {
            if (!keysSeen.Contains(c.Name)) c.Observe(SampleKind.Null, null);
        }
    }

    /// <summary>A valid identifier close to <paramref name="name"/>: invalid characters become underscores.</summary>
    public static string SuggestName(string name)
    {
        var s = InvalidChars().Replace(name.ToLowerInvariant(), "_").Trim('_');
        if (s.Length == 0) s = "column";
        if (char.IsDigit(s[0])) s = "_" + s;
        return s.Length > 127 ? s[..127] : s;
    }

    /// <summary>The data-date column: the one asked for, else a date/timestamp column with a telling name.</summary>
    public string ChooseDataDateColumn(string? requested)
    {
        if (requested != null)
        {
            var name = requested.ToLowerInvariant();
            if (!_byName.ContainsKey(name))
                throw RedshifterException.InvalidArgument(
                    $"-DataDateColumn '{requested}' is not a field of the sampled data (fields: {string.Join(", ", _columns.Select(c => c.Name))}).",
                    "Name one of the fields listed, or leave -DataDateColumn out to let Redshifter choose.", requested);
            return name;
        }
        var temporal = _columns.Where(c => c.Type is InferredType.Date or InferredType.Timestamp or InferredType.TimestampTz).ToList();
        foreach (var preferred in DataDateNames)
        {
            var match = temporal.FirstOrDefault(c => c.Name == preferred);
            if (match != null) return match.Name;
        }
        var named = temporal.FirstOrDefault(c => DataDateNames.Any(n => c.Name.EndsWith("_" + n, StringComparison.Ordinal) || c.Name.EndsWith(n, StringComparison.Ordinal)));
        if (named != null) return named.Name;
        var candidates = temporal.Count > 0 ? $"date/time fields seen: {string.Join(", ", temporal.Select(c => c.Name))}" : "no field holds dates or times";
        throw RedshifterException.InvalidArgument(
            $"Cannot choose the data-date column ({candidates}).",
            "Give it with -DataDateColumn <field>: the field that holds each record's date, used to refresh and to decide freshness.", "DataDateColumn");
    }

    /// <summary>The config as YAML text, commented with what the sample showed.</summary>
    public string ToYaml(InferenceOptions options)
    {
        if (_columns.Count == 0)
            throw new RedshifterException(ErrorIds.InvalidConfig, ErrorKind.InvalidData,
                $"The sample of {options.SourceUri ?? "the source"} has no fields: no config can be inferred.",
                "Check that the file holds JSON objects or delimited text with data, and its format and compression.", options.SourceUri);
        var dataDate = ChooseDataDateColumn(options.DataDateColumn);
        var distKey = options.DistKey?.ToLowerInvariant();
        if (distKey != null && !_byName.ContainsKey(distKey))
            throw RedshifterException.InvalidArgument($"-DistKey '{options.DistKey}' is not a field of the sampled data.", "Name one of the fields, or leave -DistKey out.", options.DistKey);
        var sortKey = (options.SortKey ?? [dataDate]).Select(s => s.ToLowerInvariant()).ToList();
        foreach (var s in sortKey.Where(s => !_byName.ContainsKey(s)))
            throw RedshifterException.InvalidArgument($"-SortKey '{s}' is not a field of the sampled data.", "Name fields of the data, or leave -SortKey out (the data-date column).", s);

        var y = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        y.Append(ci, $"# Table config for {options.Schema}.{options.Table}, inferred by New-RedshiftTableConfig").Append('\n');
        if (options.SourceUri != null) y.Append(ci, $"# from {options.SourceUri}").Append('\n');
        y.Append(ci, $"# sample: {Records:N0} records. Review the types before the first load.").Append('\n');
        y.Append(Key(options.Table)).Append(":\n");
        y.Append("  dest: ").Append(options.Table).Append('\n');
        y.Append("  columns:\n");
        foreach (var c in _columns)
        {
            y.Append("    - dest: ").Append(c.Name).Append('\n');
            y.Append("      type: ").Append(c.ConfigType);
            y.Append(ci, $"  # {Describe(c)}").Append('\n');
            if (c.Name == dataDate && c.Nulls == 0) y.Append("      notnull: true\n");
            if (c.Name == distKey) y.Append("      distkey: true\n");
            var ordinal = sortKey.IndexOf(c.Name);
            if (ordinal >= 0) y.Append(ci, $"      sortord: {ordinal + 1}").Append('\n');
        }
        y.Append("  meta:\n");
        y.Append("    schema: ").Append(options.Schema).Append('\n');
        y.Append("    datadatecolumn: ").Append(dataDate).Append('\n');
        return y.ToString();
    }

    private static string Describe(ColumnProfile c)
    {
        var ci = CultureInfo.InvariantCulture;
        if (c.Values == 0) return c.Declared ? string.Create(ci, $"all {c.Nulls:N0} values null; type from the file's schema") : string.Create(ci, $"all {c.Nulls:N0} values null: type unknown, text assumed");
        var text = string.Create(ci, $"{c.Values:N0} values");
        if (c.Nulls > 0) text += string.Create(ci, $", {c.Nulls:N0} null");
        if (c.Type == InferredType.Varchar) text += string.Create(ci, $", longest {c.MaxBytes:N0} bytes");
        return text;
    }

    // YAML keys that could be read as something else are quoted.
    private static string Key(string name) => name is "true" or "false" or "null" or "yes" or "no" or "on" or "off" ? $"\"{name}\"" : name;

    [GeneratedRegex(@"[^\p{L}\p{N}_$]+")]
    private static partial Regex InvalidChars();
}
