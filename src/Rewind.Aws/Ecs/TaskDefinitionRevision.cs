using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rewind.Aws.Ecs;

/// <summary>A task definition family and revision, read from an ARN or "family:revision".</summary>
public sealed partial record TaskDefinitionRevision(string Family, int Revision)
{
    /// <summary>Reads "arn:aws:ecs:region:account:task-definition/family:3" or "family:3"; throws <see cref="FormatException"/> otherwise.</summary>
    public static TaskDefinitionRevision Parse(string text) =>
        TryParse(text, out var parsed)
            ? parsed
            : throw new FormatException($"'{text}' is not a task definition ARN or 'family:revision'");

    /// <summary>Like <see cref="Parse"/>, without throwing. A bare family (no revision) is not accepted.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out TaskDefinitionRevision? parsed)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["revision"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || revision < 1)
            return false;
        parsed = new TaskDefinitionRevision(match.Groups["family"].Value, revision);
        return true;
    }

    public override string ToString() => $"{Family}:{Revision.ToString(CultureInfo.InvariantCulture)}";

    // Families are up to 255 letters, digits, hyphens and underscores.
    [GeneratedRegex(@"^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/)?(?<family>[A-Za-z0-9_-]{1,255}):(?<revision>\d{1,10})$")]
    private static partial Regex Pattern();
}
