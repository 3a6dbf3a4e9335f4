namespace Rewind.Cli;

/// <summary>
/// The person at the keyboard, if there is one: whether a command may ask before it acts, whether progress may be
/// redrawn in place, and the question itself. Commands ask it, never <see cref="Console"/>, so tests answer prompts.
/// </summary>
public interface ITerminal
{
    /// <summary>Whether someone can answer a prompt (input is a terminal); in a pipeline, <c>--live</c> is the decision.</summary>
    bool CanPrompt { get; }

    /// <summary>Whether stderr is a terminal, so live progress can be drawn in place instead of logged line by line.</summary>
    bool ShowsLiveProgress { get; }

    /// <summary>Asks <paramref name="question"/> (no newline) and returns the line answered, or null at the end of input.</summary>
    string? Prompt(string question);

    /// <summary>Whether the answer is yes: <c>y</c> or <c>yes</c>, in any case; anything else, or no answer, is no.</summary>
    bool Confirm(string question) =>
        Prompt(question)?.Trim() is { } answer
        && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The process's own console: what <c>rewind</c> run by a person or a pipeline has.</summary>
public sealed class ConsoleTerminal : ITerminal
{
    public static ConsoleTerminal Instance { get; } = new();

    private ConsoleTerminal()
    {
    }

    public bool CanPrompt => !Console.IsInputRedirected;

    public bool ShowsLiveProgress => !Console.IsErrorRedirected;

    public string? Prompt(string question)
    {
        Console.Error.Write(question);
        return Console.ReadLine();
    }
}

/// <summary>No terminal at all (the CLI run as a library, its streams captured): nobody to ask, nothing drawn in place.</summary>
public sealed class NoTerminal : ITerminal
{
    public static NoTerminal Instance { get; } = new();

    private NoTerminal()
    {
    }

    public bool CanPrompt => false;

    public bool ShowsLiveProgress => false;

    public string? Prompt(string question) => null;
}
