using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Redshifter.Infrastructure;

namespace Redshifter.Completion;

/// <summary>-TimeZone: IANA time zone ids (on Windows converted from the system's ids).</summary>
public sealed class TimeZoneCompleter : IArgumentCompleter
{
    private static readonly Lazy<string[]> Ids = new(() =>
        TimeZoneInfo.GetSystemTimeZones()
            .Select(z => z.HasIanaId ? z.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(z.Id, out var iana) ? iana : null)
            .Where(id => id != null).Select(id => id!)
            .Append("UTC")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToArray());

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Completion.Unquote(wordToComplete);
        return Ids.Value
            .Where(id => id.StartsWith(word, StringComparison.OrdinalIgnoreCase) || (word.Length > 0 && id.Contains("/" + word, StringComparison.OrdinalIgnoreCase)))
            .Select(id => Completion.Result(id, id));
    }
}

/// <summary>-Schema: schemas of the database the environment points at (silent when it cannot connect).</summary>
public sealed class SchemaCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.FromDatabase(settings => Engine.Catalog.CatalogBrowser.ListSchemasAsync(settings, Completion.Unquote(wordToComplete), Completion.Timeout()));
}

/// <summary>-Table: tables of the -Schema already typed, from the database the environment points at.</summary>
public sealed class TableCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters["Schema"] is not string schema || string.IsNullOrWhiteSpace(schema)) return [];
        // -Table a,b<TAB>: complete the last name of the list.
        var word = Completion.Unquote(wordToComplete);
        var lastComma = word.LastIndexOf(',');
        var head = lastComma >= 0 ? word[..(lastComma + 1)] : "";
        var tail = word[(lastComma + 1)..];
        return Completion.FromDatabase(settings => Engine.Catalog.CatalogBrowser.ListTablesAsync(settings, schema, tail, Completion.Timeout()), name => head + name);
    }
}

internal static class Completion
{
    internal static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(3)).Token;

    internal static string Unquote(string word) => word.Trim('\'', '"');

    internal static CompletionResult Result(string text, string tooltip) =>
        new(text.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`') ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'" : text, text, CompletionResultType.ParameterValue, tooltip);

    internal static IEnumerable<CompletionResult> FromDatabase(Func<Engine.Connections.DatabaseSettings, Task<IReadOnlyList<string>>> query, Func<string, string>? shape = null)
    {
        try
        {
            var settings = RedshifterCmdlet.DefaultDatabaseSettings();
            var names = Task.Run(() => query(settings)).GetAwaiter().GetResult();
            return names.Select(n => Result(shape?.Invoke(n) ?? n, n)).ToArray();
        }
#pragma warning disable CA1031 // completion is best effort: any failure means "no suggestions"
        catch (Exception)
#pragma warning restore CA1031
        {
            return [];
        }
    }
}
