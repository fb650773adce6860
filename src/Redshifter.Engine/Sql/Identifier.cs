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
