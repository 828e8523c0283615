"""The same state, seed and calls give the same answers in any process.

Python salts ``hash()`` of a str per process (PYTHONHASHSEED), so nothing a client or a saved
state sees may come from it, nor from the order of a set of strings. SnapshotSN is derived from
the snapshot's ID. What is random by design stays random: the IDs of new resources (unique, as
on the real service), RequestIds (a fresh UUID per request) and NextTokens (signed with a key
of the mock that issued them, so a token from another mock or process is refused); the
comparison below leaves those three out and checks everything else.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

from conftest import REGION, SdkCoreDriver, ready_disk
from mock_ecs import MockEcs, ids

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "state_region.json"
SN = re.compile(r"^[1-9][0-9]{4}-[1-9][0-9]{8}-[1-9][0-9]{8}$")  # 64472-116742336-61976****

# Run in a fresh interpreter: a saved region, every Describe*, seeded faults, a new snapshot.
SCENARIO = r'''
import json, sys
from freezegun import freeze_time
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from mock_ecs import mock_ecs

def call(client, action, **params):
    req = CommonRequest(domain="ecs.cn-hangzhou.aliyuncs.com", version="2014-05-26", action_name=action)
    for name, value in params.items():
        req.add_query_param(name, value)
    try:
        body = json.loads(client.do_action_with_exception(req))
    except ServerException as err:
        return {"error": [err.get_error_code(), err.get_error_msg(), err.get_http_status()]}
    body.pop("RequestId")
    body.pop("NextToken", None)
    return body

out = {}
with freeze_time("2026-03-01 01:14:00"), mock_ecs(state=sys.argv[1]) as ecs:
    client = AcsClient("any-key", "any-secret", "cn-hangzhou", auto_retry=False)
    for action in ("DescribeInstances", "DescribeDisks", "DescribeSnapshots", "DescribeImages"):
        out[action] = call(client, action, RegionId="cn-hangzhou", PageSize="100")
    out["paged"] = call(client, "DescribeSnapshots", RegionId="cn-hangzhou", MaxResults="1")
    out["image_of_snapshot"] = call(client, "DescribeImages", RegionId="cn-hangzhou",
                                    SnapshotId=out["DescribeSnapshots"]["Snapshots"]["Snapshot"][0]["SnapshotId"])
    ecs.inject_fault("*", "ServiceUnavailable", rate=0.5, seed=3)
    out["seeded"] = [call(client, "DescribeDisks", RegionId="cn-hangzhou").get("error") for _ in range(12)]
    ecs.clear_faults()
    out["state"] = ecs.dump_state()
    out["views"] = {sid: ecs.snapshot(sid) for sid in sorted(ecs.ids("snapshots"))}
    disk = "d-bp1kwlusptf8f9fr1x3r"
    new = call(client, "CreateSnapshot", DiskId=disk)["SnapshotId"]
    sn = call(client, "DescribeSnapshots", RegionId="cn-hangzhou", SnapshotIds=json.dumps([new]))
    out["new"] = [new, sn["Snapshots"]["Snapshot"][0]["SnapshotSN"]]
    out["calls"] = [[c.action, c.region_id, c.status, c.code] for c in ecs.calls]
print(json.dumps(out, sort_keys=True))
'''


def run_scenario(hash_seed: str) -> Dict[str, Any]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", SCENARIO, str(FIXTURE)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_same_state_and_calls_answer_the_same_in_processes_of_different_hash_seeds() -> None:
    first, second = run_scenario("1"), run_scenario("4242")
    new_first, new_second = first.pop("new"), second.pop("new")
    assert first == second
    # What the scenario saw is what it was meant to see (a comparison of two empty runs proves nothing).
    snapshots = first["DescribeSnapshots"]["Snapshots"]["Snapshot"]
    assert len(snapshots) == 2 and all(SN.match(s["SnapshotSN"]) for s in snapshots)
    assert len(first["DescribeInstances"]["Instances"]["Instance"]) == 2
    assert first["paged"]["TotalCount"] == 2 and len(first["paged"]["Snapshots"]["Snapshot"]) == 1
    assert {None, "ServiceUnavailable"} <= {e and e[0] for e in first["seeded"]}
    assert [a for a, *_ in first["calls"]][-2:] == ["CreateSnapshot", "DescribeSnapshots"]
    assert first["views"] == {s["SnapshotId"]: s for s in snapshots}
    # A new snapshot's ID is random; its SN is still its ID's, whichever process computes it.
    for snapshot_id, sn in (new_first, new_second):
        assert SN.match(sn) and sn == ids.snapshot_sn(snapshot_id)
    assert new_first[0] != new_second[0]


def test_a_saved_snapshot_keeps_its_sn() -> None:
    """Golden values: an SN is a function of the ID alone, the same in every process and release."""
    assert ids.snapshot_sn("s-bp17mqjohndhrzcvj5zg") == "94002-915920928-439799619"
    assert ids.snapshot_sn("s-bp1z2t9mpwcze6nv6v0i") == "54457-405409400-457399277"
    with MockEcs(state=FIXTURE) as ecs:
        client = SdkCoreDriver()
        shown = client.call("DescribeSnapshots", RegionId=REGION)["Snapshots"]["Snapshot"]
        assert {s["SnapshotId"]: s["SnapshotSN"] for s in shown} == {
            "s-bp17mqjohndhrzcvj5zg": "94002-915920928-439799619",
            "s-bp1z2t9mpwcze6nv6v0i": "54457-405409400-457399277",
        }
        assert ecs.snapshot("s-bp17mqjohndhrzcvj5zg")["SnapshotSN"] == "94002-915920928-439799619"


def test_every_snapshot_has_its_own_sn_in_the_real_shape(ecs: MockEcs) -> None:
    client = SdkCoreDriver()
    _, disk_id = ready_disk(client, ecs)
    made = []
    for _ in range(3):
        made.append(client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"])
        ecs.advance_clock(3600)
    shown = {s["SnapshotId"]: s["SnapshotSN"]
             for s in client.call("DescribeSnapshots", RegionId=REGION)["Snapshots"]["Snapshot"]}
    assert set(shown) == set(made)
    assert all(SN.match(sn) for sn in shown.values()), shown
    assert len(set(shown.values())) == 3
    assert shown == {sid: ids.snapshot_sn(sid) for sid in made}
    again = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps(made[:1]))
    assert again["Snapshots"]["Snapshot"][0]["SnapshotSN"] == shown[made[0]]
