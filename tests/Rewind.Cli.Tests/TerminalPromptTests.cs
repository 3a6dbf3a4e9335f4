using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>Commands ask before acting through the terminal the invocation was given, never through <see cref="Console"/>.</summary>
public sealed class TerminalPromptTests : IDisposable
{
    private const string Distribution = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Distribution xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
          <Id>E2ABC</Id><ARN>arn:aws:cloudfront::123456789012:distribution/E2ABC</ARN><Status>Deployed</Status>
          <LastModifiedTime>2026-12-03T09:00:00Z</LastModifiedTime><InProgressInvalidationBatches>0</InProgressInvalidationBatches>
          <DomainName>d111111abcdef8.cloudfront.net</DomainName><DistributionConfig><Enabled>true</Enabled></DistributionConfig>
        </Distribution>
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-terminal-cli-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_terminal_that_answers_no_when_a_live_invalidation_asks_then_the_question_went_to_it_and_nothing_is_changed()
    {
        await using var stub = LoopbackStub.Start(new StubResponse(200, Distribution, ("Content-Type", "text/xml")));
        var terminal = new ScriptedTerminal("n");

        var (code, stderr) = await RunAsync(stub, terminal);

        Assert.Equal(ExitCodes.Cancelled, code);
        var question = Assert.Single(terminal.Questions);
        Assert.Equal("Roll back claude-proxy-api now (1 steps, about 1 s)? [y/N] ", question);
        Assert.Contains("rewind: not confirmed: nothing was changed", stderr, StringComparison.Ordinal);
        Assert.Equal(["GET /2020-05-31/distribution/E2ABC"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Given_a_terminal_that_answers_yes_when_a_live_invalidation_asks_then_the_invalidation_is_sent()
    {
        await using var stub = LoopbackStub.Start(new StubResponse(200, Distribution, ("Content-Type", "text/xml")));
        var terminal = new ScriptedTerminal(" YES ");

        await RunAsync(stub, terminal);

        Assert.Single(terminal.Questions);
        Assert.Contains(stub.Requests, r => r.Method == "POST" && r.Path == "/2020-05-31/distribution/E2ABC/invalidation");
    }

    private async Task<(int Code, string Stderr)> RunAsync(LoopbackStub stub, ITerminal terminal)
    {
        var ledger = Path.Combine(_folder.FullName, "ledger.db");
        await (await Rewind.Ledger.Sqlite.SqliteLedger.OpenAsync(ledger, Ct)).DisposeAsync();
        var config = Path.Combine(_folder.FullName, "rewind.yaml");
        await File.WriteAllTextAsync(config, $"aws:\n  region: us-east-1\nledger:\n  path: {ledger}\n", Ct);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(
            ["cdn", "--dist-id", "E2ABC", "--paths", "/*", "--live", "--config", config], stdout, stderr, Ct,
            _ => new AwsClients(new AwsSession("us-east-1", RegionSource.Flag, new StaticCredentialSource(new AwsCredentials("AKID", "SECRET")), new AwsEndpointResolver(stub.Url, null, _ => null))),
            terminal: terminal);
        return (code, stderr.ToString());
    }

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>A person at a terminal who gives the scripted answers, in order, and is heard asked each question.</summary>
    private sealed class ScriptedTerminal(params string[] answers) : ITerminal
    {
        private readonly Queue<string> _answers = new(answers);

        public List<string> Questions { get; } = [];

        public bool CanPrompt => true;

        public bool ShowsLiveProgress => false;

        public string? Prompt(string question)
        {
            Questions.Add(question);
            return _answers.TryDequeue(out var answer) ? answer : null;
        }
    }
}
