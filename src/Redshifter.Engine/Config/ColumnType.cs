using System.Globalization;
using System.Text.RegularExpressions;

namespace Redshifter.Engine.Config;

/// <summary>The kinds of column Redshifter knows (DESIGN.md section 4).</summary>
public enum ColumnKind { Boolean, SmallInt, Int, BigInt, Float, Real, Numeric, Date, Timestamp, TimestampTz, Varchar, Char, Super }

/// <summary>
/// A column's type, independent of how a config, Redshift or PostgreSQL spells it. The spellings all
/// live in <see cref="Spellings"/>: the one table of type names.
/// </summary>
public sealed partial record ColumnType(ColumnKind Kind, int? Length = null, int? Precision = null, int? Scale = null)
{
    /// <summary>One row per kind: config names (first = canonical), Redshift DDL, PostgreSQL DDL, catalog names (format_type).</summary>
    private sealed record Spelling(ColumnKind Kind, string[] ConfigNames, string Redshift, string Postgres, string[] CatalogNames);

    private static readonly Spelling[] Spellings =
    [
        new(ColumnKind.Boolean, ["boolean", "bool"], "BOOLEAN", "BOOLEAN", ["boolean"]),
        new(ColumnKind.SmallInt, ["smallint", "int2"], "SMALLINT", "SMALLINT", ["smallint"]),
        new(ColumnKind.Int, ["int", "integer", "int4"], "INTEGER", "INTEGER", ["integer"]),
        new(ColumnKind.BigInt, ["bigint", "int8"], "BIGINT", "BIGINT", ["bigint"]),
        new(ColumnKind.Float, ["float", "float8", "double precision", "double"], "DOUBLE PRECISION", "DOUBLE PRECISION", ["double precision"]),
        new(ColumnKind.Real, ["real", "float4"], "REAL", "REAL", ["real"]),
        new(ColumnKind.Numeric, ["numeric", "decimal"], "NUMERIC", "NUMERIC", ["numeric"]),
        new(ColumnKind.Date, ["date"], "DATE", "DATE", ["date"]),
        new(ColumnKind.Timestamp, ["timestamp"], "TIMESTAMP", "TIMESTAMP", ["timestamp without time zone", "timestamp"]),
        new(ColumnKind.TimestampTz, ["timestamptz"], "TIMESTAMPTZ", "TIMESTAMPTZ", ["timestamp with time zone", "timestamptz"]),
        new(ColumnKind.Varchar, ["varchar"], "VARCHAR", "VARCHAR", ["character varying", "varchar", "text"]),
        new(ColumnKind.Char, ["char", "character"], "CHAR", "CHAR", ["character", "char", "bpchar"]),
        new(ColumnKind.Super, ["super"], "SUPER", "JSONB", ["super", "jsonb"]),
    ];

    /// <summary>The config type names (for messages).</summary>
    public static string ValidConfigTypes => "boolean, smallint, int, bigint, float, real, numeric(p,s), decimal(p,s), date, timestamp, timestamptz, text, longtext, varchar(n), char(n), super";

    /// <summary>A config type (section 4), or null when it is not one.</summary>
    public static ColumnType? ParseConfig(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().ToLowerInvariant();
        if (t == "text") return new ColumnType(ColumnKind.Varchar, 256);
        if (t == "longtext") return new ColumnType(ColumnKind.Varchar, 65535);
        return Parse(t, s => s.ConfigNames);
    }

    /// <summary>A type as the catalog spells it (format_type), e.g. <c>character varying(256)</c>; null when unknown.</summary>
    public static ColumnType? ParseCatalog(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : Parse(text.Trim().ToLowerInvariant(), s => s.CatalogNames);

    private static ColumnType? Parse(string t, Func<Spelling, string[]> names)
    {
        var m = TypeSyntax().Match(t);
        if (!m.Success) return null;
        var name = m.Groups["name"].Value.Trim();
        var spelling = Spellings.FirstOrDefault(s => names(s).Contains(name, StringComparer.Ordinal));
        if (spelling == null) return null;
        int? a = m.Groups["a"].Success ? int.Parse(m.Groups["a"].Value, CultureInfo.InvariantCulture) : null;
        int? b = m.Groups["b"].Success ? int.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture) : null;
        return spelling.Kind switch
        {
            ColumnKind.Varchar when b == null => a is null or (> 0 and <= 65535) ? new ColumnType(ColumnKind.Varchar, a ?? (name == "text" ? 65535 : 256)) : null,
            ColumnKind.Char when b == null => a is null or (> 0 and <= 4096) ? new ColumnType(ColumnKind.Char, a ?? 1) : null,
            ColumnKind.Numeric => (a, b) switch
            {
                (null, null) => new ColumnType(ColumnKind.Numeric, Precision: 18, Scale: 0),
                ({ } p, null) when p is > 0 and <= 38 => new ColumnType(ColumnKind.Numeric, Precision: p, Scale: 0),
                ({ } p, { } s) when p is > 0 and <= 38 && s >= 0 && s <= p => new ColumnType(ColumnKind.Numeric, Precision: p, Scale: s),
                _ => null,
            },
            ColumnKind.Varchar or ColumnKind.Char => null,
            _ => a == null ? new ColumnType(spelling.Kind) : null,
        };
    }

    private Spelling Row => Spellings.First(s => s.Kind == Kind);

    public string RedshiftSql => WithArguments(Row.Redshift);
    public string PostgresSql => WithArguments(Row.Postgres);

    /// <summary>How a config writes it (canonical).</summary>
    public string ConfigText => Kind switch
    {
        ColumnKind.Varchar when Length == 256 => "text",
        ColumnKind.Varchar when Length == 65535 => "longtext",
        _ => WithArguments(Row.ConfigNames[0]),
    };

    private string WithArguments(string name) => Kind switch
    {
        ColumnKind.Varchar or ColumnKind.Char => string.Create(CultureInfo.InvariantCulture, $"{name}({Length})"),
        ColumnKind.Numeric => string.Create(CultureInfo.InvariantCulture, $"{name}({Precision},{Scale})"),
        _ => name,
    };

    /// <summary>Whether an existing column of this type can take a config's type: the same kind and arguments, except that varchar lengths may differ.</summary>
    public bool IsCompatibleWith(ColumnType other) => Kind == other.Kind && (Kind == ColumnKind.Varchar || this == other);

    public override string ToString() => ConfigText;

    [GeneratedRegex(@"^(?<name>[a-z][a-z0-9 ]*?)\s*(\(\s*(?<a>\d+)\s*(,\s*(?<b>\d+)\s*)?\))?$")]
    private static partial Regex TypeSyntax();
}
