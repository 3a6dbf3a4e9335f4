using System.Globalization;
using System.Text;

namespace Rewind.Core;

/// <summary>
/// Makes user values safe to quote in a one-line message: a pasted 10 MB value or a raw ESC must not flood or drive
/// the operator's terminal, and a newline must not split the line a script reads.
/// </summary>
public static class MessageText
{
    /// <summary>How many characters of one value a message quotes.</summary>
    public const int MaxValueLength = 200;

    /// <summary>The longest line the error handler prints: room for a few quoted values, the file name and the fix.</summary>
    public const int MaxLineLength = 2000;

    /// <summary><paramref name="value"/> with control characters escaped, cut to <see cref="MaxValueLength"/> characters.</summary>
    public static string Value(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var kept = value.Length > MaxValueLength ? value[..MaxValueLength] : value;
        var escaped = EscapeControls(kept);
        return value.Length > MaxValueLength
            ? $"{escaped}…({(value.Length - MaxValueLength).ToString(CultureInfo.InvariantCulture)} more characters)"
            : escaped;
    }

    /// <summary>
    /// A whole message made safe: control characters escaped, every run of more than <see cref="MaxValueLength"/>
    /// characters without a space cut, and the line cut in the middle beyond <see cref="MaxLineLength"/> (the fix is
    /// at its end). The error handler applies it to every line, so a value no one thought to quote is still safe.
    /// </summary>
    public static string Line(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = EscapeControls(line).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i].Length > MaxValueLength)
                words[i] = CutWord(words[i]);
        }
        var text = string.Join(' ', words);
        if (text.Length <= MaxLineLength)
            return text;
        var head = text[..(MaxLineLength / 2)];
        var tail = text[^(MaxLineLength / 2)..];
        return $"{head}…({(text.Length - MaxLineLength).ToString(CultureInfo.InvariantCulture)} characters left out)…{tail}";
    }

    // The quote and colon that close a value (', ':) stay, so the line still reads "problem: fix".
    private static string CutWord(string word)
    {
        var closing = 0;
        while (closing < 3 && closing < word.Length && ClosingPunctuation.Contains(word[^(closing + 1)]))
            closing++;
        var cut = word.Length - MaxValueLength - closing;
        return $"{word[..MaxValueLength]}…({cut.ToString(CultureInfo.InvariantCulture)} more characters){word[^closing..]}";
    }

    private const string ClosingPunctuation = "'\":,;.)]}";

    /// <summary>Whether <paramref name="value"/> holds a line break or another control character (tab included).</summary>
    public static bool HasControlCharacters(string value) => value.Any(char.IsControl);

    private static string EscapeControls(string value)
    {
        if (!HasControlCharacters(value))
            return value;
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            AppendEscaped(builder, c);
        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\n':
                builder.Append("\\n");
                break;
            case '\r':
                builder.Append("\\r");
                break;
            case '\t':
                builder.Append("\\t");
                break;
            case var control when char.IsControl(control):
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)control:x4}");
                break;
            default:
                builder.Append(c);
                break;
        }
    }
}
