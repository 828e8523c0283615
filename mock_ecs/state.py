"""Saved states: the whole ECS of a mock as one JSON document, and back.

``dump_state(backend, configured)`` answers the document of a backend, ``load_state(doc,
settings)`` builds the backend the document describes, with the access keys registered in it;
the handle (mock.py) calls both and swaps a loaded backend in. This module is given what it
works on and never imports the handle. A load builds a new backend and checks everything
before the handle swaps it in: a malformed or foreign document raises ``StateError`` and
leaves the current state untouched. The document (format ``mock_ecs.state``, version 1)::

    {
      "format": "mock_ecs.state",
      "version": 1,
      "clock": {"now": 1767229200.0},
      "access_keys": {"LTAIalice": {"secret": "aliceSecret", "account_id": "1111111111111111"}},
      "accounts": {
        "1234567890123456": {
          "not_enough_balance": false,
          "snapshot_service_unavailable": false,
          "client_tokens": [
            {"action": "CreateSnapshot", "token": "nightly-1",
             "parameters": [["DiskId", "d-..."]], "answer": {"SnapshotId": "s-..."}}
          ],
          "regions": {
            "cn-hangzhou": {
              "instances": [...], "disks": [...], "snapshots": [...], "images": [...],
              "policies": [...], "groups": [...], "snapshot_links": {"d-...": "sl-..."}
            }
          },
          "auto_snapshots_until": 1767229200.0,
          "auto_snapshot_log": [{"time": ..., "policy_id": "sp-...", "disk_id": "d-...", ...}]
        }
      }
    }

- Resources are objects with the fields of ``mock_ecs.models`` (``Instance``, ``Disk``,
  ``Snapshot``, ``Image``; snake_case names, every field but ``seq``), listed oldest first:
  the list order is the creation order, so paging order survives a load. A field with a
  default may be left out (a hand-written fixture needs only the required ones).
- Times are epoch seconds (UTC) as JSON numbers: ``created_at``, ``initialized_at``,
  ``phase.until``, ... ``clock.now`` is the mock's time when the state was saved; a load
  resumes the clock there (its offset becomes ``now - wall time``), so every time-dependent
  state (snapshot progress, initialisation windows, transitions, retention, expiry) is as it
  was saved, however long ago that was.
- ``access_keys`` are the keys registered at run time (``register_access_key``); keys of the
  configuration (``access_keys=``, the environment) belong to the mock, like its settings,
  and are neither saved nor replaced.
- ``policies`` are automatic snapshot policies (``AutoSnapshotPolicy``, without ``disk_ids``:
  a policy's disks are the disks whose ``auto_snapshot_policy_id`` names it).
  ``auto_snapshots_until`` is the time up to which their firings were made (schedule.py): a
  load continues the schedule from there, so the firings between it and the clock are made on
  the next read. ``auto_snapshot_log`` is the firing log (``ecs.auto_snapshot_log()``).
- ``groups`` are snapshot-consistent groups (``SnapshotGroup``): their members are listed by
  ID in ``snapshot_ids`` (a member deleted on its own is skipped when read).
- ``client_tokens``: each account's remembered ClientTokens, oldest first, with the business
  parameters of the first request and the answer it got, so a replay after a load answers
  the same.
- Not saved: settings, injected faults, the call record, signature nonces. A load drops the
  faults and the record (like ``reset()``); NextTokens issued before it are stale.
"""

from __future__ import annotations

import json
import math
import os
import typing
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, Dict, FrozenSet, List, Mapping, Tuple, Type, Union

from . import keys, regions, schedule
from .backend import Account, Backend, RegionState, add_snapshot
from .models import LOCK_MESSAGES, AutoSnapshotPolicy, Disk, Image, Instance, Snapshot, SnapshotGroup
from .settings import Settings

FORMAT = "mock_ecs.state"
VERSION = 1

KINDS: Tuple[Tuple[str, type], ...] = (
    ("instances", Instance), ("disks", Disk), ("snapshots", Snapshot), ("images", Image),
    ("policies", AutoSnapshotPolicy), ("groups", SnapshotGroup),
)
ID_FIELDS = {
    Instance: "instance_id", Disk: "disk_id", Snapshot: "snapshot_id", Image: "image_id",
    AutoSnapshotPolicy: "policy_id", SnapshotGroup: "group_id",
}
LOCK_REASONS = tuple(LOCK_MESSAGES)  # what lock_instance accepts
# Fields not saved: ``seq`` is the list order; a policy's disks are the disks naming it.
_SKIPPED = frozenset({"seq"})
_SKIPPED_OF: Dict[type, FrozenSet[str]] = {AutoSnapshotPolicy: frozenset({"seq", "disk_ids"})}
_TOP = frozenset({"format", "version", "clock", "access_keys", "accounts"})
_ACCOUNT = frozenset({
    "not_enough_balance", "snapshot_service_unavailable", "client_tokens", "regions", "auto_snapshots_until",
    "auto_snapshot_log",
})
_REGION = frozenset({kind for kind, _ in KINDS} | {"snapshot_links"})
_TOKEN = frozenset({"action", "token", "parameters", "answer"})

StatePath = Union[str, "os.PathLike[str]"]


class StateError(ValueError):
    """A saved state mock_ecs cannot load: malformed, foreign, newer, or inconsistent."""


# --- dump ---------------------------------------------------------------------------------
_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    """The field types of a model, resolved once: resolving costs ~0.4 ms, and is asked per resource."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _shown(value: Any) -> str:
    """A value of the document as an error message quotes it."""
    return json.dumps(value, default=repr)[:80]


def _plain(value: Any) -> Any:
    """JSON-ready: tuples and sets become lists (sets sorted), mappings plain dicts."""
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _is_float(hint: Any) -> bool:
    """``float`` or ``Optional[float]``."""
    return hint is float or (typing.get_origin(hint) is Union and float in typing.get_args(hint))


def _encode(obj: Any) -> Dict[str, Any]:
    hints = _hints(type(obj))
    skipped = _SKIPPED_OF.get(type(obj), _SKIPPED)
    out: Dict[str, Any] = {}
    for f in fields(obj):
        if f.name in skipped:
            continue
        value = getattr(obj, f.name)
        if is_dataclass(value) and not isinstance(value, type):
            out[f.name] = _encode(value)
        elif _is_float(hints[f.name]) and isinstance(value, int) and not isinstance(value, bool):
            out[f.name] = float(value)  # a float field always reads back the same
        else:
            out[f.name] = _plain(value)
    return out


def _dump_region(state: RegionState) -> Dict[str, Any]:
    doc: Dict[str, Any] = {kind: [_encode(item) for item in getattr(state, kind).values()] for kind, _ in KINDS}
    doc["snapshot_links"] = dict(state.link_by_disk)
    return doc


def _dump_account(acct: Account) -> Dict[str, Any]:
    return {
        "not_enough_balance": acct.not_enough_balance,
        "snapshot_service_unavailable": acct.snapshot_service_unavailable,
        "client_tokens": [
            {"action": action, "token": token, "parameters": _plain(params), "answer": _plain(answer)}
            for (action, token), (params, answer) in acct.tokens.items()
        ],
        "regions": {region_id: _dump_region(state) for region_id, state in acct.regions.items()},
        "auto_snapshots_until": acct.fired_until,
        "auto_snapshot_log": [_encode(firing) for firing in acct.auto_log],
    }


def dump_state(backend: Backend, configured: keys.Keys) -> Dict[str, Any]:
    """The whole ECS of ``backend`` as a JSON-ready document (see the module's docstring).

    ``configured``: the keys of the mock's configuration, left out (only keys registered at run
    time are saved).
    """
    with backend.lock:
        return {
            "format": FORMAT,
            "version": VERSION,
            "clock": {"now": backend.clock.now()},
            "access_keys": {
                key: {"secret": secret, "account_id": account}
                for key, (secret, account) in backend.access_keys.items()
                if configured.get(key) != (secret, account)
            },
            "accounts": {account_id: _dump_account(acct) for account_id, acct in backend.accounts.items()},
        }


# --- load: types ----------------------------------------------------------------------------
def _kind_name(hint: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if hint in names:
        return names[hint]
    origin = typing.get_origin(hint)
    if origin in (list, set):
        return "a list"
    if origin is tuple:
        return f"a list of {len(typing.get_args(hint))} items"
    if origin is dict:
        return "an object"
    return getattr(hint, "__name__", str(hint))


def _decode(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Union:
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(value, inner, where)
    if isinstance(hint, type) and is_dataclass(hint):
        return _decode_dataclass(value, hint, where)

    def wrong() -> StateError:
        return StateError(f"{where}: expected {_kind_name(hint)}, not {_shown(value)}")

    if hint is bool:
        if not isinstance(value, bool):
            raise wrong()
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong()
        return value
    if hint is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise wrong()
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise wrong()
        return value
    if origin in (list, set, tuple):
        if not isinstance(value, list):
            raise wrong()
        if origin is tuple:
            if len(value) != len(args):
                raise wrong()
            return tuple(_decode(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
        items = [_decode(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
        return set(items) if origin is set else items
    if origin is dict:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise wrong()
        return {k: _decode(v, args[1], f"{where}.{k}") for k, v in value.items()}
    raise StateError(f"{where}: mock_ecs cannot read a field of type {hint!r}")  # pragma: no cover


def _decode_dataclass(value: Any, cls: Type[Any], where: str) -> Any:
    if not isinstance(value, Mapping):
        raise StateError(f"{where}: expected an object ({cls.__name__}), not {_shown(value)}")
    hints = _hints(cls)
    skipped = _SKIPPED_OF.get(cls, _SKIPPED)
    known = [f for f in fields(cls) if f.init and f.name not in skipped]
    unknown = set(value) - {f.name for f in known}
    if unknown:
        raise StateError(
            f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))} for {cls.__name__} "
            f"(the fields are those of mock_ecs.models.{cls.__name__})"
        )
    kwargs: Dict[str, Any] = {}
    for f in known:
        if f.name in value:
            kwargs[f.name] = _decode(value[f.name], hints[f.name], f"{where}.{f.name}")
        elif f.default is MISSING and f.default_factory is MISSING:
            raise StateError(f"{where}: {cls.__name__} needs the field {f.name!r}")
    return cls(**kwargs)


def _object(value: Any, where: str, allowed: FrozenSet[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StateError(f"{where}: expected an object, not {_shown(value)}")
    unknown = set(value) - allowed
    if unknown:
        raise StateError(
            f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
            f"the fields are {', '.join(sorted(allowed))}"
        )
    return value


# --- load: building ---------------------------------------------------------------------------
class _Builder:
    def __init__(self, settings: Settings) -> None:
        self.backend = Backend(settings)
        # resource ID -> where the document has it, for duplicates across accounts and kinds.
        self.seen: Dict[str, str] = {}

    def header(self, doc: Any) -> Mapping[str, Any]:
        if not isinstance(doc, Mapping):
            raise StateError(f"a mock_ecs state is a JSON object, not {type(doc).__name__}")
        fmt = doc.get("format")
        if fmt != FORMAT:
            raise StateError(f"not a mock_ecs state: \"format\" is {json.dumps(fmt)}, not \"{FORMAT}\"")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise StateError(f"\"version\" must be a positive integer, not {json.dumps(version, default=repr)}")
        if version > VERSION:
            raise StateError(
                f"this state has format version {version}, written by a newer mock_ecs; "
                f"this mock_ecs reads version {VERSION}"
            )
        return _object(doc, "the state", _TOP)

    def build(self, doc: Any) -> Tuple[Backend, keys.Keys]:
        top = self.header(doc)
        clock = _object(top.get("clock", {}), "clock", frozenset({"now"}))
        now = _decode(clock["now"], float, "clock.now") if "now" in clock else None
        try:
            registered = keys.parse(top.get("access_keys", {}), "the state's access_keys")
        except keys.AccessKeysError as err:
            raise StateError(str(err)) from None
        accounts = top.get("accounts", {})
        if not isinstance(accounts, Mapping):
            raise StateError("accounts: expected an object of account ID -> account")
        for account_id, account_doc in accounts.items():
            self.account(account_id, account_doc)
        if now is not None:
            self.backend.clock.offset = now - self.backend.clock.wall()
        return self.backend, registered

    def account(self, account_id: Any, doc: Any) -> None:
        where = f"accounts.{account_id}"
        if not isinstance(account_id, str) or not account_id:
            raise StateError(f"accounts: an account ID must be a non-empty string, not {account_id!r}")
        fields_ = _object(doc, where, _ACCOUNT)
        acct = self.backend.account(account_id)
        acct.not_enough_balance = _decode(fields_.get("not_enough_balance", False), bool,
                                          f"{where}.not_enough_balance")
        acct.snapshot_service_unavailable = _decode(fields_.get("snapshot_service_unavailable", False), bool,
                                                    f"{where}.snapshot_service_unavailable")
        region_docs = fields_.get("regions", {})
        if not isinstance(region_docs, Mapping):
            raise StateError(f"{where}.regions: expected an object of region ID -> region")
        for region_id, region_doc in region_docs.items():
            self.region(acct, region_id, region_doc, f"{where}.regions.{region_id}")
        self.tokens(acct, fields_.get("client_tokens", []), f"{where}.client_tokens")
        # The schedule continues where the saved one stood: firings after it are made on the next read.
        acct.fired_until = _decode(fields_.get("auto_snapshots_until", 0.0), float, f"{where}.auto_snapshots_until")
        log = _decode(fields_.get("auto_snapshot_log", []), List[schedule.Firing], f"{where}.auto_snapshot_log")
        acct.auto_log.extend(log)
        schedule.rearm(acct, acct.fired_until)

    def region(self, acct: Account, region_id: Any, doc: Any, where: str) -> None:
        if not isinstance(region_id, str) or not regions.is_known(region_id):
            raise StateError(f"{where}: {region_id!r} is not a region mock_ecs knows")
        fields_ = _object(doc, where, _REGION)
        items: Dict[str, List[Any]] = {}
        for kind, cls in KINDS:
            listed = fields_.get(kind, [])
            if not isinstance(listed, list):
                raise StateError(f"{where}.{kind}: expected a list")
            items[kind] = []
            for i, item_doc in enumerate(listed):
                item = _decode_dataclass(item_doc, cls, f"{where}.{kind}[{i}]")
                rid = getattr(item, ID_FIELDS[cls])
                if not rid:
                    raise StateError(f"{where}.{kind}[{i}]: the ID is empty")
                if rid in self.seen:
                    raise StateError(f"{where}.{kind}[{i}]: {rid} appears twice (also at {self.seen[rid]})")
                self.seen[rid] = f"{where}.{kind}[{i}]"
                if item.region_id != region_id:
                    raise StateError(f"{where}.{kind}[{i}]: {rid} has region_id {item.region_id!r}, not {region_id!r}")
                items[kind].append(item)
        links = _decode(fields_.get("snapshot_links", {}), Dict[str, str], f"{where}.snapshot_links")
        state = acct.region(region_id)
        for disk_id, link in links.items():
            if link in state.disk_by_link:
                raise StateError(f"{where}.snapshot_links: {link} is the chain of two disks")
            state.link_by_disk[disk_id] = link
            state.disk_by_link[link] = disk_id
        for inst in items["instances"]:
            state.instances[inst.instance_id] = inst
        for disk in items["disks"]:
            state.disks[disk.disk_id] = disk
        for image in items["images"]:
            state.images[image.image_id] = image
        for policy in items["policies"]:
            state.policies[policy.policy_id] = policy
        for group in items["groups"]:
            state.groups[group.group_id] = group
        for disk in items["disks"]:
            if disk.auto_snapshot_policy_id:
                policy = state.policies.get(disk.auto_snapshot_policy_id)
                if policy is None:
                    raise StateError(f"{where}: disk {disk.disk_id} has automatic snapshot policy "
                                     f"{disk.auto_snapshot_policy_id}, which the region does not have")
                policy.disk_ids[disk.disk_id] = None
        for snap in items["snapshots"]:
            given = snap.snapshot_link_id
            add_snapshot(acct, state, snap)
            if given and state.link_by_disk[snap.source_disk_id] != given:
                raise StateError(
                    f"{where}: snapshot {snap.snapshot_id} is in chain {given}, but snapshot_links gives "
                    f"{state.link_by_disk[snap.source_disk_id]} for its disk {snap.source_disk_id}"
                )
            if state.disk_by_link.get(snap.snapshot_link_id) != snap.source_disk_id:
                raise StateError(f"{where}: chain {snap.snapshot_link_id} belongs to another disk than "
                                 f"{snap.source_disk_id} (snapshot {snap.snapshot_id})")
        for kind, _ in KINDS:
            for rid in getattr(state, kind):
                acct.where[rid] = region_id
        self.check_region(state, where)

    def check_region(self, state: RegionState, where: str) -> None:
        """The references the actions rely on: a dangling one would fail a later request."""
        for disk in state.disks.values():
            if disk.disk_type not in ("system", "data"):
                raise StateError(f"{where}: disk {disk.disk_id} has disk_type {disk.disk_type!r}, "
                                 "not 'system' or 'data'")
            if disk.instance_id:
                holder = state.instances.get(disk.instance_id)
                if holder is None:
                    raise StateError(f"{where}: disk {disk.disk_id} is attached to instance {disk.instance_id}, "
                                     "which the region does not have")
                if disk.disk_id not in holder.disk_ids:
                    raise StateError(f"{where}: disk {disk.disk_id} is attached to {holder.instance_id}, "
                                     "whose disk_ids do not list it")
        for inst in state.instances.values():
            if len(set(inst.disk_ids)) != len(inst.disk_ids):
                raise StateError(f"{where}: instance {inst.instance_id} lists a disk twice")
            for disk_id in inst.disk_ids:
                listed = state.disks.get(disk_id)
                if listed is None:
                    raise StateError(f"{where}: instance {inst.instance_id} has disk {disk_id}, "
                                     "which the region does not have")
                if listed.instance_id != inst.instance_id:
                    raise StateError(f"{where}: instance {inst.instance_id} lists disk {disk_id}, which is "
                                     f"attached to {listed.instance_id or 'no instance'}")
            for reason, _ in inst.locks:
                if reason not in LOCK_REASONS:
                    raise StateError(f"{where}: instance {inst.instance_id} has a lock {reason!r}; "
                                     f"the reasons are {', '.join(LOCK_REASONS)}")
            for address in (inst.private_ip, inst.public_ip):
                if not address:
                    continue
                owner = state.ip_owners.setdefault(address, inst.instance_id)
                if owner != inst.instance_id:
                    raise StateError(f"{where}: instances {owner} and {inst.instance_id} both have {address}")
        for snap in state.snapshots.values():
            for disk_id in sorted(snap.disk_ids):
                if disk_id not in state.disks:
                    raise StateError(f"{where}: snapshot {snap.snapshot_id} lists disk {disk_id} as made from it, "
                                     "which the region does not have")
            for image_id in sorted(snap.image_ids):
                if image_id not in state.images:
                    raise StateError(f"{where}: snapshot {snap.snapshot_id} lists image {image_id} as made from "
                                     "it, which the region does not have")

    def tokens(self, acct: Account, doc: Any, where: str) -> None:
        if not isinstance(doc, list):
            raise StateError(f"{where}: expected a list")
        for i, entry in enumerate(doc):
            at = f"{where}[{i}]"
            fields_ = _object(entry, at, _TOKEN)
            missing = _TOKEN - set(fields_)
            if missing:
                raise StateError(f"{at}: needs {', '.join(sorted(missing))}")
            action = _decode(fields_["action"], str, f"{at}.action")
            token = _decode(fields_["token"], str, f"{at}.token")
            params = _decode(fields_["parameters"], List[Tuple[str, str]], f"{at}.parameters")
            answer = fields_["answer"]
            if not isinstance(answer, Mapping):
                raise StateError(f"{at}.answer: expected an object")
            if (action, token) in acct.tokens:
                raise StateError(f"{at}: the token {token!r} of {action} appears twice")
            acct.tokens[(action, token)] = (tuple(params), json.loads(json.dumps(answer)))


def load_state(doc: Any, settings: Settings) -> Tuple[Backend, keys.Keys]:
    """A new backend (with ``settings``) holding the state ``doc`` describes, and the access keys
    registered in it; StateError if it cannot.

    Built and checked apart from any running mock, whose handle then swaps it in
    (``install_backend``): on any error the current state is untouched. Faults and the call
    record start empty, as after ``reset()``.
    """
    return _Builder(settings).build(doc)


def read_state_file(path: StatePath) -> Dict[str, Any]:
    """The JSON document in ``path``; StateError when it cannot be read or is not JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"state file {os.fspath(path)!r} cannot be read: {exc}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise StateError(f"state file {os.fspath(path)!r} is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise StateError(f"state file {os.fspath(path)!r} holds {type(doc).__name__}, not a mock_ecs state")
    return doc


def write_state_file(doc: Mapping[str, Any], path: StatePath) -> None:
    """Write a state document, replacing ``path`` only once the whole text is written."""
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def state_source(source: Union[Mapping[str, Any], StatePath]) -> Dict[str, Any]:
    """A state given as a document or as the path of a file holding one."""
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, (str, os.PathLike)):
        return read_state_file(source)
    raise StateError(f"a mock_ecs state is a JSON object (or the path of a file holding one), "
                     f"not {type(source).__name__}")

