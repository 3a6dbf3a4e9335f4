using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Tests.Infrastructure;

/// <summary>Test data that reads like the product's: claude-proxy-api releases and runs.</summary>
public static class Samples
{
    public const string Service = "claude-proxy-api";

    public static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 15, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Start);

    public static Release Release(string id, DateTimeOffset recordedAt, string service = Service, int revision = 42) => new(
        id,
        service,
        $"v1.{revision}.0",
        recordedAt,
        new Dictionary<string, string>
        {
            ["api-service"] = $"arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:{revision}",
        },
        new CanaryWeights(90, 10),
        new Dictionary<string, string> { ["claude-proxy/api-key"] = $"v-{revision}-0d9f" },
        "9f2c1e7",
        "E2QWRUHAPOMQZL",
        ReleaseStatus.Deployed);

    public static Run Run(string id, DateTimeOffset startedAt, string service = Service) =>
        new(id, service, startedAt, RunStatus.Running, "rel-20261126-180000-aaaa", """{"steps":["canary","ecs"]}""");
}
