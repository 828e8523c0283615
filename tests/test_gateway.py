"""The gateway: how parameters arrive, formats, regions, response and error shapes, client error
objects, common-parameter checks and both signature schemes (replayed from real wire captures).
"""

from __future__ import annotations

import ast
import asyncio
import glob
import hashlib
import hmac
import json
import os
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import requests
import xmltodict
from freezegun import freeze_time

from conftest import (
    AK,
    IMAGE,
    REGION,
    SECRET,
    LibcloudDriver,
    RequestsDriver,
    SdkCoreDriver,
    TeaAsyncDriver,
    TeaDriver,
    expect_error,
    percent,
    ready_disk,
    sign_rpc,
)
from mock_ecs import auth
from mock_ecs.parse import parse_request
from mock_ecs.wire import HttpRequest

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
CENTRAL = "https://ecs.aliyuncs.com/"
HANGZHOU = "https://ecs-cn-hangzhou.aliyuncs.com/"
JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"
SIG_PREFIX = "Specified signature is not matched with our calculation. server string to sign is:"
CAPTURE_AK, CAPTURE_SECRET = "LTAIfakeAccessKeyId", "fakeSecretKey1234567890"
# Copied from shared/reference/wire-captures so the suite runs in any clone.
CAPTURES = str(Path(__file__).resolve().parent / "data" / "wire-captures")
AUTH_CODES = {
    "SignatureDoesNotMatch", "IncompleteSignature", "InvalidTimeStamp.Expired", "SignatureNonceUsed",
    "InvalidAccessKeyId.NotFound", "MissingAccessKeyId", "MissingSignature", "MissingTimestamp",
    "MissingSignatureNonce", "MissingAction", "InvalidVersion", "InternalError",
}


# --- helpers ----------------------------------------------------------------------------
def utc(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def rpc(action: Optional[str], params: Dict[str, Any], *, fmt: Optional[str] = "JSON", method: str = "GET",
        ak: str = AK, secret: str = SECRET, drop: Tuple[str, ...] = (), **common: str) -> Dict[str, str]:
    """RPC v1 parameters signed by hand; ``drop`` removes common ones, ``common`` overrides them."""
    full: Dict[str, str] = {
        "Version": "2014-05-26", "AccessKeyId": ak, "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex, "Timestamp": utc(time.time()),
        **{k: str(v) for k, v in params.items()},
    }
    if action is not None:
        full["Action"] = action
    if fmt is not None:
        full["Format"] = fmt
    full.update(common)
    for name in drop:
        full.pop(name, None)
    if "Signature" not in drop:
        full["Signature"] = sign_rpc({k: v for k, v in full.items() if k != "Signature"}, secret, method)
    return full


def get(url: str, params: Dict[str, str], **kw: Any) -> requests.Response:
    return requests.get(url, params=params, **kw)


def assert_json_error(resp: requests.Response, status: int, code: str, message: str, host: str) -> Dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == JSON_TYPE
    body = resp.json()
    assert list(body) == ["RequestId", "HostId", "Code", "Message", "Recommend"]
    assert REQUEST_ID.match(body["RequestId"])
    assert (body["HostId"], body["Code"], body["Message"]) == (host, code, message)
    assert body["Recommend"] == (
        f"https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={body['RequestId']}"
    )
    return body


def new_disk(region: str = REGION) -> Tuple[str, str]:
    """A running instance in ``region`` and its system disk, through plain requests."""
    driver = RequestsDriver(region=region)
    out = driver.call("RunInstances", RegionId=region, ImageId=IMAGE, InstanceType="ecs.g7.large")
    instance_id = out["InstanceIdSets"]["InstanceIdSet"][0]
    disks = driver.call("DescribeDisks", RegionId=region, InstanceId=instance_id)["Disks"]["Disk"]
    return instance_id, next(d["DiskId"] for d in disks if d["Type"] == "system")


def v3_headers(method: str, url: str, action: str, secret: str, ak: str, *, when: Optional[float] = None,
               body: bytes = b"", extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """An ACS3-HMAC-SHA256 request signed by an implementation independent of the mock's."""
    parts = urlsplit(url)
    headers = {
        "host": parts.netloc, "x-acs-action": action, "x-acs-version": "2014-05-26",
        "x-acs-date": utc(time.time() if when is None else when), "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(), **(extra or {}),
    }
    query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}"
                     for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    names = sorted(headers)
    canonical = "\n".join([method, "/", query, "".join(f"{n}:{headers[n].strip()}\n" for n in names),
                           ";".join(names), headers["x-acs-content-sha256"]])
    sts = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    sig = hmac.new(secret.encode(), sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"ACS3-HMAC-SHA256 Credential={ak},SignedHeaders={';'.join(names)},Signature={sig}"
    return headers


def v3_sts(req: HttpRequest) -> str:
    """The V3 string to sign of a request, computed here from its own Authorization header."""
    parts = urlsplit(req.url)
    signed = re.search(r"SignedHeaders=([^,]*)", req.header("Authorization")).group(1).split(";")
    query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}"
                     for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    canonical = "\n".join([req.method, "/", query, "".join(f"{n}:{req.header(n).strip()}\n" for n in signed),
                           ";".join(signed), req.header("x-acs-content-sha256")])
    return "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()


# --- wire captures ------------------------------------------------------------------------
def load_captures() -> List[Tuple[str, HttpRequest]]:
    """Every request in the shared raw captures, as (label, HttpRequest)."""
    out: List[Tuple[str, HttpRequest]] = []
    for path in sorted(glob.glob(os.path.join(CAPTURES, "*.raw.txt"))):
        text = open(path, encoding="utf-8").read()
        for n, chunk in enumerate(re.split(r"^--- sig .*$", text, flags=re.M)):
            chunk = chunk.lstrip("\n")
            if not chunk.strip():
                continue
            head, _, rest = chunk.partition("\n\n")
            lines = head.split("\n")
            method, target, _ = lines[0].split(" ")
            headers: Dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name] = value.strip()
            length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
            host = next(v for k, v in headers.items() if k.lower() == "host")
            url = target if target.startswith("http") else f"http://{host}{target}"
            out.append((f"{os.path.basename(path)}#{n}", HttpRequest(method, url, headers, rest.encode()[:length])))
    return out


CAPTURED = load_captures()


def capture_time(req: HttpRequest) -> str:
    params = dict(parse_qsl(urlsplit(req.url).query))
    params.update(parse_qsl(req.body.decode()))
    return params.get("Timestamp") or req.header("x-acs-date")


def with_query(req: HttpRequest, name: str, value: str) -> HttpRequest:
    """The same request with one query parameter's value replaced (re-encoded RFC 3986)."""
    parts = urlsplit(req.url)
    pairs = [(k, value if k == name else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = urlencode(pairs, quote_via=quote, safe="~")
    return HttpRequest(req.method, parts._replace(query=query).geturl(), dict(req.headers), req.body)


def by_label(label: str) -> HttpRequest:
    return dict(CAPTURED)[label]


def test_every_capture_was_loaded():
    files = sorted(glob.glob(os.path.join(CAPTURES, "*.raw.txt")))
    assert len(files) == 8 and {label.split("#")[0] for label, _ in CAPTURED} == {os.path.basename(f) for f in files}
    assert len(CAPTURED) == sum(open(f, encoding="utf-8").read().count("\n--- sig ") for f in files) == 51
    assert sum(1 for _, r in CAPTURED if r.header("Authorization").startswith("ACS3-")) == 17
    assert sum(1 for _, r in CAPTURED if r.body) == 4  # pop-core's form POSTs


@pytest.mark.parametrize("label", [label for label, _ in CAPTURED])
def test_captured_request_passes_the_signature_check(ecs, label):
    req = by_label(label)
    ecs.register_access_key(CAPTURE_AK, CAPTURE_SECRET)
    with freeze_time(capture_time(req)):
        resp = ecs.gateway.handle(req)
    assert ecs.calls[-1].code not in AUTH_CODES, resp.body
    assert resp.status < 500
    # A business answer: success, or an error about the resource or a value.
    assert ecs.calls[-1].code in (None, "InvalidDiskId.NotFound", "InvalidSnapshotName.Malformed",
                                  "InvalidParameter"), resp.body
    assert ecs.calls[-1].action == (req.header("x-acs-action") or dict(parse_qsl(urlsplit(req.url).query))["Action"])


RPC_QUERY_CAPTURES = ["a_sdkcore.raw.txt#1", "c_libcloud.raw.txt#1", "e_popcore.raw.txt#0",
                      "e_ecs_tea_v2.raw.txt#1", "a_via_http_proxy.raw.txt#0"]


@pytest.mark.parametrize("label", RPC_QUERY_CAPTURES)
def test_changing_any_signed_rpc_parameter_breaks_the_signature(ecs, label):
    base = by_label(label)
    ecs.register_access_key(CAPTURE_AK, CAPTURE_SECRET)
    params = dict(parse_qsl(urlsplit(base.url).query, keep_blank_values=True))
    with freeze_time(capture_time(base)):
        for name, value in params.items():
            if name in ("Signature", "AccessKeyId"):  # another key is simply an unregistered one
                continue
            if name == "Timestamp":
                changed = value.replace(value[-3:-1], f"{(int(value[-3:-1]) + 1) % 60:02d}")
            elif name == "Format":
                changed = "XML" if value.upper() == "JSON" else "JSON"
            else:
                changed = value + "0"
            req = with_query(base, name, changed)
            resp = ecs.gateway.handle(req)
            assert resp.status == 400, (name, resp.body)
            assert ecs.calls[-1].code == "SignatureDoesNotMatch", name
            signed = dict(params, **{name: changed})
            signed.pop("Signature")
            canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(signed.items()))
            sts = f"{base.method}&%2F&{percent(canonical)}"
            fmt = signed["Format"].upper() if "Format" in signed else "XML"
            if fmt == "JSON":
                assert json.loads(resp.body)["Message"] == SIG_PREFIX + sts
            else:
                assert xmltodict.parse(resp.body)["Error"]["Message"] == SIG_PREFIX + sts
        # The untouched request still passes.
        assert ecs.gateway.handle(base).status in (200, 400, 404)
        assert ecs.calls[-1].code not in AUTH_CODES


def test_changing_a_form_body_value_breaks_the_signature(ecs):
    base = by_label("e_popcore.raw.txt#2")  # DescribeSnapshots, every parameter in the body
    ecs.register_access_key(CAPTURE_AK, CAPTURE_SECRET)
    with freeze_time(capture_time(base)):
        tampered = HttpRequest(base.method, base.url, dict(base.headers), base.body.replace(b"d-test", b"d-tesu"))
        resp = ecs.gateway.handle(tampered)
        assert (resp.status, ecs.calls[-1].code) == (400, "SignatureDoesNotMatch")
        assert json.loads(resp.body)["Message"].startswith(SIG_PREFIX + "POST&%2F&AccessKeyId%3D")
        assert ecs.gateway.handle(base).status == 200


def bump(value: str, header: str) -> str:
    """A changed header value; a date moves one second, staying within the window."""
    if header == "x-acs-date":
        return value[:-3] + f"{(int(value[-3:-1]) + 1) % 60:02d}Z"
    return value + "0"


@pytest.mark.parametrize("label", ["b_tea_v3.raw.txt#1", "e_ecs_tea.raw.txt#1"])
def test_changing_a_v3_query_value_or_signed_header_breaks_the_signature(ecs, label):
    base = by_label(label)  # DescribeSnapshots: succeeds untouched
    ecs.register_access_key(CAPTURE_AK, CAPTURE_SECRET)
    signed = re.search(r"SignedHeaders=([^,]*)", base.header("Authorization")).group(1).split(";")
    variants = [with_query(base, "DiskId", "d-tesu"), with_query(base, "RegionId", "cn-beijing")]
    for name in signed:
        if name in ("x-acs-action", "x-acs-version", "x-acs-content-sha256"):
            continue  # those change what the request is, checked below
        headers = {k: (bump(v, name) if k.lower() == name else v) for k, v in base.headers.items()}
        variants.append(HttpRequest(base.method, base.url, headers, base.body))
    with freeze_time(capture_time(base)):
        for req in variants:
            resp = ecs.gateway.handle(req)
            assert resp.status == 400, resp.body
            body = json.loads(resp.body)
            assert body["Code"] == "SignatureDoesNotMatch"
            assert body["Message"] == SIG_PREFIX + v3_sts(req)
        # An unsigned header may change freely.
        headers = dict(base.headers, **{"X-Unsigned": "anything"})
        assert ecs.gateway.handle(HttpRequest(base.method, base.url, headers, base.body)).status == 200
        # Refused requests did not use up the nonce; the accepted one did.
        assert ecs.gateway.handle(base).status == 400 and ecs.calls[-1].code == "SignatureNonceUsed"


def test_v3_body_hash_must_match_the_body(ecs):
    base = by_label("b_tea_v3.raw.txt#1")
    ecs.register_access_key(CAPTURE_AK, CAPTURE_SECRET)
    with freeze_time(capture_time(base)):
        resp = ecs.gateway.handle(HttpRequest(base.method, base.url, dict(base.headers), b"DiskId=d-other"))
    assert resp.status == 400
    body = json.loads(resp.body)
    assert (body["Code"], body["Message"]) == (
        "IncompleteSignature", "The request signature does not conform to Aliyun standards.")


def test_captured_requests_from_an_unregistered_key_are_not_checked(ecs):
    label, req = CAPTURED[1]  # sdkcore DescribeSnapshots
    tampered = with_query(req, "DiskId", "d-other")
    with freeze_time(capture_time(req)):
        assert ecs.gateway.handle(tampered).status == 200


# --- signature test vectors (FACTS.md section 3) --------------------------------------------
def test_rpc_v1_test_vector():
    params = {
        "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
    }
    sts = auth.rpc_string_to_sign("GET", params)
    assert sts == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp"
        "%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert auth.rpc_signature("testsecret", sts) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    # The Signature itself never enters the string to sign.
    assert auth.rpc_string_to_sign("GET", dict(params, Signature="x")) == sts


def test_rpc_canonical_form_keeps_empty_values_and_encodes_like_rfc3986():
    sts = auth.rpc_string_to_sign("POST", {"SignatureType": "", "Name": "a b*~/'()!"})
    assert sts == "POST&%2F&Name%3Da%2520b%252A~%252F%2527%2528%2529%2521%26SignatureType%3D"


V3_URL = ("https://ecs.cn-shanghai.aliyuncs.com/"
          "?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai")
V3_HEADERS = {
    "host": "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "x-acs-date": "2023-10-26T09:01:01Z",
    "x-acs-signature-nonce": "d410180a5abf7fe235dd9b74aca91fc0",
    "x-acs-version": "2014-05-26",
}
V3_SIGNATURE = "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"


def test_v3_test_vector():
    req = HttpRequest("POST", V3_URL, V3_HEADERS, b"")
    call = parse_request(req)
    canonical = auth.v3_canonical_request(req, call, sorted(V3_HEADERS))
    assert canonical == (
        "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
        "host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n"
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-acs-date:2023-10-26T09:01:01Z\nx-acs-signature-nonce:d410180a5abf7fe235dd9b74aca91fc0\n"
        "x-acs-version:2014-05-26\n\n"
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    sts = auth.v3_string_to_sign(canonical)
    assert auth.v3_signature("YourAccessKeySecret", sts) == V3_SIGNATURE


def test_v3_test_vector_through_the_gateway(ecs):
    ecs.register_access_key("YourAccessKeyId", "YourAccessKeySecret")
    names = ";".join(sorted(V3_HEADERS))
    good = dict(V3_HEADERS, Authorization=(
        f"ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders={names},Signature={V3_SIGNATURE}"))
    with freeze_time("2023-10-26T09:01:01Z"):
        resp = ecs.gateway.handle(HttpRequest("POST", V3_URL, good, b""))
        assert ecs.calls[-1].code not in AUTH_CODES, resp.body
        bad = dict(good, Authorization=good["Authorization"].replace(V3_SIGNATURE, "0" * 64))
        bad["x-acs-signature-nonce"] = "another-nonce"
        resp = ecs.gateway.handle(HttpRequest("POST", V3_URL, bad, b""))
    assert resp.status == 400
    assert ecs.calls[-1].code == "SignatureDoesNotMatch"


def test_v3_malformed_authorization_is_incomplete_signature(ecs):
    headers = dict(V3_HEADERS, Authorization="ACS3-HMAC-SHA256 garbage", accept="application/json")
    with freeze_time("2023-10-26T09:01:01Z"):
        resp = ecs.gateway.handle(HttpRequest("POST", V3_URL, headers, b""))
    assert resp.status == 400
    body = json.loads(resp.body)
    assert (body["Code"], body["Message"]) == (
        "IncompleteSignature", "The request signature does not conform to Aliyun standards.")


# --- signatures through the real clients ------------------------------------------------------
CLIENTS = {"sdkcore": SdkCoreDriver, "tea": TeaDriver, "tea_async": TeaAsyncDriver,
           "requests": RequestsDriver, "libcloud": LibcloudDriver}


@pytest.mark.parametrize("name", list(CLIENTS))
def test_registered_key_with_the_right_secret_works_through_every_client(ecs, name):
    ecs.register_access_key("LTAIregistered", "rightSecret")
    driver = CLIENTS[name](ak="LTAIregistered", secret="rightSecret")
    out = driver.call("DescribeSnapshots", RegionId=REGION, SnapshotName="a b*c~d/e")
    assert out["TotalCount"] in (0, "0")
    assert ecs.calls[-1].code is None


@pytest.mark.parametrize("name", ["tea", "tea_async", "requests", "libcloud"])
def test_registered_key_with_a_wrong_secret_is_signature_does_not_match(ecs, name):
    ecs.register_access_key("LTAIregistered", "rightSecret")
    driver = CLIENTS[name](ak="LTAIregistered", secret="wrongSecret")
    err = expect_error(lambda: driver.call("DescribeSnapshots", RegionId=REGION), "SignatureDoesNotMatch",
                       status=400)
    assert err.message.startswith(SIG_PREFIX)
    assert REQUEST_ID.match(err.request_id)
    assert ecs.calls[-1].code == "SignatureDoesNotMatch"


def test_sdkcore_turns_a_wrong_secret_into_invalid_access_key_secret(ecs):
    ecs.register_access_key("LTAIregistered", "rightSecret")
    driver = SdkCoreDriver(ak="LTAIregistered", secret="wrongSecret")
    # The SDK compares the echoed string to sign with its own: equal, so it blames the secret.
    expect_error(lambda: driver.call("DescribeSnapshots", RegionId=REGION), "InvalidAccessKeySecret",
                 "The AccessKeySecret is incorrect. Please check your AccessKeyId and AccessKeySecret.", 400)
    assert ecs.calls[-1].code == "SignatureDoesNotMatch"


def test_strict_access_keys_refuse_an_unregistered_key():
    from mock_ecs import mock_ecs

    with mock_ecs(strict_access_keys=True) as ecs:
        ecs.register_access_key("LTAIregistered", "rightSecret")
        assert RequestsDriver(ak="LTAIregistered", secret="rightSecret").call(
            "DescribeSnapshots", RegionId=REGION)["TotalCount"] == 0
        for driver in (RequestsDriver(), SdkCoreDriver(), TeaDriver(), LibcloudDriver()):
            expect_error(lambda d=driver: d.call("DescribeSnapshots", RegionId=REGION),
                         "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)


# --- timestamps and nonces --------------------------------------------------------------------
@pytest.mark.parametrize("offset", [-16 * 60, 16 * 60, -3600 * 24])
def test_timestamp_more_than_15_minutes_off_is_expired(ecs, offset):
    resp = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, Timestamp=utc(time.time() + offset)))
    assert_json_error(resp, 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.",
                      "ecs-cn-hangzhou.aliyuncs.com")


@pytest.mark.parametrize("offset", [-14 * 60, 14 * 60])
def test_timestamp_within_15_minutes_is_accepted(ecs, offset):
    resp = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, Timestamp=utc(time.time() + offset)))
    assert resp.status_code == 200, resp.text


def test_garbled_timestamp_is_an_api_error(ecs):
    resp = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, Timestamp="yesterday"))
    assert_json_error(resp, 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.",
                      "ecs-cn-hangzhou.aliyuncs.com")


def test_advance_clock_does_not_move_the_timestamp_window(ecs, any_client):
    ecs.advance_clock(3 * 3600)
    assert any_client.call("DescribeSnapshots", RegionId=REGION)["TotalCount"] in (0, "0")
    # A client whose clock agrees with the mock's advanced clock is off by three hours.
    resp = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, Timestamp=utc(ecs.now().timestamp())))
    assert resp.status_code == 400 and resp.json()["Code"] == "InvalidTimeStamp.Expired"


def test_v3_stale_date_is_expired(ecs):
    base = by_label("b_tea_v3.raw.txt#1")
    ecs.register_access_key(CAPTURE_AK, CAPTURE_SECRET)
    later = datetime.strptime(capture_time(base), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    with freeze_time(later + timedelta(minutes=16)):
        resp = ecs.gateway.handle(base)
    assert resp.status == 400
    assert json.loads(resp.body)["Code"] == "InvalidTimeStamp.Expired"
    with freeze_time(later + timedelta(minutes=14)):
        assert ecs.gateway.handle(base).status == 200


def test_reused_signature_nonce(ecs):
    params = rpc("DescribeSnapshots", {"RegionId": REGION})
    assert get(HANGZHOU, params).status_code == 200
    resp = get(HANGZHOU, params)
    assert_json_error(resp, 400, "SignatureNonceUsed", "Specified signature nonce was used already.",
                      "ecs-cn-hangzhou.aliyuncs.com")
    # Another key may use the same nonce.
    other = rpc("DescribeSnapshots", {"RegionId": REGION}, ak="LTAIother", SignatureNonce=params["SignatureNonce"])
    assert get(HANGZHOU, other).status_code == 200


def test_replayed_capture_is_a_reused_nonce(ecs):
    req = by_label("e_popcore.raw.txt#2")
    with freeze_time(capture_time(req)):
        assert ecs.gateway.handle(req).status == 200
        resp = ecs.gateway.handle(req)
    assert resp.status == 400 and json.loads(resp.body)["Code"] == "SignatureNonceUsed"


# --- common parameters, version, action -----------------------------------------------------
@pytest.mark.parametrize("name", ["Timestamp", "AccessKeyId", "Signature", "SignatureNonce"])
def test_missing_common_parameter(ecs, name):
    resp = get(CENTRAL, rpc("DescribeSnapshots", {"RegionId": REGION}, drop=(name,)))
    assert_json_error(resp, 400, f"Missing{name}", f"{name} is mandatory for this action.", "ecs.aliyuncs.com")


def test_missing_action(ecs):
    resp = get(CENTRAL, rpc(None, {"RegionId": REGION}))
    assert_json_error(resp, 400, "MissingAction", "Action is mandatory for this action.", "ecs.aliyuncs.com")


def test_invalid_version(ecs):
    resp = get(CENTRAL, rpc("DescribeSnapshots", {"RegionId": REGION}, Version="2016-03-14"))
    assert_json_error(resp, 400, "InvalidVersion", "Specified parameter Version is not valid.", "ecs.aliyuncs.com")


def test_missing_business_parameter_through_every_client(any_client):
    expect_error(lambda: any_client.call("CreateSnapshot"), "MissingDiskId", "DiskId is mandatory for this action.",
                 400)
    expect_error(lambda: any_client.call("CreateSnapshot", DiskId=""), "MissingDiskId",
                 "DiskId is mandatory for this action.", 400)


def test_missing_region_id(ecs):
    resp = get(CENTRAL, rpc("DescribeSnapshots", {}))
    assert_json_error(resp, 400, "MissingRegionId", "RegionId is mandatory for this action.", "ecs.aliyuncs.com")
    resp = get(CENTRAL, rpc("RunInstances", {"ImageId": IMAGE, "InstanceType": "ecs.g7.large"}, fmt="XML"))
    assert resp.status_code == 400
    assert xmltodict.parse(resp.text)["Error"]["Code"] == "MissingRegionId"
    assert ecs.ids("instances") == []


def test_unknown_parameters_are_ignored(ecs):
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    resp = get(HANGZHOU, rpc("CreateSnapshot", {"DiskId": disk_id, "on": "DescribeDisks", "NoSuchThing": "1",
                                                "snapshotname": "lowercase-is-another-name"}))
    assert resp.status_code == 200, resp.text
    assert ecs.snapshot(resp.json()["SnapshotId"])["SnapshotName"] == ""


# --- where parameters come from ----------------------------------------------------------------
def test_parameters_from_the_query_string(ecs):
    resp = requests.post(HANGZHOU + "?" + urlencode(rpc("DescribeSnapshots", {"RegionId": REGION}, method="POST")))
    assert resp.status_code == 200 and resp.json()["Snapshots"] == {"Snapshot": []}


def test_parameters_from_a_form_body_like_pop_core(ecs):
    ecs.register_access_key("LTAIregistered", "rightSecret")
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    params = rpc("CreateSnapshot", {"DiskId": disk_id, "SnapshotName": "from body", "Tag.1.Key": "k1",
                                    "Tag.1.Value": "v1"}, method="POST", ak="LTAIregistered", secret="rightSecret")
    params["SnapshotName"] = "frombody"  # the signature covers the body: a changed value is refused
    resp = requests.post(HANGZHOU, data=params)
    assert resp.status_code == 400 and resp.json()["Code"] == "SignatureDoesNotMatch"
    params = rpc("CreateSnapshot", {"DiskId": disk_id, "SnapshotName": "frombody", "Tag.1.Key": "k1",
                                    "Tag.1.Value": "v1"}, method="POST", ak="LTAIregistered", secret="rightSecret")
    resp = requests.post(HANGZHOU, data=params)
    assert resp.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert resp.request.url == HANGZHOU
    assert resp.status_code == 200, resp.text
    snap = ecs.snapshot(resp.json()["SnapshotId"])
    assert snap["SnapshotName"] == "frombody"
    assert snap["Tags"] == {"Tag": [{"TagKey": "k1", "TagValue": "v1"}]}


def test_action_and_version_from_x_acs_headers_rpc_v1(ecs):
    params = rpc(None, {"RegionId": REGION}, drop=("Version",))
    resp = get(HANGZHOU, params, headers={"x-acs-action": "DescribeSnapshots", "x-acs-version": "2014-05-26"})
    assert resp.status_code == 200, resp.text
    assert ecs.calls[-1].action == "DescribeSnapshots"


def test_v3_request_with_no_action_parameter(ecs):
    ecs.register_access_key("LTAIregistered", "rightSecret")
    url = HANGZHOU + "?RegionId=cn-hangzhou&PageSize=5"
    headers = v3_headers("POST", url, "DescribeSnapshots", "rightSecret", "LTAIregistered",
                         extra={"accept": "application/json"})
    resp = requests.post(url, headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["PageSize"] == 5
    bad = v3_headers("POST", url, "DescribeSnapshots", "wrongSecret", "LTAIregistered",
                     extra={"accept": "application/json"})
    resp = requests.post(url, headers=bad)
    assert resp.status_code == 400 and resp.json()["Code"] == "SignatureDoesNotMatch"


# --- Format ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt,expect", [("JSON", "JSON"), ("json", "JSON"), ("Json", "JSON"), ("XML", "XML"),
                                        ("xml", "XML"), (None, "XML")])
def test_format(ecs, fmt, expect):
    resp = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, fmt=fmt))
    assert resp.status_code == 200
    if expect == "JSON":
        assert resp.headers["Content-Type"] == JSON_TYPE
        body = resp.json()
        assert body["Snapshots"] == {"Snapshot": []}
    else:
        assert resp.headers["Content-Type"] == XML_TYPE
        assert resp.text.startswith("<?xml version='1.0' encoding='UTF-8'?><DescribeSnapshotsResponse>")
        assert list(xmltodict.parse(resp.text)) == ["DescribeSnapshotsResponse"]
    # Errors follow the format too.
    resp = get(HANGZHOU, rpc("CreateSnapshot", {"DiskId": "d-bp1nosuchdisk0000000"}, fmt=fmt))
    assert resp.status_code == 404
    if expect == "JSON":
        assert resp.json()["Code"] == "InvalidDiskId.NotFound"
    else:
        assert resp.headers["Content-Type"] == XML_TYPE
        assert xmltodict.parse(resp.text)["Error"]["Code"] == "InvalidDiskId.NotFound"


# --- regions ---------------------------------------------------------------------------------
def test_region_from_region_id_then_host_then_the_resource(ecs):
    _, disk_id = new_disk("cn-beijing")
    ecs.advance_clock(3600)
    # Host names another region and no RegionId: not found there.
    resp = get(HANGZHOU, rpc("CreateSnapshot", {"DiskId": disk_id}))
    assert_json_error(resp, 404, "InvalidDiskId.NotFound", "The specified DiskId does not exist.",
                      "ecs-cn-hangzhou.aliyuncs.com")
    assert ecs.calls[-1].region_id == "cn-hangzhou"
    # RegionId names another region: not found, whatever the host.
    resp = get(CENTRAL, rpc("CreateSnapshot", {"DiskId": disk_id, "RegionId": "cn-hangzhou"}))
    assert_json_error(resp, 404, "InvalidDiskId.NotFound", "The specified DiskId does not exist.",
                      "ecs.aliyuncs.com")
    # RegionId wins over the host.
    resp = get(HANGZHOU, rpc("CreateSnapshot", {"DiskId": disk_id, "RegionId": "cn-beijing"}))
    assert resp.status_code == 200, resp.text
    assert ecs.calls[-1].region_id == "cn-beijing"
    ecs.advance_clock(60)
    # Central host, no RegionId: the disk's own region.
    resp = get(CENTRAL, rpc("CreateSnapshot", {"DiskId": disk_id}))
    assert resp.status_code == 200, resp.text
    snap_id = resp.json()["SnapshotId"]
    assert snap_id.startswith("s-2ze")
    assert ecs.snapshot(snap_id)["RegionId"] == "cn-beijing"
    assert ecs.calls[-1].region_id == "cn-beijing"  # recorded in the region it acted in
    # The regional host of the right region works too.
    ecs.advance_clock(60)
    resp = get("https://ecs.cn-beijing.aliyuncs.com/", rpc("CreateSnapshot", {"DiskId": disk_id}))
    assert resp.status_code == 200, resp.text


def test_libcloud_snapshots_a_beijing_disk_through_the_central_host(ecs):
    from libcloud.compute.base import StorageVolume

    _, disk_id = new_disk("cn-beijing")
    ecs.advance_clock(3600)
    driver = LibcloudDriver(region="cn-beijing").driver
    snap = driver.create_volume_snapshot(StorageVolume(disk_id, None, 40, driver), name="nightly")
    assert snap.id.startswith("s-2ze")
    assert ecs.snapshot(snap.id)["SnapshotName"] == "nightly"
    assert ecs.calls[-2].action == "CreateSnapshot" and ecs.calls[-2].region_id == "cn-beijing"  # its disk's
    assert ecs.calls[-1].action == "DescribeSnapshots" and ecs.calls[-1].region_id == "cn-beijing"


def test_unknown_region_id(ecs):
    resp = get(CENTRAL, rpc("DescribeSnapshots", {"RegionId": "xx-nowhere-1"}))
    assert_json_error(resp, 404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.",
                      "ecs.aliyuncs.com")


# --- success shapes -----------------------------------------------------------------------------
def test_success_json_is_flat_with_an_uppercase_request_id(ecs):
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    resp = get(HANGZHOU, rpc("CreateSnapshot", {"DiskId": disk_id}))
    body = resp.json()
    assert resp.status_code == 200 and resp.headers["Content-Type"] == JSON_TYPE
    assert list(body) == ["SnapshotId", "RequestId"]  # the real order (Java HashMap, keyorder.py)
    assert REQUEST_ID.match(body["RequestId"])
    assert body["RequestId"] == ecs.calls[-1].request_id
    # Every answer has its own RequestId.
    again = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION})).json()["RequestId"]
    assert REQUEST_ID.match(again) and again != body["RequestId"]


def test_success_xml_root_is_action_response(ecs):
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    resp = get(CENTRAL, rpc("CreateSnapshot", {"DiskId": disk_id}, fmt="XML"))
    assert resp.status_code == 200 and resp.headers["Content-Type"] == XML_TYPE
    doc = xmltodict.parse(resp.text)
    assert list(doc) == ["CreateSnapshotResponse"]
    assert list(doc["CreateSnapshotResponse"]) == ["SnapshotId", "RequestId"]
    assert REQUEST_ID.match(doc["CreateSnapshotResponse"]["RequestId"])


def test_lists_are_wrapped_twice_and_empty_lists_stay_wrapped(ecs):
    body = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION})).json()
    assert body["Snapshots"] == {"Snapshot": []}
    xml = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, fmt="XML")).text
    assert "<Snapshots></Snapshots>" in xml or "<Snapshots/>" in xml
    instance_id, disk_id = ready_disk(RequestsDriver(), ecs)
    get(HANGZHOU, rpc("CreateSnapshot", {"DiskId": disk_id}))
    body = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION})).json()
    assert isinstance(body["Snapshots"]["Snapshot"], list) and len(body["Snapshots"]["Snapshot"]) == 1
    assert body["Snapshots"]["Snapshot"][0]["Tags"] == {"Tag": []}
    disks = get(HANGZHOU, rpc("DescribeDisks", {"RegionId": REGION})).json()["Disks"]["Disk"]
    assert disks[0]["OperationLocks"] == {"OperationLock": []}
    instances = get(HANGZHOU, rpc("DescribeInstances", {"RegionId": REGION})).json()["Instances"]["Instance"]
    assert [i["InstanceId"] for i in instances] == [instance_id]
    assert instances[0]["OperationLocks"] == {"LockReason": []}
    xml = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, fmt="XML")).text
    assert re.search(r"<Snapshots><Snapshot><InstantAccess>false</InstantAccess>.*"
                     r"<SnapshotId>s-bp1[0-9a-z]{17}</SnapshotId>.*</Snapshot></Snapshots>", xml)
    assert "<Tags></Tags>" in xml or "<Tags/>" in xml


def test_xml_escapes_ampersand_and_angle_brackets(ecs):
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    description = "nightly & <weekly> \"quoted\" 'single'"
    snap_id = RequestsDriver().call("CreateSnapshot", DiskId=disk_id, Description=description)["SnapshotId"]
    xml = get(HANGZHOU, rpc("DescribeSnapshots", {"RegionId": REGION}, fmt="XML")).text
    assert "nightly &amp; &lt;weekly&gt;" in xml
    assert xmltodict.parse(xml)["DescribeSnapshotsResponse"]["Snapshots"]["Snapshot"]["Description"] == description
    driver = LibcloudDriver().driver
    snaps = driver.list_volume_snapshots(None, ex_snapshot_ids=[snap_id])
    assert [s.id for s in snaps] == [snap_id]
    assert snaps[0].extra["description"] == description


# --- error shapes ------------------------------------------------------------------------------
@pytest.mark.parametrize("url,host", [
    (CENTRAL, "ecs.aliyuncs.com"),
    ("https://ecs.cn-beijing.aliyuncs.com/", "ecs.cn-beijing.aliyuncs.com"),
    ("http://ecs-cn-hangzhou.aliyuncs.com:8080/", "ecs-cn-hangzhou.aliyuncs.com"),
    ("https://ecs-vpc.cn-shanghai.aliyuncs.com/", "ecs-vpc.cn-shanghai.aliyuncs.com"),
])
def test_json_error_body(ecs, url, host):
    resp = get(url, rpc("CreateSnapshot", {"DiskId": "d-bp1nosuchdisk0000000"}))
    body = assert_json_error(resp, 404, "InvalidDiskId.NotFound", "The specified DiskId does not exist.", host)
    assert body["RequestId"] == ecs.calls[-1].request_id


def test_xml_error_body(ecs):
    resp = get("https://ecs.cn-beijing.aliyuncs.com/", rpc("CreateSnapshot", {"DiskId": "d-2zenosuchdisk0000000"},
                                                           fmt="XML"))
    assert resp.status_code == 404 and resp.headers["Content-Type"] == XML_TYPE
    assert resp.text.startswith("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>")
    err = xmltodict.parse(resp.text)["Error"]
    assert list(err) == ["RequestId", "HostId", "Code", "Message", "Recommend"]
    assert REQUEST_ID.match(err["RequestId"])
    assert err["HostId"] == "ecs.cn-beijing.aliyuncs.com"
    assert err["Code"] == "InvalidDiskId.NotFound"
    assert err["Message"] == "The specified DiskId does not exist."
    assert err["Recommend"] == (
        f"https://api.aliyun.com/troubleshoot?q=InvalidDiskId.NotFound&product=Ecs&requestId={err['RequestId']}"
    )
    assert "<Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=InvalidDiskId.NotFound&product=Ecs&" in resp.text


def test_sdkcore_server_exception(ecs):
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    driver = SdkCoreDriver()
    with pytest.raises(ServerException) as info:
        driver.client.do_action_with_exception(driver.request("CreateSnapshot", DiskId="d-bp1nosuchdisk0000000"))
    e = info.value
    assert e.get_error_code() == "InvalidDiskId.NotFound"
    assert e.get_error_msg() == "The specified DiskId does not exist."
    assert e.get_http_status() == 404
    assert e.get_request_id() == ecs.calls[-1].request_id
    assert REQUEST_ID.match(e.get_request_id())


def tea_call(driver: TeaDriver, action: str, **query: str) -> Any:
    from alibabacloud_tea_openapi import utils_models as um
    from darabonba.runtime import RuntimeOptions

    from conftest import _tea_params

    req = um.OpenApiRequest(query=query)
    if driver.use_async:
        return asyncio.run(driver.client.call_api_async(_tea_params(action), req, RuntimeOptions()))
    return driver.client.call_api(_tea_params(action), req, RuntimeOptions())


@pytest.mark.parametrize("driver_cls", [TeaDriver, TeaAsyncDriver])
def test_tea_client_exception(ecs, driver_cls):
    from alibabacloud_tea_openapi.exceptions import ClientException

    with pytest.raises(ClientException) as info:
        tea_call(driver_cls(), "CreateSnapshot", DiskId="d-bp1nosuchdisk0000000")
    e = info.value
    rid = ecs.calls[-1].request_id
    assert e.code == "InvalidDiskId.NotFound"
    assert e.status_code == 404
    assert e.request_id == rid
    assert e.message == f"code: 404, The specified DiskId does not exist. request id: {rid}"
    assert e.data["Code"] == "InvalidDiskId.NotFound"
    assert e.data["Message"] == "The specified DiskId does not exist."
    assert e.data["HostId"] == "ecs-cn-hangzhou.aliyuncs.com"
    assert e.data["Recommend"].endswith(f"requestId={rid}")


@pytest.mark.parametrize("driver_cls", [TeaDriver, TeaAsyncDriver])
def test_tea_server_exception_for_5xx(ecs, driver_cls):
    from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

    _, disk_id = ready_disk(RequestsDriver(), ecs)
    ecs.inject_fault("CreateSnapshot", "InternalError")
    with pytest.raises(ServerException) as info:
        tea_call(driver_cls(), "CreateSnapshot", DiskId=disk_id)
    e = info.value
    assert not isinstance(e, ClientException)
    assert e.code == "InternalError"
    assert e.status_code == 500
    assert e.request_id == ecs.calls[-1].request_id
    assert e.message == ("code: 500, The request processing has failed due to some unknown error, exception or "
                         f"failure. request id: {e.request_id}")
    assert ecs.ids("snapshots") == []
    # The fault was used once: the next call succeeds.
    assert tea_call(driver_cls(), "CreateSnapshot", DiskId=disk_id)["statusCode"] == 200


def test_libcloud_base_http_error(ecs):
    from libcloud.common.exceptions import BaseHTTPError

    driver = LibcloudDriver().driver
    with pytest.raises(BaseHTTPError) as info:
        driver.connection.request("/", params={"Action": "CreateSnapshot", "DiskId": "d-bp1nosuchdisk0000000"})
    e = info.value
    assert e.code == 404
    info_dict = e.message if isinstance(e.message, dict) else ast.literal_eval(e.message)
    assert info_dict == {"code": "InvalidDiskId.NotFound", "message": "The specified DiskId does not exist.",
                         "request_id": ecs.calls[-1].request_id, "host_id": "ecs.aliyuncs.com"}


# --- garbled requests --------------------------------------------------------------------------
def api_error(resp: Any) -> Tuple[int, str, str]:
    """(status, Code, Message) of an error answer, JSON or XML, checking its envelope."""
    if resp.headers["Content-Type"] == JSON_TYPE:
        doc = json.loads(resp.body)
    else:
        assert resp.headers["Content-Type"] == XML_TYPE
        doc = xmltodict.parse(resp.body)["Error"]
    assert REQUEST_ID.match(doc["RequestId"]) and doc["HostId"] == "ecs.aliyuncs.com"
    return resp.status, doc["Code"], doc["Message"]


# Requests that never get past the gateway's own checks.
GARBLED_EARLY = [
    ("GET", "https://ecs.aliyuncs.com/?Action=%FF%FE&Format=JSON", {}, b"", "MissingAccessKeyId"),
    ("GET", "https://ecs.aliyuncs.com/?%FF=%FE&Action=CreateSnapshot&Format=%FF", {}, b"", "MissingAccessKeyId"),
    ("GET", "https://ecs.aliyuncs.com/?Action=CreateSnapshot&DiskId=\udcff&Format=JSON", {}, b"",
     "MissingAccessKeyId"),
    ("POST", "https://ecs.aliyuncs.com/", {"Content-Type": "application/x-www-form-urlencoded"}, b"\xff\xfe\x00=\x80",
     "MissingAction"),
    ("POST", "https://ecs.aliyuncs.com/", {"Content-Type": "application/octet-stream"}, bytes(range(256)),
     "MissingAction"),
    ("GET", "https://ecs.aliyuncs.com/?" + "&" * 5000, {}, b"", "MissingAction"),
    ("GET", "https://ecs.aliyuncs.com/?=&==&a==b&%", {}, b"", "MissingAction"),
    ("GET", "https://ecs.aliyuncs.com", {}, b"", "MissingAction"),
    ("POST", "https://ecs.aliyuncs.com/?Action=CreateSnapshot", {"Authorization": "ACS3-HMAC-SHA256 x"}, b"",
     "IncompleteSignature"),
    ("POST", "https://ecs.aliyuncs.com/", {"Authorization": "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;"
                                          "x-acs-action;x-acs-date;x-acs-version,Signature=00",
                                          "x-acs-action": "CreateSnapshot", "x-acs-version": "2014-05-26",
                                          "x-acs-date": "\x00", "x-acs-signature-nonce": "n"}, b"",
     "InvalidTimeStamp.Expired"),
    ("GET", "https://ecs.aliyuncs.com/?Action=CreateSnapshot&Timestamp=9999-99-99T99:99:99Z&AccessKeyId=a"
            "&Signature=s&SignatureNonce=n&Version=2014-05-26", {}, b"", "InvalidTimeStamp.Expired"),
]


@pytest.mark.parametrize("method,url,headers,body,code", GARBLED_EARLY)
def test_garbled_request_answers_a_gateway_error(ecs, method, url, headers, body, code):
    status, got, message = api_error(ecs.gateway.handle(HttpRequest(method, url, headers, body)))
    assert (status, got) == (400, code), message


# Garbled values in a request that passes the gateway: the action's own checks answer.
GARBLED_DEEP = [
    ("Action=%FF%FE", 404, "InvalidAction.NotFound"),
    ("Action=CreateSnapshot&DiskId=%FF%FE", 404, "InvalidDiskId.NotFound"),
    ("Action=CreateSnapshot&DiskId=d-x&SnapshotName=%FF%FE", 400, "InvalidSnapshotName.Malformed"),
    ("Action=CreateSnapshot&DiskId=d-x&Format=%FF", 404, "InvalidDiskId.NotFound"),
    ("Action=DescribeSnapshots&RegionId=%FF", 404, "InvalidRegionId.NotFound"),
    ("Action=DescribeSnapshots&RegionId=cn-hangzhou&PageSize=%FF", 400, "InvalidParameter"),
    ("Action=DescribeSnapshots&RegionId=cn-hangzhou&SnapshotIds=%5B%FF", 400, "InvalidParameter"),
    ("Action=DescribeSnapshots&RegionId=cn-hangzhou&SnapshotIds=" + quote('[{"a": 1}]'), 400, "InvalidParameter"),
    ("Action=DescribeSnapshots&RegionId=cn-hangzhou&SnapshotIds=" + quote("[" + ",".join(['"s-1"'] * 5000) + "]"),
     403, "InvalidSnapshotIds.Malformed"),
    ("Action=CreateSnapshot&DiskId=d-x&Tag.%FF.Key=k", 400, "InvalidTagCount"),
    ("Action=CreateSnapshot&DiskId=d-x&Tag.99999999999999999999.Key=k", 400, "InvalidTagCount"),
    ("Action=CreateSnapshot&DiskId=d-x&Tag.1.Key=" + "k" * 100_000, 400, "InvalidTagKey.Malformed"),
    # Not an Integer, not a Boolean: the gateway's type check (metadata) answers first.
    ("Action=CreateSnapshot&DiskId=d-x&RetentionDays=%FF", 400, "InvalidParameter"),
    ("Action=CreateSnapshot&DiskId=d-x&ClientToken=%FF", 403, "InvalidClientToken.Malformed"),
    ("Action=RunInstances&RegionId=cn-hangzhou&ImageId=%FF&InstanceType=%FF&Amount=1e309", 400,
     "InvalidParameter"),
    ("Action=DescribeInstances&RegionId=cn-hangzhou&InstanceIds=%FF", 400, "InvalidParameter"),
    # DescribeDisks.md documents its own code for a malformed DiskIds.
    ("Action=DescribeDisks&RegionId=cn-hangzhou&DiskIds=null", 400, "InvalidParameter.DiskIds"),
    ("Action=CreateDisk&RegionId=cn-hangzhou&ZoneId=%FF&Size=20", 404, "InvalidZoneId.NotFound"),
    ("Action=AttachDisk&DiskId=%FF&InstanceId=%FF", 404, "InvalidDiskId.NotFound"),
    ("Action=DeleteInstance&InstanceId=%FF&Force=%FF", 400, "InvalidParameter"),
    ("Action=DeleteInstance&InstanceId=%FF&Force=true", 404, "InvalidInstanceId.NotFound"),
]


@pytest.mark.parametrize("query,status,code", GARBLED_DEEP)
def test_garbled_value_answers_an_api_error(ecs, query, status, code):
    common = rpc(None, {})  # an unregistered key: the signature is not checked
    url = CENTRAL + "?" + urlencode(common) + "&" + query
    assert api_error(ecs.gateway.handle(HttpRequest("GET", url, {}, b"")))[:2] == (status, code)
    assert ecs.ids("snapshots") == ecs.ids("instances") == ecs.ids("disks") == []


def test_thousands_of_unknown_parameters_are_ignored(ecs):
    params = rpc("DescribeSnapshots", {"RegionId": REGION, **{f"p{i}": "v" for i in range(20_000)}})
    resp = ecs.gateway.handle(HttpRequest("POST", CENTRAL, {"Content-Type": "application/x-www-form-urlencoded"},
                                          urlencode(params).encode()))
    assert resp.status == 200 and json.loads(resp.body)["Snapshots"] == {"Snapshot": []}


def test_garbled_values_through_requests(ecs):
    params = rpc("CreateSnapshot", {"DiskId": "d-bp1nosuchdisk0000000"})
    params["SnapshotName"] = b"\xff\xfe"  # type: ignore[assignment]
    resp = get(CENTRAL, params)
    assert_json_error(resp, 400, "InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.",
                      "ecs.aliyuncs.com")
    params = rpc("DescribeSnapshots", {"RegionId": REGION})
    params["Action"] = b"\xff\xfe"  # type: ignore[assignment]  # an unregistered key: not verified
    resp = get(CENTRAL, params)
    assert_json_error(resp, 404, "InvalidAction.NotFound",
                      "Specified api is not found, please check your url and method.", "ecs.aliyuncs.com")


@pytest.mark.parametrize("name,code,status", [
    ("SnapshotName", "InvalidSnapshotName.Malformed", 400),
    ("Description", "InvalidDescription.Malformed", 404),
    ("DiskId", "InvalidDiskId.NotFound", 404),
])
def test_huge_value_answers_an_api_error(ecs, name, code, status):
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    params = {"DiskId": disk_id, name: "a" * 200_000}
    resp = requests.post(CENTRAL, data=rpc("CreateSnapshot", params, method="POST"))
    assert resp.status_code == status, resp.text[:300]
    assert resp.json()["Code"] == code
    assert ecs.ids("snapshots") == []


def test_footmark_python_repr_id_list_is_read_like_json(client, ecs):
    """footmark (the Ansible modules) sends ``SnapshotIds=['s-...']``; it must find the snapshot."""
    from conftest import ready_disk

    _, disk_id = ready_disk(client, ecs)
    snap_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    out = client.call("DescribeSnapshots", RegionId="cn-hangzhou", SnapshotIds=f"['{snap_id}']")
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [snap_id]
    expect_error(lambda: client.call("DescribeSnapshots", RegionId="cn-hangzhou", SnapshotIds="['s-1'"),
                 "InvalidParameter", 'The specified parameter "SnapshotIds" is not valid.', 400)
