using Rewind.Core.Engine;

namespace Rewind.Cli.Playbook;

/// <summary>No live progress: for a one-step command whose report is its output (<c>rewind notify</c>).</summary>
internal sealed class QuietRunObserver : IRunObserver
{
    public static QuietRunObserver Instance { get; } = new();

    public void StepStarted(StepPlan step)
    {
    }

    public void StepProgress(string step, string message)
    {
    }

    public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
    {
    }
}
