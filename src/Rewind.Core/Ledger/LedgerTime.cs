using System.Globalization;

namespace Rewind.Core.Ledger;

/// <summary>The ledger's one time format: ISO-8601 UTC with seven fractional digits, which sorts as text.</summary>
public static class LedgerTime
{
    /// <summary>The format string, e.g. <c>2026-11-27T09:15:00.1234567Z</c>.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Formats a time as UTC in <see cref="Format"/>.</summary>
    public static string ToText(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Parses a time written by <see cref="ToText"/>.</summary>
    public static DateTimeOffset Parse(string text) =>
        new(DateTime.SpecifyKind(
            DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            DateTimeKind.Utc));

    /// <summary>Parses a time written by <see cref="ToText"/>; false for any other text (e.g. a tampered row).</summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        if (DateTime.TryParseExact(
                text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
            return true;
        }

        time = DateTimeOffset.MinValue;
        return false;
    }

    /// <summary>Truncates a time to what <see cref="ToText"/> keeps (whole ticks, UTC), so records round-trip exactly.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time) => new(time.UtcDateTime, TimeSpan.Zero);
}
