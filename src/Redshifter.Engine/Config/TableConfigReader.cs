using System.Text;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Redshifter.Engine.Config;

/// <summary>
/// Reads and validates table configs (DESIGN.md section 4), compatible with the original tool's files:
/// a map of entries; the entry whose <c>dest</c> (or key, without dest) is the table is used. Every
/// problem is a Redshifter.InvalidConfig error naming the file; all problems of a file are listed at once.
/// </summary>
public static class TableConfigReader
{
    /// <summary>Reads from an s3:// URI or a local path.</summary>
    public static async Task<TableConfig> ReadAsync(string location, string schema, string table, S3Storage? storage, CancellationToken cancellationToken)
    {
        string text;
        if (S3Uri.IsS3Uri(location))
        {
            if (storage == null) throw new InvalidOperationException("Reading an s3:// config needs S3 access.");
            var (bucket, key) = S3Uri.Parse(location);
            try
            {
                text = await storage.ReadAllTextAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            }
            catch (RedshifterException ex) when (ex.Kind == ErrorKind.ObjectNotFound)
            {
                throw Invalid(location, "the file does not exist", ex);
            }
        }
        else
        {
            if (!File.Exists(location)) throw Invalid(location, "the file does not exist");
            text = await File.ReadAllTextAsync(location, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        return Parse(text, location, schema, table);
    }

    /// <summary>Parses YAML text (UTF-8 with or without BOM, LF or CRLF).</summary>
    public static TableConfig Parse(string yaml, string source, string schema, string table)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml.TrimStart('\uFEFF')));
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            var tabs = yaml.Contains('\t', StringComparison.Ordinal) ? " (YAML does not allow tabs for indentation: use spaces)" : "";
            throw Invalid(source, $"YAML syntax error at line {ex.Start.Line}, column {ex.Start.Column}: {Short(reason)}{tabs}", ex);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // YamlDotNet reports some malformed documents (duplicate keys, unexpected events) this way.
            throw Invalid(source, $"the YAML could not be read: {Short(ex.Message)}", ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Invalid(source, "it is not a map of table entries (expected 'tablename:' with dest, columns and meta)");

        // The entry for the table: dest == table, or the key when there is no dest.
        YamlMappingNode? entry = null;
        var names = new List<string>();
        foreach (var (key, value) in root.Children)
        {
            if (value is not YamlMappingNode map) continue;
            var dest = Scalar(map, "dest") ?? Scalar(key);
            names.Add(dest ?? "?");
            if (Identifier.SameName(dest, table)) entry = map;
        }
        if (entry == null)
            throw Invalid(source, $"it has no entry for table '{table}' (entries: {(names.Count == 0 ? "none" : string.Join(", ", names))})");

        var problems = new List<string>();
        var meta = entry.Children.TryGetValue(new YamlScalarNode("meta"), out var m) ? m as YamlMappingNode : null;
        var metaSchema = meta == null ? null : Scalar(meta, "schema");
        if (metaSchema != null && !Identifier.SameName(metaSchema, schema))
            problems.Add($"meta.schema is '{metaSchema}' but the destination schema is '{schema}'");
        var dataDate = meta == null ? null : Scalar(meta, "datadatecolumn");
        if (string.IsNullOrWhiteSpace(dataDate))
            problems.Add("meta.datadatecolumn is missing: name the column that holds each row's data date");

        var columns = new List<ColumnConfig>();
        if (!entry.Children.TryGetValue(new YamlScalarNode("columns"), out var columnsNode) || columnsNode is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            problems.Add("'columns' is missing or empty");
        }
        else
        {
            var index = 0;
            var spelled = new Dictionary<string, string>(Identifier.Comparer);
            foreach (var node in sequence.Children)
            {
                index++;
                if (node is not YamlMappingNode col) { problems.Add($"column {index} is not a map of dest, type, …"); continue; }
                var name = Scalar(col, "dest");
                var label = name != null ? $"column '{name}'" : $"column {index}";
                var problem = Identifier.Problem(name);
                if (problem != null) { problems.Add($"{label}: '{name}' is not a valid column name ({problem})"); continue; }
                // Redshift folds names to lower case, so 'userId' and 'userid' would be one column there.
                if (spelled.TryGetValue(name!, out var first))
                {
                    problems.Add(first == name ? $"{label} is listed twice" : $"columns '{first}' and '{name}' are one column '{Identifier.Fold(name!)}' (Redshift folds names to lower case): rename or remove one");
                    continue;
                }
                spelled[name!] = name!;
                var typeText = Scalar(col, "type");
                var type = ColumnType.ParseConfig(typeText);
                if (type == null) { problems.Add($"{label}: unknown type '{typeText}' (types: {ColumnType.ValidConfigTypes})"); continue; }
                var defaultValue = Scalar(col, "defaultval");
                if (defaultValue != null && DefaultExpression.Problem(defaultValue) is { } bad) { problems.Add($"{label}: defaultval {bad}"); continue; }
                int? sort = null;
                var sortText = Scalar(col, "sortord");
                if (sortText != null)
                {
                    if (int.TryParse(sortText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0) sort = s;
                    else { problems.Add($"{label}: sortord '{sortText}' is not a positive whole number"); continue; }
                }
                var notNull = Flag(col, "notnull", label, problems);
                var primaryKey = Flag(col, "primarykey", label, problems);
                var distKey = Flag(col, "distkey", label, problems);
                // Redshift refuses SUPER as a distribution or sort key (CREATE TABLE, "Limitations" of SUPER:
                // https://docs.aws.amazon.com/redshift/latest/dg/limitations-super.html).
                if (type.Kind == ColumnKind.Super && (distKey || sort != null))
                {
                    problems.Add($"{label} is of type super, which cannot be a {(distKey ? "distkey" : "sort key")}: choose another column or type");
                    continue;
                }
                columns.Add(new ColumnConfig
                {
                    Name = Identifier.Fold(name!),
                    Type = type,
                    Default = defaultValue,
                    // A primary key column is NOT NULL on both engines (PostgreSQL enforces it, Redshift's
                    // catalog says so too), so the config means it even when it does not say notnull.
                    NotNull = notNull || primaryKey,
                    PrimaryKey = primaryKey,
                    DistKey = distKey,
                    SortOrdinal = sort,
                });
            }
        }
        if (!string.IsNullOrWhiteSpace(dataDate) && columns.Count > 0 && !columns.Any(c => Identifier.SameName(c.Name, dataDate)))
            problems.Add($"meta.datadatecolumn '{dataDate}' is not one of the columns");
        if (columns.Count(c => c.DistKey) > 1)
            problems.Add($"more than one column is the distkey ({string.Join(", ", columns.Where(c => c.DistKey).Select(c => c.Name))}); a table has one");
        var duplicateSort = columns.Where(c => c.SortOrdinal != null).GroupBy(c => c.SortOrdinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicateSort != null)
            problems.Add($"columns {string.Join(" and ", duplicateSort.Select(c => c.Name))} have the same sortord {duplicateSort.Key}");
        if (problems.Count > 0) throw Invalid(source, string.Join("; ", problems));

        return new TableConfig { Source = source, Schema = Identifier.Fold(schema), Table = Identifier.Fold(table), DataDateColumn = Identifier.Fold(dataDate!), Columns = columns };
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? Scalar(node) : null;

    private static string? Scalar(YamlNode node) => node is YamlScalarNode { Value: { } v } && !(v.Length == 0 || v == "~" || v == "null") ? v : null;

    private static bool Flag(YamlMappingNode map, string key, string label, List<string> problems)
    {
        var text = Scalar(map, key);
        if (text == null) return false;
        if (bool.TryParse(text, out var value)) return value;
        if (text is "yes" or "on") return true;
        if (text is "no" or "off") return false;
        problems.Add($"{label}: {key} '{text}' is not true or false");
        return false;
    }

    private static string Short(string s) => s.Length > 200 ? s[..200] + "…" : s;

    private static RedshifterException Invalid(string source, string problem, Exception? inner = null) => new(
        ErrorIds.InvalidConfig, ErrorKind.InvalidData,
        $"The table config {source} is not valid: {problem}.",
        "Fix the config (DESIGN.md section 4: an entry with dest, columns of dest/type and meta.schema/meta.datadatecolumn), or give another with -Config.",
        source, inner);
}

/// <summary>
/// A config's <c>defaultval</c> is SQL text by contract, so it is checked before it reaches a statement:
/// one expression, no statement separators or comments outside quoted literals.
/// </summary>
internal static class DefaultExpression
{
    public static string? Problem(string expression)
    {
        var inQuote = false;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == '\'') { inQuote = !inQuote; continue; }
            if (inQuote) continue;
            if (c == ';') return $"'{expression}' contains ';': give one expression, such as 0, 'none' or getdate()";
            if ((c == '-' && i + 1 < expression.Length && expression[i + 1] == '-') || (c == '/' && i + 1 < expression.Length && expression[i + 1] == '*'))
                return $"'{expression}' contains a comment marker";
        }
        return inQuote ? $"'{expression}' has an unterminated quoted literal" : null;
    }
}
