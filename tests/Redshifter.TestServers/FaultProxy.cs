using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Redshifter.TestServers;

/// <summary>
/// A fault-injecting HTTP proxy on loopback in front of a real server (s3rver): point
/// AWS_ENDPOINT_URL_S3 at <see cref="Endpoint"/> and the client talks to the real server through it,
/// except where a fault is armed. Each client connection carries one request: the proxy reads the
/// request head, decides, and either answers with an error itself or forwards the request (with
/// <c>Connection: close</c>, so the client opens a new connection for its next request) and pipes the
/// response back byte for byte. Faults:
/// <list type="bullet">
/// <item><see cref="FailEachRequestTimes"/>: every distinct request (method and target) is answered
/// with <see cref="FailureStatus"/> that many times before it is forwarded — what a throttling or
/// briefly failing S3 does, and what the SDK's retries must carry through.</item>
/// <item><see cref="CutResponsesAfterBytes"/>: a response that reaches that many bytes is cut there (the
/// connection is reset), at most <see cref="CutsLeft"/> times — a network that drops mid-object.</item>
/// <item><see cref="StallInsteadOfCut"/>: a cut response is not reset but goes silent, its connection
/// open, until the proxy is disposed — a server or network that stalls without closing.</item>
/// <item><see cref="StopAfterResponseBytes"/>: when a response reaches that many bytes the "server stops":
/// every connection is reset and nothing listens on the port any more (connection refused).</item>
/// </list>
/// Only loopback, bounded by the test's own requests; <see cref="Dispose"/> ends everything.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly List<Socket> _open = [];
    private readonly Task _acceptLoop;
    private int _requests, _errorsSent, _cuts, _stopped;
    private int _cutsLeft = int.MaxValue;

    public int Port { get; }
    public string Endpoint => "http://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Answer each distinct request with <see cref="FailureStatus"/> this many times before forwarding it.</summary>
    public int FailEachRequestTimes { get; set; }

    /// <summary>The HTTP status of an injected failure (500 or 503).</summary>
    public int FailureStatus { get; set; } = 503;

    /// <summary>Cut (reset) a response once it has sent this many bytes (head included); -1 = never.</summary>
    public long CutResponsesAfterBytes { get; set; } = -1;

    /// <summary>How many more responses may be cut; after that, responses pass whole.</summary>
    public int CutsLeft { get => Volatile.Read(ref _cutsLeft); set => Volatile.Write(ref _cutsLeft, value); }

    /// <summary>With <see cref="CutResponsesAfterBytes"/>: hold the connection open and silent instead of resetting it.</summary>
    public bool StallInsteadOfCut { get; set; }

    /// <summary>Stop the whole server once a response has sent this many bytes; -1 = never.</summary>
    public long StopAfterResponseBytes { get; set; } = -1;

    /// <summary>Requests received (each attempt of a retried request counts).</summary>
    public int Requests => Volatile.Read(ref _requests);
    /// <summary>Error responses sent instead of forwarding.</summary>
    public int ErrorsSent => Volatile.Read(ref _errorsSent);
    /// <summary>Responses cut in the middle.</summary>
    public int Cuts => Volatile.Read(ref _cuts);
    /// <summary>Whether the "server" has stopped (<see cref="StopAfterResponseBytes"/> or <see cref="StopServer"/>).</summary>
    public bool Stopped => Volatile.Read(ref _stopped) == 1;

    private FaultProxy(TcpListener listener, int upstreamPort)
    {
        _listener = listener;
        _upstreamPort = upstreamPort;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Starts a proxy on a free loopback port that forwards to 127.0.0.1:<paramref name="upstreamPort"/>.</summary>
    public static FaultProxy Start(int upstreamPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new FaultProxy(listener, upstreamPort);
    }

    /// <summary>The server dies: open connections are reset, and new ones are refused.</summary>
    public void StopServer()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        _listener.Stop();
        lock (_open)
        {
            foreach (var s in _open) Reset(s);
            _open.Clear();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested && !Stopped)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(Socket client)
    {
        Socket? upstream = null;
        Track(client);
        try
        {
            client.NoDelay = true;
            var (head, rest) = await ReadHeadAsync(client).ConfigureAwait(false);
            if (head == null) return;
            Interlocked.Increment(ref _requests);
            var requestLine = head[..head.IndexOf("\r\n", StringComparison.Ordinal)];
            if (ShouldFail(requestLine))
            {
                Interlocked.Increment(ref _errorsSent);
                var code = FailureStatus == 500 ? "InternalError" : "SlowDown";
                var reason = FailureStatus == 500 ? "Internal Server Error" : "Slow Down";
                var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>Injected by the test's fault proxy.</Message><RequestId>fault</RequestId></Error>";
                var response = $"HTTP/1.1 {FailureStatus.ToString(CultureInfo.InvariantCulture)} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n{body}";
                await client.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
                return;
            }

            upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Track(upstream);
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort).ConfigureAwait(false);
            await upstream.SendAsync(Encoding.ASCII.GetBytes(WithConnectionClose(head)), SocketFlags.None).ConfigureAwait(false);
            if (rest.Length > 0) await upstream.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
            var up = PipeAsync(client, upstream, limit: null);
            var down = PipeAsync(upstream, client, limit: this);
            await down.ConfigureAwait(false);
            // The request direction ends with an error when the sockets close under it: observe it.
            _ = up.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            Close(client);
            if (upstream != null) Close(upstream);
        }
    }

    private bool ShouldFail(string requestLine)
    {
        lock (_failures)
        {
            _failures.TryGetValue(requestLine, out var failed);
            if (failed >= FailEachRequestTimes) return false;
            _failures[requestLine] = failed + 1;
            return true;
        }
    }

    // Copies from one socket to the other; the response direction counts bytes and applies the cut/stop faults.
    private async Task PipeAsync(Socket from, Socket to, FaultProxy? limit)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                try { to.Shutdown(SocketShutdown.Send); } catch (SocketException) { }
                return;
            }
            if (limit != null)
            {
                var cutAt = limit.CutResponsesAfterBytes;
                var stopAt = limit.StopAfterResponseBytes;
                if (stopAt >= 0 && sent + n >= stopAt)
                {
                    await to.SendAsync(buffer.AsMemory(0, (int)(stopAt - sent)), SocketFlags.None).ConfigureAwait(false);
                    limit.StopServer();
                    Reset(to);
                    Reset(from);
                    return;
                }
                if (cutAt >= 0 && sent + n >= cutAt && TakeCut())
                {
                    await to.SendAsync(buffer.AsMemory(0, (int)(cutAt - sent)), SocketFlags.None).ConfigureAwait(false);
                    Interlocked.Increment(ref _cuts);
                    if (limit.StallInsteadOfCut)
                    {
                        try { await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
                    }
                    Reset(to);
                    Reset(from);
                    return;
                }
            }
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            sent += n;
        }
    }

    private bool TakeCut()
    {
        while (true)
        {
            var left = Volatile.Read(ref _cutsLeft);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _cutsLeft, left - 1, left) == left) return true;
        }
    }

    /// <summary>Reads up to the end of the request head; returns it and whatever body bytes came with it.</summary>
    private static async Task<(string? Head, byte[] Body)> ReadHeadAsync(Socket client)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
            if (n == 0) return (null, []);
            filled += n;
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(buffer, 0, end + 4);
                return (head, buffer[(end + 4)..filled]);
            }
        }
        return (null, []);
    }

    private static string WithConnectionClose(string head)
    {
        var lines = head[..^4].Split("\r\n").Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) && !l.StartsWith("Keep-Alive:", StringComparison.OrdinalIgnoreCase));
        return string.Join("\r\n", lines) + "\r\nConnection: close\r\n\r\n";
    }

    private void Track(Socket s)
    {
        lock (_open) _open.Add(s);
        if (Stopped) Reset(s);
    }

    private void Close(Socket s)
    {
        lock (_open) _open.Remove(s);
        s.Dispose();
    }

    // An abortive close: the peer sees a reset, as when a server process dies.
    private static void Reset(Socket s)
    {
        try
        {
            s.LingerState = new LingerOption(true, 0);
            s.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        StopServer();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
