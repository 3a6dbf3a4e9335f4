using Rewind.Cli;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>Bad input to <c>rewind notify</c>: one line, exit 2, nothing sent (checked before any AWS or ledger access).</summary>
public sealed class NotifyBadInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("nobody", "rewind: unknown audience 'nobody': use team, support or customers")]
    [InlineData("support", "rewind: notify.support is not configured in CONFIG: add notify.support.slack_webhook_env or webhook_env: the variable holding the webhook URL")]
    [InlineData("customers", "rewind: notify.customers is disabled in CONFIG: set notify.customers.enabled: true to reach customers")]
    [InlineData("team,nobody", "rewind: unknown audience 'nobody': use team, support or customers")]
    public async Task An_audience_that_cannot_be_told_is_one_line_exit_2_and_nothing_is_sent(string to, string expected)
    {
        await using var receiver = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = AnnounceCli.OfflineConfig($"""
              team: {"{"} slack_webhook_env: {AnnounceCli.Variable("team", receiver.Url)} {"}"}
              customers: {"{"} webhook_env: {AnnounceCli.Variable("customers", receiver.Url)}, enabled: false {"}"}
            """);

        var ledger = Path.Combine(Path.GetDirectoryName(config)!, "ledger.db");
        var before = Cli.NothingChangedBadInputTests.LedgerDigest(ledger);

        var result = await AnnounceCli.RunAsync(null, ["notify", "--to", to, "--message", "hello", "--live", "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal(expected.Replace("CONFIG", config, StringComparison.Ordinal), Assert.Single(result.ErrorLines));
        Assert.Empty(receiver.Requests);
        Assert.Equal(before, Cli.NothingChangedBadInputTests.LedgerDigest(ledger));
    }

    [Fact]
    public async Task A_webhook_variable_named_in_the_config_but_unset_is_one_line_exit_2_and_nothing_is_sent()
    {
        await using var receiver = LoopbackStub.Start(new StubResponse(200, "ok"));
        var unset = AnnounceCli.Variable("unset", null);
        var config = AnnounceCli.OfflineConfig($"""
              team: {"{"} slack_webhook_env: {AnnounceCli.Variable("team", receiver.Url)} {"}"}
              support: {"{"} webhook_env: {unset} {"}"}
            """);

        var result = await AnnounceCli.RunAsync(null, ["notify", "--to", "team", "--to", "support", "--message", "hello", "--live", "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal($"rewind: environment variable {unset} (notify.support.webhook_env) is not set: export {unset} with the webhook URL", Assert.Single(result.ErrorLines));
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task A_webhook_variable_that_is_not_a_url_is_one_line_exit_2_and_nothing_is_journaled()
    {
        var invalid = AnnounceCli.Variable("invalid", "hooks.slack.invalid/services/x");
        var config = AnnounceCli.OfflineConfig($"  team: {{ slack_webhook_env: {invalid} }}");

        var ledger = Path.Combine(Path.GetDirectoryName(config)!, "ledger.db");
        var before = Cli.NothingChangedBadInputTests.LedgerDigest(ledger);

        var result = await AnnounceCli.RunAsync(null, ["notify", "--to", "team", "--message", "hello", "--live", "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal($"rewind: environment variable {invalid} (notify.team.slack_webhook_env) does not hold an http(s) URL: export {invalid} with the webhook URL", Assert.Single(result.ErrorLines));
        Assert.Equal(before, Cli.NothingChangedBadInputTests.LedgerDigest(ledger));
    }

    [Theory]
    [InlineData(new[] { "notify", "--to", "team", "--live" }, "rewind: notify needs --message: give the text: --message \"what they should know\"")]
    [InlineData(new[] { "notify", "--message", "hi", "--live" }, "rewind: notify needs --to: name who to tell: --to team, --to support or --to customers")]
    [InlineData(new[] { "notify", "--retry", "--to", "team" }, "rewind: --retry sends queued messages again; it takes no --to or --message: run 'rewind notify --retry --live' alone")]
    public async Task A_notify_without_what_it_needs_is_one_line_exit_2(string[] args, string expected)
    {
        await using var receiver = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = AnnounceCli.OfflineConfig($"  team: {{ slack_webhook_env: {AnnounceCli.Variable("team", receiver.Url)} }}");

        var result = await AnnounceCli.RunAsync(null, [.. args, "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
        Assert.Empty(receiver.Requests);
    }
}
