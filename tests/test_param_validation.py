"""Parameter validation from the official metadata (issue 4).

- ``mock_ecs/data/params.json`` is exactly what ``derive_params.py`` derives from the shared
  metadata, sub-parameter types of RepeatLists included;
- every built action's required parameters (and whether it needs a region) come from that
  table, and a missing one answers ``Missing<Name>`` (400, "<Name> is mandatory for this action.");
- every typed value (Integer, Long, Boolean, Float; top level and inside RepeatLists) of the
  wrong type answers ``InvalidParameter`` naming the wire parameter, before any handler runs,
  and changes nothing; well-typed values pass the check;
- ranges and enumerations documented for the actions answer the action's own codes;
- methods other than GET and POST answer ``UnsupportedHTTPMethod`` (403).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import quote, urlencode

import pytest
import requests
import xmltodict

from conftest import IMAGE, REGION, SdkCoreDriver, expect_error, run_instance
from mock_ecs import MockEcs, params, registry, router
from mock_ecs.data import derive_params
from mock_ecs.wire import HttpRequest

ROOT = Path(__file__).resolve().parent.parent
# The metadata of the built actions, as the official files have it less their descriptions
# (tests/data/meta-en-US), so the table's test needs nothing outside the repository.
META_EXCERPT = ROOT / "tests" / "data" / "meta-en-US"
# The whole metadata, in the shared reference beside the repository when there is one.
META_DIR = ROOT.parent / "shared" / "reference" / "ecs-api" / "meta" / "en-US"
CENTRAL = "https://ecs.aliyuncs.com/"
MANDATORY = "{} is mandatory for this action."
NOT_VALID = 'The specified parameter "{}" is not valid.'

# A plausible value for each required parameter, so that a request gets past the others.
SAMPLE = {
    "RegionId": REGION, "DiskId": "d-bp1nosuchdisk0000000", "InstanceId": "i-bp1nosuchinstance000",
    "SnapshotId": "s-bp1nosuchsnapshot000", "ImageId": "m-bp1nosuchimage000000", "InstanceType": "ecs.g7.large",
    # The automatic snapshot policy actions' lowerCamel parameters.
    "regionId": REGION, "timePoints": '["1"]', "repeatWeekdays": '["1"]', "retentionDays": "7",
    "autoSnapshotPolicyId": "sp-bp1nosuchpolicy00000", "diskIds": '["d-bp1nosuchdisk0000000"]',
}
# Values that are not of the type, and values that are (all within the type's bounds).
BAD = {
    "Integer": ["abc", "1.5", "1e3", " 7", "7 ", "7\n", "0x10", "1_000", "\u0661\u0662", "\u00b2", "--1", "+", "-",
                "2147483648", "-2147483649", "9" * 5000, "true", "[1]"],
    "Long": ["abc", "1.0", "9223372036854775808", "-9223372036854775809", "\uff11", "9" * 5000],
    "Boolean": ["yes", "no", "1", "0", "t", "truee", " true", "true\n", "[true]", "\u0074rue\u200b"],
    "Float": ["abc", "nan", "NaN", "inf", "-Infinity", "1e999", "0x1p3", "1,5", "1.5f", "\u0661.5", "1e", "."],
}
GOOD = {
    "Integer": ["0", "7", "-1", "+5", "007", "2147483647", "-2147483648"],
    "Long": ["0", "-7", "9223372036854775807", "-9223372036854775808"],
    "Boolean": ["true", "false", "TRUE", "False", "tRuE"],
    "Float": ["0", "0.5", "-2.", ".5", "1e3", "1.5E-3", "+7"],
}
SCALARS = tuple(BAD)


def common(fmt: str = "JSON") -> Dict[str, str]:
    """Common parameters of an unregistered key: the signature is not checked."""
    return {
        "Version": "2014-05-26", "AccessKeyId": "LTAIparamtests", "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex, "Signature": "unchecked",
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "Format": fmt,
    }


def send(ecs: MockEcs, action: str, business: Dict[str, str], method: str = "GET",
         fmt: str = "JSON") -> Tuple[int, Dict[str, Any]]:
    """One call through the gateway: (status, parsed body)."""
    query = urlencode({**common(fmt), "Action": action, **business}, quote_via=quote)
    resp = ecs.gateway.handle(HttpRequest(method, f"{CENTRAL}?{query}", {}, b""))
    if fmt == "JSON":
        return resp.status, json.loads(resp.body)
    doc = xmltodict.parse(resp.body)
    return resp.status, next(iter(doc.values()))


def required_sample(action: str) -> Dict[str, str]:
    return {name: SAMPLE.get(name, "x") for name in router.ACTIONS[action].required}


def typed_parameters(action: str) -> List[Tuple[str, str]]:
    """(wire name, type) of every scalar-typed parameter of ``action``, RepeatList members as N=1."""
    out: List[Tuple[str, str]] = []

    def walk(entries: Dict[str, Any], prefix: str) -> None:
        for name, entry in entries.items():
            if entry["type"] in SCALARS:
                out.append((prefix + name, entry["type"]))
            elif entry["type"] == "RepeatList" and entry.get("sub"):
                walk(entry["sub"], f"{prefix}{name}.1.")

    walk(params.table(action), "")
    return out


def state_of(ecs: MockEcs) -> str:
    """Every resource, index and token of the mock, to show a refused call changed nothing."""
    out = {}
    for acct_id, acct in ecs.backend.accounts.items():
        regions = {}
        for region_id, state in acct.regions.items():
            regions[region_id] = {kind: sorted(getattr(state, kind)) for kind in ("instances", "disks", "snapshots",
                                                                                   "images")}
        out[acct_id] = {"regions": regions, "where": sorted(acct.where), "tokens": sorted(map(repr, acct.tokens))}
    return repr(out)


ACTIONS = sorted(router.ACTIONS)
TYPED_CASES = [(action, name, kind) for action in ACTIONS for name, kind in typed_parameters(action)]
REQUIRED_CASES = [(action, name) for action in ACTIONS for name in router.ACTIONS[action].required]


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Wrap every handler: it records its action and asserts it sees no malformed typed value."""
    calls: List[str] = []

    def spy(spec: router.ActionSpec) -> router.ActionSpec:
        def handler(ctx: Any) -> Dict[str, Any]:
            assert params.first_malformed(spec.name, ctx.params) is None, ctx.params
            calls.append(spec.name)
            return spec.handler(ctx)

        return router.ActionSpec(spec.name, handler, spec.required, spec.needs_region, spec.params, spec.strict)

    for name, spec in list(router.ACTIONS.items()):
        monkeypatch.setitem(router.ACTIONS, name, spy(spec))
    return calls


@pytest.fixture
def world() -> Iterator[Tuple[MockEcs, Dict[str, str]]]:
    """A mock (driven through its gateway only) with one running instance and its system disk."""
    ecs = MockEcs(initialization_seconds=0, snapshot_min_seconds=0, snapshot_seconds_per_gib=0)
    status, body = send(ecs, "RunInstances", {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large"})
    assert status == 200, body
    instance = body["InstanceIdSets"]["InstanceIdSet"][0]
    status, body = send(ecs, "DescribeDisks", {"RegionId": REGION, "InstanceId": instance})
    yield ecs, {"InstanceId": instance, "DiskId": body["Disks"]["Disk"][0]["DiskId"]}


# --- the table -------------------------------------------------------------------------------
def _without_descriptions(value: Any) -> Any:
    """How tests/data/meta-en-US was made from the official files: prose out, facts kept."""
    if isinstance(value, dict):
        return {k: _without_descriptions(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [_without_descriptions(v) for v in value]
    return value


def test_params_json_is_exactly_what_the_script_derives_from_the_metadata():
    derived = derive_params.render(derive_params.derive(META_EXCERPT, router.ACTIONS))
    assert (ROOT / "mock_ecs" / "data" / "params.json").read_text(encoding="utf-8") == derived
    assert set(json.loads(derived)) == set(router.ACTIONS)
    assert sorted(p.stem for p in META_EXCERPT.glob("*.json")) == sorted(router.ACTIONS)
    # Where the whole metadata lies beside the repository (a clone with shared/, as in CI), the
    # excerpt is also checked against it: it is that metadata less its descriptions.
    if META_DIR.is_dir():
        for path in sorted(META_EXCERPT.glob("*.json")):
            official = json.loads((META_DIR / path.name).read_text(encoding="utf-8"))
            assert json.loads(path.read_text(encoding="utf-8")) == _without_descriptions(official), path.name
        assert derive_params.render(derive_params.derive(META_DIR, router.ACTIONS)) == derived


def test_the_table_keeps_the_types_of_repeat_list_sub_parameters():
    run = params.table("RunInstances")
    assert run["DataDisk"]["type"] == "RepeatList"
    assert run["DataDisk"]["sub"]["Size"] == {"type": "Integer"}
    assert run["DataDisk"]["sub"]["DeleteWithInstance"] == {"type": "Boolean"}
    assert run["DataDisk"]["sub"]["ProvisionedIops"] == {"type": "Long"}
    assert run["NetworkInterface"]["sub"]["SecurityGroupIds"] == {"type": "RepeatList"}
    assert params.table("CreateSnapshot")["Tag"]["sub"]["Key"] == {"type": "String"}
    assert params.table("CreateImage")["DiskDeviceMapping"]["sub"]["Size"] == {"type": "Integer"}
    # Wire names resolve to their types, however deep.
    assert params.type_of("RunInstances", "DataDisk.3.Size") == "Integer"
    assert params.type_of("RunInstances", "NetworkInterface.2.QueuePairNumber") == "Long"
    assert params.type_of("RunInstances", "NetworkInterface.2.SecurityGroupIds.4") == "String"
    assert params.type_of("RunInstances", "SecurityGroupIds.7") == "String"
    assert params.type_of("CreateInstance", "SystemDisk.Size") == "Integer"
    # The metadata has SystemDisk.Size as a String for RunInstances: the action checks it.
    assert params.type_of("RunInstances", "SystemDisk.Size") == "String"
    assert params.type_of("RunInstances", "DataDisk.x.Size") is None
    assert params.type_of("CreateSnapshot", "Amount") is None


def test_every_type_the_metadata_uses_has_a_check():
    assert params.types_used() <= set(params.CHECKS), params.types_used() - set(params.CHECKS)
    assert params.types_used() >= {"String", "Integer", "Long", "Boolean", "Float", "RepeatList", "Struct"}


def test_required_parameters_and_regions_come_from_the_metadata():
    for action, spec in router.ACTIONS.items():
        table = params.table(action)
        assert set(spec.required) == {n for n, e in table.items() if e.get("required")}, action
        assert spec.needs_region == bool(table.get("RegionId", {}).get("required")), action
        assert spec.required[:1] == ("RegionId",) or "RegionId" not in spec.required
    # FACTS.md section 1: what the metadata marks required.
    assert router.ACTIONS["RunInstances"].required == ("RegionId",)
    assert router.ACTIONS["CreateInstance"].required == ("RegionId", "InstanceType")
    assert router.ACTIONS["DeleteImage"].required == ("RegionId", "ImageId")
    assert router.ACTIONS["AttachDisk"].required == ("DiskId", "InstanceId")
    assert router.ACTIONS["CreateSnapshot"].required == ("DiskId",)
    assert not router.ACTIONS["CreateSnapshot"].needs_region


def test_an_action_without_metadata_cannot_be_registered():
    with pytest.raises(LookupError):
        registry.action("NoSuchEcsAction")


# --- required parameters -----------------------------------------------------------------------
@pytest.mark.parametrize("action,name", REQUIRED_CASES)
@pytest.mark.parametrize("value", [None, ""])
def test_every_required_parameter_answers_missing(action, name, value):
    ecs = MockEcs()
    business = required_sample(action)
    if value is None:
        del business[name]
    else:
        business[name] = value
    status, body = send(ecs, action, business)
    assert (status, body["Code"], body["Message"]) == (400, f"Missing{name}", MANDATORY.format(name))
    assert state_of(ecs) == repr({})


def test_missing_beats_a_malformed_value():
    status, body = send(MockEcs(), "CreateSnapshot", {"RetentionDays": "x"})
    assert (status, body["Code"]) == (400, "MissingDiskId")


# --- types ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("action,name,kind", TYPED_CASES, ids=[f"{a}-{n}" for a, n, _ in TYPED_CASES])
def test_every_typed_parameter_refuses_a_value_of_another_type(world, action, name, kind):
    ecs, known = world
    before = state_of(ecs)
    business = {**required_sample(action), **{k: v for k, v in known.items() if k in required_sample(action)}}
    for bad in BAD[kind]:
        status, body = send(ecs, action, {**business, name: bad})
        assert (status, body["Code"], body["Message"]) == (400, "InvalidParameter", NOT_VALID.format(name)), bad
    assert state_of(ecs) == before


@pytest.mark.parametrize("action,name,kind", TYPED_CASES, ids=[f"{a}-{n}" for a, n, _ in TYPED_CASES])
def test_every_typed_parameter_takes_a_value_of_its_type(action, name, kind, handled):
    ecs = MockEcs()
    for good in GOOD[kind]:
        handled.clear()
        status, body = send(ecs, action, {**required_sample(action), name: good})
        # It may fail later, in the handler (unknown resource, out of range): never before it.
        assert handled == [action], (good, body)
        assert status != 500, body


def test_type_checks_of_the_parameters_module():
    assert params.parse_int("-2147483648") == -(2**31)
    assert params.parse_int("2147483648") is None
    assert params.parse_int("2147483648", params.INT64) == 2**31
    assert params.parse_int("1" * 100, None) is None
    for kind, values in GOOD.items():
        check = params.CHECKS[kind]
        assert check is not None and all(check(v) for v in values), kind
    for kind, values in BAD.items():
        check = params.CHECKS[kind]
        assert check is not None and not any(check(v) for v in values), kind


def test_an_empty_typed_value_is_an_absent_one(world):
    ecs, known = world
    status, body = send(ecs, "CreateSnapshot", {"DiskId": known["DiskId"], "RetentionDays": "", "InstantAccess": ""})
    assert status == 200, body
    assert "RetentionDays" not in ecs.snapshot(body["SnapshotId"])


def test_the_first_malformed_parameter_in_request_order_is_named(world):
    ecs, known = world
    status, body = send(ecs, "CreateSnapshot", {"DiskId": known["DiskId"], "InstantAccess": "maybe",
                                                "RetentionDays": "x"})
    assert body["Message"] == NOT_VALID.format("InstantAccess")


def test_a_type_is_checked_even_where_the_mock_ignores_the_parameter(world):
    """InstantAccessRetentionDays is accepted but not modelled; a non-Integer is still refused."""
    ecs, known = world
    status, body = send(ecs, "CreateSnapshot", {"DiskId": known["DiskId"], "InstantAccessRetentionDays": "soon"})
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert ecs.ids("snapshots") == []


def test_unknown_parameters_are_not_type_checked(world):
    ecs, known = world
    status, body = send(ecs, "CreateSnapshot", {"DiskId": known["DiskId"], "Amount": "many", "Force": "perhaps"})
    assert status == 200, body


def test_sub_parameters_in_repeat_lists_are_type_checked(world):
    ecs, _ = world
    run = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large"}
    for name, bad in (("DataDisk.1.Size", "big"), ("DataDisk.2.DeleteWithInstance", "sometimes"),
                      ("NetworkInterface.1.QueuePairNumber", "1.5"), ("Arn.1.AssumeRoleFor", "me"),
                      ("DataDisk.01.Size", "x")):
        status, body = send(ecs, "RunInstances", {**run, name: bad})
        assert (status, body["Code"], body["Message"]) == (400, "InvalidParameter", NOT_VALID.format(name))
    status, body = send(ecs, "CreateImage", {"RegionId": REGION, "DiskDeviceMapping.1.Size": "huge"})
    assert body["Message"] == NOT_VALID.format("DiskDeviceMapping.1.Size")
    assert ecs.ids("instances") and len(ecs.ids("instances")) == 1


def test_type_errors_through_the_clients(client, ecs):
    expect_error(lambda: client.call("CreateSnapshot", DiskId="d-x", RetentionDays="7d"),
                 "InvalidParameter", NOT_VALID.format("RetentionDays"), 400)
    expect_error(lambda: client.call("DescribeInstances", RegionId=REGION, NeedSaleCycle="yes"),
                 "InvalidParameter", NOT_VALID.format("NeedSaleCycle"), 400)
    expect_error(lambda: run_instance(client, SpotPriceLimit="cheap"),
                 "InvalidParameter", NOT_VALID.format("SpotPriceLimit"), 400)
    expect_error(lambda: run_instance(client, **{"DataDisk.1.Size": "40GiB"}),
                 "InvalidParameter", NOT_VALID.format("DataDisk.1.Size"), 400)
    expect_error(lambda: client.call("DescribeImages", RegionId=REGION, ImageOwnerId="1" * 20),
                 "InvalidParameter", NOT_VALID.format("ImageOwnerId"), 400)
    assert ecs.ids("instances") == ecs.ids("snapshots") == []


def test_handlers_see_only_well_typed_values(world, handled):
    """Every handler is wrapped (fixture ``handled``): it asserts that no typed value it is given
    is malformed. Whatever is sent, no handler is called with one."""
    ecs, known = world
    for action, name, kind in TYPED_CASES:
        business = {**required_sample(action), **{k: v for k, v in known.items() if k in required_sample(action)}}
        for value in BAD[kind][:3] + GOOD[kind][:2]:
            status, _ = send(ecs, action, {**business, name: value})
            assert status != 500
    assert set(handled) == {action for action, _, _ in TYPED_CASES}


# --- ranges and enumerations: the actions' own codes ---------------------------------------------------
def test_amount_is_1_to_100(client, ecs):
    for amount in (0, 101, -5):
        expect_error(lambda amount=amount: run_instance(client, Amount=amount),
                     "InvalidParam.Amount", "The specified parameter Amount is not valid.", 403)
    assert ecs.ids("instances") == []
    out = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large", Amount=100)
    assert len(out["InstanceIdSets"]["InstanceIdSet"]) == 100


def test_min_amount_is_1_to_100_and_at_most_amount(client, ecs):
    for extra in ({"MinAmount": 0}, {"MinAmount": 101, "Amount": 100}, {"MinAmount": 3, "Amount": 2},
                  {"MinAmount": 2}):
        expect_error(lambda extra=extra: run_instance(client, **extra),
                     "InvalidMinAmount.Malformed", "The specified parameter MinAmount is not valid.", 400)
    assert ecs.ids("instances") == []
    out = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large", Amount=3,
                      MinAmount=2)
    # The mock never runs short of resources: always the desired Amount.
    assert len(out["InstanceIdSets"]["InstanceIdSet"]) == 3


def test_performance_levels(client, ecs):
    expect_error(lambda: client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-h", Size=40,
                                     DiskCategory="cloud_essd", PerformanceLevel="PL9"),
                 "InvalidPerformanceLevel.Malformed", "The specified parameter PerformanceLevel is not valid.", 400)
    expect_error(lambda: run_instance(client, **{"SystemDisk.PerformanceLevel": "pl1"}),
                 "InvalidParameter", NOT_VALID.format("SystemDisk.PerformanceLevel"), 400)
    expect_error(lambda: run_instance(client, **{"DataDisk.1.Size": 40, "DataDisk.1.PerformanceLevel": "PL4"}),
                 "InvalidParameter", NOT_VALID.format("DataDisk.1.PerformanceLevel"), 400)
    assert ecs.ids("disks") == [] and ecs.ids("instances") == []
    disk_id = client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-h", Size=40, DiskCategory="cloud_essd",
                          PerformanceLevel="PL2")["DiskId"]
    assert ecs.disk(disk_id)["PerformanceLevel"] == "PL2"
    instance = run_instance(client, **{"SystemDisk.Category": "cloud_essd", "SystemDisk.PerformanceLevel": "PL0"})
    levels = {d["Type"]: d["PerformanceLevel"] for d in client.call(
        "DescribeDisks", RegionId=REGION, InstanceId=instance)["Disks"]["Disk"]}
    assert levels == {"system": "PL0"}


# --- HTTP methods -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO"])
def test_other_http_methods_are_unsupported(method):
    ecs = MockEcs()
    for fmt in ("JSON", "XML"):
        status, body = send(ecs, "DescribeSnapshots", {"RegionId": REGION}, method=method, fmt=fmt)
        assert (status, body["Code"], body["Message"]) == (
            403, "UnsupportedHTTPMethod", "This HTTP method is not supported.")
        assert body["HostId"] == "ecs.aliyuncs.com" and body["RequestId"]


def test_get_and_post_are_supported():
    ecs = MockEcs()
    for method in ("GET", "POST", "get", "post"):
        status, body = send(ecs, "DescribeSnapshots", {"RegionId": REGION}, method=method)
        assert status == 200, body


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_unsupported_method_through_requests(ecs, method):
    resp = requests.request(method, CENTRAL, params={**common(), "Action": "CreateSnapshot", "DiskId": "d-x"})
    assert resp.status_code == 403
    body = resp.json()
    assert (body["Code"], body["Message"]) == ("UnsupportedHTTPMethod", "This HTTP method is not supported.")
    assert ecs.calls[-1].code == "UnsupportedHTTPMethod"


def test_head_is_unsupported_too(ecs):
    resp = requests.head(CENTRAL, params={**common(), "Action": "DescribeSnapshots", "RegionId": REGION})
    assert (resp.status_code, resp.content) == (403, b"")  # an answer to HEAD has no body
    assert ecs.calls[-1].code == "UnsupportedHTTPMethod"


def test_unsupported_method_through_sdkcore(ecs):
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    driver = SdkCoreDriver()
    req = driver.request("DescribeSnapshots", RegionId=REGION)
    req.set_method("PUT")
    with pytest.raises(ServerException) as info:
        driver.client.do_action_with_exception(req)
    assert (info.value.get_http_status(), info.value.get_error_code(), info.value.get_error_msg()) == (
        403, "UnsupportedHTTPMethod", "This HTTP method is not supported.")
