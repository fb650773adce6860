using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Redshifter.TestServers;

/// <summary>
/// A TCP proxy on loopback in front of a real server that holds every chunk the client sends for
/// <see cref="Delay"/> before passing it on: each statement then costs one round trip of that length,
/// as it does against a remote Redshift leader node. It makes latency-bound behaviour (tables loaded in
/// parallel while each waits on its statements) measurable on one machine. Bytes pass unchanged both
/// ways; <see cref="Dispose"/> ends every connection.
/// </summary>
public sealed class LatencyProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _chunks;

    public int Port { get; }

    /// <summary>How long each chunk from the client waits before it is forwarded.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Chunks the client has sent (about one per statement).</summary>
    public int ChunksForwarded => Volatile.Read(ref _chunks);

    public LatencyProxy(int upstreamPort, TimeSpan delay)
    {
        _upstreamPort = upstreamPort;
        Delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                _ = Task.Run(() => PipeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token).ConfigureAwait(false);
                var fromClient = client.GetStream();
                var toServer = upstream.GetStream();
                var up = CopyAsync(fromClient, toServer, delayed: true);
                var down = CopyAsync(toServer, fromClient, delayed: false);
                await Task.WhenAny(up, down).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task CopyAsync(Stream from, Stream to, bool delayed)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
            {
                if (delayed)
                {
                    Interlocked.Increment(ref _chunks);
                    if (Delay > TimeSpan.Zero) await Task.Delay(Delay, _stop.Token).ConfigureAwait(false);
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public override string ToString() => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
