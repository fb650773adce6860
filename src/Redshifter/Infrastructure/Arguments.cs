using System.Globalization;
using System.Management.Automation;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Storage;

namespace Redshifter.Infrastructure;

/// <summary>
/// Argument rules shared by the cmdlets, so that a bad argument gets the same clear
/// Redshifter.InvalidArgument error from every command (and changes nothing).
/// </summary>
internal static class Arguments
{
    /// <summary>
    /// A data date: a DateTimeOffset, a DateTime (Local/UTC as its kind says; Unspecified read as UTC), or an
    /// RFC 3339 string such as 2015-07-01T00:00:00Z. Parameters take object so that a bad string reaches
    /// this message instead of PowerShell's generic conversion error.
    /// </summary>
    public static DateTimeOffset? Date(object? value, string parameter)
    {
        value = value is PSObject pso ? pso.BaseObject : value;
        switch (value)
        {
            case null: return null;
            case DateTimeOffset o: return o;
            case DateTime d: return d.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(d, TimeSpan.Zero) : new DateTimeOffset(d);
            case string s when DateTimeOffset.TryParseExact(s.Trim(), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && (s.EndsWith('Z') || s.EndsWith('z') || s.LastIndexOfAny(['+', '-']) > 10):
                return parsed;
            default:
                throw RedshifterException.InvalidArgument(
                    $"-{parameter} '{value}' is not an RFC 3339 date and time with a zone.",
                    $"Write it like 2015-07-01T00:00:00Z (UTC) or 2015-07-01T02:00:00+02:00, or pass a [datetimeoffset].", value);
        }
    }

    /// <summary>-Table values: a list, a comma-separated string, or both; each a valid identifier.</summary>
    public static IReadOnlyList<string> Tables(IEnumerable<string> values)
    {
        var tables = Names(values, "Table");
        if (tables.Count == 0) throw RedshifterException.InvalidArgument("-Table is empty.", "Name one or more tables: -Table pages,sessions.", "Table");
        return tables;
    }

    /// <summary>
    /// -Mode with -UpsertKey and -PrecombineKey: the upsert's key columns ('a,b' or a list; empty = the
    /// primary key) and precombine column, or null for Append. The key options without -Mode Upsert, or an
    /// upsert with -Truncate, are refused rather than ignored.
    /// </summary>
    public static Engine.Loading.UpsertRequest? Upsert(LoadMode mode, string[]? upsertKey, string? precombineKey, bool truncate)
    {
        if (mode != LoadMode.Upsert)
        {
            if (upsertKey is { Length: > 0 } || !string.IsNullOrEmpty(precombineKey))
                throw RedshifterException.InvalidArgument("-UpsertKey and -PrecombineKey apply only to -Mode Upsert.", "Add -Mode Upsert to merge the file's rows by key, or leave those parameters out.", "Mode");
            return null;
        }
        if (truncate)
            throw Engine.Loading.UpsertKeys.TruncateConflict("Truncate");
        var key = Names(upsertKey ?? [], "UpsertKey");
        return new Engine.Loading.UpsertRequest(key, string.IsNullOrEmpty(precombineKey) ? null : Name(precombineKey, "PrecombineKey"));
    }

    private static List<string> Names(IEnumerable<string> values, string parameter)
    {
        var names = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var n in names) Name(n, parameter);
        return names;
    }

    /// <summary>A schema or table name: a valid SQL identifier (never escaped around).</summary>
    public static string Name(string value, string parameter)
    {
        var problem = Identifier.Problem(value);
        if (problem != null)
            throw RedshifterException.InvalidArgument(
                $"-{parameter} '{value}' is not a valid name: {problem}.",
                "Use letters, digits and underscores, starting with a letter or underscore (at most 127 bytes).", value);
        return value;
    }

    /// <summary>-Bucket (name or s3://name/prefix/) and -Prefix together: the bucket and the key prefix.</summary>
    public static (string Bucket, string Prefix) Location(string bucket, string? prefix)
    {
        var (name, bucketPrefix) = S3Uri.ParseBucket(bucket);
        return (name, bucketPrefix + (prefix ?? "").TrimStart('/'));
    }

    /// <summary>-Config: an s3:// URI as given, or a local file resolved against PowerShell's current location.</summary>
    public static string? Config(string? value, string currentDirectory)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (S3Uri.IsS3Uri(value))
        {
            S3Uri.Parse(value);
            return value;
        }
        var path = Path.GetFullPath(value, currentDirectory);
        if (!File.Exists(path))
            throw RedshifterException.InvalidArgument($"-Config '{value}' is neither an s3:// URI nor an existing file ({path}).", "Give s3://bucket/key.yml or the path of a local YAML file.", value);
        return path;
    }

    public static char? Delimiter(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var d = value switch { "\\t" or "tab" => "\t", _ => value };
        if (d.Length != 1 || d[0] is '\n' or '\r' or '"')
            throw RedshifterException.InvalidArgument($"-Delimiter '{value}' must be one character (not a quote or a line break).", "Give one character, e.g. -Delimiter '|' or -Delimiter \"`t\".", value);
        return d[0];
    }
}
