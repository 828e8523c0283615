"""Saved states: a prepared region saved through real clients, loaded back, and the scenario goes on
as if nothing happened; malformed and foreign states are refused with a clear StateError and change
nothing; the same over HTTP and at start (``state=``, ``--state``).
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from freezegun import freeze_time

from conftest import REGION, ApiError, SdkCoreDriver, expect_error, run_instance, system_disk
from mock_ecs import MockEcs, StateError, mock_ecs
from mock_ecs.models import Disk, Image, Instance, Snapshot
from mock_ecs.server import ThreadedMockServer
from mock_ecs.state import FORMAT, VERSION, dump_state, load_state

OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT = "LTAIotherAccount", "otherSecret", "1111111111111111"
FIXTURE = Path(__file__).parent / "data" / "state_region.json"
REPO = Path(__file__).resolve().parent.parent


# --- a prepared region -----------------------------------------------------------------------
def zone_of(client: SdkCoreDriver, instance_id: str) -> str:
    out = client.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([instance_id]))
    return str(out["Instances"]["Instance"][0]["ZoneId"])


def prepare(ecs: MockEcs, client: SdkCoreDriver) -> Dict[str, str]:
    """Instances, disks (one attached, one from a snapshot), snapshots (one deleted, one 40% done),
    an image, tags, a lock, ClientTokens, a second account with its own flag and key."""
    web = run_instance(client, ClientToken="run-web", InstanceName="web", InternetMaxBandwidthOut=5,
                       **{"Tag.1.Key": "team", "Tag.1.Value": "blue"})
    db = run_instance(client, InstanceName="db")
    zone = zone_of(client, web)
    data = client.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=100, DiskName="data",
                       ClientToken="disk-data")["DiskId"]
    client.call("AttachDisk", DiskId=data, InstanceId=web)
    ecs.advance_clock(3600)
    root = system_disk(client, web)
    first = client.call("CreateSnapshot", DiskId=root, ClientToken="nightly-1", SnapshotName="first",
                        RetentionDays=30)["SnapshotId"]
    gone = client.call("CreateSnapshot", DiskId=system_disk(client, db))["SnapshotId"]
    ecs.advance_clock(600)
    client.call("DeleteSnapshot", SnapshotId=gone)  # its chain stays known
    image = client.call("CreateImage", RegionId=REGION, SnapshotId=first, ImageName="golden")["ImageId"]
    restored = client.call("CreateDisk", RegionId=REGION, ZoneId=zone, SnapshotId=first)["DiskId"]
    ecs.set_disk_data_size(data, 400)  # 600 s per snapshot
    running = client.call("CreateSnapshot", DiskId=data, SnapshotName="big")["SnapshotId"]
    ecs.advance_clock(240)  # 40% done
    ecs.lock_instance(db, "financial")
    ecs.register_access_key(OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT)
    other = SdkCoreDriver(ak=OTHER_KEY, secret=OTHER_SECRET)
    theirs = run_instance(other, ClientToken="run-web")  # the same token, another account
    ecs.set_account_status(not_enough_balance=True, account_id=OTHER_ACCOUNT)
    return {"web": web, "db": db, "data": data, "root": root, "first": first, "gone": gone, "image": image,
            "restored": restored, "running": running, "theirs": theirs}


def without_request_ids(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: without_request_ids(v) for k, v in doc.items() if k != "RequestId"}
    if isinstance(doc, list):
        return [without_request_ids(v) for v in doc]
    return doc


def walk(client: SdkCoreDriver, action: str, key: str, item: str, id_key: str) -> List[str]:
    """Every ID through NextToken pages of one."""
    seen: List[str] = []
    token = ""
    while True:
        params: Dict[str, Any] = {"RegionId": REGION, "MaxResults": 10 if action != "DescribeSnapshots" else 1}
        if token:
            params["NextToken"] = token
        out = client.call(action, **params)
        seen += [x[id_key] for x in out[key][item]]
        token = out.get("NextToken", "")
        if not token:
            return seen


def observe(client: SdkCoreDriver) -> Dict[str, Any]:
    """What the clients see of the region: every Describe answer, and the NextToken walk order."""
    return {
        "instances": without_request_ids(client.call("DescribeInstances", RegionId=REGION, PageSize=100)),
        "disks": without_request_ids(client.call("DescribeDisks", RegionId=REGION, PageSize=100)),
        "snapshots": without_request_ids(client.call("DescribeSnapshots", RegionId=REGION, PageSize=100)),
        "images": without_request_ids(client.call("DescribeImages", RegionId=REGION, ImageOwnerAlias="self")),
        "snapshot_walk": walk(client, "DescribeSnapshots", "Snapshots", "Snapshot", "SnapshotId"),
        "disk_walk": walk(client, "DescribeDisks", "Disks", "Disk", "DiskId"),
    }


def snapshot(client: SdkCoreDriver, snapshot_id: str) -> Dict[str, Any]:
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snapshot_id]))
    return dict(out["Snapshots"]["Snapshot"][0])


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time("2026-03-01 00:00:00") as clock:
        yield clock


@pytest.fixture
def prepared(frozen: Any) -> Iterator[Tuple[MockEcs, SdkCoreDriver, Dict[str, str]]]:
    with MockEcs(snapshot_quota=3) as ecs:
        client = SdkCoreDriver()
        yield ecs, client, prepare(ecs, client)


# --- round trips ---------------------------------------------------------------------------------
def test_save_reset_load_and_the_scenario_goes_on(prepared: Any, tmp_path: Path) -> None:
    ecs, client, ids = prepared
    other = SdkCoreDriver(ak=OTHER_KEY, secret=OTHER_SECRET)
    before, theirs_before = observe(client), observe(other)
    assert snapshot(client, ids["running"])["Progress"] == "40%"
    db_disk = system_disk(client, ids["db"])
    chain = ecs.dump_state()["accounts"]["1234567890123456"]["regions"][REGION]["snapshot_links"][db_disk]
    path = tmp_path / "region.json"
    ecs.save_state(path)

    ecs.reset()
    assert client.call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0
    ecs.load_state(path)
    assert observe(client) == before
    assert observe(other) == theirs_before
    assert ecs.account_of(ids["theirs"]) == OTHER_ACCOUNT

    # ClientTokens: a retry answers the first answer and creates nothing; a changed request is refused.
    replay = client.call("CreateSnapshot", DiskId=ids["root"], ClientToken="nightly-1", SnapshotName="first",
                         RetentionDays=30)
    assert replay["SnapshotId"] == ids["first"]
    expect_error(lambda: client.call("CreateSnapshot", DiskId=ids["root"], ClientToken="nightly-1"),
                 "IdempotentParameterMismatch")
    again = run_instance(client, ClientToken="run-web", InstanceName="web", InternetMaxBandwidthOut=5,
                         **{"Tag.1.Key": "team", "Tag.1.Value": "blue"})
    assert again == ids["web"]
    assert len(ecs.ids("instances")) == 3
    # The progressing snapshot goes on from 40%, on the mock's clock.
    ecs.advance_clock(300)
    assert snapshot(client, ids["running"])["Progress"] == "90%"
    ecs.advance_clock(60)
    assert snapshot(client, ids["running"])["Status"] == "accomplished"
    # The quota counts the loaded snapshots: the root disk has one of three.
    made = []
    for _ in range(2):
        made.append(client.call("CreateSnapshot", DiskId=ids["root"])["SnapshotId"])
        ecs.advance_clock(60)
    expect_error(lambda: client.call("CreateSnapshot", DiskId=ids["root"]), "QuotaExceed.Snapshot")
    # Paging: the new snapshots come first, then the loaded ones in their old order.
    assert observe(client)["snapshot_walk"] == made[::-1] + before["snapshot_walk"]
    # Chains survive the deleted snapshot; the image still holds its snapshot.
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=ids["first"]), "SnapshotCreatedImage")
    # The other account keeps its flag, its key and its instance.
    expect_error(lambda: other.call("CreateSnapshot", DiskId=system_disk(other, ids["theirs"])),
                 "InvalidAccountStatus.NotEnoughBalance")
    # The lock is still there.
    inst = client.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([ids["db"]]))
    assert [lock["LockReason"] for lock in inst["Instances"]["Instance"][0]["OperationLocks"]["LockReason"]] == [
        "financial"]
    # The chain of the db's disk outlived its only snapshot, and still does.
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotLinkId=chain)
    assert out["TotalCount"] == 0


def test_dump_load_dump_is_identical(prepared: Any) -> None:
    ecs, _, _ = prepared
    text = json.dumps(ecs.dump_state())
    ecs.reset()
    ecs.load_state(json.loads(text))
    assert json.dumps(ecs.dump_state()) == text
    # And once more from a fresh mock, through a file-like round trip of the text itself.
    with MockEcs(snapshot_quota=3) as fresh:
        fresh.load_state(json.loads(text))
        assert json.dumps(fresh.dump_state()) == text


def test_without_a_frozen_clock_only_the_clock_moves_on() -> None:
    with MockEcs() as ecs:
        client = SdkCoreDriver()
        run_instance(client, ClientToken="t")
        first = ecs.dump_state()
        ecs.load_state(first)
        second = ecs.dump_state()
        assert first["clock"]["now"] <= second["clock"]["now"] < first["clock"]["now"] + 5
        assert {**second, "clock": None} == {**first, "clock": None}


def test_the_clock_resumes_where_it_was_saved(prepared: Any, frozen: Any) -> None:
    ecs, client, ids = prepared
    saved_now = ecs.now()
    doc = ecs.dump_state()
    frozen.tick(10 * 86400)  # ten days later, the fixture is loaded again
    ecs.reset()
    assert ecs.now() != saved_now
    ecs.load_state(doc)
    assert ecs.now() == saved_now
    assert snapshot(client, ids["running"])["Progress"] == "40%"
    assert snapshot(client, ids["running"])["RemainTime"] == 360


def test_every_field_of_every_model_is_saved(prepared: Any) -> None:
    ecs, _, _ = prepared
    region = ecs.dump_state()["accounts"][ecs.account_of(ecs.ids("instances")[0])]["regions"][REGION]
    for kind, cls in (("instances", Instance), ("disks", Disk), ("snapshots", Snapshot), ("images", Image)):
        assert region[kind], kind
        expected = {f.name for f in fields(cls)} - {"seq"}
        for item in region[kind]:
            assert set(item) == expected, kind


def test_the_document_is_plain_json_with_epoch_times(prepared: Any) -> None:
    ecs, _, ids = prepared
    doc = ecs.dump_state()
    assert doc["format"] == FORMAT == "mock_ecs.state" and doc["version"] == VERSION == 1
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc
    snap = next(s for s in doc["accounts"]["1234567890123456"]["regions"][REGION]["snapshots"]
                if s["snapshot_id"] == ids["running"])
    assert isinstance(snap["created_at"], float) and snap["duration"] == 600.0
    assert doc["clock"]["now"] == snap["created_at"] + 240
    assert doc["access_keys"] == {OTHER_KEY: {"secret": OTHER_SECRET, "account_id": OTHER_ACCOUNT}}
    tokens = doc["accounts"]["1234567890123456"]["client_tokens"]
    assert [t["token"] for t in tokens] == ["run-web", "disk-data", "nightly-1"]


def test_configured_keys_belong_to_the_mock_and_state_keys_win(frozen: Any) -> None:
    configured = {"LTAIconf": ("confSecret", "2222222222222222")}
    with MockEcs(access_keys=configured) as ecs:
        assert ecs.dump_state()["access_keys"] == {}
        ecs.register_access_key("LTAIrun", "runSecret", "3333333333333333")
        doc = ecs.dump_state()
        assert doc["access_keys"] == {"LTAIrun": {"secret": "runSecret", "account_id": "3333333333333333"}}
        doc["access_keys"]["LTAIconf"] = {"secret": "newSecret", "account_id": "4444444444444444"}
        ecs.load_state(doc)
        assert ecs.access_keys == {"LTAIconf": "4444444444444444", "LTAIrun": "3333333333333333"}
        ecs.reset()  # the configured key comes back; the loaded ones go
        assert ecs.access_keys == {"LTAIconf": "2222222222222222"}


def test_a_load_drops_faults_and_the_record_like_a_reset(prepared: Any) -> None:
    ecs, client, _ = prepared
    doc = ecs.dump_state()
    ecs.inject_fault("DescribeDisks", "Throttling", times=None)
    assert ecs.calls
    ecs.load_state(doc)
    assert ecs.faults == [] and ecs.calls == []
    client.call("DescribeDisks", RegionId=REGION)


def test_next_tokens_of_before_a_load_are_stale(prepared: Any) -> None:
    ecs, client, _ = prepared
    token = client.call("DescribeSnapshots", RegionId=REGION, MaxResults=1)["NextToken"]
    ecs.load_state(ecs.dump_state())
    expect_error(lambda: client.call("DescribeSnapshots", RegionId=REGION, MaxResults=1, NextToken=token),
                 "InvalidNextToken.Malformed")


def test_a_hand_written_fixture_needs_only_the_required_fields(frozen: Any) -> None:
    doc = {
        "format": "mock_ecs.state", "version": 1,
        "accounts": {"1234567890123456": {"regions": {REGION: {
            "instances": [{"instance_id": "i-bp1handwritten000001", "region_id": REGION, "zone_id": "cn-hangzhou-b",
                           "instance_type": "ecs.g7.large", "image_id": "ubuntu", "created_at": 0,
                           "phase": {"status": "Running"}, "first_started_at": 0,
                           "disk_ids": ["d-bp1handwritten000001"]}],
            "disks": [{"disk_id": "d-bp1handwritten000001", "region_id": REGION, "zone_id": "cn-hangzhou-b",
                       "category": "cloud_essd", "size": 40, "disk_type": "system", "created_at": 0,
                       "initialized_at": 0, "phase": {"status": "In_use"},
                       "instance_id": "i-bp1handwritten000001", "ever_attached": True}],
        }}}},
    }
    with MockEcs() as ecs:
        ecs.load_state(doc)
        client = SdkCoreDriver()
        out = client.call("DescribeInstances", RegionId=REGION)
        assert [i["InstanceId"] for i in out["Instances"]["Instance"]] == ["i-bp1handwritten000001"]
        snap = client.call("CreateSnapshot", DiskId="d-bp1handwritten000001")["SnapshotId"]
        saved = ecs.dump_state()["accounts"]["1234567890123456"]["regions"][REGION]
        assert saved["snapshot_links"] == {"d-bp1handwritten000001": snapshot(client, snap)["SnapshotLinkId"]}
        assert saved["instances"][0]["instance_name"] == ""  # the defaults of mock_ecs.models


# --- malformed and foreign states ---------------------------------------------------------------
def _region(doc: Dict[str, Any]) -> Dict[str, Any]:
    return doc["accounts"]["1234567890123456"]["regions"][REGION]


def _item(doc: Dict[str, Any], kind: str, test: Callable[[Dict[str, Any]], bool] = lambda _: True) -> Dict[str, Any]:
    return next(x for x in _region(doc)[kind] if test(x))


def _attached(disk: Dict[str, Any]) -> bool:
    return bool(disk["instance_id"])


def _set(path: Callable[[Dict[str, Any]], Dict[str, Any]], key: str, value: Any) -> Callable[[Dict[str, Any]], Any]:
    def mutate(doc: Dict[str, Any]) -> Any:
        path(doc)[key] = value
        return doc
    return mutate


def _replace(value: Any) -> Callable[[Dict[str, Any]], Any]:
    return lambda doc: value


def _del(path: Callable[[Dict[str, Any]], Dict[str, Any]], key: str) -> Callable[[Dict[str, Any]], Any]:
    def mutate(doc: Dict[str, Any]) -> Any:
        del path(doc)[key]
        return doc
    return mutate


def _duplicate_across_accounts(doc: Dict[str, Any]) -> Any:
    theirs = doc["accounts"][OTHER_ACCOUNT]["regions"][REGION]["instances"][0]
    theirs["instance_id"] = _item(doc, "instances")["instance_id"]
    return doc


def _swap_ip(doc: Dict[str, Any]) -> Any:
    a, b = _region(doc)["instances"][:2]
    b["private_ip"] = a["private_ip"]
    return doc


def _foreign_chain(doc: Dict[str, Any]) -> Any:
    links = _region(doc)["snapshot_links"]
    first, second = list(links)[:2]
    links[second] = links[first]
    return doc


def _token_twice(doc: Dict[str, Any]) -> Any:
    tokens = doc["accounts"]["1234567890123456"]["client_tokens"]
    tokens.append(copy.deepcopy(tokens[0]))
    return doc


TOP = lambda doc: doc  # noqa: E731
ACCOUNT = lambda doc: doc["accounts"]["1234567890123456"]  # noqa: E731
FIRST_INSTANCE = lambda doc: _item(doc, "instances")  # noqa: E731
ATTACHED_DISK = lambda doc: _item(doc, "disks", _attached)  # noqa: E731
FIRST_SNAPSHOT = lambda doc: _item(doc, "snapshots")  # noqa: E731
MALFORMED: Dict[str, Tuple[Callable[[Dict[str, Any]], Any], str]] = {
    "not an object": (_replace([1, 2]), "a mock_ecs state is a JSON object"),
    "no format": (_del(TOP, "format"), 'not a mock_ecs state: "format" is null'),
    "a Terraform state": (_replace({"version": 4, "terraform_version": "1.7.0", "resources": []}),
                          "not a mock_ecs state"),
    "a newer version": (_set(TOP, "version", 2), "format version 2, written by a newer mock_ecs; this mock_ecs "
                                                 "reads version 1"),
    "version as text": (_set(TOP, "version", "1"), '"version" must be a positive integer, not "1"'),
    "unknown top-level field": (_set(TOP, "settings", {}), "the state: unknown field(s) settings"),
    "clock as text": (_set(lambda d: d["clock"], "now", "yesterday"), 'clock.now: expected a number, not "yesterday"'),
    "size as text": (_set(ATTACHED_DISK, "size", "40"), '.disks[0].size: expected an integer, not "40"'),
    "a boolean for an integer": (_set(ATTACHED_DISK, "size", True), "size: expected an integer, not true"),
    "a float for an integer": (_set(ATTACHED_DISK, "size", 40.5), "size: expected an integer, not 40.5"),
    "a string for a list": (_set(FIRST_INSTANCE, "disk_ids", "d-1"), "disk_ids: expected a list"),
    "a bad phase": (_set(FIRST_INSTANCE, "phase", "Running"), "phase: expected an object (Phase)"),
    "a missing required field": (_del(FIRST_INSTANCE, "instance_type"), "Instance needs the field 'instance_type'"),
    "an unknown field": (_set(FIRST_SNAPSHOT, "progress", 40), "unknown field(s) progress for Snapshot"),
    "a flag as text": (_set(ACCOUNT, "not_enough_balance", "no"), "not_enough_balance: expected true or false"),
    "an unknown region": (lambda d: {**d, "accounts": {"1234567890123456": {"regions": {"mars-1": {}}}}},
                          "'mars-1' is not a region mock_ecs knows"),
    "a region mismatch": (_set(FIRST_INSTANCE, "region_id", "cn-shanghai"), "has region_id 'cn-shanghai', not "
                                                                             "'cn-hangzhou'"),
    "a disk attached to a missing instance": (_set(ATTACHED_DISK, "instance_id", "i-bp1nosuchinstance0001"),
                                              "is attached to instance i-bp1nosuchinstance0001, which the region "
                                              "does not have"),
    "an instance with a missing disk": (lambda d: (FIRST_INSTANCE(d)["disk_ids"].append("d-bp1nosuchdisk00000001"),
                                                   d)[1],
                                        "has disk d-bp1nosuchdisk00000001, which the region does not have"),
    "a snapshot used by a missing image": (_set(FIRST_SNAPSHOT, "image_ids", ["m-bp1nosuchimage0000001"]),
                                           "lists image m-bp1nosuchimage0000001 as made from it"),
    "a snapshot used by a missing disk": (_set(FIRST_SNAPSHOT, "disk_ids", ["d-bp1nosuchdisk00000001"]),
                                          "lists disk d-bp1nosuchdisk00000001 as made from it"),
    "an ID in two accounts": (_duplicate_across_accounts, "appears twice"),
    "two instances with one IP": (_swap_ip, "both have"),
    "one chain for two disks": (_foreign_chain, "is the chain of two disks"),
    "an unknown lock reason": (_set(FIRST_INSTANCE, "locks", [["legal", "Locked."]]), "has a lock 'legal'"),
    "a token twice": (_token_twice, "appears twice"),
    "a token without its answer": (lambda d: (ACCOUNT(d)["client_tokens"][0].pop("answer"), d)[1], "needs answer"),
    "bad access keys": (_set(TOP, "access_keys", {"LTAIx": {"secret": ""}}), "the state's access_keys: the secret"),
    "not-a-number time": (_set(FIRST_INSTANCE, "created_at", float("nan")), "created_at: expected a number"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_or_foreign_state_is_refused_and_changes_nothing(prepared: Any, case: str) -> None:
    ecs, client, _ = prepared
    mutate, message = MALFORMED[case]
    good = ecs.dump_state()
    ecs.inject_fault("DescribeImages", "Throttling", times=None)
    before, faults, calls = ecs.dump_state(), ecs.faults, len(ecs.calls)
    backend = ecs.backend
    with pytest.raises(StateError) as err:
        ecs.load_state(mutate(copy.deepcopy(good)))
    assert message in str(err.value)
    assert ecs.backend is backend and ecs.dump_state() == before
    assert ecs.faults == faults and len(ecs.calls) == calls
    assert observe_counts(client) == {"instances": 2, "disks": 4, "snapshots": 2}


def observe_counts(client: SdkCoreDriver) -> Dict[str, int]:
    return {kind: client.call(f"Describe{kind.title()}", RegionId=REGION)["TotalCount"]
            for kind in ("instances", "disks", "snapshots")}


def test_the_unmodified_document_loads(prepared: Any) -> None:
    """The cases above fail because of their mutation, not because the document was bad to begin with."""
    ecs, _, _ = prepared
    ecs.load_state(copy.deepcopy(ecs.dump_state()))


def test_files_that_are_not_states(tmp_path: Path) -> None:
    with MockEcs() as ecs:
        with pytest.raises(StateError, match="cannot be read"):
            ecs.load_state(tmp_path / "missing.json")
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        with pytest.raises(StateError, match="is not JSON"):
            ecs.load_state(bad)
        bad.write_text("[]")
        with pytest.raises(StateError, match="holds list, not a mock_ecs state"):
            ecs.load_state(str(bad))
        with pytest.raises(StateError, match="a mock_ecs state is a JSON object \\(or the path of a file"):
            ecs.load_state(42)


def test_state_errors_are_value_errors_and_exported() -> None:
    import mock_ecs as package

    assert package.StateError is StateError and issubclass(StateError, ValueError)


def test_module_functions_match_the_handle_methods(prepared: Any) -> None:
    ecs, _, _ = prepared
    doc = dump_state(ecs.backend, ecs.configured_access_keys())
    assert doc == ecs.dump_state()
    assert doc["access_keys"]  # prepare() registers a key at run time
    backend, registered = load_state(doc, ecs.settings)
    assert backend is not ecs.backend and backend.settings == ecs.settings
    # The loaded backend holds no keys yet: the handle installs them (and the configured ones).
    assert dump_state(backend, {}) == {**doc, "access_keys": {}}
    assert {k: {"secret": s, "account_id": a} for k, (s, a) in registered.items()} == doc["access_keys"]
    ecs.install_backend(backend, registered)
    assert ecs.backend is backend and ecs.dump_state() == doc


# --- one-line fixtures: state= at start ---------------------------------------------------------
def test_the_committed_fixture_loads_with_one_line() -> None:
    """tests/data/state_region.json: a region prepared once (see make_fixture below)."""
    with mock_ecs(state=FIXTURE) as ecs:
        client = SdkCoreDriver()
        assert observe_counts(client) == {"instances": 2, "disks": 4, "snapshots": 2}
        assert len(ecs.ids("images")) == 1


@mock_ecs(state=FIXTURE)
def test_the_decorator_takes_a_state_for_every_call() -> None:
    ecs = mock_ecs.current()
    client = SdkCoreDriver()
    run_instance(client)
    assert len(ecs.ids("instances", "1234567890123456")) == 3


def test_each_decorated_call_starts_from_the_state_again() -> None:
    counts: List[int] = []

    @mock_ecs(state=FIXTURE)
    def one_test() -> None:
        run_instance(SdkCoreDriver())
        counts.append(len(mock_ecs.current().ids("instances", "1234567890123456")))

    one_test()
    one_test()
    assert counts == [3, 3]


@pytest.mark.mock_ecs(state=str(FIXTURE))
def test_the_plugin_marker_takes_a_state(ecs_mock: MockEcs) -> None:
    assert len(ecs_mock.ids("snapshots")) == 2


def test_a_bad_state_fails_when_the_mock_is_made(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "mock_ecs.state", "version": 9}))
    with pytest.raises(StateError, match="newer mock_ecs"):
        MockEcs(state=bad)


def make_fixture(path: Path) -> None:
    """How tests/data/state_region.json was made (and can be remade): ``prepare`` at a fixed time."""
    with freeze_time("2026-03-01 00:00:00"), MockEcs() as ecs:
        prepare(ecs, SdkCoreDriver())
        ecs.save_state(path)


def test_the_committed_fixture_is_what_make_fixture_writes_but_ids(tmp_path: Path) -> None:
    """The fixture still matches the scenario's shape (IDs are random): regenerate it if this fails."""
    fresh = tmp_path / "fresh.json"
    make_fixture(fresh)

    def shape(doc: Any) -> Any:
        if isinstance(doc, dict):
            return {("ID" if re.match(r"^[a-z]+-", k) else k): shape(v) for k, v in doc.items()
                    if k not in ("private_ip", "public_ip")}
        if isinstance(doc, list):
            return [shape(v) for v in doc]
        return type(doc).__name__ if isinstance(doc, str) else doc

    def regions_of(doc: Dict[str, Any]) -> Any:
        return [shape(list(acct["regions"].values())) for acct in doc["accounts"].values()]

    committed = json.loads(FIXTURE.read_text())
    assert regions_of(committed) == regions_of(json.loads(fresh.read_text()))


# --- over HTTP ----------------------------------------------------------------------------------
def control(server: ThreadedMockServer, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_get_and_put_state_over_http(prepared: Any) -> None:
    ecs, client, ids = prepared
    with ThreadedMockServer(handle=ecs) as server:
        status, doc = control(server, "GET", "/_mock_ecs/state")
        assert status == 200 and doc == ecs.dump_state()
        control(server, "POST", "/_mock_ecs/reset")
        assert ecs.ids("instances") == []
        status, answer = control(server, "PUT", "/_mock_ecs/state", doc)
        assert status == 200 and answer == {"loaded": True, "ids": {"instances": 3, "disks": 5, "snapshots": 2,
                                                                    "images": 1, "policies": 0, "groups": 0}}
        assert ecs.dump_state() == doc
        assert snapshot(client, ids["running"])["Progress"] == "40%"


@pytest.mark.parametrize("case", ["a newer version", "a disk attached to a missing instance", "size as text"])
def test_put_state_refuses_a_bad_state_with_400_and_changes_nothing(prepared: Any, case: str) -> None:
    ecs, _, _ = prepared
    mutate, message = MALFORMED[case]
    before = ecs.dump_state()
    with ThreadedMockServer(handle=ecs) as server:
        status, answer = control(server, "PUT", "/_mock_ecs/state", mutate(copy.deepcopy(before)))
    assert status == 400
    assert answer["error"].startswith("state not loaded: ") and message in answer["error"]
    assert ecs.dump_state() == before


def test_put_state_refuses_what_is_not_json(prepared: Any) -> None:
    ecs, _, _ = prepared
    before = ecs.dump_state()
    with ThreadedMockServer(handle=ecs) as server:
        status, answer = control(server, "PUT", "/_mock_ecs/state", b"{truncated")
        assert status == 400 and answer["error"].startswith("the body is not JSON")
        status, answer = control(server, "PUT", "/_mock_ecs/state", b"[1]")
        assert status == 400 and answer["error"] == "the body must be a JSON object, not list"
    assert ecs.dump_state() == before


def test_threaded_server_takes_a_state_at_start() -> None:
    with ThreadedMockServer(state=FIXTURE) as server:
        status, answer = control(server, "GET", "/_mock_ecs/resources?kind=snapshots")
        assert status == 200 and len(answer["ids"]) == 2
        client = SdkCoreDriver(endpoint=server.endpoint)
        assert observe_counts(client) == {"instances": 2, "disks": 4, "snapshots": 2}


def _first_line(proc: subprocess.Popen[str], timeout: float = 20) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline() if proc.stdout else ""), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError("the server did not come up in time") from None


def test_cli_state_flag_serves_the_saved_state(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_ECS_") and "proxy" not in k.lower()}
    proc = subprocess.Popen([sys.executable, "-m", "mock_ecs", "serve", "--port", "0", "--quiet",
                             "--state", str(FIXTURE)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO, env=env)
    try:
        line = _first_line(proc)
        endpoint = line.split("http://", 1)[1].split()[0]
        client = SdkCoreDriver(endpoint=endpoint)
        assert observe_counts(client) == {"instances": 2, "disks": 4, "snapshots": 2}
        with pytest.raises(ApiError):  # the other account's key came with the state
            SdkCoreDriver(ak=OTHER_KEY, secret="wrong", endpoint=endpoint).call("DescribeInstances", RegionId=REGION)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    assert proc.returncode == 0


def test_the_readme_saved_state_example_runs(tmp_path: Path) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if b.startswith("# saved state\n")]
    namespace: Dict[str, Any] = {}
    exec(compile(block, "README saved state", "exec"), namespace)
    path = tmp_path / "region.json"
    namespace["prepare_region"](path)
    namespace["test_backup_report"](path)
    assert json.loads(path.read_text())["format"] == "mock_ecs.state"
