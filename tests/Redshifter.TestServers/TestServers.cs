using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Redshifter.TestServers;

/// <summary>
/// A throw-away PostgreSQL server and an s3rver instance on free loopback ports, with the
/// environment variables of DESIGN.md section 2 that point at them. Dispose stops both; a detached
/// watchdog stops them too if the owning process dies without disposing (kill -9, Ctrl+C).
/// </summary>
public sealed partial class TestServers : IDisposable
{
    /// <summary>The bucket every server starts with.</summary>
    public const string DefaultBucket = "redshifter-test";

    /// <summary>Database created for the tests.</summary>
    public const string Database = "redshifter";

    public PostgresServer Postgres { get; }
    public S3Server S3 { get; }

    /// <summary>The connection environment (DESIGN.md section 2) for these servers.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    private Process? _watchdog;
    private readonly string _root;

    private TestServers(PostgresServer postgres, S3Server s3, string root)
    {
        Postgres = postgres;
        S3 = s3;
        _root = root;
        Environment = new Dictionary<string, string>
        {
            ["REDSHIFT_HOST"] = "127.0.0.1",
            ["REDSHIFT_PORT"] = postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["REDSHIFT_DB"] = Database,
            ["REDSHIFT_USER"] = postgres.User,
            ["REDSHIFT_PASSWORD"] = postgres.Password,
            ["REDSHIFT_SSLMODE"] = "Disable",
            ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_S3"] = s3.Endpoint,
        };
    }

    /// <summary>Starts both servers (in parallel; a few seconds) with the given extra buckets.</summary>
    public static TestServers Start(params string[] buckets)
    {
        var root = Directory.CreateTempSubdirectory("redshifter-servers-").FullName;
        var all = new[] { DefaultBucket }.Concat(buckets).Distinct(StringComparer.Ordinal).ToArray();
        var pgTask = Task.Run(() => PostgresServer.Start(Path.Combine(root, "pg")));
        var s3Task = Task.Run(() => S3Server.Start(Path.Combine(root, "s3"), all));
        try
        {
            Task.WaitAll(pgTask, s3Task);
        }
        catch (AggregateException)
        {
            if (pgTask.IsCompletedSuccessfully) pgTask.Result.Dispose();
            if (s3Task.IsCompletedSuccessfully) s3Task.Result.Dispose();
            TryDelete(root);
            throw;
        }
        var servers = new TestServers(pgTask.Result, s3Task.Result, root);
        servers.StartWatchdog();
        return servers;
    }

    /// <summary>Sets <see cref="Environment"/> in this process (what Pester and the demo use).</summary>
    public void ApplyToProcessEnvironment()
    {
        foreach (var (name, value) in Environment) System.Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        S3.Dispose();
        Postgres.Dispose();
        try { if (_watchdog is { HasExited: false }) _watchdog.Kill(); } catch (InvalidOperationException) { }
        _watchdog?.Dispose();
        TryDelete(_root);
    }

    // A detached shell (its own session, so a terminal's Ctrl+C does not reach it) that waits for
    // this process to end and then stops what it started. Disposing kills the watchdog first.
    private void StartWatchdog()
    {
        if (OperatingSystem.IsWindows()) return;
        var script = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"while kill -0 {System.Environment.ProcessId} 2>/dev/null; do sleep 1; done; ")
            .Append(CultureInfo.InvariantCulture, $"kill -9 {S3.ProcessId} 2>/dev/null; ")
            .Append(Postgres.StopCommandForShell()).Append("; ")
            .Append(CultureInfo.InvariantCulture, $"rm -rf '{_root}'")
            .ToString();
        var psi = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _watchdog = Process.Start(psi);
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string FindRepositoryRoot()
    {
        var fromEnv = System.Environment.GetEnvironmentVariable("REDSHIFTER_ROOT");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Redshifter.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (Redshifter.sln) above " + AppContext.BaseDirectory + "; set REDSHIFTER_ROOT.");
    }

    internal static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    internal static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, int timeoutMs = 60_000)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + file);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish in {timeoutMs} ms");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>A throw-away PostgreSQL cluster: initdb into a temporary folder, started with pg_ctl on a
/// free loopback port with password (SCRAM) authentication, fsync off.</summary>
public sealed class PostgresServer : IDisposable
{
    public int Port { get; }
    public string User { get; } = "postgres";
    public string Password { get; }
    public string DataDirectory { get; }
    public string BinDirectory { get; }

    private readonly bool _asPostgresUser;
    private bool _stopped;

    private PostgresServer(int port, string password, string dataDir, string binDir, bool asPostgresUser)
    {
        Port = port;
        Password = password;
        DataDirectory = dataDir;
        BinDirectory = binDir;
        _asPostgresUser = asPostgresUser;
    }

    public static PostgresServer Start(string folder)
    {
        var bin = FindBinDirectory();
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var pwFile = Path.Combine(folder, "pwfile");
        File.WriteAllText(pwFile, password + "\n");
        // initdb refuses to run as root: run the server as the postgres account then.
        var asPostgres = !OperatingSystem.IsWindows() && System.Environment.UserName == "root";
        if (asPostgres)
        {
            TestServers.Run("chown", ["-R", "postgres", folder]);
            TestServers.Run("chmod", ["755", Path.GetDirectoryName(folder)!]);
        }

        var init = RunPg(bin, asPostgres, "initdb", ["-D", data, "-U", "postgres", "-A", "scram-sha-256", "--pwfile=" + pwFile, "-E", "UTF8", "--locale=C", "--no-sync"]);
        if (init.ExitCode != 0) throw new InvalidOperationException("initdb failed: " + init.Output);

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = TestServers.FreeLoopbackPort();
            var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            var start = RunPg(bin, asPostgres, "pg_ctl", ["-D", data, "-o", options, "-l", Path.Combine(folder, "postgres.log"), "-w", "-t", "30", "start"]);
            if (start.ExitCode == 0)
            {
                var server = new PostgresServer(port, password, data, bin, asPostgres);
                var env = new Dictionary<string, string> { ["PGPASSWORD"] = password };
                var created = TestServers.Run(Path.Combine(bin, "createdb"), ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", TestServers.Database], env);
                if (created.ExitCode != 0)
                {
                    server.Dispose();
                    throw new InvalidOperationException("createdb failed: " + created.Output);
                }
                return server;
            }
            last = new InvalidOperationException("pg_ctl start failed: " + start.Output + ReadLog(folder));
        }
        throw last!;
    }

    /// <summary>
    /// Makes (or updates) a login role with this password that may create schemas in the test database: the
    /// user an IAM credential call hands out (<c>IAM:ci-loader</c>: quoted, as such names need).
    /// </summary>
    public void AddLoginRole(string role, string password)
    {
        static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
        var quoted = "\"" + role.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var sql = $"DO $$BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = {Literal(role)}) THEN ALTER ROLE {quoted} LOGIN PASSWORD {Literal(password)}; " +
                  $"ELSE CREATE ROLE {quoted} LOGIN PASSWORD {Literal(password)}; END IF; END$$; GRANT CREATE ON DATABASE {TestServers.Database} TO {quoted};";
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = Password };
        var result = TestServers.Run(Path.Combine(BinDirectory, "psql"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", TestServers.Database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], env);
        if (result.ExitCode != 0) throw new InvalidOperationException("Could not create role " + role + ": " + result.Output);
    }

    /// <summary>Restarts the server in place (same port and data), for reconnection tests.</summary>
    public void Restart()
    {
        // -l: the restarted server must not inherit our output pipe (reading it would never end).
        var log = Path.Combine(Path.GetDirectoryName(DataDirectory)!, "postgres.log");
        var r = RunPg(BinDirectory, _asPostgresUser, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-l", log, "restart"]);
        if (r.ExitCode != 0) throw new InvalidOperationException("pg_ctl restart failed: " + r.Output);
    }

    internal string StopCommandForShell()
    {
        var ctl = $"'{Path.Combine(BinDirectory, "pg_ctl")}' -D '{DataDirectory}' -m immediate stop";
        return _asPostgresUser ? $"runuser -u postgres -- {ctl} >/dev/null 2>&1" : ctl + " >/dev/null 2>&1";
    }

    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        RunPg(BinDirectory, _asPostgresUser, "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
    }

    private static string ReadLog(string folder)
    {
        var log = Path.Combine(folder, "postgres.log");
        return File.Exists(log) ? "\n" + File.ReadAllText(log) : "";
    }

    private static (int ExitCode, string Output) RunPg(string bin, bool asPostgres, string tool, IEnumerable<string> args)
    {
        var exe = Path.Combine(bin, tool);
        return asPostgres
            ? TestServers.Run("runuser", new[] { "-u", "postgres", "--", exe }.Concat(args))
            : TestServers.Run(exe, args);
    }

    /// <summary>PG_BIN, else the newest /usr/lib/postgresql/N/bin, else pg_config --bindir.</summary>
    private static string FindBinDirectory()
    {
        var fromEnv = System.Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "initdb"))) return fromEnv;
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var best = Directory.GetDirectories(debian)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Dir != null) return best.Dir;
        }
        try
        {
            var (code, output) = TestServers.Run("pg_config", ["--bindir"]);
            var dir = output.Trim();
            if (code == 0 && File.Exists(Path.Combine(dir, "initdb"))) return dir;
        }
        catch (System.ComponentModel.Win32Exception) { }
        throw new InvalidOperationException("No PostgreSQL server found (initdb): install the postgresql-15 package or set PG_BIN.");
    }
}

/// <summary>s3rver (npm, pinned in tests/tools/s3rver) on a free loopback port.</summary>
public sealed partial class S3Server : IDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    public string Endpoint { get; }
    public int Port { get; }
    public string Directory { get; }
    internal int ProcessId => _process.Id;

    private readonly Process _process;

    private S3Server(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
        Endpoint = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
    }

    public static S3Server Start(string folder, IEnumerable<string> buckets)
    {
        var script = Path.Combine(TestServers.FindRepositoryRoot(), "tests", "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"s3rver is not installed ({script}): run `./build.ps1 -Task Setup` (npm ci in tests/tools/s3rver).");
        System.IO.Directory.CreateDirectory(folder);
        var psi = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // Without the legacy provider every truncated listing fails with a 500 (DESIGN.md section 10).
        foreach (var a in new[] { "--openssl-legacy-provider", script, "-d", folder, "-a", "127.0.0.1", "-p", "0" }) psi.ArgumentList.Add(a);
        foreach (var b in buckets) { psi.ArgumentList.Add("--configure-bucket"); psi.ArgumentList.Add(b); }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node");
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        void OnLine(string? line)
        {
            if (line == null) { ready.TrySetException(new InvalidOperationException("s3rver exited: " + output)); return; }
            if (ready.Task.IsCompleted) return; // keep draining the request log so node never blocks on it
            lock (output) output.AppendLine(line);
            var m = Listening().Match(line);
            if (m.Success) ready.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("s3rver did not start in 30 s: " + output);
        }
        return new S3Server(process, ready.Task.Result, folder);
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) { _process.Kill(entireProcessTree: true); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on [^:]+:(\d+)")]
    private static partial Regex Listening();
}
