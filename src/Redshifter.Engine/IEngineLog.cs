namespace Redshifter.Engine;

/// <summary>
/// What the engine tells people as it works. The cmdlets implement it by queueing to the pipeline
/// thread (Write-Verbose and friends may only be called there); tests implement it with a list.
/// Implementations may be called from any thread. Text passed here must already be free of secrets.
/// </summary>
public interface IEngineLog
{
    void Verbose(string message);
    void Debug(string message);
    void Warning(string message);
    /// <summary>Progress of one activity (e.g. one table); percent -1 when unknown.</summary>
    void Progress(string activity, string status, int percentComplete);
}

/// <summary>A log that drops everything.</summary>
public sealed class NullEngineLog : IEngineLog
{
    public static readonly NullEngineLog Instance = new();
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public void Progress(string activity, string status, int percentComplete) { }
}
