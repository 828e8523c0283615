"""The Python clients end to end against the mock server, over loopback HTTP.

No in-process mock is active in these tests: every request really leaves the client, crosses
loopback and is answered by a ``ThreadedMockServer`` (the root conftest.py lets only loopback
through). Each client runs the CreateSnapshot scenario - the initialisation window refusal,
progressing, accomplished after the clock moves through the control endpoint
(POST /_mock_ecs/clock/advance), and InvalidDiskId.NotFound - and the test reads the client's
own parsed results and its own error objects.

- aliyunsdkcore: ``request.set_endpoint``; ``client.add_endpoint`` with ``AcsClient(port=...)``;
  and ``HTTP_PROXY`` with no code change (requests arrive in absolute form).
- the Tea SDK (alibabacloud-ecs20140526): ``Config(endpoint=..., protocol="http")``, V3 and
  ``signature_algorithm="v2"``, sync and ``*_async``.
- libcloud: ``ECSDriver(..., host="127.0.0.1", port=PORT, secure=False)``.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
import urllib.request
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from conftest import readme_snippet
from mock_ecs import MockEcs
from mock_ecs.server import ThreadedMockServer

pytest_plugins = ["pytester"]

REGION = "cn-hangzhou"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
INSTANCE_TYPE = "ecs.g7.large"
AK, SECRET = "LTAIserverAccessKey", "serverSecret"
MISSING_DISK = "d-bp1missing0000000000"
INITIALIZING = ("IncorrectDiskStatus.Initializing", "The current disk status does not support this operation.", 403)
NOT_FOUND = ("InvalidDiskId.NotFound", "The specified DiskId does not exist.", 404)
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
SNAPSHOT_ID = re.compile(r"^s-bp1[0-9a-z]{17}$")
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
              "NO_PROXY", "no_proxy")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedMockServer]:
    """A standalone server on a free loopback port; no in-process mock is active."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError):
        MockEcs.current()  # nothing is intercepted in-process: the requests must cross loopback
    with ThreadedMockServer(port=0) as srv:
        srv.handle.register_access_key(AK, SECRET)  # signatures are verified
        yield srv


def advance(srv: ThreadedMockServer, seconds: float) -> Dict[str, Any]:
    """POST /_mock_ecs/clock/advance, never through a proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(
        f"{srv.url}/_mock_ecs/clock/advance", data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with opener.open(req, timeout=10) as resp:
        assert resp.status == 200
        doc: Dict[str, Any] = json.load(resp)
        return doc


class Client:
    """One client's side of the scenario, written with that client's own API."""

    progressing: Any = "progressing"
    accomplished: Any = "accomplished"

    def run_instance(self) -> str:
        raise NotImplementedError

    def system_disk(self, instance_id: str) -> str:
        raise NotImplementedError

    def create_snapshot(self, disk_id: str) -> str:
        raise NotImplementedError

    def snapshots(self, disk_id: str) -> List[Tuple[str, Any, str]]:
        """(SnapshotId, status as the client gives it, Progress) of the disk's snapshots."""
        raise NotImplementedError

    def refused(self, fn: Callable[[], Any], code: str, message: str, status: int) -> str:
        """Assert ``fn`` fails with the client's own error object; answer its request ID."""
        raise NotImplementedError


def scenario(client: Client, srv: ThreadedMockServer) -> Dict[str, str]:
    instance_id = client.run_instance()
    disk_id = client.system_disk(instance_id)
    assert srv.handle.disk(disk_id)["InstanceId"] == instance_id

    code, message, status = INITIALIZING
    first = client.refused(lambda: client.create_snapshot(disk_id), code, message, status)
    assert first == srv.handle.calls[-1].request_id and srv.handle.calls[-1].code == code
    assert srv.handle.ids("snapshots") == []

    assert advance(srv, 3600)["offset"] == 3600
    snapshot_id = client.create_snapshot(disk_id)
    assert SNAPSHOT_ID.match(snapshot_id), snapshot_id
    assert client.snapshots(disk_id) == [(snapshot_id, client.progressing, "0%")]
    advance(srv, 30)
    assert client.snapshots(disk_id) == [(snapshot_id, client.progressing, "50%")]
    advance(srv, 30)  # the 40 GiB system disk's snapshot takes 60 s
    assert client.snapshots(disk_id) == [(snapshot_id, client.accomplished, "100%")]
    assert srv.handle.snapshot(snapshot_id)["Status"] == "accomplished"

    code, message, status = NOT_FOUND
    last = client.refused(lambda: client.create_snapshot(MISSING_DISK), code, message, status)
    assert last == srv.handle.calls[-1].request_id and srv.handle.calls[-1].code == code
    assert srv.handle.ids("snapshots") == [snapshot_id]
    assert {c.access_key_id for c in srv.handle.calls} == {AK}
    return {"instance": instance_id, "disk": disk_id, "snapshot": snapshot_id}


# --- aliyunsdkcore ----------------------------------------------------------------------------
class SdkCore(Client):
    """AcsClient and the aliyunsdkecs Request classes; results are the JSON bodies it returns."""

    def __init__(self, acs_client: Any, endpoint: Optional[str] = None) -> None:
        self.acs = acs_client
        self.endpoint = endpoint

    def do(self, req: Any) -> Dict[str, Any]:
        if self.endpoint is not None:
            req.set_endpoint(self.endpoint)
        out: Dict[str, Any] = json.loads(self.acs.do_action_with_exception(req))
        return out

    def run_instance(self) -> str:
        from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

        req = RunInstancesRequest()
        req.set_ImageId(IMAGE)
        req.set_InstanceType(INSTANCE_TYPE)
        ids: List[str] = self.do(req)["InstanceIdSets"]["InstanceIdSet"]
        assert len(ids) == 1
        return ids[0]

    def system_disk(self, instance_id: str) -> str:
        from aliyunsdkecs.request.v20140526.DescribeDisksRequest import DescribeDisksRequest

        req = DescribeDisksRequest()
        req.set_InstanceId(instance_id)
        disks = self.do(req)["Disks"]["Disk"]
        return next(str(d["DiskId"]) for d in disks if d["Type"] == "system")

    def create_snapshot(self, disk_id: str) -> str:
        from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest

        req = CreateSnapshotRequest()
        req.set_DiskId(disk_id)
        out = self.do(req)
        assert sorted(out) == ["RequestId", "SnapshotId"]
        return str(out["SnapshotId"])

    def snapshots(self, disk_id: str) -> List[Tuple[str, Any, str]]:
        from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest

        req = DescribeSnapshotsRequest()
        req.set_DiskId(disk_id)
        return [(s["SnapshotId"], s["Status"], s["Progress"]) for s in self.do(req)["Snapshots"]["Snapshot"]]

    def refused(self, fn: Callable[[], Any], code: str, message: str, status: int) -> str:
        from aliyunsdkcore.acs_exception.exceptions import ServerException

        with pytest.raises(ServerException) as info:
            fn()
        err = info.value
        assert (err.get_error_code(), err.get_error_msg(), err.get_http_status()) == (code, message, status)
        request_id: str = err.get_request_id()
        assert REQUEST_ID.match(request_id)
        return request_id


def test_aliyunsdkcore_request_set_endpoint(server):
    from aliyunsdkcore.client import AcsClient

    acs = AcsClient(AK, SECRET, REGION, auto_retry=False)
    scenario(SdkCore(acs, endpoint=server.endpoint), server)
    assert {c.host for c in server.handle.calls} == {server.endpoint}
    assert all(c.params["RegionId"] == REGION for c in server.handle.calls)


def test_aliyunsdkcore_add_endpoint_and_port(server):
    from aliyunsdkcore.client import AcsClient

    acs = AcsClient(AK, SECRET, REGION, auto_retry=False, port=server.port)
    acs.add_endpoint(REGION, "Ecs", "127.0.0.1")
    scenario(SdkCore(acs), server)
    assert {c.host for c in server.handle.calls} == {server.endpoint}


def test_aliyunsdkcore_through_http_proxy(server, monkeypatch):
    """HTTP_PROXY=http://127.0.0.1:PORT and no code change: the real host, in absolute form."""
    from aliyunsdkcore.client import AcsClient

    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.setenv("http_proxy", server.url)
    acs = AcsClient(AK, SECRET, REGION)  # exactly as in production code
    scenario(SdkCore(acs), server)
    assert {c.host for c in server.handle.calls} == {"ecs-cn-hangzhou.aliyuncs.com"}
    assert {c.region_id for c in server.handle.calls} == {REGION}


# --- the Tea SDK ----------------------------------------------------------------------------------
class Tea(Client):
    """alibabacloud-ecs20140526's typed Client and models, sync or ``*_async``."""

    def __init__(self, endpoint: str, use_async: bool, **config: Any) -> None:
        from alibabacloud_ecs20140526.client import Client as EcsClient
        from alibabacloud_tea_openapi import models as open_api_models

        self.client = EcsClient(open_api_models.Config(
            access_key_id=AK, access_key_secret=SECRET, region_id=REGION,
            endpoint=endpoint, protocol="http", **config,
        ))
        self.use_async = use_async

    def do(self, method: str, request: Any) -> Any:
        if self.use_async:
            resp = asyncio.run(getattr(self.client, method + "_async")(request))
        else:
            resp = getattr(self.client, method)(request)
        assert resp.status_code == 200
        return resp.body

    def run_instance(self) -> str:
        from alibabacloud_ecs20140526 import models

        body = self.do("run_instances", models.RunInstancesRequest(
            region_id=REGION, image_id=IMAGE, instance_type=INSTANCE_TYPE))
        ids: List[str] = body.instance_id_sets.instance_id_set
        assert len(ids) == 1
        return ids[0]

    def system_disk(self, instance_id: str) -> str:
        from alibabacloud_ecs20140526 import models

        body = self.do("describe_disks", models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id))
        return next(str(d.disk_id) for d in body.disks.disk if d.type == "system")

    def create_snapshot(self, disk_id: str) -> str:
        from alibabacloud_ecs20140526 import models

        body = self.do("create_snapshot", models.CreateSnapshotRequest(disk_id=disk_id))
        assert isinstance(body, models.CreateSnapshotResponseBody) and REQUEST_ID.match(body.request_id)
        return str(body.snapshot_id)

    def snapshots(self, disk_id: str) -> List[Tuple[str, Any, str]]:
        from alibabacloud_ecs20140526 import models

        body = self.do("describe_snapshots", models.DescribeSnapshotsRequest(region_id=REGION, disk_id=disk_id))
        return [(s.snapshot_id, s.status, s.progress) for s in body.snapshots.snapshot]

    def refused(self, fn: Callable[[], Any], code: str, message: str, status: int) -> str:
        from alibabacloud_tea_openapi.exceptions import ClientException

        with pytest.raises(ClientException) as info:
            fn()
        err = info.value
        assert (err.code, err.status_code) == (code, status)
        assert REQUEST_ID.match(err.request_id)
        assert err.message == f"code: {status}, {message} request id: {err.request_id}"
        assert (err.data["Code"], err.data["Message"], err.data["RequestId"]) == (code, message, err.request_id)
        request_id: str = err.request_id
        return request_id


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("signature", ["V3", "v2"])
def test_tea_sdk_endpoint_override(server, signature, use_async):
    config = {"signature_algorithm": "v2"} if signature == "v2" else {}
    scenario(Tea(server.endpoint, use_async, **config), server)
    calls = server.handle.calls
    assert {c.host for c in calls} == {server.endpoint}
    assert {c.method for c in calls} == {"POST"}
    create = next(c for c in calls if c.action == "CreateSnapshot")
    if signature == "V3":  # action and signature in headers, nothing of them in the query
        assert "Action" not in create.params and "Signature" not in create.params
    else:
        assert create.params["Format"] == "json" and create.params["SignatureMethod"] == "HMAC-SHA1"
    assert "RegionId" not in create.params  # the region comes from the disk ID


# --- libcloud -----------------------------------------------------------------------------------
class Libcloud(Client):
    """libcloud's ECSDriver: Node, StorageVolume and VolumeSnapshot objects, BaseHTTPError."""

    def __init__(self, port: int) -> None:
        from libcloud.compute.providers import get_driver
        from libcloud.compute.types import Provider, VolumeSnapshotState

        self.driver = get_driver(Provider.ALIYUN_ECS)(AK, SECRET, region=REGION, host="127.0.0.1", port=port,
                                                      secure=False)
        self.progressing = VolumeSnapshotState.CREATING
        self.accomplished = VolumeSnapshotState.AVAILABLE
        self.volumes: Dict[str, Any] = {}

    def run_instance(self) -> str:
        from libcloud.compute.base import NodeImage, NodeSize
        from libcloud.compute.types import NodeState

        # CreateInstance, DescribeInstances, StartInstance, then it waits until Running.
        node = self.driver.create_node(
            "server-clients", NodeSize(INSTANCE_TYPE, INSTANCE_TYPE, None, None, None, None, self.driver),
            NodeImage(IMAGE, IMAGE, self.driver), ex_security_group_id="sg-bp1serverclients00000",
        )
        (running,) = self.driver.list_nodes(ex_node_ids=[node.id])
        assert running.state == NodeState.RUNNING
        return str(node.id)

    def system_disk(self, instance_id: str) -> str:
        volumes = self.driver.list_volumes(ex_filters={"InstanceId": instance_id})
        system = next(v for v in volumes if v.extra["type"] == "system")
        assert system.size == 40 and system.extra["instance_id"] == instance_id
        self.volumes[system.id] = system
        return str(system.id)

    def volume(self, disk_id: str) -> Any:
        from libcloud.compute.base import StorageVolume

        return self.volumes.get(disk_id) or StorageVolume(disk_id, None, 40, self.driver)

    def create_snapshot(self, disk_id: str) -> str:
        # CreateSnapshot, then DescribeSnapshots with SnapshotIds: a VolumeSnapshot.
        snapshot = self.driver.create_volume_snapshot(self.volume(disk_id))
        assert snapshot.state == self.progressing and snapshot.extra["source_disk_id"] == disk_id
        return str(snapshot.id)

    def snapshots(self, disk_id: str) -> List[Tuple[str, Any, str]]:
        return [(s.id, s.state, s.extra["progress"]) for s in self.driver.list_volume_snapshots(self.volume(disk_id))]

    def refused(self, fn: Callable[[], Any], code: str, message: str, status: int) -> str:
        from libcloud.common.exceptions import BaseHTTPError

        with pytest.raises(BaseHTTPError) as info:
            fn()
        err = info.value
        assert err.code == status
        # libcloud keeps the parsed XML error as the str() of a dict.
        detail = err.message if isinstance(err.message, dict) else ast.literal_eval(err.message)
        assert (detail["code"], detail["message"]) == (code, message)
        request_id: str = detail["request_id"]
        assert REQUEST_ID.match(request_id)
        return request_id


def test_libcloud_host_and_port(server, monkeypatch):
    import libcloud.compute.drivers.ecs as ecs_driver

    def no_waiting(seconds: float) -> None:
        raise AssertionError(f"libcloud waited {seconds} s: the instance was not Running at once")

    monkeypatch.setattr(ecs_driver.time, "sleep", no_waiting)
    scenario(Libcloud(server.port), server)
    calls = server.handle.calls
    assert {c.host for c in calls} == {server.endpoint}
    assert {c.method for c in calls} == {"GET"} and {c.params["Format"] for c in calls} == {"XML"}
    assert [c.action for c in calls][:3] == ["CreateInstance", "DescribeInstances", "StartInstance"]


def test_libcloud_catalogue_reboot_and_copy_image(server, monkeypatch):
    """The driver's other calls over loopback: list_locations, ex_list_zones, list_sizes
    (DescribeRegions, DescribeZones, DescribeInstanceTypes), reboot_node and copy_image."""
    import libcloud.compute.drivers.ecs as ecs_driver
    from libcloud.compute.types import NodeState

    monkeypatch.setattr(ecs_driver.time, "sleep", lambda seconds: advance(server, seconds))
    client = Libcloud(server.port)
    driver = client.driver
    locations = {loc.id: loc for loc in driver.list_locations()}
    assert REGION in locations and locations[REGION].driver is driver
    zones = driver.ex_list_zones()
    assert zones and all(z.id.startswith(REGION + "-") for z in zones)
    assert all(INSTANCE_TYPE in z.available_instance_types for z in zones)
    assert all("cloud_essd" in z.available_disk_categories for z in zones)
    sizes = {s.id: s for s in driver.list_sizes()}
    assert (sizes[INSTANCE_TYPE].ram, sizes[INSTANCE_TYPE].extra["cpu_core_count"]) == (8.0, 2)

    node_id = client.run_instance()
    (node,) = driver.list_nodes(ex_node_ids=[node_id])
    assert driver.reboot_node(node) is True
    (node,) = driver.list_nodes(ex_node_ids=[node_id])
    assert node.state == NodeState.RUNNING

    advance(server, 3600)  # past the system disk's initialisation
    snapshot = driver.create_volume_snapshot(client.volume(client.system_disk(node_id)))
    advance(server, 3600)
    image = driver.create_image(node, "golden", description="for copying", ex_snapshot_id=snapshot.id)
    advance(server, 3600)
    (image,) = [i for i in driver.list_images(ex_filters={"ImageOwnerAlias": "self"}) if i.id == image.id]
    copy = driver.copy_image(source_region=REGION, node_image=image, name="golden-copy", description="copied")
    assert copy.id != image.id and copy.name == "golden-copy"
    assert server.handle.image(copy.id)["Description"] == "copied"
    sent = [c.action for c in server.handle.calls]
    for action in ("DescribeRegions", "DescribeZones", "DescribeInstanceTypes", "RebootInstance", "CopyImage"):
        assert action in sent
    assert {c.status for c in server.handle.calls} == {200}


# --- the plugin's fixtures ----------------------------------------------------------------------


def test_ecs_server_fixture_shares_the_handle_and_stops(pytester: pytest.Pytester) -> None:
    """``ecs_server`` (URL) and ``ecs_mock_server`` (object) in a project of its own."""
    pytester.makepyfile(test_uses_server="""
        import json
        import urllib.error
        import urllib.request

        from aliyunsdkcore.acs_exception.exceptions import ServerException
        from aliyunsdkcore.client import AcsClient
        from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
        from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

        import pytest

        SEEN = {}
        NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        @pytest.fixture(autouse=True)
        def the_server_was_stopped():
            yield  # an autouse fixture is set up first, so torn down after ecs_server
            try:
                NO_PROXY.open(SEEN["url"] + "/_mock_ecs/clock", timeout=5)
            except urllib.error.URLError as err:
                assert isinstance(err.reason, ConnectionRefusedError), err
            else:
                raise AssertionError("the server still answers after its test")

        def test_state_is_shared_both_ways(ecs_server, ecs_mock_server, ecs_mock):
            assert ecs_server == ecs_mock_server.url and ecs_server.startswith("http://127.0.0.1:")
            assert ecs_mock_server.handle is ecs_mock
            SEEN["url"] = ecs_server
            acs = AcsClient("LTAIplugin", "secret", "cn-hangzhou", auto_retry=False)
            req = RunInstancesRequest()
            req.set_ImageId("ubuntu_22_04_x64_20G_alibase_20240130.vhd")
            req.set_InstanceType("ecs.g7.large")
            req.set_endpoint(ecs_mock_server.endpoint)
            (instance_id,) = json.loads(acs.do_action_with_exception(req))["InstanceIdSets"]["InstanceIdSet"]
            assert ecs_mock.ids("instances") == [instance_id]  # made over HTTP, seen by the handle
            assert [c.host for c in ecs_mock.calls] == [ecs_mock_server.endpoint]
            ecs_mock.advance_clock(90)  # moved by the handle, seen over HTTP
            with NO_PROXY.open(ecs_server + "/_mock_ecs/clock", timeout=10) as resp:
                assert json.load(resp)["offset"] == 90
            req = CreateSnapshotRequest()
            req.set_DiskId("d-bp1missing0000000000")
            req.set_endpoint(ecs_mock_server.endpoint)
            try:
                acs.do_action_with_exception(req)
            except ServerException as err:
                assert (err.get_error_code(), err.get_http_status()) == ("InvalidDiskId.NotFound", 404)
            else:
                raise AssertionError("no error")
    """)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-p", "no:asyncio")
    result.assert_outcomes(passed=1)  # and no error: the server was stopped at the test's end


# --- the README's "From any language" snippets are real code ------------------------------------


PYTHON_SNIPPETS = {
    "aliyunsdkcore": ["IncorrectDiskStatus.Initializing 403", "progressing", "accomplished"],
    "Tea SDK": ["IncorrectDiskStatus.Initializing 403", "progressing", "accomplished"],
    "libcloud": [
        "403 {'code': 'IncorrectDiskStatus.Initializing', 'message': 'The current disk status does not support "
        "this operation.', 'request_id': '<id>', 'host_id': '127.0.0.1'}",
        "creating 0%",
        "available",
    ],
    "HTTP_PROXY": ["InvalidDiskId.NotFound 404"],
}


@pytest.mark.parametrize("marker", list(PYTHON_SNIPPETS))
def test_readme_python_snippet_runs(marker, server, monkeypatch, capsys):
    import libcloud.compute.drivers.ecs as ecs_driver

    code = readme_snippet(marker).replace("8080", str(server.port))
    if marker == "HTTP_PROXY":
        monkeypatch.setenv("HTTP_PROXY", server.url)  # as `HTTP_PROXY=http://127.0.0.1:8080 python3 ...`
    monkeypatch.setattr(ecs_driver.time, "sleep", lambda s: pytest.fail(f"libcloud waited {s} s"))
    exec(compile(code, f"README {marker}", "exec"), {"__name__": "readme_snippet"})
    out = capsys.readouterr().out
    out = re.sub(r"'request_id': '[0-9A-F-]{36}'", "'request_id': '<id>'", out)
    assert out.splitlines() == PYTHON_SNIPPETS[marker]
    hosts = {c.host for c in server.handle.calls}
    assert hosts == ({"ecs-cn-hangzhou.aliyuncs.com"} if marker == "HTTP_PROXY" else {server.endpoint})


# --- the `client` fixture's server transport (tests/conftest.py) ---------------------------------
def test_client_fixture_transports(request, client, ecs):
    """``[sdkcore]``/``[tea]`` are caught in-process; ``[...@server]`` cross loopback to the test server."""
    client.call("DescribeSnapshots", RegionId=REGION)
    (call,) = ecs.calls
    if request.node.callspec.params["client"].endswith("@server"):
        server = request.getfixturevalue("ecs_test_server")
        assert call.host == server.endpoint
    else:
        assert call.host.endswith(".aliyuncs.com")
