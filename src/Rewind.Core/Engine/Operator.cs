using System.Globalization;

namespace Rewind.Core.Engine;

/// <summary>
/// Who runs a rollback, for the service lock and the journal: the lease's owner is the person and their process
/// (<c>alice (pid 4242)</c>), so two runs from one laptop still exclude each other, and a takeover can tell whether
/// the holder's process is still alive. The owner text is formatted by <see cref="Of"/> and read back by
/// <see cref="User"/> and <see cref="ProcessId"/>, here and nowhere else.
/// </summary>
/// <param name="Owner">The lease owner as stored: <c>USER (pid N)</c> for a lease this type formatted.</param>
/// <param name="Host">The machine the process runs on.</param>
public sealed record Operator(string Owner, string Host)
{
    private const string PidMark = " (pid ";

    /// <summary>The operator running process <paramref name="processId"/> on <paramref name="host"/>.</summary>
    public static Operator Of(string user, int processId, string host)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(processId);
        return new($"{user}{PidMark}{processId.ToString(CultureInfo.InvariantCulture)})", host);
    }

    /// <summary>This process: the signed-in user, its pid, this machine.</summary>
    public static Operator Current() => Of(Environment.UserName, Environment.ProcessId, Environment.MachineName);

    /// <summary>Whoever holds <paramref name="lease"/>, as its owner and host were stored.</summary>
    public static Operator Holding(Ledger.Lease lease) => new(lease.Owner, lease.Host);

    /// <summary>The process named in <see cref="Owner"/>, or null when the owner was not formatted by <see cref="Of"/>.</summary>
    public int? ProcessId => Split() is { } parts ? parts.ProcessId : null;

    /// <summary>The person: <see cref="Owner"/> without its process.</summary>
    public string User => Split() is { } parts ? parts.User : Owner;

    /// <summary>Person and machine (<c>alice@laptop-1</c>), as freezes and journal entries record who acted.</summary>
    public string Signature => $"{User}@{Host}";

    private (string User, int ProcessId)? Split()
    {
        var start = Owner.LastIndexOf(PidMark, StringComparison.Ordinal);
        if (start < 0 || !Owner.EndsWith(')'))
            return null;
        var digits = Owner.AsSpan(start + PidMark.Length, Owner.Length - start - PidMark.Length - 1);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? (Owner[..start], pid) : null;
    }
}
