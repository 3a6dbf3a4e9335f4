using System.Globalization;
using Rewind.Core.Engine;

namespace Rewind.Cli.Playbook;

/// <summary>Live progress of a run as plain lines on stderr: one when a step starts, each change, one when it ends.</summary>
public sealed class ConsoleRunObserver(TextWriter stderr, TimeProvider time) : IRunObserver
{
    private readonly Lock _gate = new();

    public void StepStarted(StepPlan step) => Write(step.Step, $"started: {step.Summary}");

    public void StepProgress(string step, string message) => Write(step, message);

    public void StepFinished(StepPlan step, StepResult result, TimeSpan duration) =>
        Write(step.Step, $"{result.Status.ToString().ToLowerInvariant()} in {duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {result.Summary}");

    private void Write(string step, string line)
    {
        lock (_gate)
        {
            stderr.WriteLine($"{time.GetUtcNow():HH:mm:ss} [{step}] {line}");
            stderr.Flush();
        }
    }
}
