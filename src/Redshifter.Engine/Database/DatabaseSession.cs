using System.Net.Sockets;
using Npgsql;
using Redshifter.Engine.Aws;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Database;

/// <summary>
/// An open connection to the destination and what was learnt on opening it: which engine it is.
/// One session per table load; it owns its connection.
/// </summary>
public sealed class DatabaseSession : IAsyncDisposable
{
    internal NpgsqlConnection Connection { get; }
    public EngineKind Engine { get; }
    public string ServerVersion { get; }
    public DatabaseSettings Settings { get; }

    private DatabaseSession(NpgsqlConnection connection, EngineKind engine, string serverVersion, DatabaseSettings settings)
    {
        Connection = connection;
        Engine = engine;
        ServerVersion = serverVersion;
        Settings = settings;
    }

    /// <summary>Opens a connection and detects the engine (DESIGN.md section 2).</summary>
    /// <param name="known">What this run already learnt about servers (a LoadJob's): with it the server's
    /// version is asked once per run, not once per table. Without it every open asks, which also finds a
    /// pooled connection that died with its server.</param>
    public static async Task<DatabaseSession> OpenAsync(DatabaseSettings settings, CancellationToken cancellationToken, KnownServers? known = null)
    {
        if (settings.Iam == null) return await OpenWithAsync(settings, known, cancellationToken).ConfigureAwait(false);
        // REDSHIFT_AUTH=iam: sign in with what AWS hands out (held in memory, renewed before expiry). If the
        // server refuses held credentials (revoked, or the clock was off), ask AWS once more.
        for (var attempt = 1; ; attempt++)
        {
            var issued = await IamCredentialCache.Shared.GetAsync(settings.Iam, cancellationToken).ConfigureAwait(false);
            try
            {
                return await OpenWithAsync(settings with { User = issued.User, Password = issued.Password }, known, cancellationToken).ConfigureAwait(false);
            }
            catch (RedshifterException ex) when (attempt == 1 && ex.InnerException is RefusedSignIn)
            {
                IamCredentialCache.Shared.Forget(settings.Iam);
            }
        }
    }

    private static async Task<DatabaseSession> OpenWithAsync(DatabaseSettings settings, KnownServers? known, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = settings.Host,
            Port = settings.Port,
            Database = settings.Database,
            Username = settings.User,
            Password = settings.Password,
            SslMode = Enum.Parse<SslMode>(settings.SslMode, ignoreCase: true),
            Timeout = settings.ConnectTimeoutSeconds,
            CommandTimeout = 0, // loads take as long as they take; cancellation stops them
            ApplicationName = "Redshifter",
            // Keep the password out of the connection string that Npgsql hands back to anyone.
            PersistSecurityInfo = false,
            // No DISCARD ALL before each reuse of a pooled connection: a load leaves no session state to
            // clear (its locks end with its transaction, its staging tables are dropped), and on Redshift
            // every statement counts.
            NoResetOnClose = true,
        };
        // With a run's KnownServers the version is asked once per endpoint (a run of 50 tables asks once, not
        // 50 times); once it is known to be PostgreSQL 14+, the dead-client check rides on the startup packet.
        var server = known?.Get(settings);
        if (server is { IsPostgres14OrLater: true }) builder.Options = $"-c client_connection_check_interval={ClientConnectionCheckMilliseconds}";
        // A pooled connection may have died with its server (a restart between two tables): clear the
        // pool and try once more with a fresh one.
        for (var attempt = 1; ; attempt++)
        {
            var connection = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var version = server?.Version;
                if (version == null)
                {
                    await using (var command = new NpgsqlCommand("SELECT version()", connection))
                    {
                        version = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? "";
                    }
                    known?.Add(settings, version, DetectEngine(version) == EngineKind.PostgreSQL && connection.PostgreSqlVersion.Major >= 14);
                    await WatchForDeadClientAsync(connection, version, cancellationToken).ConfigureAwait(false);
                }
                var engine = settings.DialectOverride ?? DetectEngine(version);
                var session = new DatabaseSession(connection, engine, version, settings);
                session.Redactor = new SecretRedactor([settings.Password]);
                return session;
            }
            catch (Exception ex) when (attempt == 1 && IsBrokenPooledConnection(ex) && !cancellationToken.IsCancellationRequested)
            {
                NpgsqlConnection.ClearPool(connection);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw ConnectionFailed(settings, ex);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>How often PostgreSQL checks, while a statement runs, that this client is still there.</summary>
    internal const int ClientConnectionCheckMilliseconds = 2000;

    /// <summary>
    /// If this process dies (kill -9, a crashed scheduler) while a statement of the load runs, PostgreSQL
    /// notices only when it next talks to the client: a load killed while its ALTER TABLE waited for a
    /// reader's lock kept its transaction — and the table's advisory lock, so every later load of the
    /// table waited — until that reader finished (the kill -9 suite measured 12 s for a 15 s reader).
    /// PostgreSQL 14+ can check the socket while a statement runs: then it ends such a backend within
    /// seconds. Not on Redshift (it reports version 8) nor older servers; a server that refuses the
    /// setting is used as it is.
    /// </summary>
    private static async Task WatchForDeadClientAsync(NpgsqlConnection connection, string version, CancellationToken cancellationToken)
    {
        if (DetectEngine(version) != EngineKind.PostgreSQL || connection.PostgreSqlVersion.Major < 14) return;
        try
        {
            await using var command = new NpgsqlCommand($"SET client_connection_check_interval = {ClientConnectionCheckMilliseconds}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException)
        {
        }
    }

    /// <summary>
    /// Whether <paramref name="ex"/> says this session's pooled connection had died with its server (a
    /// restart between two tables) before it sent anything: the pool is cleared, and a new session may
    /// run the work. (The server's version is cached, so opening no longer sends a query that would
    /// have found out.)
    /// </summary>
    public bool DiedBeforeUse(Exception ex)
    {
        for (var e = ex; e != null; e = e.InnerException)
        {
            if (IsBrokenPooledConnection(e))
            {
                NpgsqlConnection.ClearPool(Connection);
                return true;
            }
        }
        return false;
    }

    /// <summary>The server ended the connection (shutdown, restart, network): a fresh one may work.</summary>
    private static bool IsBrokenPooledConnection(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException { InnerException: IOException or SocketException or EndOfStreamException } => true,
        _ => false,
    };

    /// <summary><c>SELECT version()</c> names Redshift on Redshift; everything else is PostgreSQL.</summary>
    public static EngineKind DetectEngine(string version) =>
        version.Contains("Redshift", StringComparison.OrdinalIgnoreCase) ? EngineKind.Redshift : EngineKind.PostgreSQL;

    internal static RedshifterException ConnectionFailed(DatabaseSettings settings, Exception ex)
    {
        var redactor = new SecretRedactor([settings.Password]);
        var refused = ex is PostgresException { SqlState: "28P01" or "28000" };
        var reason = ex switch
        {
            _ when refused && settings.Iam != null => $"the server refused user '{settings.User}' with the password AWS handed out ({settings.Iam.Description})",
            PostgresException { SqlState: "28P01" or "28000" } => $"the server refused user '{settings.User}' (wrong password or no access)",
            PostgresException { SqlState: "3D000" } => $"database '{settings.Database}' does not exist",
            PostgresException pg => pg.MessageText,
            NpgsqlException { InnerException: TimeoutException } or TimeoutException => $"no answer within {settings.ConnectTimeoutSeconds} s",
            NpgsqlException { InnerException: SocketException se } => se.Message,
            _ => ex.Message,
        };
        return new RedshifterException(
            ErrorIds.ConnectionFailed,
            ErrorKind.ConnectionError,
            redactor.Redact($"Could not connect to the database at {settings.Endpoint} (database '{settings.Database}', user '{settings.User}'): {reason}."),
            settings.Iam != null && refused
                ? $"Check that the database user '{settings.User}' exists in database '{settings.Database}' (GetClusterCredentials can create it with REDSHIFT_AUTO_CREATE=1) and that REDSHIFT_HOST is the endpoint of {settings.Iam.Subject}."
                : $"Check REDSHIFT_HOST, REDSHIFT_PORT, REDSHIFT_DB, {(settings.Iam != null ? "REDSHIFT_AUTH" : "REDSHIFT_USER and REDSHIFT_PASSWORD")}, that the server is running and reachable from here, and its firewall or security group.",
            settings.Endpoint,
            refused ? new RefusedSignIn(redactor.Redact(ex.Message)) : new InvalidOperationException(redactor.Redact(ex.Message)));
    }

    /// <summary>The server refused the user or password (as opposed to not answering).</summary>
    private sealed class RefusedSignIn(string message) : InvalidOperationException(message);

    public Sql.SqlDialect Dialect => Sql.SqlDialect.For(Engine);

    /// <summary>
    /// Whether the server has MERGE (Redshift; PostgreSQL 15 and later). Without it an upsert deletes the
    /// matched rows and inserts the staged ones. Settable for tests of that older path.
    /// </summary>
    public bool SupportsMerge
    {
        get => _supportsMerge ?? (Engine == EngineKind.Redshift || Connection.PostgreSqlVersion.Major >= 15);
        internal set => _supportsMerge = value;
    }
    private bool? _supportsMerge;

    /// <summary>
    /// Whether a varchar widening must run outside the load's transaction (Redshift). Settable for tests
    /// of that path on PostgreSQL.
    /// </summary>
    public bool WidensOutsideTransaction
    {
        get => _widensOutsideTransaction ?? Dialect.WidensOutsideTransaction;
        internal set => _widensOutsideTransaction = value;
    }
    private bool? _widensOutsideTransaction;

    /// <summary>
    /// The dialect of the server actually connected, for catalog reads: with REDSHIFT_DIALECT=Redshift
    /// against PostgreSQL (to review Redshift SQL), statements are spelled for Redshift but the catalog
    /// is PostgreSQL's.
    /// </summary>
    public Sql.SqlDialect CatalogDialect => Sql.SqlDialect.For(DetectEngine(ServerVersion));

    /// <summary>A command on this connection (in <paramref name="transaction"/> when given), with named parameters.</summary>
    internal NpgsqlCommand Command(string sql, DatabaseTransaction? transaction, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var command = new NpgsqlCommand(sql, Connection, transaction?.Inner);
        if (parameters != null)
        {
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>Runs a statement, saying so in -Verbose (secrets redacted); returns the rows affected.</summary>
    public async Task<long> ExecuteAsync(string sql, DatabaseTransaction? transaction, IEngineLog log, CancellationToken cancellationToken, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        log.Verbose("SQL: " + Redactor.Redact(parameters == null ? sql : Dialect.Display(sql, parameters)));
        await using var command = Command(sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first value of the first row, or null.</summary>
    public async Task<object?> ScalarAsync(string sql, DatabaseTransaction? transaction, CancellationToken cancellationToken, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        await using var command = Command(sql, transaction, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public async Task<DatabaseTransaction> BeginAsync(CancellationToken cancellationToken) =>
        new(await Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Masks the secrets this session knows (its password) and the environment's.</summary>
    public SecretRedactor Redactor { get; private set; } = SecretRedactor.None;

    /// <summary>Adds secrets to mask in statements this session shows (e.g. AWS keys in a COPY).</summary>
    public void AddSecrets(SecretRedactor redactor) => Redactor = new SecretRedactor([.. redactor.Secrets, .. Redactor.Secrets, Settings.Password]);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>What a run learnt about the servers it connects to (their version), so that it asks once.</summary>
public sealed class KnownServers
{
    internal sealed record Server(string Version, bool IsPostgres14OrLater);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Server> _servers = new();

    private static string Key(DatabaseSettings settings) => $"{settings.Host}:{settings.Port}/{settings.Database}";

    internal Server? Get(DatabaseSettings settings) => _servers.TryGetValue(Key(settings), out var s) ? s : null;

    internal void Add(DatabaseSettings settings, string version, bool isPostgres14OrLater) => _servers[Key(settings)] = new Server(version, isPostgres14OrLater);
}
