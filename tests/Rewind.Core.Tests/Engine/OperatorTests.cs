using CsCheck;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>The lock owner is formatted and parsed by <see cref="Operator"/> alone: whatever is formatted parses back.</summary>
public sealed class OperatorTests
{
    [Fact]
    public void Given_any_user_pid_and_host_when_formatted_as_a_lock_owner_then_the_lease_parses_back_to_the_same_user_pid_and_host() =>
        Gen.Select(Gen.String, Gen.Int[0, int.MaxValue], Gen.String).Sample((user, pid, host) =>
        {
            var formatted = Operator.Of(user, pid, host);
            var lease = new Lease("svc", formatted.Owner, formatted.Host, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

            var parsed = Operator.Holding(lease);

            return parsed == formatted && parsed.User == user && parsed.ProcessId == pid && parsed.Host == host && parsed.Signature == $"{user}@{host}";
        });

    [Fact]
    public void Given_the_owner_format_when_formatted_then_it_is_the_user_and_the_pid_in_parentheses() =>
        Assert.Equal(new Operator("alice (pid 4242)", "laptop-1"), Operator.Of("alice", 4242, "laptop-1"));

    [Theory]
    [InlineData("alice")]
    [InlineData("alice (pid )")]
    [InlineData("alice (pid 12x)")]
    [InlineData("alice (pid -3)")]
    [InlineData("alice (pid 99999999999)")]
    [InlineData("alice (pid 12) trailing")]
    public void Given_an_owner_not_formatted_by_this_type_then_it_names_no_process_and_is_all_user(string owner)
    {
        var holder = new Operator(owner, "laptop-1");

        Assert.Null(holder.ProcessId);
        Assert.Equal(owner, holder.User);
    }

    [Fact]
    public void Given_a_negative_pid_when_formatted_then_it_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Operator.Of("alice", -1, "laptop-1"));
}
