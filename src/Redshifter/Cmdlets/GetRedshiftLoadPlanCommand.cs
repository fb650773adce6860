using System.Management.Automation;
using Redshifter.Engine.Jobs;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>
/// What Invoke-S3ToRedshift would do for each table, changing nothing: the source and why, the freshness
/// decision, the table's change and every statement in order. It opens no transaction and takes no lock,
/// so it needs only read access and never waits for a running load.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RedshiftLoadPlan")]
[OutputType(typeof(LoadPlan))]
public sealed class GetRedshiftLoadPlanCommand : JobCmdlet
{
    protected override void EndProcessing()
    {
        if (_tables.Count == 0) return;
        var template = Terminating(BuildRequestTemplate);
        var settings = Terminating(GetDatabaseSettings);
        using var storage = Terminating(CreateStorage);
        RunEngine(async (bridge, ct) =>
        {
            var job = new LoadJob(settings, storage, bridge, Engine.PlanOnlyApproval.Instance);
            await Parallel.ForEachAsync(_tables, new ParallelOptions { MaxDegreeOfParallelism = ThrottleLimit, CancellationToken = ct }, async (t, token) =>
            {
                var request = template with { Bucket = t.Bucket, Prefix = t.Prefix, Schema = t.Schema, Table = t.Table };
                try
                {
                    var plan = await job.PlanAsync(request, token).ConfigureAwait(false);
                    // Its warnings were written as the engine found them (IEngineLog.Warning): not again here.
                    bridge.Post(() => WriteObject(plan.ToLoadPlan()));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    var error = ex as Engine.Errors.RedshifterException ?? new Engine.Errors.RedshifterException(Engine.Errors.ErrorIds.LoadFailed, Engine.Errors.ErrorKind.NotSpecified,
                        Redactor.Redact($"Planning the load of {t.Schema}.{t.Table} failed: {ex.Message}"), "Fix the cause and ask for the plan again; nothing was changed.", $"{t.Schema}.{t.Table}", ex);
                    bridge.Post(() => WriteEngineError(error, $"{t.Schema}.{t.Table}"));
                }
            }).ConfigureAwait(false);
        });
    }
}
