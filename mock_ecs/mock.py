"""``mock_ecs``: decorator, context manager and handle, with the control API.

Mocks nest and overlap: the process keeps a stack of active handles, requests go to the
newest one, and only the first start and the last stop install and remove the patches.
"""

from __future__ import annotations

import functools
import inspect
import threading
import unittest
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, TypeVar, cast

from . import errors
from .backend import DEFAULT_ACCOUNT_ID, Backend, Call, Fault
from .context import Context
from .gateway import Gateway
from .intercept import Interceptor
from .settings import Settings
from .wire import HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., Any])

_stack: List[MockEcs] = []
_stack_lock = threading.RLock()
_interceptor: Optional[Interceptor] = None

LOCK_MESSAGES = {
    "security": "The specified instance is locked due to security reason.",
    "financial": "The specified instance is locked due to financial reason.",
}


def _dispatch(req: HttpRequest) -> HttpResponse:
    """Hand a caught request to the newest active mock."""
    with _stack_lock:
        current = _stack[-1] if _stack else None
    if current is None:  # a late request after the last stop: still never the network
        return Gateway(Backend(Settings())).handle(req)
    return current.gateway.handle(req)


class MockEcs:
    """An in-memory ECS. Use as ``@mock_ecs``, ``@mock_ecs(...)``, ``with mock_ecs() as ecs``."""

    def __init__(self, **settings: Any) -> None:
        self.settings = Settings().with_overrides(**settings)
        self.backend = Backend(self.settings)
        self.gateway = Gateway(self.backend)

    # --- activation ------------------------------------------------------------------
    def start(self) -> MockEcs:
        global _interceptor
        with _stack_lock:
            if self in _stack:
                return self
            self.reset()
            if not _stack:
                _interceptor = Interceptor(_dispatch)
                _interceptor.start()
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
        """Drop every resource, key, fault and call: an empty ECS."""
        self.backend = Backend(self.settings)
        self.gateway = Gateway(self.backend)

    # --- decorator -------------------------------------------------------------------
    def __call__(self, target: F) -> F:
        """``@mock_ecs(...)``: every call of ``target`` runs against a new, empty ECS."""
        return cast(F, self._decorate(target))

    def _fresh(self) -> MockEcs:
        return MockEcs(**self.settings.as_dict())

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
        self.backend.clock.advance(seconds)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.backend.clock.now(), tz=timezone.utc)

    def register_access_key(self, access_key_id: str, secret: str, account_id: Optional[str] = None) -> str:
        """Register a key whose signatures are then verified; returns its account ID."""
        account = account_id or DEFAULT_ACCOUNT_ID
        with self.backend.lock:
            self.backend.access_keys[access_key_id] = (secret, account)
        return account

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

    def inject_fault(
        self, action: str, code: str, *, times: Optional[int] = 1, status: Optional[int] = None,
        message: Optional[str] = None,
    ) -> Fault:
        """Answer ``code`` for the next ``times`` calls of ``action`` ("*" for all; None: forever).

        A faulted call changes nothing. Known codes take their real status and message.
        """
        known = errors.CATALOGUE.get(code)
        fault = Fault(
            action, code, status if status is not None else (known[0] if known else 400),
            message if message is not None else (known[1] if known else f"Injected fault {code}."), times,
        )
        with self.backend.lock:
            self.backend.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.backend.lock:
            self.backend.faults.clear()

    def set_disk_data_size(self, disk_id: str, gib: float) -> None:
        """How much data a disk holds: a snapshot of it takes max(min, GiB x seconds/GiB)."""
        with self.backend.lock:
            self._find("disks", disk_id).data_size = gib

    @property
    def calls(self) -> List[Call]:
        """Every request answered, in order: action, params, account, region, status, code."""
        return list(self.backend.calls)

    # --- looking at the state ----------------------------------------------------------
    def _find(self, kind: str, resource_id: str, account_id: str = DEFAULT_ACCOUNT_ID) -> Any:
        acct = self.backend.accounts.get(account_id)
        region = acct.where.get(resource_id) if acct else None
        found = getattr(acct.regions[region], kind).get(resource_id) if acct and region else None
        if found is None:
            raise KeyError(resource_id)
        return found

    def _view(self, kind: str, resource_id: str, account_id: str) -> Dict[str, Any]:
        from .actions.disks import disk_view
        from .actions.images import image_view
        from .actions.instances import instance_view
        from .actions.snapshots import snapshot_view

        with self.backend.lock:
            obj = self._find(kind, resource_id, account_id)
            acct = self.backend.accounts[account_id]
            ctx = Context(self.backend, acct, "Control", {}, obj.region_id, self.backend.clock.now(), "")
            if kind == "instances":
                return instance_view(ctx, obj)
            if kind == "disks":
                return disk_view(ctx, ctx.region(), obj)
            if kind == "snapshots":
                return snapshot_view(ctx, obj)
            return image_view(ctx, obj)

    def instance(self, instance_id: str, account_id: str = DEFAULT_ACCOUNT_ID) -> Dict[str, Any]:
        """The instance as DescribeInstances shows it now; KeyError when absent."""
        return self._view("instances", instance_id, account_id)

    def disk(self, disk_id: str, account_id: str = DEFAULT_ACCOUNT_ID) -> Dict[str, Any]:
        return self._view("disks", disk_id, account_id)

    def snapshot(self, snapshot_id: str, account_id: str = DEFAULT_ACCOUNT_ID) -> Dict[str, Any]:
        return self._view("snapshots", snapshot_id, account_id)

    def image(self, image_id: str, account_id: str = DEFAULT_ACCOUNT_ID) -> Dict[str, Any]:
        return self._view("images", image_id, account_id)

    def ids(self, kind: str, account_id: str = DEFAULT_ACCOUNT_ID) -> List[str]:
        """IDs of every ``instances``/``disks``/``snapshots``/``images`` of an account."""
        acct = self.backend.accounts.get(account_id)
        if acct is None:
            return []
        return [rid for state in acct.regions.values() for rid in getattr(state, kind)]


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
