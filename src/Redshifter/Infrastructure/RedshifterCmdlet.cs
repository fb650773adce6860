using System.Collections.Concurrent;
using System.Management.Automation;
using Redshifter.Engine;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Infrastructure;

/// <summary>
/// What every Redshifter cmdlet shares: running engine work off the pipeline thread while writing its
/// messages on it, cancelling on Ctrl+C (StopProcessing), and turning engine errors into ErrorRecords
/// with the ids of DESIGN.md section 7.
/// </summary>
public abstract class RedshifterCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>The process environment (connection settings come from it).</summary>
    internal static IEnvironment Environment => ProcessEnvironment.Instance;

    /// <summary>The destination database's settings (REDSHIFT_* variables). Every cmdlet that connects uses this.</summary>
    internal virtual DatabaseSettings GetDatabaseSettings() => DefaultDatabaseSettings();

    /// <summary>The database settings of the environment alone (also what tab completion uses).</summary>
    internal static DatabaseSettings DefaultDatabaseSettings() => DatabaseSettings.FromEnvironment(Environment);

    /// <summary>S3 access (AWS_* variables and the SDK's credential chain). Every cmdlet that reads S3 uses this.</summary>
    internal virtual Engine.Storage.S3Storage CreateStorage() =>
        Engine.Storage.S3Storage.Create(Engine.Storage.S3Settings.FromEnvironment(Environment), Environment);

    /// <summary>Masks every secret of the environment in text that is about to be shown.</summary>
    internal static SecretRedactor Redactor => SecretRedactor.FromEnvironment(Environment);

    /// <summary>
    /// Runs engine work on the thread pool and pumps its log messages to this cmdlet's streams on the
    /// pipeline thread until it finishes; returns its result or rethrows its exception.
    /// </summary>
    internal T RunEngine<T>(Func<IEngineLog, CancellationToken, Task<T>> work)
    {
        using var log = new QueuedLog();
        var task = Task.Run(() => work(log, StopToken), StopToken);
        while (!task.IsCompleted)
        {
            if (log.Messages.TryTake(out var message, 50)) Write(message);
        }
        while (log.Messages.TryTake(out var rest)) Write(rest);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    internal void RunEngine(Func<IEngineLog, CancellationToken, Task> work) =>
        RunEngine<bool>(async (log, ct) => { await work(log, ct).ConfigureAwait(false); return true; });

    private void Write(LogMessage message)
    {
        switch (message.Kind)
        {
            case LogKind.Verbose: WriteVerbose(message.Text); break;
            case LogKind.Debug: WriteDebug(message.Text); break;
            case LogKind.Warning: WriteWarning(message.Text); break;
            case LogKind.Progress:
                WriteProgress(new ProgressRecord(Math.Abs(message.Activity.GetHashCode(StringComparison.Ordinal) % 1000) + 1, message.Activity, message.Text)
                {
                    PercentComplete = message.Percent,
                    RecordType = message.Percent >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                });
                break;
        }
    }

    /// <summary>An ErrorRecord for an engine error: its id, category, target and recommended action.</summary>
    internal static ErrorRecord ToErrorRecord(RedshifterException ex, object? target = null)
    {
        var record = new ErrorRecord(ex, ex.ErrorId, ToCategory(ex.Kind), target ?? ex.Target);
        if (ex.RecommendedAction != null) record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.RecommendedAction };
        return record;
    }

    /// <summary>A bad argument: terminating, with <c>Redshifter.InvalidArgument</c> (or the exception's own id).</summary>
    protected void ThrowArgumentError(string message, string recommendedAction, object? target) =>
        ThrowTerminatingError(ToErrorRecord(RedshifterException.InvalidArgument(message, recommendedAction, target)));

    internal void ThrowEngineError(RedshifterException ex) => ThrowTerminatingError(ToErrorRecord(ex));

    internal void WriteEngineError(RedshifterException ex, object? target = null) => WriteError(ToErrorRecord(ex, target));

    internal static ErrorCategory ToCategory(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (disposing) _stopping.Dispose();
    }

    private enum LogKind { Verbose, Debug, Warning, Progress }

    private sealed record LogMessage(LogKind Kind, string Text, string Activity = "", int Percent = -1);

    /// <summary>Collects messages from any thread for the pipeline thread to write.</summary>
    private sealed class QueuedLog : IEngineLog, IDisposable
    {
        public BlockingCollection<LogMessage> Messages { get; } = new();
        public void Verbose(string message) => Messages.Add(new LogMessage(LogKind.Verbose, message));
        public void Debug(string message) => Messages.Add(new LogMessage(LogKind.Debug, message));
        public void Warning(string message) => Messages.Add(new LogMessage(LogKind.Warning, message));
        public void Progress(string activity, string status, int percentComplete) =>
            Messages.Add(new LogMessage(LogKind.Progress, status, activity, percentComplete));
        public void Dispose() => Messages.Dispose();
    }
}
