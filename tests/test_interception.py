"""Interception: every ECS host form is caught on every HTTP stack, other hosts are left alone,
and nothing ever reaches the network.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Dict, Iterator, List
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from conftest import (
    DRIVERS,
    IMAGE,
    REGION,
    ApiError,
    Driver,
    LibcloudDriver,
    RequestsDriver,
    SdkCoreDriver,
    TeaAsyncDriver,
    TeaDriver,
    expect_error,
    run_instance,
    signed_params,
    snapshots_of,
    system_disk,
)
from mock_ecs import mock_ecs
from mock_ecs.gateway import Gateway
from mock_ecs.wire import HttpRequest

NOT_FOUND_MSG = "Specified api is not found, please check your url and method."


def not_implemented_msg(action: str) -> str:
    return f"mock_ecs does not implement the ECS action {action!r} yet; no request left this machine."


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> List[HttpRequest]:
    """Every request the gateway receives (ECS and location service alike)."""
    log: List[HttpRequest] = []
    original = Gateway.handle

    def spy(self: Gateway, req: HttpRequest) -> Any:
        log.append(req)
        return original(self, req)

    monkeypatch.setattr(Gateway, "handle", spy)
    return log


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """Record and refuse every attempt to resolve a name or open a connection."""
    attempts: List[Any] = []

    def refuse(kind: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            attempts.append((kind, args[1:] if kind.startswith("socket.") else args))
            raise OSError(f"network use in a test: {kind} {args!r}")
        return fail

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    return attempts


# --- host forms ---------------------------------------------------------------------------
HOSTS = [
    # (base URL, HostId echoed, region the host names)
    ("http://ecs-cn-hangzhou.aliyuncs.com/", "ecs-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
    ("https://ecs-cn-hangzhou.aliyuncs.com/", "ecs-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
    ("https://ecs.cn-beijing.aliyuncs.com/", "ecs.cn-beijing.aliyuncs.com", "cn-beijing"),
    ("http://ecs.ap-southeast-1.aliyuncs.com/", "ecs.ap-southeast-1.aliyuncs.com", "ap-southeast-1"),
    ("https://ecs.me-central-1.aliyuncs.com/", "ecs.me-central-1.aliyuncs.com", "me-central-1"),
    ("https://ecs.aliyuncs.com/", "ecs.aliyuncs.com", None),
    ("http://ecs.aliyuncs.com/", "ecs.aliyuncs.com", None),
    ("https://ecs-vpc.cn-shanghai.aliyuncs.com/", "ecs-vpc.cn-shanghai.aliyuncs.com", "cn-shanghai"),
    ("http://ecs-vpc.eu-central-1.aliyuncs.com/", "ecs-vpc.eu-central-1.aliyuncs.com", "eu-central-1"),
    ("https://ecs.aliyuncs.com:443/", "ecs.aliyuncs.com", None),
    ("http://ecs-cn-hangzhou.aliyuncs.com:80/", "ecs-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
    ("https://ecs.cn-beijing.aliyuncs.com:8443/", "ecs.cn-beijing.aliyuncs.com", "cn-beijing"),
    ("http://ecs-vpc.cn-shanghai.aliyuncs.com:8080", "ecs-vpc.cn-shanghai.aliyuncs.com", "cn-shanghai"),
    ("https://ECS.CN-BEIJING.ALIYUNCS.COM/", "ecs.cn-beijing.aliyuncs.com", "cn-beijing"),
    ("https://ecs.aliyuncs.com./", "ecs.aliyuncs.com.", None),
]


@pytest.mark.parametrize("base,host_id,region", HOSTS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_ecs_host_form_is_caught(ecs, network_attempts, base, host_id, region, method):
    params = signed_params("CreateSnapshot", {"DiskId": "d-nosuchdisk"}, method=method)
    if method == "GET":
        resp = requests.get(base, params=params)
    else:
        resp = requests.post(base, data=params)
    assert resp.status_code == 404, resp.text
    body = resp.json()
    assert (body["Code"], body["HostId"]) == ("InvalidDiskId.NotFound", host_id)
    assert ecs.calls[-1].region_id == region
    # A call that names its region on such a host is answered too.
    params = signed_params("DescribeSnapshots", {"RegionId": region or REGION}, method=method)
    resp = requests.get(base, params=params) if method == "GET" else requests.post(base, data=params)
    assert resp.status_code == 200 and resp.json()["Snapshots"] == {"Snapshot": []}
    assert network_attempts == []


@pytest.mark.parametrize("base,host_id,region", HOSTS[:9])
def test_the_vendored_requests_of_aliyunsdkcore_is_caught(ecs, network_attempts, base, host_id, region):
    from aliyunsdkcore.vendored import requests as vendored

    resp = vendored.post(base + "?" + "&".join(
        f"{k}={requests.utils.quote(v, safe='')}"
        for k, v in signed_params("CreateSnapshot", {"DiskId": "d-nosuchdisk"}, method="POST").items()))
    assert resp.status_code == 404
    assert resp.json()["HostId"] == host_id
    assert ecs.calls[-1].region_id == region
    assert network_attempts == []


@pytest.mark.parametrize("endpoint,protocol", [
    ("ecs-cn-hangzhou.aliyuncs.com", "https"),
    ("ecs.cn-beijing.aliyuncs.com", "http"),
    ("ecs.aliyuncs.com", "https"),
    ("ecs-vpc.cn-shanghai.aliyuncs.com", "https"),
    ("ecs.aliyuncs.com:8443", "https"),
    ("ECS.CN-BEIJING.ALIYUNCS.COM", "https"),  # the async path sees the name as written
    ("ecs.aliyuncs.com.", "https"),
])
@pytest.mark.parametrize("driver_cls", [TeaDriver, TeaAsyncDriver])
def test_tea_sync_and_async_catch_every_endpoint(ecs, seen, network_attempts, driver_cls, endpoint, protocol):
    driver = driver_cls(endpoint=endpoint, protocol=protocol)
    assert driver.call("DescribeSnapshots", RegionId="cn-hangzhou")["Snapshots"] == {"Snapshot": []}
    assert seen[-1].url.lower().startswith(f"{protocol}://{endpoint}/".lower())
    assert network_attempts == []


def test_sdkcore_endpoint_forms(ecs, seen, network_attempts):
    driver = SdkCoreDriver()
    for endpoint in ("ecs-vpc.cn-shanghai.aliyuncs.com", "ecs.aliyuncs.com", "ecs.cn-beijing.aliyuncs.com"):
        req = driver.request("DescribeSnapshots", RegionId="cn-hangzhou")
        req.set_endpoint(endpoint)
        assert json.loads(driver.client.do_action_with_exception(req))["TotalCount"] == 0
        assert seen[-1].url.startswith(f"http://{endpoint}/?")
        assert seen[-1].method == "POST"
    assert network_attempts == []


# --- regions aliyunsdkcore does not bundle: the location service ------------------------------
def _bundled_ecs_regions() -> set:
    import aliyunsdkcore

    path = os.path.join(os.path.dirname(aliyunsdkcore.__file__), "data", "endpoints.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return set(data["regions"]) | set(data["regional_endpoints"].get("ecs", {}))


UNBUNDLED = ["me-central-1", "cn-wulanchabu", "ap-southeast-6"]


@pytest.mark.parametrize("region", UNBUNDLED)
def test_sdkcore_lands_an_unbundled_region_in_that_region(ecs, seen, network_attempts, region):
    from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

    assert region not in _bundled_ecs_regions()
    assert region not in RunInstancesRequest().endpoint_map
    driver = SdkCoreDriver(region=region)
    instance_id = run_instance(driver, RegionId=region)
    # aliyunsdkcore 2.16 builds ecs.<region>.aliyuncs.com itself for a region of a known family.
    assert seen[-1].url.startswith(f"http://ecs.{region}.aliyuncs.com/?")
    assert ecs.calls[-1].action == "RunInstances" and ecs.calls[-1].region_id == region
    assert instance_id.startswith("i-" + ecs.instance(instance_id)["InstanceId"][2:5])
    assert ecs.instance(instance_id)["RegionId"] == region
    assert ecs.instance(instance_id)["ZoneId"].startswith(region + "-")
    disks = driver.call("DescribeDisks", RegionId=region, InstanceId=instance_id)["Disks"]["Disk"]
    assert [ecs.disk(d["DiskId"])["RegionId"] for d in disks] == [region]
    assert network_attempts == []


@pytest.mark.parametrize("region", UNBUNDLED)
def test_sdkcore_location_service_resolver_gets_its_answer_from_the_mock(ecs, seen, network_attempts, region):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.endpoint.location_service_endpoint_resolver import LocationServiceEndpointResolver
    from aliyunsdkcore.endpoint.resolver_endpoint_request import ResolveEndpointRequest

    client = AcsClient("LTAItestAccessKey", "testSecret", region, auto_retry=False)
    resolver = LocationServiceEndpointResolver(client)
    endpoint = resolver.resolve(ResolveEndpointRequest(region, "Ecs", "ecs", "openAPI"))
    assert endpoint == f"ecs.{region}.aliyuncs.com"
    (asked,) = seen
    assert asked.url.startswith("https://location-readonly.aliyuncs.com/?")
    query = dict(parse_qsl(urlsplit(asked.url).query))
    assert {k: query[k] for k in ("Action", "Id", "ServiceCode", "Type", "Version")} == {
        "Action": "DescribeEndpoints", "Id": region, "ServiceCode": "ecs", "Type": "openAPI",
        "Version": "2015-06-12"}
    assert ecs.calls == []  # the location service is not an ECS call
    # The endpoint it found takes a call to the right region.
    driver = SdkCoreDriver(region=region)
    req = driver.request("RunInstances", RegionId=region, ImageId=IMAGE, InstanceType="ecs.g7.large")
    req.set_endpoint(endpoint)
    instance_id = json.loads(driver.client.do_action_with_exception(req))["InstanceIdSets"]["InstanceIdSet"][0]
    assert ecs.instance(instance_id)["RegionId"] == region
    assert network_attempts == []


def test_location_service_answers_describe_endpoints(ecs, network_attempts):
    for host in ("location-readonly.aliyuncs.com", "location.aliyuncs.com"):
        resp = requests.get(f"https://{host}/", params={
            "Action": "DescribeEndpoints", "Id": "me-central-1", "ServiceCode": "ecs", "Type": "openAPI",
            "Version": "2015-06-12"})
        assert resp.status_code == 200
        endpoint = resp.json()["Endpoints"]["Endpoint"][0]
        assert (endpoint["Endpoint"], endpoint["Id"]) == ("ecs.me-central-1.aliyuncs.com", "me-central-1")
    assert network_attempts == []


# --- hosts that are not ECS ---------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "https://oss-cn-hangzhou.aliyuncs.com/",
    "https://notecs.aliyuncs.com/",
    "https://ecs.aliyuncs.com.example.net/",
    "https://ecs.aliyuncs.co/",
    "https://example.com/?x=https://ecs.aliyuncs.com/",
])
def test_look_alike_hosts_are_not_answered(ecs, seen, network_attempts, url):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url)
    assert seen == []
    assert network_attempts and network_attempts[0][0] == "getaddrinfo"


class _Local(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        body = json.dumps({"RequestId": "LOCAL", "Snapshots": {"Snapshot": []}, "TotalCount": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Quiet: the test server writes no access log."""


@pytest.fixture
def local_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Local)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_loopback_traffic_passes_through_every_stack(ecs, seen, local_server):
    from aliyunsdkcore.vendored import requests as vendored

    assert requests.get(f"http://{local_server}/x").json()["RequestId"] == "LOCAL"
    assert vendored.get(f"http://{local_server}/x").json()["RequestId"] == "LOCAL"
    for cls in (TeaDriver, TeaAsyncDriver):
        out = cls(endpoint=local_server, protocol="http").call("DescribeSnapshots", RegionId=REGION)
        assert out["RequestId"] == "LOCAL"
    assert seen == []  # the mock answered none of them


def _ecs_calls_reach_the_mock() -> None:
    for driver in (RequestsDriver(), TeaDriver(), SdkCoreDriver(), LibcloudDriver()):
        assert driver.call("DescribeSnapshots", RegionId=REGION)["TotalCount"] in (0, "0")
    assert asyncio.run(_tea_async_describe())["TotalCount"] == 0
    assert [c.action for c in mock_ecs.current().calls] == ["DescribeSnapshots"] * 5


async def _tea_async_describe() -> Dict[str, Any]:
    from alibabacloud_tea_openapi import utils_models as um
    from darabonba.runtime import RuntimeOptions

    from conftest import _tea_params

    client = TeaDriver().client
    req = um.OpenApiRequest(query={"RegionId": REGION})
    return dict((await client.call_api_async(_tea_params("DescribeSnapshots"), req, RuntimeOptions()))["body"])


def _user_mock_works() -> None:
    responses.add(responses.GET, "https://example.com/api", json={"user": "mock"})
    assert requests.get("https://example.com/api").json() == {"user": "mock"}
    # An unregistered non-ECS URL is the user's mock's business: it refuses it.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://example.com/other")
    assert [c.request.url for c in responses.calls][:1] == ["https://example.com/api"]


@responses.activate
@mock_ecs
def test_user_responses_outside_mock_ecs():
    _user_mock_works()
    _ecs_calls_reach_the_mock()


@mock_ecs
@responses.activate
def test_user_responses_inside_mock_ecs():
    _user_mock_works()
    _ecs_calls_reach_the_mock()


def test_user_responses_started_inside_and_stopped_first_by_hand(network_attempts):
    user = responses.RequestsMock(assert_all_requests_are_fired=False)
    user.add(responses.GET, "https://example.com/api", json={"user": "mock"})
    original_send = requests.adapters.HTTPAdapter.send
    with mock_ecs() as ecs:
        user.start()  # inside ours
        assert requests.get("https://example.com/api").json() == {"user": "mock"}
        assert RequestsDriver().call("DescribeSnapshots", RegionId=REGION)["TotalCount"] == 0
        assert len(ecs.calls) == 1
        user.stop()
        user.reset()
        # Ours alone again: ECS still answered, example.com goes to the (blocked) network.
        assert RequestsDriver().call("DescribeSnapshots", RegionId=REGION)["TotalCount"] == 0
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get("https://example.com/api")
    assert requests.adapters.HTTPAdapter.send is original_send
    assert len(ecs.calls) == 2
    assert [kind for kind, _ in network_attempts] == ["getaddrinfo"]


def test_a_user_mock_inside_may_answer_an_ecs_url_itself():
    with mock_ecs() as ecs, responses.RequestsMock() as user:
        user.add(responses.GET, "https://ecs.aliyuncs.com/special", json={"from": "user"})
        assert requests.get("https://ecs.aliyuncs.com/special").json() == {"from": "user"}
        assert RequestsDriver().call("DescribeSnapshots", RegionId=REGION)["TotalCount"] == 0
        assert len(ecs.calls) == 1


# --- no network, whatever happens ------------------------------------------------------------------
def scenario(driver: Driver, ecs: Any) -> None:
    instance_id = run_instance(driver)
    disk_id = system_disk(driver, instance_id)
    expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "IncorrectDiskStatus.Initializing",
                 "The current disk status does not support this operation.", 403)
    ecs.advance_clock(3600)
    snap_id = driver.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    assert snapshots_of(driver, disk_id)[0]["Status"] == "progressing"
    ecs.advance_clock(60)
    snap = snapshots_of(driver, disk_id)[0]
    assert (snap["SnapshotId"], snap["Status"], snap["Progress"]) == (snap_id, "accomplished", "100%")


def test_full_scenario_never_touches_the_network(network_attempts):
    with mock_ecs() as ecs:
        for make in DRIVERS.values():
            scenario(make(), ecs)
        assert len(ecs.ids("snapshots")) == 5
    assert network_attempts == []


@pytest.mark.parametrize("name", list(DRIVERS))
def test_a_real_action_that_is_not_built_names_itself(ecs, network_attempts, name):
    err = expect_error(lambda: DRIVERS[name]().call("DescribeSecurityGroups"), "MockEcs.ActionNotImplemented",
                       not_implemented_msg("DescribeSecurityGroups"), 501)
    assert err.request_id == ecs.calls[-1].request_id
    assert (ecs.calls[-1].action, ecs.calls[-1].status) == ("DescribeSecurityGroups", 501)
    assert network_attempts == []


def test_not_built_actions_come_from_the_list_of_real_actions(ecs, network_attempts):
    from mock_ecs import router

    real = router.REAL_ACTIONS
    assert {"DescribeRegions", "CreateSecurityGroup", "DescribeZones"} <= real
    for action in ("CreateSecurityGroup", "DescribeSecurityGroups"):
        expect_error(lambda a=action: RequestsDriver().call(a, RegionId=REGION), "MockEcs.ActionNotImplemented",
                     not_implemented_msg(action), 501)
    # The built ones are real actions too.
    assert set(router.ACTIONS) <= real
    assert network_attempts == []


def _sdkcore_common(action: str) -> Dict[str, Any]:
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.request import CommonRequest

    driver = SdkCoreDriver()
    req = CommonRequest(domain="ecs-cn-hangzhou.aliyuncs.com", version="2014-05-26", action_name=action)
    req.add_query_param("RegionId", REGION)
    try:
        return json.loads(driver.client.do_action_with_exception(req))
    except ServerException as e:
        raise ApiError(e.get_error_code(), e.get_error_msg(), e.get_http_status(), e.get_request_id()) from None


@pytest.mark.parametrize("name", ["sdkcore", "tea", "tea_async", "requests", "libcloud"])
def test_a_made_up_action_is_invalid_action_not_found(ecs, network_attempts, name):
    def call() -> Any:
        if name == "sdkcore":
            return _sdkcore_common("DescribeUnicorns")
        return DRIVERS[name]().call("DescribeUnicorns", RegionId=REGION)

    err = expect_error(call, "InvalidAction.NotFound", NOT_FOUND_MSG, 404)
    assert err.request_id == ecs.calls[-1].request_id
    assert network_attempts == []


def test_sdkcore_common_request_reaches_the_mock(ecs):
    assert _sdkcore_common("DescribeSnapshots")["Snapshots"] == {"Snapshot": []}


def test_requests_without_any_mock_after_stop_are_not_answered(seen, network_attempts):
    with mock_ecs() as ecs:
        assert ecs.active
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://ecs.aliyuncs.com/", params=signed_params("DescribeSnapshots", {"RegionId": REGION}))
    assert seen == []
    assert network_attempts and network_attempts[0][0] == "getaddrinfo"


