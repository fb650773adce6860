using System.Buffers.Binary;
using System.Text;
using Parquet;
using Parquet.Schema;
using Redshifter.Engine.Config;
using Redshifter.Engine.Connections;
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
internal static class SourceCheck
{
    internal const int MaxRecords = 1000;
    internal const int MaxBytes = 8 << 20;
    internal const int MaxParquetRows = 1 << 20;

    /// <summary>
    /// Invoke-RedshiftCopy's check, which has no config: the table's own columns stand for it. A table that does
    /// not exist (or has a column of a type Redshifter does not know) is the copy's to report.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(SourceFile source, DatabaseSession session, S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var table = await TableInspector.ReadColumnsAsync(session, source.Schema, source.Table, null, cancellationToken).ConfigureAwait(false);
        if (!table.Exists || table.Columns.Any(c => c.Type == null)) return [];
        var config = new TableConfig
        {
            Source = $"(the columns of the table {table.Schema}.{table.Table})",
            Schema = table.Schema,
            Table = table.Table,
            DataDateColumn = table.Columns[0].Name,
            Columns = [.. table.Columns.Select(c => new ColumnConfig { Name = c.Name, Type = c.Type! })],
        };
        var head = await ReadHeadAsync(source, config, storage, log, cancellationToken).ConfigureAwait(false);
        return head.Compare(table, log, loadCountsCuts: session.Engine == EngineKind.PostgreSQL);
    }

    /// <summary>
    /// Reads the head of the source (S3 only, before any transaction). What needs only the config is checked
    /// at once: a CSV header out of the config's order throws here. The rest is compared with the table by
    /// <see cref="SourceHead.Compare"/> once the load has read it, so the check asks the database nothing.
    /// </summary>
    public static async Task<SourceHead> ReadHeadAsync(SourceFile source, TableConfig config, S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var objects = await SourceStreams.ObjectsAsync(storage, source, cancellationToken).ConfigureAwait(false);
        if (objects.Count == 0) return new SourceHead(config, source.Uri, source.Format);
        var first = objects[0];
        var head = new SourceHead(config, first.Uri, source.Format);
        if (source.Format != DataFormat.Parquet)
            await ReadTextAsync(source, first, head, storage, cancellationToken).ConfigureAwait(false);
        else if (first.Compression == Compression.None) // a Parquet file compressed as a whole is left to the load
            await ReadParquetHeadAsync(first, head, storage, log, cancellationToken).ConfigureAwait(false);
        log.Verbose($"{config.Schema}.{config.Table}: read the head of {first.Uri} ({(head.ParquetFields != null ? "its schema, " : "")}{head.Records:N0} record{(head.Records == 1 ? "" : "s")}) to check it against the config and the table.");
        return head;
    }

    /// <summary>
    /// JSON or CSV/delimited, as the config's columns: every value is read as whole text (none is cut or
    /// refused here: the load reports bad records with their line), so that the longest value and the widest
    /// number are seen as written; every JSON key is heard.
    /// </summary>
    private static async Task ReadTextAsync(SourceFile source, SourceObject first, SourceHead head, S3Storage storage, CancellationToken cancellationToken)
    {
        var columns = head.Config.Columns;
        // varchar of any length, so the sample keeps every value whole (no config can say this; only the check uses it).
        var whole = new ColumnType(ColumnKind.Varchar, int.MaxValue);
        var layout = new RecordLayout([.. columns.Select(c => new TargetColumn(c.Name, whole, null))]) { OnLookup = (key, _) => head.Keys.Add(key) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One record per batch: each is counted the moment it is read, so the sample stops exactly at its bounds.
        ValueTask<RowBatch> Sink(RowBatch row, CancellationToken _)
        {
            Observe(row, columns, head.Stats);
            row.Clear();
            if (++head.Records >= MaxRecords) Stop(stop);
            return ValueTask.FromResult(row);
        }
        var size = (await storage.TryGetInfoAsync(first.Bucket, first.Key, cancellationToken).ConfigureAwait(false))?.Size ?? 0;
        await using var stream = new BoundedStream(SourceStreams.Decompressed(new RangedStream(storage, first, size), first.Compression), MaxBytes, stop);
        try
        {
            if (source.Format == DataFormat.Json)
            {
                await new JsonRecordReader(layout, first.Uri, batchSize: 1).ReadAsync(stream, Sink, stop.Token).ConfigureAwait(false);
                return;
            }
            var delimiter = source.Delimiter ?? (source.Format == DataFormat.Csv ? ',' : '|');
            var skip = source.IgnoreHeader;
            if (skip >= 1)
            {
                // The header goes by position into the config's columns: out of order is an error before anything else.
                var header = await ReadLineAsync(stream, cancellationToken).ConfigureAwait(false);
                if (header == null) return;
                try
                {
                    head.Warnings.AddRange(HeadComparison.CsvHeader(DelimitedRecordReader.HeaderNames(header, delimiter), head.Config, first.Uri));
                }
                catch (RedshifterException ex)
                {
                    // Said when the head is compared: after the freshness decision, so a stale file is still just skipped.
                    head.Refusal = ex;
                    return;
                }
                skip--;
            }
            var options = new DelimitedOptions(source.Format == DataFormat.Csv, delimiter, skip);
            await new DelimitedRecordReader(layout, first.Uri, options, batchSize: 1).ReadAsync(stream, Sink, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // the sample is full
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or ICSharpCode.SharpZipLib.SharpZipBaseException && !cancellationToken.IsCancellationRequested)
        {
            throw SourceStreams.Corrupt(first, ex);
        }
    }

    private static void Stop(CancellationTokenSource stop)
    {
        stop.Cancel();
        stop.Token.ThrowIfCancellationRequested();
    }

    /// <summary>Adds the record (the batch's one row) to the columns' statistics: text bytes, and numbers as written.</summary>
    private static void Observe(RowBatch row, IReadOnlyList<ColumnConfig> columns, ValueStats[] stats)
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
    /// A Parquet file's flat columns, read from its footer alone (two ranged GETs at most, whatever the file's
    /// size), and — when its first row group is small (its chunks within <see cref="MaxBytes"/>, at most
    /// <see cref="MaxParquetRows"/> rows) — that group's values, with one more ranged GET. A file that is not
    /// flat Parquet is left alone: the load's reader says what is wrong with it.
    /// </summary>
    private static async Task ReadParquetHeadAsync(SourceObject source, SourceHead head, S3Storage storage, IEngineLog log, CancellationToken cancellationToken)
    {
        var info = await storage.TryGetInfoAsync(source.Bucket, source.Key, cancellationToken).ConfigureAwait(false);
        const int Magic = 4;
        if (info == null || info.Size < 2 * Magic + 4) return;
        // The file ends with the footer, its length (4 bytes) and PAR1: the last 64 KB hold most footers.
        var tail = await storage.ReadRangeAsync(source.Bucket, source.Key, Math.Max(0, info.Size - 65536), (int)Math.Min(info.Size, 65536), cancellationToken).ConfigureAwait(false);
        if (!tail.AsSpan(tail.Length - Magic).SequenceEqual("PAR1"u8)) return;
        var footer = BinaryPrimitives.ReadInt32LittleEndian(tail.AsSpan(tail.Length - 2 * Magic));
        if (footer <= 0 || footer > info.Size - 2 * Magic - Magic || footer > MaxBytes) return;
        if (footer + 2 * Magic > tail.Length)
            tail = await storage.ReadRangeAsync(source.Bucket, source.Key, info.Size - footer - 2 * Magic, footer + 2 * Magic, cancellationToken).ConfigureAwait(false);
        await using var file = new FooterStream(info.Size, tail);
        try
        {
            await using var reader = await ParquetReader.CreateAsync(file, ParquetSource.Options, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
            if (!reader.Schema.Fields.All(f => f is DataField { IsArray: false })) return;
            head.ParquetFields = reader.Schema.DataFields;
            var group = reader.Metadata?.RowGroups.FirstOrDefault();
            var end = group?.Columns.Max(c => c.MetaData is { } m ? (m.DictionaryPageOffset ?? m.DataPageOffset) + m.TotalCompressedSize : long.MaxValue) ?? 0;
            if (group is not { NumRows: > 0 and <= MaxParquetRows } || end <= 0 || end > MaxBytes) return;
            file.Head = await storage.ReadRangeAsync(source.Bucket, source.Key, 0, (int)end, cancellationToken).ConfigureAwait(false);
            var rows = reader.OpenRowGroupReader(0);
            var count = (int)rows.RowCount;
            var stats = new ValueStats[head.ParquetFields.Count];
            // The load's readers (integers as stored, text as bytes): Parquet.Net's own misread or refused some.
            var readers = ParquetSource.ColumnsOf(head.ParquetFields);
            for (var c = 0; c < stats.Length; c++)
            {
                var values = readers[c];
                await values.ReadAsync(rows, head.ParquetFields[c], count, cancellationToken).ConfigureAwait(false);
                stats[c] = new ValueStats();
                for (var r = 0; r < count; r++) Observe(stats[c], values[r]);
            }
            (head.ParquetStats, head.Records) = (stats, count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not readable as Parquet: the load's reader words that. Said, so that a check that did not run is not taken for one that passed.
            log.Verbose($"{source.Uri}: the check could not read the file's head as Parquet ({ex.Message}); the load reads the file itself.");
        }
    }

    /// <summary>A Parquet value into the statistics: a string's UTF-8 bytes, a number's digits.</summary>
    private static void Observe(ValueStats stats, object? value)
    {
        switch (value)
        {
            case string text:
                stats.AddText(Encoding.UTF8.GetByteCount(text));
                break;
            case Parquet.Data.BigDecimal or decimal or long or int or short or sbyte or byte or ushort or uint or ulong:
                stats.AddNumber(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!);
                break;
        }
    }

    /// <summary>
    /// A Parquet file of which only the ends are here: the length of the whole, the footer at its end, and its
    /// start — the leading PAR1 (Parquet.Net checks both ends), or once read the first row group. Reading
    /// anything else fails: the check needs no more.
    /// </summary>
    private sealed class FooterStream(long length, byte[] tail) : Stream
    {
        private readonly long _tailStart = length - tail.Length;

        public byte[] Head { get; set; } = "PAR1"u8.ToArray();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Position >= length || buffer.IsEmpty) return 0;
            var n = (int)Math.Min(buffer.Length, length - Position);
            if (Position + n <= Head.Length)
                Head.AsSpan((int)Position, n).CopyTo(buffer);
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

    /// <summary>
    /// An object's bytes from its start, fetched with ranged GETs as the reader asks for them (64 KB, doubling
    /// to 1 MB): the check transfers about what it reads, where the load's read-ahead would fetch megabytes.
    /// </summary>
    private sealed class RangedStream(S3Storage storage, SourceObject source, long size) : ForwardStream
    {
        private byte[] _chunk = [];
        private int _offset;
        private long _next;
        private int _chunkSize = 64 << 10;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_offset == _chunk.Length)
            {
                if (_next >= size) return 0;
                _chunk = await storage.ReadRangeAsync(source.Bucket, source.Key, _next, (int)Math.Min(_chunkSize, size - _next), cancellationToken).ConfigureAwait(false);
                if (_chunk.Length == 0) return 0;
                (_next, _offset, _chunkSize) = (_next + _chunk.Length, 0, Math.Min(_chunkSize * 2, 1 << 20));
            }
            var n = Math.Min(buffer.Length, _chunk.Length - _offset);
            _chunk.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
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

/// <summary>
/// What the source check read of a source's head (<see cref="SourceCheck.ReadHeadAsync"/>), to be compared
/// with the table once the load has read it — once per load: a transaction that runs again (a conflict, a
/// widening first) does not say the same warnings twice.
/// </summary>
internal sealed class SourceHead
{
    private bool _compared;

    internal SourceHead(TableConfig config, string uri, DataFormat format)
    {
        Config = config;
        Uri = uri;
        Format = format;
        Stats = [.. config.Columns.Select(_ => new ValueStats())];
    }

    internal TableConfig Config { get; }
    internal string Uri { get; }
    internal DataFormat Format { get; }
    internal int Records { get; set; }
    internal HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    /// <summary>The sample's values of each config column (in the config's order).</summary>
    internal ValueStats[] Stats { get; }
    /// <summary>Warnings found while reading (a header's names that are not the config's).</summary>
    internal List<string> Warnings { get; } = [];
    /// <summary>What the head showed that the load must refuse (a CSV header in another order), thrown by <see cref="Compare"/>.</summary>
    internal RedshifterException? Refusal { get; set; }
    internal IReadOnlyList<DataField>? ParquetFields { get; set; }
    /// <summary>The first row group's values of each Parquet column (in the file's order), when it was read.</summary>
    internal IReadOnlyList<ValueStats>? ParquetStats { get; set; }

    /// <summary>
    /// The head against the table (null or not existing: the config's columns alone) and the config: throws
    /// Redshifter.SchemaMismatch for a Parquet file the table cannot take; returns the warnings, each also told
    /// through <see cref="IEngineLog.Warning"/>. A second call returns none. <paramref name="loadCountsCuts"/>: the
    /// load that follows counts what TRUNCATECOLUMNS cuts (the PostgreSQL loader), so the sample's widths go unsaid.
    /// </summary>
    public IReadOnlyList<string> Compare(TableState? table, IEngineLog log, bool loadCountsCuts = false)
    {
        if (_compared) return [];
        _compared = true;
        if (Refusal != null) throw Refusal;
        var columns = HeadComparison.TargetColumns(Config, table);
        var warnings = new List<string>(Warnings);
        if (ParquetFields != null)
        {
            // By position, as COPY loads Parquet: the counts are equal once the schema fits.
            HeadComparison.ParquetColumns(ParquetFields, columns, Uri);
            if (ParquetStats != null) warnings.AddRange(HeadComparison.Values(columns, ParquetStats, Records, Uri, widths: !loadCountsCuts));
        }
        else
        {
            if (Format == DataFormat.Json) warnings.AddRange(HeadComparison.JsonKeys(Keys, columns, Records, Uri));
            // The sample's values by the config's column names; a column only the table has was not sampled.
            var byName = Config.Columns.Select((c, i) => (c.Name, Stats: Stats[i])).ToDictionary(c => c.Name, c => c.Stats, StringComparer.OrdinalIgnoreCase);
            warnings.AddRange(HeadComparison.Values(columns, [.. columns.Select(c => byName.GetValueOrDefault(c.Name) ?? new ValueStats())], Records, Uri, widths: !loadCountsCuts));
        }
        foreach (var warning in warnings) log.Warning(warning);
        return warnings;
    }
}
