using System.CommandLine;
using System.Globalization;
using Rewind.Core;

namespace Rewind.Cli;

/// <summary>Rules an option's value must meet, checked by the parser so a bad value is refused before anything runs.</summary>
public static class OptionRules
{
    /// <summary>
    /// The value must be one line: it becomes a ticket title, a heading, a version label or a journal field, where a
    /// newline starts something else and an ESC drives the terminal that shows it.
    /// </summary>
    public static Option<T> SingleLine<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                var index = token.Value.AsSpan().IndexOfAnyInRange('\0', '\u001f');
                if (index < 0)
                    index = token.Value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f');
                if (index >= 0)
                {
                    result.AddError($"{option.Name} must be one line without control characters, and '{MessageText.Value(token.Value)}' has one at character {(index + 1).ToString(CultureInfo.InvariantCulture)}: write it on one line");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary>The value, when it is a whole number, must lie in <paramref name="min"/>–<paramref name="max"/>.</summary>
    public static Option<int> Between(this Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0
                && int.TryParse(result.Tokens[^1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                && (value < min || value > max))
            {
                result.AddError($"{option.Name} {value.ToString(CultureInfo.InvariantCulture)} is outside {min.ToString(CultureInfo.InvariantCulture)}–{max.ToString(CultureInfo.InvariantCulture)}: give a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        return option;
    }
}
