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

    /// <summary>Whether ShouldProcess will ask the user (-Confirm, or $ConfirmPreference at or below the cmdlet's impact, Medium).</summary>
    internal bool IsConfirm() =>
        MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) ? c is SwitchParameter { IsPresent: true } || c is true
        : GetVariableValue("ConfirmPreference") is { } preference && LanguagePrimitives.TryConvertTo<ConfirmImpact>(preference, out var impact) && impact != ConfirmImpact.None && impact <= ConfirmImpact.Medium;

    /// <summary>Whether -WhatIf is in effect, so that every ShouldProcess will answer no.</summary>
    internal bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? w is SwitchParameter { IsPresent: true } || w is true
        : GetVariableValue("WhatIfPreference") is { } preference && LanguagePrimitives.IsTrue(preference);

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
    /// Runs engine work on the thread pool while this (pipeline) thread executes what it posts: log
    /// messages, approvals (ShouldProcess), output objects. PowerShell allows Write-* and ShouldProcess
    /// only on the pipeline thread; the engine may post from any thread, e.g. tables loaded in parallel.
    /// Returns the work's result or rethrows its exception; Ctrl+C cancels it.
    /// </summary>
    internal T RunEngine<T>(Func<PipelineBridge, CancellationToken, Task<T>> work)
    {
        using var bridge = new PipelineBridge(this);
        var task = Task.Run(() => work(bridge, StopToken), StopToken);
        while (!task.IsCompleted)
        {
            if (bridge.Pending.TryTake(out var action, 50)) action();
        }
        while (bridge.Pending.TryTake(out var rest)) rest();
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    internal void RunEngine(Func<PipelineBridge, CancellationToken, Task> work) =>
        RunEngine<bool>(async (bridge, ct) => { await work(bridge, ct).ConfigureAwait(false); return true; });

    /// <summary>
    /// The engine's view of the cmdlet: its log and its approvals, marshalled to the pipeline thread.
    /// <see cref="Post"/> queues any other pipeline-thread work (WriteObject, WriteError).
    /// </summary>
    internal sealed class PipelineBridge(RedshifterCmdlet cmdlet) : IEngineLog, IChangeApproval, IDisposable
    {
        internal BlockingCollection<Action> Pending { get; } = new();

        /// <summary>-WhatIf (given, or through $WhatIfPreference): read on the pipeline thread when the bridge is made.</summary>
        public bool PlanOnly { get; } = cmdlet.IsWhatIf();

        /// <summary>-Confirm (given, or through $ConfirmPreference): read on the pipeline thread when the bridge is made.</summary>
        public bool WillAsk { get; } = cmdlet.IsConfirm();

        public void Post(Action action) => Pending.Add(action);

        public void Verbose(string message) => Post(() => cmdlet.WriteVerbose(message));
        public void Debug(string message) => Post(() => cmdlet.WriteDebug(message));
        public void Warning(string message) => Post(() => cmdlet.WriteWarning(message));

        public void Progress(string activity, string status, int percentComplete) => Post(() =>
            cmdlet.WriteProgress(new ProgressRecord(Math.Abs(activity.GetHashCode(StringComparison.Ordinal) % 100_000) + 1, activity, status)
            {
                PercentComplete = Math.Clamp(percentComplete, -1, 100),
                RecordType = percentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            }));

        public async Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken)).ConfigureAwait(false);
            Post(() =>
            {
                try
                {
                    var description = statements.Count == 0 ? action : action + ":" + System.Environment.NewLine + string.Join(";" + System.Environment.NewLine, statements) + ";";
                    answer.TrySetResult(cmdlet.ShouldProcess(description, description, target));
                }
                catch (Exception ex)
                {
                    // PipelineStoppedException when the user answers "No to All"/halts: the work must end too.
                    answer.TrySetException(ex);
                }
            });
            return await answer.Task.ConfigureAwait(false);
        }

        public void Dispose() => Pending.Dispose();
    }

    /// <summary>
    /// An ErrorRecord for an engine error: its id, category, target and recommended action. A load that
    /// refused records has them as its target (one LoadErrorDetail, or an array of them), so that a script
    /// can read the file, line, column and value from $Error[0].TargetObject.
    /// </summary>
    internal static ErrorRecord ToErrorRecord(RedshifterException ex, object? target = null)
    {
        var details = ex.Details.Select(d => d.ToLoadErrorDetail()).ToArray();
        object? targetObject = details.Length switch { 0 => target ?? ex.Target, 1 => details[0], _ => details };
        var record = new ErrorRecord(ex, ex.ErrorId, ToCategory(ex.Kind), targetObject);
        if (ex.RecommendedAction != null) record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.RecommendedAction };
        return record;
    }

    /// <summary>A bad argument: terminating, with <c>Redshifter.InvalidArgument</c> (or the exception's own id).</summary>
    protected void ThrowArgumentError(string message, string recommendedAction, object? target) =>
        ThrowTerminatingError(ToErrorRecord(RedshifterException.InvalidArgument(message, recommendedAction, target)));

    internal void ThrowEngineError(RedshifterException ex) => ThrowTerminatingError(ToErrorRecord(ex));

    /// <summary>Runs a step whose Redshifter errors end the command (argument checks, settings, connections).</summary>
    internal T Terminating<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (RedshifterException ex)
        {
            ThrowEngineError(ex);
            throw; // not reached: ThrowEngineError throws
        }
    }

    internal void Terminating(Action step) => Terminating(() => { step(); return true; });

    // With -Debug (and no -Verbose, -WarningAction or -ErrorAction), PowerShell writes a compiled cmdlet's verbose
    // messages, warnings and errors and then asks whether to go on. A NonInteractive pwsh (CI jobs, schedulers)
    // cannot ask and throws, which failed a load at its second verbose message. The message is already written
    // when the question comes, so a question that cannot be asked is taken as "go on", as without -Debug.
    // (These hide Cmdlet's own methods so that every message of the module goes through them.)

    /// <summary>Cmdlet.WriteVerbose, never failing on a question a NonInteractive host cannot ask (see above).</summary>
    public new void WriteVerbose(string text) => Unasked(() => base.WriteVerbose(text));

    /// <summary>Cmdlet.WriteWarning, never failing on a question a NonInteractive host cannot ask (see above).</summary>
    public new void WriteWarning(string text) => Unasked(() => base.WriteWarning(text));

    /// <summary>Cmdlet.WriteError, never failing on a question a NonInteractive host cannot ask (see above).</summary>
    public new void WriteError(ErrorRecord errorRecord) => Unasked(() => base.WriteError(errorRecord));

    private void Unasked(Action write)
    {
        try
        {
            write();
        }
        catch (PSInvalidOperationException) when (MyInvocation.BoundParameters.ContainsKey("Debug"))
        {
            // the host cannot prompt: go on
        }
    }

    internal void WriteEngineError(RedshifterException ex, object? target = null)
    {
        foreach (var detail in ex.Details) WriteVerbose("Refused record: " + detail);
        WriteError(ToErrorRecord(ex, target));
    }

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
}
