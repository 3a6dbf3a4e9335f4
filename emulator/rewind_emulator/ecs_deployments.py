"""ECS service revisions and service deployments for every service, and the BLUE_GREEN / LINEAR / CANARY shapes.

Every CreateService/UpdateService that starts a deployment records a service revision (the task definition, load
balancers, network) and a service deployment (ListServiceDeployments, DescribeServiceDeployments,
DescribeServiceRevisions). A ROLLING deployment's status follows the rollout of emulator/rewind_emulator/ecs.py.
A BLUE_GREEN, LINEAR or CANARY deployment walks the lifecycle stages, each REWIND_MOTO_STAGE_SECONDS long (bake
times in "minutes" of REWIND_MOTO_MINUTE_SECONDS), and moves the weights of the production listener rule itself, as
ECS does. StopServiceDeployment(ROLLBACK) and ContinueServiceDeployment answer deployments in flight. All state is
computed lazily at each read, under the ECS lock, with no threads. See emulator/README.md.
"""

from __future__ import annotations

import copy
import datetime
import math
import random
import string
import time
from typing import Any

from . import ecs
from .core import ECS_LOCK, SETTINGS, plain, utcnow

REQUIRED = [
    ("moto.ecs.models", "EC2ContainerServiceBackend", ["create_service", "update_service", "describe_services"]),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", ["_get_param", "ecs_backend"]),
    ("moto.elbv2.models", "elbv2_backends", []),
    ("moto.elbv2.models", "FakeAction", []),
    ("moto.ecs.exceptions", "ECSException", []),
]

STAGES = ("RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
          "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP")
# Hooks may name PRE_PRODUCTION_TRAFFIC_SHIFT, which is no lifecycle stage: they run as PRODUCTION_TRAFFIC_SHIFT begins.
HOOK_STAGE_ALIASES = {"PRE_PRODUCTION_TRAFFIC_SHIFT": "PRODUCTION_TRAFFIC_SHIFT"}
SHIFTING_STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")
IN_PROGRESS, SUCCESSFUL, STOPPED = "IN_PROGRESS", "SUCCESSFUL", "STOPPED"
ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS = "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"
ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED = "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"
FINISHED = (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED)
AWAITING_ACTION, HOOK_IN_PROGRESS, SUCCEEDED, HOOK_FAILED, TIMED_OUT = (
    "AWAITING_ACTION", "IN_PROGRESS", "SUCCEEDED", "FAILED", "TIMED_OUT")
# An AWS_LAMBDA hook whose hookTargetArn contains this text fails (no Lambda is invoked; the others succeed).
FAILING_HOOK_MARKER = "fail"
CODE_DEPLOY_UPDATE_REFUSED = ("Unable to update task definition on services with a CODE_DEPLOY deployment controller. "
                              "Use AWS CodeDeploy to trigger a new deployment.")
DEFAULT_LINEAR = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 1}
DEFAULT_CANARY = {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1}
ROLLBACK_FAILED_REASON = "Rollback failed: the source service revision could not be restored (failNextRollback)."

_ANCHOR = (time.monotonic(), datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))


def _dt(mono: float) -> datetime.datetime:
    """The wall-clock time of a monotonic instant (moto's naive UTC datetimes)."""
    return _ANCHOR[1] + datetime.timedelta(seconds=mono - _ANCHOR[0])


def _mono(at: datetime.datetime) -> float:
    return _ANCHOR[0] + (at - _ANCHOR[1]).total_seconds()


def _new_id(length: int = 21) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits + "-_", k=length))


class Revision:
    """A service revision: what one deployment runs."""

    def __init__(self, service: Any, task_definition: str | None, deployment_id: str | None) -> None:
        self.arn = f"{_service_base_arn(service, 'service-revision')}/{random.randint(10**18, 2**63 - 1)}"
        self.service_arn = service.arn
        self.cluster_arn = service.cluster_arn
        self.task_definition = task_definition
        self.load_balancers = copy.deepcopy(plain(getattr(service, "load_balancers", None) or []))
        self.launch_type = getattr(service, "launch_type", None)
        self.platform_version = getattr(service, "platform_version", None)
        self.network_configuration = copy.deepcopy(getattr(service, "network_configuration", None) or None)
        self.created_at = utcnow()
        self.deployment_id = deployment_id  # the DescribeServices deployment that runs it

    def describe(self) -> dict[str, Any]:
        out = {"serviceRevisionArn": self.arn, "serviceArn": self.service_arn, "clusterArn": self.cluster_arn,
               "taskDefinition": self.task_definition, "loadBalancers": self.load_balancers,
               "createdAt": self.created_at}
        if self.launch_type:
            out["launchType"] = self.launch_type
        if self.platform_version:
            out["platformVersion"] = self.platform_version
        if self.network_configuration:
            out["networkConfiguration"] = self.network_configuration
        return out


class HookRun:
    """One lifecycle hook of the stage a deployment is in."""

    def __init__(self, hook: dict[str, Any], entered: float) -> None:
        self.hook_id = _new_id(12)
        self.target_type = hook.get("targetType") or "AWS_LAMBDA"
        self.target_arn = hook.get("hookTargetArn") if self.target_type != "PAUSE" else None
        self.status = AWAITING_ACTION if self.target_type == "PAUSE" else HOOK_IN_PROGRESS
        timeout = hook.get("timeoutConfiguration") or {}
        minutes = timeout.get("timeoutInMinutes")
        self.expires = entered + float(minutes) * SETTINGS.minute_seconds if minutes is not None else None
        self.timeout_action = timeout.get("action") or ("ROLLBACK" if minutes is not None else None)

    def fails(self) -> bool:
        return self.target_type != "PAUSE" and FAILING_HOOK_MARKER in (self.target_arn or "").lower()

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hookId": self.hook_id, "targetType": self.target_type, "status": self.status}
        if self.target_arn:
            out["targetArn"] = self.target_arn
        if self.expires is not None:
            out["expiresAt"] = _dt(self.expires)
        if self.timeout_action:
            out["timeoutAction"] = self.timeout_action
        return out


class ServiceDeployment:
    def __init__(self, service: Any, source: list[Revision], target: Revision, now: float) -> None:
        self.arn = f"{_service_base_arn(service, 'service-deployment')}/{_new_id()}"
        self.service_arn = service.arn
        self.cluster_arn = service.cluster_arn
        self.source = source
        self.target = target
        self.config = copy.deepcopy(plain(getattr(service, "deployment_configuration", None) or {}))
        self.strategy = self.config.get("strategy") or "ROLLING"
        self.created = self.started = self.updated = now
        self.finished: float | None = None
        self.stopped: float | None = None
        self.status = IN_PROGRESS
        self.reason: str | None = None
        # shifting strategies: the stage, when it was entered, its hooks, the weights ECS has put on the rules
        self.index = 0
        self.entered = now
        self.hooks: list[HookRun] | None = None
        self.production_weight = 0.0
        self.test_weight = 0.0
        self.pairs: list[dict[str, Any]] = []  # per load balancer: rules, blue (serving) and green target groups
        # rollback
        self.rollback: dict[str, Any] | None = None
        self.rollback_at: float | None = None
        self.rollback_fails = False
        self.rollback_rollout_id: str | None = None

    def touch(self, at: float) -> None:
        self.updated = max(self.updated, at)

    def finish(self, status: str, at: float, reason: str | None = None) -> None:
        self.status = status
        self.finished = at
        if reason is not None:
            self.reason = reason
        if status == STOPPED:
            self.stopped = at
        self.touch(at)


class History:
    """Per service: its revisions and service deployments, oldest first; which target group serves production."""

    def __init__(self) -> None:
        self.revisions: dict[str, Revision] = {}
        self.deployments: list[ServiceDeployment] = []
        self.live_target_groups: dict[int, str] = {}


def _service_base_arn(service: Any, kind: str) -> str:
    prefix = service.arn.split(":service/")[0]
    return f"{prefix}:{kind}/{service.cluster_name}/{service.name}"


def _history(service: Any) -> History | None:
    return getattr(service, "_rewind_history", None)


def _controller(service: Any) -> str:
    return (getattr(service, "deployment_controller", None) or {}).get("type", "ECS")


def _strategy(service: Any) -> str:
    return (getattr(service, "deployment_configuration", None) or {}).get("strategy") or "ROLLING"


def _record(service: Any, source: list[Revision], deployment: dict[str, Any], now: float) -> ServiceDeployment:
    history = _history(service)
    assert history is not None
    revision = Revision(service, deployment.get("taskDefinition"), deployment["id"])
    history.revisions[revision.arn] = revision
    for older in history.deployments:
        if older.status == IN_PROGRESS:
            older.finish(STOPPED, now, "Stopped by a newer service deployment.")
    sd = ServiceDeployment(service, source, revision, now)
    history.deployments.append(sd)
    service.current_service_deployment = sd.arn
    return sd


def _adopt(backend: Any, service: Any) -> History | None:
    """A service under the ECS controller gets its history: its PRIMARY deployment as a SUCCESSFUL first deployment."""
    history = _history(service)
    if history is not None or _controller(service) != "ECS":
        return history
    primary = ecs._primary(service)
    if primary is None:
        return None
    history = History()
    service._rewind_history = history
    now = time.monotonic()
    sd = _record(service, [], primary, now)
    sd.finish(SUCCESSFUL, now)
    for index, lb in enumerate(getattr(service, "load_balancers", None) or []):
        if (lb.get("advancedConfiguration") or {}) and lb.get("targetGroupArn"):
            history.live_target_groups[index] = lb["targetGroupArn"]
    _write_weights(backend, service, sd, initial=True)
    return history


# ---- traffic -----------------------------------------------------------------------------------------------------


def _pairs(service: Any, history: History) -> list[dict[str, Any]]:
    pairs = []
    for index, lb in enumerate(getattr(service, "load_balancers", None) or []):
        advanced = lb.get("advancedConfiguration") or {}
        main, alternate = lb.get("targetGroupArn"), advanced.get("alternateTargetGroupArn")
        if not main or not alternate:
            continue
        blue = history.live_target_groups.get(index, main)
        pairs.append({"index": index, "blue": blue, "green": alternate if blue == main else main,
                      "production": advanced.get("productionListenerRule"), "test": advanced.get("testListenerRule")})
    return pairs


def _write_weights(backend: Any, service: Any, sd: ServiceDeployment, initial: bool = False) -> None:
    """ECS owns the listener rules: production (and test) forward to blue and green with the deployment's weights."""
    pairs = _pairs(service, _history(service)) if initial else sd.pairs
    for pair in pairs:
        for rule_key, weight in (("production", sd.production_weight), ("test", sd.test_weight)):
            if pair[rule_key]:
                _forward(backend, pair[rule_key], pair["blue"], pair["green"], 0.0 if initial else weight)


def _forward(backend: Any, rule_arn: str, blue: str, green: str, green_weight: float) -> None:
    elb = _FOUND["elbv2_backends"][backend.account_id][backend.region_name]
    try:
        rule = elb.describe_rules(listener_arn=None, rule_arns=[rule_arn])[0]
    except Exception:
        return  # a rule that does not exist is not moved (real ECS would fail the deployment)
    green_share = int(round(green_weight))
    rule.actions = [_FOUND["FakeAction"]({
        "Type": "forward",
        "Order": 1,
        "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": blue, "Weight": 100 - green_share},
                             {"TargetGroupArn": green, "Weight": green_share}],
            "TargetGroupStickinessConfig": {"Enabled": False},
        },
    })]


def _production_weight(sd: ServiceDeployment, elapsed: float) -> float:
    """The green share of production traffic this long into PRODUCTION_TRAFFIC_SHIFT."""
    if sd.strategy == "LINEAR":
        linear = {**DEFAULT_LINEAR, **(sd.config.get("linearConfiguration") or {})}
        step = float(linear["stepPercent"])
        step_seconds = float(linear["stepBakeTimeInMinutes"]) * SETTINGS.minute_seconds
        done = math.floor(elapsed / step_seconds) + 1 if step_seconds > 0 else math.inf
        return min(100.0, done * step)
    if sd.strategy == "CANARY":
        canary = {**DEFAULT_CANARY, **(sd.config.get("canaryConfiguration") or {})}
        bake = float(canary["canaryBakeTimeInMinutes"]) * SETTINGS.minute_seconds
        return 100.0 if elapsed >= bake else float(canary["canaryPercent"])
    return 100.0


def _stage_seconds(sd: ServiceDeployment, stage: str) -> float:
    if stage == "BAKE_TIME":
        return float(sd.config.get("bakeTimeInMinutes") or 0) * SETTINGS.minute_seconds
    if stage == "PRODUCTION_TRAFFIC_SHIFT" and sd.strategy == "LINEAR":
        linear = {**DEFAULT_LINEAR, **(sd.config.get("linearConfiguration") or {})}
        steps = math.ceil(100.0 / float(linear["stepPercent"]))
        return (steps - 1) * float(linear["stepBakeTimeInMinutes"]) * SETTINGS.minute_seconds + SETTINGS.stage_seconds
    if stage == "PRODUCTION_TRAFFIC_SHIFT" and sd.strategy == "CANARY":
        canary = {**DEFAULT_CANARY, **(sd.config.get("canaryConfiguration") or {})}
        return float(canary["canaryBakeTimeInMinutes"]) * SETTINGS.minute_seconds + SETTINGS.stage_seconds
    return SETTINGS.stage_seconds


def _hooks_for(sd: ServiceDeployment, stage: str, entered: float) -> list[HookRun]:
    runs = []
    for hook in sd.config.get("lifecycleHooks") or []:
        stages = [HOOK_STAGE_ALIASES.get(s, s) for s in hook.get("lifecycleStages") or []]
        if stage in stages:
            runs.append(HookRun(hook, entered))
    return runs


# ---- the lifecycle -----------------------------------------------------------------------------------------------


def _start_shift(backend: Any, service: Any, task_definition_arn: str) -> ServiceDeployment:
    """UpdateService under BLUE_GREEN/LINEAR/CANARY: green starts beside blue, which keeps serving until the shift."""
    history = _history(service)
    state = ecs._state(service)
    assert history is not None and state is not None
    source = _live_revisions(service, history)
    deployment = ecs._start_deployment(backend, service, task_definition_arn)
    state.meta.pop(deployment["id"], None)  # no rollout timer: the stages below decide when it completes
    sd = _record(service, source, deployment, time.monotonic())
    sd.pairs = _pairs(service, history)
    return sd


def _live_revisions(service: Any, history: History) -> list[Revision]:
    ids = {d["id"] for d in service.deployments}
    return [r for r in history.revisions.values() if r.deployment_id in ids]


def _advance_shift(backend: Any, service: Any, sd: ServiceDeployment, now: float) -> None:
    while sd.status == IN_PROGRESS:
        stage = STAGES[sd.index]
        if sd.hooks is None:
            sd.hooks = _hooks_for(sd, stage, sd.entered)
            if stage == "TEST_TRAFFIC_SHIFT":
                sd.test_weight = 100.0
                _write_weights(backend, service, sd)
        waiting = next((h for h in sd.hooks if h.status == AWAITING_ACTION), None)
        if waiting is not None:
            if waiting.expires is None or now < waiting.expires:
                return
            waiting.status = TIMED_OUT
            sd.touch(waiting.expires)
            if waiting.timeout_action == "ROLLBACK":
                _start_rollback(backend, service, sd, waiting.expires, f"Lifecycle hook {waiting.hook_id} timed out.")
                return
            sd.entered = waiting.expires
            continue
        duration = _stage_seconds(sd, stage)
        if stage == "PRODUCTION_TRAFFIC_SHIFT":
            weight = _production_weight(sd, min(now, sd.entered + duration) - sd.entered)
            if weight != sd.production_weight:
                sd.production_weight = weight
                sd.touch(min(now, sd.entered + duration))
                _write_weights(backend, service, sd)
        if now < sd.entered + duration:
            return
        end = sd.entered + duration
        for hook in sd.hooks:
            if hook.status == HOOK_IN_PROGRESS:
                hook.status = HOOK_FAILED if hook.fails() else SUCCEEDED
        failed = next((h for h in sd.hooks if h.status == HOOK_FAILED), None)
        if failed is not None:
            _start_rollback(backend, service, sd, end, f"Lifecycle hook {failed.hook_id} failed.")
            return
        sd.index, sd.entered, sd.hooks = sd.index + 1, end, None
        sd.touch(end)
        if sd.index == len(STAGES):
            sd.index = len(STAGES) - 1
            _complete_shift(service, sd, end)


def _complete_shift(service: Any, sd: ServiceDeployment, at: float) -> None:
    history, state = _history(service), ecs._state(service)
    assert history is not None and state is not None
    sd.finish(SUCCESSFUL, at)
    for pair in sd.pairs:
        history.live_target_groups[pair["index"]] = pair["green"]
    primary = ecs._primary(service)
    if primary is not None and primary["id"] == sd.target.deployment_id:
        ecs._complete(service, state, primary, _dt(at))


def _start_rollback(backend: Any, service: Any, sd: ServiceDeployment, at: float, reason: str,
                    automatic: bool = False) -> None:
    """Back to the source revision: under a shift the weights flip to blue; under ROLLING a new PRIMARY of it."""
    source = sd.source[0] if sd.source else None
    sd.status = ROLLBACK_IN_PROGRESS if automatic else ROLLBACK_REQUESTED
    sd.rollback = {"reason": reason, "startedAt": _dt(at), "serviceRevisionArn": source.arn if source else None}
    sd.rollback_at = at
    sd.rollback_fails = not automatic and SETTINGS.take_fail_next_rollback()
    sd.touch(at)
    if sd.hooks:
        for hook in sd.hooks:
            if hook.status in (AWAITING_ACTION, HOOK_IN_PROGRESS):
                hook.status = HOOK_FAILED if hook.status == HOOK_IN_PROGRESS else SUCCEEDED
    if sd.rollback_fails or source is None or automatic:
        return  # a failing rollback leaves the service as it is; the circuit breaker's rollback is ecs.py's
    state = ecs._state(service)
    assert state is not None
    blue = next((d for d in service.deployments if d["id"] == source.deployment_id), None)
    if sd.strategy in SHIFTING_STRATEGIES and blue is not None:
        sd.production_weight = sd.test_weight = 0.0
        _write_weights(backend, service, sd)
        for d in service.deployments:
            d["status"] = ecs.ACTIVE
        blue["status"] = ecs.PRIMARY
        blue["rolloutState"] = ecs.IN_PROGRESS
        blue["rolloutStateReason"] = f"ECS deployment {sd.arn.rsplit('/', 1)[1]} rolling back to {source.arn}."
        blue["updatedAt"] = _dt(at)
        service.deployments.remove(blue)
        service.deployments.insert(0, blue)
        return
    deployment = ecs._start_deployment(backend, service, source.task_definition)
    source.deployment_id = deployment["id"]
    sd.rollback_rollout_id = deployment["id"]


def _advance_rollback(service: Any, sd: ServiceDeployment, now: float) -> None:
    assert sd.rollback_at is not None
    state = ecs._state(service)
    assert state is not None
    step = SETTINGS.stage_seconds
    if sd.status == ROLLBACK_REQUESTED and now >= sd.rollback_at + step:
        sd.status = ROLLBACK_IN_PROGRESS
        sd.touch(sd.rollback_at + step)
    if sd.status != ROLLBACK_IN_PROGRESS:
        return
    if sd.rollback_fails:
        if now >= sd.rollback_at + 2 * step:
            sd.finish(ROLLBACK_FAILED, sd.rollback_at + 2 * step, ROLLBACK_FAILED_REASON)
        return
    rollout_id = sd.rollback_rollout_id
    if rollout_id is None and sd.strategy not in SHIFTING_STRATEGIES:  # the circuit breaker's rollback
        rollout_id = (state.outcomes.get(sd.target.deployment_id or "") or {}).get("rollback_to")
    if rollout_id is not None:
        outcome = state.outcomes.get(rollout_id) or {}
        if outcome.get("state") == ecs.COMPLETED and _mono(outcome["at"]) >= sd.rollback_at - 1e-3:
            sd.finish(ROLLBACK_SUCCESSFUL, max(sd.rollback_at + step, _mono(outcome["at"])))
        return
    if now >= sd.rollback_at + 2 * step:
        done = sd.rollback_at + 2 * step
        sd.finish(ROLLBACK_SUCCESSFUL, done)
        blue = next((d for d in service.deployments if sd.source and d["id"] == sd.source[0].deployment_id), None)
        if blue is not None and blue.get("status") == ecs.PRIMARY:
            ecs._complete(service, state, blue, _dt(done))


def _follow_rolling(service: Any, sd: ServiceDeployment) -> None:
    """A ROLLING deployment's status follows ecs.py's rollout of its deployment."""
    state = ecs._state(service)
    assert state is not None
    outcome = state.outcomes.get(sd.target.deployment_id or "")
    if outcome is None:
        return
    at = max(sd.created, _mono(outcome["at"]))
    if outcome["state"] == ecs.COMPLETED:
        sd.finish(SUCCESSFUL, at)
    elif outcome["rollback_to"] is not None:
        _start_rollback(None, service, sd, at, ecs.FAILED_REASON, automatic=True)
    else:
        sd.finish(STOPPED, at, ecs.FAILED_REASON)


def sync(backend: Any, service: Any) -> None:
    """Bring the service's rollouts and service deployments up to now."""
    if _adopt(backend, service) is None or getattr(service, "status", "ACTIVE") != "ACTIVE":
        return
    history, state = _history(service), ecs._state(service)
    assert history is not None and state is not None
    ecs._advance(backend, service)
    now = time.monotonic()
    for sd in history.deployments:
        if sd.status == IN_PROGRESS and sd.strategy in SHIFTING_STRATEGIES:
            _advance_shift(backend, service, sd, now)
        elif sd.status == IN_PROGRESS:
            _follow_rolling(service, sd)
        if sd.status in (ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS):
            _advance_rollback(service, sd, now)
    ecs._advance(backend, service)


# ---- the answers -------------------------------------------------------------------------------------------------


def _summary(service: Any, sd: ServiceDeployment, revision: Revision, is_target: bool) -> dict[str, Any]:
    deployment = next((d for d in service.deployments if d["id"] == revision.deployment_id), None)
    requested = running = pending = 0
    if deployment is not None:
        requested = deployment.get("desiredCount") or 0
        running, pending = deployment.get("runningCount") or 0, deployment.get("pendingCount") or 0
    out: dict[str, Any] = {"arn": revision.arn, "requestedTaskCount": requested, "runningTaskCount": running,
                           "pendingTaskCount": pending}
    if sd.strategy in SHIFTING_STRATEGIES:
        production, test = sd.production_weight, sd.test_weight
        if sd.status == SUCCESSFUL:
            production = test = 100.0
        out["requestedProductionTrafficWeight"] = production if is_target else 100.0 - production
        out["requestedTestTrafficWeight"] = test if is_target else 100.0 - test
    return out


def _brief(sd: ServiceDeployment) -> dict[str, Any]:
    out = {"serviceDeploymentArn": sd.arn, "serviceArn": sd.service_arn, "clusterArn": sd.cluster_arn,
           "createdAt": _dt(sd.created), "startedAt": _dt(sd.started), "targetServiceRevisionArn": sd.target.arn,
           "status": sd.status}
    if sd.finished is not None:
        out["finishedAt"] = _dt(sd.finished)
    if sd.reason:
        out["statusReason"] = sd.reason
    return out


def _describe(service: Any, sd: ServiceDeployment) -> dict[str, Any]:
    out = _brief(sd)
    out.pop("targetServiceRevisionArn")
    out["updatedAt"] = _dt(sd.updated)
    if sd.stopped is not None:
        out["stoppedAt"] = _dt(sd.stopped)
    out["sourceServiceRevisions"] = [_summary(service, sd, r, False) for r in sd.source]
    out["targetServiceRevision"] = _summary(service, sd, sd.target, True)
    out["deploymentConfiguration"] = sd.config
    breaker = sd.config.get("deploymentCircuitBreaker") or {}
    failed = 0
    deployment = next((d for d in service.deployments if d["id"] == sd.target.deployment_id), None)
    if deployment is not None:
        failed = deployment.get("failedTasks") or 0
    desired = getattr(service, "desired_count", 0) or 0
    out["deploymentCircuitBreaker"] = {
        "status": ("TRIGGERED" if sd.rollback and sd.rollback["reason"] == ecs.FAILED_REASON
                   else "DISABLED" if not breaker.get("enable")
                   else "MONITORING_COMPLETE" if sd.status in FINISHED else "MONITORING"),
        "failureCount": failed,
        "threshold": ecs._failure_threshold(desired),
    }
    if sd.strategy in SHIFTING_STRATEGIES:
        out["lifecycleStage"] = STAGES[sd.index]
        out["lifecycleHookDetails"] = [h.describe() for h in sd.hooks or []]
    if sd.rollback is not None:
        out["rollback"] = {k: v for k, v in sd.rollback.items() if v is not None}
    return out


def _find(backend: Any, arn: str, kind: str) -> tuple[Any, Any] | None:
    """(service, history) of a service-deployment/service-revision ARN of this backend's account and region."""
    try:
        head, cluster, service_name, _id = arn.rsplit("/", 3)
    except ValueError:
        return None
    if not head.endswith(f":{kind}") or f":{backend.region_name}:{backend.account_id}:" not in head:
        return None
    try:
        service = backend._get_service(cluster, service_name)
    except Exception:
        return None
    sync(backend, service)
    history = _history(service)
    return (service, history) if history is not None else None


def _find_deployment(backend: Any, arn: str) -> tuple[Any, ServiceDeployment] | None:
    found = _find(backend, arn, "service-deployment")
    if found is None:
        return None
    service, history = found
    sd = next((d for d in history.deployments if d.arn == arn), None)
    return (service, sd) if sd is not None else None


def _error(code: str, message: str) -> Exception:
    return _FOUND["ECSException"](code, message)


_FOUND: dict[str, Any] = {}


def install(found: dict[str, Any]) -> None:
    """Service deployments and revisions for every ECS-controlled service; the shifting strategies; the stop and
    continue calls; the CODE_DEPLOY refusal of UpdateService."""
    _FOUND.update(found)
    backend_cls = found["EC2ContainerServiceBackend"]
    response_cls = found["EC2ContainerServiceResponse"]
    invalid_parameter = found["InvalidParameterException"]
    client_exception = found["EcsClientException"]
    action_result = found["ActionResult"]
    inner_create_service = backend_cls.create_service
    inner_update_service = backend_cls.update_service
    inner_describe_services = backend_cls.describe_services

    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        with ECS_LOCK:
            service = inner_create_service(self, *args, **kwargs)
            _adopt(self, service)  # the first revision and its SUCCESSFUL deployment
            return service

    def describe_services(self: Any, cluster_str: str, service_names_or_arns: list[str]) -> Any:
        with ECS_LOCK:
            services, failures = inner_describe_services(self, cluster_str, service_names_or_arns)
            for service in services:
                sync(self, service)
            return services, failures

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        with ECS_LOCK:
            try:
                service = self._get_service(service_properties.get("cluster", "default"),
                                            str(service_properties.get("service") or "").split("/")[-1])
            except Exception:
                return inner_update_service(self, service_properties)  # moto raises the right error
            task_definition_str = service_properties.get("task_definition")
            if _controller(service) == "CODE_DEPLOY" and task_definition_str:
                raise invalid_parameter(CODE_DEPLOY_UPDATE_REFUSED)
            if _controller(service) != "ECS" or _adopt(self, service) is None:
                return inner_update_service(self, service_properties)
            sync(self, service)
            history = _history(service)
            assert history is not None
            requested = plain(service_properties.get("deployment_configuration") or {})
            strategy = requested.get("strategy") or _strategy(service)
            before = ecs._primary(service)
            source = _live_revisions(service, history)
            if strategy not in SHIFTING_STRATEGIES:
                result = inner_update_service(self, service_properties)
                primary = ecs._primary(service)
                if primary is not None and (before is None or primary["id"] != before["id"]):
                    _record(service, source, primary, time.monotonic())
                return result
            force = bool(service_properties.get("force_new_deployment"))
            new_arn = None
            if task_definition_str:
                task_definition = self.describe_task_definition(task_definition_str)
                if getattr(task_definition, "status", "ACTIVE") != "ACTIVE":
                    raise client_exception("TaskDefinition is inactive")
                new_arn = task_definition.arn
            rest = {k: v for k, v in service_properties.items() if k not in ("task_definition", "force_new_deployment")}
            result = inner_update_service(self, rest)
            current = before.get("taskDefinition") if before else None
            if before is not None and (force or (new_arn is not None and new_arn != current)):
                _start_shift(self, service, new_arn or current)
            return result

    inner_create_service_response = response_cls.create_service

    def create_service_response(self: Any) -> Any:
        # The request's deploymentConfiguration (strategy, hooks, bake time) is merged in after the backend's
        # create_service: the first deployment records it here.
        result = inner_create_service_response(self)
        with ECS_LOCK:
            service = result.result["service"] if isinstance(result.result, dict) else None
            history = _history(service)
            if history is not None and len(history.deployments) == 1:
                first = history.deployments[0]
                first.config = copy.deepcopy(plain(service.deployment_configuration or {}))
                first.strategy = first.config.get("strategy") or "ROLLING"
        return result

    response_cls.create_service = create_service_response
    backend_cls.create_service = create_service
    backend_cls.update_service = update_service
    backend_cls.describe_services = describe_services

    def list_service_deployments(self: Any) -> Any:
        backend = self.ecs_backend
        cluster = self._get_param("cluster", "default")
        statuses = self._get_param("status") or []
        created = self._get_param("createdAt") or {}
        max_results = self._get_param("maxResults")
        token = self._get_param("nextToken")
        max_results = 20 if max_results is None else int(max_results)
        if not 1 <= max_results <= 100:
            raise invalid_parameter("maxResults must be between 1 and 100.")
        with ECS_LOCK:
            service = backend._get_service(cluster, str(self._get_param("service") or "").split("/")[-1])
            sync(backend, service)
            history = _history(service)
            items = list(reversed(history.deployments)) if history else []  # newest first
            items = [sd for sd in items if not statuses or sd.status in statuses]
            after, before = _timestamp(created.get("after")), _timestamp(created.get("before"))
            items = [sd for sd in items if (after is None or _dt(sd.created) >= after)
                     and (before is None or _dt(sd.created) <= before)]
            start = 0
            if token:
                start = next((i + 1 for i, sd in enumerate(items) if sd.arn == token), -1)
                if start < 0:
                    raise invalid_parameter("The specified nextToken is invalid.")
            page = items[start:start + max_results]
            response: dict[str, Any] = {"serviceDeployments": [_brief(sd) for sd in page]}
            if start + max_results < len(items) and page:
                response["nextToken"] = page[-1].arn
            return action_result(response)

    def describe_service_deployments(self: Any) -> Any:
        backend = self.ecs_backend
        arns = self._get_param("serviceDeploymentArns") or []
        if not 1 <= len(arns) <= 20:
            raise invalid_parameter("serviceDeploymentArns must name between 1 and 20 service deployments.")
        found, failures = [], []
        with ECS_LOCK:
            for arn in arns:
                hit = _find_deployment(backend, arn)
                if hit is None:
                    failures.append({"arn": arn, "reason": "MISSING"})
                else:
                    found.append(_describe(*hit))
        return action_result({"serviceDeployments": found, "failures": failures})

    def describe_service_revisions(self: Any) -> Any:
        backend = self.ecs_backend
        arns = self._get_param("serviceRevisionArns") or []
        if not 1 <= len(arns) <= 20:
            raise invalid_parameter("serviceRevisionArns must name between 1 and 20 service revisions.")
        found, failures = [], []
        with ECS_LOCK:
            for arn in arns:
                hit = _find(backend, arn, "service-revision")
                revision = hit[1].revisions.get(arn) if hit else None
                # A revision of a task definition configured as "too old" fails as one created before 2024-10-25 does
                # on real ECS; the real failure's reason is not confirmed (MISSING is what an unknown ARN gets).
                if revision is None or revision.task_definition in SETTINGS.too_old_task_definitions:
                    failures.append({"arn": arn, "reason": "MISSING"})
                else:
                    found.append(revision.describe())
        return action_result({"serviceRevisions": found, "failures": failures})

    def stop_service_deployment(self: Any) -> Any:
        backend = self.ecs_backend
        arn = str(self._get_param("serviceDeploymentArn") or "")
        stop_type = self._get_param("stopType") or "ROLLBACK"
        if stop_type != "ROLLBACK":
            raise invalid_parameter(f"stopType {stop_type} is not supported; the valid value is ROLLBACK.")
        with ECS_LOCK:
            hit = _find_deployment(backend, arn)
            if hit is None:
                raise _error("ServiceDeploymentNotFoundException", f"The service deployment {arn} does not exist.")
            service, sd = hit
            if sd.status != IN_PROGRESS:
                raise _error("ConflictException",
                             f"The service deployment {arn} cannot be stopped: its status is {sd.status}.")
            _start_rollback(backend, service, sd, time.monotonic(),
                            "Service deployment rolled back by a StopServiceDeployment request.")
            ecs._advance(backend, service)
            return action_result({"serviceDeploymentArn": arn})

    def continue_service_deployment(self: Any) -> Any:
        backend = self.ecs_backend
        arn = str(self._get_param("serviceDeploymentArn") or "")
        hook_id = self._get_param("hookId")
        action = self._get_param("action") or "CONTINUE"
        if action not in ("CONTINUE", "ROLLBACK"):
            raise invalid_parameter(f"action {action} is not valid; valid values are CONTINUE and ROLLBACK.")
        with ECS_LOCK:
            hit = _find_deployment(backend, arn)
            if hit is None:
                raise _error("ServiceDeploymentNotFoundException", f"The service deployment {arn} does not exist.")
            service, sd = hit
            hook = next((h for h in sd.hooks or [] if h.hook_id == hook_id), None)
            if sd.status != IN_PROGRESS or hook is None or hook.status != AWAITING_ACTION:
                raise invalid_parameter(
                    f"The service deployment {arn} has no lifecycle hook {hook_id} awaiting action.")
            now = time.monotonic()
            hook.status = SUCCEEDED
            sd.touch(now)
            if action == "ROLLBACK":
                _start_rollback(backend, service, sd, now,
                                f"Service deployment rolled back by ContinueServiceDeployment on hook {hook_id}.")
            elif not any(h.status == AWAITING_ACTION for h in sd.hooks or []):
                sd.entered = now  # the stage's own time runs from the answer
            sync(backend, service)
            return action_result({"serviceDeploymentArn": arn})

    response_cls.list_service_deployments = list_service_deployments
    response_cls.describe_service_deployments = describe_service_deployments
    response_cls.describe_service_revisions = describe_service_revisions
    response_cls.stop_service_deployment = stop_service_deployment
    response_cls.continue_service_deployment = continue_service_deployment


def _timestamp(value: Any) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc).replace(tzinfo=None)
