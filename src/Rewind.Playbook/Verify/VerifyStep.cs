using Rewind.Aws.CloudWatch;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Verify;

/// <summary>
/// Playbook "Error rates normalized": after the rollback, wait until the main target group's 5XX rate is under the
/// threshold and back at the target release's own baseline, and the alarms are OK, or fail at the deadline. Reads
/// only; the metric and the alarms are checked to exist when planning, so a typo is refused before anything changes.
/// Execution reads only the stored <see cref="VerifyPlan"/>: <see cref="ForResume"/> builds the step without settings.
/// </summary>
public sealed class VerifyStep(ICloudWatchClient cloudWatch, VerifySection? settings, IReleaseStore? releases, PollSchedule? schedule = null) : IStep
{
    /// <summary>CloudWatch's ALB metrics arrive per minute: a look every few seconds at first, then every 15 s.</summary>
    public static PollSchedule DefaultSchedule { get; } = new(TimeSpan.FromSeconds(2), 1.5, TimeSpan.FromSeconds(15));

    /// <summary>The step that executes a stored plan (resume) with no settings at all: it cannot plan.</summary>
    public static VerifyStep ForResume(ICloudWatchClient cloudWatch, PollSchedule? schedule = null) => new(cloudWatch, null, null, schedule);

    public string Name => "verify";
    public StepStage Stage => StepStage.Verification;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (settings is null || releases is null)
            throw new InvalidOperationException("this verify step was built to resume a stored plan; it has no settings to plan from");
        var verifier = new ErrorRateVerifier(cloudWatch, settings, TimeProvider.System);
        await verifier.CheckInputsAsync(cancellationToken);
        var baseline = await Baseline.FindAsync(releases, context.Service, context.Target, cancellationToken);
        var changes = new List<string>();
        if (settings.LoadBalancer is not null)
        {
            changes.Add($"{verifier.Metric}: 5XX rate over {ConfigDuration.Format(settings.Window)} ≤ {VerifyReading.Percent(settings.Max5xxPercent)}%");
            changes.Add($"baseline: {baseline.Note}");
        }
        if (settings.Alarms.Count > 0)
            changes.Add($"alarms OK: {string.Join(", ", settings.Alarms)}");
        return StepPlan.Of(
            Name, Stage,
            $"wait up to {ConfigDuration.Format(settings.Deadline)} for error rates to normalize",
            changes, nothingToDo: false, expectedSeconds: 5, deadlineSeconds: settings.Deadline.TotalSeconds + 60,
            VerifyPlan.Of(settings, baseline), VerifyJson.Default.VerifyPlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var planned = Read(plan);
        var verifier = new ErrorRateVerifier(cloudWatch, planned.Section(), context.Time);
        // Only reads (CloudWatch): tried again while AWS is busy, until the step's deadline.
        var (percent, note) = await StepRetries.UntilDeadlineAsync(context, ct => planned.Baseline().MeasureAsync(verifier, ct), cancellationToken);
        var reading = await StepRetries.UntilDeadlineAsync(context, ct => verifier.WaitAsync(percent, note, planned.Deadline, schedule ?? DefaultSchedule, context.Report, ct), cancellationToken);
        return reading.Normalized
            ? StepResult.Succeeded($"error rates normalized: {reading.Reason}", reading.Evidence())
            : StepResult.Failed($"error rates not normalized by the {ConfigDuration.Format(planned.Deadline)} deadline ({reading.Verdict}): {reading.Reason}", reading.Evidence());
    }

    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (settings is null)
            return [];
        var planned = Read(plan);
        var drift = new List<string>();
        if (settings.LoadBalancer != planned.LoadBalancer || settings.TargetGroup != planned.TargetGroup)
            drift.Add($"verify.load_balancer/target_group are now {settings.LoadBalancer ?? "none"} {settings.TargetGroup ?? "none"}; the plan names {planned.LoadBalancer ?? "none"} {planned.TargetGroup ?? "none"}");
        if (settings.Max5xxPercent != planned.Max5xxPercent)
            drift.Add($"verify.max_5xx_percent is now {VerifyReading.Percent(settings.Max5xxPercent)}; the plan names {VerifyReading.Percent(planned.Max5xxPercent)}");
        if (!settings.Alarms.SequenceEqual(planned.Alarms, StringComparer.Ordinal))
            drift.Add($"verify.alarms are now {string.Join(", ", settings.Alarms.DefaultIfEmpty("none"))}; the plan names {string.Join(", ", planned.Alarms.DefaultIfEmpty("none"))}");
        return drift;
    }

    private VerifyPlan Read(StepPlan plan) => plan.Read(VerifyJson.Default.VerifyPlan, fromVersion1: parameters => VerifyPlan.FromVersion1(parameters, settings));
}
