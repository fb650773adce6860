using System.Globalization;
using System.Text.RegularExpressions;

namespace Redshifter.Engine.Sources;

/// <summary>
/// The name rules of DESIGN.md section 3: <c>&lt;schema&gt;_&lt;table&gt;_&lt;RFC 3339 date&gt;[.&lt;suffix&gt;]</c>,
/// the suffixes and their precedence, and the config beside a data file.
/// </summary>
public static partial class SourceName
{
    /// <summary>Suffixes in order of precedence when several files share a date ("" = no suffix).</summary>
    public static readonly string[] Suffixes =
        ["manifest", "parquet", "json.gz", "json.zst", "json.bz2", "json", "csv.gz", "csv.zst", "csv.bz2", "csv", "gz", ""];

    /// <summary>A data file's name, parsed.</summary>
    public sealed record Parsed(string DateText, DateTimeOffset Date, string Suffix, DataFormat Format, Compression Compression, bool IsManifest)
    {
        /// <summary>0 = most preferred.</summary>
        public int Precedence => Array.IndexOf(Suffixes, Suffix);
    }

    /// <summary>What every data key of the table starts with, after the folder: <c>schema_table_</c>.</summary>
    public static string BaseName(string schema, string table) => $"{schema}_{table}_";

    /// <summary>
    /// Parses the file name (the part after the folder) of a key for a table. Null when the name is not a
    /// data file of exactly this table: another table, a config, a date that does not parse, an unknown suffix.
    /// <paramref name="why"/> says why, for -Verbose, when the name looked like the table's but was rejected.
    /// </summary>
    public static Parsed? TryParse(string fileName, string schema, string table, out string? why)
    {
        why = null;
        var baseName = BaseName(schema, table);
        if (!fileName.StartsWith(baseName, StringComparison.Ordinal)) return null;
        var rest = fileName[baseName.Length..];
        // Another table whose name extends this one (pages → pages_v2_…): the date must follow at once.
        if (rest.Length == 0 || !char.IsAsciiDigit(rest[0])) return null;
        var m = DateAndSuffix().Match(rest);
        if (!m.Success)
        {
            why = $"'{fileName}' is skipped: the text after '{baseName}' is not an RFC 3339 date followed by a known suffix.";
            return null;
        }
        var dateText = m.Groups["date"].Value;
        if (!DateTimeOffset.TryParseExact(dateText, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            why = $"'{fileName}' is skipped: '{dateText}' is not a valid date.";
            return null;
        }
        var suffix = m.Groups["suffix"].Success ? m.Groups["suffix"].Value.ToLowerInvariant() : "";
        if (suffix is "yml" or "yaml") return null;
        if (!Suffixes.Contains(suffix))
        {
            why = $"'{fileName}' is skipped: '.{suffix}' is not a data file suffix ({string.Join(", ", Suffixes.Where(s => s.Length > 0))}, or none).";
            return null;
        }
        var (format, compression) = Describe(suffix);
        return new Parsed(dateText, date, suffix, format, compression, suffix == "manifest");
    }

    /// <summary>Format and compression of a suffix (a manifest's are decided by its entries).</summary>
    public static (DataFormat Format, Compression Compression) Describe(string suffix) => suffix switch
    {
        "parquet" => (DataFormat.Parquet, Compression.None),
        "json.gz" => (DataFormat.Json, Compression.Gzip),
        "json.zst" => (DataFormat.Json, Compression.Zstd),
        "json.bz2" => (DataFormat.Json, Compression.Bzip2),
        "json" => (DataFormat.Json, Compression.None),
        "csv.gz" => (DataFormat.Csv, Compression.Gzip),
        "csv.zst" => (DataFormat.Csv, Compression.Zstd),
        "csv.bz2" => (DataFormat.Csv, Compression.Bzip2),
        "csv" => (DataFormat.Csv, Compression.None),
        "gz" => (DataFormat.Delimited, Compression.Gzip),
        _ => (DataFormat.Delimited, Compression.None),
    };

    /// <summary>Format and compression from any object name (a manifest entry's URL), by its ending.</summary>
    public static (DataFormat Format, Compression Compression) DescribeObject(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..].ToLowerInvariant();
        foreach (var suffix in Suffixes.Where(s => s.Length > 0 && s != "manifest"))
        {
            if (name.EndsWith("." + suffix, StringComparison.Ordinal)) return Describe(suffix);
        }
        if (name.EndsWith(".zst", StringComparison.Ordinal)) return (DataFormat.Delimited, Compression.Zstd);
        if (name.EndsWith(".bz2", StringComparison.Ordinal)) return (DataFormat.Delimited, Compression.Bzip2);
        return (DataFormat.Delimited, Compression.None);
    }

    /// <summary>The config beside a data file: same folder, <c>config_schema_table_date.yml</c>.</summary>
    public static string ConfigKey(string dataKey, string schema, string table, string dateText, string extension = "yml")
    {
        var folder = dataKey[..(dataKey.LastIndexOf('/') + 1)];
        return $"{folder}config_{BaseName(schema, table)}{dateText}.{extension}";
    }

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))(\.(?<suffix>[A-Za-z0-9.]+))?$")]
    private static partial Regex DateAndSuffix();
}
