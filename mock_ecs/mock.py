"""``mock_ecs``: decorator, context manager and handle, with the control API.

Mocks nest and overlap: the process keeps a stack of active handles, requests go to the
newest one, and only the first start and the last stop install and remove the patches.
"""

from __future__ import annotations

import functools
import inspect
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, cast

from . import errors, keys
from .backend import DEFAULT_ACCOUNT_ID, Account, Backend, FailureRule, Fault, real_sleep
from .calls import CallList
from .gateway import Gateway
from .models import LOCK_MESSAGES
from .settings import Settings
from .wire import HttpRequest, HttpResponse

if TYPE_CHECKING:  # the interception is imported by the first start, each HTTP layer when it is imported
    from .intercept import Interceptor

F = TypeVar("F", bound=Callable[..., Any])

_stack: List[MockEcs] = []
_stack_lock = threading.RLock()
_interceptor: Optional[Interceptor] = None

# The kinds of resource, as RegionState's tables name them.
KINDS = ("instances", "disks", "snapshots", "images", "policies", "groups")


def _dispatch(req: HttpRequest) -> HttpResponse:
    """Hand a caught request to the newest active mock."""
    with _stack_lock:
        current = _stack[-1] if _stack else None
    if current is None:  # a late request after the last stop: still never the network
        return Gateway(Backend(Settings())).handle(req)
    return current.gateway.handle(req)


class MockEcs:
    """An in-memory ECS. Use as ``@mock_ecs``, ``@mock_ecs(...)``, ``with mock_ecs() as ecs``."""

    def __init__(
        self, *, access_keys: Optional[Mapping[str, Any]] = None, state: Optional[Any] = None, **settings: Any,
    ) -> None:
        self.settings = Settings().with_overrides(**settings)
        # Keys of the configuration: ``access_keys=`` (checked now) and the environment (read
        # at each start); both survive reset(), unlike keys of register_access_key.
        self._access_keys: keys.Keys = (
            keys.parse(access_keys, "mock_ecs(access_keys=...)") if access_keys is not None else {}
        )
        self._env_keys: keys.Keys = {}
        self._sleep: Callable[[float], None] = real_sleep
        self.install_backend(Backend(self.settings))
        # ``state=``: a saved state (document or file, see state.py) this handle holds when
        # made and again at each start; checked now, so a bad one fails here.
        self._state: Optional[Dict[str, Any]] = None
        if state is not None:
            from .state import state_source

            self._state = state_source(state)
            self.load_state(self._state)

    # --- activation ------------------------------------------------------------------
    def start(self) -> MockEcs:
        global _interceptor
        with _stack_lock:
            if self in _stack:
                return self
            # A malformed MOCK_ECS_ACCESS_KEYS(_FILE) fails here, before anything is patched.
            self._env_keys = keys.from_environment()
            self.reset()
            if self._state is not None:
                self.load_state(self._state)
            if not _stack:
                from .intercept import Interceptor

                interceptor = Interceptor(_dispatch)
                interceptor.start()  # a start that fails part way undoes its own patches
                _interceptor = interceptor
            _stack.append(self)
        return self

    def stop(self) -> None:
        """Deactivate; a stop of a handle that is not active does nothing."""
        global _interceptor
        with _stack_lock:
            if self not in _stack:
                return
            _stack.remove(self)
            if not _stack and _interceptor is not None:
                interceptor, _interceptor = _interceptor, None
                interceptor.stop()

    @property
    def active(self) -> bool:
        return self in _stack

    @classmethod
    def current(cls) -> MockEcs:
        """The newest active mock, for code decorated with ``@mock_ecs``."""
        with _stack_lock:
            if not _stack:
                raise RuntimeError("no mock_ecs is active")
            return _stack[-1]

    def __enter__(self) -> MockEcs:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def reset(self) -> None:
        """Drop every resource, fault and call, and the keys of register_access_key: an empty ECS.

        Keys of the configuration (``access_keys=``, the environment) stay registered. A handle
        made with ``state=`` gets that state back at its next start (or ``load_state``).
        """
        self.install_backend(Backend(self.settings))

    def install_backend(self, backend: Backend, registered: Optional[keys.Keys] = None) -> None:
        """Serve ``backend`` from now on (reset and load_state swap in a new one).

        It gets the configured keys, then ``registered`` (which win), and this handle's sleep,
        before any request can reach it.
        """
        backend.access_keys.update(self._env_keys)
        backend.access_keys.update(self._access_keys)
        backend.access_keys.update(registered or {})
        backend.sleep = self._sleep
        self.backend = backend
        self.gateway = Gateway(backend)

    def configured_access_keys(self) -> keys.Keys:
        """The keys of the configuration (the environment, then ``access_keys=``); reset keeps them."""
        return {**self._env_keys, **self._access_keys}

    def read_environment_keys(self) -> None:
        """Read MOCK_ECS_ACCESS_KEYS(_FILE) now, as start() does, for a handle served unstarted.

        Keys registered at run time (or loaded with a state) keep winning over them.
        """
        env = keys.from_environment()
        with self.backend.lock:
            configured = self.configured_access_keys()
            registered = {k: v for k, v in self.backend.access_keys.items() if configured.get(k) != v}
            self._env_keys = env
            self.backend.access_keys.clear()
            self.backend.access_keys.update({**self.configured_access_keys(), **registered})

    # --- saved states (state.py) ---------------------------------------------------------
    def dump_state(self) -> Dict[str, Any]:
        """The whole ECS as a JSON-ready document (format ``mock_ecs.state``, see state.py)."""
        from .state import dump_state

        with self.backend.lock:  # the automatic snapshots due are in it
            self._settle(self._accounts(None))
            return dump_state(self.backend, self.configured_access_keys())

    def save_state(self, path: Any) -> None:
        """Write ``dump_state()`` to a JSON file."""
        from .state import write_state_file

        write_state_file(self.dump_state(), path)

    def load_state(self, source: Any) -> None:
        """Replace the ECS by a saved state: a document, or the path of a JSON file.

        A malformed or foreign state raises ``StateError`` and leaves the current one
        untouched. Faults and the call record start empty, as after reset().
        """
        from .state import load_state, state_source

        self.install_backend(*load_state(state_source(source), self.settings))

    # --- decorator -------------------------------------------------------------------
    def __call__(self, target: F) -> F:
        """``@mock_ecs(...)``: every call of ``target`` runs against a new, empty ECS."""
        return cast(F, self._decorate(target))

    def _fresh(self) -> MockEcs:
        return MockEcs(access_keys=dict(self._access_keys), state=self._state, **self.settings.as_dict())

    def _decorate(self, target: Any) -> Any:
        if inspect.isclass(target):
            return self._decorate_class(target)
        make = self._fresh
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                handle = make()
                with handle:
                    try:
                        return await target(*args, **kwargs)
                    finally:
                        handle.reset()
            return run_async

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            handle = make()
            with handle:
                try:
                    return target(*args, **kwargs)
                finally:
                    handle.reset()
        return run

    def _decorate_class(self, cls: type) -> type:
        import unittest  # here, not at ``import mock_ecs``: only decorated classes need it

        make = self._fresh
        if issubclass(cls, unittest.TestCase):
            # setUp and the test share one mock; cleanups run even when setUp fails.
            original_setup = cls.setUp

            def setUp(this: unittest.TestCase) -> None:
                handle = make().start()
                this.addCleanup(handle.stop)
                original_setup(this)

            cls.setUp = setUp  # type: ignore[method-assign,assignment]
            return cls
        if hasattr(cls, "setup_method"):
            original_sm = cls.setup_method
            original_tm = getattr(cls, "teardown_method", None)

            # pytest passes ``method`` only to a setup/teardown_method whose code declares it,
            # so the wrappers declare it and hand it on only to originals that take it.
            def setup_method(this: Any, method: Any = None) -> None:
                handle = this._mock_ecs_handle = make().start()
                try:
                    _call_xunit(original_sm, this, method)
                except BaseException:
                    handle.stop()  # pytest runs no teardown after a failed setup
                    raise

            def teardown_method(this: Any, method: Any = None) -> None:
                try:
                    if original_tm is not None:
                        _call_xunit(original_tm, this, method)
                finally:
                    this._mock_ecs_handle.stop()

            setattr(cls, "setup_method", setup_method)  # noqa: B010
            setattr(cls, "teardown_method", teardown_method)  # noqa: B010
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and callable(member):
                setattr(cls, name, self._decorate(member))
        return cls

    # --- control API -------------------------------------------------------------------
    def advance_clock(self, seconds: float) -> None:
        """Move the mock's time forward (snapshots progress, windows end) without sleeping."""
        with self.backend.lock:  # between requests, and no two advances lose one another
            self.backend.clock.advance(seconds)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.backend.clock.now(), tz=timezone.utc)

    def register_access_key(self, access_key_id: str, secret: str, account_id: Optional[str] = None) -> str:
        """Register a key whose signatures are then verified; returns its account ID.

        Keys of different account IDs see different ECS: each account's resources, ClientTokens
        and account status are its own. Without ``account_id`` the key belongs to the default
        account, which unregistered keys use too (unless ``strict_access_keys``).
        """
        account = account_id or DEFAULT_ACCOUNT_ID
        entry = keys.parse({access_key_id: (secret, account)}, "register_access_key")
        with self.backend.lock:
            self.backend.access_keys.update(entry)
        return account

    @property
    def access_keys(self) -> Dict[str, str]:
        """Registered access key ID -> its account ID."""
        with self.backend.lock:
            return {key: account for key, (_, account) in self.backend.access_keys.items()}

    def set_account_status(
        self, *, not_enough_balance: Optional[bool] = None, snapshot_service_unavailable: Optional[bool] = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Mark an account short of balance, or without the snapshot service."""
        with self.backend.lock:
            acct = self.backend.account(account_id)
            if not_enough_balance is not None:
                acct.not_enough_balance = not_enough_balance
            if snapshot_service_unavailable is not None:
                acct.snapshot_service_unavailable = snapshot_service_unavailable

    def lock_instance(self, instance_id: str, reason: str = "security", message: Optional[str] = None) -> None:
        """Add an OperationLock (``security`` or ``financial``) shown by DescribeInstances."""
        if reason not in LOCK_MESSAGES:
            raise ValueError(f"lock reason must be one of {sorted(LOCK_MESSAGES)}")
        with self.backend.lock:
            inst = self._find("instances", instance_id)
            if reason not in inst.lock_reasons():
                inst.locks.append((reason, message or LOCK_MESSAGES[reason]))

    def unlock_instance(self, instance_id: str, reason: Optional[str] = None) -> None:
        """Remove one lock reason, or every lock when ``reason`` is None."""
        with self.backend.lock:
            inst = self._find("instances", instance_id)
            inst.locks = [lock for lock in inst.locks if reason is not None and lock[0] != reason]

    def lock_disk(self, disk_id: str, reason: str = "financial") -> None:
        """Add a lock to a disk itself (DescribeDisks OperationLocks): ``financial`` puts it in
        arrears (StartInstance DiskInArrears, AttachDisk InstanceExpiredOrInArrears)."""
        if reason not in LOCK_MESSAGES:
            raise ValueError(f"lock reason must be one of {sorted(LOCK_MESSAGES)}")
        with self.backend.lock:
            disk = self._find("disks", disk_id)
            if reason not in disk.locks:
                disk.locks.append(reason)

    def unlock_disk(self, disk_id: str, reason: Optional[str] = None) -> None:
        """Remove one lock reason of a disk, or every one when ``reason`` is None."""
        with self.backend.lock:
            disk = self._find("disks", disk_id)
            disk.locks = [lock for lock in disk.locks if reason is not None and lock != reason]

    def inject_fault(
        self, action: str, code: Optional[str], *, times: Any = "default", rate: Optional[float] = None,
        seed: Optional[int] = 0, latency: float = 0.0, status: Optional[int] = None, message: Optional[str] = None,
    ) -> Fault:
        """Answer ``code`` for calls of ``action`` ("*" for every action); a faulted call changes nothing.

        ``times``: the next N matching calls (default 1 for an error without ``rate``; None: no
        limit). ``rate``: instead, that fraction of the matching calls, drawn from
        ``random.Random(seed)`` (repeatable), at most ``times`` of them (default no limit).
        ``latency``: seconds added before answering, with ``ecs.sleep``; with ``code=None`` the
        call is only delayed, on every matching call until cleared unless ``times`` is given (as
        ``inject_latency`` and ``POST /_mock_ecs/faults`` do: one default everywhere).
        A code of the catalogue takes its real status and message; another code needs ``status``.
        """
        from . import router

        if action != "*" and router.lookup(action) is None:
            raise ValueError(f"inject_fault: {action!r} is not an action mock_ecs builds (or '*' for all)")
        if times == "default":
            times = 1 if rate is None and code is not None else None
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError(f"inject_fault: times must be a positive integer or None, not {times!r}")
        if rate is not None and not (isinstance(rate, (int, float)) and 0 < rate <= 1):
            raise ValueError(f"inject_fault: rate must be a fraction in (0, 1], not {rate!r}")
        if not isinstance(latency, (int, float)) or latency < 0:
            raise ValueError(f"inject_fault: latency must be seconds >= 0, not {latency!r}")
        if code is None:
            if not latency:
                raise ValueError("inject_fault: give an error code, a latency, or both")
            fault = Fault(action, None, 200, "", times, rate, seed, float(latency))
        else:
            if code in errors.CATALOGUE:
                known = errors.error(code)
                wire, real_status, real_message = known.code, known.status, known.message
            elif status is None:
                raise ValueError(
                    f"inject_fault: {code!r} is not in the catalogue (mock_ecs.errors.CATALOGUE); "
                    "give status= (and message=) for a code of your own"
                )
            else:
                wire, real_status, real_message = code, status, f"Injected fault {code}."
            answer_status = status if status is not None else real_status
            if not 400 <= answer_status <= 599:
                raise ValueError(f"inject_fault: status must be an HTTP error status (400-599), not {answer_status}")
            fault = Fault(
                action, wire, answer_status, message if message is not None else real_message, times, rate, seed,
                float(latency),
            )
        with self.backend.lock:
            self.backend.faults.append(fault)
        return fault

    def inject_latency(
        self, action: str, seconds: float, *, times: Optional[int] = None, rate: Optional[float] = None,
        seed: Optional[int] = 0,
    ) -> Fault:
        """Delay calls of ``action`` ("*" for all) by ``seconds``, then answer them normally."""
        return self.inject_fault(action, None, times=times, rate=rate, seed=seed, latency=seconds)

    @property
    def faults(self) -> List[Fault]:
        """The injected faults, in the order they are tried (each shows ``fired``/``times``)."""
        with self.backend.lock:
            return list(self.backend.faults)

    def clear_faults(self) -> None:
        with self.backend.lock:
            self.backend.faults.clear()

    def fail_snapshot(
        self, snapshot_id: str, at_progress: Optional[int] = None, account_id: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Make a progressing snapshot fail when its progress reaches ``at_progress`` percent
        (0-99), or now when None or already past: from then on it is ``failed``, its Progress
        frozen. Returns it as DescribeSnapshots shows it now. An accomplished or failed one is a
        ValueError (it can no longer fail); an unknown one a KeyError."""
        from .backend import fail_at

        at = None if at_progress is None else _percent(at_progress, "fail_snapshot: at_progress")
        with self.backend.lock:
            now = self.backend.clock.now()
            self._settle(self._accounts(account_id))
            snap = self._find("snapshots", snapshot_id, account_id)
            status = snap.status(now)
            if status != "progressing":
                raise ValueError(f"fail_snapshot: {snapshot_id} is already {status}; only a progressing "
                                 "snapshot can fail (fail_snapshots makes the next ones fail)")
            if at is None:
                snap.failed_at = now
            else:
                fail_at(snap, at)
                snap.failed_at = max(now, cast(float, snap.failed_at))
        return self.snapshot(snapshot_id, account_id)

    def fail_snapshots(
        self, disk_id: Optional[str] = None, *, rate: float = 1.0, seed: Optional[int] = 0, at_progress: int = 0,
        times: Optional[int] = None,
    ) -> FailureRule:
        """Make snapshots taken from now on fail at ``at_progress`` percent (0-99): those of
        ``disk_id`` (None: of every disk), manual, automatic, group members and copies of its
        snapshots; ``rate`` of them (0-1) drawn from ``random.Random(seed)`` (repeatable), the
        next ``times`` (None: no limit). Returns the rule, which counts ``seen`` and ``fired``."""
        where = "fail_snapshots"
        if disk_id is not None and not isinstance(disk_id, str):
            raise ValueError(f"{where}: disk_id must be a disk ID or None, not {disk_id!r}")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"{where}: rate must be a fraction from 0 to 1, not {rate!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"{where}: seed must be an integer or None, not {seed!r}")
        at = _percent(at_progress, f"{where}: at_progress")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError(f"{where}: times must be a positive integer or None, not {times!r}")
        with self.backend.lock:
            if disk_id is not None and not any(
                disk_id in state.disks or disk_id in state.snapshots_by_disk
                for acct in self.backend.accounts.values() for state in acct.regions.values()
            ):
                raise KeyError(f"{where}: no disk {disk_id} (nor snapshots of it) in any account")
            rule = FailureRule(disk_id, float(rate), seed, at, times)
            self.backend.failure_rules.append(rule)
        return rule

    @property
    def snapshot_failures(self) -> List[FailureRule]:
        """The rules of fail_snapshots, in the order they are drawn (the first that draws a
        snapshot decides); each shows ``seen``, ``fired`` and what is left of ``times``."""
        with self.backend.lock:
            return list(self.backend.failure_rules)

    def clear_snapshot_failures(self) -> None:
        """No more snapshots fail by rule (those already set to fail still do); reset() does it too."""
        with self.backend.lock:
            self.backend.failure_rules.clear()

    @property
    def sleep(self) -> Callable[[float], None]:
        """What injected latencies wait with: ``time.sleep`` unless replaced.

        ``ecs.sleep = ecs.advance_clock`` makes a latency move the mock's clock instead of
        waiting; ``ecs.sleep = slept.append`` records it. Kept across reset().
        """
        return self._sleep

    @sleep.setter
    def sleep(self, fn: Callable[[float], None]) -> None:
        if not callable(fn):
            raise TypeError("sleep must be callable with a number of seconds")
        self._sleep = fn
        self.backend.sleep = fn

    def set_disk_data_size(self, disk_id: str, gib: float) -> None:
        """How much data a disk holds: a snapshot of it takes max(min, GiB x seconds/GiB)."""
        with self.backend.lock:
            self._find("disks", disk_id).data_size = gib

    def write_disk(self, disk_id: str, account_id: Optional[str] = None) -> int:
        """Write to a disk: its content generation goes up by one; returns the new one.

        A snapshot records the generation its disk had when taken; a disk made from it, or
        reset to it (ResetDisk), takes that generation: a test checks a restore by reading it
        back with ``disk_content``. KeyError for an unknown disk.
        """
        with self.backend.lock:  # the automatic snapshots due before the write record the old data
            self._settle(self._accounts(account_id))
            disk = self._find("disks", disk_id, account_id)
            disk.content += 1
            return int(disk.content)

    def disk_content(self, disk_id: str, account_id: Optional[str] = None) -> int:
        """The disk's content generation now (0 for a new empty disk); KeyError for an unknown disk."""
        with self.backend.lock:
            self._settle(self._accounts(account_id))
            return int(self._find("disks", disk_id, account_id).content)

    @property
    def calls(self) -> CallList:
        """Every request answered, oldest first (a copy): action, params, account, region, status, code.

        Refused requests are included (authentication errors, missing parameters), with what
        was known. Emptied by reset(), and so by every start; clear_calls() empties only it.
        Only the newest ``max_calls`` (a setting, default 100,000; 0: all) are kept.
        """
        with self.backend.lock:
            return CallList(self.backend.calls)

    def clear_calls(self) -> None:
        with self.backend.lock:
            self.backend.calls.clear()
            self.backend.calls_dropped = 0

    # --- looking at the state ----------------------------------------------------------
    def _settle(self, accounts: List[Account]) -> List[Account]:
        """Make the automatic snapshots due (and drop the expired ones) before a view reads them;
        under the lock. A view shows what a request at this instant would."""
        from . import schedule

        now = self.backend.clock.now()
        for acct in accounts:
            schedule.settle(self.backend, acct, now)
        return accounts

    def auto_snapshot_log(self, account_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """The firings of automatic snapshot policies, oldest first: ``time`` (epoch seconds),
        ``region_id``, ``policy_id``, ``disk_id``, ``snapshot_id`` ("" when none was made) and
        ``skipped`` ("" or why none was made: schedule.SKIP_REASONS), with ``account_id``.

        They are not calls, so ``calls`` never shows them. The newest ``max_auto_snapshot_log``
        (a setting) per account are kept; a clock jump past twice a policy's retention does not
        list the firings whose snapshots expired within it (schedule.py).
        """
        with self.backend.lock:
            return [
                {"account_id": acct.account_id, "time": f.time, "region_id": f.region_id, "policy_id": f.policy_id,
                 "disk_id": f.disk_id, "snapshot_id": f.snapshot_id, "skipped": f.skipped}
                for acct in self._settle(self._accounts(account_id)) for f in acct.auto_log
            ]

    def _accounts(self, account_id: Optional[str]) -> List[Account]:
        """That account (none when unknown), or every account when ``account_id`` is None."""
        if account_id is None:
            return list(self.backend.accounts.values())
        acct = self.backend.accounts.get(account_id)
        return [acct] if acct is not None else []

    def _locate(self, kind: str, resource_id: str, account_id: Optional[str] = None) -> Tuple[Account, Any]:
        """The account holding ``resource_id`` and the resource; every account when ``account_id`` is None."""
        for acct in self._accounts(account_id):
            state = acct.find(resource_id, None)
            found = getattr(state, kind).get(resource_id) if state is not None else None
            if found is not None:
                return acct, found
        raise KeyError(resource_id)

    def _find(self, kind: str, resource_id: str, account_id: Optional[str] = None) -> Any:
        return self._locate(kind, resource_id, account_id)[1]

    def _view(self, kind: str, resource_id: str, account_id: Optional[str]) -> Dict[str, Any]:
        from .actions.disks import disk_view
        from .actions.images import image_view
        from .actions.instances import instance_view
        from .actions.snapshots import snapshot_view
        from .context import Context

        with self.backend.lock:
            self._settle(self._accounts(account_id))
            acct, obj = self._locate(kind, resource_id, account_id)
            ctx = Context(self.backend, acct, "Control", {}, obj.region_id, self.backend.clock.now(), "")
            if kind == "instances":
                return instance_view(ctx, obj)
            if kind == "disks":
                return disk_view(ctx, ctx.region(), obj)
            if kind == "snapshots":
                return snapshot_view(ctx, obj)
            return image_view(ctx, obj)

    # Resource IDs are unique across accounts: without ``account_id`` every account is searched;
    # with it, only that account (a resource of another account is then a KeyError).
    def instance(self, instance_id: str, account_id: Optional[str] = None) -> Dict[str, Any]:
        """The instance as DescribeInstances shows it now; KeyError when absent."""
        return self._view("instances", instance_id, account_id)

    def disk(self, disk_id: str, account_id: Optional[str] = None) -> Dict[str, Any]:
        return self._view("disks", disk_id, account_id)

    def snapshot(self, snapshot_id: str, account_id: Optional[str] = None) -> Dict[str, Any]:
        return self._view("snapshots", snapshot_id, account_id)

    def image(self, image_id: str, account_id: Optional[str] = None) -> Dict[str, Any]:
        return self._view("images", image_id, account_id)

    def ids(self, kind: str, account_id: Optional[str] = None) -> List[str]:
        """IDs of every ``instances``/``disks``/``snapshots``/``images`` (of one account, or of all)."""
        with self.backend.lock:
            return [
                rid for acct in self._settle(self._accounts(account_id)) for state in acct.regions.values()
                for rid in getattr(state, kind)
            ]

    def account_of(self, resource_id: str) -> str:
        """The account ID holding a resource; KeyError when no account has it."""
        with self.backend.lock:
            for acct in self.backend.accounts.values():
                state = acct.find(resource_id, None)
                if state is not None and any(resource_id in getattr(state, kind) for kind in KINDS):
                    return acct.account_id
        raise KeyError(resource_id)


def _percent(value: Any, name: str) -> int:
    """A progress percent at which a snapshot fails: an integer from 0 to 99 (100 is accomplished)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise ValueError(f"{name} must be an integer percent from 0 to 99, not {value!r}")
    return value


def _call_xunit(fn: Callable[..., Any], this: Any, method: Any) -> Any:
    """Call a user's setup_method/teardown_method with ``method`` only if it declares it."""
    code = getattr(fn, "__code__", None)
    if code is None or code.co_argcount > 1:
        return fn(this, method)
    return fn(this)


def mock_ecs(func: Optional[Callable[..., Any]] = None, **settings: Any) -> Any:
    """``@mock_ecs``, ``@mock_ecs(snapshot_quota=3)``, or ``with mock_ecs() as ecs:``."""
    if func is not None:
        return MockEcs(**settings)._decorate(func)
    return MockEcs(**settings)


mock_ecs.current = MockEcs.current  # type: ignore[attr-defined]
