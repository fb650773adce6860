using System.Text.RegularExpressions;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sql;

namespace Redshifter.Engine.Tables;

/// <summary>
/// The difference between a table config and the existing table: the columns to add, the varchar columns
/// to widen, and every mismatch (type, not-null, default, primary key, distkey and sort ordinal where the
/// config sets them, and for positional sources the column order). Any mismatch means nothing may change.
/// Names compare as Redshift compares them (folded to lower case).
/// </summary>
public sealed partial record TableDiff(IReadOnlyList<ColumnConfig> ColumnsToAdd, IReadOnlyList<string> Mismatches)
{
    /// <summary>varchar columns the config wants longer than the table has them: (column, the table's length, the config's).</summary>
    public IReadOnlyList<ColumnWidening> ColumnsToWiden { get; init; } = [];

    /// <summary>What was accepted without comparing, for -Verbose (e.g. the keys Redshift chose itself).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool IsUnchanged => ColumnsToAdd.Count == 0 && ColumnsToWiden.Count == 0 && Mismatches.Count == 0;

    /// <param name="positional">CSV/delimited sources: columns are matched by position, so the table's
    /// columns must be the config's first columns in the same order, and new ones can only be appended.</param>
    /// <param name="compareKeys">Whether the engine has dist/sort keys to compare (Redshift).</param>
    public static TableDiff Compare(TableConfig config, IReadOnlyList<ExistingColumn> existing, bool positional, bool compareKeys)
    {
        var mismatches = new List<string>();
        var widen = new List<ColumnWidening>();
        var notes = new List<string>();
        var byName = existing.ToDictionary(c => c.Name, Identifier.Comparer);
        // A table created without DISTKEY/SORTKEY is DISTSTYLE AUTO / SORTKEY AUTO, and Redshift's automatic
        // table optimization later picks keys itself: compare a kind of key only where the config sets one.
        // https://docs.aws.amazon.com/redshift/latest/dg/t_Creating_tables.html (automatic table optimization)
        var compareDist = compareKeys && config.DistKey != null;
        var compareSort = compareKeys && config.SortKey.Any();
        if (compareKeys && !compareDist) notes.Add("the config sets no distkey, so the table's distribution (possibly chosen by Redshift) is accepted");
        if (compareKeys && !compareSort) notes.Add("the config sets no sort key, so the table's sort key (possibly chosen by Redshift) is accepted");
        foreach (var want in config.Columns)
        {
            if (!byName.TryGetValue(want.Name, out var have)) continue;
            var label = $"column '{want.Name}'";
            if (have.Type == null || !have.Type.IsCompatibleWith(want.Type))
                mismatches.Add($"{label} is {have.TypeText} in the table but {want.Type} in the config");
            else if (want.Type.Kind == ColumnKind.Varchar && have.Type.Length is { } had && want.Type.Length is { } wanted && wanted > had)
                widen.Add(new ColumnWidening(have.Name, had, wanted));
            if (have.NotNull != want.NotNull)
                mismatches.Add($"{label} is {(have.NotNull ? "NOT NULL" : "nullable")} in the table but {(want.NotNull ? "notnull" : "nullable")} in the config");
            if (!SameDefault(have.Default, want.Default))
                mismatches.Add($"{label} has default {have.Default ?? "none"} in the table but {want.Default ?? "none"} in the config");
            if (have.PrimaryKey != want.PrimaryKey)
                mismatches.Add($"{label} is {(have.PrimaryKey ? "" : "not ")}part of the primary key in the table but {(want.PrimaryKey ? "" : "not ")}in the config");
            if (compareDist && have.DistKey != want.DistKey)
                mismatches.Add($"{label} is {(have.DistKey ? "" : "not ")}the distkey in the table but {(want.DistKey ? "" : "not ")}in the config");
            if (compareSort && have.SortOrdinal != (want.SortOrdinal ?? 0))
                mismatches.Add($"{label} has sort key ordinal {have.SortOrdinal} in the table but {want.SortOrdinal ?? 0} in the config");
        }

        var toAdd = config.Columns.Where(c => !byName.ContainsKey(c.Name)).ToList();
        // Keys cannot be added to an existing table (dist and sort keys exist only on Redshift).
        foreach (var c in toAdd.Where(c => c.PrimaryKey || (compareKeys && (c.DistKey || c.SortOrdinal != null))))
            mismatches.Add($"column '{c.Name}' is missing from the table and is a {(c.PrimaryKey ? "primary key" : c.DistKey ? "distkey" : "sort key")} column, which cannot be added to an existing table");
        foreach (var c in toAdd.Where(c => c.NotNull && c.Default == null && !c.PrimaryKey))
            mismatches.Add($"column '{c.Name}' is missing from the table and is notnull without a defaultval, so it cannot be added to a table that has rows");

        if (positional)
        {
            var expected = config.Columns.Select(c => c.Name).ToList();
            var actual = existing.Select(c => c.Name).ToList();
            var extra = actual.Where(a => !expected.Contains(a, Identifier.Comparer)).ToList();
            if (extra.Count > 0)
                mismatches.Add($"the table has column(s) {string.Join(", ", extra)} that the config does not list; delimited files are matched by position");
            else if (!expected.Take(actual.Count).SequenceEqual(actual, Identifier.Comparer))
                mismatches.Add($"the table's columns are in the order ({string.Join(", ", actual)}) but the config's are ({string.Join(", ", expected)}); delimited files are matched by position, so new columns can only be appended at the end");
        }
        return new TableDiff(toAdd, mismatches) { ColumnsToWiden = widen, Notes = notes };
    }

    /// <summary>A SchemaMismatch that lists every mismatch.</summary>
    public RedshifterException ToError(TableConfig config) => new(
        ErrorIds.SchemaMismatch, ErrorKind.InvalidData,
        $"The table {config.Schema}.{config.Table} does not match its config {config.Source}: {string.Join("; ", Mismatches)}. Nothing was changed.",
        "Change the config to match the table, or migrate the table (ALTER it, or rebuild it) to match the config; then load again.",
        $"{config.Schema}.{config.Table}");

    /// <summary>Defaults compare without casts, parentheses, quotes' case and whitespace: '' = ''::character varying.</summary>
    internal static bool SameDefault(string? table, string? config)
    {
        if (table == null || config == null) return table == null && config == null;
        return Normalize(table) == Normalize(config);
    }

    private static string Normalize(string expression)
    {
        var s = Casts().Replace(expression.Trim(), "");
        while (s.StartsWith('(') && s.EndsWith(')')) s = s[1..^1].Trim();
        s = s.ToLowerInvariant();
        return s switch
        {
            "getdate()" or "now()" or "current_timestamp" or "sysdate" or "('now'::text)::timestamp without time zone" => "now",
            _ => s,
        };
    }

    [GeneratedRegex(@"::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])?", RegexOptions.IgnoreCase)]
    private static partial Regex Casts();
}

/// <summary>A varchar column to widen from the table's length to the config's (never narrowed).</summary>
public sealed record ColumnWidening(string Column, int From, int To)
{
    public override string ToString() => $"{Column} varchar({From}) → varchar({To})";
}
