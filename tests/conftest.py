"""Drivers that run one API call through each real client, and shared scenario helpers.

Every driver answers a dict (the parsed success body) or raises ``ApiError`` built from the
client's *own* error object, so one scenario can run through every client unchanged.

Two transports, one suite: the ``client`` fixture runs each behaviour test in-process
(``[sdkcore]``, ``[tea]``: the real clients' requests are caught before the network) and
against the server (``[sdkcore@server]``, ``[tea@server]``: the same clients pointed at a
``ThreadedMockServer`` on loopback with their endpoint override). A test marked
``@pytest.mark.in_process`` runs in-process only.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import hashlib
import hmac
import importlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple
from urllib.parse import quote

import pytest
import requests
import xmltodict

from mock_ecs import MockEcs
from mock_ecs.server import ThreadedMockServer

REGION = "cn-hangzhou"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
AK, SECRET = "LTAItestAccessKey", "testSecret"


@dataclass
class ApiError(Exception):
    code: str
    message: str
    status: int
    request_id: str

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


class Driver:
    name = "base"

    def call(self, action: str, **params: Any) -> Dict[str, Any]:
        raise NotImplementedError


def _flat(params: Dict[str, Any]) -> Dict[str, str]:
    out = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out


class SdkCoreDriver(Driver):
    """aliyun-python-sdk-core with the action's own aliyunsdkecs Request class.

    ``endpoint="127.0.0.1:PORT"`` sends every request to a mock server (``request.set_endpoint``).
    """

    name = "sdkcore"

    def __init__(self, region: str = REGION, ak: str = AK, secret: str = SECRET, endpoint: Optional[str] = None,
                 **client_kw: Any) -> None:
        from aliyunsdkcore.client import AcsClient

        client_kw.setdefault("auto_retry", False)
        self.client = AcsClient(ak, secret, region, **client_kw)
        self.endpoint = endpoint

    def request(self, action: str, **params: Any) -> Any:
        module = importlib.import_module(f"aliyunsdkecs.request.v20140526.{action}Request")
        req = getattr(module, f"{action}Request")()
        for k, v in _flat(params).items():
            req.add_query_param(k, v)
        if self.endpoint is not None:
            req.set_endpoint(self.endpoint)
            req.set_protocol_type("http")  # the newer classes ask for https (the server is plain HTTP)
        return req

    def call(self, action: str, **params: Any) -> Dict[str, Any]:
        from aliyunsdkcore.acs_exception.exceptions import ServerException

        try:
            raw = self.client.do_action_with_exception(self.request(action, **params))
        except ServerException as e:
            raise ApiError(e.get_error_code(), e.get_error_msg(), e.get_http_status(), e.get_request_id()) from None
        return json.loads(raw)


def _tea_params(action: str) -> Any:
    from alibabacloud_tea_openapi import utils_models as um

    return um.Params(
        action=action, version="2014-05-26", protocol="HTTPS", pathname="/", method="POST",
        auth_type="AK", style="RPC", req_body_type="formData", body_type="json",
    )


class TeaDriver(Driver):
    """alibabacloud-ecs20140526 (Tea/darabonba), V3 signatures, through the client's call_api.

    ``endpoint="127.0.0.1:PORT", protocol="http"`` (Config fields) send every request to a mock server.
    """

    name = "tea"
    use_async = False

    def __init__(self, region: str = REGION, ak: str = AK, secret: str = SECRET, **config_kw: Any) -> None:
        from alibabacloud_ecs20140526.client import Client
        from alibabacloud_tea_openapi import models as om

        self.client = Client(om.Config(access_key_id=ak, access_key_secret=secret, region_id=region, **config_kw))

    def call(self, action: str, **params: Any) -> Dict[str, Any]:
        from alibabacloud_tea_openapi import utils_models as um
        from darabonba.runtime import RuntimeOptions

        req = um.OpenApiRequest(query=_flat(params))
        try:
            if self.use_async:
                out = asyncio.run(self.client.call_api_async(_tea_params(action), req, RuntimeOptions()))
            else:
                out = self.client.call_api(_tea_params(action), req, RuntimeOptions())
        except Exception as e:  # darabonba ClientException / ServerException
            data = getattr(e, "data", None) or {}
            if not hasattr(e, "code"):
                raise
            raise ApiError(e.code, data.get("Message", ""), getattr(e, "status_code", 0) or data.get("statusCode", 0),
                           getattr(e, "request_id", "") or data.get("RequestId", "")) from None
        return dict(out["body"])


class TeaAsyncDriver(TeaDriver):
    name = "tea_async"
    use_async = True


def percent(text: str) -> str:
    return quote(text, safe="~")


def sign_rpc(params: Dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    sts = f"{method}&%2F&{percent(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), sts.encode(), hashlib.sha1).digest()).decode()


def signed_params(action: str, params: Dict[str, Any], fmt: str = "JSON", ak: str = AK, secret: str = SECRET,
                  method: str = "GET") -> Dict[str, str]:
    full = {
        "Action": action, "Version": "2014-05-26", "Format": fmt, "AccessKeyId": ak,
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **_flat(params),
    }
    full["Signature"] = sign_rpc(full, secret, method)
    return full


class RequestsDriver(Driver):
    """Plain ``requests`` with a hand-signed RPC v1 GET URL (JSON)."""

    name = "requests"

    def __init__(self, region: str = REGION, ak: str = AK, secret: str = SECRET) -> None:
        self.host = f"https://ecs.{region}.aliyuncs.com/"
        self.ak, self.secret = ak, secret

    def call(self, action: str, **params: Any) -> Dict[str, Any]:
        resp = requests.get(self.host, params=signed_params(action, params, ak=self.ak, secret=self.secret))
        body = resp.json()
        if resp.status_code >= 400:
            raise ApiError(body["Code"], body["Message"], resp.status_code, body["RequestId"])
        return body


# Element names that are list items in ECS responses (XML has no other way to say so).
XML_LIST_ITEMS = (
    "Snapshot", "Disk", "Instance", "Image", "Tag", "InstanceIdSet", "LockReason", "OperationLock",
    "SecurityGroupId", "IpAddress", "DiskDeviceMapping", "MountInstance",
)


class LibcloudDriver(Driver):
    """apache-libcloud's ECS connection (central host, GET, Format=XML), parsed from XML."""

    name = "libcloud"

    def __init__(self, region: str = REGION, ak: str = AK, secret: str = SECRET) -> None:
        from libcloud.compute.providers import get_driver
        from libcloud.compute.types import Provider

        self.driver = get_driver(Provider.ALIYUN_ECS)(ak, secret, region=region)

    def call(self, action: str, **params: Any) -> Dict[str, Any]:
        from libcloud.common.exceptions import BaseHTTPError

        try:
            resp = self.driver.connection.request("/", params={"Action": action, **_flat(params)})
        except BaseHTTPError as e:
            # libcloud stringifies its error dict; read it back as the user would.
            info = e.message if isinstance(e.message, dict) else ast.literal_eval(e.message)
            raise ApiError(info.get("code", ""), info.get("message", ""), e.code, info.get("request_id", "")) from None
        root = resp.object  # an ElementTree element
        import xml.etree.ElementTree as ET

        doc = xmltodict.parse(ET.tostring(root), force_list=XML_LIST_ITEMS)
        return dict(next(iter(doc.values())) or {})


DRIVERS: Dict[str, Callable[..., Driver]] = {
    "sdkcore": SdkCoreDriver,
    "tea": TeaDriver,
    "tea_async": TeaAsyncDriver,
    "requests": RequestsDriver,
    "libcloud": LibcloudDriver,
}


@pytest.fixture
def ecs() -> Iterator[MockEcs]:
    """An active mock with the default settings (like the plugin's ecs_mock)."""
    with MockEcs() as handle:
        yield handle


# --- transports: in-process and server ------------------------------------------------------
CLIENTS = ("sdkcore", "tea")
SERVER = "@server"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "in_process: run the test's `client` in-process only (not also against the server)")
    config.addinivalue_line(
        "markers", "tools: third-party tools (ansible-playbook) run as processes against `mock-ecs serve`")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``client``: each client in-process, then each client against the server."""
    if "client" not in metafunc.fixturenames:
        return
    params = list(CLIENTS)
    if metafunc.definition.get_closest_marker("in_process") is None:
        params += [name + SERVER for name in CLIENTS]
    metafunc.parametrize("client", params, indirect=True)


class _NewestMock:
    """Stands in for a MockEcs handle in the test server: every request (control API included) is
    answered by the newest active mock, as caught requests are in-process. With only the ``ecs``
    fixture active that is ``ecs`` itself; a test that starts its own ``MockEcs(...)`` inside it
    is served by that one.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(MockEcs.current(), name)


@pytest.fixture(scope="session")
def ecs_test_server() -> Iterator[ThreadedMockServer]:
    """One loopback server for the session, serving the state of the active mock (``ecs``)."""
    with ThreadedMockServer(handle=_NewestMock()) as server:  # type: ignore[arg-type]
        yield server


@pytest.fixture
def client(request: pytest.FixtureRequest, ecs: MockEcs) -> Driver:
    """Every scenario runs through aliyunsdkcore and the Tea SDK (sync), in-process and over HTTP.

    ``name@server``: the same client with its endpoint override pointed at the test server, which
    shares ``ecs``'s state; the in-process interception stays active for everything else.
    """
    name, _, transport = request.param.partition("@")
    if not transport:
        return DRIVERS[name]()
    server: ThreadedMockServer = request.getfixturevalue("ecs_test_server")
    if name == "tea":
        return TeaDriver(endpoint=server.endpoint, protocol="http")
    return SdkCoreDriver(endpoint=server.endpoint)


@pytest.fixture(params=list(DRIVERS))
def any_client(request: pytest.FixtureRequest, ecs: MockEcs) -> Driver:
    """Representative scenarios run through all five clients."""
    return DRIVERS[request.param]()


def expect_error(fn: Callable[[], Any], code: str, message: Optional[str] = None,
                 status: Optional[int] = None) -> ApiError:
    """Run ``fn`` and assert it fails with exactly this code (and message and status)."""
    with pytest.raises(ApiError) as info:
        fn()
    err = info.value
    assert err.code == code, str(err)
    if message is not None:
        assert err.message == message, str(err)
    if status is not None:
        assert err.status == status, str(err)
    return err


# --- scenario helpers -------------------------------------------------------------------
def run_instance(client: Driver, **extra: Any) -> str:
    params = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", **extra}
    out = client.call("RunInstances", **params)
    ids = out["InstanceIdSets"]["InstanceIdSet"]
    return ids[0] if isinstance(ids, list) else ids


def disks_of(client: Driver, instance_id: str) -> list:
    out = client.call("DescribeDisks", RegionId=REGION, InstanceId=instance_id)
    return out["Disks"]["Disk"]


def system_disk(client: Driver, instance_id: str) -> str:
    return next(d["DiskId"] for d in disks_of(client, instance_id) if d["Type"] == "system")


def ready_disk(client: Driver, ecs: MockEcs, **extra: Any) -> Tuple[str, str]:
    """A running instance whose system disk is past the initialisation window."""
    instance_id = run_instance(client, **extra)
    disk_id = system_disk(client, instance_id)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    return instance_id, disk_id


def snapshots_of(client: Driver, disk_id: str, **extra: Any) -> list:
    out = client.call("DescribeSnapshots", RegionId=REGION, DiskId=disk_id, **extra)
    return out["Snapshots"]["Snapshot"]


def create_instance(client: Driver, **extra: Any) -> str:
    """CreateInstance: Stopped and never started."""
    params = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", **extra}
    return client.call("CreateInstance", **params)["InstanceId"]


def accomplished_snapshot(client: Driver, ecs: MockEcs, **extra: Any) -> Tuple[str, str, str]:
    """(instance, its 40 GiB system disk, a finished snapshot of that disk) with the default timings."""
    instance_id, disk_id = ready_disk(client, ecs, **extra)
    snap_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.advance_clock(60)  # 40 GiB x 1.5 s
    return instance_id, disk_id, snap_id


def tag_params(pairs: Iterable[Tuple[str, str]]) -> Dict[str, str]:
    """``[(key, value), ...]`` as ``Tag.N.Key`` / ``Tag.N.Value`` parameters, N from 1."""
    out: Dict[str, str] = {}
    for n, (key, value) in enumerate(pairs, start=1):
        out[f"Tag.{n}.Key"], out[f"Tag.{n}.Value"] = key, value
    return out


def invalid_parameter(name: str) -> str:
    """The message of the gateway's InvalidParameter, naming the parameter."""
    return f'The specified parameter "{name}" is not valid.'


def walk_pages(describe: Callable[..., Dict[str, Any]], **params: Any) -> Iterator[Dict[str, Any]]:
    """Every page of a NextToken walk: ``describe(**params)``, then with each NextToken until it is empty.

    A generator: the caller may change the mock between pages.
    """
    token = ""
    while True:
        out = describe(**params, **({"NextToken": token} if token else {}))
        yield out
        token = out["NextToken"]
        if not token:
            return


# --- README snippets --------------------------------------------------------------------------
README = Path(__file__).resolve().parent.parent / "README.md"


def readme_snippet(marker: str, fence: str = "python", comment: str = "#") -> str:
    """The block of README's "From any language" section that starts with ``<comment> from any language: marker``."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## From any language\n"):text.index("## How faithful it is\n")]
    head = f"{comment} from any language: {marker}\n"
    found = [b for b in re.findall(rf"```{fence}\n(.*?)```", section, re.S) if b.startswith(head)]
    assert len(found) == 1, f"README.md has no {fence} block starting with {head!r} in 'From any language'"
    return found[0]
