"""Server mode: requests per second with 1 and with 8 client threads, mock_ecs against moto.

Run:  python bench/bench_server.py [--seconds 1.0] [--repeats 5]

Each server runs on a loopback port in this process: ``mock_ecs.server.ThreadedMockServer``
and moto's ``ThreadedMotoServer`` (when moto is installed: the ``bench`` extra). Every client
thread keeps one HTTP/1.1 connection (``http.client``) and repeats CreateSnapshot then
DeleteSnapshot of the new snapshot on a disk (a volume) of its own, for a fixed time; the
figure is the requests answered per second, all threads together (median of repeats, the
two servers alternating). The clients send the plain form-encoded query API (an ECS RPC call,
an EC2 query call) with the least client-side work, so the servers are what is measured;
mock_ecs is given unregistered keys (no signature to check), moto checks none.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import re
import statistics
import threading
import time
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from bench_common import FAST, IMAGE, REGION

FORM = "application/x-www-form-urlencoded"
_nonce = itertools.count(1)

# A client: post(connection, params) -> (status, body).
Post = Callable[[http.client.HTTPConnection, Dict[str, str]], Tuple[int, bytes]]


def _post(conn: http.client.HTTPConnection, body: str, headers: Dict[str, str]) -> Tuple[int, bytes]:
    conn.request("POST", "/", body=body, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


# --- mock_ecs ---------------------------------------------------------------------------------
def ecs_post(conn: http.client.HTTPConnection, params: Dict[str, str]) -> Tuple[int, bytes]:
    common = {
        "Version": "2014-05-26", "Format": "JSON", "RegionId": REGION, "AccessKeyId": "LTAIbench",
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": str(next(_nonce)),
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "Signature": "unchecked",
    }
    body = "&".join(f"{k}={quote(v, safe='')}" for k, v in {**common, **params}.items())
    return _post(conn, body, {"Content-Type": FORM, "Host": f"ecs.{REGION}.aliyuncs.com"})


def ecs_disks(conn: http.client.HTTPConnection, count: int) -> List[str]:
    params = {"Action": "RunInstances", "ImageId": IMAGE, "InstanceType": "ecs.g7.large"}
    params.update({f"DataDisk.{n}.Size": "40" for n in range(1, count)})
    status, body = ecs_post(conn, params)
    assert status == 200, body
    instance_id = json.loads(body)["InstanceIdSets"]["InstanceIdSet"][0]
    status, body = ecs_post(conn, {"Action": "DescribeDisks", "InstanceId": instance_id, "PageSize": "100"})
    assert status == 200, body
    return [d["DiskId"] for d in json.loads(body)["Disks"]["Disk"]][:count]


def ecs_pair(conn: http.client.HTTPConnection, disk_id: str) -> int:
    """CreateSnapshot + DeleteSnapshot; the number of answers that were not a success."""
    status, body = ecs_post(conn, {"Action": "CreateSnapshot", "DiskId": disk_id})
    if status != 200:
        return 2
    snapshot_id = json.loads(body)["SnapshotId"]
    status, _ = ecs_post(conn, {"Action": "DeleteSnapshot", "SnapshotId": snapshot_id})
    return int(status != 200)


# --- moto -------------------------------------------------------------------------------------
_MOTO_HEADERS = {
    "Content-Type": FORM,
    "Host": "ec2.us-east-1.amazonaws.com",
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=unchecked",
    "X-Amz-Date": "20260101T000000Z",
}
_SNAPSHOT_ID = re.compile(rb"<snapshotId>([^<]+)</snapshotId>")
_VOLUME_ID = re.compile(rb"<volumeId>([^<]+)</volumeId>")


def moto_post(conn: http.client.HTTPConnection, params: Dict[str, str]) -> Tuple[int, bytes]:
    body = "&".join(f"{k}={quote(v, safe='')}" for k, v in {"Version": "2016-11-15", **params}.items())
    return _post(conn, body, _MOTO_HEADERS)


def moto_volumes(conn: http.client.HTTPConnection, count: int) -> List[str]:
    out = []
    for _ in range(count):
        status, body = moto_post(conn, {"Action": "CreateVolume", "Size": "40", "AvailabilityZone": "us-east-1a"})
        match = _VOLUME_ID.search(body)
        assert status == 200 and match, body
        out.append(match.group(1).decode())
    return out


def moto_pair(conn: http.client.HTTPConnection, volume_id: str) -> int:
    status, body = moto_post(conn, {"Action": "CreateSnapshot", "VolumeId": volume_id})
    match = _SNAPSHOT_ID.search(body)
    if status != 200 or match is None:
        return 2
    status, _ = moto_post(conn, {"Action": "DeleteSnapshot", "SnapshotId": match.group(1).decode()})
    return int(status != 200)


# --- the load -----------------------------------------------------------------------------------
def load(port: int, targets: List[str], pair: Callable[[http.client.HTTPConnection, str], int],
         seconds: float) -> Tuple[float, int]:
    """(requests per second, failed answers): one thread per target, each for ``seconds``."""
    counts = [0] * len(targets)
    failures = [0] * len(targets)
    start = threading.Barrier(len(targets) + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            start.wait()
            while time.perf_counter() < deadline[0]:
                failures[i] += pair(conn, targets[i])
                counts[i] += 2
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(counts) / elapsed, sum(failures)


class Contender:
    def __init__(self, name: str, port: int, setup: Callable[[http.client.HTTPConnection, int], List[str]],
                 pair: Callable[[http.client.HTTPConnection, str], int]) -> None:
        self.name, self.port, self.setup, self.pair = name, port, setup, pair

    def run(self, threads: int, seconds: float) -> Tuple[float, int]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            targets = self.setup(conn, threads)
        finally:
            conn.close()
        return load(self.port, targets, self.pair, seconds)


def measure(thread_counts: List[int], seconds: float, repeats: int, with_moto: bool
            ) -> Dict[str, Dict[int, Tuple[float, int]]]:
    """{server: {threads: (median requests per second, failed answers in all runs)}}."""
    from mock_ecs.server import ThreadedMockServer

    servers: List[Tuple[Contender, Callable[[], None]]] = []
    ours = ThreadedMockServer(host="127.0.0.1", port=0, **FAST).start()
    servers.append((Contender("mock_ecs", ours.port, ecs_disks, ecs_pair), ours.stop))
    if with_moto:
        import logging

        from moto.server import ThreadedMotoServer

        # werkzeug logs every request to stderr; mock_ecs's server is quiet by default: alike.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        theirs = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        theirs.start()
        servers.append((Contender("moto", theirs.get_host_and_port()[1], moto_volumes, moto_pair), theirs.stop))
    try:
        out: Dict[str, Dict[int, Tuple[float, int]]] = {c.name: {} for c, _ in servers}
        for threads in thread_counts:
            samples: Dict[str, List[float]] = {c.name: [] for c, _ in servers}
            failed: Dict[str, int] = {c.name: 0 for c, _ in servers}
            for _ in range(repeats):
                for contender, _ in servers:
                    rps, failures = contender.run(threads, seconds)
                    samples[contender.name].append(rps)
                    failed[contender.name] += failures
            for name, values in samples.items():
                out[name][threads] = (statistics.median(values), failed[name])
        return out
    finally:
        for _, stop in servers:
            stop()


def main(argv: Optional[List[str]] = None) -> None:
    from bench_calls import moto_installed

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="per run")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    results = measure([1, 8], args.seconds, args.repeats, moto_installed())
    for name, by_threads in results.items():
        for threads, (rps, failed) in by_threads.items():
            print(f"{name:<10} {threads} thread(s): {rps:>8.0f} requests/s ({failed} failed)")


if __name__ == "__main__":
    main()
