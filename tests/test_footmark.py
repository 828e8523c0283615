"""footmark (the library behind Ansible's ali_instance) against the mock, unchanged.

footmark builds its own aliyunsdkcore AcsClient per call and has no endpoint setting: the
in-process interception catches its requests. Its parser sets nested attributes before plain
ones and dies with RecursionError when an Instance has PublicIpAddress before EipAddress, so
these tests pin the real key order too. footmark waits with ``time.sleep``; the tests make its
sleep move the mock's clock instead (no real waiting).
"""

from __future__ import annotations

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
