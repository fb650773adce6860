using System.Globalization;
using Redshifter.Engine.Connections;

namespace Redshifter.Engine.Sql;

/// <summary>
/// The one place that spells SQL for an engine: quoting, DDL, catalog queries, COPY, MERGE. Each
/// concern lives in its own partial file (e.g. SqlDialect.Tables.cs, RedshiftDialect.Copy.cs).
/// Identifiers are always quoted; literals are always escaped.
/// </summary>
public abstract partial class SqlDialect
{
    public abstract EngineKind Engine { get; }

    public static SqlDialect For(EngineKind engine) => engine switch
    {
        EngineKind.Redshift => RedshiftDialect.Instance,
        _ => PostgresDialect.Instance,
    };

    /// <summary>
    /// "name", folded to lower case as Redshift stores it (<see cref="Identifier.Fold"/>), so that every
    /// statement on either engine names what Redshift would; embedded quotes doubled (names are validated
    /// before they get here).
    /// </summary>
    public static string QuoteIdentifier(string name) => "\"" + Identifier.Fold(name).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>"schema"."table"</summary>
    public static string QualifiedName(string schema, string table) => QuoteIdentifier(schema) + "." + QuoteIdentifier(table);

    /// <summary>'text' with embedded quotes doubled; backslashes doubled too, as Redshift treats them as escapes in literals.</summary>
    public virtual string QuoteLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    protected static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Amazon Redshift.</summary>
public sealed partial class RedshiftDialect : SqlDialect
{
    public static readonly RedshiftDialect Instance = new();
    private RedshiftDialect() { }
    public override EngineKind Engine => EngineKind.Redshift;

    public override string QuoteLiteral(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>PostgreSQL ≥ 12 (standard_conforming_strings on: backslashes are literal).</summary>
public sealed partial class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();
    private PostgresDialect() { }
    public override EngineKind Engine => EngineKind.PostgreSQL;
}
