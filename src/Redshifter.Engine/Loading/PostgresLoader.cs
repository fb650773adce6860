using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Sql;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Loading;

/// <summary>
/// Loads a source into a PostgreSQL table with Redshift's COPY semantics, streaming it from S3: three
/// stages — S3 read-ahead, decompress + decode, binary COPY write — connected by bounded queues, so the
/// slowest stage sets the pace and memory stays flat whatever the file size.
/// </summary>
internal sealed class PostgresLoader(S3Storage storage, IEngineLog log)
{
    private const int QueuedBatches = 8;

    public async Task<long> LoadAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, CancellationToken cancellationToken)
    {
        var target = $"{source.Schema}.{source.Table}";
        if (source.Format == DataFormat.Parquet)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidOperation,
                $"{source.Uri} is Parquet, which the PostgreSQL loader does not read yet.",
                "Export the data as JSON or CSV for PostgreSQL targets (Redshift loads Parquet itself).", source.Uri);
        var layout = await LayoutAsync(session, transaction, source, cancellationToken).ConfigureAwait(false);
        var objects = await SourceStreams.ObjectsAsync(storage, source, cancellationToken).ConfigureAwait(false);
        var copy = PostgresDialect.CopyFromStdin(source.Schema, source.Table, layout.Columns.Select(c => c.Name));
        log.Verbose("SQL: " + copy + $" -- streamed from {source.Uri}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<List<object?[]>>(new BoundedChannelOptions(QueuedBatches) { SingleReader = true, SingleWriter = true });
        long bytesRead = 0, rowsDecoded = 0;
        var progress = new Progress(log, $"Loading {target}", () => Interlocked.Read(ref bytesRead), () => Interlocked.Read(ref rowsDecoded));

        var decode = Task.Run(async () =>
        {
            try
            {
                foreach (var o in objects)
                {
                    log.Verbose($"{target}: reading {o.Uri}.");
                    Stream stream;
                    try
                    {
                        stream = await SourceStreams.OpenAsync(storage, o, n => Interlocked.Add(ref bytesRead, n), stop.Token, log.Verbose).ConfigureAwait(false);
                    }
                    catch (RedshifterException ex) when (ex.ErrorId == ErrorIds.SourceNotFound)
                    {
                        throw new RedshifterException(ErrorIds.CopyFailed, ex.Kind, ex.Message, ex.RecommendedAction, o.Uri, ex);
                    }
                    await using (stream.ConfigureAwait(false))
                    {
                        async ValueTask Sink(List<object?[]> rows, CancellationToken ct)
                        {
                            Interlocked.Add(ref rowsDecoded, rows.Count);
                            await batches.Writer.WriteAsync(rows, ct).ConfigureAwait(false);
                            progress.Report();
                        }
                        try
                        {
                            if (source.Format == DataFormat.Json)
                                await new JsonRecordReader(layout, o.Uri).ReadAsync(stream, Sink, stop.Token).ConfigureAwait(false);
                            else
                                await new DelimitedRecordReader(layout, o.Uri, new DelimitedOptions(source.Format == DataFormat.Csv, source.Delimiter ?? (source.Format == DataFormat.Csv ? ',' : '|'), source.IgnoreHeader)).ReadAsync(stream, Sink, stop.Token).ConfigureAwait(false);
                        }
                        // Before the IOException case below: a broken S3 read is not a corrupt file.
                        catch (S3ReadException ex) when (!stop.IsCancellationRequested)
                        {
                            throw SourceStreams.ReadFailed(o, ex);
                        }
                        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or ICSharpCode.SharpZipLib.SharpZipBaseException && !stop.IsCancellationRequested)
                        {
                            throw SourceStreams.Corrupt(o, ex);
                        }
                    }
                }
                batches.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                batches.Writer.TryComplete(ex);
                throw;
            }
        }, CancellationToken.None);

        var write = Task.Run(async () =>
        {
            // The synchronous StartRow/Write calls are the fast path (DESIGN.md section 10); batches arrive asynchronously.
            var importer = await session.Connection.BeginBinaryImportAsync(copy, stop.Token).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false)) WriteBatch(importer, layout, batch);
                return (long)await importer.CompleteAsync(stop.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        try
        {
            var finished = await Task.WhenAny(decode, write).ConfigureAwait(false);
            if (finished.IsFaulted || finished.IsCanceled) await stop.CancelAsync().ConfigureAwait(false);
            await decode.ConfigureAwait(false);
            var rows = await write.ConfigureAwait(false);
            progress.Done();
            log.Verbose($"{target}: {rows:N0} rows loaded from {objects.Count} file(s), {Interlocked.Read(ref bytesRead):N0} bytes read.");
            return rows;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(decode, write).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex) when (ex is not RedshifterException)
        {
            await Task.WhenAll(decode, write).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            // A decode failure is the root cause; a write failure caused by it is not.
            if (decode.Exception?.InnerException is RedshifterException decodeError) throw decodeError;
            throw ex is PostgresException pg
                ? new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                    $"PostgreSQL refused the data of {source.Uri} for {target}: {session.Redactor.Redact(pg.MessageText)}{(pg.Where != null ? $" ({session.Redactor.Redact(pg.Where)})" : "")}. Nothing was loaded.",
                    "Check the column's constraints (NOT NULL, types) against the data, then load again.", source.Uri, pg)
                : new RedshifterException(ErrorIds.CopyFailed, ErrorKind.NotSpecified,
                    $"Loading {source.Uri} into {target} failed: {session.Redactor.Redact(ex.Message)}. Nothing was loaded.",
                    "Check the connection to the database and S3, then load again.", source.Uri, ex);
        }
        catch (RedshifterException)
        {
            await Task.WhenAll(decode, write).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
    }

    // Fully optimized from the first call: a load is over before tiered compilation would get to it.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void WriteBatch(NpgsqlBinaryImporter importer, RecordLayout layout, List<object?[]> batch)
    {
        var columns = layout.Columns;
        foreach (var row in batch)
        {
            importer.StartRow();
            for (var i = 0; i < row.Length; i++) columns[i].Write(importer, row[i]);
        }
    }

    /// <summary>The table's columns with their types and, for records that lack them, their defaults.</summary>
    private static async Task<RecordLayout> LayoutAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, CancellationToken cancellationToken)
    {
        var state = await TableInspector.InspectAsync(session, source.Schema, source.Table, null, transaction, cancellationToken).ConfigureAwait(false);
        if (!state.Exists)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.ObjectNotFound,
                $"The table {source.Schema}.{source.Table} does not exist.",
                "Create it first: Update-RedshiftTable -Schema … -Table … -Config …, or use Invoke-S3ToRedshift, which creates it.", $"{source.Schema}.{source.Table}");
        var unknown = state.Columns.FirstOrDefault(c => c.Type == null);
        if (unknown != null)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidOperation,
                $"Column '{unknown.Name}' of {source.Schema}.{source.Table} has type {unknown.TypeText}, which Redshifter cannot load.",
                "Use one of the config types (DESIGN.md section 4) for the column.", $"{source.Schema}.{source.Table}");
        var withDefaults = state.Columns.Where(c => c.Default != null).ToList();
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (withDefaults.Count > 0)
        {
            await using var command = session.Command(PostgresDialect.EvaluateDefaults(withDefaults.Select(c => c.Default!)), transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < withDefaults.Count; i++) defaults[withDefaults[i].Name] = reader.IsDBNull(i) ? null : reader.GetString(i);
        }
        return new RecordLayout([.. state.Columns.Select(c =>
        {
            var missing = defaults.TryGetValue(c.Name, out var text) && text != null ? new TargetColumn(c.Name, c.Type!, null).Convert(text, FieldKind.Text) : null;
            return new TargetColumn(c.Name, c.Type!, missing);
        })]);
    }

    /// <summary>Write-Progress for a load, at most twice a second.</summary>
    private sealed class Progress(IEngineLog log, string activity, Func<long> bytes, Func<long> rows)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _last;

        public void Report()
        {
            var now = _clock.ElapsedMilliseconds;
            if (now - Interlocked.Read(ref _last) < 500) return;
            Interlocked.Exchange(ref _last, now);
            log.Progress(activity, $"{rows():N0} rows, {bytes() / 1048576.0:N1} MB read, {rows() / Math.Max(_clock.Elapsed.TotalSeconds, 0.001):N0} rows/s", -1);
        }

        public void Done() => log.Progress(activity, "done", 100);
    }
}
