"""The numbers the spec leaves configurable, with the defaults of decisions.md."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Dict


@dataclass(frozen=True)
class Settings:
    """Behaviour knobs of one mock; every field is also a ``mock_ecs(...)`` keyword."""

    snapshot_quota: int = 64
    initialization_seconds: float = 3600
    snapshot_seconds_per_gib: float = 1.5
    snapshot_min_seconds: float = 10
    # CopySnapshot: a copy progresses max(snapshot_min_seconds, data GiB x this); 0 (the
    # default): as long as a snapshot of the source's data (snapshot_seconds_per_gib).
    copy_seconds_per_gib: float = 0
    instance_start_seconds: float = 0
    instance_transition_seconds: float = 0
    # Disk passing states (Creating, Attaching, Detaching) last this long; 0 settles at once.
    disk_transition_seconds: float = 0
    # CreateImage: Creating -> Available after this long.
    image_creation_seconds: float = 0
    # Custom images per account and region (CreateImage's QuotaExceed.Image). The reference
    # gives no number; 100 is the per-region limit of the earlier published ECS limits (today
    # a per-account quota in Quota Center).
    image_quota: int = 100
    # "spec": error texts of the 2018 specification; "current": the 2021+ API texts.
    edition: str = "spec"
    # Refuse access keys that were not registered (InvalidAccessKeyId.NotFound).
    strict_access_keys: bool = False
    # The per-instance disk limit AttachDisk enforces (InstanceDiskLimitExceeded).
    max_disks_per_instance: int = 17
    # DeleteSnapshot/DeleteDisk/DeleteImage of an unknown ID: "error" answers the documented
    # *.NotFound (404); "ignore" answers success, as the docs' prose says (FACTS.md section 11).
    delete_unknown: str = "error"
    # The call record (``ecs.calls``) keeps the newest this many calls, so a long-lived mock
    # (a server left running, a soak test) does not grow without bound; 0: no limit (as
    # queue.Queue's maxsize). The oldest go first (counted in ``backend.calls_dropped``).
    max_calls: int = 100_000
    # The firing log of automatic snapshot policies (``ecs.auto_snapshot_log()``) keeps the
    # newest this many firings per account; 0: no limit.
    max_auto_snapshot_log: int = 10_000

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with ``overrides``; an unknown name is a TypeError, caught at the call site."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown mock_ecs setting(s): {', '.join(sorted(unknown))}")
        if overrides.get("edition", self.edition) not in ("spec", "current"):
            raise ValueError("edition must be 'spec' or 'current'")
        if overrides.get("delete_unknown", self.delete_unknown) not in ("error", "ignore"):
            raise ValueError("delete_unknown must be 'error' or 'ignore'")
        for name in ("max_calls", "max_auto_snapshot_log"):
            limit = overrides.get(name, getattr(self, name))
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise ValueError(f"{name} must be an integer >= 0 (0: no limit), not {limit!r}")
        return replace(self, **overrides)

    def as_dict(self) -> Dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
