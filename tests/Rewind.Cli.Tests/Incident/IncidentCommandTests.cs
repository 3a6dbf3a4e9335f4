using System.Text.Json;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests.Incident;

/// <summary><c>rewind incident …</c> end to end in-process: exit codes, one-line errors, nothing sent or stored on bad input.</summary>
public sealed class IncidentCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-incident-cli-");
    private readonly string _tokenVariable = $"REWIND_TEST_GITHUB_TOKEN_{Guid.NewGuid():N}".ToUpperInvariant();

    private string LedgerPath => Path.Combine(_folder.FullName, "ledger.db");

    // The ledger the configuration names exists, as 'rewind ledger init' leaves it: a missing one is bad input.
    public IncidentCommandTests() =>
        Rewind.Ledger.Sqlite.SqliteLedger.OpenAsync(LedgerPath, CancellationToken.None).GetAwaiter().GetResult().DisposeAsync().AsTask().GetAwaiter().GetResult();

    private string Config(string incidentYaml = "")
    {
        var path = Path.Combine(_folder.FullName, "rewind.yaml");
        File.WriteAllText(path, $"aws:\n  region: us-east-1\nledger:\n  path: {LedgerPath}\nincident:\n  drafts_dir: {Path.Combine(_folder.FullName, "postmortems")}\n  on_call: alice\n{incidentYaml}");
        return path;
    }

    private string GitHub(LoopbackStub stub) =>
        $"  github:\n    repository: acme/api\n    token_env: {_tokenVariable}\n    labels: [incident]\n    api_url: {stub.Url}\n";

    [Fact]
    public async Task Given_a_token_github_refuses_when_opening_live_then_one_line_names_the_variable_exit_2_and_nothing_is_created()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stub = LoopbackStub.Start(StubResponse.Json(401, """{"message":"Bad credentials"}"""));
        Environment.SetEnvironmentVariable(_tokenVariable, "revoked-token-value");
        var config = Config(GitHub(stub));

        var result = await CliRunner.RunAsync(["incident", "open", "--live", "--config", config], cancellationToken: ct);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: GitHub answered 401 Unauthorized: the credential in " + _tokenVariable + " was refused: set " + _tokenVariable, line, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-token-value", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["GET /repos/acme/api"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Empty(await ListAsync(config, ct));
    }

    [Fact]
    public async Task Given_the_token_variable_is_unset_when_opening_then_one_line_says_so_exit_2_and_nothing_is_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stub = LoopbackStub.Start(StubResponse.Json(200, "{}"));
        var config = Config(GitHub(stub));

        var result = await CliRunner.RunAsync(["incident", "open", "--live", "--config", config], cancellationToken: ct);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"rewind: {_tokenVariable} is not set: export {_tokenVariable} with a GitHub token that can write issues in acme/api\n", result.Stderr.ReplaceLineEndings("\n"));
        Assert.Empty(stub.Requests);
        Assert.Empty(await ListAsync(config, ct));
    }

    [Fact]
    public async Task Given_a_github_tracker_without_repository_when_opening_then_the_configuration_error_names_the_key_and_exit_is_2()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Config($"  github:\n    token_env: {_tokenVariable}\n");

        var result = await CliRunner.RunAsync(["incident", "open", "--config", config], cancellationToken: ct);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("incident.github needs repository", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("show", "INC-0042")]
    [InlineData("assign", "INC-0042", "--owner", "bob", "--live")]
    [InlineData("close", "INC-0042", "--live")]
    public async Task Given_an_unknown_incident_id_then_one_line_says_so_and_exit_is_2(params string[] args)
    {
        var ct = TestContext.Current.CancellationToken;

        var result = await CliRunner.RunAsync(["incident", .. args, "--config", Config()], cancellationToken: ct);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"rewind: incident INC-0042 is not in the ledger {LedgerPath}: list incidents with 'rewind incident list'\n", result.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Given_an_id_that_is_not_an_incident_id_then_one_line_shows_the_form_and_exit_is_2()
    {
        var result = await CliRunner.RunAsync(["incident", "show", "42", "--config", Config()], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("rewind: '42' is not an incident id: incident ids look like INC-0001: list them with 'rewind incident list'\n", result.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Given_no_live_flag_when_opening_then_the_exact_payload_is_printed_without_the_token_and_nothing_is_created()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stub = LoopbackStub.Start(StubResponse.Json(200, "{}"));
        Environment.SetEnvironmentVariable(_tokenVariable, "dry-run-token-value");
        var config = Config(GitHub(stub));

        var result = await CliRunner.RunAsync(["incident", "open", "--title", "5xx after 1.4.3", "--severity", "SEV1", "--output", "json", "--config", config], cancellationToken: ct);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var changes = json.RootElement.GetProperty("plan").GetProperty("steps")[0].GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains(changes, c => c.StartsWith("ledger: open incident '5xx after 1.4.3' (SEV1), owner alice (from incident.on_call), postmortem due 48 h", StringComparison.Ordinal));
        var github = Assert.Single(changes, c => c.StartsWith("github: POST ", StringComparison.Ordinal));
        Assert.Contains($"{stub.Url}repos/acme/api/issues", github, StringComparison.Ordinal);
        Assert.Contains("\"title\":\"[INC-(next)] Postmortem: 5xx after 1.4.3\"", github, StringComparison.Ordinal);
        Assert.Contains("\"labels\":[\"incident\"]", github, StringComparison.Ordinal);
        Assert.DoesNotContain("dry-run-token-value", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["GET /repos/acme/api"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Empty(await ListAsync(config, ct));
    }

    [Fact]
    public async Task Given_no_tracker_when_opened_live_then_assigned_and_closed_then_the_ledger_follows_and_dry_runs_change_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Config();

        var opened = await CliRunner.RunAsync(["incident", "open", "--live", "--owner", "carol", "--output", "json", "--config", config], cancellationToken: ct);

        Assert.Equal(ExitCodes.Ok, opened.ExitCode);
        using (var json = JsonDocument.Parse(opened.Stdout))
        {
            var evidence = json.RootElement.GetProperty("steps")[0].GetProperty("evidence");
            Assert.Equal("INC-0001", evidence.GetProperty("incident").GetString());
            Assert.Equal("carol", evidence.GetProperty("owner").GetString());
            Assert.Equal("ticketOpened", evidence.GetProperty("type").GetString());
            Assert.Equal(0, evidence.GetProperty("tickets").GetArrayLength());
            Assert.False(evidence.GetProperty("verified").GetBoolean());
            Assert.True(File.Exists(evidence.GetProperty("draft").GetString()));
            var due = DateTimeOffset.Parse(evidence.GetProperty("due").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var at = DateTimeOffset.Parse(evidence.GetProperty("opened").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(TimeSpan.FromHours(48), due - at);
        }

        var dryAssign = await CliRunner.RunAsync(["incident", "assign", "INC-0001", "--owner", "dave", "--config", config], cancellationToken: ct);
        Assert.Equal(ExitCodes.Ok, dryAssign.ExitCode);
        Assert.Equal("carol", (await ListAsync(config, ct))[0].GetProperty("owner").GetString());

        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["incident", "assign", "INC-0001", "--owner", "dave", "--live", "--config", config], cancellationToken: ct)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["incident", "close", "INC-0001", "--live", "--config", config], cancellationToken: ct)).ExitCode);

        var shown = await CliRunner.RunAsync(["incident", "show", "INC-0001", "--output", "json", "--config", config], cancellationToken: ct);
        using var show = JsonDocument.Parse(shown.Stdout);
        var incident = show.RootElement.GetProperty("incident");
        Assert.Equal("dave", incident.GetProperty("owner").GetString());
        Assert.Equal("closed", incident.GetProperty("status").GetString());
        Assert.EndsWith("INC-0001.md", show.RootElement.GetProperty("draft").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_open_incident_when_assigned_and_closed_live_then_each_is_a_run_in_history_whose_journal_ledger_verify_checks()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Config();
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["incident", "open", "--live", "--owner", "carol", "--config", config], cancellationToken: ct)).ExitCode);

        var dry = await CliRunner.RunAsync(["incident", "assign", "INC-0001", "--owner", "dave", "--output", "json", "--config", config], cancellationToken: ct);
        var assigned = await CliRunner.RunAsync(["incident", "assign", "INC-0001", "--owner", "dave", "--live", "--output", "json", "--config", config], cancellationToken: ct);
        var again = await CliRunner.RunAsync(["incident", "assign", "INC-0001", "--owner", "dave", "--live", "--output", "json", "--config", config], cancellationToken: ct);
        var closed = await CliRunner.RunAsync(["incident", "close", "INC-0001", "--live", "--output", "json", "--config", config], cancellationToken: ct);

        Assert.Equal(JsonValueKind.Null, RunOf(dry).ValueKind);
        Assert.Equal(JsonValueKind.Null, RunOf(again).ValueKind);
        string[] runs = [RunOf(assigned).GetString()!, RunOf(closed).GetString()!];
        var history = await CliRunner.RunAsync(["history", "--output", "json", "--config", config], cancellationToken: ct);
        using (var json = JsonDocument.Parse(history.Stdout))
        {
            var listed = json.RootElement.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("status").GetString());
            Assert.Equal(3, listed.Count);
            Assert.All(runs, run => Assert.Equal("Succeeded", listed[run]));
        }
        var verify = await CliRunner.RunAsync(["ledger", "verify", "--output", "json", "--config", config], cancellationToken: ct);
        Assert.Equal(ExitCodes.Ok, verify.ExitCode);
        using (var json = JsonDocument.Parse(verify.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("intact").GetBoolean());
            Assert.Equal(3, json.RootElement.GetProperty("runsChecked").GetInt32());
        }
    }

    [Fact]
    public async Task Given_an_injected_clock_when_an_incident_is_assigned_live_then_the_run_is_stamped_by_that_clock()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Config();
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["incident", "open", "--live", "--owner", "carol", "--config", config], cancellationToken: ct)).ExitCode);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 9, 30, 15, TimeSpan.Zero));

        var assigned = await CliRunner.RunAsync(["incident", "assign", "INC-0001", "--owner", "dave", "--live", "--output", "json", "--config", config], cancellationToken: ct, time: clock);

        Assert.StartsWith("run-20300102-093015-", RunOf(assigned).GetString(), StringComparison.Ordinal);
    }

    private static JsonElement RunOf(CliResult result)
    {
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("run").Clone();
    }

    private static async Task<List<JsonElement>> ListAsync(string config, CancellationToken ct)
    {
        var list = await CliRunner.RunAsync(["incident", "list", "--output", "json", "--config", config], cancellationToken: ct);
        Assert.Equal(ExitCodes.Ok, list.ExitCode);
        using var json = JsonDocument.Parse(list.Stdout);
        return [.. json.RootElement.GetProperty("incidents").EnumerateArray().Select(e => e.Clone())];
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, null);
        _folder.Delete(recursive: true);
    }
}
