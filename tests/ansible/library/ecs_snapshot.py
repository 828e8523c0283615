#!/usr/bin/python
"""A user's own Ansible module: ansible-alicloud has no snapshot module, so this one sends
CreateSnapshot / DescribeSnapshots / DeleteSnapshot through footmark's generic request call
(the connection ali_* modules use, from ansible's alicloud_ecs module utils). It polls until the
snapshot is accomplished; between polls it moves the mock's clock by the second it would wait in
real use (advance_clock, tests/ansible/sitecustomize.py), so it never waits for real time."""


import json
import time

from ansible.module_utils.alicloud_ecs import ecs_argument_spec, ecs_connect
from ansible.module_utils.basic import AnsibleModule
from sitecustomize import advance_clock  # the suite's: on PYTHONPATH (tests/test_ansible.py)


def call(ecs, action, **params):
    """footmark's generic call: setter names of the aliyunsdkecs request class -> values."""
    return json.loads(ecs.make_request(action, {"set_" + k: v for k, v in params.items()}))


def main():
    spec = ecs_argument_spec()
    spec.update(dict(
        state=dict(default="present", choices=["present", "absent"]),
        disk_id=dict(type="str"),
        snapshot_id=dict(type="str"),
        snapshot_name=dict(type="str"),
        wait_timeout=dict(type="int", default=300),
    ))
    module = AnsibleModule(argument_spec=spec)
    ecs = ecs_connect(module)
    p = module.params
    try:
        if p["state"] == "absent":
            call(ecs, "DeleteSnapshot", SnapshotId=p["snapshot_id"])
            module.exit_json(changed=True, snapshot_id=p["snapshot_id"])
        kwargs = {"DiskId": p["disk_id"]}
        if p["snapshot_name"]:
            kwargs["SnapshotName"] = p["snapshot_name"]
        snapshot_id = call(ecs, "CreateSnapshot", **kwargs)["SnapshotId"]
        deadline = time.time() + p["wait_timeout"]
        while True:
            found = call(ecs, "DescribeSnapshots", SnapshotIds=json.dumps([snapshot_id]))["Snapshots"]["Snapshot"]
            if found and found[0]["Status"] == "accomplished":
                module.exit_json(changed=True, snapshot_id=snapshot_id, snapshot=found[0])
            if time.time() > deadline:
                module.fail_json(msg=f"snapshot {snapshot_id} not accomplished in time")
            advance_clock(1)  # the mock's clock moves by the second a real poll would wait
    except Exception as e:  # an API error, as footmark raises it
        module.fail_json(msg=f"{e}")


if __name__ == "__main__":
    main()
