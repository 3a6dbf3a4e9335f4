using System.Text.Json.Nodes;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Core.Engine;

/// <summary>
/// What a step executes with: the journal (every mutating call is written before it is sent and after it returns),
/// what earlier attempts of the same run already sent (for resume), progress, and the clock.
/// </summary>
public sealed class StepContext
{
    private readonly HeldLease _journal;
    private readonly IReadOnlyList<JournalEntry> _earlier;
    private readonly IRunObserver _observer;
    private readonly RunOutputs _outputs;

    internal StepContext(string runId, string step, HeldLease journal, IReadOnlyList<JournalEntry> earlier, IRunObserver observer, TimeProvider time, RunOutputs outputs)
    {
        _outputs = outputs;
        RunId = runId;
        Step = step;
        _journal = journal;
        _earlier = earlier;
        _observer = observer;
        Time = time;
    }

    public string RunId { get; }
    public string Step { get; }
    public TimeProvider Time { get; }

    /// <summary>
    /// The evidence <paramref name="step"/> produced in this run (this execution, or an earlier attempt's journaled
    /// end), when it succeeded with a record of that type; null otherwise (not in the plan, failed, another record).
    /// Only reliable for a step this one declared in <see cref="IStep.Needs"/>: the executor runs those first.
    /// </summary>
    public T? OutputOf<T>(string step) where T : StepEvidence => _outputs.Of(step) as T;

    /// <summary>Whether an earlier attempt of this run sent <paramref name="call"/> for this step: re-read state, do not assume.</summary>
    public bool WasSent(string call) =>
        _earlier.Any(e => e.Step == Step && e.Kind == JournalKind.CallSent && CallOf(e) == call);

    /// <summary>What an earlier attempt of this run journaled as the result of <paramref name="call"/>, or null.</summary>
    public JsonObject? EarlierResult(string call) => _earlier
        .Where(e => e.Step == Step && e.Kind == JournalKind.CallSucceeded && CallOf(e) == call)
        .Select(e => JsonNode.Parse(e.Detail) as JsonObject)
        .LastOrDefault();

    /// <summary>
    /// Sends one mutating call, journaled before (call-sent) and after (call-succeeded or call-failed). The call-sent
    /// entry is written only while the run still holds the service's lock with its generation: a run whose lock was
    /// taken over stops here, before the call, with <see cref="RunStoppedByTakeoverException"/>.
    /// </summary>
    public async Task<T> CallAsync<T>(
        string call, JsonObject request, Func<CancellationToken, Task<T>> send, Func<T, JsonObject> describe, CancellationToken cancellationToken)
    {
        request["call"] = call;
        await AppendAsync(JournalKind.CallSent, request, call, cancellationToken);
        T result;
        try
        {
            result = await send(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failure = new JsonObject { ["call"] = call, ["error"] = e.Message };
            await AppendAsync(JournalKind.CallFailed, failure, $"journaling the failure of {call}", cancellationToken);
            throw;
        }
        var detail = describe(result);
        detail["call"] = call;
        await AppendAsync(JournalKind.CallSucceeded, detail, $"journaling the result of {call}", cancellationToken);
        return result;
    }

    private async Task AppendAsync(JournalKind kind, JsonObject detail, string before, CancellationToken cancellationToken)
    {
        try
        {
            await _journal.AppendAsync(RunId, Step, kind, detail.ToJsonString(), cancellationToken);
        }
        catch (LeaseLostException lost)
        {
            throw new RunStoppedByTakeoverException(lost, before);
        }
    }

    /// <summary>A line of live progress for the operator.</summary>
    public void Report(string message) => _observer.StepProgress(Step, message);

    private static string? CallOf(JournalEntry entry)
    {
        try
        {
            return JsonNode.Parse(entry.Detail)?["call"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>Live progress of a run, for the terminal (a table) or a log (plain lines).</summary>
public interface IRunObserver
{
    void StepStarted(StepPlan step);

    void StepProgress(string step, string message);

    void StepFinished(StepPlan step, StepResult result, TimeSpan duration);
}
