using System.Text.Json.Nodes;
using Rewind.Aws.CloudFront;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Engine;

namespace Rewind.Playbook.Cdn;

/// <summary>
/// Playbook "Cache Invalidation": one CloudFront invalidation of the configured paths after the service is back, with
/// a caller reference derived from the run, so a resumed run never creates a second one; waits until it is Completed.
/// </summary>
public sealed class CdnStep(ICloudFrontClient cloudFront, string distributionId, IReadOnlyList<string> paths, PollSchedule? schedule = null, bool wait = true) : IStep
{
    private const string Create = "CreateInvalidation";

    public string Name => "cdn";
    public StepStage Stage => StepStage.Edge;

    /// <summary>Checks paths against CloudFront's rules: a leading '/', at most 3,000 paths, at most 15 with a '*', '*' only last.</summary>
    public static void Validate(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
            throw new RewindException("no path to invalidate", "give --paths \"/*\" or cdn.paths in rewind.yaml", FailureKind.BadInput);
        if (paths.FirstOrDefault(p => !p.StartsWith('/')) is { } relative)
            throw new RewindException($"path '{relative}' does not start with '/'", "CloudFront paths are absolute: write /" + relative.TrimStart('/'), FailureKind.BadInput);
        if (paths.FirstOrDefault(p => p.IndexOf('*', StringComparison.Ordinal) is >= 0 and var at && at != p.Length - 1) is { } wildcard)
            throw new RewindException($"path '{wildcard}' has a '*' before its end", "CloudFront allows '*' only as the last character, e.g. /images/*", FailureKind.BadInput);
        if (paths.Count > 3000)
            throw new RewindException($"{paths.Count} paths are more than CloudFront's 3,000 per invalidation", "use a wildcard such as /*", FailureKind.BadInput);
        if (paths.Count(p => p.EndsWith('*')) > 15)
            throw new RewindException("more than 15 wildcard paths in one invalidation", "CloudFront allows 15 in progress: combine them, e.g. /*", FailureKind.BadInput);
    }

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        Validate(paths);
        Distribution distribution;
        try
        {
            distribution = await cloudFront.GetDistributionAsync(distributionId, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code == "NoSuchDistribution")
        {
            throw new RewindException($"CloudFront distribution {distributionId} does not exist", "check cdn.distribution_id or --dist-id (aws cloudfront list-distributions)", FailureKind.BadInput);
        }
        return new StepPlan(
            Name, Stage,
            $"invalidate {string.Join(", ", paths)} on {distribution.Id} ({distribution.DomainName})",
            [$"distribution {distribution.Id}: new invalidation of {paths.Count} path(s): {string.Join(" ", paths)}"],
            NothingToDo: false, ExpectedSeconds: wait ? 60 : 1, DeadlineSeconds: 900,
            new Dictionary<string, string> { ["distribution"] = distribution.Id, ["paths"] = string.Join('\n', paths) });
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var distribution = plan.Parameter("distribution");
        // A resumed run finds the invalidation its first attempt created instead of making another; if that attempt's
        // answer was never journaled, sending the same caller reference again makes CloudFront answer with it.
        var id = context.EarlierResult(Create)?["invalidation"]?.GetValue<string>();
        if (id is null)
        {
            // The caller reference makes a second delivery return the first invalidation: a busy CloudFront is asked again.
            var created = await StepRetries.UntilDeadlineAsync(context, t => context.CallAsync(
                Create,
                new JsonObject { ["distribution"] = distribution, ["paths"] = plan.Parameter("paths"), ["callerReference"] = $"rewind-{context.RunId}" },
                ct => cloudFront.CreateInvalidationAsync(distribution, plan.Parameter("paths").Split('\n'), $"rewind-{context.RunId}", ct),
                invalidation => new JsonObject { ["invalidation"] = invalidation.Id, ["status"] = invalidation.Status },
                t), cancellationToken);
            id = created.Id;
        }
        var evidence = new Dictionary<string, string> { ["distribution"] = distribution, ["invalidation"] = id };
        if (!wait)
            return StepResult.Succeeded($"invalidation {id} created (not awaited)", evidence);
        string? last = null;
        var done = await Polling.UntilAsync(
            async ct =>
            {
                var current = await StepRetries.UntilDeadlineAsync(context, t => cloudFront.GetInvalidationAsync(distribution, id, t), ct);
                if (current.Status != last)
                    context.Report($"invalidation {id}: {last = current.Status}");
                return current;
            },
            current => current.IsCompleted, schedule ?? PollSchedule.Default, context.Time, cancellationToken);
        evidence["status"] = done.Status;
        return StepResult.Succeeded($"invalidation {id} of {plan.Parameter("paths").Replace('\n', ' ')} is {done.Status}", evidence);
    }
}
