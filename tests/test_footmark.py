"""footmark (the library behind Ansible's ali_instance) against the mock, unchanged.

footmark builds its own aliyunsdkcore AcsClient per call and has no endpoint setting: the
in-process interception catches its requests. Its parser sets nested attributes before plain
ones and dies with RecursionError when an Instance has PublicIpAddress before EipAddress, so
these tests pin the real key order too. footmark waits with ``time.sleep``; the tests make its
sleep move the mock's clock instead (no real waiting).
"""

from __future__ import annotations

import base64
import json
import types
from typing import Any, Iterator

import pytest

from conftest import IMAGE, REGION
from mock_ecs import MockEcs

pytest.importorskip("footmark")
import footmark.ecs.connection as footmark_ecs  # noqa: E402

VSW = "vsw-bp1s5fnvk4gn2tws03624"
SG = "sg-bp1fg655nh68xyz9i0lk"


@pytest.fixture
def conn(ecs: MockEcs, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """footmark's ECS connection; its ``time.sleep`` advances the mock's clock."""
    shim = types.SimpleNamespace(**{name: getattr(footmark_ecs.time, name) for name in dir(footmark_ecs.time)
                                    if not name.startswith("__")})
    shim.sleep = ecs.advance_clock
    monkeypatch.setattr(footmark_ecs, "time", shim)
    yield footmark_ecs.ECSConnection(acs_access_key_id="LTAIfootmark", acs_secret_access_key="secret", region=REGION)


def run(conn: Any, ecs: MockEcs, **extra: Any) -> list:
    return conn.run_instances(image_id=IMAGE, instance_type="ecs.g7.large", security_group_id=SG, vswitch_id=VSW,
                              instance_name="fm-web", description="from footmark", **extra)


def test_run_instances_answers_the_running_instances(conn, ecs):
    made = run(conn, ecs, amount=2, internet_max_bandwidth_out=0)
    assert len(made) == 2 and len({i.id for i in made}) == 2
    ids = set(ecs.ids("instances"))
    for inst in made:
        assert inst.id in ids and inst.id.startswith("i-bp1")
        assert (inst.name, inst.status, inst.description) == ("fm-web", "running", "from footmark")
        # No public IP: footmark reads the EIP's address instead, set before it (the real order).
        assert inst.public_ip_address == ""
        assert inst.private_ip_address == ecs.instance(inst.id)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
        assert (inst.vswitch_id, inst.vpc_id) == (VSW, ecs.instance(inst.id)["VpcAttributes"]["VpcId"])
        assert inst.vpc_id.startswith("vpc-")
        assert inst.image_id == IMAGE and inst.instance_type == "ecs.g7.large"
        assert inst.security_group_ids == {"security_group_id": [SG]}
    assert [c.action for c in ecs.calls if c.action != "DescribeInstances"] == ["RunInstances"]


def test_describe_instances_parses_every_instance(conn, ecs):
    web = run(conn, ecs, internet_max_bandwidth_out=5, tags={"env": "prod"})[0]
    assert web.public_ip_address == ecs.instance(web.id)["PublicIpAddress"]["IpAddress"][0]
    quiet = run(conn, ecs)[0]
    found = {i.id: i for i in conn.describe_instances()}
    assert set(found) == {web.id, quiet.id}
    assert found[web.id].tags == {"env": "prod"} and found[quiet.id].tags == {}
    assert found[quiet.id].public_ip_address == ""
    assert [i.id for i in conn.describe_instances(instance_ids=[quiet.id])] == [quiet.id]
    assert conn.describe_instances(instance_name="nothing-like-it") == []


def test_stop_instances_stops_each_instance(conn, ecs):
    """footmark polls DescribeInstances without sleeping until every one is Stopped: the mock's
    default transition is immediate (a longer one would spin it for that long in real time)."""
    made = run(conn, ecs, amount=2)
    ids = [i.id for i in made]
    assert conn.stop_instances(instance_ids=list(ids)) is True
    assert {i.id: i.status for i in conn.describe_instances(instance_ids=ids)} == dict.fromkeys(ids, "stopped")
    assert [c.params["InstanceId"] for c in ecs.calls if c.action == "StopInstance"] == ids
    assert {ecs.instance(i)["Status"] for i in ids} == {"Stopped"}


# --- instances: user data, attributes, start/reboot, delete ----------------------------------------

def snapshot_of(conn: Any, disk_id: str) -> str:
    """footmark has no snapshot function: its generic request call, as ansible users do."""
    return json.loads(conn.make_request("CreateSnapshot", {"set_DiskId": disk_id}))["SnapshotId"]


def test_user_data_and_attributes_of_an_instance(conn, ecs):
    inst = run(conn, ecs, user_data="#!/bin/sh\necho hi\n", host_name="fm-host")[0]
    assert inst.describe_user_data() == b"#!/bin/sh\necho hi\n"
    assert inst.modify(name="fm-renamed", description="renamed", host_name="fm-host-2", password="Passw0rd-fm!")
    got = conn.describe_instances(instance_ids=[inst.id])[0]
    assert (got.name, got.description, got.host_name) == ("fm-renamed", "renamed", "fm-host-2")
    sent = [c for c in ecs.calls if c.action == "ModifyInstanceAttribute"]
    assert [c.status for c in sent] == [200] and sent[0].params["Password"] == "Passw0rd-fm!"
    assert "Passw0rd-fm!" not in json.dumps(ecs.instance(inst.id))
    quiet = run(conn, ecs)[0]
    assert base64.b64decode(conn.describe_user_data(instance_id=quiet.id).user_data) == b""


def test_reboot_start_and_delete_instances(conn, ecs):
    made = run(conn, ecs, amount=2)
    ids = [i.id for i in made]
    assert conn.reboot_instances(instance_ids=list(ids)) is True
    assert [c.params["InstanceId"] for c in ecs.calls if c.action == "RebootInstance"] == ids
    assert {ecs.instance(i)["Status"] for i in ids} == {"Running"}
    assert conn.stop_instances(instance_ids=list(ids)) is True
    assert conn.start_instances(instance_ids=[ids[0]]) is True
    assert conn.describe_instances(instance_ids=[ids[0]])[0].status == "running"
    assert conn.stop_instances(instance_ids=[ids[0]]) is True
    assert conn.delete_instances(instance_ids=list(ids)) is True
    assert conn.describe_instances(instance_ids=ids) == [] and ecs.ids("instances") == []


# --- disks ----------------------------------------------------------------------------------------

def test_disk_create_attach_modify_detach_delete(conn, ecs):
    inst = run(conn, ecs)[0]
    disk = conn.create_disk(zone_id=inst.zone_id, disk_name="fm-data", disk_category="cloud_essd", size=40,
                            description="footmark data")
    assert (disk.name, disk.category, disk.size, disk.status) == ("fm-data", "cloud_essd", 40, "available")
    assert disk.id in ecs.ids("disks")
    assert conn.attach_disk(disk_id=disk.id, instance_id=inst.id) is True
    assert conn.describe_disk_attribute(disk.id).instance_id == inst.id
    assert conn.modify_disk_attribute(disk_id=disk.id, disk_name="fm-data-2", delete_with_instance=False) is True
    got = conn.describe_disks(disk_ids=[disk.id])[0]
    assert (got.name, got.status, got.delete_with_instance) == ("fm-data-2", "in_use", False)
    assert conn.detach_disk(disk_id=disk.id, instance_id=inst.id) is True
    assert conn.describe_disk_attribute(disk.id).status == "available"
    assert conn.delete_disk(disk_id=disk.id) is True
    assert disk.id not in ecs.ids("disks")
    assert [c.code for c in ecs.calls if c.action == "DescribeDisks"][-1] is None


# --- images ---------------------------------------------------------------------------------------

def test_image_from_a_snapshot_waits_until_available(conn, ecs):
    inst = run(conn, ecs)[0]
    system = conn.describe_disks(instance_id=inst.id)[0]
    ecs.advance_clock(3600)  # a new disk is Initializing for its first hour: no snapshot before
    snap = snapshot_of(conn, system.id)
    changed, image_id, results, _ = conn.create_image(snapshot_id=snap, image_name="fm-image", description="fm",
                                                      wait=True, wait_timeout=600)
    assert (changed, results) == (True, ["Image creation successful"]), results
    assert ecs.image(image_id)["Status"] == "Available"
    # footmark waits with DescribeImages Status=ALL, which shows the image while it is Creating.
    waits = [c for c in ecs.calls if c.action == "DescribeImages" and c.params.get("ImageId") == image_id]
    assert waits and {(c.params["Status"], c.status) for c in waits} == {("ALL", 200)}
    found = conn.describe_images(image_id=image_id)
    assert [(i.id, i.name, i.status) for i in found] == [(image_id, "fm-image", "Available")]
    assert conn.delete_image(image_id) is True
    assert image_id not in ecs.ids("images")


# --- tags -----------------------------------------------------------------------------------------

def test_tag_list_and_untag_resources(conn, ecs):
    inst = run(conn, ecs)[0]
    assert inst.add_tags({"env": "prod", "team": "fm"}) is True
    assert conn.list_tag_resources(resource_type="instance", resource_ids=[inst.id]) == {"env": "prod", "team": "fm"}
    assert conn.describe_instances(instance_ids=[inst.id])[0].tags == {"env": "prod", "team": "fm"}
    # Already there: footmark sends nothing.
    assert inst.add_tags({"env": "prod"}) is False
    assert inst.remove_tags({"team": "fm"}) is True
    assert conn.list_tag_resources(resource_type="instance", resource_ids=[inst.id]) == {"env": "prod"}
    disk = conn.describe_disks(instance_id=inst.id)[0]
    assert conn.tag_resources(resource_type="disk", resource_ids=[disk.id], tags={"role": "system"}) is True
    assert conn.list_tag_resources(resource_type="disk", resource_ids=[disk.id]) == {"role": "system"}
    assert ecs.disk(disk.id)["Tags"] == {"Tag": [{"TagKey": "role", "TagValue": "system"}]}
    # footmark's Disk reads "TagKey" after its parser made the keys snake_case: with ECS's own
    # answer its tags are {None: None} (an Instance reads tag_key and gets them right).
    assert conn.describe_disks(disk_ids=[disk.id])[0].tags == {None: None}
    assert {c.action for c in ecs.calls if c.status != 200} == set()
