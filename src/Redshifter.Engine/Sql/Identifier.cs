using System.Text.RegularExpressions;

namespace Redshifter.Engine.Sql;

/// <summary>
/// SQL identifiers Redshifter accepts: a letter or underscore, then letters, digits, underscores or
/// dollar signs, at most 127 bytes (Redshift's limit). Names that are not valid are rejected, never
/// escaped around: quoting is for reserved words and case, not for smuggling in quotes or semicolons.
/// </summary>
public static partial class Identifier
{
    public const int MaxBytes = 127;

    /// <summary>
    /// The name as Redshift stores it: ASCII letters folded to lower case, in standard and quoted identifiers
    /// alike (unless enable_case_sensitive_identifier is on, which Redshifter does not use); other letters
    /// are kept. https://docs.aws.amazon.com/redshift/latest/dg/r_names.html. Applied on both engines, so a
    /// load into PostgreSQL names its tables and columns exactly as the same load into Redshift would.
    /// </summary>
    public static string Fold(string name)
    {
        foreach (var c in name)
        {
            if (c is >= 'A' and <= 'Z') return string.Create(name.Length, name, static (span, n) =>
            {
                for (var i = 0; i < n.Length; i++) span[i] = n[i] is >= 'A' and <= 'Z' ? (char)(n[i] + 32) : n[i];
            });
        }
        return name;
    }

    /// <summary>Names compare as Redshift compares them: equal once folded.</summary>
    public static bool SameName(string? a, string? b) => a != null && b != null && Fold(a) == Fold(b);

    /// <summary>Compares names as Redshift does, for dictionaries and sets keyed by name.</summary>
    public static readonly StringComparer Comparer = new FoldingComparer();

    private sealed class FoldingComparer : StringComparer
    {
        public override int Compare(string? x, string? y) => string.CompareOrdinal(x == null ? null : Fold(x), y == null ? null : Fold(y));
        public override bool Equals(string? x, string? y) => x == null ? y == null : y != null && Fold(x) == Fold(y);
        public override int GetHashCode(string obj) => Fold(obj).GetHashCode(StringComparison.Ordinal);
    }

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && System.Text.Encoding.UTF8.GetByteCount(name) <= MaxBytes
        && Pattern().IsMatch(name);

    /// <summary>Why a name is not valid, for messages; null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "it is empty";
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxBytes) return $"it is longer than {MaxBytes} bytes";
        if (!Pattern().IsMatch(name)) return "it must start with a letter or underscore and contain only letters, digits, underscores and $";
        return null;
    }

    [GeneratedRegex(@"^[\p{L}_][\p{L}\p{N}_$]*$")]
    private static partial Regex Pattern();
}
