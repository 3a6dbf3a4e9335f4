using System.Xml.Linq;
using Rewind.Aws.Elb;
using Xunit;

namespace Rewind.IntegrationTests.Clients.Elb;

/// <summary>The action codec without a server: exact form names, and members the client does not know.</summary>
public sealed class ElbActionCodecTests
{
    private const string Main = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/main/1";
    private const string Canary = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/canary/2";

    [Fact]
    public void Write_names_a_weighted_forward_the_way_botocore_serialises_it()
    {
        var action = new ElbAction
        {
            Type = ElbActionType.Forward,
            Order = 1,
            ForwardConfig = new()
            {
                TargetGroups = [new(Main, 90), new(Canary, 10)],
                TargetGroupStickinessConfig = new(true, 300),
            },
        };

        var fields = ElbActionCodec.Write("DefaultActions", [action]);

        Assert.Equal(
            [
                new("DefaultActions.member.1.Type", "forward"),
                new("DefaultActions.member.1.Order", "1"),
                new("DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", Main),
                new("DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "90"),
                new("DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", Canary),
                new("DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "10"),
                new("DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"),
                new("DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "300"),
            ],
            fields);
    }

    [Fact]
    public void Members_the_client_does_not_model_are_read_and_written_back_verbatim()
    {
        var xml = XElement.Parse($"""
            <member xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <Type>forward</Type>
              <ForwardConfig>
                <TargetGroups><member><TargetGroupArn>{Main}</TargetGroupArn><Weight>5</Weight><Zone>a</Zone></member></TargetGroups>
                <SpilloverMode>fail-open</SpilloverMode>
              </ForwardConfig>
              <FutureConfig>
                <Values><member>a</member><member>b</member></Values>
                <Limits><entry><key>rps</key><value>100</value></entry></Limits>
                <Enabled>true</Enabled>
                <Empty/>
              </FutureConfig>
            </member>
            """);

        var action = ElbActionCodec.Read(xml);
        var fields = ElbActionCodec.Write("Actions", [action.WithWeights(new Dictionary<string, int> { [Main] = 7 })]);

        Assert.Equal(
            [
                new("ForwardConfig.SpilloverMode", "fail-open"),
                new("ForwardConfig.TargetGroups.member.1.Zone", "a"),
                new("FutureConfig.Values.member.1", "a"),
                new("FutureConfig.Values.member.2", "b"),
                new("FutureConfig.Limits.entry.1.key", "rps"),
                new("FutureConfig.Limits.entry.1.value", "100"),
                new("FutureConfig.Enabled", "true"),
                new("FutureConfig.Empty", ""),
            ],
            action.UnmodelledMembers.OrderBy(m => m.Key.StartsWith("Future", StringComparison.Ordinal)));
        Assert.Equal(
            [
                new("Actions.member.1.Type", "forward"),
                new("Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", Main),
                new("Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "7"),
                .. action.UnmodelledMembers.Select(m => new KeyValuePair<string, string>("Actions.member.1." + m.Key, m.Value)),
            ],
            fields);
    }

    [Fact]
    public void An_oidc_client_secret_is_never_held_and_the_write_asks_to_keep_the_stored_one()
    {
        var xml = XElement.Parse("""
            <member>
              <Type>authenticate-oidc</Type><Order>1</Order>
              <AuthenticateOidcConfig>
                <Issuer>https://idp</Issuer><AuthorizationEndpoint>https://idp/a</AuthorizationEndpoint>
                <TokenEndpoint>https://idp/t</TokenEndpoint><UserInfoEndpoint>https://idp/u</UserInfoEndpoint>
                <ClientId>c</ClientId><ClientSecret>s3cret</ClientSecret>
              </AuthenticateOidcConfig>
            </member>
            """);

        var action = ElbActionCodec.Read(xml);
        var fields = ElbActionCodec.Write("DefaultActions", [action]);

        Assert.Empty(action.UnmodelledMembers);
        Assert.DoesNotContain(fields, f => f.Key.EndsWith(".ClientSecret", StringComparison.Ordinal) || f.Value == "s3cret");
        Assert.Contains(new KeyValuePair<string, string>("DefaultActions.member.1.AuthenticateOidcConfig.UseExistingClientSecret", "true"), fields);
    }

    [Fact]
    public void With_weights_refuses_a_target_group_the_action_does_not_forward_to_and_weights_outside_0_to_999()
    {
        var forward = new ElbAction { Type = ElbActionType.Forward, ForwardConfig = new() { TargetGroups = [new(Main, 1)] } };
        var redirect = new ElbAction { Type = ElbActionType.Redirect, RedirectConfig = new() { StatusCode = "HTTP_301" } };

        Assert.Throws<ArgumentException>(() => forward.WithWeights(new Dictionary<string, int> { [Canary] = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => forward.WithWeights(new Dictionary<string, int> { [Main] = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => forward.WithWeights(new Dictionary<string, int> { [Main] = -1 }));
        Assert.Throws<InvalidOperationException>(() => redirect.WithWeights(new Dictionary<string, int> { [Main] = 1 }));
        Assert.Equal(0, forward.WithWeights(new Dictionary<string, int> { [Main] = 0 }).ForwardConfig!.TargetGroups[0].Weight);
    }
}
