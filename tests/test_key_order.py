"""Every object of every built action's answer, JSON and XML, has its keys in the real service's
order: Java HashMap iteration order (mock_ecs/keyorder.py), at the capacity real answers show
for the object's type where the mock's key count would give another one (keyorder.REAL_CAPACITY).

The answers are those of the conformance scenario (mock_ecs/conformance.py), which makes every
built action answer in each of its shapes, read through aliyunsdkcore as raw bodies.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from mock_ecs import MockEcs, conformance, keyorder, router

Obj = Tuple[str, str, List[str]]  # (where, type, keys in order)


def _json_objects(doc: Any, kind: str, where: str) -> Iterator[Obj]:
    if isinstance(doc, dict):
        yield where, kind, list(doc)
        for key, value in doc.items():
            yield from _json_objects(value, key, f"{where}.{key}")
    elif isinstance(doc, list):
        for n, item in enumerate(doc):
            yield from _json_objects(item, kind, f"{where}[{n}]")


def _xml_objects(elem: ET.Element, where: str) -> Iterator[Obj]:
    """An element's children are the object's keys; a list repeats one tag (counted once)."""
    tags: List[str] = []
    for child in elem:
        if not tags or tags[-1] != child.tag:
            tags.append(child.tag)
    if tags:
        yield where, elem.tag, tags
    for n, child in enumerate(elem):
        yield from _xml_objects(child, f"{where}.{child.tag}[{n}]")


def objects(action: str, body: bytes, fmt: str) -> Iterator[Obj]:
    if fmt == "JSON":
        return _json_objects(json.loads(body), f"{action}Response", action)
    return _xml_objects(ET.fromstring(body), action)


def disorder(kind: str, keys: List[str]) -> Optional[Tuple[str, str]]:
    return keyorder.out_of_order(keys, keyorder.REAL_CAPACITY.get(kind) or None)


@pytest.fixture(scope="module", params=["JSON", "XML"])
def bodies(request: pytest.FixtureRequest) -> Tuple[str, Dict[str, List[bytes]]]:
    raw: Dict[str, List[bytes]] = {}
    with MockEcs() as ecs:
        conformance.scenario(ecs, conformance.sdkcore_caller(request.param, raw))
    return request.param, raw


def test_the_scenario_answers_every_built_action(bodies):
    _, raw = bodies
    assert sorted(raw) == sorted(router.ACTIONS)


@pytest.mark.parametrize("action", sorted(router.ACTIONS))
def test_every_object_is_in_the_real_order(bodies, action):
    fmt, raw = bodies
    wrong = [(where, kind, pair) for body in raw[action] for where, kind, keys in objects(action, body, fmt)
             if (pair := disorder(kind, keys)) is not None]
    assert wrong == [], f"{fmt} {action}: the first of {len(wrong)} objects out of order: {wrong[:3]}"


def test_the_envelopes_the_reference_shows():
    """The envelopes of the actions that change something, from the 2021 samples and the rule."""
    raw: Dict[str, List[bytes]] = {}
    with MockEcs() as ecs:
        conformance.scenario(ecs, conformance.sdkcore_caller("JSON", raw))
    first = {action: list(json.loads(bodies[0])) for action, bodies in raw.items()}
    assert first["CreateSnapshot"] == ["SnapshotId", "RequestId"]
    assert first["CreateImage"] == ["RequestId", "ImageId"]
    assert first["ReplaceSystemDisk"] == ["RequestId", "DiskId"]
    # The scenario's first CreateDisk is a subscription disk: it has an OrderId.
    assert first["CreateDisk"] == ["RequestId", "OrderId", "DiskId"]
    assert [list(json.loads(b)) for b in raw["CreateDisk"][1:]] == [["RequestId", "DiskId"]] * 2
    for action in ("DeleteSnapshot", "DeleteDisk", "DeleteImage", "DeleteInstance", "AttachDisk", "DetachDisk",
                   "StartInstance", "StopInstance", "ModifySnapshotAttribute"):
        assert first[action] == ["RequestId"], action
    assert first["DescribeSnapshots"] == ["TotalCount", "NextToken", "PageSize", "RequestId", "PageNumber",
                                          "Snapshots"]
    assert first["DescribeDisks"] == ["TotalCount", "NextToken", "PageSize", "RequestId", "PageNumber", "Disks"]


def test_the_checker_catches_a_swap():
    """The test above can fail: a Disk written in the mock's old order is refused."""
    old = ["DiskId", "DiskName", "Description", "RegionId", "ZoneId", "Type", "Category", "Size"]
    assert disorder("Disk", old) is not None
    assert disorder("Disk", ["DetachedTime", "Category", "Description"]) is None
    assert disorder("CreateSnapshotResponse", ["RequestId", "SnapshotId"]) == ("RequestId", "SnapshotId")
