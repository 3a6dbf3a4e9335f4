using System.CommandLine;
using Rewind.Aws.Errors;
using Rewind.Cli.Playbook;
using Rewind.Cli.Rendering;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind plan</c>, <c>run</c>, <c>resume</c>, <c>ecs</c> and <c>canary</c>: one flow, parse → resolve target →
/// plan → (dry-run: render | --live: execute and render), over different sets of steps.
/// </summary>
public static class RollbackCommands
{
    public static IEnumerable<Command> Create(Func<ParseResult, CliContext> context)
    {
        var to = new Option<string?>("--to") { Description = "roll back to this release (id or version) or revision (number, family:rev or ARN)", HelpName = "REL|REV" };
        var live = new Option<bool>("--live") { Description = "act; without it nothing is changed (dry-run)" };
        var yes = new Option<bool>("--yes") { Description = "do not ask for confirmation on a terminal" };
        var skip = new Option<string[]>("--skip") { Description = "leave out these steps (canary, secrets, ecs, infra, cdn, smoke, verify, incident, freeze, notify)", AllowMultipleArgumentsPerToken = true, HelpName = "STEP" };
        var only = new Option<string[]>("--only") { Description = "run only these steps", AllowMultipleArgumentsPerToken = true, HelpName = "STEP" };
        var notifyCustomers = new Option<bool>("--notify-customers") { Description = "also tell customers (notify.customers must be configured and enabled)" };
        var takeover = new Option<bool>("--takeover") { Description = "take the service's lock from its current holder (journaled); a dead process's lock on this host is taken without it" };

        var waitUntil = new Option<string>("--wait-until")
        {
            Description = "for a new deployment under BLUE_GREEN/LINEAR/CANARY: wait until production traffic is on the good revision (traffic), its bake time (bake) or the deployment completed (completed)",
            DefaultValueFactory = _ => "traffic",
            HelpName = "STAGE",
        };
        waitUntil.AcceptOnlyFromAmong("traffic", "bake", "completed");
        Func<CliContext, Aws.AwsClients, ILedger, IReadOnlyList<IStep>> Steps(ParseResult parse) => (ctx, aws, ledger) => PlaybookSteps.All(ctx, aws, ledger, WaitUntilOf(parse.GetValue(waitUntil)));

        var plan = new Command("plan", "Show exactly what 'run --live' would do, resolved; nothing is changed") { to, skip, only, notifyCustomers, waitUntil };
        plan.SetAction((parse, ct) => RunAsync(context(parse), new Request(parse.GetValue(to), false, true, Selection(parse, skip, only), NotifyCustomers: parse.GetValue(notifyCustomers)), Steps(parse), ct));

        var run = new Command("run", "The whole playbook: canary to 0, ECS rollback, wait, verify (dry-run unless --live)") { to, live, yes, skip, only, takeover, notifyCustomers, waitUntil };
        run.SetAction((parse, ct) => RunAsync(context(parse), new Request(parse.GetValue(to), parse.GetValue(live), parse.GetValue(yes), Selection(parse, skip, only), TakeOver: parse.GetValue(takeover), NotifyCustomers: parse.GetValue(notifyCustomers), Checklist: true, FollowLatestRun: true), Steps(parse), ct));

        var runId = new Argument<string?>("RUN") { Description = "the run to continue; default: the service's latest unfinished run", Arity = ArgumentArity.ZeroOrOne };
        var replan = new Option<bool>("--replan") { Description = "plan the run's target again from today's rewind.yaml and run that; the old run is marked failed" };
        var resume = new Command("resume", "Continue an interrupted or failed run; steps already done are not repeated") { runId, yes, takeover, replan };
        resume.SetAction((parse, ct) => ResumeAsync(context(parse), parse.GetValue(runId), parse.GetValue(takeover), parse.GetValue(replan), ct));

        var revision = new Option<string?>("--revision") { Description = "the revision to run (number, family:rev or ARN); default: chosen like 'run'", HelpName = "N" };
        var noWait = new Option<bool>("--no-wait") { Description = "start the deployment and return without waiting for it" };
        var ecs = new Command("ecs", "Playbook Option 1: roll the ECS service back to a task definition revision") { revision, live, yes, noWait };
        ecs.SetAction((parse, ct) => RunAsync(context(parse), new Request(parse.GetValue(revision), parse.GetValue(live), parse.GetValue(yes), StepSelection.All),
            (ctx, aws, _) => [PlaybookSteps.EcsRollback(ctx.Config, aws, wait: !parse.GetValue(noWait))], ct));

        var percent = new Option<int>("--percent") { Description = "the canary's share of traffic, 0–100 (0 in a rollback)", Required = true, HelpName = "N" };
        percent.Validators.Add(result =>
        {
            // A token that is not a number is reported by the parser itself; here only the range.
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is < 0 or > 100)
                result.AddError($"--percent {value} is outside 0–100: give a whole number from 0 to 100");
        });
        var canary = new Command("canary", "Playbook Option 2: set the listener's weights to main 100−N / canary N") { percent, live, yes };
        canary.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            if (cli.Config.Canary is null)
                throw new CliException($"{cli.ConfigPath} has no canary section", "add canary.listener_arn (or rule_arn), main_target_group and canary_target_group (rewind init --listener-arn …)");
            return RunAsync(cli, new Request(null, parse.GetValue(live), parse.GetValue(yes), StepSelection.All, NeedsTarget: false),
                (ctx, aws, _) => [PlaybookSteps.Canary(ctx.Config, aws, parse.GetValue(percent), standalone: true)!], ct);
        });

        var secretId = new Option<string[]>("--secret-id") { Description = "the secret(s) to roll back (default: the configuration's secrets)", HelpName = "ID" };
        var restart = new Option<bool>("--restart") { Description = "then force a new ECS deployment of the running revision and wait for it, so the tasks read the old value" };
        var versions = new Option<bool>("--versions") { Description = "list each secret's version ids, stages and creation times; change nothing" };
        var secret = new Command("secret", "Secret rotation rollback: move AWSCURRENT back to AWSPREVIOUS (or the --to release's version)") { secretId, to, live, yes, restart, versions };
        secret.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var given = parse.GetValue(secretId) ?? [];
            if (given.Length == 0 && cli.Config.Secrets.Count == 0)
                throw new CliException($"no secret to roll back: {cli.ConfigPath} has no secrets section", "pass --secret-id ID or add secrets: [{id: …}] to rewind.yaml");
            IReadOnlyList<string> ids = given.Length > 0 ? given : [.. cli.Config.Secrets.Select(s => s.Id)];
            if (parse.GetValue(versions))
                return SecretVersions.ListAsync(cli, ids, ct);
            return RunAsync(cli, new Request(parse.GetValue(to), parse.GetValue(live), parse.GetValue(yes), StepSelection.All, NeedsTarget: parse.GetValue(to) is not null),
                (ctx, aws, ledger) => parse.GetValue(restart)
                    ? [PlaybookSteps.Secrets(ctx.Config, aws, ids, ledger)!, new EcsStep(aws.Ecs, PlaybookSteps.Ecs(ctx.Config), restart: true)]
                    : [PlaybookSteps.Secrets(ctx.Config, aws, ids, ledger)!], ct);
        });

        var distribution = new Option<string?>("--dist-id") { Description = "the CloudFront distribution (default: cdn.distribution_id)", HelpName = "ID" };
        var paths = new Option<string[]>("--paths") { Description = "paths to invalidate, each starting with '/' (default: cdn.paths, else /*)", AllowMultipleArgumentsPerToken = true, HelpName = "PATH" };
        var waitFor = new Option<bool>("--wait") { Description = "wait until the invalidation is Completed" };
        var cdn = new Command("cdn", "Cache invalidation: one CloudFront invalidation of the paths (dry-run unless --live)") { distribution, paths, live, yes, waitFor };
        cdn.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var id = parse.GetValue(distribution) ?? cli.Config.Cdn?.DistributionId
                ?? throw new CliException("no distribution to invalidate", "pass --dist-id ID or set cdn.distribution_id in rewind.yaml");
            string[] given = [.. (parse.GetValue(paths) ?? []).Select(CdnPath)];
            IReadOnlyList<string> chosen = given.Length > 0 ? given : cli.Config.Cdn?.Paths is { Count: > 0 } configured ? [.. configured] : ["/*"];
            if (Rewind.Core.Rules.InvalidationPaths.Problem(chosen) is { } problem)
                throw new CliException(problem.Problem, problem.Fix);
            return RunAsync(cli, new Request(null, parse.GetValue(live), parse.GetValue(yes), StepSelection.All, NeedsTarget: false),
                (_, aws, _) => [new Rewind.Playbook.Cdn.CdnStep(aws.CloudFront, id, chosen, wait: parse.GetValue(waitFor))], ct);
        });

        return [plan, run, resume, ecs, canary, secret, cdn];
    }

    /// <summary>
    /// One --paths argument is one path. CloudFront wants unsafe characters URL-encoded, so a space inside a path
    /// ('/a b') is sent as %20; '/a /b' could be one path or two, so it is refused rather than guessed.
    /// </summary>
    private static string CdnPath(string given)
    {
        if (given.Contains(" /", StringComparison.Ordinal))
            throw new CliException($"--paths '{MessageText.Value(given)}' looks like several paths in one argument", "give each path as its own argument: --paths /a /b (a space inside one path is sent as %20)");
        return given.Replace(" ", "%20", StringComparison.Ordinal);
    }

    // FollowLatestRun (rewind run): without --to, the service's latest rollback run decides first (continue it, or
    // nothing to do: LatestRollback); a new plan only when it does not.
    // Supersedes (resume --replan): the run this new one replaces, marked failed once the new plan is confirmed.
    private sealed record Request(string? To, bool Live, bool Yes, StepSelection Selection, bool NeedsTarget = true, bool TakeOver = false, bool Checklist = false, bool NotifyCustomers = false, bool FollowLatestRun = false, Run? Supersedes = null);

    private static IReadOnlyList<IStep> Everything(CliContext context, Aws.AwsClients aws, ILedger ledger) => PlaybookSteps.All(context, aws, ledger);

    private static Rewind.Playbook.Ecs.WaitUntil WaitUntilOf(string? stage) => stage switch
    {
        "bake" => Rewind.Playbook.Ecs.WaitUntil.Bake,
        "completed" => Rewind.Playbook.Ecs.WaitUntil.Completed,
        _ => Rewind.Playbook.Ecs.WaitUntil.Traffic,
    };

    private static StepSelection Selection(ParseResult parse, Option<string[]> skip, Option<string[]> only)
    {
        var known = PlaybookSteps.StepNames.ToHashSet(StringComparer.Ordinal);
        var skipped = parse.GetValue(skip) ?? [];
        var kept = parse.GetValue(only) ?? [];
        foreach (var name in skipped.Concat(kept).Where(n => !known.Contains(n)))
            throw new CliException($"there is no step '{name}'", $"steps are: {string.Join(", ", known)}");
        return new StepSelection(kept.ToHashSet(StringComparer.Ordinal), skipped.ToHashSet(StringComparer.Ordinal));
    }

    private static async Task<int> RunAsync(
        CliContext context, Request request, Func<CliContext, Aws.AwsClients, ILedger, IReadOnlyList<IStep>> steps, CancellationToken cancellationToken)
    {
        using var aws = context.Aws();
        await using var ledger = await context.OpenLedgerAsync(aws, cancellationToken);
        return await RunWithAsync(context, aws, ledger, request, steps, cancellationToken);
    }

    private static async Task<int> RunWithAsync(
        CliContext context, Aws.AwsClients aws, ILedger ledger, Request request, Func<CliContext, Aws.AwsClients, ILedger, IReadOnlyList<IStep>> steps, CancellationToken cancellationToken)
    {
        var config = context.Config;
        if (request.FollowLatestRun && request.To is null
            && await LatestRollback.DecideAsync(context, config.Service.Name, ledger, stored => PlaybookSteps.ForPlan(context, aws, ledger, stored), cancellationToken) is { } latest)
            return await FollowAsync(context, aws, ledger, latest, request, cancellationToken);
        // A dry run leaves no file behind: the Terraform plan it saved to summarise goes again, and so does the plan
        // folder (and any parent) when this invocation made it.
        var planFolderMissing = request.Live ? null : FirstMissingFolder(PlaybookSteps.TerraformPlanFolder(config));
        var chosen = steps(context, aws, ledger).Select(s => request.NotifyCustomers && s is Rewind.Playbook.Notify.NotifyStep notify ? notify.WithCustomersConfirmed() : s).ToList();
        // Planning only reads: while AWS throttles or fails, it is simply planned again, up to one call's deadline.
        var plan = await Rewind.Playbook.StepRetries.ReadingAsync(context.Time, context.Log, aws.Options.OverallTimeout, async ct =>
        {
            var target = request.NeedsTarget
                ? await PlaybookSteps.Targets(config, aws, ledger).SelectAsync(config.Service.Name, request.To, ct)
                : null;
            return await new RollbackPlanner(chosen, context.Time).PlanAsync(config.Service.Name, target, request.Selection, ct);
        }, cancellationToken);
        if (plan.Steps.Count == 0)
            throw new CliException("--skip/--only left no step to run", "name at least one step the configuration has");

        if (!request.Live)
        {
            RemoveDryRunPlanFiles(plan, planFolderMissing);
            await PlanView.WriteAsync(context, plan, null, cancellationToken);
            context.Log("rewind: dry-run: nothing was changed; run again with --live to act");
            return ExitCodes.Ok;
        }
        if (context.Output == OutputFormat.Text)
            PlanView.RenderPlan(context.Error, plan);
        if (!request.Yes && !Confirm(context, plan))
        {
            context.Log("rewind: not confirmed: nothing was changed");
            return ExitCodes.Cancelled;
        }
        if (request.Supersedes is { } old)
        {
            await ledger.Runs.SetRunStatusAsync(old.Id, RunStatus.Failed, cancellationToken);
            context.Log($"rewind: {old.Id} is superseded (--replan): marked failed, its stored plan is not resumed; a new run executes the plan above");
        }
        var outcome = await RunProgress.ShowAsync(context, plan, observer =>
            new RunExecutor(ledger, chosen, observer, context.Time) { TakeOverWhen = TakeOverPolicy(context, request.TakeOver), Hooks = new RunAnnouncements(context, ledger) }
                .StartAsync(plan, EngineJson.Serialize(plan), context.Operator, cancellationToken));
        // The checklist is evidence for people and programs, not the exit code: the exit code stays the steps' outcome.
        var checklist = request.Checklist ? Checklist.Evaluate((await RunRecord.ReadAsync(ledger, outcome.RunId, cancellationToken))!) : null;
        await PlanView.WriteAsync(context, plan, outcome, checklist, cancellationToken);
        return ExitCodeOf(context, outcome);
    }

    private static async Task<int> ResumeAsync(CliContext context, string? runId, bool takeOver, bool replan, CancellationToken cancellationToken)
    {
        var config = context.Config;
        using var aws = context.Aws();
        await using var ledger = await context.OpenLedgerAsync(aws, cancellationToken);
        var run = runId is not null
            ? await ledger.Runs.GetRunAsync(runId, cancellationToken) ?? throw new CliException($"run {runId} is not in the ledger {ledger.Location}", "list runs with 'rewind history'")
            : (await ledger.Runs.ListRunsAsync(config.Service.Name, 50, cancellationToken)).FirstOrDefault(r => r.Status != RunStatus.Succeeded)
                ?? throw new CliException($"{config.Service.Name} has no unfinished run to resume", "list runs with 'rewind history'");
        if (run.Status == RunStatus.Succeeded)
            throw new CliException($"run {run.Id} already succeeded", "there is nothing to resume");
        var plan = EngineJson.DeserializePlan(run.PlanJson);
        if (replan && plan.Undoes is { } undoes)
            throw new CliException($"run {run.Id} is the undo of {undoes}: its plan was inverted from that run, not planned from rewind.yaml, so --replan cannot plan it again", $"resume it as planned with 'rewind resume {run.Id}', or undo {undoes} again with 'rewind undo {undoes}' once this run has ended");
        if (replan)
            return await ReplanAsync(context, aws, ledger, run, plan, takeOver, cancellationToken);
        context.Log($"rewind: resuming {run.Id} ({run.Status.ToString().ToLowerInvariant()}, started {run.StartedAt:yyyy-MM-dd HH:mm:ss}Z)");
        return await ContinueAsync(context, aws, ledger, run, plan, takeOver, cancellationToken);
    }

    /// <summary>
    /// <c>resume --replan</c>: the old run's target and steps planned again from today's rewind.yaml and run as a new
    /// run, the same path as <c>rewind run --live --to TARGET --only STEPS</c>; the old run is marked failed.
    /// </summary>
    private static Task<int> ReplanAsync(CliContext context, Aws.AwsClients aws, ILedger ledger, Run run, RollbackPlan plan, bool takeOver, CancellationToken cancellationToken)
    {
        if (plan.Target is not { } target)
            throw new CliException($"run {run.Id} has no rollback target to plan again", "run its command again instead (rewind canary, rewind cdn, …)");
        context.Log($"rewind: planning {run.Id}'s target {target.Label} again from {context.ConfigPath} (--replan)");
        var selection = new StepSelection(plan.Steps.Select(s => s.Step).ToHashSet(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        return RunWithAsync(context, aws, ledger,
            new Request(target.ReleaseId ?? target.TaskDefinitionArn, Live: true, Yes: true, selection, TakeOver: takeOver, Checklist: true, Supersedes: run),
            Everything, cancellationToken);
    }

    /// <summary>What a new run does when the latest rollback run decides: say it changes nothing, or continue that run.</summary>
    private static async Task<int> FollowAsync(CliContext context, Aws.AwsClients aws, ILedger ledger, LatestRollback.Decision latest, Request request, CancellationToken cancellationToken)
    {
        if (latest is LatestRollback.AlreadyThere there)
        {
            context.Log($"rewind: {there.Line}");
            return ExitCodes.Ok;
        }
        var why = ((LatestRollback.Continue)latest).Why;
        if (!request.Live)
        {
            await PlanView.WriteAsync(context, latest.Plan, null, cancellationToken);
            context.Log($"rewind: dry-run: 'run --live' would continue {latest.Run.Id}, whose plan this is ({why}); nothing was changed");
            return ExitCodes.Ok;
        }
        if (context.Output == OutputFormat.Text)
            PlanView.RenderPlan(context.Error, latest.Plan);
        if (!request.Yes && !Confirm(context, latest.Plan))
        {
            context.Log("rewind: not confirmed: nothing was changed");
            return ExitCodes.Cancelled;
        }
        // Said once the lock is ours: a run blocked by the lock says only that.
        return await ContinueAsync(context, aws, ledger, latest.Run, latest.Plan, request.TakeOver, cancellationToken,
            $"rewind: continuing {latest.Run.Id}, not planning afresh: {why}");
    }

    /// <summary>
    /// Runs a stored plan on under this operator: a resume, or a takeover of the run another process holds (it stops
    /// at its next journal write). Never a new plan: what the run planned from the incident is what gets finished.
    /// </summary>
    private static async Task<int> ContinueAsync(
        CliContext context, Aws.AwsClients aws, ILedger ledger, Run run, RollbackPlan plan, bool takeOver, CancellationToken cancellationToken, string? locked = null)
    {
        var steps = PlaybookSteps.ForPlan(context, aws, ledger, plan);
        var drift = PlaybookSteps.DriftFrom(context, aws, ledger, plan);
        foreach (var difference in drift)
            context.Log($"rewind: {Path.GetFileName(context.ConfigPath)} changed since {run.Id} was planned: {difference}");
        if (drift.Count > 0)
            context.Log($"rewind: resuming the stored plan (what was shown and approved); 'rewind resume {run.Id} --replan' plans again from {Path.GetFileName(context.ConfigPath)} instead");
        var outcome = await RunProgress.ShowAsync(context, plan, observer =>
            new RunExecutor(ledger, steps, observer, context.Time) { TakeOverWhen = TakeOverPolicy(context, takeOver), Hooks = new RunAnnouncements(context, ledger, locked) }
                .ResumeAsync(run, plan, context.Operator, cancellationToken));
        var checklist = Checklist.Evaluate((await RunRecord.ReadAsync(ledger, outcome.RunId, cancellationToken))!);
        await PlanView.WriteAsync(context, plan, outcome, checklist, drift, cancellationToken);
        return ExitCodeOf(context, outcome);
    }

    /// <summary>The outermost folder of <paramref name="folder"/>'s path that does not exist yet, or null when it exists.</summary>
    private static string? FirstMissingFolder(string folder)
    {
        string? missing = null;
        for (var current = folder; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
            missing = current;
        return missing;
    }

    private static void RemoveDryRunPlanFiles(RollbackPlan plan, string? createdFolder)
    {
        foreach (var file in plan.Steps.SelectMany(Rewind.Playbook.Infra.InfraStep.FilesLeftBy))
            File.Delete(file);
        if (createdFolder is not null && Directory.Exists(createdFolder))
            Directory.Delete(createdFolder, recursive: true);
    }

    internal static int ExitCodeOf(CliContext context, RunOutcome outcome)
    {
        if (outcome.Status == RunStatus.Succeeded)
            return ExitCodes.Ok;
        var failed = outcome.Steps.First(s => s.Result.Status is StepStatus.Failed or StepStatus.AwaitingApproval);
        if (failed.Result.Status == StepStatus.AwaitingApproval)
        {
            context.Log($"rewind: step {failed.Step.Step} awaits approval: {failed.Result.Summary}");
            return ExitCodes.Blocked;
        }
        if (failed.Result.Evidence is StepFailed { Kind: FailureKind.Unavailable } or StepFailed { Error: nameof(AwsUnavailableException) or nameof(AwsAnswerLostException) })
        {
            // AWS unreachable, or throttling to the step's deadline: nothing is wrong with the run itself.
            var summary = failed.Result.Summary;
            var cut = summary.IndexOf("; the run can be continued", StringComparison.Ordinal);
            context.Log($"rewind: step {failed.Step.Step} failed: AWS is unavailable: {(cut < 0 ? summary : summary[..cut])}; the run is resumable: rewind resume {outcome.RunId}");
            return ExitCodes.Unavailable;
        }
        context.Log($"rewind: step {failed.Step.Step} failed: {failed.Result.Summary}");
        return ExitCodes.OfStep(failed.Result);
    }

    private static bool Confirm(CliContext context, RollbackPlan plan) =>
        !context.Terminal.CanPrompt // a pipeline: --live is the decision
        || context.Terminal.Confirm($"Roll back {plan.Service} now ({plan.Steps.Count} steps, about {plan.ExpectedSeconds:0} s)? [y/N] ");

    /// <summary>
    /// --takeover takes any lock; without it, only the lock of a run whose process is gone from this host (killed,
    /// crashed): waiting for that lease to expire would only delay the resume. Either way the takeover is journaled.
    /// </summary>
    internal static Func<Lease, bool> TakeOverPolicy(CliContext context, bool explicitly) => holder =>
    {
        if (explicitly)
        {
            context.Log($"rewind: taking the lock over from {holder.Owner} on {holder.Host}");
            return true;
        }
        if (holder.Host != context.Operator.Host || Operator.Holding(holder).ProcessId is not { } pid || IsAlive(pid))
            return false;
        context.Log($"rewind: the lock holder {holder.Owner} is no longer running on this host: taking the lock over");
        return true;
    };

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
