using System.Text.Json.Nodes;
using Rewind.Aws.Ecs;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Ecs;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// The third source of a rollback target, ECS's deployment history, with real AWS answers (moto has neither
/// ListServiceDeployments nor DescribeServiceRevisions): the newest SUCCESSFUL deployment of another ACTIVE revision
/// that is not a release rolled back from; and on the emulator, the fallback says why and costs one unretried call.
/// </summary>
[Collection("rollout-emulator")]
public sealed class TargetFromHistoryTests(RolloutEmulatorFixture emulator)
{
    private const string Account = "arn:aws:ecs:us-east-1:123456789012";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_newest_successful_deployment_of_another_active_revision_not_rolled_back_from_is_the_target()
    {
        var answers = new CannedAnswers()
            .Json(Service(running: 7))
            .Json($$"""
                {"serviceDeployments":[
                  {"serviceDeploymentArn":"{{Account}}:service-deployment/prod/api/d7","status":"SUCCESSFUL","finishedAt":1740900000,"targetServiceRevisionArn":"{{Account}}:service-revision/prod/api/r7"},
                  {"serviceDeploymentArn":"{{Account}}:service-deployment/prod/api/d6","status":"ROLLBACK_SUCCESSFUL","finishedAt":1740800000,"targetServiceRevisionArn":"{{Account}}:service-revision/prod/api/r6"},
                  {"serviceDeploymentArn":"{{Account}}:service-deployment/prod/api/d5","status":"SUCCESSFUL","finishedAt":1740700000,"targetServiceRevisionArn":"{{Account}}:service-revision/prod/api/r5"},
                  {"serviceDeploymentArn":"{{Account}}:service-deployment/prod/api/d4","status":"SUCCESSFUL","finishedAt":1740600000,"targetServiceRevisionArn":"{{Account}}:service-revision/prod/api/r4"},
                  {"serviceDeploymentArn":"{{Account}}:service-deployment/prod/api/d3","status":"SUCCESSFUL","finishedAt":1740500000,"targetServiceRevisionArn":"{{Account}}:service-revision/prod/api/r3"}]}
                """)
            .Json($$"""
                {"serviceRevisions":[
                  {"serviceRevisionArn":"{{Account}}:service-revision/prod/api/r7","taskDefinition":"{{Account}}:task-definition/api:7"},
                  {"serviceRevisionArn":"{{Account}}:service-revision/prod/api/r5","taskDefinition":"{{Account}}:task-definition/api:5"},
                  {"serviceRevisionArn":"{{Account}}:service-revision/prod/api/r4","taskDefinition":"{{Account}}:task-definition/api:4"},
                  {"serviceRevisionArn":"{{Account}}:service-revision/prod/api/r3","taskDefinition":"{{Account}}:task-definition/api:3"}]}
                """)
            .Json(TaskDefinition(4, "INACTIVE"))
            .Json(TaskDefinition(3, "ACTIVE"));
        await using var ledger = await TemporaryLedgerAsync();
        // Revision 5 was released and rolled back from: never a target again unless pinned.
        await ledger.Releases.RecordReleaseAsync(new Release(
            "rel-5", "api", "1.5.0", DateTimeOffset.UtcNow.AddDays(-1), new Dictionary<string, string> { ["api"] = $"{Account}:task-definition/api:5" },
            null, new Dictionary<string, string>(), null, null, ReleaseStatus.RolledBack), Ct);
        var selector = new RollbackTargetSelector(new EcsClient(ClientFactory.Transport(answers)), ledger.Releases, new EcsSettings("prod", "api", "api", TimeSpan.FromMinutes(10)));

        var target = await selector.SelectAsync("api", null, Ct);

        Assert.Equal(("revision", "api:3", $"{Account}:task-definition/api:3"), (target.Kind, target.Label, target.TaskDefinitionArn));
        Assert.Contains("last successful ECS deployment of another revision", target.Reason, StringComparison.Ordinal);
        Assert.Contains("service-deployment/prod/api/d3", target.Reason, StringComparison.Ordinal);
        Assert.Equal(
            ["AmazonEC2ContainerServiceV20141113.DescribeServices", "AmazonEC2ContainerServiceV20141113.ListServiceDeployments",
             "AmazonEC2ContainerServiceV20141113.DescribeServiceRevisions", "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
             "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition"],
            answers.Sent.Select(s => s.Target));
        Assert.Equal(4, JsonNode.Parse(answers.Sent[2].Body)!["serviceRevisionArns"]!.AsArray().Count);
    }

    [Fact]
    public async Task On_the_emulator_a_history_of_the_running_revision_alone_falls_back_and_says_so()
    {
        // The demo world's service was created on the bad revision: its one SUCCESSFUL service deployment runs :4, so
        // the history has no other revision to offer and the fallback names that reason (not "not supported").
        await using var world = await PlaybookHarness.SeedAsync(emulator, "hist", Ct);
        await world.ResetCallsAsync(Ct);

        var target = await world.SelectAsync(null, Ct);

        Assert.Contains("next lower ACTIVE revision", target.Reason, StringComparison.Ordinal);
        Assert.Contains("no other ACTIVE revision in ECS's deployment history", target.Reason, StringComparison.Ordinal);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:ListServiceDeployments"));
        Assert.Equal(1, calls.Count("ecs:DescribeServiceRevisions"));
    }

    private static string Service(int running) => $$$"""
        {"services":[{"serviceName":"api","serviceArn":"{{{Account}}}:service/prod/api","status":"ACTIVE","desiredCount":2,"runningCount":2,
          "taskDefinition":"{{{Account}}}:task-definition/api:{{{running}}}",
          "deployments":[{"id":"ecs-svc/1","status":"PRIMARY","taskDefinition":"{{{Account}}}:task-definition/api:{{{running}}}","desiredCount":2,"runningCount":2,"pendingCount":0,"rolloutState":"COMPLETED"}],
          "events":[]}],"failures":[]}
        """;

    private static string TaskDefinition(int revision, string status) => $$$"""
        {"taskDefinition":{"taskDefinitionArn":"{{{Account}}}:task-definition/api:{{{revision}}}","family":"api","revision":{{{revision}}},"status":"{{{status}}}","containerDefinitions":[]}}
        """;

    private static async Task<SqliteLedger> TemporaryLedgerAsync() =>
        await SqliteLedger.OpenAsync(Path.Combine(Directory.CreateTempSubdirectory("rewind-history-").FullName, "ledger.db"), Ct);
}
