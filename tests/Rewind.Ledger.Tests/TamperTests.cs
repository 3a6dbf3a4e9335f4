using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Sqlite;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>Rows changed behind the ledger's back are named by verification: the run, the entry and why.</summary>
public sealed class SqliteTamperTests : IAsyncLifetime
{
    private const string RunId = "run-20261127-091500-ab12";
    private readonly TempDirectory _directory = new();
    private string _path = string.Empty;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _path = _directory.File("ledger.db");
        await using var ledger = await SqliteLedger.OpenAsync(_path, Samples.Clock(), Ct);
        await ledger.Runs.CreateRunAsync(Samples.Run(RunId, Samples.Start), Ct);
        for (var i = 1; i <= 12; i++)
        {
            await ledger.Runs.AppendJournalAsync(RunId, "ecs", JournalKind.CallSent, $$"""{"attempt":{{i}}}""", Ct);
        }
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<ChainVerification> VerifyAsync()
    {
        await using var ledger = await SqliteLedger.OpenAsync(_path, Ct);
        return await LedgerVerifier.VerifyAsync(ledger, null, Ct);
    }

    [Fact]
    public async Task The_untouched_journal_verifies()
    {
        var result = await VerifyAsync();

        Assert.True(result.IsIntact);
        Assert.Equal(12, result.EntriesChecked);
    }

    [Fact]
    public async Task An_edited_detail_is_named_as_a_hash_mismatch_at_that_entry()
    {
        Assert.Equal(1, SqliteFiles.Execute(_path, $"UPDATE journal SET detail = '{{\"attempt\":99}}' WHERE run_id = '{RunId}' AND seq = 7;"));

        var broken = (await VerifyAsync()).FirstBreak;

        Assert.NotNull(broken);
        Assert.Equal((RunId, 7L, ChainBreakReason.HashMismatch), (broken.RunId, broken.Seq, broken.Reason));
        Assert.StartsWith($"run {RunId} entry 7: HashMismatch", broken.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("time = '2026-11-27T09:14:00.0000000Z'")]
    [InlineData("time = 'yesterday'")]
    [InlineData("step = 'canary'")]
    [InlineData("kind = 'skipped'")]
    [InlineData("kind = 'no-such-kind'")]
    public async Task Any_edited_field_is_named_at_that_entry(string assignment)
    {
        SqliteFiles.Execute(_path, $"UPDATE journal SET {assignment} WHERE run_id = '{RunId}' AND seq = 4;");

        var broken = (await VerifyAsync()).FirstBreak;

        Assert.Equal(4, broken?.Seq);
        Assert.Equal(ChainBreakReason.HashMismatch, broken?.Reason);
    }

    [Fact]
    public async Task A_forged_entry_with_a_recomputed_hash_breaks_the_chain_at_the_next_entry()
    {
        await using (var ledger = await SqliteLedger.OpenAsync(_path, Ct))
        {
            var entry = (await ledger.Runs.ReadJournalAsync(RunId, Ct))[6] with { Detail = """{"attempt":99}""" };
            SqliteFiles.Execute(
                _path,
                $"UPDATE journal SET detail = '{entry.Detail}', hash = '{JournalChain.ComputeHash(entry)}' WHERE run_id = '{RunId}' AND seq = 7;");
        }

        var broken = (await VerifyAsync()).FirstBreak;

        Assert.Equal(8, broken?.Seq);
        Assert.Equal(ChainBreakReason.PrevHashMismatch, broken?.Reason);
    }

    [Fact]
    public async Task A_deleted_entry_is_named_as_a_gap()
    {
        SqliteFiles.Execute(_path, $"DELETE FROM journal WHERE run_id = '{RunId}' AND seq = 5;");

        var broken = (await VerifyAsync()).FirstBreak;

        Assert.Equal(5, broken?.Seq);
        Assert.Equal(ChainBreakReason.Gap, broken?.Reason);
    }

    [Fact]
    public async Task Deleted_last_entries_are_named_as_truncation()
    {
        SqliteFiles.Execute(_path, $"DELETE FROM journal WHERE run_id = '{RunId}' AND seq >= 11;");

        var broken = (await VerifyAsync()).FirstBreak;

        Assert.Equal(11, broken?.Seq);
        Assert.Equal(ChainBreakReason.Truncated, broken?.Reason);
    }
}

/// <summary>The same tamper evidence on DynamoDB: an item rewritten directly is named by verification.</summary>
public sealed class DynamoDbTamperTests(DynamoEmulator emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_item_rewritten_directly_is_named_as_a_hash_mismatch_at_that_entry()
    {
        var table = await emulator.CreateLedgerTableAsync("tamper", Ct);
        using var client = emulator.CreateClient();
        var ledger = new DynamoDbLedger(client, table, Samples.Clock());
        await ledger.Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
        for (var i = 1; i <= 9; i++)
        {
            await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSent, $$"""{"attempt":{{i}}}""", Ct);
        }

        var intact = await LedgerVerifier.VerifyAsync(ledger, "run-1", Ct);
        await client.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = table,
                Key = new() { ["pk"] = new AttributeValue { S = "RUN#run-1" }, ["sk"] = new AttributeValue { S = "J#000000000006" } },
                UpdateExpression = "SET detail = :forged",
                ExpressionAttributeValues = new() { [":forged"] = new AttributeValue { S = """{"attempt":99}""" } },
            },
            Ct);
        var tampered = await LedgerVerifier.VerifyAsync(ledger, "run-1", Ct);

        Assert.True(intact.IsIntact);
        Assert.Equal(6, tampered.FirstBreak?.Seq);
        Assert.Equal(ChainBreakReason.HashMismatch, tampered.FirstBreak?.Reason);
    }
}
