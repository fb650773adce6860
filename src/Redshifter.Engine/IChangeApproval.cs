namespace Redshifter.Engine;

/// <summary>
/// Asks whether a planned change may run: the cmdlets answer with ShouldProcess on the pipeline thread
/// (so -WhatIf prints the statements and answers no, and -Confirm asks the user). The engine asks once
/// per destructive action, with every statement it would run (secrets already redacted).
/// </summary>
public interface IChangeApproval
{
    Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken);

    /// <summary>
    /// True when every change will be declined (-WhatIf): the engine then only plans, taking no lock and
    /// opening no transaction, so a review needs read access only and never waits for a running load.
    /// </summary>
    bool PlanOnly => false;

    /// <summary>
    /// True when a person will be asked (-Confirm): the engine then asks before it takes any lock, so that a
    /// slow answer never holds a table.
    /// </summary>
    bool WillAsk => false;
}

/// <summary>Declines everything without asking: Get-RedshiftLoadPlan.</summary>
public sealed class PlanOnlyApproval : IChangeApproval
{
    public static readonly PlanOnlyApproval Instance = new();
    public Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken) => Task.FromResult(false);
    public bool PlanOnly => true;
}

/// <summary>Approves everything (engine tests, and callers that already asked).</summary>
public sealed class AlwaysApprove : IChangeApproval
{
    public static readonly AlwaysApprove Instance = new();
    public Task<bool> ApproveAsync(string target, string action, IReadOnlyList<string> statements, CancellationToken cancellationToken) => Task.FromResult(true);
}
