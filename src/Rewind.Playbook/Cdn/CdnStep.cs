using System.Text.Json.Nodes;
using Rewind.Aws.CloudFront;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Rules;

namespace Rewind.Playbook.Cdn;

/// <summary>
/// Playbook "Cache Invalidation": one CloudFront invalidation of the configured paths after the service is back, with
/// a caller reference derived from the run, so a resumed run never creates a second one; waits until it is Completed.
/// Execution reads only the stored <see cref="CdnPlan"/>: <see cref="ForResume"/> builds the step without settings.
/// </summary>
public sealed class CdnStep : IStep
{
    /// <summary>The journaled call: one CreateInvalidation per run (its caller reference is <c>rewind-RUN</c>).</summary>
    public const string Create = "CreateInvalidation";

    private readonly ICloudFrontClient _cloudFront;
    private readonly CdnPlan? _settings;
    private readonly PollSchedule _schedule;

    /// <summary>The step that plans an invalidation of <paramref name="paths"/> on <paramref name="distributionId"/>.</summary>
    public CdnStep(ICloudFrontClient cloudFront, string distributionId, IReadOnlyList<string> paths, PollSchedule? schedule = null, bool wait = true)
        : this(cloudFront, new CdnPlan(distributionId, paths, wait), schedule)
    {
    }

    private CdnStep(ICloudFrontClient cloudFront, CdnPlan? settings, PollSchedule? schedule)
    {
        _cloudFront = cloudFront;
        _settings = settings;
        _schedule = schedule ?? PollSchedule.Default;
    }

    /// <summary>The step that executes a stored plan (resume) with no settings at all: it cannot plan.</summary>
    public static CdnStep ForResume(ICloudFrontClient cloudFront, PollSchedule? schedule = null) => new(cloudFront, null, schedule);

    public string Name => "cdn";
    public StepStage Stage => StepStage.Edge;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var settings = _settings ?? throw new InvalidOperationException("this cdn step was built to resume a stored plan; it has no settings to plan from");
        if (InvalidationPaths.Problem(settings.Paths) is { } problem)
            throw new RewindException(problem.Problem, problem.Fix, FailureKind.BadInput);
        Distribution distribution;
        try
        {
            distribution = await _cloudFront.GetDistributionAsync(settings.Distribution, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code == "NoSuchDistribution")
        {
            throw new RewindException($"CloudFront distribution {settings.Distribution} does not exist", "check cdn.distribution_id or --dist-id (aws cloudfront list-distributions)", FailureKind.BadInput);
        }
        var paths = settings.Paths;
        return StepPlan.Of(
            Name, Stage,
            $"invalidate {string.Join(", ", paths)} on {distribution.Id} ({distribution.DomainName})",
            [$"distribution {distribution.Id}: new invalidation of {paths.Count} path(s): {string.Join(" ", paths)}"],
            nothingToDo: false, expectedSeconds: settings.Wait ? 60 : 1, deadlineSeconds: 900,
            settings with { Distribution = distribution.Id }, CdnJson.Default.CdnPlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var (distribution, paths, wait) = Read(plan);
        var callerReference = $"rewind-{context.RunId}";
        // A resumed run finds the invalidation its first attempt created instead of making another; if that attempt's
        // answer was never journaled, sending the same caller reference again makes CloudFront answer with it.
        var earlier = context.EarlierResult(Create);
        var id = earlier?["invalidation"]?.GetValue<string>();
        var status = earlier?["status"]?.GetValue<string>() ?? InvalidationStatus.InProgress;
        if (id is null)
        {
            // The caller reference makes a second delivery return the first invalidation: a busy CloudFront is asked again.
            var created = await StepRetries.UntilDeadlineAsync(context, t => context.CallAsync(
                Create,
                new JsonObject { ["distribution"] = distribution, ["paths"] = new JsonArray([.. paths.Select(p => (JsonNode)p)]), ["callerReference"] = callerReference },
                ct => _cloudFront.CreateInvalidationAsync(distribution, paths, callerReference, ct),
                invalidation => new JsonObject { ["invalidation"] = invalidation.Id, ["status"] = invalidation.Status },
                t), cancellationToken);
            (id, status) = (created.Id, created.Status);
        }
        if (!wait)
            return StepResult.Succeeded($"invalidation {id} created (not awaited)", new CacheInvalidated(distribution, id, status, paths));
        string? last = null;
        var done = await Polling.UntilAsync(
            async ct =>
            {
                var current = await StepRetries.UntilDeadlineAsync(context, t => _cloudFront.GetInvalidationAsync(distribution, id, t), ct);
                if (current.Status != last)
                    context.Report($"invalidation {id}: {last = current.Status}");
                return current;
            },
            current => current.IsCompleted, _schedule, context.Time, cancellationToken);
        return StepResult.Succeeded($"invalidation {id} of {string.Join(' ', paths)} is {done.Status}", new CacheInvalidated(distribution, id, done.Status, paths));
    }

    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (_settings is not { } settings)
            return [];
        var planned = Read(plan);
        var drift = new List<string>();
        if (settings.Distribution != planned.Distribution)
            drift.Add($"cdn.distribution_id is now {settings.Distribution}; the plan names {planned.Distribution}");
        if (!settings.Paths.SequenceEqual(planned.Paths, StringComparer.Ordinal))
            drift.Add($"cdn.paths are now {string.Join(" ", settings.Paths)}; the plan names {string.Join(" ", planned.Paths)}");
        return drift;
    }

    private static CdnPlan Read(StepPlan plan) => plan.Read(CdnJson.Default.CdnPlan, fromVersion1: CdnPlan.FromVersion1);
}
