using System.Text.Json;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Inference;

/// <summary>
/// New-RedshiftTableConfig: samples a source's records (JSON objects, or CSV/delimited text whose first
/// line names the fields) with the loaders' own stream and decoder rules, and infers its table config.
/// </summary>
public sealed class ConfigInferrer(S3Storage storage, IEngineLog log)
{
    /// <param name="sampleSize">Records to read; 0 = all.</param>
    public async Task<string> InferAsync(SourceFile source, InferenceOptions options, int sampleSize, CancellationToken cancellationToken)
    {
        var inference = new TableConfigInference();
        var objects = await SourceStreams.ObjectsAsync(storage, source, cancellationToken).ConfigureAwait(false);
        foreach (var o in objects)
        {
            if (sampleSize > 0 && inference.Records >= sampleSize) break;
            log.Verbose($"Sampling {o.Uri}.");
            Task<Stream> Open() => SourceStreams.OpenAsync(storage, o, _ => { }, cancellationToken);
            try
            {
                if (source.Format == DataFormat.Parquet)
                {
                    await SampleParquetAsync(o, inference, sampleSize, cancellationToken).ConfigureAwait(false);
                }
                else if (source.Format == DataFormat.Json)
                {
                    var stream = await Open().ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false)) await SampleJsonAsync(stream, o.Uri, inference, sampleSize, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await SampleDelimitedAsync(Open, o.Uri, source, inference, sampleSize, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or ICSharpCode.SharpZipLib.SharpZipBaseException)
            {
                throw SourceStreams.Corrupt(o, ex);
            }
        }
        log.Verbose($"Sampled {inference.Records:N0} records, {inference.Columns.Count} fields.");
        return inference.ToYaml(options with { SourceUri = options.SourceUri ?? source.Uri });
    }

    /// <summary>Parquet: the types come from the file's schema; the values only size the varchar columns.</summary>
    private async Task SampleParquetAsync(SourceObject o, TableConfigInference inference, int sampleSize, CancellationToken cancellationToken)
    {
        var parquet = await ParquetSource.OpenAsync(storage, o, _ => { }, cancellationToken).ConfigureAwait(false);
        await using var owner = parquet.ConfigureAwait(false);
        var names = parquet.Fields.Select(f => f.Name.ToLowerInvariant()).ToArray();
        foreach (var field in parquet.Fields)
        {
            var (type, precision, scale) = ParquetSource.ConfigTypeOf(field);
            inference.Declare(field.Name, type, precision, scale);
        }
        var keys = names.ToHashSet();
        for (var g = 0; g < parquet.RowGroupCount; g++)
        {
            var group = await parquet.ReadRowGroupAsync(g, cancellationToken).ConfigureAwait(false);
            for (var r = 0; r < group.Rows; r++)
            {
                if (sampleSize > 0 && inference.Records >= sampleSize) return;
                inference.BeginRecord();
                for (var c = 0; c < names.Length; c++)
                {
                    var value = group.Value(c, r);
                    inference.Observe(names[c], value == null ? SampleKind.Null : SampleKind.String, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                }
                inference.EndRecord(keys);
            }
        }
    }

    private static async Task SampleJsonAsync(Stream stream, string uri, TableConfigInference inference, int sampleSize, CancellationToken cancellationToken)
    {
        long record = 0;
        try
        {
            await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, topLevelValues: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                record++;
                if (element.ValueKind != JsonValueKind.Object)
                    throw RecordErrors.At(uri, record, null, $"record {record} is not a JSON object");
                inference.BeginRecord();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var (kind, text) = property.Value.ValueKind switch
                    {
                        JsonValueKind.Null => (SampleKind.Null, (string?)null),
                        JsonValueKind.True or JsonValueKind.False => (SampleKind.Boolean, property.Value.GetRawText()),
                        JsonValueKind.Number => (SampleKind.Number, property.Value.GetRawText()),
                        JsonValueKind.String => (SampleKind.String, property.Value.GetString()),
                        _ => (SampleKind.Nested, property.Value.GetRawText()),
                    };
                    inference.Observe(property.Name, kind, text);
                    keys.Add(property.Name.ToLowerInvariant());
                }
                inference.EndRecord(keys);
                if (sampleSize > 0 && inference.Records >= sampleSize) return;
            }
        }
        catch (JsonException ex)
        {
            throw RecordErrors.At(uri, record + 1, null, "invalid JSON: " + ex.Message.Split(" Path:", 2)[0]);
        }
    }

    /// <summary>CSV/delimited: the first line names the fields (a header is needed to name columns); the records follow.</summary>
    private static async Task SampleDelimitedAsync(Func<Task<Stream>> open, string uri, SourceFile source, TableConfigInference inference, int sampleSize, CancellationToken cancellationToken)
    {
        var csv = source.Format == DataFormat.Csv;
        var delimiter = source.Delimiter ?? (csv ? ',' : '|');
        string? header;
        var first = await open().ConfigureAwait(false);
        await using (first.ConfigureAwait(false))
        {
            using var lines = new StreamReader(first, leaveOpen: true);
            header = await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        if (string.IsNullOrWhiteSpace(header)) throw RecordErrors.At(uri, 1, null, "the file is empty: a header line naming the fields is needed to infer a config");
        var names = DelimitedRecordReader.HeaderNames(header, delimiter);
        // Every field read as text; the inference decides the types.
        var layout = new RecordLayout([.. names.Select(n => new TargetColumn(n, ColumnType.ParseConfig("longtext")!, null))]);
        var rest = await open().ConfigureAwait(false);
        await using var restOwner = rest.ConfigureAwait(false);
        var options = new DelimitedOptions(csv, delimiter, IgnoreHeader: 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await new DelimitedRecordReader(layout, uri, options, batchSize: 256).ReadAsync(rest, (rows, _) =>
            {
                foreach (var row in rows.Rows())
                {
                    if (sampleSize > 0 && inference.Records >= sampleSize) { stop.Cancel(); break; }
                    inference.BeginRecord();
                    for (var i = 0; i < names.Length; i++) inference.Observe(names[i], row[i] == null ? SampleKind.Null : SampleKind.Text, (string?)row[i]);
                    inference.EndRecord(names.Select(n => n.ToLowerInvariant()).ToHashSet());
                }
                rows.Clear();
                return ValueTask.FromResult(rows);
            }, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // the sample is full
        }
    }
}
