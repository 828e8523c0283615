"""Hostile inputs to every built action (hypothesis): whatever arrives, the answer is a well-formed
API answer and a refused call changes nothing.

Parameters are named from each action's metadata table (mock_ecs/data/params.json), RepeatList
members included (``DataDisk.N.Size`` with hostile ``N`` too), and get random and hostile
values: huge strings, control characters, non-UTF-8 bytes, nested brackets, JSON-looking junk,
negative and enormous numbers, empty values, unicode, duplicated parameters, IDs of real
resources. They travel in the query, in a form body or in both, percent-encoded or raw, as
JSON or XML, by GET or POST. Every answer must be:

- 2xx, 4xx or 501 (a refused filter), never 5xx otherwise: no InternalError ever, since an
  InternalError means a bug of the mock;
- a body that parses (JSON, or XML by a strict parser) with a RequestId, and for an error
  Code, Message, HostId and Recommend;
- for a refused call, no change at all in the mock (every resource, index and token, compared
  before and after); and no handler ever sees a malformed Integer, Long, Boolean or Float.

Most examples drive the gateway directly (``HttpRequest`` + ``handle``) for speed; a few go
through aliyunsdkcore to show the client parses every such answer. The hypothesis tests run more
than 2,000 examples in all (each checks that hypothesis ran all its examples, in any order).
Besides them, a fixed matrix gives every metadata parameter of every action each of a list of
hostile values (shapes a random search reaches only now and then), and the bugs these tests
found have their own regression test.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import re
import time
import uuid
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import IMAGE, REGION, SdkCoreDriver
from mock_ecs import MockEcs, params, router
from mock_ecs.wire import HttpRequest, HttpResponse

FAST = {"initialization_seconds": 0, "snapshot_min_seconds": 0, "snapshot_seconds_per_gib": 0}
CENTRAL = "https://ecs.aliyuncs.com/"
JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
ERROR_KEYS = ["RequestId", "HostId", "Code", "Message", "Recommend"]
ACTIONS = sorted(router.ACTIONS)
HOSTILE = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
EXAMPLES = {"calls": 1000, "raw": 1000, "sdkcore": 40}
RAN: Dict[str, int] = {name: 0 for name in EXAMPLES}
PER_ACTION = EXAMPLES["calls"] // len(ACTIONS) + 1


def ran_all(key: str, wanted: int, prop: Any, *args: Any) -> None:
    """Run one property test and check that hypothesis ran at least ``wanted`` examples of it."""
    before = RAN[key]
    prop(*args)
    assert RAN[key] - before >= wanted, f"{key}: hypothesis ran {RAN[key] - before} examples, not {wanted}"

Value = Union[str, bytes]


# --- the world every example starts from ---------------------------------------------------------
class World:
    """A mock with a running and a stopped instance, an available disk, a snapshot, an image, a policy
    and a snapshot group."""

    def __init__(self) -> None:
        self.build()

    def build(self) -> None:
        self.ecs = MockEcs(**FAST)
        run = self.ok("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large",
                      **{"DataDisk.1.Size": "20", "DataDisk.1.Category": "cloud_efficiency"})
        self.running = run["InstanceIdSets"]["InstanceIdSet"][0]
        disks = self.ok("DescribeDisks", RegionId=REGION, InstanceId=self.running)["Disks"]["Disk"]
        system = next(d["DiskId"] for d in disks if d["Type"] == "system")
        data = next(d["DiskId"] for d in disks if d["Type"] == "data")
        self.stopped = self.ok("CreateInstance", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")[
            "InstanceId"]
        free = self.ok("CreateDisk", RegionId=REGION, ZoneId=f"{REGION}-h", Size="40")["DiskId"]
        snap = self.ok("CreateSnapshot", DiskId=system, SnapshotName="seed", **{"Tag.1.Key": "k"})["SnapshotId"]
        image = self.ok("CreateImage", RegionId=REGION, SnapshotId=snap, ImageName="seed-image")["ImageId"]
        policy = self.ok("CreateAutoSnapshotPolicy", regionId=REGION, timePoints='["1"]', repeatWeekdays='["1"]',
                         retentionDays="7")["AutoSnapshotPolicyId"]
        self.ok("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy, diskIds=json.dumps([data]))
        group = self.ok("CreateSnapshotGroup", RegionId=REGION, InstanceId=self.running)["SnapshotGroupId"]
        self.ids: Dict[str, List[str]] = {
            "Instance": [self.running, self.stopped], "Disk": [system, data, free], "Snapshot": [snap],
            "Image": [image, IMAGE], "AutoSnapshotPolicy": [policy], "autoSnapshotPolicy": [policy],
            "SnapshotGroup": [group],
        }
        self.pristine = self.state = state_of(self.ecs)

    def grown(self) -> bool:
        """Whether calls that succeeded made the world too big to check quickly."""
        return sum(len(a.where) for a in self.ecs.backend.accounts.values()) > 40 or len(self.state) > 300_000

    def ok(self, action: str, **business: str) -> Dict[str, Any]:
        """A call that must succeed (building the world, or a step of a test)."""
        resp = self.ecs.gateway.handle(request("GET", action, list(business.items())))
        assert resp.status == 200, resp.body
        self.state = state_of(self.ecs)
        return dict(json.loads(resp.body))


_world: Optional[World] = None


def world() -> World:
    """The shared world, rebuilt whenever an earlier example changed it (a call that succeeded)."""
    global _world
    if _world is None:
        _world = World()
    elif _world.state != _world.pristine:
        _world.build()
    return _world


def state_of(ecs: MockEcs) -> str:
    """Every resource (all fields), index and token of every account, as one comparable text."""
    out: Dict[str, Any] = {}
    for acct_id, acct in sorted(ecs.backend.accounts.items()):
        regions: Dict[str, Any] = {}
        for region_id, state in sorted(acct.regions.items()):
            # A model's repr shows every field (the Phase of a status too).
            tables = {kind: [repr(item) for item in getattr(state, kind).values()]
                      for kind in ("instances", "disks", "snapshots", "images", "policies", "groups")}
            indexes = {"ip": dict(state.ip_owners), "links": dict(state.link_by_disk),
                       "by_disk": {d: list(t) for d, t in state.snapshots_by_disk.items()}}
            if any(tables.values()) or any(indexes.values()):
                regions[region_id] = {**tables, **indexes}
        seen = {"regions": regions, "where": dict(acct.where), "tokens": repr(sorted(acct.tokens.items())),
                "retention": sorted(acct.retention), "flags": (acct.not_enough_balance,
                                                               acct.snapshot_service_unavailable)}
        if seen != EMPTY_ACCOUNT:  # an account a call merely looked into is no change
            out[acct_id] = seen
    return repr(out)


EMPTY_ACCOUNT = {"regions": {}, "where": {}, "tokens": "[]", "retention": [], "flags": (False, False)}


# --- building requests --------------------------------------------------------------------------
def common(fmt: Optional[str]) -> List[Tuple[str, str]]:
    """Common parameters of an unregistered access key (its signature is not checked)."""
    pairs = [("Version", "2014-05-26"), ("AccessKeyId", "LTAIhostile"), ("SignatureMethod", "HMAC-SHA1"),
             ("SignatureVersion", "1.0"), ("SignatureNonce", uuid.uuid4().hex), ("Signature", "x"),
             ("Timestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))]
    return pairs + ([("Format", fmt)] if fmt is not None else [])


def encode(pairs: List[Tuple[Value, Value]], raw: bool = False) -> str:
    """``k=v&...``: percent-encoded (bytes as they are: non-UTF-8 stays so), or raw text."""
    if raw:
        return "&".join(f"{_text(k)}={_text(v)}" for k, v in pairs)
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs)


def _quote(value: Value) -> str:
    # A lone surrogate becomes the bytes "surrogatepass" gives it: invalid UTF-8 on the wire.
    return quote(value, safe="") if isinstance(value, bytes) else quote(value, safe="", errors="surrogatepass")


def _text(value: Value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def request(method: str, action: Optional[str], business: List[Tuple[Value, Value]], *, fmt: Optional[str] = "JSON",
            where: str = "query", raw: bool = False) -> HttpRequest:
    """``where``: "query", "form" (everything in a form body) or "split" (common in the query)."""
    head = common(fmt) + ([("Action", action)] if action is not None else [])
    pairs: List[Tuple[Value, Value]] = [*head, *business]
    if where == "query":
        return HttpRequest(method, f"{CENTRAL}?{encode(pairs, raw)}", {}, b"")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    if where == "form":
        return HttpRequest(method, CENTRAL, form, encode(pairs, raw).encode("utf-8", "surrogatepass"))
    body = encode(business, raw).encode("utf-8", "surrogatepass")
    return HttpRequest(method, f"{CENTRAL}?{encode(head)}", form, body)


# --- strategies ------------------------------------------------------------------------------------
def forged_token(text: str) -> str:
    """A NextToken-looking value: base64 of ``text`` (a real one is ``body|signature``)."""
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


JUNK = [
    "", " ", "null", "true", "false", "[]", "{}", "[", "]", "[[]]", '["', '[""]', "['a', 'b']", "['a'", '{"a": 1}',
    '[{"a": 1}]', '["s-1", 2]', '["s-1",' * 3, "1e309", "-1e309", "NaN", "Infinity", "-0", "+0", "0x1F", "1_000",
    "\u0661\u0662", "\u00b2", "\uff11", "%", "%FF", "%%", "+", "&", "=", "#", "?", "\\", "'", '"', "\x00", "\r\n",
    "\ufeff", "\u202e", "\U0001f600", "http://x", "https://", "aliyun", "acs:x", "auto", "*", "..", "../../etc/passwd",
    "<a>&amp;</a>", "]]>", "<![CDATA[", "${x}", "%s%s%s", "2999-99-99T99:99:99Z", "1970-01-01T00:00Z",
    "2024-01-01T00:00:00Z", "CreationStartTime", "CreationEndTime", "PL1", "cloud_essd", "cloud", "ephemeral_ssd",
    "PrePaid", "PostPaid", "Week", "Month", "enabled", "required", "all", "In_use", "Available", "Running",
    "Stopped", "system", "data", "self", "others", "x86_64", "arm64", "windows", "Placement", "META_OPTIONS",
    "ecs.g7.large", "ecs.g8y.large", "cn-hangzhou", "cn-hangzhou-h", "cn-beijing", "us-east-1", "zz-nowhere-1",
    "172.16.0.2", "::1", "[\"172.16.0.2\"]", "2147483647", "2147483648", "-2147483649", "9223372036854775808",
]
NUMBERS = st.one_of(
    st.integers(-5, 130).map(str), st.integers(-(2**70), 2**70).map(str),
    st.sampled_from([2**31 - 1, 2**31, -(2**31), 2**63 - 1, 2**63]).map(str),
    st.builds(lambda sign, n: sign + "9" * n, st.sampled_from(["", "-", "+"]), st.integers(20, 6000)),  # enormous
)
texts = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x1F), max_size=8),
    st.text(st.characters(min_codepoint=0x80), min_size=1, max_size=20),
    st.text("[]{}\",:'0123456789-sida. ", max_size=30),
)
huge = st.builds(lambda ch, n: ch * n, st.sampled_from(list("a[{9é\x00%&=\U0001f600") + ["ab", "[1,"]),
                 st.one_of(st.integers(300, 5_000), st.integers(5_000, 60_000)))
# Depths about and past what a recursive parser takes (hypothesis favours small integers).
DEPTHS = st.one_of(st.integers(1, 60_000), st.sampled_from([2, 998, 1_000, 1_001, 3_000, 20_000, 60_000]))
nested = st.builds(lambda n, opener, closed: opener * n + ({"[": "]", "{": "}", '{"a":': "}"}[opener] * n if closed
                                                           else ""),
                   DEPTHS, st.sampled_from(["[", "[", "{", '{"a":']), st.booleans())
forged_tokens = st.builds(lambda body, sig: forged_token(f"{body}|{sig}"),
                          st.one_of(st.text(max_size=20), st.just('["DescribeDisks",1,"x",0]')), st.text(max_size=5))
json_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=10,
).map(json.dumps)


@functools.cache
def _hostile_values(ids_: Tuple[str, ...]) -> st.SearchStrategy[Value]:
    ids = st.sampled_from(ids_)
    return st.one_of(
        texts, huge, nested, json_junk, st.sampled_from(JUNK), NUMBERS, st.binary(max_size=24), forged_tokens,
        ids, st.lists(ids, max_size=3).map(json.dumps), ids.map(lambda i: i + "\x00"), ids.map(str.upper),
    )


def hostile_values(pool: Dict[str, List[str]], name: Value = "") -> st.SearchStrategy[Value]:
    """Hostile values, and the IDs of the world's resources (strategies are cached: building one
    for every draw costs more than the call it makes). A parameter that takes a JSON list (its
    name ends in Ids or Addresses) gets JSON-looking junk and nested brackets half the time."""
    values = _hostile_values(tuple(i for group in pool.values() for i in group))
    if isinstance(name, str) and name.endswith(("Ids", "Addresses", "LinkId")):
        return st.one_of(values, nested, json_junk)
    if name == "NextToken":
        return st.one_of(values, forged_tokens)
    return values


@functools.cache
def typed_values(kind: str) -> st.SearchStrategy[Value]:
    """Mostly valid values of the parameter's type, so calls reach the handlers' own rules."""
    if kind == "Boolean":
        return st.sampled_from(["true", "false", "True", "FALSE"])
    if kind in ("Integer", "Long"):
        return st.one_of(st.integers(-3, 130), st.integers(-(2**31), 2**31 - 1), st.sampled_from([65536, 65537])).map(
            str)
    if kind == "Float":
        return st.floats(-1e6, 1e6, allow_nan=False).map(repr)
    return st.nothing()


INDEXES = st.one_of(st.integers(1, 3).map(str), st.integers(0, 25).map(str), st.sampled_from(
    ["01", "-1", "99999999999999999999", "9" * 5000, "x", "\u00b2", "\u0661", "", " 1", "1.5", "1e2", "\uff11"]))


@functools.cache
def wire_names(action: str) -> st.SearchStrategy[str]:
    """A wire name of one of the action's metadata parameters (RepeatList members with an index).

    Three names in four are of parameters the handler reads (its @action declaration): those are
    where values are parsed; the others are type-checked by the gateway, then ignored or refused.
    """
    spec = router.ACTIONS[action]
    read: List[st.SearchStrategy[str]] = []
    choices: List[st.SearchStrategy[str]] = []
    for name, entry in params.table(action).items():
        if spec.allows(name) and name not in ("RegionId", "ClientToken"):
            read.append(_names_of(name, entry))
        choices.append(_names_of(name, entry))
    junk_names = st.one_of(texts, st.sampled_from(["Action", "Version", "Format", "RegionId", "ClientToken", "DryRun",
                                                   "Timestamp", "SignatureNonce", "AccessKeyId", "Signature",
                                                   "Tag", "Tag.", "Tag..Key", "Tag.1", "Tag.1.Key.1", "[", "=",
                                                   "&", "%", "a" * 5000]))
    real, handled = st.one_of(choices), st.one_of(read or choices)
    # One name in ten is junk, and three in four of the others are read by the handler.
    return st.integers(0, 39).flatmap(lambda n: junk_names if n < 4 else real if n < 13 else handled)


STRUCTURED = ("Ids", "Addresses", "LinkId", "NextToken", "Filter.1.Value", "Filter.2.Value", "timePoints",
              "repeatWeekdays", "TargetCopyRegions")
# Plausible values of the automatic snapshot policy actions' required lowerCamel parameters.
PLAUSIBLE = {"regionId": REGION, "timePoints": '["1","13"]', "repeatWeekdays": '["1","7"]', "retentionDays": "7",
             "DestinationRegionId": "cn-beijing", "DestinationSnapshotName": "copy-1",
             "DestinationSnapshotDescription": "a copy"}


def real_required(draw: Any, name: str, pool: Dict[str, List[str]]) -> Value:
    """A real value of a required parameter: an existing ID of its kind, or a plausible one."""
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    if name == "diskIds":
        return json.dumps(draw(st.lists(st.sampled_from(pool["Disk"]), min_size=1, max_size=2)))
    return draw(st.sampled_from(pool.get(name[:-2], []) or ["ecs.g7.large"]))


@functools.cache
def read_names(action: str) -> st.SearchStrategy[str]:
    """A wire name of a parameter the handler reads (or of any of the action's, if it reads none);
    those parsed as structured values (JSON lists, page tokens, times, lists) come up three times
    as often as plain ones."""
    spec = router.ACTIONS[action]
    table = params.table(action)
    read = [(n, e) for n, e in table.items() if spec.allows(n) and n not in ("RegionId", "ClientToken")]
    weighted = []
    for name, entry in read or list(table.items()):
        structured = name.endswith(STRUCTURED) or entry["type"] != "String"
        weighted += [_names_of(name, entry)] * (3 if structured else 1)
    return st.one_of(weighted)


def _names_of(name: str, entry: Dict[str, Any]) -> st.SearchStrategy[str]:
    """The wire names of one metadata parameter: ``Name``, ``Name.N``, ``Name.N.Sub``, ``Name.Field``."""
    kind = entry["type"]
    if kind == "RepeatList" and entry.get("sub"):
        return st.builds(lambda n, sub: f"{name}.{n}.{sub}", INDEXES, st.sampled_from(sorted(entry["sub"])))
    if kind == "RepeatList":
        return INDEXES.map(lambda n: f"{name}.{n}")
    if kind == "Struct":
        return st.sampled_from([name, f"{name}.Size", f"{name}.Category", f"{name}.{name}", f"{name}.",
                                f"{name}.Encrypted", f"{name}.KMSKeyId"])
    return st.just(name)


def type_of_wire(action: str, name: str) -> Optional[str]:
    kind = params.type_of(action, name)
    return kind if kind in ("Integer", "Long", "Boolean", "Float") else None


def sane_value(draw: Any, action: str, name: str, pool: Dict[str, List[str]]) -> Value:
    """A value the action may well accept: of the parameter's type, an existing ID (or a JSON
    list of them) for an ID, else one of the plausible strings among JUNK."""
    kind = type_of_wire(action, name)
    if kind is not None:
        return draw(typed_values(kind))
    ids = [i for group in pool.values() for i in group]
    if name.endswith("Id") and ids:
        return draw(st.sampled_from(ids))
    if name.endswith("Ids") and ids:
        return json.dumps(draw(st.lists(st.sampled_from(ids), max_size=3)))
    return draw(st.sampled_from(JUNK))


@st.composite
def business_params(draw: Any, action: str, pool: Dict[str, List[str]]) -> List[Tuple[Value, Value]]:
    """Half the time a focused call: the required parameters with real values and a few the handler
    reads, all plausible but one hostile value, so the hostile one gets deep into the handler.
    Otherwise chaos: required parameters now and then dropped, emptied or hostile, up to six
    others of any kind, several hostile values and some parameters duplicated."""
    if draw(st.booleans()):
        return draw(focused_params(action, pool))
    pairs: List[Tuple[Value, Value]] = []
    for name in router.ACTIONS[action].required:
        fate = draw(st.sampled_from(["real", "real", "real", "hostile", "drop", "empty"]))
        if fate == "drop":
            continue
        if name == "RegionId":
            value: Value = draw(st.sampled_from([REGION, REGION, REGION, "cn-beijing", "zz-nowhere-1"]))
        elif fate == "real":
            value = real_required(draw, name, pool)
        else:
            value = "" if fate == "empty" else draw(hostile_values(pool))
        pairs.append((name, value))
    names = draw(st.lists(wire_names(action), max_size=6))
    hostile = set(draw(st.lists(st.integers(0, max(0, len(names) - 1)), max_size=2))) if names else set()
    for n, name in enumerate(names):
        if n in hostile or draw(st.integers(0, 4)) == 0:
            value = draw(hostile_values(pool, name))
        else:
            value = sane_value(draw, action, name, pool)
        name_value: Value = name
        if draw(st.integers(0, 30)) == 0:
            name_value = name.encode("utf-8", "surrogatepass") + b"\xff"
        pairs.append((name_value, value))
    for _ in range(draw(st.integers(0, 2))):  # duplicated parameters, with other values
        if pairs:
            key = draw(st.sampled_from([k for k, _ in pairs]))
            pairs.insert(draw(st.integers(0, len(pairs))), (key, draw(hostile_values(pool))))
    return pairs


@st.composite
def focused_params(draw: Any, action: str, pool: Dict[str, List[str]]) -> List[Tuple[Value, Value]]:
    pairs: List[Tuple[Value, Value]] = []
    for name in router.ACTIONS[action].required:
        value = REGION if name == "RegionId" else real_required(draw, name, pool)
        pairs.append((name, value))
    names = list(dict.fromkeys(draw(st.lists(read_names(action), min_size=1, max_size=4))))
    focus = draw(st.integers(0, len(names) - 1))
    for n, name in enumerate(names):
        pairs.append((name, draw(hostile_values(pool, name)) if n == focus else sane_value(draw, action, name, pool)))
    return pairs


# --- checking an answer --------------------------------------------------------------------------
def check_answer(resp: HttpResponse, action: Optional[str],
                 host: Optional[str] = "ecs.aliyuncs.com") -> Tuple[bool, Dict[str, Any]]:
    """Assert ``resp`` is a well-formed API answer; (succeeded, its fields). ``host``: the HostId
    an error must name (None: any, for requests with a Host header of their own)."""
    assert isinstance(resp.status, int) and isinstance(resp.body, bytes)
    status = resp.status
    assert 200 <= status < 300 or 400 <= status < 500 or status == 501, (status, resp.body[:500])
    ctype = resp.headers.get("Content-Type")
    assert ctype in (JSON_TYPE, XML_TYPE), ctype
    if ctype == JSON_TYPE:
        doc = json.loads(resp.body.decode("utf-8"))
        assert isinstance(doc, dict)
        fields = doc
        if status >= 400:
            assert list(doc) == ERROR_KEYS, doc
    else:
        root = ET.fromstring(resp.body)  # strict: refuses characters XML cannot carry
        fields = {child.tag: child.text for child in root}
        if status >= 400:
            assert root.tag == "Error" and [c.tag for c in root] == ERROR_KEYS, resp.body[:500]
        else:
            assert root.tag == f"{action}Response", root.tag
    assert REQUEST_ID.match(fields["RequestId"] or ""), fields
    if status >= 400:
        code = fields["Code"]
        assert code and code != "InternalError", (status, fields)
        assert fields["Message"] and fields["HostId"] and fields["HostId"] == (host or fields["HostId"])
        assert fields["Recommend"] == (
            f"https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={fields['RequestId']}")
        assert (status == 501) == code.startswith("MockEcs."), (status, code)
    return status < 400, fields


_SPIED = "_checks_types"


@contextmanager
def typed_handlers() -> Iterator[None]:
    """Every handler asserts that no typed value it is given is malformed (nested: no-op)."""
    if any(getattr(spec.handler, _SPIED, False) for spec in router.ACTIONS.values()):
        yield
        return
    saved = dict(router.ACTIONS)

    def spy(spec: router.ActionSpec) -> router.ActionSpec:
        def handler(ctx: Any) -> Dict[str, Any]:
            bad = params.first_malformed(spec.name, ctx.params)
            assert bad is None, f"{spec.name} was handed a malformed {bad}={ctx.params[bad]!r}"
            return spec.handler(ctx)

        setattr(handler, _SPIED, True)
        return dataclasses.replace(spec, handler=handler)

    try:
        for name, spec in saved.items():
            router.ACTIONS[name] = spy(spec)
        yield
    finally:
        router.ACTIONS.clear()
        router.ACTIONS.update(saved)


def send_and_check(w: World, req: HttpRequest, action: Optional[str]) -> bool:
    """Send ``req``, check the answer, and that a refused call changed nothing (``w.state`` is the
    state before the call); a world that successful calls made too big is built anew."""
    with typed_handlers():
        resp = w.ecs.gateway.handle(req)
    own_host = any(k.lower() == "host" for k in req.headers)
    ok, fields = check_answer(resp, action, None if own_host else "ecs.aliyuncs.com")
    after = state_of(w.ecs)
    if not ok:
        assert after == w.state, f"a refused call ({fields.get('Code')}) changed the mock"
    w.state = after
    if w.grown():
        w.build()
    return ok


# --- the properties ---------------------------------------------------------------------------
@settings(HOSTILE, max_examples=PER_ACTION)
@given(st.data())
def hostile_parameters_to_every_action(first, data):
    RAN["calls"] += 1
    w = world()
    for step in range(data.draw(st.integers(1, 3))):
        action = first if step == 0 else data.draw(st.sampled_from(ACTIONS))
        business = data.draw(business_params(action, w.ids))
        fmt = data.draw(st.sampled_from(["JSON", "JSON", "JSON", "XML", "xml", "json", None, "yaml", "\x00"]))
        method = data.draw(st.sampled_from(["GET", "POST"]))
        where = "query" if method == "GET" else data.draw(st.sampled_from(["query", "form", "split"]))
        raw = data.draw(st.integers(0, 9)) == 0
        send_and_check(w, request(method, action, business, fmt=fmt, where=where, raw=raw), action)


@pytest.mark.parametrize("first", ACTIONS)
def test_hostile_parameters_to_every_action(first):
    """One to three calls with hostile parameters, one after the other: first of ``first`` (so
    every action gets its share of examples), then of any action."""
    ran_all("calls", PER_ACTION, hostile_parameters_to_every_action, first)


RAW_HEADERS = st.dictionaries(
    st.sampled_from(["Content-Type", "Authorization", "Host", "Accept", "x-acs-action", "x-acs-version",
                     "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "X-Junk", "\x00", "é"]),
    st.one_of(st.text(max_size=60), st.sampled_from([
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
        "application/json", "multipart/form-data; boundary=x", "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,"
        "Signature=00", "ACS3-HMAC-SHA256", "ecs.aliyuncs.com", "ecs.cn-hangzhou.aliyuncs.com", "location.x",
        "DescribeSnapshots", "RunInstances", "2014-05-26", "2999-01-01T00:00:00Z", "\ud800", "a" * 10_000])),
    max_size=5,
)


@settings(HOSTILE, max_examples=EXAMPLES["raw"])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "get", "", "G\x00T", "POST "]),
       action=st.one_of(st.sampled_from(ACTIONS), st.sampled_from(["", "NoSuchAction", "CreateVpc", "\udcff"]),
                        texts),
       query=st.one_of(texts, st.binary(max_size=200).map(lambda b: b.decode("latin-1")), huge,
                       st.sampled_from(["&&&", "=&=", "%", "%zz", "a=%FF%FE&b", "\udcff=\ud800", "#frag", "?a=1",
                                        "DataDisk.\udcff.Size=1", "Tag.\ud800.Key=k", "AdditionalAttributes.\udcff=x",
                                        "RegionId=cn-hangzhou&DiskIds=%5B%5B%5B", "Format=XML"])),
       body=st.one_of(st.binary(max_size=300), huge.map(lambda s: s.encode("utf-8", "surrogatepass"))),
       headers=RAW_HEADERS, signed_common=st.booleans())
def hostile_raw_requests(method, action, query, body, headers, signed_common):
    RAN["raw"] += 1
    w = world()
    head = encode(common("JSON") + [("Action", action)]) if signed_common else ""
    req = HttpRequest(method, f"{CENTRAL}?{head}&{query}", headers, body)
    send_and_check(w, req, action)


def test_hostile_raw_requests():
    """Garbage at the HTTP level: any method, query text (surrogates too), body bytes and headers."""
    ran_all("raw", EXAMPLES["raw"], hostile_raw_requests)


# Every parameter of every action gets each of these (besides the random ones above): hypothesis
# finds a rare shape only now and then, this finds it on every run.
MATRIX: List[Value] = [
    "", " ", "\x00", "\x01\x1b\x7f", "\r\n", "\ufeff", "\U0001f600", "\u00e9" * 3, "\u0661\u0662", "\u00b2",
    b"\xff\xfe", b"\xc3", "\ud800", "a" * 100_000, "\u00e9" * 5_000, "[" * 20_000, "[" * 990 + "]" * 990,
    "{" * 5_000, '{"a":' * 2_000, json.dumps(["x"] * 500), json.dumps([["s-1"]]), "null", "[1]", '[{"a": 1}]', "['a'",
    "-1", "0", "-0", "+7", "2147483648", "99999999999999999999", "9" * 5_000, "-" + "9" * 5_000, "1e309", "NaN",
    "true", "FALSE", "%FF", "&=", "2999-99-99T99:99:99Z", "2024-01-01T00:00Z", "<x>]]>&amp;", "http://x",
    "acs:aliyun", forged_token('["DescribeSnapshots",1,"x",0]|\u00e9'), forged_token('"abcd"|x'),
    forged_token("[" * 5_000 + "|x"),
]
# What a parameter the handler does not read gets (the gateway type-checks it, then it is ignored,
# or refused by a strict action): the shapes that matter to a type check.
MATRIX_UNREAD: List[Value] = ["", "\x00", b"\xff\xfe", "\ud800", "-1", "9" * 5_000, "1e309", "TRUE", "[1]", "%FF",
                              "\u0661"]
INDEX_VARIANTS = ["1", "0", "21", "x", "\u00b2", "\udcff", "9" * 5_000]


def matrix_names(action: str) -> List[str]:
    """Every metadata parameter of the action as wire names; RepeatList members with N=1, and the
    first of them with odd indexes as well."""
    out: List[str] = []
    for name, entry in params.table(action).items():
        if entry["type"] == "RepeatList" and entry.get("sub"):
            subs = sorted(entry["sub"])
            out += [f"{name}.1.{sub}" for sub in subs] + [f"{name}.{n}.{subs[0]}" for n in INDEX_VARIANTS[1:]]
        elif entry["type"] == "RepeatList":
            out += [f"{name}.{n}" for n in INDEX_VARIANTS]
        else:
            out.append(name)
    return out


@pytest.mark.parametrize("action", ACTIONS)
def test_every_parameter_of_every_action_takes_every_hostile_value(action):
    """Each metadata parameter of the action, alone with the real required ones, gets each value of
    MATRIX (MATRIX_UNREAD if the handler does not read it, or it is a list member with an odd
    index, which the handler refuses before reading its value), in turn in the query (JSON), in a form
    body (XML) and as raw text in the URL (lone surrogates stay there, as a transport may hand
    over undecodable text)."""
    w = World()
    spec = router.ACTIONS[action]
    required = [(n, REGION if n == "RegionId" else w.ids.get(n[:-2], ["ecs.g7.large"])[0]) for n in spec.required]
    with typed_handlers():
        for name in matrix_names(action):
            read = spec.allows(name) and (name.count(".") < 2 or name.split(".")[1] == "1")
            for n, value in enumerate(MATRIX if read else MATRIX_UNREAD):
                business = [(k, v) for k, v in required if k != name] + [(name, value)]
                post = n % 3 == 1
                req = request("POST" if post else "GET", action, business, fmt="XML" if post else "JSON",
                              where="form" if post else "query", raw=n % 3 == 2)
                send_and_check(w, req, action)


def test_known_bugs_found_by_the_property_tests_stay_fixed():
    """Each of these answered InternalError or raised out of the gateway before they were fixed."""
    w = World()
    cases: List[Tuple[str, List[Tuple[Value, Value]]]] = [
        ("CreateSnapshot", [("DiskId", "d-x"), ("Tag.\u00b2.Key", "k")]),       # "²".isdigit(), int() refuses
        ("CreateSnapshot", [("DiskId", "d-x"), ("Tag." + "9" * 5000 + ".Key", "k")]),  # int() past 4300 digits
        ("DescribeSnapshots", [("RegionId", REGION), ("SnapshotIds", "[" * 100_000)]),  # RecursionError
        ("DescribeDisks", [("RegionId", REGION), ("DiskIds", "[" * 50_000 + "]" * 50_000)]),
        ("DescribeSnapshots", [("RegionId", REGION), ("NextToken", base64.urlsafe_b64encode(
            '["DescribeSnapshots",1,"x",0]|\u00e9'.encode()).decode())]),  # compare_digest of non-ASCII
        ("RunInstances", [("RegionId", REGION), ("ImageId", IMAGE), ("InstanceType", "ecs.g7.large"),
                          ("SystemDisk.Size", "\u0664\u0660")]),               # Arabic-Indic "40"
        ("RunInstances", [("RegionId", REGION), ("ImageId", IMAGE), ("InstanceType", "ecs.g7.large"),
                          ("DataDisk.\x01.Size", "20")]),                      # echoed in an XML error
    ]
    for action, business in cases:
        for fmt in ("JSON", "XML"):
            assert not send_and_check(w, request("GET", action, business, fmt=fmt), action), (action, business)
    # Lone surrogates in a URL (a transport handing over undecodable text) and in a header.
    url = (f"{CENTRAL}?{encode(common('JSON'))}&Action=RunInstances&DataDisk.\udcff.Size=1"
           f"&RegionId={REGION}&ImageId={IMAGE}&InstanceType=ecs.g7.large")
    req = HttpRequest("GET", url, {"Host": "ecs\ud800"}, b"")
    assert not send_and_check(w, req, "RunInstances")
    # A description with control characters renders as well-formed XML later.
    snap = w.ok("CreateSnapshot", DiskId=w.ids["Disk"][1], Description="a\x01b\x1bc")["SnapshotId"]
    assert send_and_check(w, request("GET", "DescribeSnapshots", [("RegionId", REGION), ("SnapshotIds", f'["{snap}"]')],
                                     fmt="XML"), "DescribeSnapshots")
    assert w.ecs.snapshot(snap)["Description"] == "a\x01b\x1bc"


@settings(HOSTILE, max_examples=EXAMPLES["sdkcore"])
@given(data=st.data())
def hostile_parameters_through_aliyunsdkcore(data):
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    RAN["sdkcore"] += 1
    action = data.draw(st.sampled_from(ACTIONS))
    with MockEcs(**FAST) as ecs:
        pool = {"Instance": ["i-bp1nosuchinstance000"], "Disk": ["d-bp1nosuchdisk0000000"]}
        business = data.draw(business_params(action, pool))
        # The client sends text: undecodable bytes and surrogates are a transport matter.
        pairs = [(_text(k), _text(v).encode("utf-8", "replace").decode("utf-8")) for k, v in business
                 if isinstance(k, str)]
        driver = SdkCoreDriver()
        req = driver.request(action)
        for key, value in pairs:
            if "\x00" not in key and "\x00" not in value:
                req.add_query_param(key, value)
        before = state_of(ecs)
        with typed_handlers():
            try:
                out = json.loads(driver.client.do_action_with_exception(req))
            except ServerException as e:
                assert 400 <= e.get_http_status() < 500 or e.get_http_status() == 501, e
                assert e.get_error_code() and e.get_error_code() != "InternalError", e
                assert e.get_error_msg() and REQUEST_ID.match(e.get_request_id())
                assert state_of(ecs) == before
            else:
                assert REQUEST_ID.match(out["RequestId"])


def test_hostile_parameters_through_aliyunsdkcore():
    """The client parses every such answer: a result, or a ServerException with its fields."""
    ran_all("sdkcore", EXAMPLES["sdkcore"], hostile_parameters_through_aliyunsdkcore)


def test_enough_examples_ran():
    """At least 2,000 hostile examples per run: each property test above checks that hypothesis
    ran every example it asks for (so this holds in any order, and under pytest-xdist, where the
    tests of this file are spread over processes)."""
    assert PER_ACTION * len(ACTIONS) + EXAMPLES["raw"] + EXAMPLES["sdkcore"] >= 2000
