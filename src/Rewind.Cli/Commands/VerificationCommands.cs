using System.CommandLine;
using System.Globalization;
using Rewind.Cli.Rendering;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Ledger;
using Rewind.Playbook.Smoke;
using Rewind.Playbook.Verify;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind smoke</c> (the playbook's <c>smoke_test.sh</c>) and <c>rewind verify</c> (error rates normalized):
/// read-only checks of the service after a rollback. Exit 0 when they pass, 4 when they fail, 5 when the URL
/// cannot be reached at all, 2 for bad input.
/// </summary>
public static class VerificationCommands
{
    public static IEnumerable<Command> Create(Func<ParseResult, CliContext> context) => [Smoke(context), Verify(context)];

    private static Command Smoke(Func<ParseResult, CliContext> context)
    {
        var url = new Option<string?>("--url") { Description = "the service's base URL (default: smoke.url)", HelpName = "URL" };
        var retries = new Option<int?>("--retries") { Description = "retries per check after the first attempt, 0–100 (default: smoke.retries, else 3)", HelpName = "N" };
        var timeout = new Option<double?>("--timeout") { Description = "seconds one request may take (default: smoke.timeout, else 10)", HelpName = "S" };
        var apiKey = new Option<string?>("--api-key") { Description = "the API key; visible in the process list: prefer SMOKE_API_KEY or smoke.api_key_secret", HelpName = "KEY" };
        var checks = new Option<string?>("--checks") { Description = "a YAML file listing the checks (default: smoke.checks, else GET /health and POST /api/enqueue)", HelpName = "FILE" };
        var smoke = new Command("smoke", "Smoke tests against the service (the playbook's smoke_test.sh): each check with status, latency and attempts") { url, retries, timeout, apiKey, checks };
        smoke.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            var settings = SmokeSettings(cli, parse.GetValue(url), parse.GetValue(retries), parse.GetValue(timeout), parse.GetValue(checks));
            var baseUrl = SmokeStep.ParseUrl(settings.Url, parse.GetValue(url) is null ? "smoke.url" : "--url");
            if (parse.GetValue(apiKey) is not null)
                cli.Log($"rewind: warning: --api-key is visible to anyone who can list processes: prefer {settings.ApiKeyEnv ?? PlaybookDefaults.SmokeApiKeyVariable} or smoke.api_key_secret");
            using var aws = settings.ApiKeySecret is not null && parse.GetValue(apiKey) is null ? cli.Aws() : null;
            var key = await SmokeStep.ResolveKeyAsync(settings, parse.GetValue(apiKey), aws?.SecretsManager, Environment.GetEnvironmentVariable, ct);

            var time = cli.Time;
            SmokeReport report;
            using (var log = SmokeLog.Create(cli.ConfigFolder, SmokeLog.TimestampName(time), time))
            using (var http = SmokeRunner.CreateHttpClient(baseUrl))
            {
                var results = await new SmokeRunner(http, SmokeOptions.From(settings), time)
                    .RunAsync(baseUrl, settings.Checks, key, log, line => cli.Log($"rewind: smoke: {line}"), ct);
                report = new SmokeReport(baseUrl.AbsoluteUri, results, log.Path);
            }
            await VerificationView.WriteAsync(cli, report, ct);
            if (report.Unreachable)
                throw new CliException($"{report.Url} cannot be reached ({report.Results[0].Error})", "check --url (or smoke.url) and that the load balancer accepts connections from here; the log is " + report.LogPath, FailureKind.Unavailable);
            if (!report.AllPassed)
            {
                var failed = report.Results.Where(r => !r.Ok).ToList();
                throw new CliException($"{failed.Count} of {report.Results.Count} smoke checks failed ({string.Join("; ", failed.Select(r => $"{r.Check}: {r.Error}"))})",
                    "see the log " + report.LogPath, FailureKind.VerificationFailed);
            }
            return ExitCodes.Ok;
        });
        return smoke;
    }

    private static Command Verify(Func<ParseResult, CliContext> context)
    {
        var to = new Option<string?>("--to") { Description = "the release rolled back to, whose own error rate is the baseline (default: the last known-good release)", HelpName = "REL" };
        var deadline = new Option<string?>("--deadline") { Description = "how long to wait for the rate to normalize, such as 5m; 0s reads once (default: verify.deadline, else 10m)", HelpName = "D" };
        var verify = new Command("verify", "Error rates normalized: the main target group's 5XX rate against the threshold and the target release's baseline; alarms OK") { to, deadline };
        verify.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            var settings = cli.Config.Verify
                ?? throw new CliException($"{cli.ConfigPath} has no verify section", "add verify.load_balancer and verify.target_group (CloudWatch dimensions), or verify.alarms");
            var wait = settings.Deadline;
            if (parse.GetValue(deadline) is { } text && !ConfigDuration.TryParse(text, out wait))
                throw new CliException($"--deadline '{text}' is not a duration", ConfigDuration.Hint);

            using var aws = cli.Aws();
            await using var ledger = await cli.OpenLedgerAsync(aws, ct);
            var releases = await ledger.Releases.ListReleasesAsync(cli.Config.Service.Name, 500, ct);
            var target = TargetRelease(cli, releases, parse.GetValue(to));
            var verifier = new ErrorRateVerifier(aws.CloudWatch, settings, cli.Time);
            await verifier.CheckInputsAsync(ct);
            var baseline = target is null
                ? new Baseline(null, null, null, $"none: no known-good release of {cli.Config.Service.Name} in the ledger (give --to REL)")
                : Baseline.Of(target, releases);
            var (percent, note) = await baseline.MeasureAsync(verifier, ct);
            cli.Log($"rewind: verify: baseline {(percent is { } p ? VerifyReading.Percent(p) + "%" : "none")}: {note}");
            var reading = await verifier.WaitAsync(percent, note, wait, VerifyStep.DefaultSchedule, line => cli.Log($"rewind: verify: {line}"), ct);
            await VerificationView.WriteAsync(cli, reading, ct);
            if (!reading.Normalized)
                throw new CliException($"error rates not normalized ({reading.Verdict}): {reading.Reason}",
                    $"waited {ConfigDuration.Format(wait)}; look at the service, or wait longer with --deadline", FailureKind.VerificationFailed);
            return ExitCodes.Ok;
        });
        return verify;
    }

    // Flags over the configuration over the playbook's defaults; a check file given on the command line is read strictly.
    private static SmokeSection SmokeSettings(CliContext cli, string? url, int? retries, double? timeout, string? checksFile)
    {
        var configured = cli.Config.Smoke;
        var chosenUrl = url ?? configured?.Url
            ?? throw new CliException("no URL to test", $"pass --url http://… or set smoke.url in {cli.ConfigPath}");
        if (retries is < 0 or > 100)
            throw new CliException($"--retries {retries} is outside 0–100", "give a whole number from 0 to 100");
        if (timeout is { } seconds && (seconds is < 0.05 or > 600 || double.IsNaN(seconds)))
            throw new CliException($"--timeout {seconds.ToString(CultureInfo.InvariantCulture)} is outside 0.05–600 seconds", "give the seconds one request may take, such as 10");
        var settings = configured ?? new SmokeSection(chosenUrl, null, null, PlaybookDefaults.SmokeRetries, PlaybookDefaults.SmokeTimeout);
        return settings with
        {
            Url = chosenUrl,
            Retries = retries ?? settings.Retries,
            Timeout = timeout is { } t ? TimeSpan.FromSeconds(t) : settings.Timeout,
            Checks = checksFile is null ? settings.Checks : SmokeCheckReader.Load(checksFile),
            ChecksFile = checksFile ?? settings.ChecksFile,
        };
    }

    private static Release? TargetRelease(CliContext cli, IReadOnlyList<Release> releases, string? pinned)
    {
        if (pinned is null)
            return releases.Where(r => r.Status == ReleaseStatus.KnownGood).MaxBy(r => r.RecordedAt);
        return releases.FirstOrDefault(r => r.Id == pinned) ?? releases.FirstOrDefault(r => r.Version == pinned)
            ?? throw new RewindException($"--to '{pinned}' is not a release of {cli.Config.Service.Name} in the ledger", "list releases with 'rewind history'", FailureKind.BadInput);
    }
}
