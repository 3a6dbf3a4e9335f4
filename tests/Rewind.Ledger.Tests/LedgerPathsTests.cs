namespace Rewind.Ledger.Tests;

public sealed class LedgerPathsTests
{
    [Fact]
    public void Xdg_state_home_wins_when_it_is_absolute()
    {
        var path = LedgerPaths.DefaultSqlitePath(name => name == "XDG_STATE_HOME" ? "/var/state" : null, "/home/alice");

        Assert.Equal("/var/state/rewind/ledger.db", path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/state")]
    public void Home_local_state_is_used_when_xdg_state_home_is_unset_or_relative(string? stateHome)
    {
        var path = LedgerPaths.DefaultSqlitePath(_ => stateHome, "/home/alice");

        Assert.Equal("/home/alice/.local/state/rewind/ledger.db", path);
    }

    [Fact]
    public void No_home_and_no_xdg_state_home_is_an_error_naming_the_fix()
    {
        var e = Assert.Throws<InvalidOperationException>(() => LedgerPaths.DefaultSqlitePath(_ => null, ""));

        Assert.Contains("ledger.path", e.Message, StringComparison.Ordinal);
    }
}
