"""The ways to turn the mock on and off, what they patch and restore, the pytest plugin, settings
and the control API.
"""

from __future__ import annotations

import asyncio
import threading
import unittest
from datetime import datetime, timezone
from typing import Any, Dict, List

import pytest
import requests
import responses
from freezegun import freeze_time

from conftest import (
    REGION,
    RequestsDriver,
    SdkCoreDriver,
    TeaDriver,
    expect_error,
    ready_disk,
    run_instance,
    snapshots_of,
    system_disk,
)
from mock_ecs import DEFAULT_ACCOUNT_ID, Call, MockEcs, mock_ecs

pytest_plugins = ["pytester"]


# --- what is patched ------------------------------------------------------------------------
def patch_points() -> Dict[str, Any]:
    """Everything the mock patches, as it is right now."""
    import aliyunsdkcore.vendored.requests.adapters as vendored
    from darabonba.core import DaraCore

    points = {
        "requests": requests.adapters.HTTPAdapter.send,
        "vendored": vendored.HTTPAdapter.send,
        "dara": DaraCore.async_do_action,
        "dara_raw": DaraCore.__dict__["async_do_action"],
        "on_request": responses.RequestsMock._on_request,
    }
    try:
        from Tea.core import TeaCore

        points["tea"] = TeaCore.__dict__.get("async_do_action")
    except ImportError:  # pragma: no cover - the older stack is optional
        points["tea"] = None
    return points


ORIGINAL = patch_points()


def assert_restored() -> None:
    now = patch_points()
    for name, value in ORIGINAL.items():
        assert now[name] is value, f"{name} was not restored"


def assert_patched() -> None:
    now = patch_points()
    for name in ("requests", "vendored", "dara_raw", "on_request"):
        assert now[name] is not ORIGINAL[name], f"{name} is not patched"


def describe_count() -> int:
    """DescribeInstances through plain requests: how many instances the active mock has."""
    return RequestsDriver().call("DescribeInstances", RegionId=REGION)["TotalCount"]


def no_mock_answers() -> None:
    """With no mock active, an ECS URL goes to the (blocked) network."""
    with pytest.raises(requests.exceptions.ConnectionError):
        RequestsDriver().call("DescribeInstances", RegionId=REGION)


@pytest.fixture(autouse=True)
def _nothing_left_active():
    from mock_ecs import mock as mock_module

    assert_restored()
    yield
    leaked = list(mock_module._stack)
    for handle in leaked:  # clean up first, so that one failure does not cascade
        handle.stop()
    assert leaked == [], "a mock was left active"
    assert_restored()


# --- decorator on a function ------------------------------------------------------------------
@mock_ecs
def test_bare_decorator_on_a_test_function():
    assert_patched()
    ecs = mock_ecs.current()
    assert isinstance(ecs, MockEcs) and ecs.active
    assert describe_count() == 0
    run_instance(RequestsDriver())
    assert describe_count() == 1 and len(ecs.ids("instances")) == 1


@mock_ecs(initialization_seconds=0)
def test_decorator_with_settings_on_a_test_function_keeps_fixtures(tmp_path):
    assert tmp_path.exists()  # pytest still sees the test's own signature
    ecs = mock_ecs.current()
    assert ecs.settings.initialization_seconds == 0
    disk_id = system_disk(RequestsDriver(), run_instance(RequestsDriver()))
    assert RequestsDriver().call("CreateSnapshot", DiskId=disk_id)["SnapshotId"].startswith("s-bp1")


def test_each_decorated_call_starts_empty_and_drops_its_state():
    handles: List[MockEcs] = []

    @mock_ecs
    def work(n: int, *, label: str) -> str:
        handles.append(mock_ecs.current())
        assert describe_count() == 0
        for _ in range(n):
            run_instance(RequestsDriver())
        assert describe_count() == n
        return f"{label}:{n}"

    assert work.__name__ == "work"
    assert work(2, label="a") == "a:2"
    assert_restored()
    assert work(1, label="b") == "b:1"
    assert handles[0] is not handles[1]
    for handle in handles:
        assert not handle.active
        assert handle.ids("instances") == [] and handle.calls == []
    no_mock_answers()


# --- async ------------------------------------------------------------------------------------
async def tea_async_describe() -> Dict[str, Any]:
    from alibabacloud_tea_openapi import utils_models as um
    from darabonba.runtime import RuntimeOptions

    from conftest import _tea_params

    req = um.OpenApiRequest(query={"RegionId": REGION})
    out = await TeaDriver().client.call_api_async(_tea_params("DescribeInstances"), req, RuntimeOptions())
    return dict(out["body"])


@mock_ecs
async def test_decorator_on_an_async_test():
    ecs = mock_ecs.current()
    assert_patched()
    assert (await tea_async_describe())["TotalCount"] == 0
    run_instance(RequestsDriver())
    assert (await tea_async_describe())["TotalCount"] == 1
    assert [c.action for c in ecs.calls] == ["DescribeInstances", "RunInstances", "DescribeInstances"]


def test_decorator_on_an_async_function_run_with_asyncio_run():
    seen: List[MockEcs] = []

    @mock_ecs(snapshot_quota=7)
    async def work() -> int:
        seen.append(mock_ecs.current())
        assert mock_ecs.current().settings.snapshot_quota == 7
        await asyncio.sleep(0)
        run_instance(RequestsDriver())
        return (await tea_async_describe())["TotalCount"]

    assert asyncio.iscoroutinefunction(work)
    assert asyncio.run(work()) == 1
    assert asyncio.run(work()) == 1  # a new, empty ECS each call
    assert seen[0] is not seen[1]
    assert_restored()


def test_async_failure_restores_everything():
    @mock_ecs
    async def work() -> None:
        await tea_async_describe()
        raise KeyError("inside")

    with pytest.raises(KeyError, match="inside"):
        asyncio.run(work())
    assert_restored()


# --- decorator on classes -----------------------------------------------------------------------
@mock_ecs
class TestDecoratedClass:
    """Each test method gets its own empty ECS."""

    def helper(self) -> int:  # not a test: left alone
        return 1

    def test_first(self):
        assert describe_count() == 0
        run_instance(RequestsDriver())
        assert describe_count() == self.helper()

    def test_second(self):
        assert describe_count() == 0
        run_instance(SdkCoreDriver())
        run_instance(SdkCoreDriver())
        assert describe_count() == 2


@mock_ecs(initialization_seconds=0)
class TestDecoratedClassWithSetupMethod:
    """setup_method, the test and teardown_method share one ECS; the next test has a new one."""

    def setup_method(self, method):
        self.ecs = mock_ecs.current()
        self.instance_id = run_instance(RequestsDriver())

    def teardown_method(self, method):
        assert mock_ecs.current() is self.ecs
        assert self.ecs.ids("instances") == [self.instance_id]

    def test_one(self):
        assert mock_ecs.current() is self.ecs
        assert describe_count() == 1
        assert self.ecs.settings.initialization_seconds == 0

    def test_two(self):
        assert self.ecs.ids("instances") == [self.instance_id]


@mock_ecs
class TestDecoratedClassWithArglessSetupMethod:
    def setup_method(self):
        self.ecs = mock_ecs.current()

    def test_it(self):
        assert mock_ecs.current() is self.ecs


def test_failing_setup_method_does_not_leave_the_mock_active():
    @mock_ecs
    class Broken:
        def setup_method(self, method):
            raise RuntimeError("setup_method broke")

        def teardown_method(self, method):  # pragma: no cover - pytest skips it after a failed setup
            raise AssertionError("unreachable")

    with pytest.raises(RuntimeError, match="setup_method broke"):
        Broken().setup_method(None)
    assert_restored()


@mock_ecs
class DecoratedTestCase(unittest.TestCase):
    """setUp, the test and tearDown see the same ECS; the next test starts empty."""

    def setUp(self) -> None:
        self.ecs = mock_ecs.current()
        self.instance_id = run_instance(RequestsDriver())

    def tearDown(self) -> None:
        assert mock_ecs.current() is self.ecs

    def test_sees_what_setup_made(self) -> None:
        self.assertIs(mock_ecs.current(), self.ecs)
        self.assertEqual(describe_count(), 1)
        self.assertEqual(self.ecs.ids("instances"), [self.instance_id])

    def test_starts_fresh(self) -> None:
        run_instance(TeaDriver())
        self.assertEqual(describe_count(), 2)


def test_unittest_case_runs_and_cleans_up():
    result = unittest.TestResult()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTestCase)
    suite.run(result)
    assert result.testsRun == 2 and result.wasSuccessful(), result.errors + result.failures
    assert_restored()


def test_unittest_case_whose_setup_fails_still_restores():
    @mock_ecs
    class Broken(unittest.TestCase):
        def setUp(self) -> None:
            raise RuntimeError("setUp broke")

        def test_never(self) -> None:  # pragma: no cover
            raise AssertionError("unreachable")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Broken).run(result)
    assert len(result.errors) == 1 and "setUp broke" in result.errors[0][1]
    assert_restored()


# --- context manager and start/stop ----------------------------------------------------------------
def test_context_manager():
    with mock_ecs() as ecs:
        assert isinstance(ecs, MockEcs) and mock_ecs.current() is ecs
        assert_patched()
        run_instance(RequestsDriver())
        assert len(ecs.ids("instances")) == 1
    assert not ecs.active
    assert_restored()
    no_mock_answers()


def test_start_and_stop():
    m = mock_ecs(snapshot_quota=5)
    assert not m.active
    assert m.start() is m
    try:
        assert mock_ecs.current() is m and m.settings.snapshot_quota == 5
        assert describe_count() == 0
        run_instance(TeaDriver())
        assert describe_count() == 1
        m.start()  # starting an active mock changes nothing
        assert describe_count() == 1
    finally:
        m.stop()
    assert_restored()
    # Started again: a new, empty ECS.
    with m:
        assert describe_count() == 0


def test_exception_inside_restores_everything():
    with pytest.raises(ZeroDivisionError):
        with mock_ecs():
            run_instance(RequestsDriver())
            raise ZeroDivisionError("inside the with block")
    assert_restored()

    @mock_ecs
    def failing() -> None:
        run_instance(SdkCoreDriver())
        raise ValueError("the test failed")

    with pytest.raises(ValueError, match="the test failed"):
        failing()
    assert_restored()
    no_mock_answers()


# --- nesting and overlapping -----------------------------------------------------------------------
def test_nested_mocks_only_the_outermost_patches():
    with mock_ecs() as outer:
        patched = patch_points()
        run_instance(RequestsDriver())
        with mock_ecs() as inner:
            assert patch_points() == patched  # nothing patched twice
            assert mock_ecs.current() is inner
            assert describe_count() == 0  # the newest mock answers
            run_instance(RequestsDriver())
            run_instance(RequestsDriver())
            assert len(inner.ids("instances")) == 2
        assert patch_points() == patched
        assert mock_ecs.current() is outer
        assert describe_count() == 1  # the outer one still intercepts, with its own state
        assert len(outer.ids("instances")) == 1
    assert_restored()


@pytest.mark.parametrize("order", ["first-started-stops-first", "last-started-stops-first"])
def test_overlapping_start_stop(order):
    a, b = mock_ecs(), mock_ecs()
    a.start()
    run_instance(RequestsDriver())
    b.start()
    assert mock_ecs.current() is b and describe_count() == 0
    if order == "first-started-stops-first":
        a.stop()
        assert_patched()
        assert mock_ecs.current() is b and describe_count() == 0
        b.stop()
    else:
        b.stop()
        assert_patched()
        assert mock_ecs.current() is a and describe_count() == 1
        a.stop()
    assert_restored()
    no_mock_answers()


def test_stray_stops_are_harmless():
    never_started = mock_ecs()
    never_started.stop()
    assert_restored()
    a = mock_ecs()
    with mock_ecs() as outer:
        a.start()
        a.stop()
        a.stop()  # a second stop of the same mock
        never_started.stop()
        assert_patched()
        assert mock_ecs.current() is outer
        assert describe_count() == 0
    outer.stop()
    a.stop()
    assert_restored()
    no_mock_answers()
    # And interception comes back at the next start.
    with mock_ecs():
        assert describe_count() == 0


def test_requests_from_other_threads_reach_the_mock():
    with mock_ecs() as ecs:
        out: List[int] = []
        thread = threading.Thread(target=lambda: out.append(describe_count()))
        thread.start()
        thread.join()
        assert out == [0] and ecs.calls[-1].action == "DescribeInstances"


# --- the pytest plugin ---------------------------------------------------------------------------------
def test_ecs_mock_fixture(ecs_mock):
    assert isinstance(ecs_mock, MockEcs) and ecs_mock.active
    assert mock_ecs.current() is ecs_mock
    assert ecs_mock.settings.snapshot_quota == 64 and ecs_mock.settings.initialization_seconds == 3600
    assert describe_count() == 0
    instance_id, disk_id = ready_disk(RequestsDriver(), ecs_mock)
    assert ecs_mock.ids("instances") == [instance_id]


@pytest.mark.mock_ecs(snapshot_quota=1, initialization_seconds=0)
def test_marker_settings_reach_behaviour(ecs_mock):
    driver = RequestsDriver()
    disk_id = system_disk(driver, run_instance(driver))
    # initialization_seconds=0: no initialisation window at all.
    driver.call("CreateSnapshot", DiskId=disk_id)
    ecs_mock.advance_clock(60)
    expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot",
                 "The maximum number of snapshots is exceeded.", 403)


def test_default_settings_keep_the_window_and_quota(ecs_mock):
    driver = RequestsDriver()
    disk_id = system_disk(driver, run_instance(driver))
    expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "IncorrectDiskStatus.Initializing",
                 "The current disk status does not support this operation.", 403)
    ecs_mock.advance_clock(3599)
    expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "IncorrectDiskStatus.Initializing")
    ecs_mock.advance_clock(1)
    driver.call("CreateSnapshot", DiskId=disk_id)
    ecs_mock.advance_clock(60)
    driver.call("CreateSnapshot", DiskId=disk_id)
    assert len(snapshots_of(driver, disk_id)) == 2


def test_plugin_in_a_project_of_its_own(pytester):
    """A marker typo fails that test's setup; a conftest may override ``ecs_mock_settings``."""
    pytester.makepyfile(test_typo="""
        import pytest

        @pytest.mark.mock_ecs(snapshot_qouta=3)
        def test_typo(ecs_mock):
            assert ecs_mock is not None

        @pytest.mark.mock_ecs(snapshot_quota=3)
        def test_ok(ecs_mock):
            assert ecs_mock.settings.snapshot_quota == 3
            assert ecs_mock.settings.strict_access_keys is False
        """)
    sub = pytester.mkpydir("overridden")
    sub.joinpath("conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef ecs_mock_settings():\n"
        "    return {'snapshot_quota': 2, 'strict_access_keys': True}\n"
    )
    sub.joinpath("test_override.py").write_text(
        "import pytest\n\n"
        "def test_conftest_settings(ecs_mock):\n"
        "    assert ecs_mock.settings.snapshot_quota == 2\n"
        "    assert ecs_mock.settings.strict_access_keys is True\n\n"
        "@pytest.mark.mock_ecs(snapshot_quota=9)\n"
        "def test_marker_wins(ecs_mock):\n"
        "    assert ecs_mock.settings.snapshot_quota == 9\n"
        "    assert ecs_mock.settings.strict_access_keys is True\n"
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-p", "no:asyncio")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*TypeError: unknown mock_ecs setting(s): snapshot_qouta*"])


def test_plugin_registers_its_marker(pytestconfig):
    assert any(line.startswith("mock_ecs(**settings)") for line in pytestconfig.getini("markers"))


# --- settings -----------------------------------------------------------------------------------------
def test_unknown_setting_is_a_type_error():
    with pytest.raises(TypeError, match=r"unknown mock_ecs setting\(s\): snapshot_qouta"):
        mock_ecs(snapshot_qouta=3)
    with pytest.raises(TypeError, match="bogus"):
        MockEcs(bogus=True)
    with pytest.raises(TypeError):

        @mock_ecs(nope=1)
        def never() -> None:  # pragma: no cover
            raise AssertionError("never called")
    with pytest.raises(ValueError):
        mock_ecs(edition="future")
    assert_restored()


@mock_ecs(snapshot_quota=2, initialization_seconds=0, snapshot_min_seconds=5, snapshot_seconds_per_gib=0.1)
def test_settings_keywords_reach_behaviour():
    ecs = mock_ecs.current()
    driver = TeaDriver()
    disk_id = system_disk(driver, run_instance(driver))
    snap_id = driver.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    # max(5 s, 40 GiB x 0.1 s) = 5 s
    ecs.advance_clock(4)
    assert ecs.snapshot(snap_id)["Status"] == "progressing"
    ecs.advance_clock(1)
    assert ecs.snapshot(snap_id)["Status"] == "accomplished"
    driver.call("CreateSnapshot", DiskId=disk_id)
    ecs.advance_clock(5)
    expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot",
                 "The maximum number of snapshots is exceeded.", 403)


def test_edition_setting_changes_error_texts():
    with mock_ecs(edition="current", snapshot_quota=1, initialization_seconds=0):
        driver = RequestsDriver()
        disk_id = system_disk(driver, run_instance(driver))
        driver.call("CreateSnapshot", DiskId=disk_id)
        mock_ecs.current().advance_clock(60)
        expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot",
                     "The snapshot quota exceeds.", 403)


# --- control API ----------------------------------------------------------------------------------------
def test_advance_clock_and_now():
    with freeze_time("2026-01-02T03:04:05Z"), mock_ecs() as ecs:
        assert ecs.now() == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        ecs.advance_clock(3600.5)
        assert ecs.now() == datetime(2026, 1, 2, 4, 4, 5, 500000, tzinfo=timezone.utc)
        with pytest.raises(ValueError):
            ecs.advance_clock(-1)
        # The state follows the advanced clock: creation times are read from it.
        instance_id = run_instance(RequestsDriver())
        assert ecs.instance(instance_id)["CreationTime"] == "2026-01-02T04:04Z"


def test_clock_follows_freezegun_when_it_moves():
    with freeze_time("2026-01-02T03:04:05Z") as frozen, mock_ecs() as ecs:
        driver = RequestsDriver()
        disk_id = system_disk(driver, run_instance(driver))
        frozen.tick(3600)
        snap_id = driver.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
        assert ecs.snapshot(snap_id)["CreationTime"] == "2026-01-02T04:04:05Z"
        frozen.tick(30)
        assert ecs.snapshot(snap_id)["Progress"] == "50%"
        assert ecs.snapshot(snap_id)["RemainTime"] == 30


def test_calls_are_recorded():
    with mock_ecs() as ecs:
        driver = RequestsDriver()
        instance_id = run_instance(driver)
        expect_error(lambda: driver.call("CreateSnapshot", DiskId="d-bp1nosuchdisk0000000"),
                     "InvalidDiskId.NotFound")
        expect_error(lambda: driver.call("CreateSnapshot"), "MissingDiskId")
        calls = ecs.calls
        assert [type(c) for c in calls] == [Call] * 3
        first, second, third = calls
        assert (first.action, first.status, first.code, first.region_id) == ("RunInstances", 200, None, REGION)
        assert first.params["InstanceType"] == "ecs.g7.large" and first.params["RegionId"] == REGION
        assert "Signature" not in first.params and first.params["AccessKeyId"] == "LTAItestAccessKey"
        assert first.account_id == DEFAULT_ACCOUNT_ID
        assert (second.action, second.status, second.code) == ("CreateSnapshot", 404, "InvalidDiskId.NotFound")
        assert second.params["DiskId"] == "d-bp1nosuchdisk0000000"
        assert (third.action, third.status, third.code) == ("CreateSnapshot", 400, "MissingDiskId")
        assert len({c.request_id for c in calls}) == 3
        # A copy: changing it changes nothing.
        calls.clear()
        assert len(ecs.calls) == 3
        assert ecs.ids("instances") == [instance_id]


def test_ids_views_and_key_errors():
    with mock_ecs(initialization_seconds=0) as ecs:
        assert ecs.ids("instances") == ecs.ids("disks") == ecs.ids("snapshots") == ecs.ids("images") == []
        driver = RequestsDriver()
        instance_id = run_instance(driver)
        disk_id = system_disk(driver, instance_id)
        snap_id = driver.call("CreateSnapshot", DiskId=disk_id, SnapshotName="nightly")["SnapshotId"]
        assert ecs.ids("instances") == [instance_id]
        assert ecs.ids("disks") == [disk_id]
        assert ecs.ids("snapshots") == [snap_id]
        assert ecs.ids("snapshots", account_id="999") == []
        view = ecs.snapshot(snap_id)
        assert view == snapshots_of(driver, disk_id)[0] | {"RemainTime": view["RemainTime"]}
        assert (view["SnapshotId"], view["SnapshotName"], view["SourceDiskId"]) == (snap_id, "nightly", disk_id)
        assert (view["Status"], view["Progress"], view["RemainTime"]) == ("progressing", "0%", 60)
        ecs.advance_clock(60)
        assert (ecs.snapshot(snap_id)["Status"], ecs.snapshot(snap_id)["Progress"]) == ("accomplished", "100%")
        assert ecs.disk(disk_id)["DiskId"] == disk_id and ecs.disk(disk_id)["InstanceId"] == instance_id
        assert ecs.instance(instance_id)["Status"] == "Running"
        for getter, missing in ((ecs.snapshot, "s-bp1nosuchsnapshot000"), (ecs.disk, "d-bp1nosuchdisk0000000"),
                                (ecs.instance, "i-bp1nosuchinstance00"), (ecs.image, "m-bp1nosuchimage00000"),
                                (ecs.snapshot, disk_id), (ecs.disk, snap_id)):
            with pytest.raises(KeyError):
                getter(missing)
        with pytest.raises(KeyError):
            ecs.snapshot(snap_id, account_id="999")


def test_current():
    with pytest.raises(RuntimeError, match="no mock_ecs is active"):
        mock_ecs.current()
    assert mock_ecs.current == MockEcs.current
    with mock_ecs() as a:
        assert mock_ecs.current() is a and MockEcs.current() is a
        with mock_ecs() as b:
            assert mock_ecs.current() is b
        assert mock_ecs.current() is a
