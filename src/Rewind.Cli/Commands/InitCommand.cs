using System.CommandLine;
using Rewind.Core.Configuration;
using Rewind.Core.Files;

namespace Rewind.Cli.Commands;

/// <summary><c>rewind init</c>: writes a commented rewind.yaml from flags, so scripts and pipelines need no prompts.</summary>
public static class InitCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        Option<string?> Text(string name, string description) => new(name) { Description = description, HelpName = "VALUE" };
        var cluster = Text("--cluster", "ECS cluster (default: CLUSTER_NAME, else claude-proxy)");
        var service = Text("--service", "ECS service (default: SERVICE_NAME_API, else api-service)");
        var family = Text("--family", "task definition family (default: TASK_FAMILY, else claude-proxy-api)");
        var listener = Text("--listener-arn", "ALB listener whose default action splits main/canary");
        var rule = Text("--rule-arn", "or the listener rule that splits main/canary");
        var main = Text("--main-target-group", "ARN of the main target group");
        var canary = Text("--canary-target-group", "ARN of the canary target group");
        var secret = new Option<string[]>("--secret-id") { Description = "a Secrets Manager secret the release rotates (repeatable)", HelpName = "ID" };
        var distribution = Text("--distribution-id", "CloudFront distribution to invalidate after a rollback");
        var smoke = Text("--smoke-url", "base URL of the service for smoke tests");
        var endpoint = Text("--aws-endpoint-url", "endpoint written into the file's aws section (an emulator)");
        var region = Text("--aws-region", "region written into the file's aws section");
        var force = new Option<bool>("--force") { Description = "overwrite an existing file" };
        var init = new Command("init", "Write rewind.yaml for a service from flags (then run 'rewind doctor')")
        {
            cluster, service, family, listener, rule, main, canary, secret, distribution, smoke, endpoint, region, force,
        };
        init.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            var path = cli.ConfigPath;
            if (File.Exists(path) && !parse.GetValue(force))
                throw new CliException($"{path} exists", "pass --force to overwrite it, or --config PATH to write elsewhere");
            var defaults = RewindConfigLoader.Parse("", "(defaults)", Environment.GetEnvironmentVariable);
            var serviceSection = defaults.Service with
            {
                Cluster = parse.GetValue(cluster) ?? defaults.Service.Cluster,
                EcsService = parse.GetValue(service) ?? defaults.Service.EcsService,
                Family = parse.GetValue(family) ?? defaults.Service.Family,
            };
            serviceSection = serviceSection with { Name = parse.GetValue(family) ?? defaults.Service.Name };
            CanarySection? canarySection = parse.GetValue(listener) is null && parse.GetValue(rule) is null ? null
                : new CanarySection(parse.GetValue(listener), parse.GetValue(rule),
                    parse.GetValue(main) ?? throw new CliException("--listener-arn/--rule-arn needs --main-target-group", "pass both target group ARNs"),
                    parse.GetValue(canary) ?? throw new CliException("--listener-arn/--rule-arn needs --canary-target-group", "pass both target group ARNs"));
            var config = defaults with
            {
                Service = serviceSection,
                Aws = new AwsSection(null, parse.GetValue(region), parse.GetValue(endpoint)),
                Canary = canarySection,
                Secrets = ValueList.Of((parse.GetValue(secret) ?? []).Select(id => new SecretEntry(id)).ToArray()),
                Cdn = parse.GetValue(distribution) is { } id ? new CdnSection(id, CdnSection.DefaultPaths) : null,
                Smoke = parse.GetValue(smoke) is { } url ? new SmokeSection(url, "SMOKE_API_KEY", null, 3, TimeSpan.FromSeconds(10)) : null,
            };
            var yaml = RewindConfigWriter.Write(config);
            // Validate through the same parser every command uses: what init writes always loads.
            RewindConfigLoader.Parse(yaml, path, Environment.GetEnvironmentVariable);
            await PrivateFiles.WriteAllTextAsync(path, yaml, ct);
            cli.Log($"rewind: wrote {path}; next: 'rewind doctor' checks AWS access, 'rewind plan' shows the rollback");
            return ExitCodes.Ok;
        });
        return init;
    }
}
