namespace Rewind.Core.Evidence;

/// <summary>
/// A task definition as family and revision, whichever way it is written: ECS answers with the full ARN, moto and the
/// plan table with the short <c>family:revision</c>. Two references are the same task definition when both agree.
/// </summary>
/// <param name="Family">The task definition's family (<c>claude-proxy-api</c>).</param>
/// <param name="Revision">Its revision number; null when the text names a family alone.</param>
public sealed record TaskDefinitionRef(string Family, int? Revision)
{
    private const string ArnMarker = "task-definition/";

    /// <summary>Reads an ARN (<c>arn:aws:ecs:…:task-definition/family:3</c>) or a short name; null for blank text.</summary>
    public static TaskDefinitionRef? Of(string? taskDefinition)
    {
        if (string.IsNullOrWhiteSpace(taskDefinition))
            return null;
        var at = taskDefinition.LastIndexOf(ArnMarker, StringComparison.Ordinal);
        var name = at >= 0 ? taskDefinition[(at + ArnMarker.Length)..] : taskDefinition;
        var colon = name.LastIndexOf(':');
        return colon > 0 && int.TryParse(name[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision)
            ? new TaskDefinitionRef(name[..colon], revision)
            : new TaskDefinitionRef(name, null);
    }

    /// <summary><c>family:revision</c>, as the plan table shows it.</summary>
    public override string ToString() => Revision is { } revision ? $"{Family}:{revision}" : Family;
}
