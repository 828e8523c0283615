"""How much of each answer the official SDK's response models describe: docs/response-fields.md.

The Tea SDK (``alibabacloud_ecs20140526``) declares, per action, a ``<Action>ResponseBody`` model
with typed, nested fields under their wire names. ``model_fields`` walks it into paths
(``Disks.Disk[].Attachments.Attachment[].Device``); ``scenario`` runs every built action against
the mock in the shapes it answers (pay-as-you-go and subscription, attached and detached,
progressing and accomplished, both paging styles, every AdditionalAttributes); ``coverage``
compares the two. Only ``python -m mock_ecs.docs`` and the tests import this module: the SDKs it
uses (the Tea models, aliyunsdkcore to call the mock) are test extras, never needed at run time.

Counting: a *field* is a leaf of the model (a scalar or a list of scalars); objects and lists of
objects hold fields and are not counted themselves. A field is *answered* when some answer of the
scenario carries it with the model's type (an integer fits a float). A field inside a list of
objects that the mock answers, but always empty because the mock models nothing to put there
(Shared Block Storage attachments, IPv6 addresses, image check results), is answered by that
empty list, as the real service answers for such a resource; the page lists these separately.
"""

from __future__ import annotations

import importlib
import inspect
import json
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

if TYPE_CHECKING:
    from .mock import MockEcs

TEA_MODELS = "alibabacloud_ecs20140526.models"
PAGE = "docs/response-fields.md"
TARGET = 95.0  # percent of the model's fields, per built action
FULL = ("DescribeDisks", "DescribeSnapshots")  # these answer every field
_SCALARS = {str: "str", int: "int", float: "float", bool: "bool"}

Call = Callable[..., Dict[str, Any]]


# --- the SDK's models --------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """``path``: wire names joined by dots, ``[]`` after a list of objects. ``type``: ``str``,
    ``int``, ``float``, ``bool``, ``list[<scalar>]``, ``map``, or ``object`` / ``list`` for the
    containers (their fields follow under the path)."""

    path: str
    type: str

    @property
    def leaf(self) -> bool:
        return self.type not in ("object", "list")


class _Marker:
    """Stands for an attribute's value while ``to_map`` runs, to learn the attribute's wire key
    (a nested model's ``to_map()`` returns the marker itself)."""

    def to_map(self) -> _Marker:
        return self


def _holds(value: Any, marker: _Marker) -> bool:
    if value is marker:
        return True
    if isinstance(value, dict):
        return any(_holds(v, marker) for v in value.values())
    if isinstance(value, list):
        return any(_holds(v, marker) for v in value)
    return False


def _wire_key(cls: type, attr: str, as_list: bool) -> Optional[str]:
    marker = _Marker()
    obj = cls()
    setattr(obj, attr, [marker] if as_list else marker)
    for key, value in (obj.to_map() or {}).items():
        if _holds(value, marker):
            return str(key)
    return None


def _is_model(hint: Any) -> bool:
    return inspect.isclass(hint) and hasattr(hint, "to_map") and hasattr(hint, "from_map")


def _walk(cls: type, prefix: str, seen: Tuple[type, ...]) -> Iterator[Field]:
    module = importlib.import_module(cls.__module__)
    init = cls.__init__  # type: ignore[misc]  # the model's own: its parameters are its fields
    hints = typing.get_type_hints(init, vars(module))
    for attr in inspect.signature(init).parameters:
        hint = hints.get(attr)
        if attr == "self" or hint is None:
            continue
        args = typing.get_args(hint)
        origin = typing.get_origin(hint)
        as_list = origin is list
        key = _wire_key(cls, attr, as_list)
        if key is None:
            continue
        path = prefix + key
        inner = args[0] if as_list and args else hint
        if origin is dict:
            yield Field(path, "map")
        elif _is_model(inner):
            yield Field(path, "list" if as_list else "object")
            if inner not in seen:
                yield from _walk(inner, f"{path}[]." if as_list else f"{path}.", seen + (cls,))
        elif as_list:
            yield Field(path, f"list[{_SCALARS.get(inner, 'any')}]")
        else:
            yield Field(path, _SCALARS.get(hint, "any"))


def model_fields(action: str) -> List[Field]:
    """Every field of the SDK's ``<action>ResponseBody``, depth first, in the model's order."""
    model = getattr(importlib.import_module(TEA_MODELS), f"{action}ResponseBody")
    return list(_walk(model, "", ()))


def sdk_version() -> str:
    from importlib.metadata import version

    return version("alibabacloud_ecs20140526")


# --- the mock's answers ------------------------------------------------------------------------
def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    for kind, name in ((int, "int"), (float, "float"), (str, "str"), (dict, "object")):
        if isinstance(value, kind):
            return name
    if isinstance(value, list):
        kinds = {json_type(v) for v in value}
        if not kinds:
            return "list[]"
        return "list" if kinds == {"object"} else f"list[{kinds.pop()}]" if len(kinds) == 1 else "list[mixed]"
    return "null" if value is None else type(value).__name__


def answer_paths(doc: Dict[str, Any], prefix: str = "") -> Iterator[Tuple[str, str]]:
    """(path, JSON type) of every key of an answer, in the models' path notation."""
    for key, value in doc.items():
        path = prefix + key
        yield path, json_type(value)
        if isinstance(value, dict):
            yield from answer_paths(value, f"{path}.")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from answer_paths(item, f"{path}[].")


def _fits(model: str, seen: str) -> bool:
    return (model == seen or (model == "float" and seen == "int") or model in ("any", "map")
            or (model.startswith("list") and seen == "list[]"))


@dataclass
class Coverage:
    action: str
    fields: List[Field]
    seen: Dict[str, Set[str]] = field(default_factory=dict)  # path -> JSON types answered

    def _status(self, f: Field) -> str:
        kinds = self.seen.get(f.path)
        if kinds:
            return "answered" if any(_fits(f.type, k) for k in kinds) else "mismatch"
        if f.leaf and self.empty_parent(f) is not None:
            return "empty"
        return "missing"

    def empty_parent(self, f: Field) -> Optional[str]:
        """The list of objects, answered and always empty, that ``f`` lies in (None if none)."""
        parts = f.path.split("[].")
        for n in range(len(parts) - 1, 0, -1):
            parent = "[].".join(parts[:n])
            if self.seen.get(parent) == {"list[]"}:
                return parent
        return None

    @property
    def leaves(self) -> List[Field]:
        return [f for f in self.fields if f.leaf]

    def with_status(self, *statuses: str) -> List[Field]:
        return [f for f in self.leaves if self._status(f) in statuses]

    def count(self) -> Tuple[int, int]:
        return len(self.with_status("answered", "empty")), len(self.leaves)

    @property
    def percent(self) -> float:
        n, m = self.count()
        return 100.0 * n / m if m else 100.0

    def extra(self) -> List[str]:
        """Paths the mock answers that the model does not have."""
        known = {f.path for f in self.fields}
        return sorted(p for p in self.seen if p not in known)


def coverage(action: str, answers: Sequence[Dict[str, Any]], fields_: Optional[List[Field]] = None) -> Coverage:
    cov = Coverage(action, fields_ if fields_ is not None else model_fields(action))
    for answer in answers:
        for path, kind in answer_paths(answer):
            cov.seen.setdefault(path, set()).add(kind)
    for kinds in cov.seen.values():  # a list seen with items somewhere is not "always empty"
        if len(kinds) > 1:
            kinds.discard("list[]")
    return cov


# --- a scenario that makes every built action answer in each of its shapes ---------------------
REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-i"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


def sdkcore_caller(fmt: str = "JSON", raw: Optional[Dict[str, List[bytes]]] = None) -> Call:
    """``call(action, **params)`` through aliyunsdkcore and the action's aliyunsdkecs request (real
    clients; the mock active): the answer as a dict (JSON; {} for XML), its body also kept in
    ``raw[action]``. ``A__B`` in a parameter name stands for ``A.B``."""
    from aliyunsdkcore.client import AcsClient  # type: ignore[import-untyped]

    client = AcsClient("conformance", "conformance-secret", REGION, auto_retry=False)

    def call(action: str, **params: Any) -> Dict[str, Any]:
        module = importlib.import_module(f"aliyunsdkecs.request.v20140526.{action}Request")
        req = getattr(module, f"{action}Request")()
        req.set_accept_format(fmt)
        for key, value in params.items():
            req.add_query_param(key.replace("__", "."), str(value).lower() if isinstance(value, bool) else str(value))
        if fmt == "JSON":
            body = client.do_action_with_exception(req)
        else:  # do_action_with_exception asks for JSON whatever the request says
            status, _, body, error = client._implementation_of_do_action(req)
            if error is not None or status != 200:
                raise RuntimeError(f"{action} {params}: {status} {error or body!r}")
        if raw is not None:
            raw.setdefault(action, []).append(body)
        return json.loads(body) if fmt == "JSON" else {}

    return call


def scenario(ecs: MockEcs, call: Call) -> Dict[str, List[Dict[str, Any]]]:
    """Every built action, through ``call``; the answers per action. Any failure raises: a
    scenario call that fails is a defect of the mock or of this scenario."""
    answers: Dict[str, List[Dict[str, Any]]] = {}

    def ask(action: str, **params: Any) -> Dict[str, Any]:
        answer = call(action, **params)
        answers.setdefault(action, []).append(answer)
        return answer

    common = dict(RegionId=REGION, ZoneId=ZONE, ImageId=IMAGE, InstanceType="ecs.g7.large",
                  SecurityGroupId="sg-bp1fg655nh68xyz9i0lk", VSwitchId="vsw-bp1s5fnvk4gn2tws03624",
                  KeyPairName="my-key", HostName="web-1", Description="a web server", InternetMaxBandwidthOut=5,
                  ResourceGroupId="rg-acfmzw2jz2z1234", Tag__1__Key="env", Tag__1__Value="prod")
    # Pay-as-you-go with a public IP and a data disk; subscription (OrderId, TradePrice), two at once.
    ask("RunInstances", InstanceName="web-1", DataDisk__1__Size=40, DataDisk__1__Category="cloud_essd",
        DataDisk__1__PerformanceLevel="PL1", **common)
    web = _newest(ecs, "instances")
    ask("RunInstances", InstanceName="sub-1", InstanceChargeType="PrePaid", Period=1, PeriodUnit="Month",
        Amount=2, **common)
    sub = _newest(ecs, "instances")
    ask("CreateInstance", InstanceName="made-1", **common)
    made = _newest(ecs, "instances")
    ask("CreateInstance", InstanceName="made-2", InstanceChargeType="PrePaid", Period=1, **common)
    ecs.advance_clock(600)
    # A subscription disk (OrderId) created on a subscription instance; a disk created, then attached.
    ask("CreateDisk", RegionId=REGION, InstanceId=sub, DiskCategory="cloud_essd", Size=50, DiskName="sub-data")
    sub_disk = _newest(ecs, "disks")
    ask("CreateDisk", RegionId=REGION, ZoneId=ZONE, DiskCategory="cloud_essd", Size=100, DiskName="data-1",
        Description="a data disk", PerformanceLevel="PL1", Encrypted=True, KMSKeyId="0e478b7a-4262-4802-b8cb",
        ResourceGroupId="rg-acfmzw2jz2z1234", Tag__1__Key="env", Tag__1__Value="prod")
    data_disk = _newest(ecs, "disks")
    ecs.advance_clock(600)
    ask("AttachDisk", DiskId=data_disk, InstanceId=web, DeleteWithInstance=False)
    ecs.advance_clock(3600)  # past the disks' initialisation
    system = next(d for d in ecs.ids("disks") if ecs.disk(d)["InstanceId"] == web and ecs.disk(d)["Type"] == "system")
    ecs.set_disk_data_size(system, 12)
    ask("CreateSnapshot", DiskId=system, SnapshotName="sys-1", Description="system disk", RetentionDays=30,
        InstantAccess=True, ResourceGroupId="rg-acfmzw2jz2z1234", Tag__1__Key="env", Tag__1__Value="prod")
    ask("CreateSnapshot", DiskId=data_disk, SnapshotName="data-1")
    sys_snap, data_snap = ecs.ids("snapshots")[-2:]
    ask("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([sys_snap, data_snap]))  # progressing
    ecs.advance_clock(3600)
    ask("ModifySnapshotAttribute", SnapshotId=sys_snap, SnapshotName="sys-1b", Description="renamed")
    ask("ModifyDiskAttribute", DiskId=data_disk, DiskName="data-1b", Description="renamed", DeleteAutoSnapshot=False)
    ask("ResizeDisk", DiskId=data_disk, NewSize=120, Type="online")
    ask("ResizeDisk", DiskId=sub_disk, NewSize=60)  # a subscription disk: OrderId
    ask("CreateImage", RegionId=REGION, SnapshotId=sys_snap, ImageName="golden-1", ImageFamily="golden",
        Description="golden image", Architecture="x86_64", Platform="Ubuntu", ResourceGroupId="rg-acfmzw2jz2z1234",
        Tag__1__Key="env", Tag__1__Value="prod")
    image = _newest(ecs, "images")
    ask("CreateImage", RegionId=REGION, InstanceId=web, ImageName="from-instance")
    ecs.advance_clock(3600)
    ask("CopyImage", RegionId=REGION, ImageId=image, DestinationRegionId="cn-shanghai",
        DestinationImageName="golden-copy", DestinationDescription="a copy", Tag__1__Key="env", Tag__1__Value="prod")
    ask("CopySnapshot", RegionId=REGION, SnapshotId=sys_snap, DestinationRegionId="cn-shanghai",
        DestinationSnapshotName="sys-copy", DestinationSnapshotDescription="a copy", RetentionDays=30,
        Tag__1__Key="env", Tag__1__Value="dr")
    ask("DescribeSnapshots", RegionId="cn-shanghai")  # a copy: SourceSnapshotId, SourceRegionId
    ask("CreateDisk", RegionId=REGION, ZoneId=ZONE, SnapshotId=data_snap, DiskName="restored")
    # Tags: the plural actions on each resource type, a page that continues, the legacy ones.
    for kind, rid in (("instance", web), ("disk", data_disk), ("snapshot", sys_snap), ("image", image)):
        ask("TagResources", RegionId=REGION, ResourceType=kind, ResourceId__1=rid, Tag__1__Key="team",
            Tag__1__Value="web", Tag__2__Key="tier", Tag__2__Value="1")
        ask("ListTagResources", RegionId=REGION, ResourceType=kind, ResourceId__1=rid)
    ask("ListTagResources", RegionId=REGION, ResourceType="disk", TagFilter__1__TagKey="te*")
    ask("UntagResources", RegionId=REGION, ResourceType="disk", ResourceId__1=data_disk, TagKey__1="tier")
    ask("AddTags", RegionId=REGION, ResourceType="disk", ResourceId=data_disk, Tag__1__Key="csi", Tag__1__Value="1")
    ask("DescribeTags", RegionId=REGION)
    ask("RemoveTags", RegionId=REGION, ResourceType="disk", ResourceId=data_disk, Tag__1__Key="csi")
    ask("RunInstances", InstanceName="from-image", **{**common, "ImageId": image})
    ecs.advance_clock(600)
    ecs.lock_instance(made, "security")
    for extra in ({}, {"MaxResults": 10}, {"PageSize": 1}, {"NeedSaleCycle": True},
                  {"AdditionalAttributes__1": "META_OPTIONS", "AdditionalAttributes__2": "DDH_CLUSTER",
                   "AdditionalAttributes__3": "NETWORK_PRIMARY_ENI_IP"}):
        ask("DescribeInstances", RegionId=REGION, **extra)
    for extra in ({}, {"MaxResults": 10}, {"PageSize": 1}, {"AdditionalAttributes__1": "Placement"}):
        ask("DescribeDisks", RegionId=REGION, **extra)
    for extra in ({}, {"MaxResults": 10}, {"PageSize": 1}):
        ask("DescribeSnapshots", RegionId=REGION, **extra)
    for extra in ({}, {"ImageOwnerAlias": "system"}, {"ImageOwnerAlias": "self"}, {"PageSize": 1}):
        ask("DescribeImages", RegionId=REGION, **extra)
    # Automatic snapshot policies: applied and cancelled at one instant, so that none fires here.
    every_day = json.dumps([str(d) for d in range(1, 8)])
    ask("CreateAutoSnapshotPolicy", regionId=REGION, timePoints='["1","13"]', repeatWeekdays=every_day,
        retentionDays=7, autoSnapshotPolicyName="nightly", EnableCrossRegionCopy=True,
        TargetCopyRegions='["cn-shanghai"]', CopiedSnapshotsRetentionDays=3,
        CopyEncryptionConfiguration__Encrypted=True, CopyEncryptionConfiguration__KMSKeyId="0e478b7a-4262-4802-b8cb",
        ResourceGroupId="rg-acfmzw2jz2z1234",
        Tag__1__Key="env", Tag__1__Value="prod")
    policy = _newest(ecs, "policies")
    ask("CreateAutoSnapshotPolicy", regionId=REGION, timePoints='["2"]', repeatWeekdays='["6"]', retentionDays=-1)
    spare = _newest(ecs, "policies")
    ask("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy,
        diskIds=json.dumps([system, data_disk]))
    ask("ModifyAutoSnapshotPolicyEx", regionId=REGION, autoSnapshotPolicyId=policy, timePoints='["3","15"]',
        autoSnapshotPolicyName="nightly-b")
    ask("DescribeAutoSnapshotPolicyEx", RegionId=REGION)
    ask("DescribeAutoSnapshotPolicyEx", RegionId=REGION, AutoSnapshotPolicyId=policy, PageSize=1)
    ask("DescribeAutoSnapshotPolicyAssociations", RegionId=REGION, AutoSnapshotPolicyId=policy, MaxResults=1)
    ask("DescribeAutoSnapshotPolicyAssociations", RegionId=REGION, DiskId=system)
    ask("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=json.dumps([system, data_disk]))
    ask("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=spare)
    # Snapshot-consistent groups (all of web's disks at one instant), read progressing and
    # accomplished; the chains and the region's usage; the group deleted (its members go).
    ask("CreateSnapshotGroup", RegionId=REGION, InstanceId=web, Name="group-1", Description="all disks",
        InstantAccess=True, InstantAccessRetentionDays=3, ResourceGroupId="rg-acfmzw2jz2z1234",
        Tag__1__Key="env", Tag__1__Value="prod")
    group = _newest(ecs, "groups")
    ask("DescribeSnapshotGroups", RegionId=REGION)
    ask("DescribeSnapshotLinks", RegionId=REGION)
    ecs.advance_clock(3600)
    ask("ModifySnapshotGroup", RegionId=REGION, SnapshotGroupId=group, Name="group-1b", Description="renamed")
    ask("DescribeSnapshotGroups", RegionId=REGION, InstanceId=web, MaxResults=1, Status__1="accomplished")
    ask("DescribeSnapshotLinks", RegionId=REGION, MaxResults=10)
    ask("DescribeSnapshotLinks", RegionId=REGION, InstanceId=web, PageSize=1)
    ask("DescribeSnapshotsUsage", RegionId=REGION)
    ask("DeleteSnapshotGroup", RegionId=REGION, SnapshotGroupId=group)
    ask("DescribeRegions", AcceptLanguage="en-US")
    ask("DescribeZones", RegionId=REGION)
    ask("DescribeInstanceTypes", InstanceTypeFamily="ecs.g7", MaxResults=2)
    ask("DescribeUserData", RegionId=REGION, InstanceId=web)
    ask("DescribeInstanceAttribute", InstanceId=made)  # security-locked: OperationLocks
    ask("DescribeInstanceStatus", RegionId=REGION)
    ask("DescribeInstanceStatus", RegionId=REGION, PageSize=1, PageNumber=2)
    ask("ModifyInstanceAttribute", InstanceId=web, InstanceName="web-1b", Description="renamed", HostName="web-1b")
    ask("RebootInstance", InstanceId=web, ForceStop=False)
    ecs.advance_clock(600)
    ask("StopInstance", InstanceId=web)
    ecs.advance_clock(600)
    # The stopped instance's data disk rolled back to its snapshot, alone and as a batch.
    ask("ResetDisk", DiskId=data_disk, SnapshotId=data_snap)
    ask("ResetDisks", RegionId=REGION, Disk__1__DiskId=data_disk, Disk__1__SnapshotId=data_snap)
    ask("ReplaceSystemDisk", InstanceId=web, ImageId=IMAGE, SystemDisk__Size=40)
    ecs.advance_clock(600)
    ask("StartInstance", InstanceId=web)
    ecs.advance_clock(600)
    ask("DetachDisk", DiskId=data_disk, InstanceId=web)
    ecs.advance_clock(600)
    ask("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([data_disk]))
    ask("DeleteSnapshot", SnapshotId=data_snap, Force=True)
    ask("DeleteImage", RegionId=REGION, ImageId=image, Force=True)
    ask("DeleteDisk", DiskId=data_disk)
    ecs.unlock_instance(made)
    ask("DeleteInstance", InstanceId=made, Force=True)
    return answers


def _newest(ecs: MockEcs, kind: str) -> str:
    """The resource the scenario made last (read from the mock: XML answers are not parsed)."""
    return ecs.ids(kind)[-1]


def measure() -> Dict[str, Coverage]:
    """Run the scenario on a fresh mock through aliyunsdkcore; the coverage of every built action."""
    from . import router
    from .mock import MockEcs

    with MockEcs() as ecs:
        answers = scenario(ecs, sdkcore_caller("JSON"))
    return {action: coverage(action, answers.get(action, [])) for action in sorted(router.ACTIONS)}


# --- the page ----------------------------------------------------------------------------------
def anchor(action: str) -> str:
    return action.lower()


def summary(cov: Coverage) -> str:
    """``n/m`` with a link to the action's section (for README's table)."""
    n, m = cov.count()
    return f"[{n}/{m}]({PAGE}#{anchor(cov.action)})"


def render_page(results: Dict[str, Coverage], version: str, command: str) -> str:
    total_n = sum(c.count()[0] for c in results.values())
    total_m = sum(c.count()[1] for c in results.values())
    lines = [
        "# Response fields: the mock's answers against the official SDK's models",
        "",
        f"<!-- Generated by `{command}` from alibabacloud_ecs20140526 {version}: edit the code, then rerun it. -->",
        "",
        f"For every built action, the fields of `<Action>ResponseBody` in the Tea SDK "
        f"(`alibabacloud_ecs20140526` {version}) and how many of them the mock answers, with the model's type, "
        "in a scenario that makes every action answer in each of its shapes (`mock_ecs/conformance.py`).",
        "",
        "A field is a scalar (or a list of scalars) of the model; the objects and lists that hold them are not "
        "counted. \"Empty list\" fields lie inside a list of objects the mock answers but never fills, because "
        "it models nothing to put there (a Shared Block Storage attachment, an IPv6 address): the answer is the "
        "real one for such a resource, and they count as answered. Values the mock does not model are plausible "
        "constants, listed with their reasons in README \"How faithful it is\".",
        "",
        "| Action | Fields answered | % | Empty list | Missing |",
        "|---|---|---|---|---|",
    ]
    for action, cov in sorted(results.items()):
        n, m = cov.count()
        lines.append(f"| [{action}](#{anchor(action)}) | {n}/{m} | {cov.percent:.0f}% | "
                     f"{len(cov.with_status('empty'))} | {len(cov.with_status('missing', 'mismatch'))} |")
    lines += [f"| **all** | {total_n}/{total_m} | {100.0 * total_n / max(total_m, 1):.0f}% | | |", ""]
    for action, cov in sorted(results.items()):
        n, m = cov.count()
        lines += [f"## {action}", "", f"{n}/{m} fields of `{action}ResponseBody` ({cov.percent:.0f}%).", ""]
        for title, statuses in (("Missing", ("missing",)), ("Answered with another type", ("mismatch",)),
                                ("Empty list", ("empty",))):
            found = cov.with_status(*statuses)
            if found:
                lines += [f"{title}:", ""]
                lines += [f"- `{f.path}` ({f.type})" for f in found]
                lines.append("")
        extra = cov.extra()
        if extra:
            lines += ["Answered but not in the model:", ""] + [f"- `{p}`" for p in extra] + [""]
    return "\n".join(lines)
