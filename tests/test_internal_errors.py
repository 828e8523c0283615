"""A failure of the mock itself anywhere on the request path, loading its tables on the first
request included, is answered 500 InternalError in the request's format and logged with its
traceback: never a transport error a client retries (aliyunsdkcore's SDK.HttpError, the Tea
SDK's UnretryableException), never a dropped connection. A failed load is tried again on the
next request, so the mock recovers once the cause is gone.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any, Callable, Iterator, List

import pytest
import requests
import xmltodict

from conftest import REGION, SdkCoreDriver, TeaDriver, expect_error, signed_params
from mock_ecs import MockEcs, gateway
from mock_ecs.backend import Backend
from mock_ecs.server import ThreadedMockServer

INTERNAL = "The request processing has failed due to some unknown error, exception or failure."


class BrokenLoad:
    """Stands in for ``gateway._load`` while ``broken``: raises what loading raises when a data
    file is missing from an install; afterwards the real load runs."""

    def __init__(self, real: Callable[[], None]) -> None:
        self.real = real
        self.broken = True
        self.tries = 0

    def __call__(self) -> None:
        self.tries += 1
        if self.broken:
            raise FileNotFoundError(2, "No such file or directory", "mock_ecs/data/params.json")
        self.real()


@pytest.fixture
def broken_load(monkeypatch: pytest.MonkeyPatch) -> Iterator[BrokenLoad]:
    broken = BrokenLoad(gateway._load)
    monkeypatch.setattr(gateway, "_loaded", False)
    monkeypatch.setattr(gateway, "_load", broken)
    yield broken


def _logged_tracebacks(caplog: pytest.LogCaptureFixture) -> List[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("mock_ecs") and r.exc_info]


@pytest.mark.parametrize("name", ["sdkcore", "tea"])
def test_a_failed_first_load_is_an_internal_error_then_loads_again(
    name: str, ecs: MockEcs, broken_load: BrokenLoad, caplog: pytest.LogCaptureFixture,
) -> None:
    client = SdkCoreDriver() if name == "sdkcore" else TeaDriver()
    caplog.set_level(logging.ERROR, logger="mock_ecs")
    # An ApiError (the client's own server error, code and status), not SDK.HttpError or UnretryableException.
    expect_error(lambda: client.call("DescribeInstances", RegionId=REGION), "InternalError", INTERNAL, 500)
    assert ecs.calls.codes == ["InternalError"] and ecs.calls[0].action == "DescribeInstances"
    assert _logged_tracebacks(caplog) == ["mock_ecs could not load its actions and tables"]
    expect_error(lambda: client.call("DescribeInstances", RegionId=REGION), "InternalError", INTERNAL, 500)
    assert broken_load.tries == 2  # not a half-loaded gateway: every request tries again
    broken_load.broken = False
    assert client.call("DescribeInstances", RegionId=REGION)["Instances"] == {"Instance": []}
    assert gateway._loaded and broken_load.tries == 3
    client.call("DescribeInstances", RegionId=REGION)
    assert broken_load.tries == 3  # loaded once, for good
    assert ecs.calls.codes == ["InternalError", "InternalError", None, None]


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_a_failed_load_answers_in_the_requests_format(fmt: str, ecs: MockEcs, broken_load: BrokenLoad) -> None:
    resp = requests.get(f"https://ecs.{REGION}.aliyuncs.com/", params=signed_params("DescribeInstances", {}, fmt=fmt))
    assert resp.status_code == 500
    if fmt == "JSON":
        assert resp.headers["Content-Type"].startswith("application/json")
        body = resp.json()
    else:
        assert resp.headers["Content-Type"].startswith("text/xml")
        body = xmltodict.parse(resp.content)["Error"]
    assert (body["Code"], body["Message"], body["HostId"]) == ("InternalError", INTERNAL, f"ecs.{REGION}.aliyuncs.com")
    assert body["RequestId"] == ecs.calls[0].request_id


def test_an_unreadable_request_with_a_failed_load_is_still_an_xml_internal_error(
    ecs: MockEcs, broken_load: BrokenLoad, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreadable(*args: Any) -> Any:
        raise ValueError("cannot parse")

    monkeypatch.setattr(gateway, "parse_request", unreadable)
    resp = requests.get(f"https://ecs.{REGION}.aliyuncs.com/", params=signed_params("DescribeInstances", {}))
    assert resp.status_code == 500 and xmltodict.parse(resp.content)["Error"]["Code"] == "InternalError"
    assert ecs.calls.codes == []  # a request it cannot read is not in the record


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_the_server_answers_a_failed_load_over_http(fmt: str, broken_load: BrokenLoad,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="mock_ecs")
    with ThreadedMockServer() as server:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        query = "&".join(f"{k}={requests.utils.quote(v, safe='')}"
                         for k, v in signed_params("DescribeInstances", {"RegionId": REGION}, fmt=fmt).items())
        conn.request("GET", f"/?{query}")
        resp = conn.getresponse()  # http.client raises RemoteDisconnected on a dropped connection
        raw = resp.read()
        assert resp.status == 500
        body = json.loads(raw) if fmt == "JSON" else xmltodict.parse(raw)["Error"]
        assert (body["Code"], body["Message"]) == ("InternalError", INTERNAL)
        assert server.handle.calls.codes == ["InternalError"]
        broken_load.broken = False
        conn.request("GET", "/?" + "&".join(
            f"{k}={requests.utils.quote(v, safe='')}"
            for k, v in signed_params("DescribeInstances", {"RegionId": REGION}, fmt=fmt).items()))
        again = conn.getresponse()  # the same connection, kept alive
        again.read()
        assert again.status == 200
        conn.close()
    assert "mock_ecs could not load its actions and tables" in _logged_tracebacks(caplog)


def test_the_server_answers_a_failure_outside_the_gateway(monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="mock_ecs")

    def broken(self: Backend) -> None:
        raise RuntimeError("a bug of the server's own path")

    with ThreadedMockServer() as server:
        monkeypatch.setattr(Backend, "take_recorded", broken)
        for fmt in ("JSON", "XML"):
            resp = requests.get(server.url + "/", params=signed_params("DescribeInstances", {"RegionId": REGION},
                                                                       fmt=fmt))
            assert resp.status_code == 500 and resp.headers["Connection"] == "close"
            body = resp.json() if fmt == "JSON" else xmltodict.parse(resp.content)["Error"]
            assert (body["Code"], body["Message"]) == ("InternalError", INTERNAL)
        # Through a real client too: its own server error, not a transport error.
        sdk = SdkCoreDriver(endpoint=server.endpoint)
        expect_error(lambda: sdk.call("DescribeInstances", RegionId=REGION), "InternalError", INTERNAL, 500)
        monkeypatch.undo()
        assert sdk.call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0
    logged = [m.split(" /", 1)[0].rsplit(" ", 1)[1] for m in _logged_tracebacks(caplog)]
    assert logged == ["GET", "GET", "POST"]  # "mock_ecs server failed while answering POST /?..."


def test_the_server_answers_a_failure_of_the_control_api_path(monkeypatch: pytest.MonkeyPatch) -> None:
    with ThreadedMockServer() as server:
        monkeypatch.setattr(server._server, "control", None)  # type: ignore[union-attr]
        resp = requests.get(server.url + "/_mock_ecs/calls")
        assert resp.status_code == 500 and resp.json() == {"error": "internal error of the mock server"}


# In a fresh interpreter: the first request really loads the tables, and every data file of the
# package is unreadable until the script says otherwise.
_FIRST_LOAD = textwrap.dedent("""
    import builtins, io, json, logging, os, pathlib, sys
    import mock_ecs

    DATA = os.path.join(os.path.dirname(mock_ecs.__file__), "data")
    unreadable = True
    real_open = io.open

    def guarded_open(file, *args, **kwargs):
        if unreadable and os.path.dirname(os.path.abspath(os.fspath(file))) == DATA:
            raise FileNotFoundError(2, "No such file or directory", os.fspath(file))
        return real_open(file, *args, **kwargs)

    builtins.open = io.open = guarded_open
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest

    out = []
    with mock_ecs.mock_ecs() as ecs:
        client = AcsClient("LTAItestAccessKey", "testSecret", "cn-hangzhou", auto_retry=False)
        try:
            client.do_action_with_exception(DescribeInstancesRequest())
            out.append("answered")
        except ServerException as err:
            out.append([err.get_error_code(), err.get_http_status()])
        unreadable = False
        out.append(len(json.loads(client.do_action_with_exception(DescribeInstancesRequest()))["Instances"]["Instance"]))
        out.append(ecs.calls.codes)
    print(json.dumps(out))
""")


def test_a_fresh_process_whose_data_files_cannot_be_read_answers_internal_error_then_recovers() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", _FIRST_LOAD], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    first, instances, codes = json.loads(proc.stdout)
    assert first == ["InternalError", 500]
    assert instances == 0 and codes == ["InternalError", None]
    assert "mock_ecs could not load its actions and tables" in proc.stderr
    assert "Traceback" in proc.stderr and "FileNotFoundError" in proc.stderr
