using System.Buffers.Binary;
using System.Text;
using Parquet;
using Parquet.Schema;
using Redshifter.Engine.Config;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tables;

namespace Redshifter.Engine.Checks;

/// <summary>
/// The source check of issue 17 §2 (DESIGN.md section 5 step 4): before the load's transaction, a bounded,
/// cheap read of the head of the source — the header line and the first <see cref="MaxRecords"/> records of
/// text (at most <see cref="MaxBytes"/> decompressed), or a Parquet file's schema from its footer alone — held
/// against the config and the table by <see cref="HeadComparison"/>. A mismatch that would put values into the
/// wrong column or make COPY fail throws (Redshifter.SchemaMismatch) before anything changes; what only loses
/// or cuts data comes back as warnings, each also told through <see cref="IEngineLog.Warning"/>. Of a manifest,
/// only the first entry is read.
/// </summary>
public static class SourceCheck
{
    internal const int MaxRecords = 1000;
    internal const int MaxBytes = 8 << 20;

    /// <summary>The check against the table as the catalog has it now (read outside any transaction) and the config.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(SourceFile source, TableConfig config, DatabaseSession session, S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var table = await TableInspector.ReadColumnsAsync(session, config.Schema, config.Table, null, cancellationToken).ConfigureAwait(false);
        return await RunAsync(source, config, table, storage, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The check against <paramref name="table"/> (null or not existing: the config's columns alone).</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(SourceFile source, TableConfig config, TableState? table, S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var objects = await SourceStreams.ObjectsAsync(storage, source, cancellationToken).ConfigureAwait(false);
        if (objects.Count == 0) return [];
        var first = objects[0];
        var columns = HeadComparison.TargetColumns(config, table);
        var warnings = source.Format == DataFormat.Parquet
            ? await CheckParquetAsync(first, columns, storage, cancellationToken).ConfigureAwait(false)
            : await CheckTextAsync(source, first, config, columns, storage, log, cancellationToken).ConfigureAwait(false);
        foreach (var warning in warnings) log.Warning(warning);
        return warnings;
    }

    /// <summary>
    /// JSON or CSV/delimited: every column is read as whole text (no value is cut or refused here: the load
    /// reports bad records with their line), so that the longest value and the widest number are seen as written.
    /// </summary>
    private static async Task<List<string>> CheckTextAsync(SourceFile source, SourceObject first, TableConfig config, IReadOnlyList<CheckColumn> columns,
        S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // varchar of any length, so the sample keeps every value whole (no config can say this; only the check uses it).
        var whole = new ColumnType(ColumnKind.Varchar, int.MaxValue);
        var layout = new RecordLayout([.. columns.Select(c => new TargetColumn(c.Name, whole, null))]) { OnLookup = (key, _) => keys.Add(key) };
        var stats = columns.Select(_ => new ValueStats()).ToArray();
        var records = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One record per batch: each is counted the moment it is read, so the sample stops exactly at its bounds.
        ValueTask<RowBatch> Sink(RowBatch row, CancellationToken _)
        {
            Observe(row, columns, stats);
            row.Clear();
            if (++records >= MaxRecords) Stop(stop);
            return ValueTask.FromResult(row);
        }
        var raw = await SourceStreams.OpenAsync(storage, first, _ => { }, stop.Token).ConfigureAwait(false);
        await using var stream = new BoundedStream(raw, MaxBytes, stop);
        try
        {
            if (source.Format == DataFormat.Json)
            {
                await new JsonRecordReader(layout, first.Uri, batchSize: 1).ReadAsync(stream, Sink, stop.Token).ConfigureAwait(false);
            }
            else
            {
                var delimiter = source.Delimiter ?? (source.Format == DataFormat.Csv ? ',' : '|');
                var skip = source.IgnoreHeader;
                if (skip >= 1)
                {
                    // The header line goes by position into the config's columns: out of order is an error before anything is read further.
                    var header = await ReadLineAsync(stream, cancellationToken).ConfigureAwait(false);
                    if (header == null) return warnings;
                    warnings.AddRange(HeadComparison.CsvHeader(DelimitedRecordReader.HeaderNames(header, delimiter), config, first.Uri));
                    skip--;
                }
                var options = new DelimitedOptions(source.Format == DataFormat.Csv, delimiter, skip);
                await new DelimitedRecordReader(layout, first.Uri, options, batchSize: 1).ReadAsync(stream, Sink, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // the sample is full
        }
        catch (S3ReadException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw SourceStreams.ReadFailed(first, ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or ICSharpCode.SharpZipLib.SharpZipBaseException && !cancellationToken.IsCancellationRequested)
        {
            throw SourceStreams.Corrupt(first, ex);
        }
        log.Verbose($"{config.Schema}.{config.Table}: checked the head of {first.Uri} ({records:N0} record{(records == 1 ? "" : "s")}) against the config and the table.");
        if (source.Format == DataFormat.Json) warnings.AddRange(HeadComparison.JsonKeys(keys, columns, records, first.Uri));
        warnings.AddRange(HeadComparison.Values(columns, stats, records, first.Uri));
        return warnings;
    }

    private static void Stop(CancellationTokenSource stop)
    {
        stop.Cancel();
        stop.Token.ThrowIfCancellationRequested();
    }

    /// <summary>Adds the record (the batch's one row) to the columns' statistics: text bytes, and numbers as written.</summary>
    private static void Observe(RowBatch row, IReadOnlyList<CheckColumn> columns, ValueStats[] stats)
    {
        for (var c = 0; c < columns.Count; c++)
        {
            if (row.Nulls[c][0]) continue;
            var length = row.TextLength[c][0];
            switch (columns[c].Type.Kind)
            {
                case ColumnKind.Varchar or ColumnKind.Char:
                    stats[c].AddText(length);
                    break;
                case ColumnKind.Numeric:
                    stats[c].AddNumber(Encoding.UTF8.GetString(row.Text, row.TextStart[c][0], length));
                    break;
            }
        }
    }

    /// <summary>One line of UTF-8 (without its line break or a byte-order mark), read byte by byte so that the stream goes on right after it.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 1 && one[0] != (byte)'\n') bytes.Add(one[0]);
        if (bytes.Count == 0) return null;
        var line = Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r');
        return line.TrimStart('\uFEFF');
    }

    /// <summary>
    /// Parquet: the schema, from the file's footer alone (two ranged GETs at most, whatever the file's size),
    /// against the columns: count and, by position, each column's type. A file that is not Parquet, or
    /// nested, or compressed as a whole, is left to the load, which says what is wrong with it.
    /// </summary>
    private static async Task<List<string>> CheckParquetAsync(SourceObject first, IReadOnlyList<CheckColumn> columns, S3Storage storage, CancellationToken cancellationToken)
    {
        if (first.Compression != Compression.None) return [];
        var fields = await ReadParquetSchemaAsync(first, storage, cancellationToken).ConfigureAwait(false);
        if (fields != null) HeadComparison.ParquetColumns(fields, columns, first.Uri);
        return [];
    }

    /// <summary>The flat columns of a Parquet file, read from its footer; null when it is not a flat Parquet file.</summary>
    internal static async Task<IReadOnlyList<DataField>?> ReadParquetSchemaAsync(SourceObject source, S3Storage storage, CancellationToken cancellationToken)
    {
        var info = await storage.TryGetInfoAsync(source.Bucket, source.Key, cancellationToken).ConfigureAwait(false);
        const int Magic = 4;
        if (info == null || info.Size < 2 * Magic + 4) return null;
        // The file ends with the footer, its length (4 bytes) and PAR1: the last 64 KB hold most footers.
        var tail = await storage.ReadRangeAsync(source.Bucket, source.Key, Math.Max(0, info.Size - 65536), (int)Math.Min(info.Size, 65536), cancellationToken).ConfigureAwait(false);
        if (!tail.AsSpan(tail.Length - Magic).SequenceEqual("PAR1"u8)) return null;
        var footer = BinaryPrimitives.ReadInt32LittleEndian(tail.AsSpan(tail.Length - 2 * Magic));
        if (footer <= 0 || footer > info.Size - 2 * Magic - Magic || footer > MaxBytes) return null;
        if (footer + 2 * Magic > tail.Length)
            tail = await storage.ReadRangeAsync(source.Bucket, source.Key, info.Size - footer - 2 * Magic, footer + 2 * Magic, cancellationToken).ConfigureAwait(false);
        await using var file = new FooterStream(info.Size, tail);
        try
        {
            await using var reader = await ParquetReader.CreateAsync(file, ParquetSource.Options, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
            var fields = reader.Schema.Fields;
            return fields.All(f => f is DataField { IsArray: false }) ? reader.Schema.DataFields : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null; // not readable as Parquet: the load's reader words that
        }
    }

    /// <summary>
    /// A Parquet file of which only the footer is here: the length of the whole, the footer at its end, and
    /// the leading PAR1 (Parquet.Net checks both ends). Reading anything else fails: the schema needs no data.
    /// </summary>
    private sealed class FooterStream(long length, byte[] tail) : Stream
    {
        private readonly long _tailStart = length - tail.Length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Position >= length || buffer.IsEmpty) return 0;
            var n = (int)Math.Min(buffer.Length, length - Position);
            if (Position < 4 && Position + n <= 4)
                "PAR1"u8.Slice((int)Position, n).CopyTo(buffer);
            else if (Position >= _tailStart)
                tail.AsSpan((int)(Position - _tailStart), n).CopyTo(buffer);
            else
                throw new InvalidDataException("the source check reads a Parquet file's footer only");
            Position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>The decompressed text with a bound: past <paramref name="limit"/> bytes the sample is full (the check stops, as at its record bound).</summary>
    private sealed class BoundedStream(Stream inner, long limit, CancellationTokenSource stop) : ForwardStream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= limit) Stop(stop);
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, limit - _read)], cancellationToken).ConfigureAwait(false);
            _read += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
