using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary><c>rewind iam-policy</c>: the least-privilege policy of each role, built from rewind.yaml alone.</summary>
public sealed class IamPolicyCommandTests : IDisposable
{
    private const string Listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/claude-proxy/50dc6c495c0c9188/f2f7dc8efc522ab2";
    private const string Secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:claude-proxy/db-password-AbCdEf";
    private const string ApiKey = "arn:aws:secretsmanager:us-east-1:123456789012:secret:claude-proxy/api-key-GhIjKl";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-iam-");

    /// <summary>The demo's shape: a weighted listener, one rotated secret, a distribution, smoke with a key secret, verify, SQLite.</summary>
    private string Demo() => Write($"""
        aws:
          region: us-east-1
        service:
          cluster: claude-proxy
          ecs_service: api-service
          family: claude-proxy-api
        canary:
          listener_arn: {Listener}
          main_target_group: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/main/73e2d6bc24d8a067
          canary_target_group: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/canary/4e2d6bc24d8a0673
        secrets:
          - id: {Secret}
        cdn:
          distribution_id: E2DEMO1234
        smoke:
          url: http://127.0.0.1:9
          api_key_secret: {ApiKey}
        verify:
          load_balancer: app/claude-proxy/50dc6c495c0c9188
          target_group: targetgroup/main/73e2d6bc24d8a067
        ledger:
          path: {Path.Combine(_folder.FullName, "ledger.db")}
        """);

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_run_policy_of_the_demo_config_is_exactly_these_statements()
    {
        var result = await RunAsync(["iam-policy", "--config", Demo()]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        var policy = JsonNode.Parse(result.Stdout)!.AsObject();
        Assert.Equal("2012-10-17", (string?)policy["Version"]);
        Assert.Equal(
            [
                ("NoResourceLevelPermissions", "ecs:DescribeTaskDefinition ecs:ListTaskDefinitions elasticloadbalancing:DescribeListeners elasticloadbalancing:DescribeRules elasticloadbalancing:DescribeTargetGroups elasticloadbalancing:DescribeTargetHealth cloudwatch:GetMetricData cloudwatch:ListMetrics cloudwatch:DescribeAlarms", "*"),
                ("EcsService", "ecs:DescribeServices ecs:ListServiceDeployments ecs:UpdateService", "arn:aws:ecs:us-east-1:123456789012:service/claude-proxy/api-service"),
                ("EcsServiceDeployments", "ecs:DescribeServiceDeployments ecs:StopServiceDeployment ecs:ContinueServiceDeployment", "arn:aws:ecs:us-east-1:123456789012:service-deployment/claude-proxy/api-service/*"),
                ("EcsServiceRevisions", "ecs:DescribeServiceRevisions", "arn:aws:ecs:us-east-1:123456789012:service-revision/claude-proxy/api-service/*"),
                ("CanaryListener", "elasticloadbalancing:ModifyListener", Listener),
                ("RotatedSecrets", "secretsmanager:ListSecretVersionIds secretsmanager:UpdateSecretVersionStage", Secret),
                ("KnownSecrets", "secretsmanager:DescribeSecret", $"{Secret} {ApiKey}"),
                ("ApiKeySecret", "secretsmanager:GetSecretValue", ApiKey),
                ("Distribution", "cloudfront:GetDistribution cloudfront:GetInvalidation cloudfront:CreateInvalidation", "arn:aws:cloudfront::123456789012:distribution/E2DEMO1234"),
                ("FreezeParameter", "ssm:GetParameter ssm:PutParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/rewind/claude-proxy-api/freeze"),
            ],
            Statements(policy));
        Assert.All(policy["Statement"]!.AsArray(), s => Assert.Equal("Allow", (string?)s!["Effect"]));
    }

    [Fact]
    public async Task Output_json_prints_the_same_document()
    {
        var config = Demo();

        var text = await RunAsync(["iam-policy", "--config", config]);
        var json = await RunAsync(["iam-policy", "--config", config, "--output", "json", "--for", "run"]);

        Assert.Equal(text.Stdout, json.Stdout);
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("record")]
    [InlineData("pipeline")]
    public async Task The_smaller_roles_grant_fewer_actions_than_run_and_plan_grants_no_change(string role)
    {
        var config = Demo();
        var run = Actions(JsonNode.Parse((await RunAsync(["iam-policy", "--config", config])).Stdout)!.AsObject());
        var result = await RunAsync(["iam-policy", "--config", config, "--for", role]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var actions = Actions(JsonNode.Parse(result.Stdout)!.AsObject());
        Assert.NotEmpty(actions);
        Assert.True(actions.Count < run.Count, $"{role}: {actions.Count} actions, run {run.Count}");
        var doctorOnly = new[] { "ssm:DescribeParameters", "dynamodb:ListTables" };
        Assert.All(actions.Where(a => !doctorOnly.Contains(a)), a => Assert.Contains(a, run));
        Assert.DoesNotContain("ecs:UpdateService", actions);
        Assert.DoesNotContain("elasticloadbalancing:ModifyListener", actions);
        Assert.DoesNotContain("ssm:PutParameter", actions);
        Assert.DoesNotContain("secretsmanager:GetSecretValue", actions);
        Assert.Contains("ssm:GetParameter", actions);
        Assert.Contains("ecs:DescribeServices", actions);
    }

    [Fact]
    public async Task Record_reads_the_running_release_and_the_freeze_and_writes_only_the_ledger()
    {
        var path = Write($"""
            aws:
              region: eu-west-1
              role_arn: arn:aws:iam::210987654321:role/rewind-pipeline
            service:
              cluster: arn:aws:ecs:eu-west-1:210987654321:cluster/prod
              ecs_service: api
            secrets:
              - id: prod/db-password
            ledger:
              backend: dynamodb
              table: rewind-ledger
            """);

        var record = JsonNode.Parse((await RunAsync(["iam-policy", "--config", path, "--for", "record"])).Stdout)!.AsObject();

        Assert.Equal(
            [
                ("NoResourceLevelPermissions", "elasticloadbalancing:DescribeListeners elasticloadbalancing:DescribeRules", "*"),
                ("LedgerTable", "dynamodb:DescribeTable dynamodb:GetItem dynamodb:Query dynamodb:BatchGetItem dynamodb:PutItem dynamodb:UpdateItem dynamodb:DeleteItem dynamodb:ConditionCheckItem", "arn:aws:dynamodb:eu-west-1:210987654321:table/rewind-ledger"),
                ("EcsService", "ecs:DescribeServices", "arn:aws:ecs:eu-west-1:210987654321:service/prod/api"),
                ("RotatedSecrets", "secretsmanager:ListSecretVersionIds", "arn:aws:secretsmanager:eu-west-1:210987654321:secret:prod/db-password-??????"),
                ("FreezeParameter", "ssm:GetParameter", "arn:aws:ssm:eu-west-1:210987654321:parameter/rewind/claude-proxy-api/freeze"),
                ("AssumedRole", "sts:AssumeRole", "arn:aws:iam::210987654321:role/rewind-pipeline"),
            ],
            Statements(record));
    }

    [Fact]
    public async Task A_CodeDeploy_service_gets_its_application_and_group_and_without_an_account_the_ARNs_say_star()
    {
        var path = Write("""
            service:
              cluster: prod
              ecs_service: api
              codedeploy_application: AppECS-prod-api
              codedeploy_group: DgpECS-prod-api
            """);

        var run = JsonNode.Parse((await RunAsync(["iam-policy", "--config", path, "--region", "eu-west-1"])).Stdout)!.AsObject();
        var statements = Statements(run);

        Assert.Contains(("CodeDeployGroup", "codedeploy:BatchGetDeploymentGroups codedeploy:GetDeploymentGroup codedeploy:ListDeployments codedeploy:GetDeployment codedeploy:StopDeployment codedeploy:CreateDeployment", "arn:aws:codedeploy:eu-west-1:*:deploymentgroup:AppECS-prod-api/DgpECS-prod-api"), statements);
        Assert.Contains(("CodeDeployApplication", "codedeploy:ListDeploymentGroups codedeploy:RegisterApplicationRevision codedeploy:GetApplicationRevision", "arn:aws:codedeploy:eu-west-1:*:application:AppECS-prod-api"), statements);
        Assert.Contains(("EcsService", "ecs:DescribeServices ecs:ListServiceDeployments ecs:UpdateService", "arn:aws:ecs:eu-west-1:*:service/prod/api"), statements);
        var withAccount = Statements(JsonNode.Parse((await RunAsync(["iam-policy", "--config", path, "--region", "eu-west-1", "--account", "123456789012"])).Stdout)!.AsObject());
        Assert.Contains(("EcsService", "ecs:DescribeServices ecs:ListServiceDeployments ecs:UpdateService", "arn:aws:ecs:eu-west-1:123456789012:service/prod/api"), withAccount);
    }

    [Fact]
    public async Task Several_services_get_one_statement_set_each_and_service_picks_one()
    {
        var path = Write("""
            aws:
              region: eu-west-1
            services:
              - name: claude-proxy-api
                ecs_service: api-service
              - name: claude-proxy-worker
                ecs_service: worker-service
                family: claude-proxy-worker
                region: us-east-1
            """);

        var both = Statements(JsonNode.Parse((await RunAsync(["iam-policy", "--config", path])).Stdout)!.AsObject());
        var one = Statements(JsonNode.Parse((await RunAsync(["iam-policy", "--config", path, "--service", "claude-proxy-worker"])).Stdout)!.AsObject());

        Assert.Contains(("ClaudeProxyApiEcsService", "ecs:DescribeServices ecs:ListServiceDeployments ecs:UpdateService", "arn:aws:ecs:eu-west-1:*:service/claude-proxy/api-service"), both);
        Assert.Contains(("ClaudeProxyWorkerEcsService", "ecs:DescribeServices ecs:ListServiceDeployments ecs:UpdateService", "arn:aws:ecs:us-east-1:*:service/claude-proxy/worker-service"), both);
        Assert.Contains(("ClaudeProxyWorkerFreezeParameter", "ssm:GetParameter ssm:PutParameter", "arn:aws:ssm:us-east-1:*:parameter/rewind/claude-proxy-worker/freeze"), both);
        Assert.Equal(both.Select(s => s.Sid).Distinct().Count(), both.Count);
        Assert.Contains(("EcsService", "ecs:DescribeServices ecs:ListServiceDeployments ecs:UpdateService", "arn:aws:ecs:us-east-1:*:service/claude-proxy/worker-service"), one);
        Assert.DoesNotContain(one, s => s.Resources.Contains("api-service", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--for", "admin", "Argument 'admin' not recognized")]
    [InlineData("--account", "12345", "--account '12345' is not an AWS account id")]
    public async Task A_bad_value_is_one_line_and_exit_2(string option, string value, string expected)
    {
        var result = await RunAsync(["iam-policy", "--config", Demo(), option, value]);

        Assert.True(result.ExitCode == ExitCodes.BadInput, $"exit {result.ExitCode}\n{result.Stderr}");
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    private static List<(string Sid, string Actions, string Resources)> Statements(JsonObject policy) =>
        [.. policy["Statement"]!.AsArray().Select(s => (
            (string)s!["Sid"]!,
            string.Join(' ', s["Action"]!.AsArray().Select(a => (string)a!)),
            string.Join(' ', s["Resource"]!.AsArray().Select(r => (string)r!))))];

    private static HashSet<string> Actions(JsonObject policy) =>
        [.. policy["Statement"]!.AsArray().SelectMany(s => s!["Action"]!.AsArray().Select(a => (string)a!))];

    private string Write(string yaml)
    {
        var path = Path.Combine(_folder.FullName, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static AwsClients NoAws(AwsSettings settings) => throw new InvalidOperationException("iam-policy makes no AWS call");

    private static Task<CliResult> RunAsync(string[] args) => CliRunner.RunAsync(args, NoAws, TestContext.Current.CancellationToken);
}
