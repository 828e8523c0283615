"""Per-call cost of a mock against its floor: the same SDK call answered by a canned body.

Run:  python bench/bench_calls.py [--n 200] [--repeats 7]

One "call" is CreateSnapshot then DeleteSnapshot of the new snapshot (so the disk stays
under its quota), timed through the real client:

- aliyunsdkcore (``AcsClient``) and the Tea SDK (``alibabacloud-ecs20140526``) under
  ``mock_ecs``, against the same calls answered by a bare stub at the same interception
  point returning a canned body of the mock's own shape: the floor. For Tea, a ``responses``
  stub of requests' ``HTTPAdapter.send`` (as the mock catches requests); for aliyunsdkcore,
  the vendored requests' ``HTTPAdapter.send`` replaced by a function that builds the
  vendored ``Response`` directly (as the mock does there: through ``responses`` the floor
  would be dearer than the mock);
- boto3 ``ec2.create_snapshot``/``delete_snapshot`` under moto's ``mock_aws`` (when moto is
  installed: the ``bench`` extra), against boto3 answered at the point where moto answers it:
  a handler of botocore's ``before-send`` event (moto's ``BotocoreStubber``) returning the
  very bodies moto returned, captured once.

Every floor's canned CreateSnapshot body carries a new snapshot ID on each call, as a mock's
does, so that the SDK sends the same sequence of requests in both runs. With one fixed ID
every DeleteSnapshot URL of the floor is the same string, and the standard library's URL
cache (``urllib.parse.urlsplit`` is memoised) answers it from cache, which no real run of
the SDK enjoys: measured side by side, that alone made the Tea SDK floor 2-9% cheaper.

Each figure is the median of repeated batches, the mock and its floor batches interleaved.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
from typing import Any, Callable, ContextManager, Dict, Iterator, Optional

from bench_common import FAST, IMAGE, REGION, sdkcore_call
from bench_timing import Batch, per_op, side_by_side

AK, SECRET = "LTAIbench", "bench-secret"
# What mock_ecs answers CreateSnapshot with (render.success), byte for byte in shape; the
# snapshot ID is new on each call (see above).
CANNED = '{"RequestId": "C8B26B44-0189-443E-9816-D951F59623A9", "SnapshotId": "s-bp1%017d"}'
JSON_TYPE = "application/json;charset=utf-8"


def canned_stub(stub: Any) -> None:
    """Answer every ECS request of ``stub`` (a ``responses.RequestsMock``) with CANNED."""
    from mock_ecs.regions import ECS_URL

    numbers = itertools.count()
    headers = {"Content-Type": JSON_TYPE}

    def answer(request: Any) -> Any:
        return 200, headers, (CANNED % next(numbers)).encode()

    for method in ("GET", "POST"):
        stub.add_callback(method, ECS_URL, callback=answer, content_type=None)


def moto_installed() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


# --- aliyunsdkcore ------------------------------------------------------------------------
def sdkcore_client() -> Any:
    from aliyunsdkcore.client import AcsClient

    return AcsClient(AK, SECRET, REGION, auto_retry=False)


def sdkcore_pair(client: Any, disk_id: str) -> Callable[[], None]:
    from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
    from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest

    def one() -> None:
        create = CreateSnapshotRequest()
        create.set_DiskId(disk_id)
        snapshot_id = json.loads(client.do_action_with_exception(create))["SnapshotId"]
        delete = DeleteSnapshotRequest()
        delete.set_SnapshotId(snapshot_id)
        client.do_action_with_exception(delete)

    return one


def sdkcore_disk(client: Any) -> str:
    """A snapshottable disk in the active mock, made through the SDK."""
    run = sdkcore_call(client, "RunInstances", ImageId=IMAGE, InstanceType="ecs.g7.large")
    instance_id = run["InstanceIdSets"]["InstanceIdSet"][0]
    disks = sdkcore_call(client, "DescribeDisks", InstanceId=instance_id)
    return disks["Disks"]["Disk"][0]["DiskId"]  # type: ignore[no-any-return]


FLOOR_DISK = "d-bp1aaaaaaaaaaaaaaaaa"  # the floors' disk: nothing checks it


@contextlib.contextmanager
def requests_stub() -> Iterator[None]:
    """requests answered by a bare ``responses`` stub of ``HTTPAdapter.send`` (CANNED)."""
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as stub:
        canned_stub(stub)
        yield


@contextlib.contextmanager
def vendored_stub() -> Iterator[None]:
    """aliyunsdkcore's vendored requests answered by its ``HTTPAdapter.send`` replaced: CANNED
    as a vendored ``Response``, read in full, built without a urllib3 response underneath."""
    from aliyunsdkcore.vendored.requests import adapters, models, structures, utils

    numbers = itertools.count()
    original = adapters.HTTPAdapter.__dict__["send"]

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        body = (CANNED % next(numbers)).encode()
        response = models.Response()
        response.status_code = 200
        response.headers = structures.CaseInsensitiveDict({"Content-Type": JSON_TYPE})
        response.encoding = utils.get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(body)
        response.reason = "OK"
        response.url = request.url
        response.request = request
        response.connection = adapter
        response._content = body
        response._content_consumed = True
        return response

    adapters.HTTPAdapter.send = send
    try:
        yield
    finally:
        adapters.HTTPAdapter.send = original


def stub_batches(pair: Callable[[Any, str], Callable[[], None]], client: Any, mock_disk: Callable[[], str],
                 stub: Callable[[], ContextManager[None]] = requests_stub) -> Dict[str, Batch]:
    """``pair`` of ``client``: under ``stub`` answering CANNED, the floor; under mock_ecs, on
    the disk ``mock_disk()`` makes in the mock, the mock."""
    from mock_ecs import MockEcs

    def floor(n: int) -> float:
        with stub():
            return per_op(pair(client, FLOOR_DISK), n)

    def mock(n: int) -> float:
        with MockEcs(**FAST):
            return per_op(pair(client, mock_disk()), n)

    return {"floor": floor, "mock": mock}


def sdkcore_batches(client: Any) -> Dict[str, Batch]:
    return stub_batches(sdkcore_pair, client, lambda: sdkcore_disk(client), vendored_stub)


# --- Tea SDK (alibabacloud-ecs20140526) ---------------------------------------------------------
def tea_client() -> Any:
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import models as om

    return Client(om.Config(access_key_id=AK, access_key_secret=SECRET, region_id=REGION))


def tea_pair(client: Any, disk_id: str) -> Callable[[], None]:
    from alibabacloud_ecs20140526 import models as em

    def one() -> None:
        snapshot_id = client.create_snapshot(em.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
        client.delete_snapshot(em.DeleteSnapshotRequest(snapshot_id=snapshot_id))

    return one


def tea_batches(client: Any, sdkcore: Any) -> Dict[str, Batch]:
    return stub_batches(tea_pair, client, lambda: sdkcore_disk(sdkcore))


# --- boto3 and moto -------------------------------------------------------------------------
class _Raw(io.BytesIO):
    """A raw body as botocore streams it (what moto's MockRawResponse is)."""

    def stream(self, **kwargs: Any) -> Any:
        data = self.read()
        while data:
            yield data
            data = self.read()


def boto3_client() -> Any:
    import boto3
    import moto  # noqa: F401 - moto adds its stub to botocore's handlers of clients made after it

    return boto3.client("ec2", region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")  # nosec - fake credentials


def boto3_pair(client: Any, volume_id: str) -> Callable[[], None]:
    def one() -> None:
        snapshot_id = client.create_snapshot(VolumeId=volume_id)["SnapshotId"]
        client.delete_snapshot(SnapshotId=snapshot_id)

    return one


def moto_canned(client: Any) -> Dict[str, Dict[str, Any]]:
    """The status, headers and body moto answers each operation with, captured once."""
    from moto import mock_aws

    seen: Dict[str, Dict[str, Any]] = {}

    def capture(event_name: str, response_dict: Dict[str, Any], **kwargs: Any) -> None:
        op = event_name.rsplit(".", 1)[-1]
        seen[op] = {"status": response_dict["status_code"], "headers": dict(response_dict["headers"]),
                    "body": response_dict["body"]}

    client.meta.events.register("before-parse.ec2", capture)
    try:
        with mock_aws():
            volume_id = client.create_volume(Size=40, AvailabilityZone="us-east-1a")["VolumeId"]
            boto3_pair(client, volume_id)()
    finally:
        client.meta.events.unregister("before-parse.ec2", capture)
    return seen


def boto3_batches(moto_client: Any, floor_client: Any) -> Dict[str, Batch]:
    from botocore.awsrequest import AWSResponse
    from moto import mock_aws

    canned = moto_canned(moto_client)
    # moto's snapshot ID in its CreateSnapshot body, replaced by a new one on each call.
    created = canned["CreateSnapshot"]["body"]
    start = created.index(b"<snapshotId>") + len(b"<snapshotId>")
    moto_id = created[start:created.index(b"</snapshotId>")]
    numbers = itertools.count()

    def answer(request: Any, event_name: str, **kwargs: Any) -> Optional[Any]:
        got = canned.get(event_name.rsplit(".", 1)[-1])
        if got is None:
            return None
        body = got["body"]
        if body is created:
            body = body.replace(moto_id, b"snap-%017x" % next(numbers))
        return AWSResponse(request.url, got["status"], got["headers"], _Raw(body))

    floor_client.meta.events.register("before-send.ec2", answer)

    def floor(n: int) -> float:
        return per_op(boto3_pair(floor_client, "vol-0123456789abcdef0"), n)

    def mock(n: int) -> float:
        with mock_aws():
            volume_id = moto_client.create_volume(Size=40, AvailabilityZone="us-east-1a")["VolumeId"]
            return per_op(boto3_pair(moto_client, volume_id), n)

    return {"floor": floor, "mock": mock}


def measure(n: int, repeats: int, with_moto: Optional[bool] = None) -> Dict[str, Dict[str, float]]:
    """{"aliyunsdkcore"|"tea"|"boto3": {"floor": s, "mock": s}} per CreateSnapshot+DeleteSnapshot pair."""
    sdkcore = sdkcore_client()
    out = {
        "aliyunsdkcore": side_by_side(sdkcore_batches(sdkcore), n, repeats),
        "tea": side_by_side(tea_batches(tea_client(), sdkcore), n, repeats),
    }
    if with_moto is None:
        with_moto = moto_installed()
    if with_moto:
        out["boto3"] = side_by_side(boto3_batches(boto3_client(), boto3_client()), n, repeats)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200, help="calls per repeat")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    results = measure(args.n, args.repeats)
    print(f"{'CreateSnapshot+DeleteSnapshot, ms per pair':<44}{'floor':>10}{'mock':>10}{'mock/floor':>12}"
          f"{'overhead':>10}")
    for client, got in results.items():
        f, m = got["floor"], got["mock"]
        print(f"{client:<44}{f * 1e3:>10.3f}{m * 1e3:>10.3f}{m / f:>12.2f}{(m - f) * 1e3:>10.3f}")


if __name__ == "__main__":
    main()
