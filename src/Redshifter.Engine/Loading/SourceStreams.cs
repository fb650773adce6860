using System.Buffers;
using System.IO.Compression;
using System.Threading.Channels;
using ICSharpCode.SharpZipLib.BZip2;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Loading;

/// <summary>One object to read: where it is and how it is compressed.</summary>
internal sealed record SourceObject(string Bucket, string Key, Compression Compression)
{
    public string Uri => S3Uri.Format(Bucket, Key);
}

/// <summary>Opens the objects of a source (every manifest entry, in order) as decompressed streams with read-ahead.</summary>
internal static class SourceStreams
{
    public static async Task<IReadOnlyList<SourceObject>> ObjectsAsync(S3Storage storage, SourceFile source, CancellationToken cancellationToken)
    {
        if (!source.IsManifest) return [new SourceObject(source.Bucket, source.Key, source.Compression)];
        var manifest = await Manifest.ReadAsync(storage, source.Bucket, source.Key, cancellationToken).ConfigureAwait(false);
        await manifest.ValidateAsync(storage, cancellationToken).ConfigureAwait(false);
        var objects = new List<SourceObject>();
        foreach (var entry in manifest.Entries)
        {
            // A missing optional entry is skipped, as Redshift does.
            if (!entry.Mandatory && await storage.TryGetInfoAsync(entry.Bucket, entry.Key, cancellationToken).ConfigureAwait(false) == null) continue;
            objects.Add(new SourceObject(entry.Bucket, entry.Key, SourceName.DescribeObject(entry.Key).Compression));
        }
        return objects;
    }

    /// <summary>
    /// The object's bytes, decompressed. S3 is read ahead on its own task (up to 8 MB), so that the
    /// network, the decompression and the decoding overlap. <paramref name="onBytes"/> counts bytes read from S3.
    /// </summary>
    public static async Task<Stream> OpenAsync(S3Storage storage, SourceObject source, Action<long> onBytes, CancellationToken cancellationToken, Action<string>? onResume = null)
    {
        var raw = await storage.OpenReadAsync(source.Bucket, source.Key, cancellationToken, onResume).ConfigureAwait(false);
        return Decompressed(new ReadAheadStream(raw, onBytes, cancellationToken), source.Compression);
    }

    /// <summary>The bytes of <paramref name="compressed"/> decompressed as <paramref name="compression"/> says; the result owns it.</summary>
    public static Stream Decompressed(Stream compressed, Compression compression) => compression switch
    {
        Compression.Gzip => new GZipStream(compressed, CompressionMode.Decompress),
        Compression.Bzip2 => new BZip2InputStream(compressed) { IsStreamOwner = true },
        Compression.Zstd => new ZstdSharp.DecompressionStream(compressed),
        _ => compressed,
    };

    /// <summary>S3 stopped answering in the middle of the object (and resuming failed): a CopyFailed that says so, not "corrupt data".</summary>
    public static RedshifterException ReadFailed(SourceObject source, S3ReadException ex) => new(
        ErrorIds.CopyFailed, ErrorKind.ResourceUnavailable,
        $"Reading from S3 failed in the middle of the load: {ex.Message}. Nothing was loaded.",
        "Check that S3 (or AWS_ENDPOINT_URL_S3, if set) is reachable and healthy, then run the load again; the table was not changed.", source.Uri, ex);

    /// <summary>Turns decompression failures into a CopyFailed that names the object.</summary>
    public static RedshifterException Corrupt(SourceObject source, Exception ex) => new(
        ErrorIds.CopyFailed, ErrorKind.InvalidData,
        $"Could not read {source.Uri} as {(source.Compression == Compression.None ? "plain data" : source.Compression.ToString().ToLowerInvariant() + "-compressed data")}: {ex.Message}",
        "Check that the file is complete and that its suffix matches its compression (.gz, .bz2, .zst).", source.Uri, ex);
}

/// <summary>A stream that reads its source ahead on a background task into a bounded queue of chunks.</summary>
internal sealed class ReadAheadStream : ForwardStream
{
    private const int ChunkSize = 256 * 1024;
    private readonly Stream _source;
    private readonly Channel<(byte[] Buffer, int Length)> _chunks = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(32) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop;
    private readonly Task _pump;
    private byte[]? _current;
    private int _offset;
    private int _length;

    public ReadAheadStream(Stream source, Action<long> onBytes, CancellationToken cancellationToken)
    {
        _source = source;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _pump = Task.Run(() => PumpAsync(onBytes, _stop.Token), CancellationToken.None);
    }

    private async Task PumpAsync(Action<long> onBytes, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var filled = 0;
                int read;
                do
                {
                    read = await _source.ReadAsync(buffer.AsMemory(filled, ChunkSize - filled), cancellationToken).ConfigureAwait(false);
                    filled += read;
                } while (read > 0 && filled < ChunkSize);
                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                onBytes(filled);
                await _chunks.Writer.WriteAsync((buffer, filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
            }
            _chunks.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _chunks.Writer.TryComplete(ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_current == null || _offset == _length)
        {
            if (_current != null) ArrayPool<byte>.Shared.Return(_current);
            _current = null;
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await _chunks.Reader.Completion.ConfigureAwait(false); // rethrows the pump's failure
                return 0;
            }
            if (!_chunks.Reader.TryRead(out var chunk)) return 0;
            (_current, _length, _offset) = (chunk.Buffer, chunk.Length, 0);
        }
        var n = Math.Min(buffer.Length, _length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            try { _pump.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            while (_chunks.Reader.TryRead(out var chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
            if (_current != null) ArrayPool<byte>.Shared.Return(_current);
            _current = null;
            _source.Dispose();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
