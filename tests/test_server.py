"""The HTTP server: concurrent real clients, absolute-form (proxy) requests, Host header routing,
one log line per request from that request's own record, port 0, and API errors for every method.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlencode

import pytest

from conftest import IMAGE, REGION, SdkCoreDriver, expect_error, signed_params, system_disk
from mock_ecs import DEFAULT_ACCOUNT_ID, MockEcs
from mock_ecs.server import ThreadedMockServer, log_line

REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-qingdao", "cn-zhangjiakou", "cn-shenzhen",
           "cn-hongkong", "ap-southeast-1")
LINE = re.compile(r"^(?P<action>\S+) account=(?P<account>\S+) region=(?P<region>\S+) status=(?P<status>\d+) "
                  r"code=(?P<code>\S+) (?P<ms>\d+\.\d)ms$")


@pytest.fixture
def server() -> Iterator[ThreadedMockServer]:
    with ThreadedMockServer() as srv:
        yield srv


def raw(server: ThreadedMockServer, method: str, target: str, headers: Optional[Dict[str, str]] = None,
        body: Optional[bytes] = None, **kw: Any) -> Tuple[int, Dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=bool(headers and "Host" in headers), skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        if body is not None and not kw.get("chunked"):
            conn.putheader("Content-Length", str(len(body)))
        if kw.get("chunked"):
            conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        if body is not None:
            if kw.get("chunked"):
                for i in range(0, len(body), 7):
                    piece = body[i:i + 7]
                    conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                conn.send(b"0\r\n\r\n")
            else:
                conn.send(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def query(action: str, **params: Any) -> str:
    return "/?" + urlencode(signed_params(action, params))


# --- the server itself -------------------------------------------------------------------------
def test_port_zero_gets_a_free_port_and_stop_closes_it() -> None:
    server = ThreadedMockServer(port=0).start()
    try:
        assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
        assert server.endpoint == f"127.0.0.1:{server.port}"
        status, _, body = raw(server, "GET", query("DescribeInstances", RegionId=REGION))
        assert status == 200 and json.loads(body)["TotalCount"] == 0
    finally:
        server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


def test_two_servers_get_two_ports_and_a_taken_port_raises() -> None:
    with ThreadedMockServer() as one, ThreadedMockServer() as two:
        assert one.port != two.port
        with pytest.raises(OSError):
            ThreadedMockServer(port=one.port).start()


def test_a_stopped_port_can_be_served_again_at_once() -> None:
    with ThreadedMockServer() as first:
        port = first.port
        raw(first, "GET", query("DescribeInstances", RegionId=REGION))
    with ThreadedMockServer(port=port) as again:
        assert raw(again, "GET", query("DescribeInstances", RegionId=REGION))[0] == 200


# --- concurrency -------------------------------------------------------------------------------
def test_eight_threads_of_real_clients_against_one_server(server: ThreadedMockServer) -> None:
    barrier = threading.Barrier(len(REGIONS), timeout=20)
    shared: List[str] = []
    errors: List[BaseException] = []
    made: Dict[str, List[str]] = {}

    def work(region: str) -> None:
        try:
            client = SdkCoreDriver(region=region, endpoint=server.endpoint)
            barrier.wait()
            # Everyone at once, with one ClientToken in one region: one instance, one answer.
            out = client.call("RunInstances", RegionId="cn-hangzhou", ImageId=IMAGE, InstanceType="ecs.g7.large",
                              ClientToken="shared-token")
            shared.append(out["InstanceIdSets"]["InstanceIdSet"][0])
            mine = []
            for n in range(3):
                out = client.call("RunInstances", RegionId=region, ImageId=IMAGE, InstanceType="ecs.g7.large",
                                  ClientToken=f"{region}-{n}")
                mine.append(out["InstanceIdSets"]["InstanceIdSet"][0])
            listed = client.call("DescribeInstances", RegionId=region, PageSize=100)["Instances"]["Instance"]
            if region != "cn-hangzhou":
                assert sorted(i["InstanceId"] for i in listed) == sorted(mine)
            disks = client.call("DescribeDisks", RegionId=region, PageSize=100)["Disks"]["Disk"]
            assert {d["InstanceId"] for d in disks} >= set(mine)
            made[region] = mine
        except BaseException as exc:  # reported below, with the thread's region
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(region,)) for region in REGIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    assert errors == []
    assert len(set(shared)) == 1 and len(shared) == len(REGIONS)
    all_ids = [i for ids in made.values() for i in ids] + shared[:1]
    assert sorted(server.handle.ids("instances")) == sorted(all_ids) and len(set(all_ids)) == 25
    calls = server.handle.calls
    assert len(calls) == len(REGIONS) * 6 and calls.failed == []
    assert len(calls.of("RunInstances").with_param("ClientToken", "shared-token")) == len(REGIONS)


# --- proxies and hosts --------------------------------------------------------------------------
def test_aliyunsdkcore_through_http_proxy_sends_absolute_form(server: ThreadedMockServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.setenv("http_proxy", server.url)
    client = SdkCoreDriver(region="cn-shanghai")  # no endpoint override: the real host, through the proxy
    out = client.call("RunInstances", RegionId="cn-shanghai", ImageId=IMAGE, InstanceType="ecs.g7.large")
    instance_id = out["InstanceIdSets"]["InstanceIdSet"][0]
    disks = client.call("DescribeDisks", RegionId="cn-shanghai", InstanceId=instance_id)["Disks"]["Disk"]
    expect_error(lambda: client.call("CreateSnapshot", DiskId=disks[0]["DiskId"]), "IncorrectDiskStatus.Initializing")
    assert len(server.handle.calls) == 3  # every request went through the server
    (call, *_) = server.handle.calls
    assert call.host == "ecs.cn-shanghai.aliyuncs.com" and call.region_id == "cn-shanghai"
    assert server.handle.account_of(instance_id) == DEFAULT_ACCOUNT_ID


def test_absolute_form_request_names_its_host(server: ThreadedMockServer) -> None:
    target = "http://ecs.cn-beijing.aliyuncs.com" + query("CreateSnapshot", DiskId="d-2zenosuchdisk000001")
    status, _, body = raw(server, "GET", target, {"Host": "ecs.cn-beijing.aliyuncs.com"})
    assert status == 404 and json.loads(body)["Code"] == "InvalidDiskId.NotFound"
    (call,) = server.handle.calls
    assert (call.host, call.region_id, call.action) == ("ecs.cn-beijing.aliyuncs.com", "cn-beijing", "CreateSnapshot")


def test_the_host_header_routes_a_request_without_region(server: ThreadedMockServer) -> None:
    client = SdkCoreDriver(endpoint=server.endpoint)
    instance_id = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE,
                              InstanceType="ecs.g7.large")["InstanceIdSets"]["InstanceIdSet"][0]
    disk_id = system_disk(client, instance_id)
    server.handle.advance_clock(3600)
    # The same request, no RegionId: the region is the Host header's.
    status, _, body = raw(server, "GET", query("CreateSnapshot", DiskId=disk_id),
                          {"Host": "ecs.cn-shanghai.aliyuncs.com"})
    assert status == 404 and json.loads(body)["Code"] == "InvalidDiskId.NotFound"
    status, _, body = raw(server, "GET", query("CreateSnapshot", DiskId=disk_id),
                          {"Host": "ecs-cn-hangzhou.aliyuncs.com"})
    assert status == 200 and json.loads(body)["SnapshotId"].startswith("s-")
    # An endpoint override (Host: 127.0.0.1:PORT) names no region: the disk's own is used.
    status, _, body = raw(server, "GET", query("CreateSnapshot", DiskId=disk_id))
    assert status == 403 and json.loads(body)["Code"] == "IncorrectDiskStatus.CreatingSnapshot"
    hosts = [(c.host, c.region_id) for c in server.handle.calls.of("CreateSnapshot")]
    assert hosts == [("ecs.cn-shanghai.aliyuncs.com", "cn-shanghai"), ("ecs-cn-hangzhou.aliyuncs.com", REGION),
                     (server.endpoint, REGION)]  # recorded in the region it acted in: its disk's


# --- methods, bodies, connections ----------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"])
def test_other_methods_answer_unsupported_http_method(server: ThreadedMockServer, method: str) -> None:
    status, headers, body = raw(server, method, query("DescribeInstances", RegionId=REGION))
    assert status == 403 and headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    assert doc["Code"] == "UnsupportedHTTPMethod" and doc["Message"] == "This HTTP method is not supported."
    assert server.handle.calls[-1].method == method


def test_head_answers_the_error_headers_without_a_body(server: ThreadedMockServer) -> None:
    status, headers, body = raw(server, "HEAD", query("DescribeInstances", RegionId=REGION))
    assert status == 403 and body == b"" and int(headers["content-length"]) > 0
    assert server.handle.calls.codes == ["UnsupportedHTTPMethod"]
    # The connection stays usable: the next answer is not mixed up with a stray body.
    assert raw(server, "GET", query("DescribeInstances", RegionId=REGION))[0] == 200


def test_post_form_bodies_plain_and_chunked(server: ThreadedMockServer) -> None:
    for chunked in (False, True):
        params = signed_params("DescribeInstances", {"RegionId": REGION}, method="POST")
        status, _, body = raw(server, "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
                              urlencode(params).encode(), chunked=chunked)
        assert status == 200, body
        assert json.loads(body)["TotalCount"] == 0


def test_a_malformed_content_length_is_an_api_error(server: ThreadedMockServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["Code"] == "InvalidParameter"
    assert raw(server, "GET", query("DescribeInstances", RegionId=REGION))[0] == 200


def test_a_client_that_hangs_up_mid_body_harms_no_one(server: ThreadedMockServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nAction=Desc")
    assert raw(server, "GET", query("DescribeInstances", RegionId=REGION))[0] == 200


def test_keep_alive_serves_many_requests_on_one_connection(server: ThreadedMockServer) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for _ in range(3):
            conn.request("GET", query("DescribeInstances", RegionId=REGION))
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read())["TotalCount"] == 0
        conn.request("GET", "/_mock_ecs/clock")
        assert "offset" in json.loads(conn.getresponse().read())
    finally:
        conn.close()
    assert len(server.handle.calls) == 3


# --- the request log ----------------------------------------------------------------------------
def test_one_log_line_per_request() -> None:
    lines: List[str] = []
    with ThreadedMockServer(quiet=False, say=lines.append) as server:
        client = SdkCoreDriver(endpoint=server.endpoint)
        client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")
        expect_error(lambda: client.call("CreateSnapshot", DiskId="d-bp1nosuchdisk000001"), "InvalidDiskId.NotFound")
        raw(server, "POST", "/_mock_ecs/clock/advance", body=b'{"seconds": 5}')
        raw(server, "TRACE", "/")
    assert len(lines) == 4, lines
    first, second = LINE.match(lines[0]), LINE.match(lines[1])
    assert first is not None and second is not None, lines
    assert first.group("action", "account", "region", "status", "code") == (
        "RunInstances", DEFAULT_ACCOUNT_ID, REGION, "200", "-")
    assert second.group("action", "account", "region", "status", "code") == (
        "CreateSnapshot", DEFAULT_ACCOUNT_ID, REGION, "404", "InvalidDiskId.NotFound")
    assert re.match(r"^POST /_mock_ecs/clock/advance status=200 \d+\.\dms$", lines[2]), lines[2]
    assert re.match(r"^TRACE / account=- region=- status=403 code=UnsupportedHTTPMethod \d+\.\dms$", lines[3])


def test_quiet_logs_nothing() -> None:
    lines: List[str] = []
    with ThreadedMockServer(say=lines.append) as server:
        raw(server, "GET", query("DescribeInstances", RegionId=REGION))
        raw(server, "GET", "/_mock_ecs/clock")
    assert lines == []


def test_the_default_log_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with ThreadedMockServer(quiet=False) as server:
        raw(server, "GET", query("DescribeInstances", RegionId=REGION))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and LINE.match(out[0]) and out[0].startswith("DescribeInstances ")


def test_each_line_is_its_own_requests_even_when_another_request_records_in_between() -> None:
    """Request A records its call, then (held there) request B records its own; A's line must still
    be A's. A server that logged "the last call" would log B twice."""
    lines: List[str] = []
    handle = MockEcs()
    backend = handle.backend
    original = backend.record
    a_recorded, b_recorded = threading.Event(), threading.Event()

    def record(call: Any) -> None:
        original(call)
        if call.action == "DescribeInstances":  # A: hold until B has recorded too
            a_recorded.set()
            assert b_recorded.wait(timeout=10)
        else:
            b_recorded.set()

    backend.record = record  # type: ignore[method-assign]
    with ThreadedMockServer(handle=handle, quiet=False, say=lines.append) as server:
        a = threading.Thread(target=raw, args=(server, "GET", query("DescribeInstances", RegionId=REGION)))
        a.start()
        assert a_recorded.wait(timeout=10)
        raw(server, "GET", query("DescribeDisks", RegionId="cn-shanghai"))
        a.join(timeout=10)
        assert not a.is_alive()
    assert sorted(line.split()[0] for line in lines) == ["DescribeDisks", "DescribeInstances"]
    assert any(line.startswith("DescribeInstances ") and f"region={REGION}" in line for line in lines)
    assert any(line.startswith("DescribeDisks ") and "region=cn-shanghai" in line for line in lines)


def test_concurrent_log_lines_match_the_record() -> None:
    lines: List[str] = []
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            lines.append(line)

    with ThreadedMockServer(quiet=False, say=say) as server:
        def work(region: str) -> None:
            for action in ("DescribeInstances", "DescribeDisks", "DescribeSnapshots"):
                raw(server, "GET", query(action, RegionId=region))

        threads = [threading.Thread(target=work, args=(region,)) for region in REGIONS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
        calls = server.handle.calls
    logged = sorted((m.group("action"), m.group("region")) for m in map(LINE.match, lines) if m)
    assert logged == sorted((c.action, c.region_id) for c in calls) and len(logged) == len(REGIONS) * 3


def test_log_line_without_a_record() -> None:
    assert log_line(None, "GET", "/_mock_ecs/clock", 200, 1.25) == "GET /_mock_ecs/clock status=200 1.2ms"
