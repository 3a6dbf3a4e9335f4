using System.Globalization;

namespace Rewind.Core.Configuration;

/// <summary>Durations as written in <c>rewind.yaml</c> and on the command line: <c>90s</c>, <c>10m</c>, <c>1h</c>, <c>1h30m</c>.</summary>
public static class ConfigDuration
{
    /// <summary>What to write instead of an invalid duration.</summary>
    public const string Hint = "use a duration such as 90s, 10m or 1h";

    // Thirty days is far beyond any deadline Rewind waits for, and keeps the arithmetic clear of overflow.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    /// <summary>Parses hours, minutes and seconds in that order, each a whole number with its unit; false for anything else.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var units = "hms";
        var nextUnit = 0;
        var position = 0;
        long seconds = 0;
        while (position < text.Length)
        {
            var digitsStart = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == digitsStart || position == text.Length || position - digitsStart > 7)
            {
                return false;
            }

            var unit = units.IndexOf(text[position], nextUnit);
            if (unit < 0)
            {
                return false;
            }

            var amount = long.Parse(text.AsSpan(digitsStart, position - digitsStart), NumberStyles.None, CultureInfo.InvariantCulture);
            seconds += amount * unit switch { 0 => 3600, 1 => 60, _ => 1 };
            nextUnit = unit + 1;
            position++;
        }

        if (seconds > Longest.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>The shortest form that parses back to <paramref name="duration"/>: largest units first, so 90 seconds is <c>1m30s</c> and two days <c>48h</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero || duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "a configuration duration is a whole, non-negative number of seconds");
        }

        var total = (long)duration.TotalSeconds;
        if (total == 0)
        {
            return "0s";
        }

        var text = string.Empty;
        if (total >= 3600)
        {
            text += $"{total / 3600}h";
        }

        if (total % 3600 >= 60)
        {
            text += $"{total % 3600 / 60}m";
        }

        if (total % 60 > 0)
        {
            text += $"{total % 60}s";
        }

        return text;
    }
}
