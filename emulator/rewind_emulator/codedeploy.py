"""CodeDeploy for ECS on top of moto's codedeploy backend: a deployment switches the ECS service after a delay.

A deployment of a deployment group with `ecsServices` and an AppSpecContent revision naming a task definition is
InProgress at once; after two stages (REWIND_MOTO_STAGE_SECONDS each) CodeDeploy reroutes: the ECS service runs the
new task definition and the production listener of `loadBalancerInfo.targetGroupPairInfoList` forwards 100 to the
other target group; after a third stage it is Succeeded. While a deployment of the group has not ended, CreateDeployment
is refused with DeploymentLimitExceededException, as CodeDeploy refuses it. StopDeployment stops one in flight and, with
autoRollbackEnabled, creates a rollback deployment of the previous task definition (Succeeded after the same
delays, or Failed when failNextRollback is set); without it the deployment is Stopped and the service keeps the task
definition it ran at that moment. Lazy: computed at each read, no threads. See emulator/README.md.
"""

from __future__ import annotations

import re
import time
from typing import Any

from .core import ECS_LOCK, SETTINGS

REQUIRED = [
    ("moto.codedeploy.models", "CodeDeployBackend", ["create_deployment", "get_deployment", "batch_get_deployments"]),
    ("moto.codedeploy.models", "DeploymentInfo", ["to_dict"]),
    ("moto.codedeploy.models", "codedeploy_backends", []),
    ("moto.codedeploy.responses", "CodeDeployResponse", ["_get_param", "codedeploy_backend"]),
    ("moto.codedeploy.exceptions", "CodeDeployException", []),
    ("moto.ecs.models", "ecs_backends", []),
]

_TASK_DEFINITION = re.compile(r"TaskDefinition\"?\s*:\s*\"?([^\"\s,}]+)")
ROLLBACK_FAILED_MESSAGE = "The rollback deployment failed (failNextRollback)."


class _Run:
    """What the emulator knows of one CodeDeploy deployment of an ECS service."""

    def __init__(self, services: list[tuple[str, str]], source: str | None, target: str | None, rollback_of: str | None,
                 fails: bool) -> None:
        self.started = time.monotonic()
        self.services = services
        self.source = source
        self.target = target
        self.rollback_of = rollback_of
        self.fails = fails
        self.rerouted = False
        self.finished: float | None = None


def _target_task_definition(revision: Any) -> str | None:
    content = ((revision or {}).get("appSpecContent") or {}).get("content") or ""
    match = _TASK_DEFINITION.search(content)
    return match.group(1) if match else None


def _app_spec_revision(task_definition: str) -> dict[str, Any]:
    """An AppSpecContent revision naming the task definition (what the service ran before a deployment)."""
    import json

    spec = {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service",
                                                              "Properties": {"TaskDefinition": task_definition}}}]}
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(spec)}}


def _ecs_service(deployment: Any, cluster: str, name: str) -> Any:
    backend = _FOUND["ecs_backends"][deployment._rewind_account][deployment._rewind_region]
    try:
        return backend._get_service(cluster, name)
    except Exception:
        return None


def _reroute(deployment: Any, run: _Run) -> None:
    """CodeDeploy's traffic shift: the service runs the target, and production forwards to the other target group."""
    from moto.elbv2.models import elbv2_backends

    for cluster, name in run.services:
        service = _ecs_service(deployment, cluster, name)
        if service is not None and run.target:
            service.task_definition = run.target
    elb = elbv2_backends[deployment._rewind_account][deployment._rewind_region]
    group = deployment.deployment_group
    for index, pair in enumerate((group.load_balancer_info or {}).get("targetGroupPairInfoList") or []):
        names = [g.get("name") for g in pair.get("targetGroups") or []]
        arns = {tg.name: tg.arn for tg in elb.target_groups.values()}
        if len(names) != 2 or not all(n in arns for n in names):
            continue
        live = getattr(group, "_rewind_live", {}).get(index, 0)
        serving, other = arns[names[live]], arns[names[1 - live]]
        for listener in ((pair.get("prodTrafficRoute") or {}).get("listenerArns") or []):
            try:
                elb.modify_listener(listener, actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                    {"TargetGroupArn": serving, "Weight": 0}, {"TargetGroupArn": other, "Weight": 100}]}}])
            except Exception:
                continue
        group._rewind_live = {**getattr(group, "_rewind_live", {}), index: 1 - live}
    run.rerouted = True


def _advance(deployment: Any) -> None:
    run: _Run | None = getattr(deployment, "_rewind_run", None)
    if run is None or deployment.status not in ("Created", "InProgress"):
        return
    step = SETTINGS.stage_seconds
    now = time.monotonic()
    deployment.status = "InProgress"
    deployment.deployment_overview.update({"InProgress": 1, "Pending": 0})
    if run.fails:
        if now >= run.started + 2 * step:
            deployment.status = "Failed"
            deployment._rewind_error = {"code": "ECS_UPDATE_ERROR", "message": ROLLBACK_FAILED_MESSAGE}
            deployment.deployment_overview.update({"InProgress": 0, "Failed": 1})
            run.finished = run.started + 2 * step
        return
    if not run.rerouted and now >= run.started + 2 * step:
        _reroute(deployment, run)
    if now >= run.started + 3 * step:
        deployment.status = "Succeeded"
        deployment.deployment_overview.update({"InProgress": 0, "Succeeded": 1})
        run.finished = run.started + 3 * step


ACTIVE = ("Created", "Queued", "InProgress", "Baking", "Ready")


def _active_deployment(backend: Any, application_name: str, deployment_group_name: str) -> str | None:
    """The id of a deployment of an ECS deployment group that has not ended (advanced first), or None."""
    for deployment_id, deployment in list(backend.deployments.items()):
        if (deployment.application_name, deployment.deployment_group_name) != (application_name, deployment_group_name):
            continue
        if getattr(deployment, "_rewind_run", None) is None:
            continue  # moto's own deployments of non-ECS groups never move on; they block nothing here
        _advance(deployment)
        if deployment.status in ACTIVE:
            return deployment_id
    return None


def _epoch(mono: float | None) -> float | None:
    return None if mono is None else time.time() - (time.monotonic() - mono)


_FOUND: dict[str, Any] = {}


def install(found: dict[str, Any]) -> None:
    """ECS behaviour for CodeDeploy deployments, StopDeployment, and GetDeployment's status, errors and rollback."""
    _FOUND.update(found)
    backend_cls = found["CodeDeployBackend"]
    info_cls = found["DeploymentInfo"]
    response_cls = found["CodeDeployResponse"]
    codedeploy_exception = found["CodeDeployException"]
    orig_create_deployment = backend_cls.create_deployment
    orig_to_dict = info_cls.to_dict

    def start(backend: Any, deployment: Any, source: str | None, target: str | None, rollback_of: str | None,
              fails: bool) -> None:
        deployment._rewind_account, deployment._rewind_region = backend.account_id, backend.region_name
        services = [(s.get("clusterName") or "default", s.get("serviceName")) for s in
                    deployment.deployment_group.ecs_services or [] if s.get("serviceName")]
        deployment._rewind_run = _Run(services, source, target, rollback_of, fails)

    def create_deployment(self: Any, application_name: str, deployment_group_name: str, revision: Any,
                          *args: Any, **kwargs: Any) -> str:
        with ECS_LOCK:
            active = _active_deployment(self, application_name, deployment_group_name)
            if active is not None:
                # What real CodeDeploy answers while a deployment of the group has not ended.
                raise codedeploy_exception(
                    "DeploymentLimitExceededException",
                    f"The Deployment Group '{deployment_group_name}' already has an active Deployment '{active}'")
            deployment_id = orig_create_deployment(self, application_name, deployment_group_name, revision,
                                                   *args, **kwargs)
            deployment = self.deployments[deployment_id]
            group = deployment.deployment_group
            if group.ecs_services:
                target = _target_task_definition(revision)
                ecs = found["ecs_backends"][self.account_id][self.region_name]
                cluster, name = group.ecs_services[0].get("clusterName") or "default", group.ecs_services[0].get("serviceName")
                try:
                    source = ecs._get_service(cluster, name).task_definition
                except Exception:
                    source = None
                if target:
                    try:
                        target = ecs.describe_task_definition(target).arn
                    except Exception:
                        pass
                start(self, deployment, source, target, None, False)
            return deployment_id

    def to_dict(self: Any) -> dict[str, Any]:
        with ECS_LOCK:
            _advance(self)
            out = orig_to_dict(self)
            run: _Run | None = getattr(self, "_rewind_run", None)
            if run is None:
                return out
            out["createTime"] = _epoch(run.started)
            out["startTime"] = _epoch(run.started)
            if run.finished is not None:
                out["completeTime"] = _epoch(run.finished)
            else:
                out.pop("completeTime", None)
            error = getattr(self, "_rewind_error", None)
            out["errorInformation"] = error or {}
            rollback = dict(getattr(self, "_rewind_rollback_info", {}) or {})
            if run.rollback_of:
                rollback["rollbackTriggeringDeploymentId"] = run.rollback_of
            out["rollbackInfo"] = rollback
            out["deploymentStatusMessages"] = list(getattr(self, "_rewind_messages", []))
            if run.source and not run.rollback_of:
                out["previousRevision"] = _app_spec_revision(run.source)
            return out

    def stop_deployment(self: Any) -> str:
        import json

        deployment_id = self._get_param("deploymentId")
        auto_rollback = bool(self._get_param("autoRollbackEnabled"))
        backend = self.codedeploy_backend
        with ECS_LOCK:
            deployment = backend.get_deployment(deployment_id)
            _advance(deployment)
            if deployment.status not in ("Created", "InProgress", "Queued", "Ready"):
                raise codedeploy_exception("DeploymentAlreadyCompletedException",
                                           f"Deployment {deployment_id} has already completed.")
            run: _Run | None = getattr(deployment, "_rewind_run", None)
            deployment.status = "Stopped"
            deployment._rewind_error = {"code": "MANUAL_STOP",
                                        "message": "The deployment was stopped by a StopDeployment request."}
            deployment.deployment_overview.update({"InProgress": 0})
            if run is not None:
                run.finished = time.monotonic()
            if not auto_rollback or run is None:
                return json.dumps({"status": "Succeeded", "statusMessage": "The deployment was stopped."})
            rollback_id = orig_create_deployment(
                backend, deployment.application_name, deployment.deployment_group_name,
                {"revisionType": "AppSpecContent", "appSpecContent": {"content": ""}})
            rollback = backend.deployments[rollback_id]
            rollback.creator = "codeDeployRollback"
            start(backend, rollback, run.target, run.source, deployment_id, SETTINGS.take_fail_next_rollback())
            rollback._rewind_run.rerouted = not run.rerouted  # nothing to move back if traffic never moved
            if not run.rerouted:
                for cluster, name in run.services:
                    service = _ecs_service(rollback, cluster, name)
                    if service is not None and run.source:
                        service.task_definition = run.source
            deployment._rewind_rollback_info = {
                "rollbackDeploymentId": rollback_id,
                "rollbackMessage": f"Deployment {deployment_id} was stopped; rolled back by {rollback_id}.",
            }
            return json.dumps({"status": "Pending", "statusMessage": f"Rollback deployment {rollback_id} started."})

    backend_cls.create_deployment = create_deployment
    info_cls.to_dict = to_dict
    response_cls.stop_deployment = stop_deployment
