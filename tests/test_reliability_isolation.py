"""Isolation: decorated tests one after another leave nothing behind, failing ones included.

After every one of 1,000 ``@mock_ecs`` tests in a row (and of a pytest run of decorated tests,
in random order): the patch points are the originals again (requests' and the vendored
``HTTPAdapter.send``, ``DaraCore``/``TeaCore.async_do_action``,
``responses.RequestsMock._on_request``), no ``responses`` mock the mock made is still
started or holds a registered entry, the mock stack is empty, and the next test starts from
an empty ECS (no resources, calls, faults, keys or clock offset). A test that fails, with
any exception and in any form (function, ``async``, class, context manager, nested mocks, a
start or a stop that fails part way), restores everything too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import unittest
import weakref
from typing import Any, Callable, Dict, Iterator, List

import pytest
import requests
import responses

from conftest import REGION, LibcloudDriver, RequestsDriver, SdkCoreDriver, TeaAsyncDriver, TeaDriver, run_instance
from mock_ecs import MockEcs, mock_ecs
from mock_ecs import mock as mock_module
from mock_ecs.intercept import Interceptor

pytest_plugins = ["pytester"]


def patch_points() -> Dict[str, Any]:
    """Everything the mock patches, as it is now (the raw class attributes, so identity holds)."""
    import aliyunsdkcore.vendored.requests.adapters as vendored
    from darabonba.core import DaraCore

    points = {
        "requests HTTPAdapter.send": requests.adapters.HTTPAdapter.__dict__["send"],
        "vendored HTTPAdapter.send": vendored.HTTPAdapter.__dict__["send"],
        "DaraCore.async_do_action": DaraCore.__dict__["async_do_action"],
        "RequestsMock._on_request": responses.RequestsMock.__dict__["_on_request"],
    }
    with contextlib.suppress(ImportError):  # the older Tea stack is optional
        from Tea.core import TeaCore

        points["TeaCore.async_do_action"] = TeaCore.__dict__.get("async_do_action")
    return points


assert not mock_module._stack, "a mock was active while this module was imported"
ORIGINAL = patch_points()


@pytest.fixture
def made_mocks(monkeypatch: pytest.MonkeyPatch) -> List[weakref.ref[Any]]:
    """Every ``responses.RequestsMock`` made while the test runs (weakly, so none is kept alive)."""
    made: List[weakref.ref[Any]] = []
    original_init = responses.RequestsMock.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(weakref.ref(self))
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(responses.RequestsMock, "__init__", init)
    return made


def leftovers(made: List[weakref.ref[Any]] = ()) -> List[str]:  # type: ignore[assignment]
    """What an ended mock left behind; [] when nothing."""
    problems = [f"{name} is still patched" for name, value in patch_points().items() if value is not ORIGINAL[name]]
    if mock_module._stack:
        problems.append(f"{len(mock_module._stack)} mock(s) still on the stack")
    if mock_module._interceptor is not None:
        problems.append("an interceptor is still installed")
    for ref in made:
        mock = ref()
        if mock is None:
            continue
        if mock.registered():
            problems.append(f"a responses mock still has {len(mock.registered())} registered entries")
        if getattr(mock, "_patcher", None) is not None:
            problems.append("a responses mock is still started")
    if responses.mock.registered():
        problems.append("responses' default mock has registered entries")
    return problems


def assert_clean(made: List[weakref.ref[Any]] = ()) -> None:  # type: ignore[assignment]
    problems = leftovers(made)
    assert problems == [], problems


def assert_empty(ecs: MockEcs) -> None:
    """A test starts from an empty ECS."""
    for kind in ("instances", "disks", "snapshots", "images"):
        assert ecs.ids(kind) == [], kind
    assert ecs.calls == [] and ecs.faults == [] and ecs.access_keys == {}
    assert ecs.backend.clock.offset == 0 and ecs.backend.nonces == {}


def test_leftovers_sees_an_active_mock(made_mocks: List[weakref.ref[Any]]) -> None:
    """The check can fail: while a mock is active every patch point is reported."""
    with mock_ecs():
        problems = leftovers(made_mocks)
        assert len(problems) >= len(ORIGINAL) + 2, problems
        assert any("registered entries" in p for p in problems) and any("started" in p for p in problems)
    assert_clean(made_mocks)


# --- 1,000 decorated tests in a row -----------------------------------------------------------------
def test_a_thousand_decorated_tests_in_a_row_leave_nothing_behind(made_mocks: List[weakref.ref[Any]]) -> None:
    sdkcore = SdkCoreDriver()  # a client made once, as a suite's module-level client would be
    rare: Dict[int, Callable[[], Any]] = {0: TeaDriver, 1: TeaAsyncDriver, 2: LibcloudDriver}
    handles: List[weakref.ref[MockEcs]] = []
    threads = set(threading.enumerate())

    @mock_ecs
    def a_test(n: int) -> None:
        ecs = mock_ecs.current()
        handles.append(weakref.ref(ecs))
        assert_empty(ecs)  # nothing of the test before
        client = rare[n // 100]() if n % 100 == 50 and n // 100 in rare else (sdkcore if n % 2 else RequestsDriver())
        run_instance(client)
        # State of every kind, all of which the next test must not see.
        ecs.advance_clock(3600)
        ecs.inject_fault("StopInstance", "Throttling")
        ecs.register_access_key(f"LTAIisolation{n}", "secret", "2222222222222222")
        assert len(ecs.ids("instances")) == 1 and len(ecs.calls) >= 1
        if n % 10 == 9:
            raise RuntimeError(f"test {n} fails")

    failed = 0
    for n in range(1000):
        try:
            a_test(n)
        except RuntimeError:
            failed += 1
        problems = leftovers(made_mocks)
        assert problems == [], (n, problems)
    assert failed == 100
    assert set(threading.enumerate()) - threads == set(), "a thread was left running"
    gc.collect()
    assert sum(ref() is not None for ref in handles) == 0, "ended mocks are kept alive"
    assert sum(ref() is not None for ref in made_mocks) == 0, "responses mocks are kept alive"
    # One per test, for requests (the vendored copy of aliyunsdkcore is patched without responses).
    assert len(handles) == 1000 and len(made_mocks) >= 1000


def test_decorated_tests_run_by_pytest_in_random_order_leave_nothing_behind(pytester: pytest.Pytester) -> None:
    """200 decorated tests in a real pytest run (in random order: pytest-randomly, of the test
    extra, shuffles them), each checking that the one before left nothing; then a last check."""
    pytester.makeconftest('''
import pytest
from mock_ecs import mock as mock_module

@pytest.fixture(autouse=True)
def nothing_active_around_each_test():
    assert not mock_module._stack and mock_module._interceptor is None
    yield
    assert not mock_module._stack and mock_module._interceptor is None
''')
    pytester.makepyfile(test_many='''
import time, uuid
import requests
from mock_ecs import mock_ecs

ORIGINAL = requests.adapters.HTTPAdapter.__dict__["send"]

def signed(action):
    return {"Action": action, "Version": "2014-05-26", "Format": "JSON", "AccessKeyId": "LTAIany",
            "Signature": "unchecked", "SignatureNonce": uuid.uuid4().hex, "RegionId": "cn-hangzhou",
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "ImageId": "ubuntu_22_04_x64_20G_alibase_20240130.vhd", "InstanceType": "ecs.g7.large"}

def body(n):
    ecs = mock_ecs.current()
    assert ecs.ids("instances") == [] and ecs.calls == [] and ecs.backend.clock.offset == 0
    assert requests.adapters.HTTPAdapter.__dict__["send"] is not ORIGINAL
    assert requests.get("https://ecs.cn-hangzhou.aliyuncs.com/", params=signed("RunInstances")).status_code == 200
    ecs.advance_clock(60)
    assert len(ecs.ids("instances")) == 1
    if n % 50 == 7:
        raise RuntimeError("a failing test")
''' + "".join(f"\n@mock_ecs\ndef test_{n}():\n    body({n})\n" for n in range(200)))
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider",
                                          "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=196, failed=4)
    assert_clean()


# --- failing tests ------------------------------------------------------------------------------------
class Boom(Exception):
    """The failure a test raises inside the mock."""


def _fail_in_function() -> None:
    @mock_ecs
    def a_test() -> None:
        run_instance(SdkCoreDriver())
        raise Boom()

    a_test()


def _fail_in_async() -> None:
    @mock_ecs
    async def a_test() -> None:
        await asyncio.sleep(0)
        raise Boom()

    asyncio.run(a_test())


def _fail_with_base_exception() -> None:
    @mock_ecs(snapshot_quota=3)
    def a_test() -> None:
        raise KeyboardInterrupt  # not an Exception: still restores

    try:
        a_test()
    except KeyboardInterrupt:
        raise Boom() from None


def _fail_in_nested_mocks() -> None:
    with mock_ecs() as outer:
        run_instance(RequestsDriver())
        with mock_ecs():
            with mock_ecs():
                raise Boom()
    assert outer  # pragma: no cover


def _fail_inside_the_mock() -> None:
    """An exception inside the mock's own request path (answered InternalError), then the test fails."""
    from mock_ecs.backend import Backend

    def broken(*args: Any) -> None:
        raise ZeroDivisionError("a bug of the mock")

    with mock_ecs() as ecs, pytest.MonkeyPatch.context() as mp:
        mp.setattr(Backend, "account", broken)
        try:
            RequestsDriver().call("DescribeInstances", RegionId=REGION)
        except Exception as err:
            assert "InternalError" in str(err) and ecs.calls.codes == ["InternalError"]
            raise Boom() from err


def _fail_while_overlapping() -> None:
    """Mocks stopped out of order, then a failure with one still active."""
    first, second = mock_ecs(), mock_ecs()
    first.start()
    second.start()
    first.stop()
    try:
        raise Boom()
    finally:
        second.stop()
        second.stop()  # a stray extra stop does nothing


def _fail_in_a_test_case() -> None:
    @mock_ecs
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            run_instance(RequestsDriver())

        def test_fails(self) -> None:
            raise Boom()

        def test_passes(self) -> None:
            assert len(mock_ecs.current().ids("instances")) == 1

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert result.testsRun == 2 and len(result.errors) == 1 and not result.failures
    raise Boom()


def _fail_in_setup_method() -> None:
    @mock_ecs
    class Case:
        def setup_method(self, method: Any) -> None:
            raise Boom()

    Case().setup_method(None)


FAILURES = {
    "function": _fail_in_function,
    "async": _fail_in_async,
    "base_exception": _fail_with_base_exception,
    "nested": _fail_in_nested_mocks,
    "inside_the_mock": _fail_inside_the_mock,
    "overlapping": _fail_while_overlapping,
    "test_case": _fail_in_a_test_case,
    "setup_method": _fail_in_setup_method,
}


@pytest.mark.parametrize("form", list(FAILURES))
def test_a_failing_test_restores_everything(form: str, made_mocks: List[weakref.ref[Any]]) -> None:
    with pytest.raises(Boom):
        FAILURES[form]()
    assert_clean(made_mocks)
    with mock_ecs() as ecs:  # and the next mock works, from an empty ECS
        assert_empty(ecs)
        run_instance(RequestsDriver())
    assert_clean(made_mocks)


def test_a_start_that_fails_part_way_patches_nothing(monkeypatch: pytest.MonkeyPatch,
                                                     made_mocks: List[weakref.ref[Any]]) -> None:
    """requests is patched, then patching the async stack fails: nothing may stay patched."""
    def broken(self: Interceptor) -> None:
        raise Boom()

    monkeypatch.setattr(Interceptor, "_patch_async", broken)
    for _ in range(3):
        with pytest.raises(Boom):
            with mock_ecs():
                pass  # pragma: no cover
        assert_clean(made_mocks)
    monkeypatch.undo()
    with mock_ecs():
        run_instance(RequestsDriver())
    assert_clean(made_mocks)


def test_a_stop_that_fails_part_way_still_removes_the_other_patches(monkeypatch: pytest.MonkeyPatch,
                                                                    made_mocks: List[weakref.ref[Any]]) -> None:
    restore = Interceptor._unpatch_async

    def broken(self: Interceptor) -> None:
        restore(self)
        raise Boom()

    monkeypatch.setattr(Interceptor, "_unpatch_async", broken)
    handle = mock_ecs()
    handle.start()
    with pytest.raises(Boom):
        handle.stop()
    assert_clean(made_mocks)
    assert not handle.active


def test_the_interception_keeps_no_record_of_its_own(made_mocks: List[weakref.ref[Any]]) -> None:
    """responses records every request and response it answers, for the life of its mock; the
    mock's own interception must not (a session-long mock would grow without bound)."""
    with mock_ecs() as ecs:
        client = SdkCoreDriver()
        for _ in range(20):
            run_instance(client)
            run_instance(RequestsDriver())
        mocks = [ref() for ref in made_mocks]
        assert len(mocks) == 1 and all(m is not None for m in mocks)  # requests' (aliyunsdkcore's is direct)
        for mock in mocks:
            assert len(mock.calls) == 0
            assert all(len(entry.calls) == 0 for entry in mock.registered())
        assert len(ecs.calls) == 40


@pytest.fixture
def user_responses() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as user:
        yield user


def test_a_users_own_responses_mock_is_left_as_it_was(user_responses: responses.RequestsMock) -> None:
    """A user's responses mock around many decorated tests keeps its entries and its calls."""
    user_responses.add(responses.GET, "https://example.com/", body="mine")

    @mock_ecs
    def a_test() -> None:
        run_instance(RequestsDriver())
        assert requests.get("https://example.com/").text == "mine"

    for _ in range(50):
        a_test()
    assert len(user_responses.registered()) == 1 and len(user_responses.calls) == 50
    assert requests.get("https://example.com/").text == "mine"
