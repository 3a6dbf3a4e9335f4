using System.CommandLine;
using Rewind.Aws.Ecs;
using Rewind.Aws.SecretsManager;
using Rewind.Cli.Playbook;
using Rewind.Cli.Rendering;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Notify;
using Spectre.Console;

namespace Rewind.Cli.Commands;

/// <summary><c>rewind status</c> (live state) and <c>rewind record</c> (snapshot it as a release, for the deploy pipeline).</summary>
public static class StatusCommands
{
    public static Command Status(Func<ParseResult, CliContext> context)
    {
        var status = new Command("status", "Live state: running revision, deployments, canary weights, freeze, lock, latest run");
        status.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            var config = cli.Config;
            using var aws = cli.Aws();
            await using var ledger = await cli.OpenLedgerAsync(aws, ct);
            var shape = await new ServiceShapeReader(aws.Ecs).ReadAsync(config.Service.Cluster, config.Service.EcsService, ct);
            var service = shape.Service;
            var lease = await ledger.Leases.GetLeaseAsync(config.Service.Name, ct);
            var latest = (await ledger.Runs.ListRunsAsync(config.Service.Name, 1, ct)).FirstOrDefault();
            // The ledger's freeze only: no SSM call, so status stays fast ('rewind freeze status' compares both).
            var freeze = await FreezeVerdict.ActiveAsync(ledger.Freezes, config.Service.Name, ct);
            var weights = PlaybookSteps.Canary(config, aws, 0) is { } canary ? await canary.ReadWeightsAsync(ct) : (CanaryWeights?)null;
            var report = new StatusReport(
                config.Service.Name, config.Service.Cluster, config.Service.EcsService,
                service.TaskDefinition, service.DesiredCount, service.RunningCount,
                [.. service.Deployments.Select(d => new StatusDeployment(d.Id, d.Status.ToString().ToUpperInvariant(), d.TaskDefinition, d.RunningCount, d.DesiredCount, d.RolloutState.Wire()))],
                weights is { } w ? $"{w.Main}/{w.Canary}" : null,
                StatusFreeze.Of(freeze),
                lease is { } l && !l.IsExpiredAt(cli.Time.GetUtcNow()) ? $"{l.Owner} on {l.Host} since {l.AcquiredAt:yyyy-MM-dd HH:mm:ss}Z" : null,
                latest is null ? null : $"{latest.Id} {latest.Status.ToString().ToLowerInvariant()}",
                shape.Describe());
            if (cli.Output == OutputFormat.Json)
            {
                await Json.WriteAsync(cli.Out, report, CliJson.Default.StatusReport, ct);
                return ExitCodes.Ok;
            }
            var console = Consoles.For(cli.Out);
            console.MarkupLine($"[bold]{Markup.Escape(report.Service)}[/] {Markup.Escape(report.Cluster)}/{Markup.Escape(report.EcsService)}: {Markup.Escape(report.TaskDefinition ?? "?")}, {report.Running}/{report.Desired} running");
            var table = new Table().Border(TableBorder.Simple).AddColumn("deployment").AddColumn("status").AddColumn("task definition").AddColumn("running").AddColumn("rollout");
            foreach (var d in report.Deployments)
                table.AddRow(Markup.Escape(d.Id), d.Status, Markup.Escape(d.TaskDefinition ?? "?"), $"{d.Running}/{d.Desired}", d.RolloutState);
            console.Write(table);
            console.MarkupLine($"shape: {Markup.Escape(report.Shape ?? "?")}");
            console.MarkupLine($"canary weights (main/canary): {Markup.Escape(report.CanaryWeights ?? "no canary configured")}");
            console.MarkupLine($"freeze: {Markup.Escape(freeze is null ? "not frozen" : $"frozen: {FreezeVerdict.Describe(freeze)}")}");
            console.MarkupLine($"lock: {Markup.Escape(report.Lock ?? "free")}");
            console.MarkupLine($"latest run: {Markup.Escape(report.LatestRun ?? "none")}");
            return ExitCodes.Ok;
        });
        return status;
    }

    public static Command Record(Func<ParseResult, CliContext> context)
    {
        var version = new Option<string?>("--version") { Description = "the release's version label (default: the running task definition, family:rev)", HelpName = "V" }.SingleLine();
        var knownGood = new Option<bool>("--known-good") { Description = "record it as already verified healthy (a rollback target)" };
        var overrideFreeze = new Option<bool>("--override-freeze") { Description = "record even though releases are frozen (needs --reason; journaled)" };
        var reason = new Option<string?>("--reason") { Description = "why the freeze is overridden", HelpName = "TEXT" }.SingleLine();
        var record = new Command("record", "Snapshot the current state as a release (the deploy pipeline calls this)") { version, knownGood, overrideFreeze, reason };
        record.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            // The pipeline's output file is checked before anything is read or recorded: a release it cannot hand on is not recorded.
            var outputFile = PipelineOutput.OutputFile(Environment.GetEnvironmentVariable);
            if (outputFile is not null)
                PipelineOutput.CheckOutputFile(outputFile);
            var config = cli.Config;
            if (parse.GetValue(overrideFreeze) && string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                throw new CliException("--override-freeze needs --reason", "say why the freeze is overridden: --override-freeze --reason \"…\" (it is journaled)");
            using var aws = cli.Aws();
            await using var ledger = await cli.OpenLedgerAsync(aws, ct);
            var overridden = await FreezeGuard.CheckAsync(cli, ledger, aws, parse.GetValue(overrideFreeze), "record", ct);
            var service = await EcsStep.DescribeAsync(aws.Ecs, PlaybookSteps.Ecs(config), ct);
            var taskDefinition = service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition ?? throw new CliException($"{config.Service.EcsService} has no task definition", "deploy it first");
            var weights = PlaybookSteps.Canary(config, aws, 0) is { } canary ? await canary.ReadWeightsAsync(ct) : (CanaryWeights?)null;
            var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var secret in config.Secrets)
            {
                var current = (await aws.SecretsManager.ListSecretVersionIdsAsync(secret.Id, false, ct)).FirstOrDefault(v => v.VersionStages.Contains("AWSCURRENT"))
                    ?? throw new CliException($"secret {secret.Id} has no AWSCURRENT version", "check secrets[].id in rewind.yaml");
                secrets[secret.Id] = current.VersionId;
            }
            var now = cli.Time.GetUtcNow();
            var release = new Release(
                LedgerIds.NewReleaseId(now), config.Service.Name,
                parse.GetValue(version) ?? TaskDefinitionRevision.Parse(taskDefinition).ToString(), now,
                new Dictionary<string, string> { [config.Service.EcsService] = taskDefinition },
                weights, secrets, await PlaybookSteps.TerraformRevisionAsync(config, ct), config.Cdn?.DistributionId,
                parse.GetValue(knownGood) ? ReleaseStatus.KnownGood : ReleaseStatus.Deployed);
            if (overridden is null)
                await ledger.Releases.RecordReleaseAsync(release, ct);
            else if (await FreezeGuard.RecordOverrideAsync(cli, ledger, overridden, release, parse.GetValue(reason)!, ct) is { Status: not RunStatus.Succeeded } outcome)
            {
                cli.Log($"rewind: step {OverrideFreezeStep.StepName} failed: {outcome.Steps[0].Result.Summary}; continue with 'rewind resume {outcome.RunId}'");
                return ExitCodes.OfStep(outcome.Steps[0].Result);
            }
            if (outputFile is not null)
                await PipelineOutput.AppendOutputsAsync(outputFile, [new("release", release.Id), new("version", release.Version)], ct);
            var report = new HistoryRelease(release.Id, release.Service, release.Version, release.RecordedAt, release.Status.ToString(), release.TaskDefinitions);
            if (cli.Output == OutputFormat.Json)
                await Json.WriteAsync(cli.Out, report, CliJson.Default.HistoryRelease, ct);
            else
                await cli.Out.WriteLineAsync($"recorded {release.Id}: {release.Version} ({release.Status}) {taskDefinition}");
            return ExitCodes.Ok;
        });
        return record;
    }
}

/// <summary>What <c>rewind status</c> shows.</summary>
public sealed record StatusReport(
    string Service, string Cluster, string EcsService, string? TaskDefinition, int Desired, int Running,
    IReadOnlyList<StatusDeployment> Deployments, string? CanaryWeights, StatusFreeze Freeze, string? Lock, string? LatestRun, string? Shape = null);

/// <summary>The service's release freeze as the ledger holds it (<c>rewind status</c>); all but <see cref="Frozen"/> null when not frozen.</summary>
public sealed record StatusFreeze(bool Frozen, string? Id, string? Scope, string? Reason, string? Since, string? By, string? Incident)
{
    public static StatusFreeze Of(Freeze? active) => active is null
        ? new(false, null, null, null, null, null, null)
        : new(true, active.Id, active.Scope, active.Reason, NotificationRenderer.Iso(active.Since), active.FrozenBy, active.IncidentId);
}

public sealed record StatusDeployment(string Id, string Status, string? TaskDefinition, int Running, int Desired, string RolloutState);
