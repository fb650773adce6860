using Npgsql;

namespace Redshifter.Engine.Database;

/// <summary>
/// A transaction on a <see cref="DatabaseSession"/>. It wraps Npgsql's so that no Npgsql type appears in
/// the engine's public API: the cmdlets run in PowerShell's default load context, where Npgsql (or
/// another version of it) must never be resolved on the engine's behalf.
/// </summary>
public sealed class DatabaseTransaction : IAsyncDisposable
{
    internal NpgsqlTransaction Inner { get; }

    internal DatabaseTransaction(NpgsqlTransaction inner) => Inner = inner;

    public Task CommitAsync(CancellationToken cancellationToken) => Inner.CommitAsync(cancellationToken);

    public Task RollbackAsync(CancellationToken cancellationToken) => Inner.RollbackAsync(cancellationToken);

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
