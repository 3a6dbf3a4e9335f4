"""The emulator's core: settings, the call counter, /rewind-api, and the check that moto's internals exist.

See emulator/README.md for every patch, the environment variables and the /rewind-api paths.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import math
import os
import sys
import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qs

MODULE_VERSION = "1"
EXPECTED_MOTO_VERSION = "5.2.1"
API_PREFIX = "/rewind-api"
CALL_LOG_SIZE = 1000
MAX_SERVICE_EVENTS = 100

# Actions whose name starts with one of these are counted as read-only; everything else counts as mutating.
READ_ONLY_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Query", "Scan", "Head", "Lookup", "Search")

# moto service names / SigV4 signing names -> the IAM action prefix used in the counter keys.
SERVICE_ALIASES = {
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "monitoring": "cloudwatch",
    "dynamodb_v20111205": "dynamodb",
    "dynamodbstreams": "dynamodb",
}


class RewindMotoPatchError(RuntimeError):
    """moto's internals are not what this module patches (wrong moto version?)."""


# --------------------------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------------------------


def _read_seconds(name: str, default: str) -> float:
    raw = os.environ.get(name, default)
    try:
        value = float(raw)
    except ValueError:
        raise RewindMotoPatchError(f"{name} must be a number of seconds (e.g. 5 or 0.5), got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise RewindMotoPatchError(f"{name} must be >= 0, got {raw!r}")
    return value


class _Settings:
    def __init__(self) -> None:
        self.rollout_seconds = _read_seconds("REWIND_MOTO_ROLLOUT_SECONDS", "5")
        self.broken_marker = os.environ.get("REWIND_MOTO_BROKEN_MARKER", "broken") or "broken"
        self.stage_seconds = _read_seconds("REWIND_MOTO_STAGE_SECONDS", "0.5")
        self.minute_seconds = _read_seconds("REWIND_MOTO_MINUTE_SECONDS", "1")
        self.fail_next_rollback = False
        # Task definition ARNs whose service revisions DescribeServiceRevisions cannot describe, as real ECS cannot
        # describe revisions created before 2024-10-25 (POST /rewind-api/config {"tooOldTaskDefinitions": [...]}).
        self.too_old_task_definitions: frozenset[str] = frozenset()

    def take_fail_next_rollback(self) -> bool:
        """True once after POST /rewind-api/config {"failNextRollback": true}: that rollback ends failed."""
        with ECS_LOCK:
            fail, self.fail_next_rollback = self.fail_next_rollback, False
            return fail


ECS_LOCK = threading.RLock()
SETTINGS = _Settings()


# --------------------------------------------------------------------------------------------------------------
# Call counter
# --------------------------------------------------------------------------------------------------------------


def iso_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_mutating(action: str) -> bool:
    """True unless the action is a read (Describe*/List*/Get*/...), or a REST fallback key for GET/HEAD."""
    if action.startswith("GET ") or action.startswith("HEAD "):
        return False
    return not action.startswith(READ_ONLY_PREFIXES)


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset_locked()

    def _reset_locked(self) -> None:
        self._since = iso_now()
        self._seq = 0
        self._counts: dict[str, int] = {}
        self._log: deque[dict[str, Any]] = deque(maxlen=CALL_LOG_SIZE)

    def record(self, key: str, status: int | None) -> None:
        action = key.split(":", 1)[1] if ":" in key else key
        with self._lock:
            self._seq += 1
            self._counts[key] = self._counts.get(key, 0) + 1
            self._log.append(
                {"seq": self._seq, "call": key, "status": status, "mutating": is_mutating(action), "at": iso_now()}
            )

    def _snapshot_locked(self) -> dict[str, Any]:
        calls = dict(sorted(self._counts.items()))
        mutating = {k: v for k, v in calls.items() if is_mutating(k.split(":", 1)[1] if ":" in k else k)}
        return {
            "since": self._since,
            "total": sum(calls.values()),
            "mutatingTotal": sum(mutating.values()),
            "calls": calls,
            "mutating": mutating,
            "log": list(self._log),
        }

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self._snapshot_locked()

    def reset(self) -> dict[str, Any]:
        """Zero the counts; returns them as they were (read-and-reset in one step)."""
        with self._lock:
            before = self._snapshot_locked()
            self._reset_locked()
            return before


CALLS = CallCounter()
_TLS = threading.local()


def _service_prefix(name: str | None) -> str:
    name = (name or "unknown").lower()
    return SERVICE_ALIASES.get(name, name)


def _signing_service(environ: dict[str, Any]) -> str | None:
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    try:
        scope = auth.split(",")[0].split()[1]  # Credential=AKID/date/region/service/aws4_request
        return scope.split("/")[3]
    except (IndexError, ValueError):
        return None


def _peek_form_action(environ: dict[str, Any]) -> str | None:
    """Action= from the query string or a form body (the body is put back for moto)."""
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if query.get("Action"):
        return query["Action"][0]
    if not (environ.get("CONTENT_TYPE") or "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        form = parse_qs(body.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return form["Action"][0] if form.get("Action") else None


def _fallback_key(environ: dict[str, Any], pre_action: str | None) -> str:
    service = _service_prefix(_signing_service(environ))
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        action = target.split(".")[-1]
    elif pre_action:
        action = pre_action
    else:
        action = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
    return f"{service}:{action}"


# --------------------------------------------------------------------------------------------------------------
# /rewind-api
# --------------------------------------------------------------------------------------------------------------


def info() -> dict[str, Any]:
    import moto

    return {
        "module": "rewind_moto",
        "moduleVersion": MODULE_VERSION,
        "motoVersion": getattr(moto, "__version__", "unknown"),
        "rolloutSeconds": SETTINGS.rollout_seconds,
        "brokenMarker": SETTINGS.broken_marker,
        "stageSeconds": SETTINGS.stage_seconds,
        "minuteSeconds": SETTINGS.minute_seconds,
        "failNextRollback": SETTINGS.fail_next_rollback,
        "tooOldTaskDefinitions": sorted(SETTINGS.too_old_task_definitions),
        "readOnlyPrefixes": list(READ_ONLY_PREFIXES),
    }


def _json_response(start_response: Any, status: str, payload: Any) -> list[bytes]:
    body = json.dumps(payload, indent=1).encode("utf-8")
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
    )
    return [body]


def _rewind_api(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    method = environ.get("REQUEST_METHOD", "GET").upper()
    path = environ.get("PATH_INFO", "").rstrip("/")
    routes = {
        f"{API_PREFIX}/calls": ("GET", lambda: CALLS.snapshot()),
        f"{API_PREFIX}/calls/reset": ("POST", lambda: CALLS.reset()),
        f"{API_PREFIX}/info": ("GET", info),
        f"{API_PREFIX}/config": ("POST", lambda: _set_config(environ)),
    }
    if path not in routes:
        return _json_response(
            start_response, "404 NOT FOUND", {"error": f"unknown path {path!r}", "paths": sorted(routes)}
        )
    allowed, handler = routes[path]
    if method != allowed:
        return _json_response(
            start_response, "405 METHOD NOT ALLOWED", {"error": f"{path} takes {allowed}, not {method}"}
        )
    try:
        return _json_response(start_response, "200 OK", handler())
    except ValueError as e:
        return _json_response(start_response, "400 BAD REQUEST", {"error": str(e)})


def _set_config(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b"{}"
    try:
        body = json.loads(raw or b"{}")
    except json.JSONDecodeError as e:
        raise ValueError(f"body must be JSON like {{\"rolloutSeconds\": 0.5}}: {e}") from None
    if not isinstance(body, dict):
        raise ValueError('body must be a JSON object like {"rolloutSeconds": 0.5}')
    known = ("rolloutSeconds", "brokenMarker", "stageSeconds", "minuteSeconds", "failNextRollback", "tooOldTaskDefinitions")
    unknown = set(body) - set(known)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; known: {', '.join(known)}")
    seconds = {key: _seconds_setting(body, key) for key in ("rolloutSeconds", "stageSeconds", "minuteSeconds")}
    if "brokenMarker" in body and (not isinstance(body["brokenMarker"], str) or not body["brokenMarker"]):
        raise ValueError(f"brokenMarker must be a non-empty string, got {body['brokenMarker']!r}")
    if "failNextRollback" in body and not isinstance(body["failNextRollback"], bool):
        raise ValueError(f"failNextRollback must be true or false, got {body['failNextRollback']!r}")
    too_old = body.get("tooOldTaskDefinitions")
    if "tooOldTaskDefinitions" in body and (
            not isinstance(too_old, list) or not all(isinstance(arn, str) and arn for arn in too_old)):
        raise ValueError(f"tooOldTaskDefinitions must be a list of task definition ARNs, got {too_old!r}")
    with ECS_LOCK:
        if seconds["rolloutSeconds"] is not None:
            SETTINGS.rollout_seconds = seconds["rolloutSeconds"]
        if seconds["stageSeconds"] is not None:
            SETTINGS.stage_seconds = seconds["stageSeconds"]
        if seconds["minuteSeconds"] is not None:
            SETTINGS.minute_seconds = seconds["minuteSeconds"]
        if "brokenMarker" in body:
            SETTINGS.broken_marker = body["brokenMarker"]
        if "failNextRollback" in body:
            SETTINGS.fail_next_rollback = body["failNextRollback"]
        if "tooOldTaskDefinitions" in body:
            SETTINGS.too_old_task_definitions = frozenset(too_old)
    return info()



def plain(value: Any) -> Any:
    """Parsed request values (moto's XFormedDict & co) -> plain dicts and lists."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _seconds_setting(body: dict[str, Any], key: str) -> float | None:
    if key not in body:
        return None
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{key} must be a number >= 0, got {value!r}")
    return float(value)


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def utcnow() -> datetime.datetime:
    from moto.core.utils import utcnow

    return utcnow()


REQUIRED = [
    ("moto.core.responses", "BaseResponse", ["call_action", "_get_action"]),
    ("moto.core.responses", "ActionResult", ["result"]),
    ("moto.core.utils", "utcnow", []),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication", ["__call__"]),
]


def check_moto(required: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    """The moto internals the patches need, by name; RewindMotoPatchError naming every one that is missing."""
    import importlib

    try:
        import moto
    except ImportError as e:
        raise RewindMotoPatchError(
            f'rewind_moto: moto is not installed ({e}). Install it with: pip install "moto[server]=={EXPECTED_MOTO_VERSION}"'
        ) from e
    version = getattr(moto, "__version__", "unknown")
    missing: list[str] = []
    found: dict[str, Any] = {}
    for module_name, name, attrs in required:
        try:
            module = importlib.import_module(module_name)
        except Exception as e:  # ImportError, or a dependency missing for the server
            missing.append(f"{module_name} ({type(e).__name__}: {e})")
            continue
        obj = getattr(module, name, None)
        if obj is None:
            missing.append(f"{module_name}.{name}")
            continue
        found[name] = obj
        for attr in attrs:
            if not hasattr(obj, attr):
                missing.append(f"{module_name}.{name}.{attr}")
    if missing:
        raise RewindMotoPatchError(
            f"rewind_moto cannot patch moto {version}: these internals are missing: {', '.join(missing)}. "
            f"This module targets moto {EXPECTED_MOTO_VERSION} "
            f'(pip install "moto[server]=={EXPECTED_MOTO_VERSION}"); adapt emulator/rewind_emulator/ to this version.'
        )
    if version != EXPECTED_MOTO_VERSION:
        print(
            f"rewind_moto: warning: written for moto {EXPECTED_MOTO_VERSION}, running on moto {version}; "
            "the internals it patches are present, but check that emulator/tests pass.",
            file=sys.stderr,
        )
    return found


def install(found: dict[str, Any]) -> None:
    """The call counter sees every request of every service, and /rewind-api/* is served before moto."""
    base_response = found["BaseResponse"]
    dispatcher = found["DomainDispatcherApplication"]
    orig_call_action = base_response.call_action

    def call_action(self: Any) -> Any:
        record = getattr(_TLS, "call", None)
        if record is not None and "action" not in record:
            try:
                action = self._get_action()
            except Exception:
                action = None
            if action:
                record["action"] = action
                record["service"] = self.service_name
        return orig_call_action(self)

    base_response.call_action = call_action

    orig_dispatch = dispatcher.__call__

    def dispatch(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "") or ""
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return _rewind_api(environ, start_response)
        if path.startswith("/moto-api") or path == "/favicon.ico":
            return orig_dispatch(self, environ, start_response)
        pre_action = None
        if not environ.get("HTTP_X_AMZ_TARGET"):
            try:
                pre_action = _peek_form_action(environ)
            except Exception:
                pre_action = None
        record: dict[str, Any] = {}
        statuses: list[str] = []

        def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        _TLS.call = record
        try:
            return orig_dispatch(self, environ, capture)
        finally:
            _TLS.call = None
            if "action" in record:
                service = _signing_service(environ) or record.get("service")
                key = f"{_service_prefix(service)}:{record['action']}"
            else:
                key = _fallback_key(environ, pre_action)
            try:
                status = int(statuses[-1].split()[0]) if statuses else None
            except (ValueError, IndexError):
                status = None
            CALLS.record(key, status)

    dispatcher.__call__ = dispatch
