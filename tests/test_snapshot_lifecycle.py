"""The lifecycle rules of a snapshot that users rely on: DeleteSnapshot (in use by an image or
a disk, Force, cancelling a progressing snapshot, unknown IDs and the ``delete_unknown``
setting), ModifySnapshotAttribute, RetentionDays (the snapshot goes when its retention ends on
the mock's clock), and tags given at creation.

Codes, messages and statuses are copied byte for byte from actions/DeleteSnapshot.md,
ModifySnapshotAttribute.md and CreateSnapshot.md. Time is never slept: the mock's clock is
moved with ``advance_clock`` or freezegun.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, Tuple

import pytest
from freezegun import freeze_time

from conftest import REGION, Driver, disks_of, expect_error, ready_disk, run_instance, snapshots_of, tag_params
from mock_ecs import MockEcs

FAST = {"initialization_seconds": 0, "snapshot_min_seconds": 0, "snapshot_seconds_per_gib": 0}
DAY = 86400

ERRORS: Dict[str, Tuple[int, str]] = {
    # actions/DeleteSnapshot.md
    "SnapshotCreatedImage": (403, "The snapshot has been used to create user defined image(s)."),
    "SnapshotCreatedDisk": (403, "The snapshot has been used to create disk(s)."),
    "InvalidSnapshotId.NotFound/Delete": (404, "The specified snapshot is not found."),
    # actions/ModifySnapshotAttribute.md
    "InvalidSnapshotId.NotFound/Modify": (404, "The specified SnapshotId does not exist."),
    "NoAttributeToModify": (400, "No attribute to be modified in this request."),
    "InvalidSnapshotName.Malformed": (400, "The specified SnapshotName is wrongly formed."),
    "InvalidDescription.Malformed": (404, "The specified description is wrongly formed."),
    # FACTS.md section 10 ([DOCNEW] CreateSnapshot)
    "InvalidRetentionDays.Malformed": (400, "The specified RetentionDays is not valid."),
    # actions/CreateSnapshot.md
    "InvalidTagCount": (400, "The specified tags are beyond the permitted range."),
    "Duplicate.TagKey": (400, "The Tag.N.Key contain duplicate key."),
    "InvalidTagKey.Malformed": (400, "The specified Tag.n.Key is not valid."),
    "InvalidTagValue.Malformed": (400, "The specified Tag.n.Value is not valid."),
    "IncorrectDiskStatus.CreatingSnapshot": (403, "A previous snapshot creation is in process."),
    # A value that is not an Integer at all: the gateway's type check (metadata), before the range.
    "InvalidParameter/RetentionDays": (400, 'The specified parameter "RetentionDays" is not valid.'),
}


def fails(client: Driver, key: str, action: str, **params: Any) -> None:
    status, message = ERRORS[key]
    expect_error(lambda: client.call(action, **params), key.split("/")[0], message, status)


@pytest.fixture
def fast(ecs: MockEcs) -> Iterator[MockEcs]:
    with MockEcs(**FAST) as handle:
        yield handle


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time(datetime(2026, 3, 1, 8, 0, 0, tzinfo=timezone.utc), tick=False) as ft:
        yield ft


def snap(client: Driver, disk_id: str, **params: Any) -> str:
    return client.call("CreateSnapshot", DiskId=disk_id, **params)["SnapshotId"]


def shown(client: Driver, snapshot_id: str) -> Dict[str, Any]:
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snapshot_id]))
    (item,) = out["Snapshots"]["Snapshot"]
    return item


def absent(client: Driver, ecs: MockEcs, snapshot_id: str) -> bool:
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snapshot_id]))
    return out["Snapshots"]["Snapshot"] == [] and snapshot_id not in ecs.ids("snapshots")


def zone_of(client: Driver, instance_id: str) -> str:
    return disks_of(client, instance_id)[0]["ZoneId"]


def iso(ecs: MockEcs) -> str:
    return ecs.now().strftime("%Y-%m-%dT%H:%M:%SZ")


# =========================================================================================
# DeleteSnapshot
# =========================================================================================
def test_delete_snapshot(client, fast):
    _, disk = ready_disk(client, fast)
    keep, gone = snap(client, disk), snap(client, disk)
    assert set(client.call("DeleteSnapshot", SnapshotId=gone)) == {"RequestId"}
    assert absent(client, fast, gone)
    assert [s["SnapshotId"] for s in snapshots_of(client, disk)] == [keep]
    # Deleted means unknown: a second delete is refused (default delete_unknown="error").
    fails(client, "InvalidSnapshotId.NotFound/Delete", "DeleteSnapshot", SnapshotId=gone)


def test_delete_unknown_snapshot_answers_not_found_by_default(client, ecs):
    assert ecs.settings.delete_unknown == "error"
    fails(client, "InvalidSnapshotId.NotFound/Delete", "DeleteSnapshot", SnapshotId="s-bp1doesnotexist0000")
    fails(client, "InvalidSnapshotId.NotFound/Delete", "DeleteSnapshot", SnapshotId="d-bp1notasnapshot0000")
    expect_error(lambda: client.call("DeleteSnapshot"), "MissingSnapshotId",
                 "SnapshotId is mandatory for this action.", 400)
    assert ecs.calls[-2].status == 404


def test_delete_unknown_snapshot_is_ignored_when_set(client, ecs):
    with MockEcs(delete_unknown="ignore", **FAST) as lenient:
        assert set(client.call("DeleteSnapshot", SnapshotId="s-bp1doesnotexist0000")) == {"RequestId"}
        _, disk = ready_disk(client, lenient)
        made = snap(client, disk)
        client.call("DeleteSnapshot", SnapshotId=made)
        # Deleting it again is ignored too.
        assert set(client.call("DeleteSnapshot", SnapshotId=made)) == {"RequestId"}
        assert [c.status for c in lenient.calls if c.action == "DeleteSnapshot"] == [200, 200, 200]
        # Only the unknown case is ignored: a snapshot in use is still refused.
        used = snap(client, disk)
        client.call("CreateImage", RegionId=REGION, SnapshotId=used, ImageName="keeps-it")
        fails(client, "SnapshotCreatedImage", "DeleteSnapshot", SnapshotId=used)
        # A missing SnapshotId is still a missing parameter.
        expect_error(lambda: client.call("DeleteSnapshot"), "MissingSnapshotId",
                     "SnapshotId is mandatory for this action.", 400)
    with pytest.raises(ValueError):
        MockEcs(delete_unknown="sometimes")


def test_delete_snapshot_used_by_an_image(client, fast):
    _, disk = ready_disk(client, fast)
    used = snap(client, disk)
    image_id = client.call("CreateImage", RegionId=REGION, SnapshotId=used, ImageName="golden")["ImageId"]
    for force in (None, False, True):  # Force does not help: the image must go first
        fails(client, "SnapshotCreatedImage", "DeleteSnapshot", SnapshotId=used, Force=force)
    assert shown(client, used)["Usage"] == "image"
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    client.call("DeleteSnapshot", SnapshotId=used)
    assert absent(client, fast, used)


def test_delete_snapshot_used_by_a_disk(client, fast):
    inst, disk = ready_disk(client, fast)
    used = snap(client, disk)
    made = client.call("CreateDisk", RegionId=REGION, ZoneId=zone_of(client, inst), SnapshotId=used)["DiskId"]
    for force in (None, False):
        fails(client, "SnapshotCreatedDisk", "DeleteSnapshot", SnapshotId=used, Force=force)
    assert shown(client, used)["Usage"] == "disk"
    # Force deletes it; the disk made from it stays, still naming it.
    client.call("DeleteSnapshot", SnapshotId=used, Force=True)
    assert absent(client, fast, used)
    out = client.call("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([made]))["Disks"]["Disk"]
    assert [(d["DiskId"], d["SourceSnapshotId"]) for d in out] == [(made, used)]


def test_snapshot_is_free_again_once_its_disks_are_released(client, fast):
    inst, disk = ready_disk(client, fast)
    used = snap(client, disk)
    made = client.call("CreateDisk", RegionId=REGION, ZoneId=zone_of(client, inst), SnapshotId=used)["DiskId"]
    fails(client, "SnapshotCreatedDisk", "DeleteSnapshot", SnapshotId=used)
    client.call("DeleteDisk", DiskId=made)
    client.call("DeleteSnapshot", SnapshotId=used)
    assert absent(client, fast, used)


def test_snapshot_used_by_a_data_disk_of_run_instances(client, fast):
    _, disk = ready_disk(client, fast)
    used = snap(client, disk)
    run_instance(client, **{"DataDisk.1.SnapshotId": used, "DataDisk.1.Category": "cloud_efficiency"})
    fails(client, "SnapshotCreatedDisk", "DeleteSnapshot", SnapshotId=used)
    client.call("DeleteSnapshot", SnapshotId=used, Force="true")
    assert absent(client, fast, used)


def test_deleting_a_progressing_snapshot_cancels_it(client, ecs):
    _, disk = ready_disk(client, ecs)
    running = snap(client, disk)
    ecs.advance_clock(20)
    assert (shown(client, running)["Status"], shown(client, running)["Progress"]) == ("progressing", "33%")
    fails(client, "IncorrectDiskStatus.CreatingSnapshot", "CreateSnapshot", DiskId=disk)
    client.call("DeleteSnapshot", SnapshotId=running)
    assert absent(client, ecs, running)
    # Cancelled: the disk takes a new snapshot at once, and the old one never comes back.
    again = snap(client, disk)
    ecs.advance_clock(120)
    assert [s["SnapshotId"] for s in snapshots_of(client, disk)] == [again]
    assert shown(client, again)["Status"] == "accomplished"


# =========================================================================================
# ModifySnapshotAttribute
# =========================================================================================
def test_modify_name_and_description(client, fast, frozen):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk, SnapshotName="before", Description="first words")
    created = iso(fast)
    assert shown(client, made)["LastModifiedTime"] == created
    fast.advance_clock(125)
    out = client.call("ModifySnapshotAttribute", SnapshotId=made, SnapshotName="after", Description="new words")
    assert set(out) == {"RequestId"}
    item = shown(client, made)
    assert (item["SnapshotName"], item["Description"]) == ("after", "new words")
    assert item["CreationTime"] == created
    assert item["LastModifiedTime"] == iso(fast) != created
    # One attribute at a time; the other is kept.
    fast.advance_clock(60)
    client.call("ModifySnapshotAttribute", SnapshotId=made, Description="only this")
    item = shown(client, made)
    assert (item["SnapshotName"], item["Description"], item["LastModifiedTime"]) == ("after", "only this", iso(fast))
    client.call("ModifySnapshotAttribute", SnapshotId=made, SnapshotName="renamed")
    assert (shown(client, made)["SnapshotName"], shown(client, made)["Description"]) == ("renamed", "only this")
    # The new name is what DescribeSnapshots filters on.
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotName="renamed")
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [made]


def test_modify_nothing(client, fast):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk)
    fails(client, "NoAttributeToModify", "ModifySnapshotAttribute", SnapshotId=made)
    fails(client, "NoAttributeToModify", "ModifySnapshotAttribute", SnapshotId=made, SnapshotName="", Description="")


def test_modify_unknown_snapshot(client, fast):
    fails(client, "InvalidSnapshotId.NotFound/Modify", "ModifySnapshotAttribute",
          SnapshotId="s-bp1doesnotexist0000", SnapshotName="whatever")
    _, disk = ready_disk(client, fast)
    made = snap(client, disk)
    client.call("DeleteSnapshot", SnapshotId=made)
    fails(client, "InvalidSnapshotId.NotFound/Modify", "ModifySnapshotAttribute", SnapshotId=made, SnapshotName="x1")
    expect_error(lambda: client.call("ModifySnapshotAttribute", SnapshotName="abc"), "MissingSnapshotId",
                 "SnapshotId is mandatory for this action.", 400)


# The SnapshotName rule of CreateSnapshot (2..128, starts with a letter, letters digits _ : -,
# not auto*, not http(s)://): ModifySnapshotAttribute answers exactly as CreateSnapshot does.
NAMES = {
    "shortest": ("ab", True),
    "longest": ("a" * 128, True),
    "punctuation": ("Nightly_2026:01-a", True),
    "chinese_after_letter": ("a\u5feb\u7167", True),
    "one_char": ("a", False),
    "too_long": ("a" * 129, False),
    "digit_first": ("1nightly", False),
    "underscore_first": ("_nightly", False),
    "auto_prefix": ("auto-nightly", False),
    "http": ("http://x", False),
    "https": ("https://x", False),
    "space": ("night ly", False),
    "slash": ("night/ly", False),
}


DESCRIPTIONS = {
    "shortest": ("ab", True),
    "longest": ("d" * 256, True),
    "http_inside": ("see http://example.com", True),
    "one_char": ("x", False),
    "too_long": ("d" * 257, False),
    "http": ("http://example.com", False),
    "https": ("https://example.com", False),
}

# parameter -> (its code, its cases)
TEXT_RULES = {
    "SnapshotName": ("InvalidSnapshotName.Malformed", NAMES),
    "Description": ("InvalidDescription.Malformed", DESCRIPTIONS),
}


@pytest.mark.parametrize("param,code,value,ok", [
    pytest.param(param, code, value, ok, id=f"{param}-{case}")
    for param, (code, cases) in TEXT_RULES.items() for case, (value, ok) in cases.items()])
def test_modify_follows_the_create_rule(client, fast, param, code, value, ok):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk, **{param: "original"})
    if ok:
        client.call("ModifySnapshotAttribute", SnapshotId=made, **{param: value})
        assert shown(client, made)[param] == value
        assert shown(client, snap(client, disk, **{param: value}))[param] == value
    else:
        before = shown(client, made)
        fails(client, code, "ModifySnapshotAttribute", SnapshotId=made, **{param: value})
        fails(client, code, "CreateSnapshot", DiskId=disk, **{param: value})
        after = shown(client, made)
        assert after == before and after[param] == "original"


def test_failed_modify_changes_nothing(client, fast):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk, SnapshotName="kept", Description="kept too")
    before = shown(client, made)
    fast.advance_clock(300)
    fails(client, "InvalidDescription.Malformed", "ModifySnapshotAttribute", SnapshotId=made,
          SnapshotName="fine-name", Description="x")
    fails(client, "InvalidSnapshotName.Malformed", "ModifySnapshotAttribute", SnapshotId=made,
          SnapshotName="1bad", Description="fine words")
    after = shown(client, made)
    assert (after["SnapshotName"], after["Description"], after["LastModifiedTime"]) == (
        "kept", "kept too", before["LastModifiedTime"])


# =========================================================================================
# RetentionDays: 1..65536; the snapshot is released when its retention ends.
# =========================================================================================
@pytest.mark.parametrize("value,key", [
    (0, "InvalidRetentionDays.Malformed"), (-1, "InvalidRetentionDays.Malformed"),
    (65537, "InvalidRetentionDays.Malformed"), ("abc", "InvalidParameter/RetentionDays"),
    ("1.5", "InvalidParameter/RetentionDays"), ("7d", "InvalidParameter/RetentionDays"),
])
def test_retention_days_outside_the_range(client, fast, value, key):
    _, disk = ready_disk(client, fast)
    fails(client, key, "CreateSnapshot", DiskId=disk, RetentionDays=value)
    assert fast.ids("snapshots") == []


@pytest.mark.parametrize("value", [1, 65536])
def test_retention_days_bounds_are_accepted(client, fast, value):
    _, disk = ready_disk(client, fast)
    assert shown(client, snap(client, disk, RetentionDays=value))["RetentionDays"] == value


def test_snapshot_is_released_when_its_retention_ends(client, ecs):
    _, disk = ready_disk(client, ecs)
    short = snap(client, disk, RetentionDays=1)
    ecs.advance_clock(60)
    forever = snap(client, disk)
    ecs.advance_clock(60)
    longer = snap(client, disk, RetentionDays=2)
    ecs.advance_clock(DAY - 120 - 1)  # one second before the first day ends
    assert [s["SnapshotId"] for s in snapshots_of(client, disk)] == [longer, forever, short]
    ecs.advance_clock(1)
    assert absent(client, ecs, short)
    assert [s["SnapshotId"] for s in snapshots_of(client, disk)] == [longer, forever]
    fails(client, "InvalidSnapshotId.NotFound/Delete", "DeleteSnapshot", SnapshotId=short)
    ecs.advance_clock(DAY + 120)
    assert [s["SnapshotId"] for s in snapshots_of(client, disk)] == [forever]
    ecs.advance_clock(1000 * DAY)
    assert [s["SnapshotId"] for s in snapshots_of(client, disk)] == [forever]


def test_retention_with_freezegun(client, ecs):
    with freeze_time("2026-03-01 00:00:00", tick=False) as clock:
        _, disk = ready_disk(client, ecs)
        made = snap(client, disk, RetentionDays=3)
        clock.tick(3 * DAY - 1)
        assert shown(client, made)["RetentionDays"] == 3
        clock.tick(1)
        assert absent(client, ecs, made)


def test_released_snapshot_frees_the_quota(client, ecs):
    with MockEcs(snapshot_quota=1, **FAST) as tight:
        _, disk = ready_disk(client, tight)
        snap(client, disk, RetentionDays=1)
        expect_error(lambda: snap(client, disk), "QuotaExceed.Snapshot",
                     "The maximum number of snapshots is exceeded.", 403)
        tight.advance_clock(DAY)
        assert shown(client, snap(client, disk))["Status"] == "accomplished"


def test_modify_retention_days_extends_it(client, fast):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk, RetentionDays=1)
    client.call("ModifySnapshotAttribute", SnapshotId=made, RetentionDays=3)
    assert shown(client, made)["RetentionDays"] == 3
    fast.advance_clock(3 * DAY - 1)  # counted from the creation time
    assert shown(client, made)["RetentionDays"] == 3
    # Shortening is refused (the docs: it can be extended, not shortened); so is 0 or 65537.
    for value in (2, 0, 65537):
        fails(client, "InvalidRetentionDays.Malformed", "ModifySnapshotAttribute", SnapshotId=made, RetentionDays=value)
    fails(client, "InvalidParameter/RetentionDays", "ModifySnapshotAttribute", SnapshotId=made, RetentionDays="x")
    fast.advance_clock(1)
    assert absent(client, fast, made)


def test_modify_retention_days_of_a_kept_snapshot(client, fast):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk)
    assert "RetentionDays" not in shown(client, made)
    fast.advance_clock(2 * DAY)
    # A retention that would already have ended is refused; a later one is set.
    fails(client, "InvalidRetentionDays.Malformed", "ModifySnapshotAttribute", SnapshotId=made, RetentionDays=2)
    client.call("ModifySnapshotAttribute", SnapshotId=made, RetentionDays=5)
    fast.advance_clock(3 * DAY - 1)
    assert shown(client, made)["RetentionDays"] == 5
    fast.advance_clock(1)
    assert absent(client, fast, made)


# =========================================================================================
# Tags given at creation (Tag.N.Key / Tag.N.Value, N 1..20) and shown by DescribeSnapshots.
# =========================================================================================
def test_tags_on_create_are_shown_in_order(client, fast):
    _, disk = ready_disk(client, fast)
    pairs = [(f"key{n}", f"value{n}") for n in range(1, 20)] + [("empty", "")]
    made = snap(client, disk, **tag_params(pairs))
    assert shown(client, made)["Tags"] == {"Tag": [{"TagKey": k, "TagValue": v} for k, v in pairs]}
    # The lowercase spelling of the metadata, and a Key without a Value (an empty value).
    other = snap(client, disk, **{"Tag.1.key": "env", "Tag.1.value": "dev", "Tag.2.Key": "bare"})
    assert shown(client, other)["Tags"] == {"Tag": [{"TagKey": "env", "TagValue": "dev"},
                                                    {"TagKey": "bare", "TagValue": ""}]}
    # And they are what DescribeSnapshots filters on.
    out = client.call("DescribeSnapshots", RegionId=REGION, **{"Tag.1.Key": "env", "Tag.1.Value": "dev"})
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [other]


TAG_ERRORS = {
    "21_tags": (tag_params([(f"k{n}", "v") for n in range(1, 22)]), "InvalidTagCount"),
    "n_21": ({"Tag.21.Key": "k", "Tag.21.Value": "v"}, "InvalidTagCount"),
    "duplicate": (tag_params([("k", "a"), ("k", "b")]), "Duplicate.TagKey"),
    "value_without_key": ({"Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "acs_key": (tag_params([("acs:owner", "v")]), "InvalidTagKey.Malformed"),
    "aliyun_key": (tag_params([("aliyun-owner", "v")]), "InvalidTagKey.Malformed"),
    "value_129": (tag_params([("k", "v" * 129)]), "InvalidTagValue.Malformed"),
    "https_value": (tag_params([("k", "https://x")]), "InvalidTagValue.Malformed"),
}


@pytest.mark.parametrize("params,code", list(TAG_ERRORS.values()), ids=list(TAG_ERRORS))
def test_tag_errors_on_create(client, fast, params, code):
    _, disk = ready_disk(client, fast)
    fails(client, code, "CreateSnapshot", DiskId=disk, **params)
    assert fast.ids("snapshots") == []


# =========================================================================================
# Through every client: modify, delete, unknown.
# =========================================================================================
def test_lifecycle_through_every_client(any_client, fast):
    _, disk = ready_disk(any_client, fast)
    made = snap(any_client, disk, SnapshotName="every-client", **tag_params([("env", "ci")]))
    any_client.call("ModifySnapshotAttribute", SnapshotId=made, Description="through every client")
    assert fast.snapshot(made)["Description"] == "through every client"
    assert fast.snapshot(made)["Tags"] == {"Tag": [{"TagKey": "env", "TagValue": "ci"}]}
    any_client.call("DeleteSnapshot", SnapshotId=made)
    assert made not in fast.ids("snapshots")
    fails(any_client, "InvalidSnapshotId.NotFound/Delete", "DeleteSnapshot", SnapshotId=made)
    fails(any_client, "InvalidSnapshotId.NotFound/Modify", "ModifySnapshotAttribute", SnapshotId=made,
          SnapshotName="gone")
