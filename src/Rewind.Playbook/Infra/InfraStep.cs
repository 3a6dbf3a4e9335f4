using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Files;

namespace Rewind.Playbook.Infra;

/// <summary>
/// Playbook "Terraform Rollback", without touching the user's working tree: the Terraform directory of the target ref
/// (<c>--ref</c>, else the ref the target release recorded, else <c>HEAD~1</c>) is checked out in a temporary git
/// worktree, planned into a saved plan and summarised. Execution applies exactly that saved plan (planned again only
/// when it is gone or the state moved on), only when approved (<c>CONFIRM=true</c>) and within the destroy limit,
/// then proves it: a second plan shows no changes. Otherwise the step ends awaiting approval, having changed nothing.
/// The saved plan lives in a folder private to the user, and its SHA-256 is part of the plan shown: a file that no
/// longer has that hash is never applied.
/// </summary>
public sealed class InfraStep(InfraSettings settings, string? reference = null, bool allowDestroy = false, Func<bool>? approved = null, Action<string>? planProgress = null) : IStep
{
    /// <summary>The journaled call: one terraform apply of a saved plan.</summary>
    public const string Apply = "TerraformApply";

    /// <summary>The snapshot key a release records the Terraform code's commit under.</summary>
    public const string SnapshotKey = "terraform";

    /// <summary>The plan parameter holding the saved plan's SHA-256 (hex), taken when the plan was shown.</summary>
    public const string PlanHash = "planSha256";

    private readonly Func<bool> _approved = approved ?? (() => Environment.GetEnvironmentVariable("CONFIRM") == "true");

    public string Name => "infra";
    public StepStage Stage => StepStage.Infrastructure;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        ExternalTool.Require(settings.Terraform, "install Terraform 1.x, or put the terraform binary on PATH");
        var repository = await GitRepository.OpenAsync(settings.Repository, cancellationToken);
        var directory = repository.Prefix + settings.Directory.Trim('/');
        var dirty = await repository.UncommittedAsync(settings.Directory, cancellationToken);
        if (dirty.Count > 0)
        {
            throw new RewindException(
                $"the Terraform directory {directory} has uncommitted changes: {string.Join(", ", dirty.Take(5))}{(dirty.Count > 5 ? $" and {dirty.Count - 5} more" : "")}",
                "commit or stash them first: the rollback plans from committed code, and would silently drop them", FailureKind.BadInput);
        }
        var (wanted, why) = reference is not null ? (reference, "--ref")
            : context.Target?.Snapshot.TryGetValue(SnapshotKey, out var recorded) == true ? (recorded, "recorded in the target release")
            : ("HEAD~1", "the commit before HEAD; the target release recorded no Terraform commit");
        var commit = await repository.ResolveCommitAsync(wanted, cancellationToken);
        if (!await repository.HasDirectoryAsync(commit, settings.Directory, cancellationToken))
            throw new RewindException($"{directory} does not exist at {wanted} ({Short(commit)})", "give a ref where the Terraform directory exists (--ref), or check infra.directory", FailureKind.BadInput);

        var planFile = NewPlanFile(commit);
        await using var checkout = await TerraformCheckout.OpenAsync(repository, settings, commit, planProgress, cancellationToken);
        var state = await checkout.Terraform.StateVersionAsync(cancellationToken);
        var hasChanges = await checkout.Terraform.PlanAsync(planFile, cancellationToken);
        var summary = TerraformPlanSummary.Parse(await checkout.Terraform.ShowAsync(planFile, cancellationToken));
        var planHash = hasChanges ? await SavedPlanHashAsync(planFile, cancellationToken) : "";
        if (!hasChanges)
            DeletePlan(planFile);
        var overLimit = summary.Destroys > settings.MaxDestroys && !allowDestroy;
        return new StepPlan(
            Name, Stage,
            $"terraform {directory} at {wanted} ({Short(commit)}): {(hasChanges ? summary.ToString() : "no changes")}"
                + (overLimit ? $"; {summary.Destroys} destroy(s) exceed infra.max_destroys {settings.MaxDestroys}, so apply will refuse" : ""),
            hasChanges ? [.. summary.Resources.Select(r => r.ToString()).DefaultIfEmpty("outputs only")] : [$"no changes: the state ({checkout.State}) matches {wanted}"],
            NothingToDo: !hasChanges, ExpectedSeconds: 30, DeadlineSeconds: 1800,
            new Dictionary<string, string>
            {
                ["repository"] = repository.Root,
                ["directory"] = directory,
                ["ref"] = wanted,
                ["refReason"] = why,
                ["commit"] = commit,
                ["planFile"] = planFile,
                [PlanHash] = planHash,
                ["state"] = checkout.State,
                ["stateVersion"] = state.ToString(),
                ["hasChanges"] = hasChanges ? "true" : "false",
                ["adds"] = Number(summary.Adds),
                ["changes"] = Number(summary.Changes),
                ["destroys"] = Number(summary.Destroys),
                ["resources"] = summary.ResourceLines,
                ["maxDestroys"] = Number(settings.MaxDestroys),
            });
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var repository = await GitRepository.OpenAsync(plan.Parameter("repository"), cancellationToken);
        var commit = plan.Parameter("commit");
        var wanted = plan.Parameter("ref");
        var at = $"{wanted} ({Short(commit)})";
        await using var checkout = await TerraformCheckout.OpenAsync(
            repository, settings with { Repository = repository.Root, Directory = plan.Parameter("directory") }, commit, context.Report, cancellationToken);
        var terraform = checkout.Terraform;
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ref"] = wanted,
            ["commit"] = commit,
            ["directory"] = plan.Parameter("directory"),
            ["state"] = checkout.State,
            ["applied"] = "false",
        };

        if (context.EarlierResult(Apply) is not null)
        {
            // An earlier attempt applied; never again: prove it instead.
            evidence["applied"] = "true (earlier attempt)";
            return await VerifyAsync(terraform, commit, at, "applied in an earlier attempt", evidence, cancellationToken);
        }

        var planFile = plan.Parameter("planFile");
        var planHash = plan.Parameters!.GetValueOrDefault(PlanHash, "");
        var hasChanges = plan.Parameter("hasChanges") == "true";
        var summary = new TerraformPlanSummary(
            int.Parse(plan.Parameter("adds"), CultureInfo.InvariantCulture), int.Parse(plan.Parameter("changes"), CultureInfo.InvariantCulture),
            int.Parse(plan.Parameter("destroys"), CultureInfo.InvariantCulture), TerraformPlanSummary.ParseLines(plan.Parameter("resources")));
        var state = await terraform.StateVersionAsync(cancellationToken);
        var stale = !hasChanges && state.ToString() == plan.Parameter("stateVersion") ? null
            : context.WasSent(Apply) ? "an earlier apply may have landed in part"
            : !File.Exists(planFile) ? "the saved plan is gone"
            : state.ToString() != plan.Parameter("stateVersion") ? $"the state moved on since the plan ({plan.Parameter("stateVersion")} → {state})"
            : null;
        if (stale is not null)
        {
            context.Report($"planning again: {stale}");
            planFile = NewPlanFile(commit);
            hasChanges = await terraform.PlanAsync(planFile, cancellationToken);
            summary = TerraformPlanSummary.Parse(await terraform.ShowAsync(planFile, cancellationToken));
            planHash = hasChanges ? await SavedPlanHashAsync(planFile, cancellationToken) : "";
            evidence["replanned"] = stale;
        }
        evidence["adds"] = Number(summary.Adds);
        evidence["changes"] = Number(summary.Changes);
        evidence["destroys"] = Number(summary.Destroys);
        evidence["resources"] = string.Join("; ", summary.Resources);

        if (!hasChanges)
        {
            DeletePlan(planFile);
            evidence["planAfter"] = "no changes";
            return StepResult.Succeeded($"terraform at {at}: no changes, the state already matches", evidence);
        }
        if (summary.Destroys > settings.MaxDestroys && !allowDestroy)
        {
            return StepResult.Failed(
                $"the plan destroys {summary.Destroys} resource(s), more than infra.max_destroys {settings.MaxDestroys}: nothing was applied; review it and apply with 'CONFIRM=true rewind infra apply --live --ref {commit} --allow-destroy'",
                evidence);
        }
        if (!_approved())
        {
            return new StepResult(
                StepStatus.AwaitingApproval,
                $"terraform apply ({summary}) awaits approval: review the plan, then run 'CONFIRM=true rewind resume {context.RunId}'",
                evidence);
        }

        // Checked last, just before terraform reads it: the plan shown (and approved) is the plan applied, or nothing is.
        RequirePrivateFolder(Path.GetDirectoryName(planFile)!);
        var found = File.Exists(planFile) ? await Sha256Async(planFile, cancellationToken) : "none (the file is gone)";
        evidence[PlanHash] = planHash;
        if (!string.Equals(found, planHash, StringComparison.Ordinal))
        {
            return StepResult.Failed(
                $"the saved plan changed since it was shown: plan again ('rewind infra plan', then a new run); nothing was applied; {planFile} has SHA-256 {found}, the plan shown had {(planHash.Length > 0 ? planHash : "no recorded hash")}",
                evidence);
        }

        context.Report($"applying the saved plan: {summary}");
        var after = await context.CallAsync(
            Apply,
            new JsonObject
            {
                ["commit"] = commit,
                ["ref"] = wanted,
                ["planFile"] = planFile,
                ["state"] = state.ToString(),
                ["adds"] = summary.Adds,
                ["changes"] = summary.Changes,
                ["destroys"] = summary.Destroys,
            },
            async ct =>
            {
                await terraform.ApplyAsync(planFile, ct);
                return await terraform.StateVersionAsync(ct);
            },
            version => new JsonObject { ["state"] = version.ToString() },
            cancellationToken);
        DeletePlan(planFile);
        evidence["applied"] = "true";
        evidence["stateAfter"] = after.ToString();
        return await VerifyAsync(terraform, commit, at, $"applied {summary}", evidence, cancellationToken);
    }

    /// <summary>Done means a fresh plan at the same commit shows no changes.</summary>
    private async Task<StepResult> VerifyAsync(
        TerraformCli terraform, string commit, string at, string what, Dictionary<string, string> evidence, CancellationToken cancellationToken)
    {
        var check = NewPlanFile(commit);
        try
        {
            if (await terraform.PlanAsync(check, cancellationToken))
            {
                var left = TerraformPlanSummary.Parse(await terraform.ShowAsync(check, cancellationToken));
                evidence["planAfter"] = left.ToString();
                return StepResult.Failed($"terraform at {at}: {what}, but a new plan still shows {left}", evidence);
            }
        }
        finally
        {
            DeletePlan(check);
        }
        evidence["planAfter"] = "no changes";
        return StepResult.Succeeded($"terraform at {at}: {what}; a new plan shows no changes", evidence);
    }

    /// <summary>
    /// A new plan file in the private plan folder (created 0700: a plan can hold secret values, and whoever can write
    /// the folder can swap the plan before it is applied); week-old plans are removed.
    /// </summary>
    private string NewPlanFile(string commit)
    {
        var folder = settings.PlanFolder;
        RequirePrivateFolder(folder);
        if (!Directory.Exists(folder))
        {
            PrivateFiles.CreateFolder(folder);
            // Someone may have made it between the check and the creation: check what is there now.
            RequirePrivateFolder(folder);
        }
        foreach (var old in Directory.EnumerateFiles(folder, "*.tfplan").Where(f => File.GetLastWriteTimeUtc(f) < DateTime.UtcNow.AddDays(-7)))
            DeletePlan(old);
        return Path.Combine(folder, $"{Short(commit)}-{Guid.NewGuid():N}.tfplan");
    }

    /// <summary>A plan folder owned by someone else, or writable by group or others, is bad input: nothing is planned into it or applied from it.</summary>
    internal static void RequirePrivateFolder(string folder)
    {
        if (PrivateFiles.PrivateFolderProblem(folder) is { } problem)
        {
            throw new RewindException(
                $"the Terraform plan folder is not private: {problem}; another user could swap a saved plan before it is applied",
                $"remove {folder} (rewind creates it 0700), or if it is yours: chmod 700 {folder}", FailureKind.BadInput);
        }
    }

    /// <summary>terraform writes its plan with the umask's mode: made 0600 like every file Rewind keeps, then hashed.</summary>
    private static async Task<string> SavedPlanHashAsync(string planFile, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(planFile, PrivateFiles.FileMode);
        return await Sha256Async(planFile, cancellationToken);
    }

    private static async Task<string> Sha256Async(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>Removes a saved plan that will not be applied (a dry-run's).</summary>
    public static void DeletePlan(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Removed later with the week-old plans.
        }
    }

    private static string Short(string commit) => commit[..Math.Min(12, commit.Length)];

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
