using Amazon.DynamoDBv2;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>The ledger contract against a fresh table per test on moto_server.</summary>
public sealed class DynamoDbLedgerContractTests(DynamoEmulator emulator) : LedgerContract
{
    private readonly List<AmazonDynamoDBClient> _clients = [];
    private string? _table;

    protected override async Task<ILedger> OpenStoreAsync(TimeProvider time)
    {
        _table ??= await emulator.CreateLedgerTableAsync("contract", Ct);

        // A client per ledger, as separate processes would have.
        var client = emulator.CreateClient();
        _clients.Add(client);
        return await DynamoDbLedger.OpenAsync(client, _table, time, Ct);
    }

    [Fact]
    public async Task An_incident_changed_between_the_read_and_the_write_is_read_again_and_both_changes_are_kept()
    {
        var ledger = await OpenAsync();
        var other = await OpenAsync();
        var incident = await ledger.Incidents.OpenIncidentAsync(new IncidentDraft("5XX after v1.42", "SEV2", "alice", TimeSpan.FromHours(48)), Ct);
        var calls = 0;

        var stored = await ledger.Incidents.UpdateIncidentAsync(incident.Id, RecordRootCause, Ct);

        Incident RecordRootCause(Incident current)
        {
            // The first time, another writer assigns the incident after this read: the write must not undo that.
            if (calls++ == 0)
                other.Incidents.UpdateIncidentAsync(incident.Id, i => i with { Owner = "bob" }, Ct).GetAwaiter().GetResult();
            return current with { RootCause = "connection pool exhausted" };
        }

        Assert.Equal(2, calls);
        Assert.Equal(incident with { Owner = "bob", RootCause = "connection pool exhausted" }, stored);
        Assert.Equal(stored, await (await OpenAsync()).Incidents.GetIncidentAsync(incident.Id, Ct));
    }

    [Fact]
    public async Task A_lease_item_written_without_a_generation_counts_as_generation_0_and_its_run_keeps_writing_until_taken_over()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
        await ledger.Leases.TryAcquireAsync(Samples.Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        // What an older build stored: the same item without the generation attribute.
        await _clients[0].UpdateItemAsync(
            new Amazon.DynamoDBv2.Model.UpdateItemRequest
            {
                TableName = _table,
                Key = new() { ["pk"] = new() { S = $"LEASE#{Samples.Service}" }, ["sk"] = new() { S = "LEASE" } },
                UpdateExpression = "REMOVE generation",
            },
            Ct);

        var held = await ledger.Leases.GetLeaseAsync(Samples.Service, Ct);
        await ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Started, "{}", held!.Fence, Ct);
        var takeover = await ledger.Leases.TakeOverAsync(Samples.Service, "bob", "ci-7", TimeSpan.FromMinutes(2), Ct);

        Assert.Equal(0, held.Generation);
        Assert.Equal(1, takeover.Lease.Generation);
        await Assert.ThrowsAsync<LeaseLostException>(
            () => ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Completed, "{}", held.Fence, Ct));
        Assert.Single(await ledger.Runs.ReadJournalAsync("run-1", Ct));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
