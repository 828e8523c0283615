"""The automatic snapshot policy actions through aliyunsdkcore and the Tea SDK: Create, ModifyEx,
DescribeEx, Delete, Apply, Cancel and DescribeAutoSnapshotPolicyAssociations; their parameter
formats (lowerCamel names, JSON-array strings), answers (TimePoints & co. as strings holding JSON
arrays) and every refusal with its documented code, status and message. Firing on the clock is
schedule.py's and tested with it."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from conftest import REGION, Driver, create_instance, disks_of, expect_error, run_instance, system_disk, tag_params
from mock_ecs import MockEcs

OTHER = "cn-beijing"
EVERY_DAY = '["1","2","3","4","5","6","7"]'
LOCAL_DISK = {"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": 100}
# ParameterInvalid texts (NEXT-ACTIONS.md section 1, docs-2021).
TIME_POINTS = "The specified TimePoints parameter is invalid."
WEEKDAYS = "The specified RepeatWeekDays parameter is invalid."
RETENTION = "The specified RetentionDays parameter is invalid."
REGION_INVALID = "The specified RegionId parameter is invalid."
NO_POLICY = "The specified automatic snapshot policy does not exist."
NO_POLICY_HERE = "The specified automatic snapshot policy does not exist in the region."
DISK_IDS = "The specified DiskIds are invalid."
TARGETS = "The specified TargetCopyRegions is invalid."


def create(client: Driver, region: str = REGION, **extra: Any) -> str:
    params = {"regionId": region, "timePoints": '["1","13"]', "repeatWeekdays": EVERY_DAY, "retentionDays": 2,
              **extra}
    return str(client.call("CreateAutoSnapshotPolicy", **params)["AutoSnapshotPolicyId"])


def describe(client: Driver, region: str = REGION, **extra: Any) -> Dict[str, Any]:
    return client.call("DescribeAutoSnapshotPolicyEx", RegionId=region, **extra)


def policies(client: Driver, **extra: Any) -> List[Dict[str, Any]]:
    return list(describe(client, **extra)["AutoSnapshotPolicies"]["AutoSnapshotPolicy"])


def the_policy(client: Driver, policy_id: str) -> Dict[str, Any]:
    (found,) = policies(client, AutoSnapshotPolicyId=policy_id)
    return found


def apply(client: Driver, policy_id: str, *disk_ids: str, region: str = REGION) -> None:
    client.call("ApplyAutoSnapshotPolicy", regionId=region, autoSnapshotPolicyId=policy_id,
                diskIds=json.dumps(list(disk_ids)))


def associations(client: Driver, **params: Any) -> List[Dict[str, str]]:
    out = client.call("DescribeAutoSnapshotPolicyAssociations", RegionId=REGION, **params)
    return list(out["AutoSnapshotPolicyAssociations"]["AutoSnapshotPolicyAssociation"])


def policy_of(client: Driver, disk_id: str) -> str:
    found = associations(client, DiskId=disk_id)
    return found[0]["AutoSnapshotPolicyId"] if found else ""


def two_disks(client: Driver) -> List[str]:
    inst = run_instance(client)
    return [system_disk(client, inst), system_disk(client, run_instance(client))]


# --- Create and DescribeEx -----------------------------------------------------------------------
def test_create_then_describe_answers_the_string_forms_terraform_reads(client, ecs):
    policy_id = create(client, autoSnapshotPolicyName="nightly-db", ResourceGroupId="rg-acfmzw2jz2z1234",
                       EnableCrossRegionCopy=True, TargetCopyRegions=json.dumps([OTHER]),
                       CopiedSnapshotsRetentionDays=7, **{"CopyEncryptionConfiguration.Encrypted": True,
                                                          "CopyEncryptionConfiguration.KMSKeyId": "key-1"},
                       **tag_params([("env", "prod"), ("team", "db")]))
    assert policy_id.startswith("sp-bp1")
    found = the_policy(client, policy_id)
    assert found["TimePoints"] == '["1","13"]' and found["RepeatWeekdays"] == EVERY_DAY
    assert found["TargetCopyRegions"] == '["cn-beijing"]'
    assert json.loads(found["TimePoints"]) == ["1", "13"]
    assert (found["AutoSnapshotPolicyName"], found["RetentionDays"], found["Status"], found["Type"]) == (
        "nightly-db", 2, "Normal", "Custom")
    assert (found["DiskNums"], found["VolumeNums"], found["RegionId"]) == (0, 0, REGION)
    assert (found["EnableCrossRegionCopy"], found["CopiedSnapshotsRetentionDays"]) == (True, 7)
    assert found["CopyEncryptionConfiguration"] == {"Encrypted": True, "KMSKeyId": "key-1"}
    assert found["ResourceGroupId"] == "rg-acfmzw2jz2z1234"
    assert found["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "db"}]
    assert found["CreationTime"] == ecs.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    # Another region has none of it.
    assert policies(client, region=OTHER) == []
    # Defaults: no name, no copy, "[]" for no destination.
    plain = the_policy(client, create(client, timePoints="[0, 23]", retentionDays=-1))
    assert (plain["TimePoints"], plain["RetentionDays"], plain["AutoSnapshotPolicyName"]) == ('["0","23"]', -1, "")
    assert (plain["TargetCopyRegions"], plain["EnableCrossRegionCopy"], plain["CopiedSnapshotsRetentionDays"]) == (
        "[]", False, -1)


def test_the_tea_sdk_models_read_the_answers(ecs):
    """The typed Tea client: TimePoints, RepeatWeekdays and TargetCopyRegions are str in its model."""
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import models as om

    from conftest import AK, SECRET

    tea = Client(om.Config(access_key_id=AK, access_key_secret=SECRET, region_id=REGION))
    made = tea.create_auto_snapshot_policy(models.CreateAutoSnapshotPolicyRequest(
        region_id=REGION, time_points='["1","13"]', repeat_weekdays='["1"]', retention_days=2,
        auto_snapshot_policy_name="tea-made", tag=[models.CreateAutoSnapshotPolicyRequestTag(key="k", value="v")]))
    policy_id = made.body.auto_snapshot_policy_id
    inst = run_instance_tea(tea, models)
    disk_id = tea.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=inst)).body.disks.disk[0]
    tea.apply_auto_snapshot_policy(models.ApplyAutoSnapshotPolicyRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id, disk_ids=json.dumps([disk_id.disk_id])))
    body = tea.describe_auto_snapshot_policy_ex(models.DescribeAutoSnapshotPolicyExRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id)).body
    (policy,) = body.auto_snapshot_policies.auto_snapshot_policy
    assert (policy.time_points, policy.repeat_weekdays, policy.target_copy_regions) == ('["1","13"]', '["1"]', "[]")
    assert (policy.disk_nums, policy.auto_snapshot_policy_name, policy.type) == (1, "tea-made", "Custom")
    assert [(t.tag_key, t.tag_value) for t in policy.tags.tag] == [("k", "v")]
    assert (body.total_count, body.page_number, body.page_size) == (1, 1, 10)
    assoc = tea.describe_auto_snapshot_policy_associations(models.DescribeAutoSnapshotPolicyAssociationsRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id)).body
    assert [(a.auto_snapshot_policy_id, a.disk_id) for a in
            assoc.auto_snapshot_policy_associations.auto_snapshot_policy_association] == [(policy_id, disk_id.disk_id)]
    tea.modify_auto_snapshot_policy_ex(models.ModifyAutoSnapshotPolicyExRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id, retention_days=5))
    tea.cancel_auto_snapshot_policy(models.CancelAutoSnapshotPolicyRequest(
        region_id=REGION, disk_ids=json.dumps([disk_id.disk_id])))
    tea.delete_auto_snapshot_policy(models.DeleteAutoSnapshotPolicyRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id))
    assert ecs.ids("policies") == []


def run_instance_tea(tea: Any, models: Any) -> str:
    out = tea.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id="ubuntu_22_04_x64_20G_alibase_20240130.vhd", instance_type="ecs.g7.large"))
    return str(out.body.instance_id_sets.instance_id_set[0])


@pytest.mark.parametrize("points, days", [
    ('["24"]', EVERY_DAY), ('["-1"]', EVERY_DAY), ("[]", EVERY_DAY), ("1", EVERY_DAY), ('["a"]', EVERY_DAY),
    ('{"1": 1}', EVERY_DAY), ("[1.5]", EVERY_DAY), ("[true]", EVERY_DAY), (json.dumps([str(h % 24) for h in range(25)]),
                                                                         EVERY_DAY),
    ('["1"]', '["0"]'), ('["1"]', '["8"]'), ('["1"]', "[]"), ('["1"]', "monday"), ('["1"]', '["1"'),
])
def test_create_refuses_time_points_and_weekdays_out_of_their_ranges(client, points, days):
    message = WEEKDAYS if points == '["1"]' else TIME_POINTS
    expect_error(lambda: create(client, timePoints=points, repeatWeekdays=days), "ParameterInvalid", message, 403)


def test_create_refusals(client, ecs):
    for days in (0, -2, 65536):
        expect_error(lambda days=days: create(client, retentionDays=days), "ParameterInvalid", RETENTION, 403)
    assert create(client, retentionDays=65535).startswith("sp-")
    for name in ("a", "1abc", "http://x", "-bad", "has space", "dot.ted", "x" * 129):
        expect_error(lambda name=name: create(client, autoSnapshotPolicyName=name),
                     "InvalidSnapshotPolicyName.Malformed",
                     "The specified autoSnapshotPolicyName is wrongly formed.", 400)
    assert create(client, autoSnapshotPolicyName="a:b_c-9" + "x" * 121).startswith("sp-")
    expect_error(lambda: create(client, **tag_params([("k", "1"), ("k", "2")])), "Duplicate.TagKey",
                 "The Tag.N.Key contain duplicate key.", 400)
    expect_error(lambda: create(client, **tag_params([("aliyun-x", "1")])), "InvalidTagKey.Malformed",
                 "The specified Tag.n.Key is not valid.", 400)
    expect_error(lambda: create(client, **tag_params([("k", "acs:x")])), "InvalidTagValue.Malformed",
                 "The specified Tag.n.Value is not valid.", 400)
    for targets in ("cn-beijing", '["cn-beijing","cn-shanghai"]', '["cn-atlantis"]', json.dumps([REGION]), "[]"):
        expect_error(lambda targets=targets: create(client, EnableCrossRegionCopy=True, TargetCopyRegions=targets),
                     "InvalidParameter.TargetCopyRegions", TARGETS, 403)
    expect_error(lambda: create(client, EnableCrossRegionCopy=True), "InvalidParameter.TargetCopyRegions", TARGETS, 403)
    for days in (0, -2, 65536):
        expect_error(lambda days=days: create(client, CopiedSnapshotsRetentionDays=days),
                     "InvalidParameter.CopiedSnapshotsRetentionDays",
                     "The specified CopiedSnapshotsRetentionDays is invalid.", 403)
    expect_error(lambda: create(client, **{"CopyEncryptionConfiguration.KMSKeyId": "key-1"}),
                 "InvalidParameter.EncryptedIllegal",
                 "The specified parameter Encrypted must be true when kmsKeyId is not empty.", 400)
    ecs.set_account_status(not_enough_balance=True)
    expect_error(lambda: create(client), "InvalidAccountStatus.NotEnoughBalance",
                 "Your account does not have enough balance.", 403)
    ecs.set_account_status(not_enough_balance=False, snapshot_service_unavailable=True)
    expect_error(lambda: create(client), "InvalidAccountStatus.SnapshotServiceUnavailable",
                 "Snapshot service has not been opened yet.", 403)


@pytest.mark.in_process
def test_create_stops_at_100_policies_per_region_and_account(client, ecs):
    for _ in range(100):
        create(client)
    expect_error(lambda: create(client), "AutoSnapshotPolicy.QuotaExceed",
                 "The maximum number of automatic snapshot policy has been reached.", 403)
    assert create(client, region=OTHER).startswith("sp-2ze")
    client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=ecs.ids("policies")[0])
    assert create(client).startswith("sp-")


@pytest.mark.parametrize("action, params", [
    ("CreateAutoSnapshotPolicy", {"timePoints": '["1"]', "repeatWeekdays": '["1"]', "retentionDays": 1}),
    ("ModifyAutoSnapshotPolicyEx", {"autoSnapshotPolicyId": "sp-bp1nosuchpolicy00000"}),
    ("ApplyAutoSnapshotPolicy", {"autoSnapshotPolicyId": "sp-bp1nosuchpolicy00000", "diskIds": '["d-1"]'}),
    ("CancelAutoSnapshotPolicy", {"diskIds": '["d-1"]'}),
])
def test_an_unknown_region_is_parameter_invalid_in_the_lower_camel_actions(client, action, params):
    expect_error(lambda: client.call(action, RegionId="cn-atlantis", regionId="cn-atlantis", **params),
                 "ParameterInvalid", REGION_INVALID, 403)


def test_an_unknown_region_in_the_other_actions(client):
    expect_error(lambda: describe(client, region="cn-atlantis"), "InvalidRegionId.NotFound",
                 "The specified RegionId does not exist.", 400)
    expect_error(lambda: client.call("DescribeAutoSnapshotPolicyAssociations", RegionId="cn-atlantis",
                                     DiskId="d-bp1nosuchdisk0000000"),
                 "InvalidRegionId.NotFound", "The specified RegionId does not exist.", 404)
    expect_error(lambda: client.call("DeleteAutoSnapshotPolicy", RegionId="cn-atlantis", regionId="cn-atlantis",
                                     autoSnapshotPolicyId="sp-bp1nosuchpolicy00000"),
                 "InvalidRegionId.NotFound", "The specified RegionId does not exist.", 404)


# --- paging and filters ----------------------------------------------------------------------------
def test_describe_pages_and_filters(client):
    made = [create(client, autoSnapshotPolicyName=f"p{n:02d}", **tag_params([("n", str(n % 3))]),
                   **({"ResourceGroupId": "rg-acfmzw2jz2z1234"} if n % 2 else {})) for n in range(12)]
    first = describe(client, PageSize=5)
    assert (first["TotalCount"], first["PageNumber"], first["PageSize"]) == (12, 1, 5)
    seen = [p["AutoSnapshotPolicyId"] for n in (1, 2, 3) for p in policies(client, PageSize=5, PageNumber=n)]
    assert seen == made[::-1]  # newest first, each once
    assert len(policies(client)) == 10  # default page size
    assert [p["AutoSnapshotPolicyId"] for p in policies(client, AutoSnapshotPolicyId=made[3])] == [made[3]]
    assert [p["AutoSnapshotPolicyId"] for p in policies(client, AutoSnapshotPolicyName="p04")] == [made[4]]
    assert policies(client, AutoSnapshotPolicyId="sp-bp1nosuchpolicy00000") == []  # no error: Terraform's NotFound
    by_tag = {p["AutoSnapshotPolicyId"] for p in policies(client, PageSize=100, **tag_params([("n", "1")]))}
    assert by_tag == {made[n] for n in range(12) if n % 3 == 1}
    assert len(policies(client, PageSize=100, **{"Tag.1.Key": "n"})) == 12
    grouped = {p["AutoSnapshotPolicyId"] for p in policies(client, PageSize=100, ResourceGroupId="rg-acfmzw2jz2z1234")}
    assert grouped == set(made)  # the default group shows as well (as DescribeDisks)
    expect_error(lambda: describe(client, **{"Tag.1.Value": "x"}), "InvalidTag.Mismatch",
                 "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
    expect_error(lambda: describe(client, **{"Tag.21.Key": "x"}), "InvalidTagCount",
                 "The specified tags are beyond the permitted range.", 400)
    expect_error(lambda: describe(client, PageSize=101), "InvalidPageSize.Malformed")


# --- Apply, Cancel, Delete ------------------------------------------------------------------------
def test_apply_replaces_the_policy_a_disk_holds(client):
    first, second = create(client), create(client)
    disk_a, disk_b = two_disks(client)
    apply(client, first, disk_a, disk_b, disk_a)  # a repeat counts once
    assert (the_policy(client, first)["DiskNums"], policy_of(client, disk_a)) == (2, first)
    apply(client, second, disk_a)
    assert (policy_of(client, disk_a), policy_of(client, disk_b)) == (second, first)
    assert (the_policy(client, first)["DiskNums"], the_policy(client, second)["DiskNums"]) == (1, 1)
    apply(client, second, disk_a)  # again: no change
    assert [a["DiskId"] for a in associations(client, AutoSnapshotPolicyId=second)] == [disk_a]


def test_apply_refusals(client, ecs):
    policy_id = create(client)
    elsewhere = create(client, region=OTHER)
    disk = system_disk(client, run_instance(client))
    expect_error(lambda: apply(client, "sp-bp1nosuchpolicy00000", disk), "ParameterInvalid", NO_POLICY, 404)
    expect_error(lambda: apply(client, elsewhere, disk), "ParameterInvalid", NO_POLICY_HERE, 404)
    expect_error(lambda: apply(client, "d-" + disk[2:], disk), "ParameterInvalid",
                 "The specified AutoSnapshotPolicyId parameter is invalid.", 403)
    for raw in ("[]", disk, '["d-1"', "[1]", '[""]', json.dumps([f"d-{n}" for n in range(101)])):
        expect_error(lambda raw=raw: client.call("ApplyAutoSnapshotPolicy", regionId=REGION,
                                                 autoSnapshotPolicyId=policy_id, diskIds=raw),
                     "ParameterInvalid", DISK_IDS, 403)
    expect_error(lambda: apply(client, policy_id, disk, "d-bp1nosuchdisk0000000"), "InvalidDiskId.NotFound",
                 "The specified disk does not exist in the region.", 404)
    local = [d["DiskId"] for d in disks_of(client, create_instance(client, **LOCAL_DISK)) if d["Type"] == "data"]
    expect_error(lambda: apply(client, policy_id, *local), "DiskCategory.OperationNotSupported",
                 "The type of the specified disk does not support creating a snapshot.", 400)
    expect_error(lambda: apply(client, policy_id, disk, *local), "PartofDiskCategory.OperationNotSupported",
                 "The types of some disks in the disk list do not support creating snapshots.", 400)
    assert policy_of(client, disk) == ""  # nothing applied by a refused call
    ecs.set_account_status(not_enough_balance=True)
    expect_error(lambda: apply(client, policy_id, disk), "InvalidAccountStatus.NotEnoughBalance",
                 "Your account does not have enough balance.", 403)
    ecs.set_account_status(not_enough_balance=False, snapshot_service_unavailable=True)
    expect_error(lambda: apply(client, policy_id, disk), "InvalidAccountStatus.SnapshotServiceUnavailable",
                 "Snapshot service has not been opened yet.", 403)


def test_cancel_takes_disks_out_of_their_policy(client):
    first, second = create(client), create(client)
    disk_a, disk_b = two_disks(client)
    apply(client, first, disk_a)
    apply(client, second, disk_b)
    # With autoSnapshotPolicyId only the disks holding it are cancelled.
    client.call("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=json.dumps([disk_a, disk_b]),
                autoSnapshotPolicyId=second)
    assert (policy_of(client, disk_a), policy_of(client, disk_b)) == (first, "")
    client.call("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=json.dumps([disk_a, disk_b]))
    assert (policy_of(client, disk_a), the_policy(client, first)["DiskNums"]) == ("", 0)
    assert len(policies(client)) == 2  # the policies stay
    for raw in ('[""]', "[]", disk_a, "[1]"):
        expect_error(lambda raw=raw: client.call("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=raw),
                     "ParameterInvalid", DISK_IDS, 403)
    expect_error(lambda: client.call("CancelAutoSnapshotPolicy", regionId=REGION,
                                     diskIds=json.dumps([disk_a, "d-bp1nosuchdisk0000000"])),
                 "InvalidDiskId.NotFound", "The specified DiskIds are not found.", 404)


def test_delete_detaches_its_disks(client, ecs):
    policy_id = create(client)
    disk_a, disk_b = two_disks(client)
    apply(client, policy_id, disk_a, disk_b)
    client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy_id)
    assert (policy_of(client, disk_a), policy_of(client, disk_b)) == ("", "")
    assert policies(client) == [] and ecs.ids("policies") == []
    expect_error(lambda: client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy_id),
                 "ParameterInvalid", NO_POLICY, 404)
    elsewhere = create(client, region=OTHER)
    expect_error(lambda: client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=elsewhere),
                 "ParameterInvalid", NO_POLICY_HERE, 404)
    # The disks take another policy.
    apply(client, create(client), disk_a)


# --- Modify ----------------------------------------------------------------------------------------
def test_modify_changes_what_is_given_and_keeps_the_rest(client):
    policy_id = create(client, autoSnapshotPolicyName="keep-me", EnableCrossRegionCopy=True,
                       TargetCopyRegions=json.dumps([OTHER]), CopiedSnapshotsRetentionDays=3,
                       **{"CopyEncryptionConfiguration.Encrypted": True})

    def modify(**params: Any) -> None:
        client.call("ModifyAutoSnapshotPolicyEx", regionId=REGION, autoSnapshotPolicyId=policy_id, **params)

    modify(timePoints='["5"]')
    found = the_policy(client, policy_id)
    assert (found["TimePoints"], found["RepeatWeekdays"], found["RetentionDays"], found["AutoSnapshotPolicyName"]) == (
        '["5"]', EVERY_DAY, 2, "keep-me")
    assert (found["EnableCrossRegionCopy"], found["TargetCopyRegions"], found["CopiedSnapshotsRetentionDays"]) == (
        True, '["cn-beijing"]', 3)
    modify(repeatWeekdays='["6","7"]', retentionDays=65536, autoSnapshotPolicyName="renamed",
           EnableCrossRegionCopy=False, **{"CopyEncryptionConfiguration.KMSKeyId": "key-2"})
    found = the_policy(client, policy_id)
    assert (found["RepeatWeekdays"], found["RetentionDays"], found["AutoSnapshotPolicyName"]) == (
        '["6","7"]', 65536, "renamed")
    assert (found["EnableCrossRegionCopy"], found["CopyEncryptionConfiguration"]) == (
        False, {"Encrypted": True, "KMSKeyId": "key-2"})
    assert found["TimePoints"] == '["5"]'


def test_modify_refusals(client):
    policy_id = create(client)
    elsewhere = create(client, region=OTHER)

    def modify(target: str = policy_id, **params: Any) -> Any:
        return lambda: client.call("ModifyAutoSnapshotPolicyEx", regionId=REGION, autoSnapshotPolicyId=target,
                                   **params)

    expect_error(modify("sp-bp1nosuchpolicy00000"), "ParameterInvalid", NO_POLICY, 404)
    expect_error(modify(elsewhere), "ParameterInvalid", NO_POLICY_HERE, 404)
    expect_error(modify("p-23f2i9s4t"), "ParameterInvalid", "The specified AutoSnapshotPolicyId is invalid.", 403)
    expect_error(modify(timePoints='["24"]'), "ParameterInvalid", TIME_POINTS, 403)
    expect_error(modify(repeatWeekdays='["0"]'), "ParameterInvalid", WEEKDAYS, 403)
    expect_error(modify(retentionDays=65537), "ParameterInvalid", RETENTION, 403)
    expect_error(modify(autoSnapshotPolicyName="9lives"), "InvalidSnapshotPolicyName.Malformed")
    expect_error(modify(EnableCrossRegionCopy=True), "InvalidParameter.TargetCopyRegions", TARGETS, 403)
    expect_error(modify(CopiedSnapshotsRetentionDays=0), "InvalidParameter.CopiedSnapshotsRetentionDays",
                 "The specified CopiedSnapshotsRetentionDays is invalid.", 403)
    # A refused call changed nothing.
    found = the_policy(client, policy_id)
    assert (found["TimePoints"], found["EnableCrossRegionCopy"], found["RetentionDays"]) == ('["1","13"]', False, 2)


# --- DescribeAutoSnapshotPolicyAssociations -----------------------------------------------------------
def test_associations_page_by_next_token(client):
    policy_id = create(client)
    disks = [system_disk(client, run_instance(client)) for _ in range(3)]
    apply(client, policy_id, *disks)
    out = client.call("DescribeAutoSnapshotPolicyAssociations", RegionId=REGION, AutoSnapshotPolicyId=policy_id,
                      MaxResults=2)
    page = out["AutoSnapshotPolicyAssociations"]["AutoSnapshotPolicyAssociation"]
    assert len(page) == 2 and out["NextToken"]
    rest = associations(client, AutoSnapshotPolicyId=policy_id, MaxResults=2, NextToken=out["NextToken"])
    assert sorted(a["DiskId"] for a in page + rest) == sorted(disks)
    assert {a["AutoSnapshotPolicyId"] for a in page + rest} == {policy_id}
    assert associations(client, DiskId=disks[0]) == [{"AutoSnapshotPolicyId": policy_id, "DiskId": disks[0]}]
    idle = system_disk(client, run_instance(client))
    assert associations(client, DiskId=idle) == []
    expect_error(lambda: associations(client, AutoSnapshotPolicyId=policy_id, NextToken="forged"),
                 "InvalidNextToken.Malformed")


def test_associations_refusals(client):
    policy_id = create(client)
    call = client.call
    expect_error(lambda: call("DescribeAutoSnapshotPolicyAssociations", RegionId=REGION),
                 "MissingParameter.AutoSnapshotPolicyIdOrDiskId",
                 "Either AutoSnapshotPolicyId or DiskId must be specified.", 403)
    expect_error(lambda: associations(client, AutoSnapshotPolicyId=policy_id, DiskId="d-bp1nosuchdisk0000000"),
                 "ParameterConflict.AutoSnapshotPolicyIdAndDiskId",
                 "AutoSnapshotPolicyId and DiskId cannot be specified at the same time.", 403)
    expect_error(lambda: associations(client, AutoSnapshotPolicyId="sp-bp1nosuchpolicy00000"),
                 "InvalidAutoSnapshotPolicyId.NotFound", "Specified parameter AutoSnapshotPolicyId not found.", 404)
    expect_error(lambda: associations(client, DiskId="d-bp1nosuchdisk0000000"), "InvalidDiskId.NotFound",
                 "The specified DiskId does not exist.", 404)


def test_a_mock_restarted_has_no_policies(client):
    with MockEcs():
        create(client)
        assert len(policies(client)) == 1
    assert policies(client) == []


def test_aliyunsdkcore_without_region_id_acts_in_its_clients_region(ecs):
    """aliyunsdkcore's request classes have no setter for regionId; the RegionId the client adds
    (its own region) stands for it. Given, regionId decides."""
    from conftest import SdkCoreDriver, TeaDriver

    beijing = SdkCoreDriver(region=OTHER)
    made = beijing.call("CreateAutoSnapshotPolicy", timePoints='["1"]', repeatWeekdays='["1"]', retentionDays=1)
    assert made["AutoSnapshotPolicyId"].startswith("sp-2ze")
    assert [p["AutoSnapshotPolicyId"] for p in policies(beijing, region=OTHER)] == [made["AutoSnapshotPolicyId"]]
    there = create(beijing, region=REGION)  # regionId over the client's RegionId
    assert there.startswith("sp-bp1") and policies(beijing, region=OTHER)[0]["AutoSnapshotPolicyId"] != there
    # The Tea SDK sends regionId only: without it the request lacks its required parameter.
    expect_error(lambda: TeaDriver().call("CreateAutoSnapshotPolicy", timePoints='["1"]', repeatWeekdays='["1"]',
                                          retentionDays=1), "MissingregionId", "regionId is mandatory for this action.",
                 400)
