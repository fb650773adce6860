using System.Buffers;
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

    /// <summary>How long a write already under way may go on after a stop before it is cut off.</summary>
    private static readonly TimeSpan WriteGrace = TimeSpan.FromSeconds(5);

    /// <summary>Streams the source into its table, or into <paramref name="stagingTable"/> (a temporary table made from it).</summary>
    public async Task<LoadedRows> LoadAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, string? stagingTable, CancellationToken cancellationToken, IReadOnlyList<ExistingColumn>? knownColumns = null)
    {
        var target = $"{source.Schema}.{source.Table}";
        var layout = await LayoutAsync(session, transaction, source, knownColumns, cancellationToken).ConfigureAwait(false);
        var objects = await SourceStreams.ObjectsAsync(storage, source, cancellationToken).ConfigureAwait(false);
        var copy = PostgresDialect.CopyFromStdin(stagingTable == null ? source.Schema : null, stagingTable ?? source.Table, layout.Columns.Select(c => c.Name));
        log.Verbose("SQL: " + copy + $" -- streamed from {source.Uri}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A write cut off halfway breaks the protocol stream: Npgsql drops the connection and the server goes on
        // with the rows it already holds until it notices, so a cmdlet stopped with Ctrl+C would return while
        // its COPY still runs. A stop therefore ends the COPY between batches, where CopyFail abandons it and the
        // server answers at once; only a write stuck for longer than the grace is cut off.
        using var writeStop = new CancellationTokenSource();
        await using var stopRegistration = stop.Token.Register(() => writeStop.CancelAfter(WriteGrace)).ConfigureAwait(false);
        var batches = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(QueuedBatches) { SingleReader = true, SingleWriter = true });
        // Written batches come back for the decoder to fill again: a load allocates a few batches in all.
        var recycled = Channel.CreateUnbounded<RowBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        long bytesRead = 0, rowsDecoded = 0;
        var progress = new Progress(log, $"Loading {target}", () => Interlocked.Read(ref bytesRead), () => Interlocked.Read(ref rowsDecoded));

        var decode = Task.Run(async () =>
        {
            try
            {
                foreach (var o in objects)
                {
                    log.Verbose($"{target}: reading {o.Uri}.");
                    async ValueTask<RowBatch> Sink(RowBatch full, CancellationToken ct)
                    {
                        Interlocked.Add(ref rowsDecoded, full.Count);
                        await batches.Writer.WriteAsync(full, ct).ConfigureAwait(false);
                        progress.Report();
                        return recycled.Reader.TryRead(out var empty) ? empty : new RowBatch(layout, full.Capacity);
                    }
                    if (source.Format == DataFormat.Parquet)
                    {
                        var spooling = System.Diagnostics.Stopwatch.StartNew();
                        var parquet = await OpenSourceAsync(() => ParquetSource.OpenAsync(storage, o, n => Interlocked.Add(ref bytesRead, n), stop.Token), o).ConfigureAwait(false);
                        log.Verbose($"{target}: {o.Uri} copied to a temporary file in {spooling.Elapsed.TotalSeconds:N2} s (Parquet's index is at its end); {parquet.RowGroupCount:N0} row group(s).");
                        await using (parquet.ConfigureAwait(false)) await new ParquetRecordReader(layout).ReadAsync(parquet, Sink, stop.Token).ConfigureAwait(false);
                        continue;
                    }
                    var stream = await OpenSourceAsync(() => SourceStreams.OpenAsync(storage, o, n => Interlocked.Add(ref bytesRead, n), stop.Token, log.Verbose), o).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
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
            // Each batch is encoded in the binary COPY format in one go and sent as one write (see BinaryCopy).
            var copyStream = await session.Connection.BeginRawBinaryCopyAsync(copy, stop.Token).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            var ended = false;
            try
            {
                long rows = 0;
                await copyStream.WriteAsync(BinaryCopy.Header, writeStop.Token).ConfigureAwait(false);
                await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    // ReadAllAsync hands out queued batches without looking at the token.
                    stop.Token.ThrowIfCancellationRequested();
                    var length = BinaryCopy.Encode(batch, ref buffer);
                    rows += batch.Count;
                    batch.Clear();
                    recycled.Writer.TryWrite(batch);
                    await copyStream.WriteAsync(buffer.AsMemory(0, length), writeStop.Token).ConfigureAwait(false);
                }
                stop.Token.ThrowIfCancellationRequested();
                await copyStream.WriteAsync(BinaryCopy.Trailer, writeStop.Token).ConfigureAwait(false);
                // Disposing ends the COPY: the server's verdict on the data (a NOT NULL violation, …) comes here.
                ended = true;
                await copyStream.DisposeAsync().ConfigureAwait(false);
                return rows;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                if (!ended) await AbortAsync(copyStream).ConfigureAwait(false);
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
            var warnings = TruncationWarnings(target, layout);
            foreach (var warning in warnings) log.Warning(warning);
            return new LoadedRows(rows, warnings);
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
                {
                    // The server's own checks (a CHECK or UNIQUE constraint) name the column but not the line of the file.
                    Details = [new LoadErrorDetail(source.Uri, null, pg.ColumnName, null, session.Redactor.Redact(pg.MessageText))],
                }
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

    /// <summary>
    /// Abandons the COPY (CopyFail): disposing the raw stream would instead end it and let the server take
    /// the rows sent so far. Failing to abandon it is not the error to report: the load's own failure is.
    /// </summary>
    private static async Task AbortAsync(NpgsqlRawCopyStream copyStream)
    {
        try
        {
            await copyStream.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
        {
            // the connection is broken or the COPY already over; the transaction rolls back either way
        }
    }

    /// <summary>Opens a file of the source; one that has gone missing since it was found fails the COPY.</summary>
    private static async Task<T> OpenSourceAsync<T>(Func<Task<T>> open, SourceObject source)
    {
        try
        {
            return await open().ConfigureAwait(false);
        }
        catch (RedshifterException ex) when (ex.ErrorId == ErrorIds.SourceNotFound)
        {
            throw new RedshifterException(ErrorIds.CopyFailed, ex.Kind, ex.Message, ex.RecommendedAction, source.Uri, ex);
        }
    }

    /// <summary>The table's columns with their types and, for records that lack them, their defaults.</summary>
    private static async Task<RecordLayout> LayoutAsync(DatabaseSession session, DatabaseTransaction transaction, SourceFile source, IReadOnlyList<ExistingColumn>? knownColumns, CancellationToken cancellationToken)
    {
        var state = knownColumns is { Count: > 0 }
            ? new TableState { Schema = source.Schema, Table = source.Table, Exists = true, Columns = knownColumns }
            : await TableInspector.ReadColumnsAsync(session, source.Schema, source.Table, transaction, cancellationToken).ConfigureAwait(false);
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
            return new TargetColumn(c.Name, c.Type!, missing, c.NotNull);
        })]);
    }

    /// <summary>
    /// One warning per column whose values were cut to fit it, as Redshift's COPY cuts them without a word: text
    /// TRUNCATECOLUMNS cut (how many, the longest in bytes, the width that keeps them whole), and numbers with more
    /// decimal places than the column's scale (COPY truncates them without ROUNDEC: how many, the scale that keeps them).
    /// </summary>
    internal static IReadOnlyList<string> TruncationWarnings(string target, RecordLayout layout) =>
    [
        .. layout.Columns.Where(c => c.CutValues > 0 && c.Type.Kind != Config.ColumnKind.Numeric).Select(c =>
        {
            var isChar = c.Type.Kind == Config.ColumnKind.Char;
            var widest = isChar ? 4096 : 65535;
            var fits = c.LongestCut <= widest
                ? $"make it {(isChar ? "char" : "varchar")}({c.LongestCut}) in the config to keep them whole"
                : $"even {(isChar ? "char" : "varchar")}({widest}), the widest, cannot keep them whole";
            return $"{target}: TRUNCATECOLUMNS cut {c.CutValues:N0} value(s) of column '{c.Name}' to {c.Type}; the longest was {c.LongestCut:N0} bytes: {fits}.";
        }),
        .. layout.Columns.Where(c => c.CutValues > 0 && c.Type.Kind == Config.ColumnKind.Numeric).Select(c =>
            $"{target}: COPY cut {c.CutValues:N0} value(s) of column '{c.Name}' to the {c.Type.Scale ?? 0} decimal place(s) of {c.Type} (Redshift's COPY truncates them too; it does not round); " +
            $"a value had {c.LongestCut}: {Checks.HeadComparison.ScaleFix(c.Type, c.LongestCut)}."),
    ];

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
