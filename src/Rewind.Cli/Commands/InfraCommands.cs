using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Cli.Playbook;
using Rewind.Cli.Rendering;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Infra;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind infra plan|apply</c>: the playbook's Terraform rollback. Parse → plan the Terraform directory at the ref →
/// render; <c>apply --live</c> with <c>CONFIRM=true</c> then runs the saved plan through the executor (lock, journal,
/// resume) and proves it with a second, empty plan.
/// </summary>
public static class InfraCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var reference = new Option<string?>("--ref") { Description = "the git ref to roll the Terraform code back to (default: HEAD~1)", HelpName = "GITREF" };
        var live = new Option<bool>("--live") { Description = "apply; without it nothing is changed (dry-run). Also needs CONFIRM=true" };
        var allowDestroy = new Option<bool>("--allow-destroy") { Description = "apply even when the plan destroys more than infra.max_destroys resources" };

        var plan = new Command("plan", "Plan the Terraform directory at the ref in a temporary worktree and summarise it; nothing is changed") { reference };
        plan.SetAction((parse, ct) => PlanAsync(context(parse), parse.GetValue(reference), ct));

        var apply = new Command("apply", "Apply the plan back to the ref (dry-run unless --live; --live also needs CONFIRM=true)") { reference, live, allowDestroy };
        apply.SetAction((parse, ct) => ApplyAsync(context(parse), parse.GetValue(reference), parse.GetValue(live), parse.GetValue(allowDestroy), ct));

        return new Command("infra", "Playbook \"Terraform Rollback\": plan or apply the Terraform code of an earlier git ref") { plan, apply };
    }

    private static async Task<int> PlanAsync(CliContext context, string? reference, CancellationToken cancellationToken)
    {
        var plan = await StepFor(context, reference, false).PlanAsync(new PlanningContext(context.Config.Service.Name, null), cancellationToken);
        await RenderAsync(context, plan, null, cancellationToken);
        DeletePlanFiles(plan);
        return ExitCodes.Ok;
    }

    private static async Task<int> ApplyAsync(CliContext context, string? reference, bool live, bool allowDestroy, CancellationToken cancellationToken)
    {
        var again = "rewind infra apply --live" + (reference is null ? "" : $" --ref {reference}") + (allowDestroy ? " --allow-destroy" : "");
        var confirmed = InfraApproval.ConfirmedIn(Environment.GetEnvironmentVariable);
        if (live && !confirmed)
            throw new CliException("terraform apply needs CONFIRM=true as well as --live; nothing was changed", $"review 'rewind infra plan', then run: CONFIRM=true {again}", FailureKind.Blocked);

        var step = StepFor(context, reference, allowDestroy);
        var plan = await step.PlanAsync(new PlanningContext(context.Config.Service.Name, null), cancellationToken);
        var planned = InfraStep.Read(plan);
        var gate = planned.Approval(confirmed);
        if (!live || plan.NothingToDo)
        {
            await RenderAsync(context, plan, null, cancellationToken);
            DeletePlanFiles(plan);
            context.Log(plan.NothingToDo ? "rewind: nothing to apply: the state already matches" : "rewind: dry-run: nothing was changed; run again with --live and CONFIRM=true to apply");
            return ExitCodes.Ok;
        }
        if (gate.Decide(planned.Destroys) == InfraVerdict.OverDestroyLimit)
        {
            await RenderAsync(context, plan, null, cancellationToken);
            DeletePlanFiles(plan);
            throw new CliException($"{gate.DestroyLimitProblem(planned.Destroys)}; nothing was changed", $"review the plan, then run: CONFIRM=true {again} --allow-destroy", FailureKind.Blocked);
        }

        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var rollback = new RollbackPlan(context.Config.Service.Name, null, context.Time.GetUtcNow(), [plan]);
        var outcome = await RunProgress.ShowAsync(context, rollback, observer =>
            new RunExecutor(ledger, [step], observer, context.Time)
                .StartAsync(rollback, EngineJson.Serialize(rollback), context.Operator, cancellationToken));
        var (_, result) = outcome.Steps.Single();
        await RenderAsync(context, plan, (outcome, result), cancellationToken);
        return result.Status switch
        {
            StepStatus.Succeeded or StepStatus.Skipped => ExitCodes.Ok,
            StepStatus.AwaitingApproval => Fail(context, result, ExitCodes.Blocked),
            _ => Fail(context, result, ExitCodes.OfStep(result)),
        };
    }

    private static int Fail(CliContext context, StepResult result, int code)
    {
        context.Log($"rewind: terraform apply did not complete: {result.Summary}");
        return code;
    }

    private static InfraStep StepFor(CliContext context, string? reference, bool allowDestroy) =>
        PlaybookSteps.Infra(context.Config, reference, allowDestroy, line => context.Log($"[terraform] {line}"))
            ?? throw new CliException($"{context.ConfigPath} has no infra section", "add 'infra: {repository: ., directory: infra/terraform}' to rewind.yaml (see docs/configuration.md)");

    /// <summary>The applying run, then the step's end as the journal holds it.</summary>
    private static JsonObject Applied(string runId, StepResult result)
    {
        var json = result.ToJson();
        json.Insert(0, "runId", runId);
        return json;
    }

    private static void DeletePlanFiles(StepPlan plan)
    {
        foreach (var file in InfraStep.FilesLeftBy(plan))
            InfraStep.DeletePlan(file);
    }

    /// <summary>The plan summary (and the run's result after an apply): text for people, one JSON document for programs.</summary>
    private static async Task RenderAsync(CliContext context, StepPlan plan, (RunOutcome Run, StepResult Result)? applied, CancellationToken cancellationToken)
    {
        var planned = InfraStep.Read(plan);
        if (context.Output == OutputFormat.Json)
        {
            var document = new JsonObject
            {
                ["ref"] = planned.Ref,
                ["refReason"] = planned.RefReason,
                ["commit"] = planned.Commit,
                ["directory"] = planned.Directory,
                ["state"] = planned.State,
                ["hasChanges"] = !plan.NothingToDo,
                ["adds"] = planned.Adds,
                ["changes"] = planned.Changes,
                ["destroys"] = planned.Destroys,
                ["maxDestroys"] = planned.MaxDestroys,
                ["resources"] = new JsonArray([.. planned.Resources.Select(r => (JsonNode)new JsonObject { ["address"] = r.Address, ["action"] = r.Action })]),
                ["applied"] = applied is null ? null : Applied(applied.Value.Run.RunId, applied.Value.Result),
            };
            await context.Out.WriteLineAsync(document.ToJsonString(Indented).AsMemory(), cancellationToken);
            return;
        }
        await context.Out.WriteLineAsync(plan.Summary.AsMemory(), cancellationToken);
        foreach (var change in plan.Changes)
            await context.Out.WriteLineAsync($"  {change}".AsMemory(), cancellationToken);
        await context.Out.WriteLineAsync($"state: {planned.State}".AsMemory(), cancellationToken);
        if (applied is { } done)
            await context.Out.WriteLineAsync($"run {done.Run.RunId}: {done.Result.Status.ToString().ToLowerInvariant()}: {done.Result.Summary}".AsMemory(), cancellationToken);
    }
}
