"""Tests for the emulator (emulator/rewind_moto.py and emulator/rewind_emulator/) against a real moto_server process (stdlib unittest + boto3 only).

Run: python3 -m unittest discover -s emulator/tests -t emulator/tests

One server is started for the module, the same way tests/Rewind.IntegrationTests/Emulator/MotoServer.cs starts it
(python3 -c LAUNCHER BOOTSTRAP PORT), with REWIND_MOTO_ROLLOUT_SECONDS=0.5; it is stopped by its PID at the end.
Every test uses its own cluster, so the tests do not depend on each other's state.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import unittest
import uuid
from typing import Any

from botocore.exceptions import ClientError

from _server import MODULE, Server

ROLLOUT = 0.5

SERVER = Server({"REWIND_MOTO_ROLLOUT_SECONDS": str(ROLLOUT)}, drop=("REWIND_MOTO_BROKEN_MARKER",))
_http = SERVER.http
client = SERVER.client


def setUpModule() -> None:
    _start_probes()
    SERVER.start()


def tearDownModule() -> None:
    _stop_probes()
    SERVER.stop()


class EcsCase(unittest.TestCase):
    def setUp(self) -> None:
        self.ecs = client("ecs")
        self.cluster = f"c-{uuid.uuid4().hex[:8]}"
        self.family = f"fam-{uuid.uuid4().hex[:8]}"
        self.ecs.create_cluster(clusterName=self.cluster)

    def register(self, tag: str, family: str | None = None) -> str:
        return self.ecs.register_task_definition(
            family=family or self.family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": "api", "image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/api:{tag}", "essential": True}
            ],
        )["taskDefinition"]["taskDefinitionArn"]

    def create_service(self, task_definition: str, desired: int = 2, **extra: Any) -> dict[str, Any]:
        return self.ecs.create_service(
            cluster=self.cluster,
            serviceName="api-service",
            taskDefinition=task_definition,
            desiredCount=desired,
            launchType="FARGATE",
            **extra,
        )["service"]

    def describe(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=["api-service"])["services"][0]

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            service = self.describe()
            if predicate(service):
                return service
            if time.monotonic() > deadline:
                self.fail(f"condition not reached in {timeout} s; last: {json.dumps(service, default=str)[:2000]}")
            time.sleep(0.03)


def messages(service: dict[str, Any]) -> list[str]:
    return [e["message"] for e in service["events"]]


class CreateServiceTests(EcsCase):
    def test_created_service_is_completed_and_running(self) -> None:
        arn = self.register("v1")
        service = self.create_service(arn, desired=3)
        self.assertEqual(service["taskDefinition"], arn)
        self.assertEqual(service["runningCount"], 3)
        self.assertEqual(service["pendingCount"], 0)
        [deployment] = service["deployments"]
        self.assertRegex(deployment["id"], r"^ecs-svc/\d{19}$")
        self.assertEqual(deployment["status"], "PRIMARY")
        self.assertEqual(deployment["taskDefinition"], arn)
        self.assertEqual(deployment["rolloutState"], "COMPLETED")
        self.assertEqual(deployment["rolloutStateReason"], f"ECS deployment {deployment['id']} completed.")
        self.assertEqual((deployment["runningCount"], deployment["desiredCount"]), (3, 3))
        self.assertEqual(
            service["deploymentConfiguration"],
            {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
             "maximumPercent": 200, "minimumHealthyPercent": 100},
        )
        self.assertEqual(messages(service)[0], "(service api-service) has reached a steady state.")
        self.assertRegex(messages(service)[-1], r"^\(service api-service\) has started 3 tasks: (\(task [0-9a-f]{32}\) ?){3}\.$")

    def test_a_broken_image_can_be_seeded_as_deployed(self) -> None:
        arn = self.register("v4-broken")
        self.create_service(arn)
        time.sleep(ROLLOUT + 0.2)
        service = self.describe()
        self.assertEqual(service["taskDefinition"], arn)
        self.assertEqual(service["runningCount"], 2)
        [deployment] = service["deployments"]
        self.assertEqual(deployment["rolloutState"], "COMPLETED")

    def test_request_deployment_configuration_is_kept(self) -> None:
        arn = self.register("v1")
        service = self.create_service(
            arn, deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
        )
        self.assertEqual(service["deploymentConfiguration"]["deploymentCircuitBreaker"],
                         {"enable": True, "rollback": False})
        self.assertEqual(service["deploymentConfiguration"]["maximumPercent"], 200)

    def test_cluster_counts_follow_the_service(self) -> None:
        self.create_service(self.register("v1"), desired=2)
        cluster = self.ecs.describe_clusters(clusters=[self.cluster])["clusters"][0]
        self.assertEqual((cluster["runningTasksCount"], cluster["pendingTasksCount"]), (2, 0))


class RolloutTests(EcsCase):
    def test_update_creates_new_primary_and_keeps_old_active(self) -> None:
        v1, v2 = self.register("v1"), self.register("v2")
        old_id = self.create_service(v1)["deployments"][0]["id"]
        service = self.ecs.update_service(cluster=self.cluster, service="api-service",
                                          taskDefinition=f"{self.family}:2")["service"]
        self.assertEqual(service["taskDefinition"], v2)  # the ARN, not "family:2"
        primary, active = service["deployments"]
        self.assertRegex(primary["id"], r"^ecs-svc/\d+$")
        self.assertNotEqual(primary["id"], old_id)
        self.assertEqual(primary["status"], "PRIMARY")
        self.assertEqual(primary["taskDefinition"], v2)
        self.assertEqual(primary["rolloutState"], "IN_PROGRESS")
        self.assertEqual(primary["rolloutStateReason"], f"ECS deployment {primary['id']} in progress.")
        self.assertEqual((primary["desiredCount"], primary["runningCount"], primary["pendingCount"]), (2, 0, 2))
        self.assertEqual(active["id"], old_id)
        self.assertEqual(active["status"], "ACTIVE")
        self.assertEqual(active["taskDefinition"], v1)
        self.assertEqual(active["runningCount"], 2)
        self.assertIn("has started 2 tasks", messages(service)[0])

    def test_rollout_completes_after_the_delay_and_the_old_deployment_disappears(self) -> None:
        v1, v2 = self.register("v1"), self.register("v2")
        self.create_service(v1, desired=2)
        started = time.monotonic()
        self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=v2)
        service = self.wait_for(lambda s: s["deployments"][0]["rolloutState"] == "COMPLETED")
        self.assertGreaterEqual(time.monotonic() - started, ROLLOUT - 0.05)
        [primary] = service["deployments"]
        self.assertEqual(primary["taskDefinition"], v2)
        self.assertEqual(primary["rolloutStateReason"], f"ECS deployment {primary['id']} completed.")
        self.assertEqual((primary["runningCount"], primary["pendingCount"]), (2, 0))
        self.assertEqual((service["runningCount"], service["pendingCount"]), (2, 0))
        self.assertEqual(service["taskDefinition"], v2)
        events = messages(service)
        self.assertEqual(events[0], "(service api-service) has reached a steady state.")
        self.assertEqual(events[1], f"(service api-service) (deployment {primary['id']}) deployment completed.")
        self.assertIn("has stopped 2 running tasks", events[2])
        times = [e["createdAt"] for e in service["events"]]
        self.assertEqual(times, sorted(times, reverse=True))

    def test_counts_progress_proportionally(self) -> None:
        self.assertEqual(_http("POST", "/rewind-api/config", b'{"rolloutSeconds": 2}')[0], 200)
        try:
            v1, v2 = self.register("v1"), self.register("v2")
            self.create_service(v1, desired=4)
            started = time.monotonic()
            self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=v2)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
            service = self.describe()
            elapsed = time.monotonic() - started
        finally:
            _http("POST", "/rewind-api/config", json.dumps({"rolloutSeconds": ROLLOUT}).encode())
        self.assertLess(elapsed, 1.9, "the machine is too slow for this timing test")
        primary, old = service["deployments"]
        self.assertEqual(primary["rolloutState"], "IN_PROGRESS")
        self.assertTrue(1 <= primary["runningCount"] <= 3, primary)
        self.assertEqual(primary["pendingCount"], 4 - primary["runningCount"])
        self.assertEqual(old["runningCount"], 4 - primary["runningCount"])  # draining as new tasks come up
        self.assertEqual(service["runningCount"], 4)

    def test_force_new_deployment_redeploys_the_same_task_definition(self) -> None:
        v1 = self.register("v1")
        old_id = self.create_service(v1)["deployments"][0]["id"]
        service = self.ecs.update_service(cluster=self.cluster, service="api-service",
                                          forceNewDeployment=True)["service"]
        primary, active = service["deployments"]
        self.assertNotEqual(primary["id"], old_id)
        self.assertEqual((primary["taskDefinition"], active["taskDefinition"]), (v1, v1))
        self.assertEqual(active["id"], old_id)
        self.wait_for(lambda s: len(s["deployments"]) == 1 and s["deployments"][0]["id"] == primary["id"])

    def test_same_task_definition_without_force_starts_nothing(self) -> None:
        v1 = self.register("v1")
        self.create_service(v1)
        service = self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=v1)["service"]
        self.assertEqual(len(service["deployments"]), 1)

    def test_desired_count_change_scales_the_primary(self) -> None:
        self.create_service(self.register("v1"), desired=2)
        service = self.ecs.update_service(cluster=self.cluster, service="api-service", desiredCount=3)["service"]
        self.assertEqual(len(service["deployments"]), 1)
        self.assertEqual((service["runningCount"], service["deployments"][0]["desiredCount"]), (3, 3))
        cluster = self.ecs.describe_clusters(clusters=[self.cluster])["clusters"][0]
        self.assertEqual(cluster["runningTasksCount"], 3)

    def test_inactive_task_definition_is_refused(self) -> None:
        v1 = self.register("v1")
        self.register("v2")
        self.create_service(v1)
        self.ecs.deregister_task_definition(taskDefinition=f"{self.family}:2")
        with self.assertRaises(ClientError) as raised:
            self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=f"{self.family}:2")
        self.assertEqual(raised.exception.response["Error"]["Code"], "ClientException")
        self.assertEqual(len(self.describe()["deployments"]), 1)


class CircuitBreakerTests(EcsCase):
    def test_broken_image_fails_and_rolls_back_to_the_previous_deployment(self) -> None:
        good, bad = self.register("v3"), self.register("v4-broken")
        good_id = self.create_service(good)["deployments"][0]["id"]
        updated = self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=bad)["service"]
        bad_id = updated["deployments"][0]["id"]
        self.assertEqual(updated["deployments"][0]["rolloutState"], "IN_PROGRESS")

        seen_rollback: dict[str, Any] = {}

        def rolled_back(service: dict[str, Any]) -> bool:
            deployments = service["deployments"]
            if len(deployments) == 2 and deployments[1]["rolloutState"] == "FAILED":
                seen_rollback.setdefault("service", service)
            return len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED"

        final = self.wait_for(rolled_back)

        self.assertIn("service", seen_rollback, "the FAILED + rolling-back state was never observed")
        during = seen_rollback["service"]
        primary, failed = during["deployments"]
        self.assertEqual(primary["status"], "PRIMARY")
        self.assertEqual(primary["id"], good_id)  # ECS rolls back to the last COMPLETED deployment
        self.assertEqual(primary["taskDefinition"], good)
        self.assertEqual(primary["rolloutState"], "IN_PROGRESS")
        self.assertEqual(primary["rolloutStateReason"],
                         f"ECS deployment circuit breaker: rolling back to deploymentId {good_id}.")
        self.assertEqual(failed["id"], bad_id)
        self.assertEqual(failed["status"], "ACTIVE")
        self.assertEqual(failed["taskDefinition"], bad)
        self.assertEqual(failed["rolloutStateReason"], "ECS deployment circuit breaker: tasks failed to start.")
        self.assertEqual((failed["runningCount"], failed["pendingCount"]), (0, 0))
        self.assertGreaterEqual(failed["failedTasks"], 3)
        self.assertEqual(during["taskDefinition"], good)

        [deployment] = final["deployments"]
        self.assertEqual((deployment["id"], deployment["taskDefinition"]), (good_id, good))
        self.assertEqual(deployment["rolloutStateReason"], f"ECS deployment {good_id} completed.")
        self.assertEqual(final["taskDefinition"], good)
        self.assertEqual(final["runningCount"], 2)
        events = messages(final)
        failed_at = events.index(f"(service api-service) deployment {bad_id} deployment failed: tasks failed to start.")
        rollback_at = events.index(f"(service api-service) rolling back to deployment {good_id}.")
        self.assertLess(rollback_at, failed_at)  # newest first
        self.assertEqual(events[0], "(service api-service) has reached a steady state.")

    def test_broken_image_while_in_progress_counts_failed_tasks_and_keeps_old_tasks(self) -> None:
        self.assertEqual(_http("POST", "/rewind-api/config", b'{"rolloutSeconds": 2}')[0], 200)
        try:
            good, bad = self.register("v1"), self.register("v2-broken")
            self.create_service(good, desired=2)
            self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=bad)
            time.sleep(0.3)
            service = self.describe()
        finally:
            _http("POST", "/rewind-api/config", json.dumps({"rolloutSeconds": ROLLOUT}).encode())
        primary, old = service["deployments"]
        self.assertEqual(primary["rolloutState"], "IN_PROGRESS")
        self.assertEqual((primary["runningCount"], primary["pendingCount"]), (0, 2))
        self.assertEqual(old["runningCount"], 2)  # minimumHealthyPercent 100: nothing drained

    def test_without_rollback_the_failed_deployment_stays_primary(self) -> None:
        good, bad = self.register("v1"), self.register("broken")
        self.create_service(good, deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": False}})
        self.ecs.update_service(cluster=self.cluster, service="api-service", taskDefinition=bad)
        service = self.wait_for(lambda s: s["deployments"][0]["rolloutState"] == "FAILED")
        primary, old = service["deployments"]
        self.assertEqual((primary["status"], primary["taskDefinition"]), ("PRIMARY", bad))
        self.assertEqual((old["status"], old["taskDefinition"], old["runningCount"]), ("ACTIVE", good, 2))
        self.assertEqual(service["taskDefinition"], bad)
        time.sleep(ROLLOUT + 0.1)
        self.assertEqual(len(self.describe()["deployments"]), 2)

    def test_without_circuit_breaker_a_broken_rollout_never_ends(self) -> None:
        good, bad = self.register("v1"), self.register("v2-broken")
        self.create_service(good)
        self.ecs.update_service(
            cluster=self.cluster, service="api-service", taskDefinition=bad,
            deploymentConfiguration={"deploymentCircuitBreaker": {"enable": False, "rollback": False}},
        )
        time.sleep(2 * ROLLOUT + 0.1)
        service = self.describe()
        primary, old = service["deployments"]
        self.assertEqual(primary["rolloutState"], "IN_PROGRESS")
        self.assertGreater(primary["failedTasks"], 3)
        self.assertEqual(old["runningCount"], 2)

    def test_services_can_be_described_together(self) -> None:
        v1 = self.register("v1")
        self.create_service(v1)
        self.ecs.create_service(cluster=self.cluster, serviceName="worker", taskDefinition=v1, desiredCount=1)
        found = self.ecs.describe_services(cluster=self.cluster, services=["api-service", "worker", "missing"])
        self.assertEqual([s["serviceName"] for s in found["services"]], ["api-service", "worker"])
        self.assertEqual(found["failures"][0]["reason"], "MISSING")


class ListTaskDefinitionsTests(EcsCase):
    def setUp(self) -> None:
        super().setUp()
        self.a = f"a-{uuid.uuid4().hex[:8]}"
        self.b = f"b-{self.a[2:]}"
        self.arns = {}
        for family in (self.b, self.a):
            for rev in (1, 2, 3):
                self.arns[(family, rev)] = self.register(f"v{rev}", family)

    def listed(self, **kwargs: Any) -> list[str]:
        arns: list[str] = []
        token = None
        while True:
            page = self.ecs.list_task_definitions(**kwargs, **({"nextToken": token} if token else {}))
            arns.extend(a for a in page["taskDefinitionArns"] if a.split("/")[-1].split(":")[0] in (self.a, self.b))
            token = page.get("nextToken")
            if not token:
                return arns

    def test_sort_asc_is_the_default_and_desc_reverses(self) -> None:
        asc = [self.arns[(f, r)] for f in (self.a, self.b) for r in (1, 2, 3)]
        self.assertEqual(self.listed(), asc)
        self.assertEqual(self.listed(sort="ASC"), asc)
        self.assertEqual(self.listed(sort="DESC"), list(reversed(asc)))

    def test_family_prefix_and_desc_give_the_newest_revision_first(self) -> None:
        page = self.ecs.list_task_definitions(familyPrefix=self.a, sort="DESC", maxResults=1)
        self.assertEqual(page["taskDefinitionArns"], [self.arns[(self.a, 3)]])
        self.assertIn("nextToken", page)

    def test_pagination(self) -> None:
        first = self.ecs.list_task_definitions(familyPrefix=self.b, maxResults=2)
        self.assertEqual(first["taskDefinitionArns"], [self.arns[(self.b, 1)], self.arns[(self.b, 2)]])
        second = self.ecs.list_task_definitions(familyPrefix=self.b, maxResults=2, nextToken=first["nextToken"])
        self.assertEqual(second["taskDefinitionArns"], [self.arns[(self.b, 3)]])
        self.assertNotIn("nextToken", second)
        self.assertEqual(self.listed(familyPrefix=self.b, sort="DESC", maxResults=1),
                         [self.arns[(self.b, r)] for r in (3, 2, 1)])

    def test_status_filter(self) -> None:
        self.ecs.deregister_task_definition(taskDefinition=f"{self.a}:2")
        self.assertEqual(self.listed(familyPrefix=self.a), [self.arns[(self.a, 1)], self.arns[(self.a, 3)]])
        self.assertEqual(self.listed(familyPrefix=self.a, status="INACTIVE"), [self.arns[(self.a, 2)]])

    def test_bad_arguments_are_refused(self) -> None:
        for kwargs in ({"maxResults": 101}, {"nextToken": "not-a-token"}):
            with self.subTest(kwargs=kwargs), self.assertRaises(ClientError) as raised:
                self.ecs.list_task_definitions(**kwargs)
            self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidParameterException")


class SecretsTests(unittest.TestCase):
    """After a rollback moved AWSCURRENT back, every read sees what AWS shows (plain moto 5.2.1 serves the old value)."""

    def setUp(self) -> None:
        self.sm = client("secretsmanager")
        self.name = f"rewind/rollback-{uuid.uuid4().hex[:8]}"
        self.good = self.sm.create_secret(Name=self.name, SecretString="known-good")["VersionId"]
        self.bad = self.sm.put_secret_value(SecretId=self.name, SecretString="rotated-bad")["VersionId"]

    def roll_back(self, secret_id: str | None = None) -> None:
        self.sm.update_secret_version_stage(
            SecretId=secret_id or self.name, VersionStage="AWSCURRENT", MoveToVersionId=self.good,
            RemoveFromVersionId=self.bad,
        )

    def value(self, **kwargs: str) -> tuple[str, str]:
        read = self.sm.get_secret_value(SecretId=self.name, **kwargs)
        return read["VersionId"], read["SecretString"]

    def test_every_read_after_awscurrent_moved_back_sees_the_good_version(self) -> None:
        self.roll_back()

        self.assertEqual(self.value(), (self.good, "known-good"))
        self.assertEqual(self.value(VersionStage="AWSCURRENT"), (self.good, "known-good"))
        self.assertEqual(self.value(VersionStage="AWSPREVIOUS"), (self.bad, "rotated-bad"))
        stages = self.sm.describe_secret(SecretId=self.name)["VersionIdsToStages"]
        self.assertEqual(stages, {self.good: ["AWSCURRENT"], self.bad: ["AWSPREVIOUS"]})
        listed = {v["VersionId"]: v["VersionStages"] for v in self.sm.list_secret_version_ids(SecretId=self.name)["Versions"]}
        self.assertEqual(listed, {self.good: ["AWSCURRENT"], self.bad: ["AWSPREVIOUS"]})

    def test_a_move_by_arn_is_followed_too(self) -> None:
        arn = self.sm.describe_secret(SecretId=self.name)["ARN"]

        self.roll_back(arn)

        self.assertEqual(self.value(), (self.good, "known-good"))

    def test_a_new_value_after_the_rollback_makes_the_good_version_previous(self) -> None:
        self.roll_back()

        newest = self.sm.put_secret_value(SecretId=self.name, SecretString="fixed")["VersionId"]

        self.assertEqual(self.value(), (newest, "fixed"))
        self.assertEqual(self.value(VersionStage="AWSPREVIOUS"), (self.good, "known-good"))
        stages = self.sm.describe_secret(SecretId=self.name)["VersionIdsToStages"]
        self.assertEqual(stages[newest], ["AWSCURRENT"])
        self.assertEqual(stages[self.good], ["AWSPREVIOUS"])
        self.assertNotIn("AWSCURRENT", stages.get(self.bad, []))

    def test_a_custom_label_moved_onto_a_version_that_has_it_is_listed_once(self) -> None:
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="known-good", MoveToVersionId=self.good)
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="known-good", MoveToVersionId=self.good,
                                            RemoveFromVersionId=self.good)
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="known-good", MoveToVersionId=self.good)

        stages = self.sm.describe_secret(SecretId=self.name)["VersionIdsToStages"]
        self.assertEqual(stages[self.good].count("known-good"), 1)
        self.assertEqual(self.value(), (self.bad, "rotated-bad"))  # AWSCURRENT did not move


class InvalidationTests(unittest.TestCase):
    """A CallerReference names one invalidation, as in CloudFront: a resent batch is answered, not repeated."""

    def setUp(self) -> None:
        self.cf = client("cloudfront")
        origin = {"Id": "alb", "DomainName": "alb.example.com",
                  "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
        self.distribution = self.cf.create_distribution(DistributionConfig={
            "CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "alb", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0},
        })["Distribution"]["Id"]

    def invalidate(self, reference: str, *paths: str) -> str:
        batch = {"Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": reference}
        return self.cf.create_invalidation(DistributionId=self.distribution, InvalidationBatch=batch)["Invalidation"]["Id"]

    def listed(self) -> int:
        return self.cf.list_invalidations(DistributionId=self.distribution)["InvalidationList"]["Quantity"]

    def test_a_resent_batch_returns_the_first_invalidation(self) -> None:
        first = self.invalidate("rewind-run-1", "/*")

        again = self.invalidate("rewind-run-1", "/*")

        self.assertEqual(again, first)
        self.assertEqual(self.listed(), 1)

    def test_the_same_reference_with_other_paths_is_refused(self) -> None:
        self.invalidate("rewind-run-2", "/*")

        with self.assertRaises(ClientError) as raised:
            self.invalidate("rewind-run-2", "/index.html", "/app.js")

        self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidationBatchAlreadyExists")
        self.assertEqual(self.listed(), 1)

    def test_another_reference_is_another_invalidation(self) -> None:
        first = self.invalidate("rewind-run-3", "/*")

        second = self.invalidate("rewind-run-4", "/*")

        self.assertNotEqual(second, first)
        self.assertEqual(self.listed(), 2)


class CallCounterTests(unittest.TestCase):
    def test_counts_every_service_and_resets(self) -> None:
        status, _before = _http("POST", "/rewind-api/calls/reset")
        self.assertEqual(status, 200)
        ecs = client("ecs")
        ecs.list_clusters()
        ecs.list_clusters()
        name = f"s-{uuid.uuid4().hex[:8]}"
        client("secretsmanager").create_secret(Name=name, SecretString="x")
        client("secretsmanager").list_secrets()
        client("sts").get_caller_identity()
        client("elbv2").describe_load_balancers()
        client("ssm").put_parameter(Name=f"/{name}", Value="1", Type="String")
        client("dynamodb").list_tables()
        client("cloudwatch").list_metrics()
        client("cloudfront").list_distributions()
        with self.assertRaises(ClientError):
            ecs.describe_task_definition(taskDefinition="nope:1")  # failures count too
        _http("GET", "/moto-api/data.json")  # not counted
        _http("GET", "/rewind-api/info")  # not counted

        status, snapshot = _http("GET", "/rewind-api/calls")
        self.assertEqual(status, 200)
        expected = {
            "ecs:ListClusters": 2,
            "ecs:DescribeTaskDefinition": 1,
            "secretsmanager:CreateSecret": 1,
            "secretsmanager:ListSecrets": 1,
            "sts:GetCallerIdentity": 1,
            "elasticloadbalancing:DescribeLoadBalancers": 1,
            "ssm:PutParameter": 1,
            "dynamodb:ListTables": 1,
            "cloudwatch:ListMetrics": 1,
            "cloudfront:ListDistributions": 1,
        }
        self.assertEqual(snapshot["calls"], expected)
        self.assertEqual(snapshot["total"], 11)
        self.assertEqual(snapshot["mutating"], {"secretsmanager:CreateSecret": 1, "ssm:PutParameter": 1})
        self.assertEqual(snapshot["mutatingTotal"], 2)
        self.assertEqual([entry["call"] for entry in snapshot["log"]][:2], ["ecs:ListClusters", "ecs:ListClusters"])
        self.assertEqual(snapshot["log"][-1]["status"], 400)
        self.assertEqual(snapshot["log"][0]["status"], 200)
        self.assertTrue(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", snapshot["since"]))

        status, cleared = _http("POST", "/rewind-api/calls/reset")
        self.assertEqual((status, cleared["calls"]), (200, expected))  # read-and-reset
        status, after = _http("GET", "/rewind-api/calls")
        self.assertEqual((after["calls"], after["total"], after["log"]), ({}, 0, []))

    def test_api_errors(self) -> None:
        self.assertEqual(_http("GET", "/rewind-api/nope")[0], 404)
        self.assertEqual(_http("GET", "/rewind-api/calls/reset")[0], 405)
        self.assertEqual(_http("POST", "/rewind-api/config", b'{"rolloutSeconds": -1}')[0], 400)
        self.assertEqual(_http("POST", "/rewind-api/config", b'{"rollout": 1}')[0], 400)
        status, info = _http("GET", "/rewind-api/info")
        self.assertEqual((status, info["motoVersion"], info["rolloutSeconds"]), (200, "5.2.1", ROLLOUT))


# Each probe is its own python process that runs the module (moto's imports take seconds on a busy machine);
# they are started in setUpModule, next to the server, and read once.
PROBES = {
    "bad_rollout_seconds": ("import sys, runpy; runpy.run_path(sys.argv[1])", {"REWIND_MOTO_ROLLOUT_SECONDS": "five"}),
    # One moto import for three checks: missing internals fail loudly; a second run patches nothing twice; helpers.
    "patching": (
        "import json, sys, runpy\n"
        "import moto.ecs.models as m\n"
        "saved = m.EC2ContainerServiceBackend.update_service\n"
        "del m.EC2ContainerServiceBackend.update_service\n"
        "try:\n"
        "    runpy.run_path(sys.argv[1])\n"
        "    missing = None\n"
        "except Exception as e:\n"
        "    missing = f'{type(e).__name__}: {e}'\n"
        "m.EC2ContainerServiceBackend.update_service = saved\n"
        "runpy.run_path(sys.argv[1])\n"
        "g = runpy.run_path(sys.argv[1])\n"
        "images = json.loads(sys.argv[2]); actions = json.loads(sys.argv[3])\n"
        "print(json.dumps({'missing': missing,\n"
        "                  'qualname': m.EC2ContainerServiceBackend.update_service.__qualname__,\n"
        "                  'broken': {i: g['image_is_broken'](i, 'broken') for i in images},\n"
        "                  'mutating': {a: g['is_mutating'](a) for a in actions}}))\n",
        {},
    ),
}
BROKEN_IMAGES = {
    "repo/api:v4-broken": True,
    "123.dkr.ecr.us-east-1.amazonaws.com/api:BROKEN": True,
    "localhost:5000/api:broken-1": True,
    "broken/api:v1": False,
    "localhost:5000/broken-api": False,
    "repo/api@sha256:abc": False,
    "repo/api": False,
}
MUTATING = {
    "UpdateService": True, "ModifyListener": True, "UpdateSecretVersionStage": True, "CreateInvalidation": True,
    "PutParameter": True, "PutItem": True, "POST /x": True,
    "DescribeServices": False, "ListTaskDefinitions": False, "GetSecretValue": False, "GetMetricData": False,
    "Query": False, "Scan": False, "BatchGetItem": False, "GET /": False,
}
_probes: dict[str, subprocess.Popen[str]] = {}
_probe_results: dict[str, tuple[int, str, str]] = {}


def _start_probes() -> None:
    for name, (code, env) in PROBES.items():
        full_env = dict(os.environ)
        full_env.pop("REWIND_MOTO_ROLLOUT_SECONDS", None)
        full_env.update(env)
        _probes[name] = subprocess.Popen(
            [sys.executable, "-c", code, str(MODULE), json.dumps(list(BROKEN_IMAGES)), json.dumps(list(MUTATING))],
            env=full_env, text=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )


def _stop_probes() -> None:
    for process in _probes.values():
        if process.poll() is None:
            process.kill()
        process.communicate()


def probe(name: str) -> tuple[int, str, str]:
    if name not in _probe_results:
        out, err = _probes[name].communicate(timeout=60)
        _probe_results[name] = (_probes[name].returncode, out, err)
    return _probe_results[name]


class StartupTests(unittest.TestCase):
    def test_missing_moto_internals_fail_loudly(self) -> None:
        code, out, err = probe("patching")
        self.assertEqual(code, 0, err)
        missing = json.loads(out)["missing"]
        self.assertIsNotNone(missing, "patching a moto without update_service should have failed")
        self.assertTrue(missing.startswith("RewindMotoPatchError: "), missing)
        self.assertIn("EC2ContainerServiceBackend.update_service", missing)
        self.assertIn("5.2.1", missing)

    def test_bad_rollout_seconds_fail_loudly(self) -> None:
        code, _out, err = probe("bad_rollout_seconds")
        self.assertNotEqual(code, 0)
        self.assertIn("REWIND_MOTO_ROLLOUT_SECONDS", err)

    def test_running_the_module_twice_patches_once(self) -> None:
        code, out, err = probe("patching")
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["qualname"], "install.<locals>.update_service")

    def test_only_the_image_tag_counts_as_broken(self) -> None:
        code, out, err = probe("patching")
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["broken"], BROKEN_IMAGES)

    def test_mutating_rule(self) -> None:
        code, out, err = probe("patching")
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["mutating"], MUTATING)


if __name__ == "__main__":
    unittest.main()
