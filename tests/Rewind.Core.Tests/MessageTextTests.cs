using Rewind.Core;
using Xunit;

namespace Rewind.Core.Tests;

public sealed class MessageTextTests
{
    [Fact]
    public void Given_a_value_of_10_MB_when_it_is_quoted_then_200_characters_are_kept_and_the_rest_is_counted()
    {
        var value = new string('x', 10_000_000);

        var shown = MessageText.Value(value);

        Assert.Equal(new string('x', 200) + "…(9999800 more characters)", shown);
    }

    [Fact]
    public void Given_control_characters_when_a_value_is_quoted_then_each_is_escaped_and_none_is_left_raw()
    {
        var shown = MessageText.Value("red\u001b[31m\nnext\tcol\r\u0007");

        Assert.Equal("red\\u001b[31m\\nnext\\tcol\\r\\u0007", shown);
        Assert.DoesNotContain(shown, char.IsControl);
    }

    [Fact]
    public void Given_a_line_with_a_long_value_and_an_escape_when_it_is_made_safe_then_the_value_is_cut_and_the_fix_kept()
    {
        var line = MessageText.Line($"rewind: there is no step '{new string('a', 5000)}\u001b': steps are: canary, ecs");

        Assert.EndsWith(": steps are: canary, ecs", line, StringComparison.Ordinal);
        Assert.Contains("…(4", line, StringComparison.Ordinal);
        Assert.True(line.Length < 400, line);
        Assert.DoesNotContain(line, char.IsControl);
    }

    [Fact]
    public void Given_a_huge_line_of_short_words_when_it_is_made_safe_then_it_is_cut_in_the_middle_to_the_limit()
    {
        var line = MessageText.Line("rewind: " + string.Concat(Enumerable.Repeat("word ", 100_000)) + ": the fix");

        Assert.True(line.Length <= MessageText.MaxLineLength + 64, line.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("rewind: word", line, StringComparison.Ordinal);
        Assert.EndsWith(": the fix", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_ordinary_line_when_it_is_made_safe_then_it_is_unchanged() =>
        Assert.Equal("rewind: --limit 0 is outside 1–10000: give a whole number from 1 to 10000",
            MessageText.Line("rewind: --limit 0 is outside 1–10000: give a whole number from 1 to 10000"));

    [Theory]
    [InlineData("http://admin:PASSWORD@127.0.0.1:8080/", true)]
    [InlineData("https://token@hooks.example.com/x", true)]
    [InlineData("http://127.0.0.1:8080/@channel", false)]
    [InlineData("https://hooks.slack.com/services/T0/B0/secret", false)]
    [InlineData("not a url", false)]
    public void A_url_with_a_user_name_or_password_is_recognised(string url, bool expected) =>
        Assert.Equal(expected, UrlCredentials.In(url));
}
