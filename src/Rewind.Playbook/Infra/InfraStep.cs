using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
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
public sealed class InfraStep : IStep
{
    /// <summary>The journaled call: one terraform apply of a saved plan.</summary>
    public const string Apply = "TerraformApply";

    /// <summary>The snapshot key a release records the Terraform code's commit under.</summary>
    public const string SnapshotKey = "terraform";

    /// <summary>The version-1 plan parameter holding the saved plan's SHA-256 (hex), taken when the plan was shown.</summary>
    public const string PlanHash = "planSha256";

    private readonly InfraSettings? _settings;
    private readonly string _terraform;
    private readonly string? _reference;
    private readonly bool _allowDestroy;
    private readonly Func<bool> _approved;
    private readonly Action<string>? _planProgress;

    /// <summary>The step that plans <paramref name="settings"/>' Terraform code at <paramref name="reference"/> (default: see the class).</summary>
    public InfraStep(InfraSettings settings, string? reference = null, bool allowDestroy = false, Func<bool>? approved = null, Action<string>? planProgress = null)
        : this(settings ?? throw new ArgumentNullException(nameof(settings)), settings.Terraform, reference, allowDestroy, approved, planProgress)
    {
    }

    private InfraStep(InfraSettings? settings, string terraform, string? reference, bool allowDestroy, Func<bool>? approved, Action<string>? planProgress)
    {
        _settings = settings;
        _terraform = terraform;
        _reference = reference;
        _allowDestroy = allowDestroy;
        _approved = approved ?? (() => InfraApproval.ConfirmedIn(Environment.GetEnvironmentVariable));
        _planProgress = planProgress;
    }

    /// <summary>
    /// The step that executes a stored plan (resume) with no settings: everything comes from the plan but the
    /// terraform executable, which is this machine's.
    /// </summary>
    public static InfraStep ForResume(Func<bool>? approved = null, string terraform = "terraform") => new(null, terraform, null, false, approved, null);

    public string Name => "infra";
    public StepStage Stage => StepStage.Infrastructure;

    /// <summary>The typed plan of a stored infra step plan (either schema version).</summary>
    public static InfraPlan Read(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Read(InfraJson.Default.InfraPlan, fromVersion1: InfraPlan.FromVersion1);
    }

    /// <summary>The files a stored plan of this step left behind (its saved Terraform plan); none for another step's plan.</summary>
    public static IReadOnlyList<string> FilesLeftBy(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Step == "infra" ? Read(plan).FilesLeft() : [];
    }

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var settings = _settings ?? throw new InvalidOperationException("this infra step was built to resume a stored plan; it has no settings to plan from");
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
        var (wanted, why) = _reference is not null ? (_reference, "--ref")
            : context.Target?.Snapshot.TryGetValue(SnapshotKey, out var recorded) == true ? (recorded, "recorded in the target release")
            : ("HEAD~1", "the commit before HEAD; the target release recorded no Terraform commit");
        var commit = await repository.ResolveCommitAsync(wanted, cancellationToken);
        if (!await repository.HasDirectoryAsync(commit, settings.Directory, cancellationToken))
            throw new RewindException($"{directory} does not exist at {wanted} ({Short(commit)})", "give a ref where the Terraform directory exists (--ref), or check infra.directory", FailureKind.BadInput);

        var planFile = NewPlanFile(settings.PlanFolder, commit);
        await using var checkout = await TerraformCheckout.OpenAsync(repository, settings, commit, _planProgress, cancellationToken);
        var state = await checkout.Terraform.StateVersionAsync(cancellationToken);
        var hasChanges = await checkout.Terraform.PlanAsync(planFile, cancellationToken);
        var summary = TerraformPlanSummary.Parse(await checkout.Terraform.ShowAsync(planFile, cancellationToken));
        var planHash = hasChanges ? await SavedPlanHashAsync(planFile, cancellationToken) : "";
        if (!hasChanges)
            DeletePlan(planFile);
        var gate = new InfraApproval(settings.MaxDestroys, _allowDestroy, Confirmed: false);
        var overLimit = gate.ExceedsDestroyLimit(summary.Destroys);
        return StepPlan.Of(
            Name, Stage,
            $"terraform {directory} at {wanted} ({Short(commit)}): {(hasChanges ? summary.ToString() : "no changes")}"
                + (overLimit ? $"; {summary.Destroys} destroy(s) exceed infra.max_destroys {settings.MaxDestroys}, so apply will refuse" : ""),
            hasChanges ? [.. summary.Resources.Select(r => r.ToString()).DefaultIfEmpty("outputs only")] : [$"no changes: the state ({checkout.State}) matches {wanted}"],
            nothingToDo: !hasChanges, expectedSeconds: 30, deadlineSeconds: 1800,
            new InfraPlan(
                repository.Root, directory, wanted, why, commit, settings.PlanFolder, hasChanges ? planFile : "", planHash, checkout.State, state.ToString(),
                hasChanges, summary.Adds, summary.Changes, summary.Destroys, summary.Resources, settings.MaxDestroys, _allowDestroy),
            InfraJson.Default.InfraPlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var planned = Read(plan);
        var repository = await GitRepository.OpenAsync(planned.Repository, cancellationToken);
        var commit = planned.Commit;
        var at = $"{planned.Ref} ({Short(commit)})";
        var settings = new InfraSettings(repository.Root, planned.Directory, planned.MaxDestroys, planned.PlanFolder, _terraform);
        await using var checkout = await TerraformCheckout.OpenAsync(repository, settings, commit, context.Report, cancellationToken);
        var terraform = checkout.Terraform;
        var evidence = new InfraApplied(
            planned.Ref, commit, planned.Directory, checkout.State, Applied: false, AppliedEarlier: false, planned.Adds, planned.Changes, planned.Destroys,
            [.. planned.Resources.Select(r => r.ToString())], StateAfter: null, PlanAfter: null, Replanned: null);

        if (context.EarlierResult(Apply) is not null)
        {
            // An earlier attempt applied; never again: prove it instead.
            return await VerifyAsync(terraform, planned.PlanFolder, commit, at, "applied in an earlier attempt", evidence with { Applied = true, AppliedEarlier = true }, cancellationToken);
        }

        var planFile = planned.PlanFile;
        var planHash = planned.PlanSha256;
        var hasChanges = planned.HasChanges;
        var summary = planned.Summary();
        var state = await terraform.StateVersionAsync(cancellationToken);
        var stale = !hasChanges && state.ToString() == planned.StateVersion ? null
            : context.WasSent(Apply) ? "an earlier apply may have landed in part"
            : !File.Exists(planFile) ? "the saved plan is gone"
            : state.ToString() != planned.StateVersion ? $"the state moved on since the plan ({planned.StateVersion} → {state})"
            : null;
        if (stale is not null)
        {
            context.Report($"planning again: {stale}");
            planFile = NewPlanFile(planned.PlanFolder, commit);
            hasChanges = await terraform.PlanAsync(planFile, cancellationToken);
            summary = TerraformPlanSummary.Parse(await terraform.ShowAsync(planFile, cancellationToken));
            planHash = hasChanges ? await SavedPlanHashAsync(planFile, cancellationToken) : "";
            evidence = evidence with { Replanned = stale };
        }
        evidence = evidence with
        {
            Adds = summary.Adds,
            Changes = summary.Changes,
            Destroys = summary.Destroys,
            Resources = [.. summary.Resources.Select(r => r.ToString())],
        };

        if (!hasChanges)
        {
            DeletePlan(planFile);
            // After an apply that was sent but never answered, nothing left to apply means that apply landed whole.
            return context.WasSent(Apply)
                ? StepResult.Succeeded($"terraform at {at}: the earlier attempt's apply landed, no changes left", evidence with { Applied = true, AppliedEarlier = true, PlanAfter = "no changes" })
                : StepResult.Succeeded($"terraform at {at}: no changes, the state already matches", evidence with { PlanAfter = "no changes" });
        }
        var gate = planned.Approval(_approved());
        switch (gate.Decide(summary.Destroys))
        {
            case InfraVerdict.OverDestroyLimit:
                return StepResult.Failed(
                    $"{gate.DestroyLimitProblem(summary.Destroys)}: nothing was applied; review it and apply with 'CONFIRM=true rewind infra apply --live --ref {commit} --allow-destroy'",
                    evidence);
            case InfraVerdict.AwaitingConfirmation:
                return new StepResult(
                    StepStatus.AwaitingApproval,
                    $"terraform apply ({summary}) awaits approval: review the plan, then run 'CONFIRM=true rewind resume {context.RunId}'",
                    evidence);
        }

        // Checked last, just before terraform reads it: the plan shown (and approved) is the plan applied, or nothing is.
        RequirePrivateFolder(Path.GetDirectoryName(planFile)!);
        var found = File.Exists(planFile) ? await Sha256Async(planFile, cancellationToken) : "none (the file is gone)";
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
                ["ref"] = planned.Ref,
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
        return await VerifyAsync(terraform, planned.PlanFolder, commit, at, $"applied {summary}", evidence with { Applied = true, StateAfter = after.ToString() }, cancellationToken);
    }

    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        if (_settings is not { } settings)
            return [];
        var planned = Read(plan);
        var drift = new List<string>();
        // The plan names the directory from the git root: the configured repository may be a folder below it.
        var directory = settings.Directory.Trim('/');
        var prefix = planned.Directory == directory ? ""
            : planned.Directory.EndsWith("/" + directory, StringComparison.Ordinal) ? planned.Directory[..^directory.Length] : null;
        if (prefix is null)
            drift.Add($"infra.directory is now {settings.Directory}; the plan names {planned.Directory}");
        var repository = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Repository));
        var plannedRepository = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(planned.Repository, prefix ?? "")));
        if (!string.Equals(repository, plannedRepository, StringComparison.Ordinal))
            drift.Add($"infra.repository is now {repository}; the plan names {plannedRepository}");
        return drift;
    }

    /// <summary>Done means a fresh plan at the same commit shows no changes.</summary>
    private static async Task<StepResult> VerifyAsync(
        TerraformCli terraform, string planFolder, string commit, string at, string what, InfraApplied evidence, CancellationToken cancellationToken)
    {
        var check = NewPlanFile(planFolder, commit);
        try
        {
            if (await terraform.PlanAsync(check, cancellationToken))
            {
                var left = TerraformPlanSummary.Parse(await terraform.ShowAsync(check, cancellationToken));
                return StepResult.Failed($"terraform at {at}: {what}, but a new plan still shows {left}", evidence with { PlanAfter = left.ToString() });
            }
        }
        finally
        {
            DeletePlan(check);
        }
        return StepResult.Succeeded($"terraform at {at}: {what}; a new plan shows no changes", evidence with { PlanAfter = "no changes" });
    }

    /// <summary>
    /// A new plan file in the private plan folder (created 0700: a plan can hold secret values, and whoever can write
    /// the folder can swap the plan before it is applied); week-old plans are removed.
    /// </summary>
    private static string NewPlanFile(string folder, string commit)
    {
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
}
