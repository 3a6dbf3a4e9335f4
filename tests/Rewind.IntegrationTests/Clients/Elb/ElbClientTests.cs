using Rewind.Aws.Elb;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Clients.Elb;

// Every ELBv2 operation is a form POST, so all of these run with moto's signature checking on.
[Collection("signed-emulator")]
public sealed class ElbClientTests(SignedEmulatorFixture emulator)
{
    private readonly AwsTransport _transport = ClientFactory.Transport(emulator);

    private ElbSeed Seed => new(_transport);

    private ElbClient Elb => new(_transport);

    [Fact]
    public async Task Describe_listeners_reads_the_weighted_forward_and_its_stickiness_by_listener_and_by_load_balancer()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);

        var byArn = Assert.Single(await Elb.DescribeListenersAsync([alb.ListenerArn], ct));
        var byLoadBalancer = Assert.Single(await Elb.DescribeListenersOfLoadBalancerAsync(alb.LoadBalancerArn, ct));

        Assert.Equivalent(byArn, byLoadBalancer, strict: true);
        Assert.Equal(alb.ListenerArn, byArn.ListenerArn);
        Assert.Equal(alb.LoadBalancerArn, byArn.LoadBalancerArn);
        Assert.Equal(80, byArn.Port);
        Assert.Equal("HTTP", byArn.Protocol);
        var action = Assert.Single(byArn.DefaultActions);
        Assert.True(action.IsForward);
        Assert.Equal(1, action.Order);
        Assert.Null(action.TargetGroupArn);
        Assert.Equal([new WeightedTargetGroup(alb.MainArn, 90), new WeightedTargetGroup(alb.CanaryArn, 10)], action.ForwardConfig!.TargetGroups);
        Assert.Equal(new TargetGroupStickiness(true, 300), action.ForwardConfig.TargetGroupStickinessConfig);
        Assert.Empty(action.UnmodelledMembers);
    }

    [Fact]
    public async Task Modify_listener_sets_the_weights_to_100_0_and_keeps_stickiness_and_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var before = Assert.Single(await Elb.DescribeListenersAsync([alb.ListenerArn], ct));

        var rewritten = before.DefaultActions.Select(a => a.WithWeights(Weights(alb, 100, 0))).ToList();
        var returned = await Elb.ModifyListenerAsync(alb.ListenerArn, rewritten, ct);
        var after = Assert.Single(await Elb.DescribeListenersAsync([alb.ListenerArn], ct));

        Assert.Equivalent(after, returned, strict: true);
        Assert.Equivalent(before with { DefaultActions = rewritten }, after, strict: true);
        var forward = Assert.Single(after.DefaultActions).ForwardConfig!;
        Assert.Equal([new WeightedTargetGroup(alb.MainArn, 100), new WeightedTargetGroup(alb.CanaryArn, 0)], forward.TargetGroups);
        Assert.Equal(new TargetGroupStickiness(true, 300), forward.TargetGroupStickinessConfig);
        Assert.Equal(1, after.DefaultActions[0].Order);
    }

    [Fact]
    public async Task Modify_rule_sets_the_weights_and_carries_the_oidc_action_and_the_conditions_through_unchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var ruleArn = await Seed.CreateRuleAsync(alb.ListenerArn, 10, "api", [.. OidcAction("Actions.member.1"), .. ElbSeed.WeightedForward("Actions.member.2", alb.MainArn, 90, alb.CanaryArn, 10, order: 2)], ct);

        var before = Assert.Single(await Elb.DescribeRulesAsync([ruleArn], ct));
        Assert.Equal("10", before.Priority);
        Assert.False(before.IsDefault);
        Assert.Equal(2, before.Actions.Count);
        var oidc = before.Actions[0].AuthenticateOidcConfig!;
        Assert.Equal((ElbActionType.AuthenticateOidc, 1), (before.Actions[0].Type, before.Actions[0].Order));
        Assert.Equal("https://idp.example.com", oidc.Issuer);
        Assert.Equal("https://idp.example.com/auth", oidc.AuthorizationEndpoint);
        Assert.Equal("https://idp.example.com/token", oidc.TokenEndpoint);
        Assert.Equal("https://idp.example.com/userinfo", oidc.UserInfoEndpoint);
        Assert.Equal("client-1", oidc.ClientId);
        Assert.Equal("AWSELBAuth", oidc.SessionCookieName);
        Assert.Equal("openid email", oidc.Scope);
        Assert.Equal(604800, oidc.SessionTimeout);
        Assert.Equal([new("prompt", "login"), new("display", "page")], oidc.AuthenticationRequestExtraParams!);
        Assert.Equal("authenticate", oidc.OnUnauthenticatedRequest);
        // moto echoes the client secret (AWS never returns it); the client must not keep it anywhere.
        Assert.DoesNotContain(before.Actions[0].UnmodelledMembers, m => m.Value.Contains("s3cret", StringComparison.Ordinal));

        var rewritten = before.Actions.Select(a => a.IsForward ? a.WithWeights(Weights(alb, 100, 0)) : a).ToList();
        var returned = await Elb.ModifyRuleAsync(ruleArn, rewritten, ct);
        var after = Assert.Single(await Elb.DescribeRulesAsync([ruleArn], ct));

        Assert.Equivalent(after, returned, strict: true);
        Assert.Equivalent(before with { Actions = rewritten }, after, strict: true);
        Assert.Equal([100, 0], after.Actions[1].ForwardConfig!.TargetGroups.Select(g => g.Weight));
        Assert.Equal(new TargetGroupStickiness(true, 300), after.Actions[1].ForwardConfig!.TargetGroupStickinessConfig);
        var raw = (await Seed.DescribeRuleXmlAsync(ruleArn, ct)).ToString();
        Assert.Contains("/api/*", raw, StringComparison.Ordinal);
        // The secret was not sent back: moto stores the action as given, so it now holds UseExistingClientSecret
        // instead (AWS keeps its stored secret).
        Assert.DoesNotContain("s3cret", raw, StringComparison.Ordinal);
        Assert.Contains("<UseExistingClientSecret>true</UseExistingClientSecret>", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ElbActionType.Redirect)]
    [InlineData(ElbActionType.FixedResponse)]
    [InlineData(ElbActionType.AuthenticateCognito)]
    public async Task Modify_rule_writes_back_every_member_it_read_for_each_action_type(string type)
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        List<KeyValuePair<string, string>> fields = type switch
        {
            ElbActionType.Redirect =>
            [
                new("Actions.member.1.Type", "redirect"),
                new("Actions.member.1.Order", "1"),
                new("Actions.member.1.RedirectConfig.Protocol", "HTTPS"),
                new("Actions.member.1.RedirectConfig.Port", "443"),
                new("Actions.member.1.RedirectConfig.Host", "#{host}"),
                new("Actions.member.1.RedirectConfig.Path", "/v2/#{path}"),
                new("Actions.member.1.RedirectConfig.Query", "#{query}&from=v1"),
                new("Actions.member.1.RedirectConfig.StatusCode", "HTTP_301"),
            ],
            ElbActionType.FixedResponse =>
            [
                new("Actions.member.1.Type", "fixed-response"),
                new("Actions.member.1.FixedResponseConfig.StatusCode", "503"),
                new("Actions.member.1.FixedResponseConfig.ContentType", "text/plain"),
                new("Actions.member.1.FixedResponseConfig.MessageBody", "down for maintenance & back soon"),
            ],
            _ =>
            [
                new("Actions.member.1.Type", "authenticate-cognito"),
                new("Actions.member.1.Order", "1"),
                new("Actions.member.1.AuthenticateCognitoConfig.UserPoolArn", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"),
                new("Actions.member.1.AuthenticateCognitoConfig.UserPoolClientId", "client-2"),
                new("Actions.member.1.AuthenticateCognitoConfig.UserPoolDomain", "auth-example"),
                new("Actions.member.1.AuthenticateCognitoConfig.SessionCookieName", "AWSELBCognito"),
                new("Actions.member.1.AuthenticateCognitoConfig.Scope", "openid"),
                new("Actions.member.1.AuthenticateCognitoConfig.SessionTimeout", "3600"),
                new("Actions.member.1.AuthenticateCognitoConfig.AuthenticationRequestExtraParams.entry.1.key", "lang"),
                new("Actions.member.1.AuthenticateCognitoConfig.AuthenticationRequestExtraParams.entry.1.value", "en"),
                new("Actions.member.1.AuthenticateCognitoConfig.OnUnauthenticatedRequest", "deny"),
                // The legacy single-group forward: TargetGroupArn only.
                new("Actions.member.2.Type", "forward"),
                new("Actions.member.2.Order", "2"),
                new("Actions.member.2.TargetGroupArn", alb.MainArn),
            ],
        };
        var ruleArn = await Seed.CreateRuleAsync(alb.ListenerArn, 20, "legacy", fields, ct);

        var before = Assert.Single(await Elb.DescribeRulesAsync([ruleArn], ct));
        Assert.Equal(type, before.Actions[0].Type);
        var returned = await Elb.ModifyRuleAsync(ruleArn, before.Actions, ct);
        var after = Assert.Single(await Elb.DescribeRulesAsync([ruleArn], ct));

        Assert.Equivalent(before, returned, strict: true);
        Assert.Equivalent(before, after, strict: true);
        Assert.All(after.Actions, a => Assert.Empty(a.UnmodelledMembers));
        switch (type)
        {
            case ElbActionType.Redirect:
                Assert.Equal(
                    new RedirectConfig { StatusCode = "HTTP_301", Protocol = "HTTPS", Port = "443", Host = "#{host}", Path = "/v2/#{path}", Query = "#{query}&from=v1" },
                    after.Actions[0].RedirectConfig);
                break;
            case ElbActionType.FixedResponse:
                Assert.Equal(
                    new FixedResponseConfig { StatusCode = "503", ContentType = "text/plain", MessageBody = "down for maintenance & back soon" },
                    after.Actions[0].FixedResponseConfig);
                Assert.Null(after.Actions[0].Order);
                break;
            default:
                var cognito = after.Actions[0].AuthenticateCognitoConfig!;
                Assert.Equal(("client-2", "auth-example", 3600L, "deny"), (cognito.UserPoolClientId, cognito.UserPoolDomain, cognito.SessionTimeout!.Value, cognito.OnUnauthenticatedRequest!));
                Assert.Equal([new("lang", "en")], cognito.AuthenticationRequestExtraParams!);
                // moto keeps a TargetGroupArn-only forward as sent; AWS would also return the equivalent ForwardConfig.
                Assert.Equal(alb.MainArn, after.Actions[1].TargetGroupArn);
                Assert.Null(after.Actions[1].ForwardConfig);
                break;
        }
    }

    [Fact]
    public async Task Modify_listener_writes_a_jwt_validation_action_in_front_of_the_forward_and_reads_it_back()
    {
        // moto refuses jwt-validation in CreateRule/ModifyRule (its list of action types predates it) but does not
        // validate ModifyListener's actions, so the listener is where this member set can be checked end to end.
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var forward = Assert.Single(Assert.Single(await Elb.DescribeListenersAsync([alb.ListenerArn], ct)).DefaultActions);
        ElbAction[] actions =
        [
            new()
            {
                Type = ElbActionType.JwtValidation,
                Order = 1,
                JwtValidationConfig = new()
                {
                    JwksEndpoint = "https://idp.example.com/.well-known/jwks.json",
                    Issuer = "https://idp.example.com",
                    AdditionalClaims = [new("string-array", "groups", ["admins", "ops"]), new("single-string", "tenant", ["acme"])],
                },
            },
            forward with { Order = 2 },
        ];

        await Elb.ModifyListenerAsync(alb.ListenerArn, actions, ct);
        var after = Assert.Single(await Elb.DescribeListenersAsync([alb.ListenerArn], ct));

        Assert.Equivalent(actions, after.DefaultActions, strict: true);
    }

    [Fact]
    public async Task Describe_rules_of_a_listener_walks_every_page_and_ends_with_the_default_rule()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        await Seed.CreateRuleAsync(alb.ListenerArn, 1, "one", ElbSeed.WeightedForward("Actions.member.1", alb.MainArn, 50, alb.CanaryArn, 50), ct);
        await Seed.CreateRuleAsync(alb.ListenerArn, 2, "two", ElbSeed.WeightedForward("Actions.member.1", alb.MainArn, 80, alb.CanaryArn, 20), ct);
        var pages = 0;
        _transport.Sending += (_, request) => pages += request.Operation == "DescribeRules" ? 1 : 0;

        var rules = await new ElbClient(_transport, pageSize: 1).DescribeRulesOfListenerAsync(alb.ListenerArn, ct);

        Assert.Equal(3, pages);
        Assert.Equal(["1", "2", "default"], rules.Select(r => r.Priority));
        Assert.Equal([false, false, true], rules.Select(r => r.IsDefault));
        Assert.Equal([50, 80, 90], rules.Select(r => r.Actions[0].ForwardConfig!.TargetGroups[0].Weight!.Value));
    }

    [Fact]
    public async Task Describe_listeners_of_a_load_balancer_returns_all_of_them_in_one_page_because_moto_ignores_page_size()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var second = await Seed.CreateListenerAsync(alb.LoadBalancerArn, 8080, ElbSeed.WeightedForward("DefaultActions.member.1", alb.MainArn, 1, alb.CanaryArn, 0), ct);
        var pages = 0;
        _transport.Sending += (_, request) => pages += request.Operation == "DescribeListeners" ? 1 : 0;

        var listeners = await new ElbClient(_transport, pageSize: 1).DescribeListenersOfLoadBalancerAsync(alb.LoadBalancerArn, ct);

        // AWS would answer one listener and a NextMarker; moto answers both and no marker.
        Assert.Equal(1, pages);
        Assert.Equal([alb.ListenerArn, second], listeners.Select(l => l.ListenerArn));
        Assert.Equal([80, 8080], listeners.Select(l => l.Port!.Value));
    }

    [Fact]
    public async Task Describe_target_groups_finds_them_by_arn_and_by_name()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);

        var byArn = await Elb.DescribeTargetGroupsAsync([alb.MainArn, alb.CanaryArn], ct);
        var byName = await Elb.DescribeTargetGroupsByNameAsync([$"rw-{alb.Suffix}-main", $"rw-{alb.Suffix}-canary"], ct);

        Assert.Equivalent(byArn, byName, strict: true);
        var main = Assert.Single(byArn, g => g.TargetGroupArn == alb.MainArn);
        Assert.Equal($"rw-{alb.Suffix}-main", main.TargetGroupName);
        Assert.Equal(("HTTP", 80, alb.VpcId, "ip", "/healthz"), (main.Protocol!, main.Port!.Value, main.VpcId!, main.TargetType!, main.HealthCheckPath!));
        Assert.Equal([alb.LoadBalancerArn], main.LoadBalancerArns);
        Assert.Contains(byArn, g => g.TargetGroupArn == alb.CanaryArn && g.TargetGroupName == $"rw-{alb.Suffix}-canary");
    }

    [Fact]
    public async Task Describe_target_health_reports_each_targets_state_and_the_reason_it_is_not_healthy()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var group = await Seed.CreateTargetGroupAsync($"rw-{alb.Suffix}-ec2", alb.VpcId, "instance", ct);
        var running = await Seed.RunInstanceAsync(alb.SubnetIds[0], ct);
        var stopped = await Seed.RunInstanceAsync(alb.SubnetIds[1], ct);
        await Seed.RegisterTargetsAsync(group, [running, stopped], 8080, ct);
        await Seed.StopInstanceAsync(stopped, ct);

        var health = await Elb.DescribeTargetHealthAsync(group, ct);

        Assert.Equal(2, health.Count);
        var up = Assert.Single(health, t => t.Id == running);
        Assert.True(up.IsHealthy);
        Assert.Equal((8080, TargetHealthState.Healthy), (up.Port!.Value, up.State));
        Assert.Null(up.Reason);
        var down = Assert.Single(health, t => t.Id == stopped);
        Assert.False(down.IsHealthy);
        Assert.Equal((8080, TargetHealthState.Unused, "Target.InvalidState"), (down.Port!.Value, down.State, down.Reason!));
        Assert.NotNull(down.Description);
    }

    [Fact]
    public async Task Describe_target_health_of_an_empty_target_group_is_empty()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);

        Assert.Empty(await Elb.DescribeTargetHealthAsync(alb.CanaryArn, ct));
    }

    [Fact]
    public async Task Unknown_arns_fail_with_the_aws_not_found_codes()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var missingListener = alb.ListenerArn[..^4] + "0000";
        var missingGroup = alb.MainArn.Replace("-main/", "-gone/", StringComparison.Ordinal);

        var listener = await Assert.ThrowsAsync<AwsServiceException>(() => Elb.DescribeListenersAsync([missingListener], ct));
        var rule = await Assert.ThrowsAsync<AwsServiceException>(() => Elb.DescribeRulesAsync([alb.ListenerArn.Replace(":listener/", ":listener-rule/", StringComparison.Ordinal) + "/0000"], ct));
        var group = await Assert.ThrowsAsync<AwsServiceException>(() => Elb.DescribeTargetHealthAsync(missingGroup, ct));

        Assert.Equal(("ListenerNotFound", 400), (listener.Code, listener.HttpStatus));
        Assert.Equal("RuleNotFound", rule.Code);
        Assert.Equal("TargetGroupNotFound", group.Code);
    }

    [Fact]
    public async Task A_wrong_secret_key_is_refused_with_SignatureDoesNotMatch()
    {
        var ct = TestContext.Current.CancellationToken;
        var alb = await Seed.CreateWeightedAlbAsync(ct);
        var wronglySigned = new ElbClient(ClientFactory.WronglySignedTransport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => wronglySigned.DescribeListenersAsync([alb.ListenerArn], ct));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(403, error.HttpStatus);
        Assert.True(error.IsAuthFailure);
    }

    private static Dictionary<string, int> Weights(WeightedAlb alb, int main, int canary) =>
        new(StringComparer.Ordinal) { [alb.MainArn] = main, [alb.CanaryArn] = canary };

    private static List<KeyValuePair<string, string>> OidcAction(string prefix) =>
    [
        new($"{prefix}.Type", "authenticate-oidc"),
        new($"{prefix}.Order", "1"),
        new($"{prefix}.AuthenticateOidcConfig.Issuer", "https://idp.example.com"),
        new($"{prefix}.AuthenticateOidcConfig.AuthorizationEndpoint", "https://idp.example.com/auth"),
        new($"{prefix}.AuthenticateOidcConfig.TokenEndpoint", "https://idp.example.com/token"),
        new($"{prefix}.AuthenticateOidcConfig.UserInfoEndpoint", "https://idp.example.com/userinfo"),
        new($"{prefix}.AuthenticateOidcConfig.ClientId", "client-1"),
        new($"{prefix}.AuthenticateOidcConfig.ClientSecret", "s3cret"),
        new($"{prefix}.AuthenticateOidcConfig.SessionCookieName", "AWSELBAuth"),
        new($"{prefix}.AuthenticateOidcConfig.Scope", "openid email"),
        new($"{prefix}.AuthenticateOidcConfig.SessionTimeout", "604800"),
        new($"{prefix}.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key", "prompt"),
        new($"{prefix}.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value", "login"),
        new($"{prefix}.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.key", "display"),
        new($"{prefix}.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.value", "page"),
        new($"{prefix}.AuthenticateOidcConfig.OnUnauthenticatedRequest", "authenticate"),
    ];
}
