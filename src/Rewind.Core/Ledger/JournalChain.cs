using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rewind.Core.Ledger;

/// <summary>The journal's hash chain: the canonical serialisation of an entry and its SHA-256.</summary>
/// <remarks>
/// Canonical form (version 1), as UTF-8 bytes: the line <c>rewind-journal-v1\n</c>, then for each field in the
/// order run id, seq, time, step, kind, detail, prev hash: the field's UTF-8 byte length in decimal, <c>:</c>, the
/// field's bytes, <c>\n</c>. Seq is invariant decimal; time is <see cref="LedgerTime.Format"/> (UTC, seven
/// fractional digits); kind is its fixed wire name (<see cref="KindName"/>); detail is the stored JSON text byte for
/// byte; prev hash is lowercase hex. The hash is lowercase hex SHA-256 of those bytes. Length prefixes make the
/// form unambiguous whatever the fields contain. The first entry's prev hash is <see cref="GenesisHash"/>.
/// </remarks>
public static class JournalChain
{
    /// <summary>The prev hash of a run's first entry: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>The head of an empty journal.</summary>
    public static JournalHead EmptyHead => new(0, GenesisHash);

    private const string Header = "rewind-journal-v1\n";

    /// <summary>Builds the next entry after <paramref name="head"/>, with its hash.</summary>
    public static JournalEntry Next(
        JournalHead head, string runId, DateTimeOffset time, string step, JournalKind kind, string detail)
    {
        var normalized = LedgerTime.Normalize(time);
        var seq = head.Seq + 1;
        var hash = ComputeHash(runId, seq, normalized, step, kind, detail, head.Hash);
        return new JournalEntry(runId, seq, normalized, step, kind, detail, head.Hash, hash);
    }

    /// <summary>The hash an entry with these fields must carry.</summary>
    public static string ComputeHash(
        string runId, long seq, DateTimeOffset time, string step, JournalKind kind, string detail, string prevHash)
    {
        var canonical = CanonicalBytes(runId, seq, time, step, kind, detail, prevHash);
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }

    /// <summary>The hash <paramref name="entry"/> must carry given its own fields.</summary>
    public static string ComputeHash(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ComputeHash(entry.RunId, entry.Seq, entry.Time, entry.Step, entry.Kind, entry.Detail, entry.PrevHash);
    }

    /// <summary>The canonical bytes that are hashed (documented on the type).</summary>
    public static byte[] CanonicalBytes(
        string runId, long seq, DateTimeOffset time, string step, JournalKind kind, string detail, string prevHash)
    {
        var builder = new StringBuilder(Header, 256 + detail.Length);
        Field(builder, runId);
        Field(builder, seq.ToString(CultureInfo.InvariantCulture));
        Field(builder, LedgerTime.ToText(time));
        Field(builder, step);
        Field(builder, Enum.IsDefined(kind) ? KindName(kind) : "invalid-kind-" + ((int)kind).ToString(CultureInfo.InvariantCulture));
        Field(builder, detail);
        Field(builder, prevHash);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>The fixed wire name of a kind, part of the hash: renaming the enum must not change it.</summary>
    public static string KindName(JournalKind kind) => kind switch
    {
        JournalKind.Planned => "planned",
        JournalKind.Started => "started",
        JournalKind.CallSent => "call-sent",
        JournalKind.CallSucceeded => "call-succeeded",
        JournalKind.CallFailed => "call-failed",
        JournalKind.Completed => "completed",
        JournalKind.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown journal kind"),
    };

    /// <summary>Parses a wire name written by <see cref="KindName"/>.</summary>
    public static bool TryParseKind(string name, out JournalKind kind)
    {
        kind = name switch
        {
            "planned" => JournalKind.Planned,
            "started" => JournalKind.Started,
            "call-sent" => JournalKind.CallSent,
            "call-succeeded" => JournalKind.CallSucceeded,
            "call-failed" => JournalKind.CallFailed,
            "completed" => JournalKind.Completed,
            "skipped" => JournalKind.Skipped,
            _ => (JournalKind)(-1),
        };
        return Enum.IsDefined(kind);
    }

    /// <summary>Checks an append's arguments: non-empty run id and step, detail a JSON document.</summary>
    public static void ValidateAppend(string runId, string step, JournalKind kind, string detail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(step);
        ArgumentNullException.ThrowIfNull(detail);
        _ = KindName(kind);
        try
        {
            using var document = JsonDocument.Parse(detail);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"journal detail must be a JSON document: {e.Message}", nameof(detail), e);
        }
    }

    private static void Field(StringBuilder builder, string value) =>
        builder.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture))
            .Append(':').Append(value).Append('\n');
}
