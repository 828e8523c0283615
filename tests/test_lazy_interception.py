"""Lazy interception: a mock patches only the HTTP layers the process has imported, and patches
a layer imported later (while a mock is active) right after its module has run.

The process of the test suite has imported every layer already, so each scenario runs in a
fresh interpreter, under a guard that refuses (and records) every network use.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mock_ecs import mock as mock_module
from mock_ecs import mock_ecs
from mock_ecs.intercept import ImportHook, Interceptor

ROOT = Path(__file__).resolve().parent.parent

# Run first in every scenario: no name resolution, no connection (loopback included).
PRELUDE = '''
import socket, sys
attempts = []

def _refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network use in a lazy-interception scenario")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.getaddrinfo = _refuse
socket.create_connection = _refuse
LAYERS = ("aiohttp", "darabonba", "Tea", "responses", "requests")
REGION = "cn-hangzhou"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


def not_imported():
    return [name for name in LAYERS if name in sys.modules]


def signed(action, **params):
    import time, uuid
    return {"Action": action, "Version": "2014-05-26", "Format": "JSON", "AccessKeyId": "LTAIlazy",
            "Signature": "unchecked", "SignatureNonce": uuid.uuid4().hex, "RegionId": REGION,
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **params}


def sdkcore_call(client, action, **params):
    import importlib, json
    module = importlib.import_module(f"aliyunsdkecs.request.v20140526.{action}Request")
    req = getattr(module, f"{action}Request")()
    for key, value in params.items():
        req.add_query_param(key, str(value))
    return json.loads(client.do_action_with_exception(req))


def hooks():
    from mock_ecs.intercept import ImportHook
    return [finder for finder in sys.meta_path if isinstance(finder, ImportHook)]
'''


def run_scenario(body: str) -> None:
    """Run ``body`` after PRELUDE in a fresh interpreter; it must end without network use."""
    code = PRELUDE + textwrap.dedent(body) + '\nassert attempts == [], attempts\nprint("SCENARIO OK")\n'
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("SCENARIO OK"), out.stdout + out.stderr


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_aliyunsdkcore_only_process_imports_no_other_http_layer(when: str) -> None:
    """Imported before the mock or inside it, aliyunsdkcore is caught, and neither aiohttp,
    darabonba, Tea, responses nor the real requests is ever imported."""
    run_scenario(f'''
        if {when == "before"!r}:
            import aliyunsdkcore.client
        from mock_ecs import mock_ecs

        before = list(sys.meta_path)
        with mock_ecs() as ecs:
            from aliyunsdkcore.client import AcsClient
            import aliyunsdkcore.vendored.requests.adapters as adapters

            assert adapters.HTTPAdapter.send.__module__ == "mock_ecs.intercept"
            client = AcsClient("LTAIlazy", "secret", REGION, auto_retry=False)
            out = sdkcore_call(client, "RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")
            instance_id = out["InstanceIdSets"]["InstanceIdSet"][0]
            disks = sdkcore_call(client, "DescribeDisks", RegionId=REGION, InstanceId=instance_id)["Disks"]["Disk"]
            ecs.advance_clock(3600)
            snapshot_id = sdkcore_call(client, "CreateSnapshot", DiskId=disks[0]["DiskId"])["SnapshotId"]
            assert ecs.snapshot(snapshot_id)["SourceDiskId"] == disks[0]["DiskId"]
            assert [c.action for c in ecs.calls] == ["RunInstances", "DescribeDisks", "CreateSnapshot"]
        assert not_imported() == [], not_imported()
        # (aliyunsdkcore's vendored six adds finders of its own to sys.meta_path)
        assert hooks() == [] and sys.meta_path[:len(before)] == before
        assert adapters.HTTPAdapter.send.__module__ == "aliyunsdkcore.vendored.requests.adapters"
    ''')


def test_requests_imported_after_start_is_caught_through_responses() -> None:
    run_scenario('''
        from mock_ecs import mock_ecs

        with mock_ecs() as ecs:
            assert not_imported() == []
            import requests

            resp = requests.get("https://ecs.aliyuncs.com/", params=signed("DescribeSnapshots"))
            assert resp.status_code == 200 and resp.json()["TotalCount"] == 0, resp.text
            assert "responses" in sys.modules  # the interceptor of requests, imported with it
            assert requests.adapters.HTTPAdapter.send.__module__ != "requests.adapters"
            # Nothing of the hook stays on the module it watched.
            assert type(requests.__spec__.loader).__module__ != "mock_ecs.intercept"
            assert requests.__loader__ is requests.__spec__.loader
        assert len(ecs.calls) == 1 and "aiohttp" not in sys.modules and "darabonba" not in sys.modules
        import responses

        assert requests.adapters.HTTPAdapter.send.__module__ == "requests.adapters"
        assert responses.RequestsMock._on_request.__module__ == "responses"
        # Once stopped, an ECS URL goes to the (here refused) network: nothing answers it.
        refused = None
        try:
            requests.get("https://ecs.aliyuncs.com/", params=signed("DescribeSnapshots"))
        except requests.exceptions.ConnectionError as err:
            refused = err
        assert refused is not None, "answered after the last stop"
        assert attempts and len(ecs.calls) == 1
        attempts.clear()
    ''')


def test_the_tea_sdk_imported_after_start_is_caught_sync_and_async() -> None:
    run_scenario('''
        import asyncio
        from mock_ecs import mock_ecs

        with mock_ecs() as ecs:
            assert not_imported() == []
            from alibabacloud_ecs20140526 import models
            from alibabacloud_ecs20140526.client import Client
            from alibabacloud_tea_openapi import models as openapi

            client = Client(openapi.Config(access_key_id="LTAIlazy", access_key_secret="secret", region_id=REGION))
            request = models.DescribeSnapshotsRequest(region_id=REGION)
            assert client.describe_snapshots(request).body.total_count == 0
            assert asyncio.run(client.describe_snapshots_async(request)).body.total_count == 0
            assert [c.action for c in ecs.calls] == ["DescribeSnapshots", "DescribeSnapshots"]
        from darabonba.core import DaraCore
        import requests

        assert DaraCore.async_do_action.__module__ == "darabonba.core"
        assert requests.adapters.HTTPAdapter.send.__module__ == "requests.adapters"
        if "Tea.core" in sys.modules:
            from Tea.core import TeaCore
            assert TeaCore.async_do_action.__module__ == "Tea.core"
    ''')


def test_a_users_responses_imported_after_start_hands_ecs_urls_on() -> None:
    """responses imports requests: requests is patched once responses itself is complete."""
    run_scenario('''
        from mock_ecs import mock_ecs

        with mock_ecs() as ecs:
            import responses
            import requests

            with responses.RequestsMock() as user:
                user.add(responses.GET, "https://example.com/api", json={"user": "mock"})
                assert requests.get("https://example.com/api").json() == {"user": "mock"}
                resp = requests.get("https://ecs.aliyuncs.com/", params=signed("DescribeSnapshots"))
                assert resp.json()["TotalCount"] == 0, resp.text
            resp = requests.get("https://ecs.aliyuncs.com/", params=signed("DescribeSnapshots"))
            assert resp.json()["TotalCount"] == 0, resp.text
        assert len(ecs.calls) == 2
        assert requests.adapters.HTTPAdapter.send.__module__ == "requests.adapters"
        assert responses.RequestsMock._on_request.__module__ == "responses"
    ''')


def test_the_hook_goes_with_the_last_stop_and_later_imports_are_left_alone() -> None:
    run_scenario('''
        from mock_ecs import mock_ecs

        before = list(sys.meta_path)
        outer, inner = mock_ecs(), mock_ecs()
        outer.start()
        inner.start()
        assert len(hooks()) == 1 and sys.meta_path[1:] == before
        outer.stop()
        assert len(hooks()) == 1  # nested: only the last stop removes it
        inner.stop()
        assert sys.meta_path == before and hooks() == []

        import requests
        import aliyunsdkcore.vendored.requests.adapters as vendored
        from darabonba.core import DaraCore
        import responses

        assert requests.adapters.HTTPAdapter.send.__module__ == "requests.adapters"
        assert vendored.HTTPAdapter.send.__module__ == "aliyunsdkcore.vendored.requests.adapters"
        assert DaraCore.async_do_action.__module__ == "darabonba.core"
        assert responses.RequestsMock._on_request.__module__ == "responses"
    ''')


def test_layers_imported_by_other_threads_are_patched_once() -> None:
    """The hook patches in whichever thread completes the import: here several threads import
    the same layer at once (Python runs it once, the others wait), then each layer from a
    thread of its own, one after another (first imports of *different* packages racing in
    several threads can fail in Python itself, mock or no mock)."""
    run_scenario('''
        import threading
        from mock_ecs import mock_ecs
        from mock_ecs import mock as mock_module

        def in_threads(names):
            barrier = threading.Barrier(len(names))
            errors = []

            def load(name):
                barrier.wait()
                try:
                    __import__(name)
                except BaseException as err:
                    errors.append(err)

            threads = [threading.Thread(target=load, args=(name,)) for name in names]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == [], errors

        with mock_ecs() as ecs:
            in_threads(["requests"] * 8)
            for name in ("aliyunsdkcore.client", "alibabacloud_ecs20140526.client", "Tea.core"):
                in_threads([name])
            interceptor = mock_module._interceptor
            assert list(interceptor.mocks) == ["requests.adapters.HTTPAdapter.send"]
            cores = [core.__name__ for core, _ in interceptor._async_saved]
            assert sorted(cores) == sorted(set(cores)) and "DaraCore" in cores, cores
            import requests
            resp = requests.get("https://ecs.aliyuncs.com/", params=signed("DescribeSnapshots"))
            assert resp.json()["TotalCount"] == 0, resp.text
            from aliyunsdkcore.client import AcsClient
            assert sdkcore_call(AcsClient("LTAIlazy", "s", REGION, auto_retry=False), "DescribeSnapshots",
                                RegionId=REGION)["TotalCount"] == 0
            assert len(ecs.calls) == 2
        import aliyunsdkcore.vendored.requests.adapters as vendored
        from darabonba.core import DaraCore
        assert requests.adapters.HTTPAdapter.send.__module__ == "requests.adapters"
        assert vendored.HTTPAdapter.send.__module__ == "aliyunsdkcore.vendored.requests.adapters"
        assert DaraCore.async_do_action.__module__ == "darabonba.core"
    ''')


# --- in this process: the hook comes and goes with the patches ---------------------------------
def _hooks() -> Any:
    return [finder for finder in sys.meta_path if isinstance(finder, ImportHook)]


def test_the_hook_is_there_only_while_a_mock_is_active() -> None:
    before = list(sys.meta_path)
    with mock_ecs():
        assert len(_hooks()) == 1 and sys.meta_path[1:] == before
    assert sys.meta_path == before


def test_a_start_that_fails_part_way_leaves_no_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Interceptor) -> None:
        raise RuntimeError("patching the async stack failed")

    import darabonba.core  # noqa: F401  (the async layer is patched only once imported)

    before = list(sys.meta_path)
    monkeypatch.setattr(Interceptor, "_patch_async", broken)
    with pytest.raises(RuntimeError, match="async stack failed"):
        mock_ecs().start()
    assert sys.meta_path == before and mock_module._interceptor is None and not mock_module._stack


def test_the_hook_finds_nothing_itself() -> None:
    """Only a watched name gets a spec, the one the other finders give, with its loader wrapped."""
    seen = []
    hook = ImportHook(frozenset({"json"}), seen.append)
    assert hook.find_spec("csv") is None
    spec = hook.find_spec("json")
    assert spec is not None and spec.name == "json" and spec.origin.endswith("json/__init__.py")
    assert type(spec.loader).__name__ == "_Loader"
    assert seen == []  # nothing ran yet


def test_a_users_responses_mock_of_the_vendored_copy_hands_ecs_urls_on() -> None:
    """aliyunsdkcore's vendored requests is patched without responses; a user's own responses
    mock of it, started inside ours, still answers its URLs and hands ECS URLs to the mock."""
    import json

    import responses
    from aliyunsdkcore.vendored import requests as vendored

    from conftest import REGION, SdkCoreDriver, signed_params
    from mock_ecs.intercept import VENDORED_TARGET

    with mock_ecs() as ecs:
        with responses.RequestsMock(target=VENDORED_TARGET, assert_all_requests_are_fired=False) as user:
            user.add(responses.GET, "https://example.com/api", json={"user": "mock"})
            assert vendored.get("https://example.com/api").json() == {"user": "mock"}
            assert SdkCoreDriver().call("DescribeSnapshots", RegionId=REGION)["TotalCount"] == 0
            params = signed_params("DescribeSnapshots", {"RegionId": REGION})
            resp = vendored.get("https://ecs.aliyuncs.com/", params=params)
            assert (resp.status_code, json.loads(resp.content)["TotalCount"]) == (200, 0)
            assert len(user.calls) == 1
        assert [c.action for c in ecs.calls] == ["DescribeSnapshots"] * 2
