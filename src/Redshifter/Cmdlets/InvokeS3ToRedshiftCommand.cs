using System.Management.Automation;
using Redshifter.Engine.Jobs;
using Redshifter.Infrastructure;

namespace Redshifter.Cmdlets;

/// <summary>The whole job for each table: find the latest data, check freshness, and in one transaction create/alter, refresh and COPY.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "S3ToRedshift", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(LoadResult))]
public sealed class InvokeS3ToRedshiftCommand : JobCmdlet
{
    protected override void EndProcessing()
    {
        if (_tables.Count == 0) return;
        var template = Terminating(BuildRequestTemplate);
        var settings = Terminating(GetDatabaseSettings);
        using var storage = Terminating(CreateStorage);
        var done = 0;
        RunEngine(async (bridge, ct) =>
        {
            // One job for the run: what it learns once (e.g. that the history table exists) serves every table.
            var job = new LoadJob(settings, storage, bridge, bridge);
            await Parallel.ForEachAsync(_tables, new ParallelOptions { MaxDegreeOfParallelism = ThrottleLimit, CancellationToken = ct }, async (t, token) =>
            {
                var request = template with { Bucket = t.Bucket, Prefix = t.Prefix, Schema = t.Schema, Table = t.Table };
                var outcome = await job.RunAsync(request, token).ConfigureAwait(false);
                var finished = Interlocked.Increment(ref done);
                bridge.Progress("Invoke-S3ToRedshift", $"{finished} of {_tables.Count} table(s) done", finished * 100 / _tables.Count);
                bridge.Post(() =>
                {
                    if (outcome.Error != null) WriteEngineError(outcome.Error, $"{outcome.Schema}.{outcome.Table}");
                    if (outcome.Approved) WriteObject(outcome.ToLoadResult());
                });
            }).ConfigureAwait(false);
        });
    }
}
