using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

/// <summary><c>services:</c>: several services in one file, each a whole configuration over the shared sections.</summary>
public sealed class ConfigFleetTests
{
    private const string TwoServices = $"""
        aws:
          region: eu-west-1
          profile: prod
        services:
          - name: claude-proxy-api
            cluster: claude-proxy
            ecs_service: api-service
            family: claude-proxy-api
            canary:
              listener_arn: {ListenerArn}
              main_target_group: {MainTargetGroup}
              canary_target_group: {CanaryTargetGroup}
            secrets:
              - id: claude-proxy/api-key
          - name: claude-proxy-worker
            cluster: claude-proxy
            ecs_service: worker-service
            family: claude-proxy-worker
            region: us-east-1
            role_arn: arn:aws:iam::210987654321:role/rewind
            external_id: rewind-ops
            depends_on: [claude-proxy-api]
        freeze:
          ssm_parameter: /rewind/{"{service}"}/freeze
        ledger:
          path: /var/lib/rewind/ledger.db
        """;

    private static RewindFleet Fleet(string yaml) => RewindConfigLoader.ParseFleet(yaml, Source, Environment());

    private static ConfigException FleetError(string yaml) => Assert.Throws<ConfigException>(() => Fleet(yaml));

    [Fact]
    public void Given_two_services_when_parsed_then_each_is_a_whole_configuration_with_its_own_sections_and_the_shared_ones()
    {
        var fleet = Fleet(TwoServices);

        Assert.Equal(["claude-proxy-api", "claude-proxy-worker"], fleet.Names);
        var api = fleet.Find("claude-proxy-api")!;
        var worker = fleet.Find("claude-proxy-worker")!;
        Assert.Equal(("claude-proxy", "api-service", "claude-proxy-api"), (api.Service.Cluster, api.Service.EcsService, api.Service.Family));
        Assert.Equal(("claude-proxy", "worker-service", "claude-proxy-worker"), (worker.Service.Cluster, worker.Service.EcsService, worker.Service.Family));
        Assert.Equal(ListenerArn, api.Canary!.ListenerArn);
        Assert.Null(worker.Canary);
        Assert.Equal([new SecretEntry("claude-proxy/api-key")], api.Secrets);
        Assert.Empty(worker.Secrets);
        Assert.Equal(("eu-west-1", "prod", null), (api.Aws.Region, api.Aws.Profile, api.Aws.RoleArn));
        Assert.Equal(("us-east-1", "prod", "arn:aws:iam::210987654321:role/rewind", "rewind-ops"),
            (worker.Aws.Region, worker.Aws.Profile, worker.Aws.RoleArn, worker.Aws.ExternalId));
        Assert.Same(api.Ledger, worker.Ledger);
        Assert.Equal("/rewind/claude-proxy-worker/freeze", worker.FreezeParameterName);
        Assert.Equal(["claude-proxy-api"], fleet.DependsOn("claude-proxy-worker"));
        Assert.Empty(fleet.DependsOn("claude-proxy-api"));
        Assert.Null(fleet.Find("nope"));
    }

    [Fact]
    public void Given_two_services_when_one_is_selected_then_it_is_the_one_and_without_a_name_the_names_are_listed()
    {
        var fleet = Fleet(TwoServices);

        Assert.Equal("claude-proxy-worker", fleet.One(["claude-proxy-worker"]).Service.Name);
        Assert.Equal(["claude-proxy-api", "claude-proxy-worker"], fleet.Select([]).Select(c => c.Service.Name));
        Assert.Equal(["claude-proxy-api", "claude-proxy-worker"], fleet.Select(["claude-proxy-worker", "claude-proxy-api"]).Select(c => c.Service.Name));
        Assert.Equal("rewind.yaml has 2 services (claude-proxy-api, claude-proxy-worker): pass --service NAME",
            Assert.Throws<ConfigException>(() => fleet.OnlyService).Message);
        Assert.Equal("rewind.yaml has no service 'claude-proxy-wroker' (did you mean 'claude-proxy-worker'?): pass --service with one of claude-proxy-api, claude-proxy-worker",
            Assert.Throws<ConfigException>(() => fleet.One(["claude-proxy-wroker"])).Message);
        Assert.Equal(FailureKind.BadInput, Assert.Throws<ConfigException>(() => fleet.Select(["x"])).Kind);
        Assert.StartsWith("this command works on one service",
            Assert.Throws<ConfigException>(() => fleet.One(["claude-proxy-api", "claude-proxy-worker"])).Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => RewindConfigLoader.Parse(TwoServices, Source, Environment()));
    }

    [Fact]
    public void Given_a_file_with_one_service_section_when_parsed_as_a_fleet_then_it_is_a_fleet_of_one_equal_to_the_single_parse()
    {
        var yaml = $"service:\n  name: api\n  cluster: c\ncanary:\n  listener_arn: {ListenerArn}\n  main_target_group: {MainTargetGroup}\n  canary_target_group: {CanaryTargetGroup}\n";

        var fleet = Fleet(yaml);

        Assert.Equal(["api"], fleet.Names);
        Assert.Equal(Parse(yaml), fleet.OnlyService);
        Assert.Equal(Parse(yaml), fleet.One([]));
        Assert.Equal(Parse(yaml), fleet.One(["api"]));
        Assert.Equal(Parse(string.Empty), Fleet(string.Empty).OnlyService);
    }

    [Fact]
    public void Given_a_service_in_a_list_when_written_with_the_same_keys_as_a_single_service_then_it_reads_the_same()
    {
        var single = Parse($"service:\n  name: api\n  cluster: c\n  deploy_timeout: 3m\nsmoke:\n  url: http://api.example\n  retries: 1\nverify:\n  alarms: [api-5xx]\n");
        var listed = Fleet($"services:\n  - name: api\n    cluster: c\n    deploy_timeout: 3m\n    smoke:\n      url: http://api.example\n      retries: 1\n    verify:\n      alarms: [api-5xx]\n").OnlyService;

        Assert.Equal(single, listed);
    }

    [Fact]
    public void Given_a_shared_role_when_a_service_sets_its_own_or_none_then_each_gets_the_role_and_external_id_that_go_together()
    {
        var fleet = Fleet("""
            aws:
              role_arn: arn:aws:iam::111111111111:role/shared
              external_id: shared-id
            services:
              - name: a
                ecs_service: a
              - name: b
                ecs_service: b
                external_id: b-id
              - name: c
                ecs_service: c
                role_arn: arn:aws:iam::222222222222:role/own
            """);

        Assert.Equal(("arn:aws:iam::111111111111:role/shared", "shared-id"), (fleet.Find("a")!.Aws.RoleArn, fleet.Find("a")!.Aws.ExternalId));
        Assert.Equal(("arn:aws:iam::111111111111:role/shared", "b-id"), (fleet.Find("b")!.Aws.RoleArn, fleet.Find("b")!.Aws.ExternalId));
        Assert.Equal(("arn:aws:iam::222222222222:role/own", (string?)null), (fleet.Find("c")!.Aws.RoleArn, fleet.Find("c")!.Aws.ExternalId));
    }

    [Theory]
    [InlineData("services:\n  - name: api\n    ecs_service: a\n  - name: api\n    ecs_service: b\n",
        "rewind.yaml:4:11: services[1].name 'api' is listed twice (first at line 2): give each service its own name")]
    [InlineData("services:\n  - name: api\n    depends_on: [wroker]\n  - name: worker\n    ecs_service: w\n",
        "rewind.yaml:3:18: services[0].depends_on[0] 'wroker' is not a service of this file (did you mean 'worker'?): use one of api, worker")]
    [InlineData("services:\n  - name: a\n    ecs_service: a\n    depends_on: [b]\n  - name: b\n    ecs_service: b\n    depends_on: [a]\n",
        "rewind.yaml:4:18: services depend on each other in a cycle: a → b → a: remove one of these depends_on")]
    [InlineData("services:\n  - name: a\n    ecs_service: a\n    depends_on: [b]\n  - name: b\n    ecs_service: b\n    depends_on: [c]\n  - name: c\n    ecs_service: c\n    depends_on: [b]\n",
        "rewind.yaml:7:18: services depend on each other in a cycle: b → c → b: remove one of these depends_on")]
    [InlineData("services:\n  - name: a\n    depends_on: [a]\n",
        "rewind.yaml:3:18: services depend on each other in a cycle: a → a: remove one of these depends_on")]
    [InlineData("service:\n  name: api\nservices:\n  - name: worker\n",
        "rewind.yaml:1:1: service and services cannot both be set: make service an item of services (with a name), or remove services")]
    [InlineData("services:\n  - name: api\nsmoke:\n  url: http://x\n",
        "rewind.yaml:3:1: smoke is per service when services is set: move it into the services it belongs to, as services[N].smoke")]
    [InlineData("services:\n  - name: api\nsecrets:\n  - id: s\n",
        "rewind.yaml:3:1: secrets is per service when services is set: move it into the services it belongs to, as services[N].secrets")]
    [InlineData("services:\n  - name: api\n    cluster: c\n    ecs_service: s\n  - name: api2\n    cluster: arn:aws:ecs:eu-west-1:123456789012:cluster/c\n    ecs_service: s\n",
        "rewind.yaml:7:18: services[1] 'api2' is the same ECS service as services[0] 'api' (c/s): list each ECS service once")]
    [InlineData("services:\n  - name: api\n  - name: worker\n",
        "rewind.yaml:3:11: services[1] 'worker' is the same ECS service as services[0] 'api' (claude-proxy/api-service): list each ECS service once")]
    [InlineData("services:\n  - cluster: c\n",
        "rewind.yaml:2:5: services[0].name is required: the service's name, such as api")]
    [InlineData("services: []\n",
        "rewind.yaml:1:11: services is empty: list at least one service, such as '- name: api'")]
    [InlineData("services:\n  - name: api\n    smoke: {}\n",
        "rewind.yaml:2:5: services[0] 'api': smoke.url is required when smoke is set: the service's base URL, such as http://my-alb-123.eu-west-1.elb.amazonaws.com")]
    [InlineData("services:\n  - name: api\n    external_id: x1\n",
        "rewind.yaml:3:5: services[0].external_id is only used with role_arn: set services[0].role_arn, or remove it")]
    [InlineData("services:\n  - name: api\n    role_arn: arn:aws:iam::123:role/x\n",
        "rewind.yaml:3:15: services[0].role_arn 'arn:aws:iam::123:role/x' is not an IAM role ARN: write arn:aws:iam::ACCOUNT:role/NAME")]
    [InlineData("services:\n  - name: api\n    clustr: c\n",
        "rewind.yaml:3:5: unknown key 'clustr' in services[0] (did you mean 'cluster'?)")]
    public void Given_a_bad_fleet_when_parsed_then_one_positioned_line_names_the_problem(string yaml, string expected)
    {
        var error = FleetError(yaml);

        Assert.Equal(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(FailureKind.BadInput, error.Kind);
    }
}
