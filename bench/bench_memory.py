"""Memory per snapshot with N snapshots in the region (tracemalloc).

Run:  python bench/bench_memory.py [--count 100000]

The snapshots are made by the real code path: CreateSnapshot requests through the mock's
gateway (``Gateway.handle``: parsing, checks, the handler, ``backend.add_snapshot`` and its
indexes), on disks made by a RunInstances request (100 instances with 16 data disks each,
so that no disk passes its quota of 64). The figure is the memory the mock holds once they
exist, divided by their number: the snapshot objects, their IDs and every index that
refers to them. Before the reading the call record (``ecs.calls``, one entry per request,
kept until ``clear_calls``/``reset``) and the signature nonces (kept 15 minutes) are
emptied, since they grow with requests, not with snapshots.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import time
import tracemalloc
from typing import Any, Dict, List, Tuple
from urllib.parse import urlencode

from bench_common import FAST, IMAGE, REGION

PER_DISK = 64
_nonce = itertools.count(1)


def _request(action: str, **params: Any) -> Any:
    from mock_ecs.wire import HttpRequest

    query = {
        "Action": action, "Version": "2014-05-26", "Format": "JSON", "RegionId": REGION,
        "AccessKeyId": "LTAIbench", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "SignatureNonce": str(next(_nonce)),
        "Signature": "unchecked", **{k: str(v) for k, v in params.items()},
    }
    return HttpRequest("GET", f"https://ecs.{REGION}.aliyuncs.com/?{urlencode(query)}", {}, b"")


def _call(mock: Any, action: str, **params: Any) -> Dict[str, Any]:
    resp = mock.gateway.handle(_request(action, **params))
    body = json.loads(resp.body)
    if resp.status != 200:
        raise RuntimeError(f"{action}: {body['Code']}: {body['Message']}")
    return body  # type: ignore[no-any-return]


def make_disks(mock: Any, disks: int) -> List[str]:
    """At least ``disks`` snapshottable disks, through RunInstances (up to 100 x 17 per call)."""
    made: List[str] = []
    while len(made) < disks:
        data = {f"DataDisk.{n}.Size": 40 for n in range(1, 17)}
        data.update({f"DataDisk.{n}.Category": "cloud_essd" for n in range(1, 17)})
        amount = min(100, -(-(disks - len(made)) // 17))
        ids = _call(mock, "RunInstances", ImageId=IMAGE, InstanceType="ecs.g7.large", Amount=amount,
                    **data)["InstanceIdSets"]["InstanceIdSet"]
        state = next(iter(a for a in mock.backend.accounts.values())).regions[REGION]
        for instance_id in ids:
            made.extend(state.instances[instance_id].disk_ids)
    return made


def bytes_per_snapshot(count: int) -> Tuple[float, int]:
    """(bytes held per snapshot, snapshots made) with ``count`` snapshots in one region."""
    from mock_ecs import MockEcs

    mock = MockEcs(**FAST)  # not started: the gateway is called directly, no patching needed
    disks = make_disks(mock, -(-count // PER_DISK))
    requests = [_request("CreateSnapshot", DiskId=disks[n // PER_DISK]) for n in range(count)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        handle = mock.gateway.handle
        for req in requests:
            resp = handle(req)
            if resp.status != 200:
                raise RuntimeError(resp.body.decode())
        del resp
        mock.clear_calls()
        mock.backend.nonces.clear()
        mock.backend.nonce_order.clear()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    made = len(mock.ids("snapshots"))
    assert made == count, (made, count)
    return (after - before) / count, made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    per, made = bytes_per_snapshot(args.count)
    print(f"{made:,} snapshots: {per:,.0f} bytes per snapshot")


if __name__ == "__main__":
    main()
