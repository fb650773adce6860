using System.Text.RegularExpressions;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Tables;

/// <summary>
/// The difference between a table config and the existing table: the columns to add, and every
/// mismatch (type — a varchar's length aside —, not-null, default, primary key, distkey, sort ordinal,
/// and for positional sources the column order). Any mismatch means nothing may change.
/// </summary>
public sealed partial record TableDiff(IReadOnlyList<ColumnConfig> ColumnsToAdd, IReadOnlyList<string> Mismatches)
{
    public bool IsUnchanged => ColumnsToAdd.Count == 0 && Mismatches.Count == 0;

    /// <param name="positional">CSV/delimited sources: columns are matched by position, so the table's
    /// columns must be the config's first columns in the same order, and new ones can only be appended.</param>
    /// <param name="compareKeys">Whether the engine has dist/sort keys to compare (Redshift).</param>
    public static TableDiff Compare(TableConfig config, IReadOnlyList<ExistingColumn> existing, bool positional, bool compareKeys)
    {
        var mismatches = new List<string>();
        var byName = existing.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var want in config.Columns)
        {
            if (!byName.TryGetValue(want.Name, out var have)) continue;
            var label = $"column '{want.Name}'";
            if (have.Type == null || !have.Type.IsCompatibleWith(want.Type))
                mismatches.Add($"{label} is {have.TypeText} in the table but {want.Type} in the config");
            if (have.NotNull != want.NotNull)
                mismatches.Add($"{label} is {(have.NotNull ? "NOT NULL" : "nullable")} in the table but {(want.NotNull ? "notnull" : "nullable")} in the config");
            if (!SameDefault(have.Default, want.Default))
                mismatches.Add($"{label} has default {have.Default ?? "none"} in the table but {want.Default ?? "none"} in the config");
            if (have.PrimaryKey != want.PrimaryKey)
                mismatches.Add($"{label} is {(have.PrimaryKey ? "" : "not ")}part of the primary key in the table but {(want.PrimaryKey ? "" : "not ")}in the config");
            if (compareKeys && have.DistKey != want.DistKey)
                mismatches.Add($"{label} is {(have.DistKey ? "" : "not ")}the distkey in the table but {(want.DistKey ? "" : "not ")}in the config");
            if (compareKeys && have.SortOrdinal != (want.SortOrdinal ?? 0))
                mismatches.Add($"{label} has sort key ordinal {have.SortOrdinal} in the table but {want.SortOrdinal ?? 0} in the config");
        }

        var toAdd = config.Columns.Where(c => !byName.ContainsKey(c.Name)).ToList();
        // Keys cannot be added to an existing table (dist and sort keys exist only on Redshift).
        foreach (var c in toAdd.Where(c => c.PrimaryKey || (compareKeys && (c.DistKey || c.SortOrdinal != null))))
            mismatches.Add($"column '{c.Name}' is missing from the table and is a {(c.PrimaryKey ? "primary key" : c.DistKey ? "distkey" : "sort key")} column, which cannot be added to an existing table");
        foreach (var c in toAdd.Where(c => c.NotNull && c.Default == null))
            mismatches.Add($"column '{c.Name}' is missing from the table and is notnull without a defaultval, so it cannot be added to a table that has rows");

        if (positional)
        {
            var expected = config.Columns.Select(c => c.Name).ToList();
            var actual = existing.Select(c => c.Name).ToList();
            var extra = actual.Where(a => !expected.Contains(a)).ToList();
            if (extra.Count > 0)
                mismatches.Add($"the table has column(s) {string.Join(", ", extra)} that the config does not list; delimited files are matched by position");
            else if (!expected.Take(actual.Count).SequenceEqual(actual, StringComparer.Ordinal))
                mismatches.Add($"the table's columns are in the order ({string.Join(", ", actual)}) but the config's are ({string.Join(", ", expected)}); delimited files are matched by position, so new columns can only be appended at the end");
        }
        return new TableDiff(toAdd, mismatches);
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
