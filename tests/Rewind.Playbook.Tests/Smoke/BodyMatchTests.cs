using System.Text.Json.Nodes;
using Rewind.Core.Configuration;
using Rewind.Playbook.Smoke;
using Xunit;

namespace Rewind.Playbook.Tests.Smoke;

/// <summary>What a smoke check asks of a body: text, a pattern, and at least one JSON path (members and indexes).</summary>
public sealed class BodyMatchTests
{
    private static SmokeCheck Check(string? contains = null, string? regex = null, params string[] paths) =>
        new("c", "GET", "/", ValueList<SmokeHeader>.Empty, null, ValueList.Of("200"), contains, regex, new(paths), null);

    [Fact]
    public void Given_a_check_asking_nothing_when_matched_then_any_body_passes_even_one_not_JSON()
    {
        Assert.Null(BodyMatch.Problem(Check(), "<html>"));
        Assert.Throws<ArgumentNullException>(() => BodyMatch.Problem(null!, ""));
    }

    [Fact]
    public void Given_text_to_contain_when_matched_then_it_is_compared_exactly()
    {
        Assert.Null(BodyMatch.Problem(Check(contains: "ok"), "status ok"));
        Assert.Equal("body does not contain 'OK'", BodyMatch.Problem(Check(contains: "OK"), "status ok"));
    }

    [Fact]
    public void Given_a_pattern_when_matched_then_it_must_match_somewhere()
    {
        Assert.Null(BodyMatch.Problem(Check(regex: "v[0-9]+"), "release v42"));
        Assert.Equal("body does not match /^v[0-9]+$/", BodyMatch.Problem(Check(regex: "^v[0-9]+$"), "release v42"));
        Assert.Equal("body does not match /V/", BodyMatch.Problem(Check(regex: "V"), "v"));
    }

    [Fact]
    public void Given_text_and_a_pattern_when_the_text_is_missing_then_the_text_is_the_problem()
    {
        Assert.Equal("body does not contain 'x'", BodyMatch.Problem(Check(contains: "x", regex: "y"), "z"));
        Assert.Equal("body does not match /y/", BodyMatch.Problem(Check(contains: "z", regex: "y", paths: "$.a"), "z"));
    }

    [Fact]
    public void Given_paths_when_the_body_is_not_JSON_then_that_is_the_problem()
    {
        Assert.Equal("body is not JSON", BodyMatch.Problem(Check(paths: "$.a"), "<html>"));
    }

    [Fact]
    public void Given_paths_when_one_exists_then_the_body_passes_and_when_none_does_all_are_named()
    {
        Assert.Null(BodyMatch.Problem(Check(paths: ["$.request_id", "$.queued"]), """{"queued":true}"""));
        Assert.Equal("body has no $.request_id or $.queued", BodyMatch.Problem(Check(paths: ["$.request_id", "$.queued"]), """{"error":"x"}"""));
    }

    [Theory]
    [InlineData("$", true)]
    [InlineData("$.a", true)]
    [InlineData("$.a.b", true)]
    [InlineData("$.a.nothing", true)]
    [InlineData("$.a.b.c", false)]
    [InlineData("$.missing", false)]
    [InlineData("$.items[0].id", true)]
    [InlineData("$.items[1].id", false)]
    [InlineData("$.items[1]", true)]
    [InlineData("$.items[2]", false)]
    [InlineData("$.items[-1]", false)]
    [InlineData("$.items[x]", false)]
    [InlineData("$.items[ 0]", false)]
    [InlineData("$.items[0", false)]
    [InlineData("$.items[]", false)]
    [InlineData("$.a[0]", false)]
    [InlineData("$.items.id", false)]
    [InlineData("$.items[0][0]", false)]
    [InlineData("$.grid[1][0]", true)]
    [InlineData("$a", false)]
    [InlineData("$..a", false)]
    [InlineData("$.a.", false)]
    public void Given_a_path_when_looked_up_then_members_and_indexes_are_followed_and_null_counts_as_present(string path, bool exists)
    {
        var document = JsonNode.Parse("""{"a":{"b":1,"nothing":null},"items":[{"id":7},null],"grid":[[1],[2]]}""");

        Assert.Equal(exists, BodyMatch.Exists(document, path));
    }

    [Fact]
    public void Given_a_JSON_null_document_when_a_member_is_looked_up_then_it_is_absent_but_the_root_exists()
    {
        Assert.True(BodyMatch.Exists(null, "$"));
        Assert.False(BodyMatch.Exists(null, "$.a"));
        Assert.False(BodyMatch.Exists(null, "$[0]"));
        Assert.True(BodyMatch.Exists(JsonNode.Parse("[5]"), "$[0]"));
        Assert.Throws<ArgumentNullException>(() => BodyMatch.Exists(null, null!));
    }
}
