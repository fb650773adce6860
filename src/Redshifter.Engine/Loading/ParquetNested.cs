using System.Globalization;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace Redshifter.Engine.Loading;

/// <summary>
/// A nested Parquet column (struct, list, map, and any nesting of them) as JSON text per row, for a SUPER column,
/// rebuilt from its leaf columns' values and repetition/definition levels (the Dremel record assembly of the
/// format: https://github.com/apache/parquet-format/blob/master/README.md#nested-encoding): a struct is an object
/// (its null members as null), a list an array (null elements kept, an empty list []), a map an object.
/// Parquet.Net's own assembly drops null elements and turns empty lists into null, so it is not used; nor are its
/// leaf readers: it reads no repetition levels from v2 data pages, and its DELTA_BYTE_ARRAY text decoder cuts
/// prefixes in characters where the format counts bytes. Every leaf is read by <see cref="ParquetColumnChunk"/>.
/// </summary>
internal static class ParquetNested
{
    /// <summary>
    /// Each row's JSON, and for a row with a value that cannot be loaded (text that is not UTF-8) what is wrong
    /// with it (its JSON then holds the value as best it can be shown).
    /// </summary>
    /// <param name="file">the file, whose leaf column chunks are read from it (<see cref="ParquetColumnChunk"/>)</param>
    public static async Task<(string?[] Json, string?[] Errors)> ReadAsync(ParquetRowGroupReader group, Field column, int rows, Stream file, CancellationToken cancellationToken)
    {
        var roots = new JsonNode?[rows];
        var errors = new string?[rows];
        foreach (var path in LeafPaths(column, []))
        {
            var leaf = (DataField)path[^1];
            var chunk = group.GetMetadata(leaf)?.MetaData ?? throw new InvalidDataException($"the row group has no chunk of the column '{leaf.Path}'");
            var values = await ParquetColumnChunk.ReadAsync(file, chunk, leaf.SchemaElement!, leaf.MaxDefinitionLevel, leaf.MaxRepetitionLevel, cancellationToken).ConfigureAwait(false);
            Place(path, values.Definitions, values.Repetitions, values.Present, roots, errors);
        }
        var json = new string?[rows];
        for (var r = 0; r < rows; r++) json[r] = roots[r] == null ? null : ToJson(column, roots[r]!).ToJsonString();
        return (json, errors);
    }

    /// <summary>Each leaf of the column with the fields from the column down to it.</summary>
    private static IEnumerable<Field[]> LeafPaths(Field field, Field[] above)
    {
        Field[] path = [.. above, field];
        var children = field switch
        {
            StructField s => s.Fields,
            ListField l => [l.Item],
            MapField m => [m.Key, m.Value],
            _ => [],
        };
        if (children.Count == 0) return [path];
        return children.SelectMany(c => LeafPaths(c, path));
    }

    /// <summary>
    /// Puts one leaf's values where its levels say: a repetition level r starts a new element of the list (or map)
    /// at that depth, a definition level d tells how deep the path is defined (below it: null, or an empty list).
    /// Maps are built as arrays of {key, value} here and made objects by <see cref="ToJson"/>. A value that cannot be
    /// loaded (<see cref="ValueConversionException"/>) makes its row's error.
    /// </summary>
    private static void Place(Field[] path, int[] definitions, int[] repetitions, object?[] values, JsonNode?[] roots, string?[] errors)
    {
        var leaf = (DataField)path[^1];
        var count = Math.Max(definitions.Length, Math.Max(repetitions.Length, values.Length));
        var element = new int[leaf.MaxRepetitionLevel + 1]; // the current element's index in the list at each repetition level
        int row = -1, next = 0;
        for (var i = 0; i < count; i++)
        {
            var d = definitions.Length > 0 ? definitions[i] : leaf.MaxDefinitionLevel;
            var r = repetitions.Length > 0 ? repetitions[i] : 0;
            if (r == 0) row++;
            for (var level = Math.Max(r, 1); level < element.Length; level++) element[level] = level == r ? element[level] + 1 : 0;

            // Walk from the column down: `parent` holds the container, `key`/`index` the slot in it.
            JsonNode? parent = null;
            string? key = null;
            var index = -1;
            for (var depth = 0; depth < path.Length; depth++)
            {
                var field = path[depth];
                var repeated = field is ListField or MapField || field is DataField { IsArray: true };
                // Defined at this depth? A list or map (MaxDefinitionLevel: it has entries) is empty one level
                // below that and null further up; other fields are null below their level.
                var present = repeated ? field.MaxDefinitionLevel - 1 : field.MaxDefinitionLevel;
                if (d < present)
                {
                    if (depth > 0) Assign(parent!, key, index, null); // a null column stays null: SQL NULL
                    break;
                }
                if (field is DataField data && !data.IsArray)
                {
                    var value = d == data.MaxDefinitionLevel ? Node(values[next++], row, errors) : null;
                    if (depth == 0) roots[row] = value;
                    else Assign(parent!, key, index, value);
                    break;
                }
                var container = depth == 0 ? roots[row] : Slot(parent!, key, index);
                if (container == null)
                {
                    container = repeated ? new JsonArray() : new JsonObject();
                    if (depth == 0) roots[row] = container;
                    else Assign(parent!, key, index, container);
                }
                if (repeated)
                {
                    if (d < field.MaxDefinitionLevel) break; // an empty list or map
                    var array = container.AsArray();
                    var at = element[field.MaxRepetitionLevel];
                    while (array.Count <= at) array.Add(field is MapField ? new JsonObject() : null);
                    if (field is DataField legacy) // a repeated primitive without LIST annotation: the element is the value
                    {
                        array[at] = Node(values[next++], row, errors);
                        break;
                    }
                    (parent, key, index) = (array, null, at);
                    // A list's element (or a map's entry) is the next field of the path.
                    if (field is MapField)
                    {
                        parent = array[at];
                        (key, index) = (path[depth + 1] == ((MapField)field).Key ? "key" : "value", -1);
                    }
                }
                else
                {
                    parent = container;
                    (key, index) = (path[depth + 1].Name, -1);
                }
            }
        }
    }

    private static JsonNode? Node(object? value, int row, string?[] errors)
    {
        try
        {
            return ToNode(value);
        }
        catch (ValueConversionException ex)
        {
            errors[row] ??= ex.Message;
            return JsonValue.Create(Convert.ToString(value is ReadOnlyMemory<byte> bytes ? System.Text.Encoding.UTF8.GetString(bytes.Span) : value, CultureInfo.InvariantCulture));
        }
    }

    private static JsonNode? Slot(JsonNode parent, string? key, int index) =>
        key != null ? parent.AsObject()[key] : parent.AsArray()[index];

    private static void Assign(JsonNode parent, string? key, int index, JsonNode? value)
    {
        if (key != null)
        {
            var obj = parent.AsObject();
            if (!obj.ContainsKey(key)) obj[key] = value;
        }
        else if (parent.AsArray()[index] == null) parent.AsArray()[index] = value;
    }

    /// <summary>The assembled node in its JSON form: maps' {key, value} entries become an object's members.</summary>
    private static JsonNode ToJson(Field field, JsonNode node)
    {
        switch (field)
        {
            case MapField map when node is JsonArray entries:
                var obj = new JsonObject();
                foreach (var entry in entries.ToList())
                {
                    var pair = entry!.AsObject();
                    var name = pair["key"]?.ToString() ?? "";
                    var value = pair["value"];
                    pair.Remove("value");
                    obj[name] = value == null ? null : ToJson(map.Value, value);
                }
                return obj;
            case StructField s when node is JsonObject members:
                foreach (var child in s.Fields)
                {
                    if (members[child.Name] is { } value)
                    {
                        members.Remove(child.Name);
                        members[child.Name] = ToJson(child, value);
                    }
                }
                return members;
            case ListField list when node is JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is not { } item) continue;
                    items[i] = null;
                    items[i] = ToJson(list.Item, item);
                }
                return items;
            default:
                return node;
        }
    }

    /// <summary>
    /// A leaf value as JSON: numbers as numbers (decimals exact), text, dates and timestamps (ISO 8601) as
    /// strings; NaN and infinities, which JSON numbers cannot be, as strings too.
    /// </summary>
    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        ReadOnlyMemory<char> text => JsonValue.Create(text.ToString()),
        // Text read as its bytes: never with U+FFFD for bytes that are not UTF-8, as the flat columns.
        ReadOnlyMemory<byte> bytes => System.Text.Unicode.Utf8.IsValid(bytes.Span)
            ? JsonValue.Create(System.Text.Encoding.UTF8.GetString(bytes.Span))
            : throw new ValueConversionException("the text is not valid UTF-8"),
        bool b => JsonValue.Create(b),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        decimal d => JsonValue.Create(d),
        BigDecimal big => JsonNode.Parse(big.ToString()),
        ParquetDecimal exact => JsonNode.Parse(exact.ToString()),
        float f when float.IsFinite(f) => JsonValue.Create(f),
        double x when double.IsFinite(x) => JsonValue.Create(x),
        DateOnly date => JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        DateTime time => JsonValue.Create(time.ToString(time.Kind == DateTimeKind.Utc ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
