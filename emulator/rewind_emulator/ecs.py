"""ECS rollouts: a new PRIMARY deployment per UpdateService that completes, or fails and rolls back, lazily in time.

See emulator/README.md for the patches and the reasons.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import math
import random
import time
import uuid
from typing import Any

from .core import ECS_LOCK, SETTINGS, merge, plain, utcnow

MAX_SERVICE_EVENTS = 100

REQUIRED = [
    ("moto.ecs.models", "EC2ContainerServiceBackend", ["create_service", "update_service", "describe_services",
                                                       "describe_task_definition", "update_cluster_resources",
                                                       "_get_cluster", "_get_service"]),
    ("moto.ecs.models", "Service", ["__init__"]),
    ("moto.ecs.models", "InvalidParameterException", []),
    ("moto.ecs.models", "EcsClientException", []),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", ["create_service", "list_task_definitions",
                                                           "_get_param", "ecs_backend"]),
]


IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
PRIMARY, ACTIVE = "PRIMARY", "ACTIVE"
FAILED_REASON = "ECS deployment circuit breaker: tasks failed to start."
DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


class _DeploymentMeta:
    """What the emulator knows about one deployment beyond what DescribeServices shows."""

    def __init__(self, start_mono: float, start_dt: datetime.datetime, delay: float, broken: bool, kind: str):
        self.start_mono = start_mono  # start of the current phase (creation, or the start of a rollback)
        self.start_dt = start_dt
        self.delay = delay
        self.broken = broken
        self.kind = kind  # "initial" | "rollout" | "rollback"
        self.r0 = 0  # this deployment's running count when the phase started
        self.drain0: dict[str, int] = {}  # other deployments' running counts when the phase started


class _ServiceState:
    def __init__(self) -> None:
        self.meta: dict[str, _DeploymentMeta] = {}
        self.last_completed: str | None = None
        self.tasks: dict[str, list[str]] = {}  # deployment id -> ids of its running tasks (for event messages)
        # deployment id -> how its last phase ended: {"state": COMPLETED|FAILED, "at": datetime, "rollback_to": id|None}
        self.outcomes: dict[str, dict[str, Any]] = {}

    def start_tasks(self, deployment_id: str, n: int) -> str:
        ids = [uuid.uuid4().hex for _ in range(max(0, n))]
        self.tasks.setdefault(deployment_id, []).extend(ids)
        return _task_list(ids)

    def stop_tasks(self, deployment_id: str, n: int) -> str:
        running = self.tasks.setdefault(deployment_id, [])
        while len(running) < n:
            running.append(uuid.uuid4().hex)
        stopped, running[:] = running[:n], running[n:]
        return _task_list(stopped)


def _new_deployment_id() -> str:
    return f"ecs-svc/{random.randint(10**18, 2**63 - 1)}"


def _task_list(ids: list[str]) -> str:
    return " ".join(f"(task {task_id})" for task_id in ids)



def image_is_broken(image: str, marker: str | None = None) -> bool:
    """True when the image's tag (not its repository or digest) contains the marker, case-insensitively."""
    marker = (marker or SETTINGS.broken_marker).lower()
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    return marker in last.rsplit(":", 1)[1].lower()


def task_definition_is_broken(task_definition: Any) -> bool:
    for container in getattr(task_definition, "container_definitions", None) or []:
        image = container.get("image") or container.get("Image") or ""
        if isinstance(image, str) and image_is_broken(image):
            return True
    return False


def _failure_threshold(desired: int) -> int:
    # Real ECS: half the desired count, at least 3, at most 200 failed tasks.
    return max(3, min(200, math.ceil(desired * 0.5)))


def _circuit_breaker(service: Any) -> tuple[bool, bool]:
    config = getattr(service, "deployment_configuration", None) or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    return bool(breaker.get("enable", False)), bool(breaker.get("rollback", False))


def _add_event(service: Any, message: str, at: datetime.datetime) -> None:
    events = service.events
    events.insert(0, {"id": str(uuid.uuid4()), "createdAt": at, "message": f"(service {service.name}) {message}"})
    events.sort(key=lambda e: e["createdAt"], reverse=True)
    del events[MAX_SERVICE_EVENTS:]


def _primary(service: Any) -> dict[str, Any] | None:
    for deployment in service.deployments:
        if deployment.get("status") == PRIMARY:
            return deployment
    return None


def _platform_family(service: Any) -> str | None:
    return "Linux" if getattr(service, "launch_type", None) == "FARGATE" else None


def _resolve_arn(backend: Any, task_definition: str | None) -> str | None:
    if not task_definition or task_definition.startswith("arn:"):
        return task_definition
    try:
        return backend.describe_task_definition(task_definition).arn
    except Exception:
        return task_definition


def _is_broken_arn(backend: Any, arn: str | None) -> bool:
    if not arn:
        return False
    try:
        return task_definition_is_broken(backend.describe_task_definition(arn))
    except Exception:
        return False


def _state(service: Any) -> _ServiceState | None:
    return getattr(service, "_rewind_state", None)


def _adopt(backend: Any, service: Any) -> _ServiceState | None:
    """State for a service created before (or around) the patch: its deployments are taken as they are."""
    state = _state(service)
    if state is not None:
        return state
    if (getattr(service, "deployment_controller", None) or {}).get("type", "ECS") != "ECS" or not service.deployments:
        return None
    state = _ServiceState()
    now_mono, now_dt = time.monotonic(), utcnow()
    for deployment in service.deployments:
        deployment["taskDefinition"] = _resolve_arn(backend, deployment.get("taskDefinition"))
        meta = _DeploymentMeta(now_mono, now_dt, 0.0, False, "initial")
        meta.r0 = deployment.get("runningCount") or 0
        state.meta[deployment["id"]] = meta
        # Adopted deployments are frozen as they are (no timer) until an UpdateService starts a new one.
        deployment.setdefault("rolloutState", COMPLETED)
    primary = _primary(service)
    if primary is not None:
        state.last_completed = primary["id"]
        if primary.get("rolloutState") == IN_PROGRESS:
            primary["rolloutState"] = COMPLETED
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
    service._rewind_state = state
    if getattr(service, "deployment_configuration", None) is None:
        service.deployment_configuration = copy.deepcopy(DEFAULT_DEPLOYMENT_CONFIGURATION)
    return state



def _start_phase(service: Any, state: _ServiceState, deployment: dict[str, Any], meta: _DeploymentMeta) -> None:
    meta.r0 = deployment.get("runningCount") or 0
    meta.drain0 = {
        d["id"]: d.get("runningCount") or 0 for d in service.deployments if d["id"] != deployment["id"]
    }
    state.meta[deployment["id"]] = meta


def _start_deployment(backend: Any, service: Any, task_definition_arn: str) -> dict[str, Any]:
    state = _state(service)
    assert state is not None
    now_mono, now_dt = time.monotonic(), utcnow()
    old_primary = _primary(service)
    deployment_id = _new_deployment_id()
    deployment: dict[str, Any] = {
        "id": deployment_id,
        "status": PRIMARY,
        "taskDefinition": task_definition_arn,
        "desiredCount": service.desired_count,
        "pendingCount": service.desired_count,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now_dt,
        "updatedAt": now_dt,
        "launchType": (old_primary or {}).get("launchType", getattr(service, "launch_type", None)),
        "platformVersion": (old_primary or {}).get("platformVersion"),
        "platformFamily": _platform_family(service),
        "networkConfiguration": (old_primary or {}).get("networkConfiguration")
        or (getattr(service, "network_configuration", None) or None),
        "rolloutState": IN_PROGRESS,
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }
    for d in service.deployments:
        if d.get("status") == PRIMARY:
            d["status"] = ACTIVE
            d["updatedAt"] = now_dt
    service.deployments.insert(0, deployment)
    meta = _DeploymentMeta(
        now_mono, now_dt, SETTINGS.rollout_seconds, _is_broken_arn(backend, task_definition_arn), "rollout"
    )
    _start_phase(service, state, deployment, meta)
    if service.desired_count > 0:
        started = state.start_tasks(deployment_id, service.desired_count)
        _add_event(service, f"has started {service.desired_count} tasks: {started}.", now_dt)
    return deployment


def _complete(service: Any, state: _ServiceState, primary: dict[str, Any], at: datetime.datetime) -> None:
    meta = state.meta.get(primary["id"])
    drained = sum(meta.drain0.values()) if meta is not None else 0
    primary["rolloutState"] = COMPLETED
    primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
    primary["runningCount"] = primary["desiredCount"]
    primary["pendingCount"] = 0
    primary["updatedAt"] = at
    stopped: list[str] = []
    for d in service.deployments:
        if d is not primary:
            state.meta.pop(d["id"], None)
            stopped.extend(state.tasks.pop(d["id"], []))
    service.deployments[:] = [primary]
    state.last_completed = primary["id"]
    state.outcomes[primary["id"]] = {"state": COMPLETED, "at": at, "rollback_to": None}
    if drained > 0:
        while len(stopped) < drained:
            stopped.append(uuid.uuid4().hex)
        _add_event(service, f"has stopped {drained} running tasks: {_task_list(stopped[:drained])}.", at)
    _add_event(service, f"(deployment {primary['id']}) deployment completed.", at)
    _add_event(service, "has reached a steady state.", at)


def _fail(service: Any, state: _ServiceState, primary: dict[str, Any], meta: _DeploymentMeta) -> None:
    at_mono = meta.start_mono + meta.delay
    at = meta.start_dt + datetime.timedelta(seconds=meta.delay)
    primary["rolloutState"] = FAILED
    primary["rolloutStateReason"] = FAILED_REASON
    primary["runningCount"] = 0
    primary["pendingCount"] = 0
    primary["failedTasks"] = _failure_threshold(primary.get("desiredCount") or 0)
    primary["updatedAt"] = at
    state.tasks.pop(primary["id"], None)
    _add_event(service, f"deployment {primary['id']} deployment failed: tasks failed to start.", at)
    _enabled, rollback = _circuit_breaker(service)
    target = next((d for d in service.deployments if d["id"] == state.last_completed and d is not primary), None)
    state.outcomes[primary["id"]] = {"state": FAILED, "at": at, "rollback_to": target["id"] if rollback and target else None}
    if not rollback or target is None:
        return  # the failed deployment stays PRIMARY; the older ones keep running
    # Real ECS reuses the last COMPLETED deployment: it becomes PRIMARY again and IN_PROGRESS.
    primary["status"] = ACTIVE
    target["status"] = PRIMARY
    target["rolloutState"] = IN_PROGRESS
    target["rolloutStateReason"] = f"ECS deployment circuit breaker: rolling back to deploymentId {target['id']}."
    target["desiredCount"] = service.desired_count
    target["updatedAt"] = at
    service.deployments.remove(target)
    service.deployments.insert(0, target)
    _add_event(service, f"rolling back to deployment {target['id']}.", at)
    rollback_meta = _DeploymentMeta(at_mono, at, SETTINGS.rollout_seconds, False, "rollback")
    _start_phase(service, state, target, rollback_meta)
    missing = service.desired_count - (target.get("runningCount") or 0)
    if missing > 0:
        _add_event(service, f"has started {missing} tasks: {state.start_tasks(target['id'], missing)}.", at)


def _refresh_counts(service: Any, state: _ServiceState, now_mono: float, now_dt: datetime.datetime) -> None:
    primary = _primary(service)
    if primary is None:
        return
    meta = state.meta.get(primary["id"])
    desired = service.desired_count
    primary["desiredCount"] = desired
    others = [d for d in service.deployments if d is not primary]

    def put(d: dict[str, Any], running: int, pending: int, failed: int | None = None) -> None:
        changed = d.get("runningCount") != running or d.get("pendingCount") != pending
        if failed is not None and d.get("failedTasks") != failed:
            changed = True
            d["failedTasks"] = failed
        d["runningCount"], d["pendingCount"] = running, pending
        if changed:
            d["updatedAt"] = now_dt

    state_ = primary.get("rolloutState")
    if meta is None or state_ == COMPLETED:
        put(primary, desired, 0)
    elif state_ == FAILED:
        put(primary, 0, 0)
    else:  # IN_PROGRESS
        fraction = 1.0 if meta.delay <= 0 else max(0.0, min(1.0, (now_mono - meta.start_mono) / meta.delay))
        if meta.broken:
            threshold = _failure_threshold(desired)
            elapsed = 0.0 if meta.delay <= 0 else max(0.0, (now_mono - meta.start_mono) / meta.delay)
            enabled, _rollback = _circuit_breaker(service)
            failed = math.floor(threshold * (min(elapsed, 1.0) if enabled else elapsed))
            put(primary, 0, desired, failed)
            for d in others:
                if d.get("rolloutState") == FAILED:
                    put(d, 0, 0)
                else:
                    put(d, meta.drain0.get(d["id"], d.get("runningCount") or 0), 0)
        else:
            running = min(desired, meta.r0 + math.floor(max(0, desired - meta.r0) * fraction))
            put(primary, running, max(0, desired - running))
            to_stop = max(0, running - meta.r0)
            for d in reversed(others):  # the oldest deployments drain first
                before = meta.drain0.get(d["id"], d.get("runningCount") or 0)
                if d.get("rolloutState") == FAILED:
                    put(d, 0, 0)
                    continue
                stop = min(before, to_stop)
                to_stop -= stop
                put(d, before - stop, 0)
    service.task_definition = primary.get("taskDefinition")


def _advance(backend: Any, service: Any) -> None:
    """Bring a patched service's deployments up to now (lazy: no background thread)."""
    state = _state(service)
    if state is None or getattr(service, "status", "ACTIVE") != "ACTIVE":
        return
    now_mono, now_dt = time.monotonic(), utcnow()
    for _ in range(16):  # each pass makes one transition; a rollback adds one more
        primary = _primary(service)
        if primary is None or primary.get("rolloutState") != IN_PROGRESS:
            break
        meta = state.meta.get(primary["id"])
        if meta is None or meta.kind == "initial":
            break
        if now_mono < meta.start_mono + meta.delay:
            break
        if meta.broken:
            enabled, _rollback = _circuit_breaker(service)
            if not enabled:
                break  # without the circuit breaker ECS keeps retrying forever
            _fail(service, state, primary, meta)
        else:
            _complete(service, state, primary, meta.start_dt + datetime.timedelta(seconds=meta.delay))
    _refresh_counts(service, state, now_mono, now_dt)
    _sync_service_counts(backend, service)


def _sync_service_counts(backend: Any, service: Any, contributed: tuple[int, int] | None = None) -> None:
    """Service counts = sum over deployments; the cluster's task counts follow the change."""
    running = sum(d.get("runningCount") or 0 for d in service.deployments)
    pending = sum(d.get("pendingCount") or 0 for d in service.deployments)
    old_running, old_pending = contributed if contributed is not None else (service.running_count, service.pending_count)
    service.running_count, service.pending_count = running, pending
    try:
        cluster = backend._get_cluster(service.cluster_name)
    except Exception:
        return
    backend.update_cluster_resources(cluster, running - old_running, task_state="RUNNING")
    backend.update_cluster_resources(cluster, pending - old_pending, task_state="PENDING")


def _init_created_service(backend: Any, service: Any) -> None:
    """CreateService under the patch: one PRIMARY deployment, already COMPLETED, running = desired."""
    controller = (getattr(service, "deployment_controller", None) or {}).get("type", "ECS")
    if controller == "CODE_DEPLOY":
        # Its tasks run in CodeDeploy's task sets, not in deployments: ECS still counts them on the service.
        service.running_count = service.desired_count
    if controller != "ECS" or not service.deployments:
        return
    now_dt = utcnow()
    state = _ServiceState()
    deployment = service.deployments[0]
    deployment_id = _new_deployment_id()
    deployment.update(
        {
            "id": deployment_id,
            "status": PRIMARY,
            "taskDefinition": _resolve_arn(backend, deployment.get("taskDefinition") or service.task_definition),
            "desiredCount": service.desired_count,
            "runningCount": service.desired_count,
            "pendingCount": 0,
            "failedTasks": 0,
            "rolloutState": COMPLETED,
            "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
            "platformFamily": _platform_family(service),
            "createdAt": now_dt,
            "updatedAt": now_dt,
        }
    )
    if not deployment.get("networkConfiguration"):
        deployment.pop("networkConfiguration", None)
    meta = _DeploymentMeta(time.monotonic(), now_dt, 0.0, False, "initial")
    meta.r0 = service.desired_count
    state.meta[deployment_id] = meta
    state.last_completed = deployment_id
    service._rewind_state = state
    if getattr(service, "deployment_configuration", None) is None:
        service.deployment_configuration = copy.deepcopy(DEFAULT_DEPLOYMENT_CONFIGURATION)
    if getattr(service, "created_at", None) is None:
        service.created_at = now_dt
    _sync_service_counts(backend, service)
    if service.desired_count > 0:
        started = state.start_tasks(deployment_id, service.desired_count)
        _add_event(service, f"has started {service.desired_count} tasks: {started}.", now_dt)
    _add_event(service, f"(deployment {deployment_id}) deployment completed.", now_dt)
    _add_event(service, "has reached a steady state.", now_dt)


def install(found: dict[str, Any]) -> None:
    """Rollouts that take time and end COMPLETED or FAILED, and ListTaskDefinitions' sort and paging."""
    backend_cls = found["EC2ContainerServiceBackend"]
    response_cls = found["EC2ContainerServiceResponse"]
    invalid_parameter = found["InvalidParameterException"]
    client_exception = found["EcsClientException"]
    action_result = found["ActionResult"]

    # ---- ECS backend -----------------------------------------------------------------------------------------
    orig_create_service = backend_cls.create_service
    orig_update_service = backend_cls.update_service
    orig_describe_services = backend_cls.describe_services

    def _refuse_inactive(backend: Any, task_definition_str: str | None) -> None:
        if not task_definition_str:
            return
        task_definition = backend.describe_task_definition(task_definition_str)
        if getattr(task_definition, "status", "ACTIVE") != "ACTIVE":
            raise client_exception("TaskDefinition is inactive")

    def create_service(self: Any, cluster_str: str, service_name: str, desired_count: int,
                       task_definition_str: str | None = None, *args: Any, **kwargs: Any) -> Any:
        with ECS_LOCK:
            self._get_cluster(cluster_str)  # moto's error order: the cluster first, then the task definition
            _refuse_inactive(self, task_definition_str)
            service = orig_create_service(self, cluster_str, service_name, desired_count, task_definition_str,
                                          *args, **kwargs)
            _init_created_service(self, service)
            return service

    def describe_services(self: Any, cluster_str: str, service_names_or_arns: list[str]) -> Any:
        with ECS_LOCK:
            services, failures = orig_describe_services(self, cluster_str, service_names_or_arns)
            for service in services:
                _advance(self, service)
            return services, failures

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        with ECS_LOCK:
            cluster_str = service_properties.get("cluster", "default")
            service_name = str(service_properties.get("service") or "").split("/")[-1]
            task_definition_str = service_properties.get("task_definition")
            force = bool(service_properties.get("force_new_deployment"))
            new_desired = service_properties.get("desired_count")
            new_config = service_properties.get("deployment_configuration")
            try:
                service = self._get_service(cluster_str, service_name)
            except Exception:
                return orig_update_service(self, service_properties)  # moto raises the right error
            state = _adopt(self, service)
            if state is None:
                return orig_update_service(self, service_properties)
            _refuse_inactive(self, task_definition_str)
            _advance(self, service)
            old_desired = service.desired_count
            old_config = copy.deepcopy(getattr(service, "deployment_configuration", None) or {})
            saved_deployments = service.deployments
            service.deployments = copy.deepcopy(saved_deployments)  # moto rewrites deployments[0] on force
            result = orig_update_service(self, service_properties)
            service.deployments = saved_deployments
            # moto took the service's counts off the cluster and, with desiredCount, added desired as RUNNING.
            contributed = (new_desired if new_desired is not None else 0, 0)
            if new_config is not None:
                service.deployment_configuration = merge(old_config, plain(new_config))
            primary = _primary(service)
            new_arn = self.describe_task_definition(task_definition_str).arn if task_definition_str else None
            if primary is not None and (force or (new_arn is not None and new_arn != primary.get("taskDefinition"))):
                _start_deployment(self, service, new_arn or primary.get("taskDefinition"))
            elif primary is not None and new_desired is not None and new_desired != old_desired:
                now_dt = utcnow()
                if primary.get("rolloutState") == COMPLETED:
                    if new_desired > old_desired:
                        n = new_desired - old_desired
                        _add_event(service, f"has started {n} tasks: {state.start_tasks(primary['id'], n)}.", now_dt)
                    else:
                        n = old_desired - new_desired
                        stopped = state.stop_tasks(primary["id"], n)
                        _add_event(service, f"has stopped {n} running tasks: {stopped}.", now_dt)
                    _add_event(service, "has reached a steady state.", now_dt)
            _refresh_counts(service, state, time.monotonic(), utcnow())
            _sync_service_counts(self, service, contributed)
            return result

    backend_cls.create_service = create_service
    backend_cls.update_service = update_service
    backend_cls.describe_services = describe_services

    # ---- ECS responses ---------------------------------------------------------------------------------------
    orig_create_service_response = response_cls.create_service

    def create_service_response(self: Any) -> Any:
        result = orig_create_service_response(self)
        config = self._get_param("deploymentConfiguration")
        if config:
            with ECS_LOCK:
                service = result.result["service"] if isinstance(result.result, dict) else None
                if service is not None:
                    base = getattr(service, "deployment_configuration", None) or {}
                    service.deployment_configuration = merge(base, plain(config))
        return result

    def list_task_definitions(self: Any) -> Any:
        family = self._get_param("familyPrefix")
        status = self._get_param("status") or "ACTIVE"
        sort = str(self._get_param("sort") or "ASC").upper()
        max_results = self._get_param("maxResults")
        token = self._get_param("nextToken")
        if sort not in ("ASC", "DESC"):
            raise invalid_parameter(f"Invalid value for sort: {sort}. Valid values are ASC and DESC.")
        if max_results is None:
            max_results = 100
        else:
            max_results = int(max_results)
            if not 1 <= max_results <= 100:
                raise invalid_parameter("maxResults must be between 1 and 100.")
        items = sorted(
            (
                (td.family, td.revision, td.arn)
                for revisions in self.ecs_backend.task_definitions.values()
                for td in revisions.values()
                if td.status == status and (family is None or td.family == family)
            ),
            key=lambda item: (item[0], item[1]),
            reverse=sort == "DESC",
        )
        if token:
            try:
                after = json.loads(base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8"))
                after_key = (str(after["f"]), int(after["r"]))
                if after.get("s") != sort:
                    raise ValueError("sort changed")
            except Exception:
                raise invalid_parameter("The specified nextToken is invalid.") from None
            if sort == "ASC":
                items = [i for i in items if (i[0], i[1]) > after_key]
            else:
                items = [i for i in items if (i[0], i[1]) < after_key]
        page, rest = items[:max_results], items[max_results:]
        response: dict[str, Any] = {"taskDefinitionArns": [arn for _f, _r, arn in page]}
        if rest and page:
            last = page[-1]
            raw = json.dumps({"f": last[0], "r": last[1], "s": sort}, separators=(",", ":"))
            response["nextToken"] = base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")
        return action_result(response)

    response_cls.create_service = create_service_response
    response_cls.list_task_definitions = list_task_definitions
