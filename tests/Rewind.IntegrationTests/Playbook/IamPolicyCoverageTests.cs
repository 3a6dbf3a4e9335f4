using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Iam;
using Rewind.Cli;
using Rewind.Cli.Demo;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// <c>rewind iam-policy</c> against what the commands really call: on the demo world, every call the emulator counts
/// during <c>rewind plan</c> is granted by <c>--for plan</c>'s policy, every call of <c>rewind run --live</c> by
/// <c>--for run</c>'s, every call of <c>record</c> by <c>--for record</c>'s, of plan, record and <c>freeze check</c> by
/// <c>--for pipeline</c>'s, and the plan policy grants none of the run's changes. (moto 5.2.1 authorises every non-S3 call
/// against the resource "*", so it cannot evaluate the policies' ARNs; the ARNs are checked by the unit tests.)
/// </summary>
public sealed class IamPolicyCoverageTests
{
    [Fact]
    public async Task Every_call_of_plan_and_of_run_live_on_the_demo_world_is_granted_by_its_roles_policy()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("rewind-iam-coverage-").FullName;
        await using var emulator = await LocalEmulator.StartAsync(1, Path.Combine(folder, "emulator.log"), ct);
        var seeded = await RunAsync(emulator.Endpoint, ["demo", "--seed-only", "--dir", folder, "--endpoint-url", emulator.Endpoint.ToString()], ct);
        Assert.True(seeded.Code == 0, seeded.Output);
        var config = Path.Combine(folder, "rewind.yaml");
        var planPolicy = await PolicyAsync(emulator.Endpoint, config, "plan", ct);
        var runPolicy = await PolicyAsync(emulator.Endpoint, config, "run", ct);

        await EmulatorCalls.ResetAsync(emulator.Endpoint, ct);
        var plan = await RunAsync(emulator.Endpoint, ["plan", "--config", config], ct);
        Assert.True(plan.Code == 0, plan.Output);
        var planCalls = await EmulatorCalls.ResetAsync(emulator.Endpoint, ct);
        var run = await RunAsync(emulator.Endpoint, ["run", "--live", "--yes", "--config", config], ct);
        Assert.True(run.Code == 0, run.Output);
        var runCalls = await EmulatorCalls.ResetAsync(emulator.Endpoint, ct);
        var record = await RunAsync(emulator.Endpoint, ["record", "--version", "v9", "--override-freeze", "--reason", "iam test", "--config", config], ct);
        Assert.True(record.Code == 0, record.Output);
        var recordCalls = await EmulatorCalls.ResetAsync(emulator.Endpoint, ct);
        var check = await RunAsync(emulator.Endpoint, ["freeze", "check", "--config", config], ct);
        Assert.True(check.Code is 0 or 3, check.Output);
        var checkCalls = await EmulatorCalls.ReadAsync(emulator.Endpoint, ct);

        Assert.Contains("ecs:DescribeServices", planCalls.Calls.Keys);
        Assert.Equal(0, planCalls.MutatingTotal);
        AssertGranted(planCalls, planPolicy, IamRole.Plan);
        Assert.Contains("ecs:UpdateService", runCalls.Mutating.Keys);
        AssertGranted(runCalls, runPolicy, IamRole.Run);
        Assert.Contains("secretsmanager:ListSecretVersionIds", recordCalls.Calls.Keys);
        AssertGranted(recordCalls, await PolicyAsync(emulator.Endpoint, config, "record", ct), IamRole.Record);
        var pipelinePolicy = await PolicyAsync(emulator.Endpoint, config, "pipeline", ct);
        Assert.Contains("ssm:GetParameter", checkCalls.Calls.Keys);
        foreach (var calls in new[] { planCalls, recordCalls, checkCalls })
            AssertGranted(calls, pipelinePolicy, IamRole.Pipeline);
        Assert.All(runCalls.Mutating.Keys.Select(Operation).Where(op => !op.StartsWith("dynamodb:", StringComparison.Ordinal)), op =>
            Assert.All(IamActions.For(op), a => Assert.DoesNotContain(a.Action, planPolicy)));
    }

    /// <summary>Each counted call is in the catalogue, and each IAM action the role needs for it is in the policy.</summary>
    private static void AssertGranted(EmulatorCallCounts calls, IReadOnlySet<string> policy, IamRole role)
    {
        foreach (var call in calls.Calls.Keys.Select(Operation))
        {
            var entries = IamActions.For(call);
            Assert.True(entries.Count > 0, $"{call} was called but is not in IamActions.All");
            if (entries.Any(e => e.Resource == IamResource.NoPermission))
                continue;
            var needed = entries.Where(e => e.Roles.HasFlag(role) && e.Resource is not (IamResource.DoctorProbeSecret or IamResource.DoctorProbeDistribution)).ToList();
            Assert.True(needed.Count > 0, $"{call} was called by the {role} role's command but IamActions gives that role none of its actions");
            Assert.All(needed, e => Assert.True(policy.Contains(e.Action), $"{call} was called but the {role} policy lacks {e.Action}"));
        }
    }

    /// <summary>The emulator counts CloudWatch by its IAM prefix; the catalogue keys operations by signing name.</summary>
    private static string Operation(string call) => call.StartsWith("cloudwatch:", StringComparison.Ordinal) ? "monitoring:" + call["cloudwatch:".Length..] : call;

    private static async Task<IReadOnlySet<string>> PolicyAsync(Uri endpoint, string config, string role, CancellationToken ct)
    {
        var result = await RunAsync(endpoint, ["iam-policy", "--config", config, "--for", role], ct);
        Assert.True(result.Code == 0, result.Output);
        return JsonNode.Parse(result.Stdout)!["Statement"]!.AsArray()
            .SelectMany(s => s!["Action"]!.AsArray().Select(a => (string)a!))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Output)> RunAsync(Uri endpoint, string[] args, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, ct, _ => new AwsClients(ClientFactory.Session(endpoint, "AKIAIOSFODNN7EXAMPLE", "secret")));
        return (code, stdout.ToString(), $"exit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    }
}
