using System.Collections.Concurrent;

namespace Redshifter.Engine.Aws;

/// <summary>
/// The database credentials AWS handed out, in this process's memory only (never written anywhere), one
/// entry per target: the tables of a run and the commands of a PowerShell session share them. An entry is
/// fetched when first needed and again shortly before it expires — two minutes before, or a third of its
/// lifetime when that is shorter — so a long multi-table run never signs in with a stale password. (A
/// connection already open stays valid past the expiry: Redshift checks the password at sign-in only.)
/// </summary>
public sealed class IamCredentialCache
{
    public static IamCredentialCache Shared { get; } = new();

    private static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(2);

    private sealed record Held(DatabaseCredentials Credentials, DateTimeOffset FetchedAt);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An entry lives as long as the process; a SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public volatile Held? Held;
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    internal IamCredentialCache(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>The passwords held now, for redaction.</summary>
    public IEnumerable<string> Passwords => _entries.Values.Select(e => e.Held?.Credentials.Password).OfType<string>();

    /// <summary>Credentials for <paramref name="target"/>: the held ones while fresh, else new ones from AWS (one call at a time per target).</summary>
    public async Task<DatabaseCredentials> GetAsync(IamTarget target, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(target.CacheKey, _ => new Entry());
        if (Fresh(entry.Held) is { } held) return held;
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another table may have renewed them while this one waited.
            if (Fresh(entry.Held) is { } renewed) return renewed;
            var (aws, source) = AwsCredentialChain.Resolve(null, target.Environment, "the AWS identity that asks for database credentials (REDSHIFT_AUTH=iam)");
            var fetchedAt = _clock.GetUtcNow();
            var credentials = await new RedshiftCredentialsClient(aws, source).GetAsync(target, cancellationToken).ConfigureAwait(false);
            entry.Held = new Held(credentials, fetchedAt);
            return credentials;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Drops the held credentials of <paramref name="target"/> (the server refused them): the next sign-in asks AWS again.</summary>
    public void Forget(IamTarget target)
    {
        if (_entries.TryGetValue(target.CacheKey, out var entry)) entry.Held = null;
    }

    private DatabaseCredentials? Fresh(Held? held)
    {
        if (held == null) return null;
        var lifetime = held.Credentials.Expiration - held.FetchedAt;
        var margin = lifetime / 3 < RenewalMargin ? lifetime / 3 : RenewalMargin;
        return held.Credentials.Expiration - _clock.GetUtcNow() > margin ? held.Credentials : null;
    }
}
