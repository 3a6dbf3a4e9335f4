using System.Text.Json.Nodes;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.Playbook.Tests.Infra;

/// <summary>A saved plan read from <c>terraform show -json</c>: counted as terraform counts, every changed resource named.</summary>
public sealed class TerraformPlanSummaryTests
{
    private static JsonObject Change(string address, params string[] actions) => new()
    {
        ["address"] = address,
        ["mode"] = "managed",
        ["change"] = new JsonObject { ["actions"] = new JsonArray([.. actions.Select(a => (JsonNode)JsonValue.Create(a)!)]) },
    };

    [Fact]
    public void Given_every_kind_of_change_when_parsed_then_a_replacement_counts_as_one_add_and_one_destroy()
    {
        var plan = new JsonObject
        {
            ["resource_changes"] = new JsonArray(
                Change("aws_s3_bucket.logs", "create"),
                Change("aws_lb.main", "update"),
                Change("aws_iam_role.old", "delete"),
                Change("aws_instance.web", "delete", "create"),
                Change("aws_instance.api", "create", "delete"),
                Change("aws_sqs_queue.q", "no-op"),
                Change("aws_sns_topic.t", "read"),
                new JsonObject { ["address"] = "data.aws_ami.latest", ["mode"] = "data", ["change"] = new JsonObject { ["actions"] = new JsonArray("delete") } }),
        };

        var summary = TerraformPlanSummary.Parse(plan);

        Assert.Equal((3, 1, 3, false), (summary.Adds, summary.Changes, summary.Destroys, summary.IsEmpty));
        Assert.Equal(
            [new("aws_s3_bucket.logs", "create"), new("aws_lb.main", "update"), new("aws_iam_role.old", "delete"), new("aws_instance.web", "replace"), new ResourceChange("aws_instance.api", "replace")],
            summary.Resources);
        Assert.Equal("3 to add, 1 to change, 3 to destroy", summary.ToString());
        Assert.Equal("create aws_s3_bucket.logs\nupdate aws_lb.main\ndelete aws_iam_role.old\nreplace aws_instance.web\nreplace aws_instance.api", summary.ResourceLines);
    }

    [Fact]
    public void Given_a_plan_without_changes_when_parsed_then_it_is_empty()
    {
        var summary = TerraformPlanSummary.Parse(new JsonObject { ["format_version"] = "1.2" });

        Assert.Equal((0, 0, 0, true, ""), (summary.Adds, summary.Changes, summary.Destroys, summary.IsEmpty, summary.ResourceLines));
        Assert.Equal("0 to add, 0 to change, 0 to destroy", summary.ToString());
    }

    [Fact]
    public void Given_changes_missing_parts_when_parsed_then_an_address_is_a_question_mark_and_no_actions_is_no_change()
    {
        var plan = new JsonObject
        {
            ["resource_changes"] = new JsonArray(
                new JsonObject { ["change"] = new JsonObject { ["actions"] = new JsonArray("create") } },
                new JsonObject { ["address"] = "aws_x.y" },
                null),
        };

        var summary = TerraformPlanSummary.Parse(plan);

        Assert.Equal([new ResourceChange("?", "create")], summary.Resources);
        Assert.Equal((1, 0, 0), (summary.Adds, summary.Changes, summary.Destroys));
    }

    [Fact]
    public void Given_resource_lines_when_parsed_back_then_each_is_an_action_and_an_address_with_spaces_kept()
    {
        Assert.Equal(
            [new ResourceChange("aws_lb.main", "update"), new ResourceChange("module.a[\"x y\"].aws_s3_bucket.b", "replace")],
            TerraformPlanSummary.ParseLines("update aws_lb.main\n\nreplace module.a[\"x y\"].aws_s3_bucket.b\n"));
        Assert.Empty(TerraformPlanSummary.ParseLines(""));
        Assert.Equal("delete aws_iam_role.old", new ResourceChange("aws_iam_role.old", "delete").ToString());
    }
}
