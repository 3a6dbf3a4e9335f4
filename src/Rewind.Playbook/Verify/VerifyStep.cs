using System.Globalization;
using Rewind.Aws.CloudWatch;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Verify;

/// <summary>
/// Playbook "Error rates normalized": after the rollback, wait until the main target group's 5XX rate is under the
/// threshold and back at the target release's own baseline, and the alarms are OK, or fail at the deadline. Reads
/// only; the metric and the alarms are checked to exist when planning, so a typo is refused before anything changes.
/// </summary>
public sealed class VerifyStep(ICloudWatchClient cloudWatch, VerifySection settings, IReleaseStore releases, PollSchedule? schedule = null) : IStep
{
    /// <summary>CloudWatch's ALB metrics arrive per minute: a look every few seconds at first, then every 15 s.</summary>
    public static PollSchedule DefaultSchedule { get; } = new(TimeSpan.FromSeconds(2), 1.5, TimeSpan.FromSeconds(15));

    public string Name => "verify";
    public StepStage Stage => StepStage.Verification;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
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
        return new StepPlan(
            Name, Stage,
            $"wait up to {ConfigDuration.Format(settings.Deadline)} for error rates to normalize",
            changes, NothingToDo: false, ExpectedSeconds: 5, DeadlineSeconds: settings.Deadline.TotalSeconds + 60,
            new Dictionary<string, string>
            {
                ["baselineEnd"] = baseline.WindowEnd?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? "none",
                ["baselineNote"] = baseline.Note,
            });
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var verifier = new ErrorRateVerifier(cloudWatch, settings, context.Time);
        var end = plan.Parameter("baselineEnd");
        var baseline = new Baseline(null, null,
            end == "none" ? null : DateTimeOffset.Parse(end, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), plan.Parameter("baselineNote"));
        // Only reads (CloudWatch): tried again while AWS is busy, until the step's deadline.
        var (percent, note) = await StepRetries.UntilDeadlineAsync(context, ct => baseline.MeasureAsync(verifier, ct), cancellationToken);
        var reading = await StepRetries.UntilDeadlineAsync(context, ct => verifier.WaitAsync(percent, note, settings.Deadline, schedule ?? DefaultSchedule, context.Report, ct), cancellationToken);
        return reading.Normalized
            ? StepResult.Succeeded($"error rates normalized: {reading.Reason}", reading.Evidence())
            : StepResult.Failed($"error rates not normalized by the {ConfigDuration.Format(settings.Deadline)} deadline ({reading.Verdict}): {reading.Reason}", reading.Evidence());
    }
}
