namespace Rewind.Core.Configuration;

/// <summary>Error-rate verification (<c>verify:</c>): the playbook's "error rates normalized".</summary>
/// <param name="LoadBalancer">The CloudWatch <c>LoadBalancer</c> dimension, <c>app/NAME/ID</c>; null with only alarms.</param>
/// <param name="TargetGroup">The CloudWatch <c>TargetGroup</c> dimension, <c>targetgroup/NAME/ID</c>; null with only alarms.</param>
/// <param name="Window">The window the 5XX rate is measured over.</param>
/// <param name="Max5xxPercent">The highest acceptable 5XX rate, 0 to 100.</param>
/// <param name="Alarms">CloudWatch alarms that must be OK.</param>
public sealed record VerifySection(string? LoadBalancer, string? TargetGroup, TimeSpan Window, double Max5xxPercent, ValueList<string> Alarms)
{
    /// <summary>How long to wait for the rate to normalize (and the alarms to be OK) before the verification fails.</summary>
    public TimeSpan Deadline { get; init; } = PlaybookDefaults.VerifyDeadline;

    /// <summary>How many percentage points above the target release's own baseline still count as back at it.</summary>
    public double BaselineTolerancePercent { get; init; } = PlaybookDefaults.BaselineTolerancePercent;
}
