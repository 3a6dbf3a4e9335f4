"""Tests for service revisions, service deployments and the BLUE_GREEN / LINEAR / CANARY shapes
(emulator/rewind_emulator/ecs_deployments.py) against a real moto_server process, driven with boto3.

Its own server (the launcher of MotoServer.cs) with short stages: REWIND_MOTO_STAGE_SECONDS=0.1,
REWIND_MOTO_MINUTE_SECONDS=0.2, REWIND_MOTO_ROLLOUT_SECONDS=0.5. Every test has its own cluster and load balancer.
"""

from __future__ import annotations

import json
import time
import unittest
import uuid
from typing import Any

from botocore.exceptions import ClientError

from _server import Server

STAGE, MINUTE, ROLLOUT = 0.1, 0.2, 0.5
SERVER = Server({"REWIND_MOTO_ROLLOUT_SECONDS": str(ROLLOUT), "REWIND_MOTO_STAGE_SECONDS": str(STAGE),
                 "REWIND_MOTO_MINUTE_SECONDS": str(MINUTE)})
_http = SERVER.http
client = SERVER.client


def setUpModule() -> None:
    SERVER.start()


def tearDownModule() -> None:
    SERVER.stop()


class DeploymentCase(unittest.TestCase):
    def setUp(self) -> None:
        self.ecs, self.elb, self.ec2 = client("ecs"), client("elbv2"), client("ec2")
        self.cluster = f"c-{uuid.uuid4().hex[:8]}"
        self.family = f"fam-{uuid.uuid4().hex[:8]}"
        self.ecs.create_cluster(clusterName=self.cluster)
        self.revisions = [self.register(f"v{n}") for n in range(1, 5)]

    def register(self, tag: str) -> str:
        return self.ecs.register_task_definition(
            family=self.family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
            containerDefinitions=[{"name": "api", "image": f"repo/api:{tag}", "essential": True,
                                   "portMappings": [{"containerPort": 8080}]}],
        )["taskDefinition"]["taskDefinitionArn"]

    def load_balancer(self) -> dict[str, str]:
        """Two target groups, a listener, a production rule and a test rule, both forwarding to blue."""
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
                   ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
        name = uuid.uuid4().hex[:10]
        lb = self.elb.create_load_balancer(Name=f"lb-{name}", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        blue, green = (self.elb.create_target_group(Name=f"{color}-{name}", Protocol="HTTP", Port=8080, VpcId=vpc,
                                                    TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
                       for color in ("blue", "green"))
        listener = self.elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": blue}])["Listeners"][0]["ListenerArn"]

        def rule(priority: int, path: str) -> str:
            return self.elb.create_rule(ListenerArn=listener, Priority=priority, Conditions=[
                {"Field": "path-pattern", "Values": [path]}], Actions=[{"Type": "forward", "TargetGroupArn": blue}]
            )["Rules"][0]["RuleArn"]

        return {"blue": blue, "green": green, "production": rule(1, "/*"), "test": rule(2, "/test/*")}

    def create_shifting_service(self, strategy: str, hooks: list[dict[str, Any]] | None = None,
                                **config: Any) -> dict[str, str]:
        lb = self.load_balancer()
        deployment_configuration = {"strategy": strategy, "bakeTimeInMinutes": config.pop("bake", 1), **config}
        if hooks:
            deployment_configuration["lifecycleHooks"] = hooks
        self.ecs.create_service(
            cluster=self.cluster, serviceName="api-service", taskDefinition=self.revisions[1], desiredCount=2,
            launchType="FARGATE", deploymentConfiguration=deployment_configuration,
            loadBalancers=[{"targetGroupArn": lb["blue"], "containerName": "api", "containerPort": 8080,
                            "advancedConfiguration": {"alternateTargetGroupArn": lb["green"],
                                                      "productionListenerRule": lb["production"],
                                                      "testListenerRule": lb["test"],
                                                      "roleArn": "arn:aws:iam::123456789012:role/ecs-lb"}}])
        return lb

    def create_rolling_service(self, tag_index: int = 1) -> None:
        self.ecs.create_service(cluster=self.cluster, serviceName="api-service",
                                taskDefinition=self.revisions[tag_index], desiredCount=2, launchType="FARGATE")

    def deploy(self, revision: int) -> None:
        self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=self.revisions[revision])

    def service(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=["api-service"])["services"][0]

    def deployments(self) -> list[dict[str, Any]]:
        briefs = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service")["serviceDeployments"]
        arns = [b["serviceDeploymentArn"] for b in briefs]
        return self.ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"] if arns else []

    def latest(self) -> dict[str, Any]:
        return self.deployments()[0]

    def wait_for(self, predicate: Any, timeout: float = 8.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            latest = self.latest()
            if predicate(latest):
                return latest
            if time.monotonic() > deadline:
                self.fail(f"condition not reached in {timeout} s; last: {json.dumps(latest, default=str)[:3000]}")
            time.sleep(0.02)

    def weights(self, rule_arn: str) -> dict[str, int]:
        rule = self.elb.describe_rules(RuleArns=[rule_arn])["Rules"][0]
        groups = rule["Actions"][0]["ForwardConfig"]["TargetGroups"]
        return {g["TargetGroupArn"]: g["Weight"] for g in groups}


class RollingDeploymentTests(DeploymentCase):
    def test_the_first_deployment_is_successful_with_its_revision(self) -> None:
        self.create_rolling_service()
        [first] = self.deployments()
        self.assertEqual(first["status"], "SUCCESSFUL")
        self.assertRegex(first["serviceDeploymentArn"],
                         rf"^arn:aws:ecs:us-east-1:\d{{12}}:service-deployment/{self.cluster}/api-service/[\w-]+$")
        target = first["targetServiceRevision"]
        self.assertRegex(target["arn"], rf":service-revision/{self.cluster}/api-service/\d+$")
        self.assertEqual((target["requestedTaskCount"], target["runningTaskCount"]), (2, 2))
        self.assertEqual(first["sourceServiceRevisions"], [])
        [revision] = self.ecs.describe_service_revisions(serviceRevisionArns=[target["arn"]])["serviceRevisions"]
        self.assertEqual(revision["taskDefinition"], self.revisions[1])
        self.assertEqual(self.service()["currentServiceDeployment"], first["serviceDeploymentArn"])

    def test_an_update_is_in_progress_then_successful(self) -> None:
        self.create_rolling_service()
        self.deploy(3)
        latest = self.latest()
        self.assertEqual(latest["status"], "IN_PROGRESS")
        [source] = latest["sourceServiceRevisions"]
        revisions = self.ecs.describe_service_revisions(
            serviceRevisionArns=[source["arn"], latest["targetServiceRevision"]["arn"]])["serviceRevisions"]
        self.assertEqual([r["taskDefinition"] for r in revisions], [self.revisions[1], self.revisions[3]])
        done = self.wait_for(lambda d: d["status"] == "SUCCESSFUL")
        self.assertIn("finishedAt", done)
        self.assertEqual(self.service()["deployments"][0]["rolloutState"], "COMPLETED")

    def test_a_circuit_breaker_rollback_is_rollback_successful(self) -> None:
        self.create_rolling_service()
        broken = self.register("v5-broken")
        self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=broken)
        done = self.wait_for(lambda d: d["status"] == "ROLLBACK_SUCCESSFUL", timeout=10)
        self.assertEqual(done["rollback"]["reason"], "ECS deployment circuit breaker: tasks failed to start.")
        self.assertEqual(done["rollback"]["serviceRevisionArn"], done["sourceServiceRevisions"][0]["arn"])
        self.assertEqual(done["deploymentCircuitBreaker"]["status"], "TRIGGERED")
        self.assertEqual(self.service()["taskDefinition"], self.revisions[1])

    def test_revisions_of_a_too_old_task_definition_cannot_be_described(self) -> None:
        self.create_rolling_service()
        self.deploy(3)
        latest = self.latest()
        source, target = latest["sourceServiceRevisions"][0]["arn"], latest["targetServiceRevision"]["arn"]
        status, info = _http("POST", "/rewind-api/config", {"tooOldTaskDefinitions": [self.revisions[1]]})
        self.addCleanup(_http, "POST", "/rewind-api/config", {"tooOldTaskDefinitions": []})
        self.assertEqual((status, info["tooOldTaskDefinitions"]), (200, [self.revisions[1]]))
        answer = self.ecs.describe_service_revisions(serviceRevisionArns=[source, target])
        self.assertEqual([r["taskDefinition"] for r in answer["serviceRevisions"]], [self.revisions[3]])
        self.assertEqual(answer["failures"], [{"arn": source, "reason": "MISSING"}])
        self.assertEqual(self.latest()["sourceServiceRevisions"][0]["arn"], source)  # the deployments still list it
        _http("POST", "/rewind-api/config", {"tooOldTaskDefinitions": []})
        self.assertEqual(len(self.ecs.describe_service_revisions(serviceRevisionArns=[source])["serviceRevisions"]), 1)
        for bad in ("arn", [""], [1]):
            status, error = _http("POST", "/rewind-api/config", {"tooOldTaskDefinitions": bad})
            self.assertEqual(status, 400)
            self.assertIn("tooOldTaskDefinitions must be a list of task definition ARNs", error["error"])

    def test_stop_rolls_back_with_a_new_primary_of_the_source(self) -> None:
        self.create_rolling_service()
        self.deploy(3)
        arn = self.latest()["serviceDeploymentArn"]
        self.assertEqual(self.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
                         ["serviceDeploymentArn"], arn)
        self.assertEqual(self.latest()["status"], "ROLLBACK_REQUESTED")
        service = self.service()
        self.assertEqual(service["taskDefinition"], self.revisions[1])
        self.assertEqual(service["deployments"][0]["taskDefinition"], self.revisions[1])
        self.assertEqual(service["deployments"][0]["status"], "PRIMARY")
        done = self.wait_for(lambda d: d["status"] == "ROLLBACK_SUCCESSFUL")
        self.assertEqual(done["rollback"]["reason"],
                         "Service deployment rolled back by a StopServiceDeployment request.")
        self.assertEqual([d["taskDefinition"] for d in self.service()["deployments"]], [self.revisions[1]])

    def test_stopping_a_finished_deployment_is_a_conflict(self) -> None:
        self.create_rolling_service()
        arn = self.latest()["serviceDeploymentArn"]
        with self.assertRaises(ClientError) as e:
            self.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
        self.assertEqual(e.exception.response["Error"]["Code"], "ConflictException")
        with self.assertRaises(ClientError) as e:
            self.ecs.stop_service_deployment(serviceDeploymentArn=arn[:-3] + "zzz", stopType="ROLLBACK")
        self.assertEqual(e.exception.response["Error"]["Code"], "ServiceDeploymentNotFoundException")

    def test_list_filters_and_pages(self) -> None:
        self.create_rolling_service()
        self.deploy(2)
        self.wait_for(lambda d: d["status"] == "SUCCESSFUL")
        time.sleep(1.1)  # ECS timestamps are sent in whole seconds
        between = time.time()
        self.deploy(3)
        all_three = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service")
        self.assertEqual([d["status"] for d in all_three["serviceDeployments"]],
                         ["IN_PROGRESS", "SUCCESSFUL", "SUCCESSFUL"])
        page = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service", maxResults=2)
        self.assertEqual(len(page["serviceDeployments"]), 2)
        rest = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service", maxResults=2,
                                                 nextToken=page["nextToken"])
        self.assertEqual(rest["serviceDeployments"], all_three["serviceDeployments"][2:])
        self.assertNotIn("nextToken", rest)
        running = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service",
                                                    status=["IN_PROGRESS"])["serviceDeployments"]
        self.assertEqual(running, all_three["serviceDeployments"][:1])
        later = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service",
                                                  createdAt={"after": between})["serviceDeployments"]
        self.assertEqual(later, all_three["serviceDeployments"][:1])
        earlier = self.ecs.list_service_deployments(cluster=self.cluster, service="api-service",
                                                    createdAt={"before": between})["serviceDeployments"]
        self.assertEqual(len(earlier), 2)

    def test_unknown_arns_are_failures(self) -> None:
        self.create_rolling_service()
        arn = self.latest()["serviceDeploymentArn"]
        answer = self.ecs.describe_service_deployments(serviceDeploymentArns=[arn + "x"])
        self.assertEqual(answer["failures"], [{"arn": arn + "x", "reason": "MISSING"}])


class ShiftingDeploymentTests(DeploymentCase):
    def test_blue_green_walks_the_stages_and_moves_the_production_rule(self) -> None:
        lb = self.create_shifting_service("BLUE_GREEN", bake=2)
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 100, lb["green"]: 0})
        self.deploy(3)
        seen = []
        bake = self.wait_for(lambda d: seen.append(d.get("lifecycleStage")) or d.get("lifecycleStage") == "BAKE_TIME")
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 0, lb["green"]: 100})
        self.assertEqual(self.weights(lb["test"]), {lb["blue"]: 0, lb["green"]: 100})
        self.assertEqual(bake["targetServiceRevision"]["requestedProductionTrafficWeight"], 100.0)
        self.assertEqual(bake["sourceServiceRevisions"][0]["requestedProductionTrafficWeight"], 0.0)
        self.assertEqual(bake["sourceServiceRevisions"][0]["runningTaskCount"], 2)
        self.assertEqual(len(self.service()["deployments"]), 2)
        stages = [s for i, s in enumerate(seen) if s and (i == 0 or seen[i - 1] != s)]
        self.assertEqual(stages, sorted(stages, key=["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP",
                                                     "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
                                                     "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
                                                     "BAKE_TIME"].index))
        self.wait_for(lambda d: d["status"] == "SUCCESSFUL")
        service = self.service()
        self.assertEqual([(d["status"], d["rolloutState"], d["taskDefinition"]) for d in service["deployments"]],
                         [("PRIMARY", "COMPLETED", self.revisions[3])])
        # the next deployment goes the other way: blue is now the alternate target group
        self.deploy(2)
        self.wait_for(lambda d: d.get("lifecycleStage") == "BAKE_TIME")
        self.assertEqual(self.weights(lb["production"]), {lb["green"]: 0, lb["blue"]: 100})

    def test_describe_services_keeps_the_shape(self) -> None:
        self.create_shifting_service("LINEAR", linearConfiguration={"stepPercent": 25.0, "stepBakeTimeInMinutes": 1})
        service = self.service()
        config = service["deploymentConfiguration"]
        self.assertEqual((config["strategy"], config["bakeTimeInMinutes"]), ("LINEAR", 1))
        self.assertEqual(config["linearConfiguration"], {"stepPercent": 25.0, "stepBakeTimeInMinutes": 1})
        advanced = service["loadBalancers"][0]["advancedConfiguration"]
        self.assertEqual(advanced["roleArn"], "arn:aws:iam::123456789012:role/ecs-lb")
        self.assertEqual(self.latest()["deploymentConfiguration"]["strategy"], "LINEAR")

    def test_linear_shifts_in_steps(self) -> None:
        lb = self.create_shifting_service("LINEAR", linearConfiguration={"stepPercent": 50.0,
                                                                         "stepBakeTimeInMinutes": 2})
        self.deploy(3)
        half = self.wait_for(lambda d: d["targetServiceRevision"].get("requestedProductionTrafficWeight") == 50.0)
        self.assertEqual(half["lifecycleStage"], "PRODUCTION_TRAFFIC_SHIFT")
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 50, lb["green"]: 50})
        self.wait_for(lambda d: d["targetServiceRevision"].get("requestedProductionTrafficWeight") == 100.0)
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 0, lb["green"]: 100})

    def test_canary_shifts_its_percent_then_the_rest(self) -> None:
        lb = self.create_shifting_service("CANARY", canaryConfiguration={"canaryPercent": 10.0,
                                                                         "canaryBakeTimeInMinutes": 2})
        self.deploy(3)
        self.wait_for(lambda d: d["targetServiceRevision"].get("requestedProductionTrafficWeight") == 10.0)
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 90, lb["green"]: 10})
        self.wait_for(lambda d: d.get("lifecycleStage") == "BAKE_TIME")
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 0, lb["green"]: 100})

    def test_stop_in_bake_time_flips_back_and_keeps_blue(self) -> None:
        lb = self.create_shifting_service("BLUE_GREEN", bake=30)
        self.deploy(3)
        bake = self.wait_for(lambda d: d.get("lifecycleStage") == "BAKE_TIME")
        self.ecs.stop_service_deployment(serviceDeploymentArn=bake["serviceDeploymentArn"], stopType="ROLLBACK")
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 100, lb["green"]: 0})
        service = self.service()
        self.assertEqual(service["taskDefinition"], self.revisions[1])
        self.assertEqual(service["deployments"][0]["taskDefinition"], self.revisions[1])
        self.assertEqual(service["deployments"][0]["runningCount"], 2)
        self.assertEqual(self.latest()["status"], "ROLLBACK_REQUESTED")
        self.wait_for(lambda d: d["status"] == "ROLLBACK_IN_PROGRESS")
        done = self.wait_for(lambda d: d["status"] == "ROLLBACK_SUCCESSFUL")
        self.assertEqual(done["targetServiceRevision"]["requestedProductionTrafficWeight"], 0.0)
        self.assertEqual([d["taskDefinition"] for d in self.service()["deployments"]], [self.revisions[1]])

    def test_fail_next_rollback(self) -> None:
        lb = self.create_shifting_service("BLUE_GREEN", bake=30)
        self.deploy(3)
        bake = self.wait_for(lambda d: d.get("lifecycleStage") == "BAKE_TIME")
        self.assertEqual(_http("POST", "/rewind-api/config", {"failNextRollback": True})[1]["failNextRollback"], True)
        self.ecs.stop_service_deployment(serviceDeploymentArn=bake["serviceDeploymentArn"], stopType="ROLLBACK")
        failed = self.wait_for(lambda d: d["status"] == "ROLLBACK_FAILED")
        self.assertIn("Rollback failed", failed["statusReason"])
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 0, lb["green"]: 100})
        self.assertFalse(_http("GET", "/rewind-api/info")[1]["failNextRollback"])

    def test_a_pause_hook_waits_for_continue(self) -> None:
        lb = self.create_shifting_service("BLUE_GREEN", hooks=[
            {"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}])
        self.deploy(3)
        paused = self.wait_for(lambda d: any(h["status"] == "AWAITING_ACTION" for h in d["lifecycleHookDetails"]))
        self.assertEqual(paused["lifecycleStage"], "POST_TEST_TRAFFIC_SHIFT")
        [hook] = paused["lifecycleHookDetails"]
        self.assertEqual(hook["targetType"], "PAUSE")
        time.sleep(3 * STAGE)
        self.assertEqual(self.latest()["lifecycleStage"], "POST_TEST_TRAFFIC_SHIFT")
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 100, lb["green"]: 0})
        with self.assertRaises(ClientError) as e:
            self.ecs.continue_service_deployment(serviceDeploymentArn=paused["serviceDeploymentArn"], hookId="nope",
                                                 action="CONTINUE")
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterException")
        self.ecs.continue_service_deployment(serviceDeploymentArn=paused["serviceDeploymentArn"],
                                             hookId=hook["hookId"], action="CONTINUE")
        self.wait_for(lambda d: d["status"] == "SUCCESSFUL")

    def test_a_pause_hook_answered_with_rollback_rolls_back(self) -> None:
        lb = self.create_shifting_service("BLUE_GREEN", hooks=[
            {"targetType": "PAUSE", "lifecycleStages": ["POST_PRODUCTION_TRAFFIC_SHIFT"]}])
        self.deploy(3)
        paused = self.wait_for(lambda d: any(h["status"] == "AWAITING_ACTION" for h in d["lifecycleHookDetails"]))
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 0, lb["green"]: 100})
        self.ecs.continue_service_deployment(serviceDeploymentArn=paused["serviceDeploymentArn"],
                                             hookId=paused["lifecycleHookDetails"][0]["hookId"], action="ROLLBACK")
        self.assertEqual(self.weights(lb["production"]), {lb["blue"]: 100, lb["green"]: 0})
        self.wait_for(lambda d: d["status"] == "ROLLBACK_SUCCESSFUL")

    def test_a_failing_lambda_hook_rolls_back(self) -> None:
        self.create_shifting_service("BLUE_GREEN", hooks=[
            {"targetType": "AWS_LAMBDA", "hookTargetArn": "arn:aws:lambda:us-east-1:123456789012:function:fail-check",
             "roleArn": "arn:aws:iam::123456789012:role/hook", "lifecycleStages": ["POST_SCALE_UP"]}])
        self.deploy(3)
        done = self.wait_for(lambda d: d["status"] == "ROLLBACK_SUCCESSFUL")
        self.assertIn("failed", done["rollback"]["reason"])
        self.assertEqual(done["lifecycleHookDetails"][0]["status"], "FAILED")
        self.assertEqual(self.service()["taskDefinition"], self.revisions[1])


class CodeDeployControllerTests(DeploymentCase):
    def test_update_with_a_task_definition_is_refused(self) -> None:
        self.ecs.create_service(cluster=self.cluster, serviceName="api-service", taskDefinition=self.revisions[1],
                                desiredCount=1, deploymentController={"type": "CODE_DEPLOY"})
        with self.assertRaises(ClientError) as e:
            self.deploy(3)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Unable to update task definition on services with a CODE_DEPLOY deployment controller. "
                         "Use AWS CodeDeploy to trigger a new deployment.")

    def test_new_actions_are_counted_by_name(self) -> None:
        self.create_rolling_service()
        self.deploy(3)
        arn = self.latest()["serviceDeploymentArn"]
        revision = self.latest()["targetServiceRevision"]["arn"]
        _http("POST", "/rewind-api/calls/reset")
        self.ecs.list_service_deployments(cluster=self.cluster, service="api-service")
        self.ecs.describe_service_deployments(serviceDeploymentArns=[arn])
        self.ecs.describe_service_revisions(serviceRevisionArns=[revision])
        self.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
        with self.assertRaises(ClientError):
            self.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="none", action="CONTINUE")
        counts = _http("GET", "/rewind-api/calls")[1]
        self.assertEqual(counts["calls"], {"ecs:ContinueServiceDeployment": 1, "ecs:DescribeServiceDeployments": 1,
                                           "ecs:DescribeServiceRevisions": 1, "ecs:ListServiceDeployments": 1,
                                           "ecs:StopServiceDeployment": 1})
        self.assertEqual(counts["mutating"], {"ecs:ContinueServiceDeployment": 1, "ecs:StopServiceDeployment": 1})


class CodeDeployTests(DeploymentCase):
    def setUp(self) -> None:
        super().setUp()
        self.codedeploy = client("codedeploy")
        self.lb = self.load_balancer()
        self.ecs.create_service(cluster=self.cluster, serviceName="api-service", taskDefinition=self.revisions[1],
                                desiredCount=1, deploymentController={"type": "CODE_DEPLOY"})
        self.app = f"app-{uuid.uuid4().hex[:8]}"
        self.codedeploy.create_application(applicationName=self.app, computePlatform="ECS")
        groups = {g["TargetGroupArn"]: g["TargetGroupName"] for g in self.elb.describe_target_groups(
            TargetGroupArns=[self.lb["blue"], self.lb["green"]])["TargetGroups"]}
        listener = self.elb.describe_rules(RuleArns=[self.lb["production"]])["Rules"][0]["RuleArn"].replace(
            ":listener-rule/", ":listener/").rsplit("/", 1)[0]
        self.listener = listener
        self.codedeploy.create_deployment_group(
            applicationName=self.app, deploymentGroupName="dg", serviceRoleArn="arn:aws:iam::123456789012:role/cd",
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            ecsServices=[{"serviceName": "api-service", "clusterName": self.cluster}],
            loadBalancerInfo={"targetGroupPairInfoList": [{
                "targetGroups": [{"name": groups[self.lb["blue"]]}, {"name": groups[self.lb["green"]]}],
                "prodTrafficRoute": {"listenerArns": [listener]}}]})

    def create_deployment(self, revision: int) -> str:
        content = json.dumps({"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service",
            "Properties": {"TaskDefinition": self.revisions[revision],
                           "LoadBalancerInfo": {"ContainerName": "api", "ContainerPort": 8080}}}}]})
        return self.codedeploy.create_deployment(applicationName=self.app, deploymentGroupName="dg", revision={
            "revisionType": "AppSpecContent", "appSpecContent": {"content": content}})["deploymentId"]

    def deployment(self, deployment_id: str) -> dict[str, Any]:
        return self.codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]

    def until(self, deployment_id: str, status: str) -> dict[str, Any]:
        deadline = time.monotonic() + 8
        while (info := self.deployment(deployment_id))["status"] != status:
            if time.monotonic() > deadline:
                self.fail(f"{deployment_id} never {status}: {info}")
            time.sleep(0.02)
        return info

    def listener_weights(self) -> dict[str, int]:
        action = self.elb.describe_listeners(ListenerArns=[self.listener])["Listeners"][0]["DefaultActions"][0]
        return {g["TargetGroupArn"]: g.get("Weight", 1) for g in action["ForwardConfig"]["TargetGroups"]}

    def test_a_deployment_switches_the_service_and_reroutes(self) -> None:
        before = self.service()["taskDefinition"]
        deployment_id = self.create_deployment(3)
        self.assertEqual(self.deployment(deployment_id)["status"], "InProgress")
        done = self.until(deployment_id, "Succeeded")
        self.assertEqual(done["deploymentOverview"]["Succeeded"], 1)
        self.assertIn("completeTime", done)
        previous = json.loads(done["previousRevision"]["appSpecContent"]["content"])
        self.assertEqual(previous["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"],
                         before)
        self.assertEqual(self.service()["taskDefinition"], self.revisions[3])
        self.assertEqual(self.listener_weights(), {self.lb["blue"]: 0, self.lb["green"]: 100})

    def test_stop_with_rollback_restores_the_old_task_definition(self) -> None:
        deployment_id = self.create_deployment(3)
        self.until(deployment_id, "InProgress")
        time.sleep(2.5 * STAGE)  # rerouted, not yet succeeded
        answer = self.codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
        self.assertEqual(answer["status"], "Pending")
        stopped = self.deployment(deployment_id)
        self.assertEqual(stopped["status"], "Stopped")
        self.assertEqual(stopped["errorInformation"]["code"], "MANUAL_STOP")
        rollback_id = stopped["rollbackInfo"]["rollbackDeploymentId"]
        rollback = self.until(rollback_id, "Succeeded")
        self.assertEqual(rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"], deployment_id)
        self.assertEqual(rollback["creator"], "codeDeployRollback")
        self.assertEqual(self.service()["taskDefinition"], self.revisions[1])
        self.assertEqual(self.listener_weights(), {self.lb["blue"]: 100, self.lb["green"]: 0})
        with self.assertRaises(ClientError) as e:
            self.codedeploy.stop_deployment(deploymentId=deployment_id)
        self.assertEqual(e.exception.response["Error"]["Code"], "DeploymentAlreadyCompletedException")

    def test_a_deployment_while_one_of_the_group_is_active_is_refused(self) -> None:
        active = self.create_deployment(3)
        _http("POST", "/rewind-api/calls/reset")
        with self.assertRaises(ClientError) as e:
            self.create_deployment(2)
        self.assertEqual(e.exception.response["Error"]["Code"], "DeploymentLimitExceededException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"The Deployment Group 'dg' already has an active Deployment '{active}'")
        self.assertEqual(self.codedeploy.list_deployments(applicationName=self.app, deploymentGroupName="dg")
                         ["deployments"], [active])
        self.until(active, "Succeeded")
        self.until(self.create_deployment(2), "Succeeded")
        self.assertEqual(self.service()["taskDefinition"], self.revisions[2])

    def test_stop_without_rollback_ends_stopped_and_rolls_nothing_back(self) -> None:
        listener_before = self.elb.describe_listeners(ListenerArns=[self.listener])["Listeners"][0]["DefaultActions"]
        deployment_id = self.create_deployment(3)
        self.until(deployment_id, "InProgress")
        answer = self.codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=False)
        self.assertEqual(answer["status"], "Succeeded")
        stopped = self.deployment(deployment_id)
        self.assertEqual(stopped["status"], "Stopped")
        self.assertNotIn("rollbackDeploymentId", stopped["rollbackInfo"])
        time.sleep(3.5 * STAGE)  # past the reroute and the end it would have reached
        self.assertEqual(self.deployment(deployment_id)["status"], "Stopped")
        self.assertEqual(self.codedeploy.list_deployments(applicationName=self.app, deploymentGroupName="dg")
                         ["deployments"], [deployment_id])
        self.assertEqual(self.service()["taskDefinition"], self.revisions[1])
        self.assertEqual(self.elb.describe_listeners(ListenerArns=[self.listener])["Listeners"][0]["DefaultActions"],
                         listener_before)  # stopped before the reroute: traffic never moved, nothing moves it back
        created = self.create_deployment(0)  # no longer active: a new deployment is accepted
        self.until(created, "Succeeded")
        self.assertEqual(self.service()["taskDefinition"], self.revisions[0])

    def test_fail_next_rollback_fails_the_rollback_deployment(self) -> None:
        deployment_id = self.create_deployment(3)
        _http("POST", "/rewind-api/config", {"failNextRollback": True})
        _http("POST", "/rewind-api/calls/reset")
        self.codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
        self.assertEqual(_http("GET", "/rewind-api/calls")[1]["mutating"], {"codedeploy:StopDeployment": 1})
        rollback = self.until(self.deployment(deployment_id)["rollbackInfo"]["rollbackDeploymentId"], "Failed")
        self.assertIn("failNextRollback", rollback["errorInformation"]["message"])


if __name__ == "__main__":
    unittest.main()
