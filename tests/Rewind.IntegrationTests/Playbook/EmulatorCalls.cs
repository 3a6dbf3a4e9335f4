using System.Text.Json.Nodes;
using Rewind.IntegrationTests.Emulator;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>What the emulator counted since the last reset: every request by <c>service:Action</c>, and the mutating ones.</summary>
internal sealed record EmulatorCallCounts(
    int Total, int MutatingTotal, IReadOnlyDictionary<string, int> Calls, IReadOnlyDictionary<string, int> Mutating)
{
    /// <summary>How many times <paramref name="call"/> ("ecs:UpdateService") reached the emulator.</summary>
    public int Count(string call) => Calls.TryGetValue(call, out var count) ? count : 0;

    public override string ToString() => string.Join(", ", Calls.Select(c => $"{c.Key}={c.Value}"));
}

/// <summary>The call counter of <c>emulator/rewind_moto.py</c>: <c>GET /rewind-api/calls</c> and <c>POST /rewind-api/calls/reset</c>.</summary>
internal static class EmulatorCalls
{
    private static readonly HttpClient Http = MotoServer.CreateHttpClient();

    public static async Task<EmulatorCallCounts> ReadAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(endpoint, "rewind-api/calls"), cancellationToken);
        return await ParseAsync(response, cancellationToken);
    }

    /// <summary>Zeroes the counts; returns them as they were.</summary>
    public static async Task<EmulatorCallCounts> ResetAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsync(new Uri(endpoint, "rewind-api/calls/reset"), null, cancellationToken);
        return await ParseAsync(response, cancellationToken);
    }

    private static async Task<EmulatorCallCounts> ParseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        response.EnsureSuccessStatusCode();
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))
            ?? throw new InvalidOperationException("the emulator's call counter answered with an empty document");
        return new EmulatorCallCounts(
            document["total"]!.GetValue<int>(),
            document["mutatingTotal"]!.GetValue<int>(),
            Counts(document["calls"]),
            Counts(document["mutating"]));
    }

    private static Dictionary<string, int> Counts(JsonNode? node) =>
        node?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal)
        ?? new Dictionary<string, int>(StringComparer.Ordinal);
}
