using Rewind.Aws.Ecs;
using Xunit;

namespace Rewind.IntegrationTests.Clients.Ecs;

public sealed class TaskDefinitionRevisionTests
{
    [Theory]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:task-definition/web:42", "web", 42)]
    [InlineData("arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/my_app-2:7", "my_app-2", 7)]
    [InlineData("arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web:1", "web", 1)]
    [InlineData("web:3", "web", 3)]
    [InlineData(" web:3 ", "web", 3)]
    public void A_task_definition_arn_or_family_revision_parses_into_family_and_revision(string text, string family, int revision)
    {
        var parsed = TaskDefinitionRevision.Parse(text);

        Assert.Equal(new TaskDefinitionRevision(family, revision), parsed);
        Assert.Equal($"{family}:{revision}", parsed.ToString());
    }

    [Theory]
    [InlineData("web")]
    [InlineData("web:")]
    [InlineData("web:0")]
    [InlineData("web:-1")]
    [InlineData("web:latest")]
    [InlineData("web:1:2")]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:service/prod/web")]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:task-definition/web")]
    [InlineData("we b:1")]
    [InlineData("")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(TaskDefinitionRevision.TryParse(text, out var parsed));
        Assert.Null(parsed);
        Assert.Throws<FormatException>(() => TaskDefinitionRevision.Parse(text));
    }
}
