"""The control API over HTTP: everything the Python handle can do, as JSON under ``/_mock_ecs/``.

| Method and path | Body / answer |
|---|---|
| GET /_mock_ecs/ | this table, as {"endpoints": [...]} |
| POST /_mock_ecs/reset | an empty ECS |
| GET /_mock_ecs/clock | {"now": ISO time, "epoch": seconds, "offset": seconds} |
| POST /_mock_ecs/clock/advance | {"seconds": 3600} |
| POST /_mock_ecs/clock/set | {"now": "2026-01-01T01:00:00Z"} or {"epoch": 1767229200} (forward only) |
| GET /_mock_ecs/settings | the settings in force |
| GET /_mock_ecs/accounts | every account and its flags |
| GET/POST /_mock_ecs/accounts/{id} | its flags; {"not_enough_balance": true, "snapshot_service_unavailable": false} |
| POST/DELETE /_mock_ecs/instances/{id}/locks | lock {"reason": "security", "message": optional}; unlock (?reason=) |
| POST/DELETE /_mock_ecs/disks/{id}/locks | lock the disk itself {"reason": "financial"}; unlock (?reason=) |
| POST /_mock_ecs/disks/{id}/data-size | {"gib": 500} |
| POST /_mock_ecs/disks/{id}/write | write to the disk: {"disk_id", "content": its new generation} |
| GET /_mock_ecs/disks/{id}/content | {"disk_id", "content": its content generation} (?account_id=) |
| POST /_mock_ecs/snapshots/{id}/fail | fails now, or at {"at_progress": 40}; "account_id" optional |
| GET/POST/DELETE /_mock_ecs/snapshot-failures | list; {"disk_id", "rate", "seed", "at_progress", "times"}; clear |
| GET/POST/DELETE /_mock_ecs/faults | list; {"action", "code", "times", "rate", "seed", "status", "latency", ...} |
| GET/PUT/POST /_mock_ecs/sleep | how injected latencies wait: {"mode": "real" / "clock" / "record"} |
| GET/POST /_mock_ecs/access-keys | registered key -> account; {"access_key_id", "secret", "account_id"} |
| GET/DELETE /_mock_ecs/calls | the call record (?action=A,B&code=&account_id=&region_id=&status=&ok=...); clear |
| GET/PUT/POST /_mock_ecs/state | the whole state (saved-state format, state.py); PUT or POST loads one |
| GET /_mock_ecs/auto-snapshot-log | {"firings": [...]}: automatic snapshot policy firings (?account_id=) |
| GET /_mock_ecs/resources?kind=snapshots | IDs (kind: instances, disks, snapshots, images, policies; ?account_id=) |
| GET /_mock_ecs/resources/{id} | one resource as Describe* shows it (?account_id=) |
| GET /_mock_ecs/resources/{id}/account | {"account_id": the account holding it} |

Errors answer {"error": message} with a 4xx status: 400 for a bad body, 404 for an unknown
path or resource, 405 for a method a path does not take.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import asdict
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs

from .backend import FailureRule, Fault, real_sleep
from .clock import iso_seconds, parse_iso
from .keys import AccessKeysError
from .mock import KINDS, MockEcs
from .wire import HttpResponse

PREFIX = "/_mock_ecs/"
log = logging.getLogger("mock_ecs.control")
_JSON = {"Content-Type": "application/json;charset=utf-8"}
FAULT_OPTIONS = ("times", "rate", "seed", "status", "message", "latency")
FAILURE_OPTIONS = ("disk_id", "rate", "seed", "at_progress", "times")
_ID_KINDS = {"i": "instances", "d": "disks", "s": "snapshots", "m": "images"}


class ControlError(Exception):
    def __init__(self, status: int, message: str, headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _answer(status: int, doc: Any, headers: Optional[Dict[str, str]] = None) -> HttpResponse:
    body = json.dumps(doc, ensure_ascii=False, default=str).encode()
    return HttpResponse(status, body, {**_JSON, **(headers or {})})


class SleepRecorder:
    """``sleep`` mode "record": injected latencies are noted, not waited for."""

    def __init__(self) -> None:
        self.waits: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _number(value: Any, name: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ControlError(400, f"{name} must be a number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ControlError(400, f"{name} must be a number, not {value!r}")
    return float(value)


def _non_negative(doc: Dict[str, Any], params: Dict[str, str], name: str, missing: str, negative: str) -> float:
    """A number >= 0 given as ``name`` in the body, else in the query; ``missing``/``negative`` are the 400s."""
    given = doc.get(name, params.get(name))
    if given is None:
        raise ControlError(400, missing)
    value = _number(given, name)
    if value < 0:
        raise ControlError(400, negative)
    return value


def _flag(value: Any, name: str) -> Optional[bool]:
    if value is None or isinstance(value, bool):
        return value
    raise ControlError(400, f"{name} must be true or false, not {value!r}")


def _truth(text: str, name: str) -> bool:
    low = text.lower()
    if low not in ("true", "false", "1", "0"):
        raise ControlError(400, f"?{name}= must be true or false, not {text!r}")
    return low in ("true", "1")


def _integer(value: Any, name: str) -> Any:
    """A query string's integer as an int; anything else as given (the handle checks it)."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise ControlError(400, f"{name} must be an integer, not {value!r}") from None
    return value


def failure_view(rule: FailureRule) -> Dict[str, Any]:
    return {
        "disk_id": rule.disk_id, "rate": rule.rate, "seed": rule.seed, "at_progress": rule.at_progress,
        "times": rule.times, "seen": rule.seen, "fired": rule.fired,
    }


def fault_view(fault: Fault) -> Dict[str, Any]:
    return {
        "action": fault.action, "code": fault.code, "status": fault.status, "message": fault.message,
        "times": fault.times, "rate": fault.rate, "seed": fault.seed, "latency": fault.latency,
        "seen": fault.seen, "fired": fault.fired,
    }


class Control:
    # (method, path under PREFIX, endpoint): the endpoint is looked up by name at each request.
    routes: Tuple[Tuple[str, re.Pattern[str], str], ...] = (
        ("GET", re.compile(r"^$"), "index"),
        ("POST", re.compile(r"^reset$"), "reset"),
        ("GET", re.compile(r"^clock$"), "clock"),
        ("POST", re.compile(r"^clock/advance$"), "advance"),
        ("POST", re.compile(r"^clock/set$"), "set_clock"),
        ("GET", re.compile(r"^settings$"), "settings"),
        ("GET", re.compile(r"^accounts$"), "accounts"),
        ("GET", re.compile(r"^accounts/(?P<account>[^/]+)$"), "get_account"),
        ("POST", re.compile(r"^accounts/(?P<account>[^/]+)$"), "account"),
        ("POST", re.compile(r"^instances/(?P<instance>[^/]+)/locks$"), "lock"),
        ("DELETE", re.compile(r"^instances/(?P<instance>[^/]+)/locks$"), "unlock"),
        ("POST", re.compile(r"^disks/(?P<disk>[^/]+)/locks$"), "lock_disk"),
        ("DELETE", re.compile(r"^disks/(?P<disk>[^/]+)/locks$"), "unlock_disk"),
        ("POST", re.compile(r"^disks/(?P<disk>[^/]+)/data-size$"), "data_size"),
        ("POST", re.compile(r"^disks/(?P<disk>[^/]+)/write$"), "write_disk"),
        ("GET", re.compile(r"^disks/(?P<disk>[^/]+)/content$"), "disk_content"),
        ("POST", re.compile(r"^snapshots/(?P<snapshot>[^/]+)/fail$"), "fail_snapshot"),
        ("GET", re.compile(r"^snapshot-failures$"), "snapshot_failures"),
        ("POST", re.compile(r"^snapshot-failures$"), "add_snapshot_failure"),
        ("DELETE", re.compile(r"^snapshot-failures$"), "clear_snapshot_failures"),
        ("GET", re.compile(r"^faults$"), "faults"),
        ("POST", re.compile(r"^faults$"), "add_fault"),
        ("DELETE", re.compile(r"^faults$"), "clear_faults"),
        ("GET", re.compile(r"^sleep$"), "get_sleep"),
        ("PUT", re.compile(r"^sleep$"), "set_sleep"),
        ("POST", re.compile(r"^sleep$"), "set_sleep"),
        ("GET", re.compile(r"^access-keys$"), "keys"),
        ("POST", re.compile(r"^access-keys$"), "add_key"),
        ("GET", re.compile(r"^calls$"), "calls"),
        ("GET", re.compile(r"^auto-snapshot-log$"), "auto_snapshot_log"),
        ("DELETE", re.compile(r"^calls$"), "clear_calls"),
        ("GET", re.compile(r"^state$"), "get_state"),
        ("PUT", re.compile(r"^state$"), "put_state"),
        ("POST", re.compile(r"^state$"), "put_state"),
        ("GET", re.compile(r"^resources$"), "resource_ids"),
        ("GET", re.compile(r"^resources/(?P<rid>[^/]+)$"), "resource"),
        ("GET", re.compile(r"^resources/(?P<rid>[^/]+)/account$"), "resource_account"),
    )

    def __init__(self, handle: MockEcs) -> None:
        self.handle = handle

    def dispatch(self, method: str, path: str, query: str, body: bytes) -> HttpResponse:
        sub = path[len(PREFIX):].strip("/") if path.startswith(PREFIX) else ""
        try:
            params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
            found = {verb: (name, m) for verb, pattern, name in self.routes if (m := pattern.match(sub)) is not None}
            if not found:
                raise ControlError(404, f"no control endpoint {PREFIX}{sub}; GET {PREFIX} lists them")
            if method not in found:
                allowed = ", ".join(found)
                raise ControlError(405, f"{method} is not allowed on {PREFIX}{sub}; it takes {allowed}",
                                   {"Allow": allowed})
            doc = self._body(body)
            name, m = found[method]
            return _answer(200, getattr(self, name)(doc, params, **m.groupdict()))
        except ControlError as err:
            return _answer(err.status, {"error": str(err)}, err.headers)
        except (ValueError, TypeError, KeyError) as err:
            message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            return _answer(400, {"error": str(message)})
        except Exception as err:  # a bug of ours: still a JSON answer, never a dropped connection
            log.exception("mock_ecs control API failed on %s %s", method, path)
            return _answer(500, {"error": f"internal error of the control API: {type(err).__name__}: {err}"})

    @staticmethod
    def _body(body: bytes) -> Dict[str, Any]:
        if not body.strip():
            return {}
        try:
            doc = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ControlError(400, f"the body is not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise ControlError(400, f"the body must be a JSON object, not {type(doc).__name__}")
        return doc

    # --- endpoints -------------------------------------------------------------------
    def index(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        rows = [line for line in (__doc__ or "").splitlines() if line.startswith("| ") and "/_mock_ecs" in line]
        return {"endpoints": [
            {"endpoint": cells[0], "body": cells[1]}
            for cells in ([c.strip() for c in row.strip("|").split("|", 1)] for row in rows)
        ]}

    def reset(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        self.handle.reset()
        return {"reset": True}

    def clock(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        clock = self.handle.backend.clock
        now = clock.now()
        return {"now": iso_seconds(now), "epoch": now, "offset": clock.offset}

    def advance(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        self.handle.advance_clock(_non_negative(doc, params, "seconds", 'give {"seconds": N}',
                                                "the clock only moves forward: seconds must be >= 0"))
        return self.clock(doc, params)

    def set_clock(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        target = doc.get("now", params.get("now"))
        epoch = doc.get("epoch", params.get("epoch"))
        if epoch is not None:
            when = _number(epoch, "epoch")
        elif isinstance(target, str):
            try:
                when = parse_iso(target)
            except ValueError:
                raise ControlError(400, f"now must be a time like 2026-01-01T01:00:00Z, not {target!r}") from None
        else:
            raise ControlError(400, 'give {"now": "YYYY-MM-DDThh:mm:ssZ"} or {"epoch": seconds}')
        with self.handle.backend.lock:
            delta = when - self.handle.backend.clock.now()
            if delta < 0:
                raise ControlError(400, f"the clock only moves forward; it is already {self.clock({}, {})['now']}")
            self.handle.advance_clock(delta)
        return self.clock(doc, params)

    def settings(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        return self.handle.settings.as_dict()

    def _flags(self, account: str) -> Dict[str, Any]:
        acct = self.handle.backend.accounts.get(account)
        return {"account_id": account,
                "not_enough_balance": bool(acct and acct.not_enough_balance),
                "snapshot_service_unavailable": bool(acct and acct.snapshot_service_unavailable)}

    def accounts(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        with self.handle.backend.lock:
            return {"accounts": [self._flags(a) for a in self.handle.backend.accounts]}

    def get_account(self, doc: Dict[str, Any], params: Dict[str, str], account: str) -> Dict[str, Any]:
        with self.handle.backend.lock:
            return self._flags(account)

    def account(self, doc: Dict[str, Any], params: Dict[str, str], account: str) -> Dict[str, Any]:
        unknown = set(doc) - {"not_enough_balance", "snapshot_service_unavailable"}
        if unknown:
            raise ControlError(400, f"unknown account flag(s) {', '.join(sorted(unknown))}; the flags are "
                                    "not_enough_balance and snapshot_service_unavailable")
        self.handle.set_account_status(
            not_enough_balance=_flag(doc.get("not_enough_balance"), "not_enough_balance"),
            snapshot_service_unavailable=_flag(doc.get("snapshot_service_unavailable"), "snapshot_service_unavailable"),
            account_id=account,
        )
        return self.get_account(doc, params, account)

    def _locks(self, instance: str) -> Dict[str, Any]:
        locks = self.handle.instance(instance)["OperationLocks"]
        return {"instance_id": instance, "OperationLocks": locks}

    def lock(self, doc: Dict[str, Any], params: Dict[str, str], instance: str) -> Dict[str, Any]:
        reason = doc.get("reason", params.get("reason", "security"))
        message = doc.get("message")
        if message is not None and not isinstance(message, str):
            raise ControlError(400, "message must be a string")
        try:
            self.handle.lock_instance(instance, reason, message)
        except KeyError:
            raise ControlError(404, f"no instance {instance}") from None
        return self._locks(instance)

    def unlock(self, doc: Dict[str, Any], params: Dict[str, str], instance: str) -> Dict[str, Any]:
        try:
            self.handle.unlock_instance(instance, doc.get("reason", params.get("reason")))
        except KeyError:
            raise ControlError(404, f"no instance {instance}") from None
        return self._locks(instance)

    def _disk_locks(self, disk: str) -> Dict[str, Any]:
        return {"disk_id": disk, "OperationLocks": self.handle.disk(disk)["OperationLocks"]}

    def lock_disk(self, doc: Dict[str, Any], params: Dict[str, str], disk: str) -> Dict[str, Any]:
        try:
            self.handle.lock_disk(disk, doc.get("reason", params.get("reason", "financial")))
        except KeyError:
            raise ControlError(404, f"no disk {disk}") from None
        return self._disk_locks(disk)

    def unlock_disk(self, doc: Dict[str, Any], params: Dict[str, str], disk: str) -> Dict[str, Any]:
        try:
            self.handle.unlock_disk(disk, doc.get("reason", params.get("reason")))
        except KeyError:
            raise ControlError(404, f"no disk {disk}") from None
        return self._disk_locks(disk)

    def data_size(self, doc: Dict[str, Any], params: Dict[str, str], disk: str) -> Dict[str, Any]:
        gib = _non_negative(doc, params, "gib", 'give {"gib": N}, the GiB of data the disk holds', "gib must be >= 0")
        try:
            self.handle.set_disk_data_size(disk, gib)
        except KeyError:
            raise ControlError(404, f"no disk {disk}") from None
        return {"disk_id": disk, "gib": gib}

    def write_disk(self, doc: Dict[str, Any], params: Dict[str, str], disk: str) -> Dict[str, Any]:
        try:
            content = self.handle.write_disk(disk, doc.get("account_id", params.get("account_id")) or None)
        except KeyError:
            raise ControlError(404, f"no disk {disk}") from None
        return {"disk_id": disk, "content": content}

    def disk_content(self, doc: Dict[str, Any], params: Dict[str, str], disk: str) -> Dict[str, Any]:
        try:
            content = self.handle.disk_content(disk, params.get("account_id") or None)
        except KeyError:
            raise ControlError(404, f"no disk {disk}") from None
        return {"disk_id": disk, "content": content}

    def fail_snapshot(self, doc: Dict[str, Any], params: Dict[str, str], snapshot: str) -> Dict[str, Any]:
        unknown = set(doc) - {"at_progress", "account_id"}
        if unknown:
            raise ControlError(400, f"unknown option(s) {', '.join(sorted(unknown))}; the options are "
                                    "at_progress and account_id")
        at = _integer(doc.get("at_progress", params.get("at_progress")), "at_progress")
        account = doc.get("account_id", params.get("account_id")) or None
        try:
            return self.handle.fail_snapshot(snapshot, at, account)
        except KeyError:
            raise ControlError(404, f"no snapshot {snapshot}") from None

    def snapshot_failures(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        return {"snapshot_failures": [failure_view(r) for r in self.handle.snapshot_failures]}

    def add_snapshot_failure(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        unknown = set(doc) - set(FAILURE_OPTIONS)
        if unknown:
            raise ControlError(400, f"unknown option(s) {', '.join(sorted(unknown))}; the options are "
                                    f"{', '.join(FAILURE_OPTIONS)}")
        options = {k: doc[k] for k in FAILURE_OPTIONS if k in doc}
        try:
            rule = self.handle.fail_snapshots(**options)
        except KeyError as err:
            raise ControlError(404, str(err.args[0])) from None
        return {"snapshot_failure": failure_view(rule), **self.snapshot_failures({}, params)}

    def clear_snapshot_failures(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        self.handle.clear_snapshot_failures()
        return {"snapshot_failures": []}

    def faults(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        return {"faults": [fault_view(f) for f in self.handle.faults]}

    def add_fault(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        unknown = set(doc) - {"action", "code", *FAULT_OPTIONS}
        if unknown:
            raise ControlError(400, f"unknown fault option(s) {', '.join(sorted(unknown))}; the options are "
                                    f"action, code, {', '.join(FAULT_OPTIONS)}")
        action, code = doc.get("action"), doc.get("code")
        if not isinstance(action, str) or not action:
            raise ControlError(400, 'give {"action": "CreateSnapshot" or "*", "code": "...", ...}')
        if code is not None and not isinstance(code, str):
            raise ControlError(400, "code must be a string (or null with a latency)")
        options = {k: doc[k] for k in FAULT_OPTIONS if k in doc}
        fault = self.handle.inject_fault(action, code, **options)
        return {"fault": fault_view(fault), **self.faults({}, params)}

    def clear_faults(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        self.handle.clear_faults()
        return {"faults": []}

    def get_sleep(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        sleep = self.handle.sleep
        if isinstance(sleep, SleepRecorder):
            return {"mode": "record", "waits": list(sleep.waits)}
        if sleep == self.handle.advance_clock:
            return {"mode": "clock"}
        return {"mode": "real" if sleep is real_sleep else "custom"}

    def set_sleep(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        mode = doc.get("mode", params.get("mode"))
        if mode == "real":
            self.handle.sleep = real_sleep
        elif mode == "clock":
            self.handle.sleep = self.handle.advance_clock
        elif mode == "record":
            self.handle.sleep = SleepRecorder()
        else:
            raise ControlError(400, f'mode must be "real", "clock" or "record", not {mode!r}')
        return self.get_sleep({}, params)

    def keys(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        return {"access_keys": self.handle.access_keys}

    def add_key(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        key, secret, account = doc.get("access_key_id"), doc.get("secret"), doc.get("account_id")
        if not key or not secret:
            raise ControlError(400, 'give {"access_key_id": ..., "secret": ..., "account_id": optional}')
        try:
            account = self.handle.register_access_key(key, secret, account)
        except AccessKeysError as err:
            raise ControlError(400, str(err)) from None
        return {"access_key_id": key, "account_id": account}

    def calls(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        calls = self.handle.calls
        if params.get("action"):
            calls = calls.of(*params["action"].split(","))
        for name in ("code", "account_id", "region_id", "access_key_id", "method"):
            if name in params:
                wanted: Any = params[name] or None
                calls = calls.where(None, **{name: wanted})
        if "status" in params:
            calls = calls.where(status=int(_number(params["status"], "status")))
        for name in ("injected", "ok"):
            if name in params:
                flag: Any = _truth(params[name], name)
                calls = calls.where(None, **{name: flag})
        return {"calls": [{**asdict(c), "ok": c.ok} for c in calls]}

    def auto_snapshot_log(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        return {"firings": self.handle.auto_snapshot_log(params.get("account_id") or None)}

    def clear_calls(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        self.handle.clear_calls()
        return {"calls": []}

    def get_state(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        return self.handle.dump_state()

    def put_state(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        from .state import StateError

        try:
            self.handle.load_state(doc)
        except StateError as err:
            raise ControlError(400, f"state not loaded: {err}") from None
        return {"loaded": True, "ids": {kind: len(self.handle.ids(kind)) for kind in KINDS}}

    def resource_ids(self, doc: Dict[str, Any], params: Dict[str, str]) -> Dict[str, Any]:
        kind = params.get("kind", "")
        if kind not in KINDS:
            raise ControlError(400, f"?kind= must be one of {', '.join(KINDS)}, not {kind!r}")
        return {"kind": kind, "ids": self.handle.ids(kind, params.get("account_id") or None)}

    def resource(self, doc: Dict[str, Any], params: Dict[str, str], rid: str) -> Dict[str, Any]:
        kind = _ID_KINDS.get(rid.split("-", 1)[0])
        if kind is None:
            raise ControlError(404, f"no resource {rid} (IDs start with i-, d-, s- or m-)")
        view: Callable[..., Dict[str, Any]] = getattr(self.handle, kind[:-1])
        try:
            return view(rid, params.get("account_id") or None)
        except KeyError:
            raise ControlError(404, f"no resource {rid}") from None

    def resource_account(self, doc: Dict[str, Any], params: Dict[str, str], rid: str) -> Dict[str, Any]:
        try:
            return {"resource_id": rid, "account_id": self.handle.account_of(rid)}
        except KeyError:
            raise ControlError(404, f"no resource {rid}") from None
