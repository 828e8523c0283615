"""Automatic snapshot policies firing on the one clock, without timers or threads.

Nothing runs in the background. Each account remembers up to when its firings were made
(``fired_until``) and the earliest time one is due (``next_fire``); whatever reads or changes
state first calls ``settle``, which makes the firings due since then, in time order, exactly
as if they had happened on time, then drops the snapshots whose retention ended. A request
pays one comparison when nothing is due.

A firing's outcome depends only on the state at its instant: the disk's and instance's status
there (their phases are functions of time), the disk's snapshots alive there, and the policy as
it was between the last change and now (every change settles first, so a policy is never read
with values newer than the firing). A jump of the clock far past a policy's retention skips the
firings whose snapshots could not outlive it and could not change any later one (see
``_first_useful``): the cost follows the snapshots that remain, not the hours passed.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Deque, Iterator, List, Tuple

from .backend import Account, Backend, RegionState, remove_snapshot, snapshot_seconds, take_snapshot
from .models import AutoSnapshotPolicy, Disk, slotted
from .settings import Settings

UTC8 = 8 * 3600
DAY = 86400
WEEK = 7 * DAY
INF = float("inf")
# 1970-01-01 (epoch day 0) was a Thursday: ISO weekday 4 (Monday 1 ... Sunday 7).
_EPOCH_WEEKDAY = 4


@slotted()
@dataclass
class Firing:
    """One time point of one policy for one disk: the snapshot made, or why none was."""

    time: float
    region_id: str
    policy_id: str
    disk_id: str
    snapshot_id: str  # "" when skipped
    skipped: str  # "" when a snapshot was made; otherwise the reason (see SKIP_REASONS)


# Why a time point made no snapshot for a disk.
SKIP_REASONS = {
    "disk_status": "the disk was neither In_use nor Available after having been attached",
    "instance_status": "its instance was Stopping or Starting",
    "local_disk": "local disks get no snapshots",
    "snapshot_progressing": "a snapshot of the disk was still progressing",
    "quota": "the disk held snapshot_quota snapshots, none of them automatic and free of images",
}


# --- the calendar ---------------------------------------------------------------------------
def week_offsets(policy: AutoSnapshotPolicy) -> List[int]:
    """The policy's firing instants as seconds after a UTC+8 Monday 00:00, sorted."""
    days, hours = set(policy.repeat_weekdays), set(policy.time_points)
    return sorted((day - 1) * DAY + hour * 3600 for day in days for hour in hours)


def _week_start(t: float) -> float:
    """The UTC instant of the UTC+8 Monday 00:00 on or before ``t``."""
    local_day = int((t + UTC8) // DAY)
    weekday = (local_day + _EPOCH_WEEKDAY - 1) % 7  # 0: Monday
    return (local_day - weekday) * DAY - UTC8


def instants(offsets: List[int], after: float, until: float) -> Iterator[float]:
    """The firing instants in (after, until], in order."""
    if not offsets:
        return
    week = _week_start(after)
    while week <= until:
        for off in offsets:
            t = week + off
            if t > until:
                return
            if t > after:
                yield float(t)
        week += WEEK


def next_instant(offsets: List[int], after: float) -> float:
    """The first firing instant strictly after ``after`` (inf when the policy has none)."""
    if not offsets:
        return INF
    for t in instants(offsets, after, after + WEEK + DAY):
        return t
    return INF


def min_gap(offsets: List[int]) -> float:
    """The shortest time between two consecutive instants (a week for one instant a week)."""
    if len(offsets) < 2:
        return WEEK
    gaps = [b - a for a, b in zip(offsets, offsets[1:])]
    gaps.append(offsets[0] + WEEK - offsets[-1])
    return min(gaps)


def auto_name(policy_id: str, t: float) -> str:
    """``auto2.0_<yyyyMMdd>_<policy ID>``, the date in UTC+8 (the real service's name)."""
    return f"auto2.0_{datetime.fromtimestamp(t + UTC8, tz=timezone.utc):%Y%m%d}_{policy_id}"


# --- what the actions call ----------------------------------------------------------------------
def rearm(acct: Account, now: float) -> None:
    """Recompute when the account's next firing is due; call after any change to a policy's
    times or disks. Firings before ``now`` are never made afterwards: a change settles first."""
    acct.fired_until = max(acct.fired_until, now)
    acct.next_fire = min(
        (next_instant(week_offsets(p), acct.fired_until)
         for state in acct.regions.values() for p in state.policies.values() if p.disk_ids),
        default=INF,
    )


def apply(acct: Account, state: RegionState, policy: AutoSnapshotPolicy, disk: Disk, now: float) -> None:
    """Apply ``policy`` to ``disk``, replacing the policy it had (a disk holds one)."""
    forget_disk(state, disk)
    policy.disk_ids[disk.disk_id] = None
    disk.auto_snapshot_policy_id = policy.policy_id
    rearm(acct, now)


def cancel(acct: Account, state: RegionState, disk: Disk, now: float) -> None:
    """Stop ``disk``'s automatic snapshots (its policy stays, for its other disks)."""
    forget_disk(state, disk)
    rearm(acct, now)


def forget_disk(state: RegionState, disk: Disk) -> None:
    """Take ``disk`` out of its policy (a released disk, a cancel); the schedule skips it from now."""
    policy = state.policies.get(disk.auto_snapshot_policy_id) if disk.auto_snapshot_policy_id else None
    if policy is not None:
        policy.disk_ids.pop(disk.disk_id, None)
    disk.auto_snapshot_policy_id = ""


def delete_policy(acct: Account, state: RegionState, policy: AutoSnapshotPolicy, now: float) -> None:
    """Delete ``policy``: its disks keep their snapshots and have no policy any more."""
    for disk_id in policy.disk_ids:
        disk = state.disks.get(disk_id)
        if disk is not None:
            disk.auto_snapshot_policy_id = ""
    policy.disk_ids.clear()
    state.policies.pop(policy.policy_id, None)
    rearm(acct, now)


def release_auto_snapshots(acct: Account, state: RegionState, disk: Disk) -> None:
    """A disk released with DeleteAutoSnapshot: its automatic snapshots go with it, but those an
    image was made from (DeleteSnapshot refuses them: SnapshotCreatedImage)."""
    by_disk = state.snapshots_by_disk.get(disk.disk_id)
    if by_disk is not None:
        for snap in [s for s in by_disk.values() if s.policy_id and not s.made_images()]:
            remove_snapshot(acct, state, snap)


# --- firing ------------------------------------------------------------------------------------
def settle(backend: Backend, acct: Account, now: float) -> None:
    """Make every firing due up to ``now`` in time order, then drop expired snapshots."""
    if now >= acct.next_fire:
        _fire_until(backend, acct, now)
    if acct.retention:
        backend.expire_snapshots(acct, now)


def _fire_until(backend: Backend, acct: Account, now: float) -> None:
    settings = backend.settings
    start = acct.fired_until
    # One stream of instants per policy with disks, merged in time order (ties: creation order).
    streams = []
    for region_id, state in acct.regions.items():
        for policy in state.policies.values():
            if policy.disk_ids:
                offsets = week_offsets(policy)
                # A failure rule draws for every snapshot made: with one, every firing counts.
                first = start if backend.failure_rules else _first_useful(settings, state, policy, offsets, start, now)
                streams.append(_stream(instants(offsets, first, now), policy, region_id))
    for t, _, region_id, policy_id in heapq.merge(*streams):
        if acct.retention:  # what is alive at ``t`` is what the quota counts
            backend.expire_snapshots(acct, t)
        state = acct.regions[region_id]
        policy = state.policies[policy_id]
        name = auto_name(policy_id, t)
        for disk_id in list(policy.disk_ids):
            _fire(backend, acct, state, policy, disk_id, t, name)
    acct.fired_until = max(start, now)
    rearm(acct, now)


Event = Tuple[float, int, str, str]  # (instant, policy seq: ties in creation order, region, policy ID)


def _stream(times: Iterator[float], policy: AutoSnapshotPolicy, region_id: str) -> Iterator[Event]:
    for t in times:
        yield t, policy.seq, region_id, policy.policy_id


def _first_useful(
    settings: Settings, state: RegionState, policy: AutoSnapshotPolicy, offsets: List[int], start: float, now: float
) -> float:
    """Where the firings that can still matter at ``now`` begin (``start`` when all may).

    A firing at ``t`` makes a snapshot that lives until ``t + retention``. If that is at least
    one retention before ``now``, the snapshot is gone before any firing whose snapshot is still
    alive at ``now`` takes place, so it can change later firings only by keeping the disk busy
    into the next instant (not when every disk's snapshot takes less than the shortest gap) or by
    filling the quota (not when the disk's snapshots plus a retention's worth of firings fit).
    Then those firings change nothing but the log, and are skipped (not while a failure rule is
    set: each firing would draw it).
    """
    if policy.retention_days <= 0:
        return start
    span = policy.retention_days * DAY
    cut = now - 2 * span
    if cut <= start:
        return start
    gap = min_gap(offsets)
    # Instants recur weekly: a window of R days holds at most ceil(R / 7) weeks' worth.
    per_retention = len(offsets) * -(-policy.retention_days // 7)
    for disk_id in policy.disk_ids:
        disk = state.disks.get(disk_id)
        if disk is None:
            continue
        if snapshot_seconds(settings, disk) >= gap:
            return start
        held = state.snapshots_by_disk.get(disk_id)
        if (len(held) if held is not None else 0) + per_retention >= settings.snapshot_quota:
            return start
    return cut


def _skip_reason(state: RegionState, disk: Disk, t: float) -> str:
    if disk.is_local:
        return "local_disk"
    status = disk.status(t)
    if not (status == "In_use" or (status == "Available" and disk.ever_attached)):
        return "disk_status"
    inst = state.instances.get(disk.instance_id) if disk.instance_id else None
    if inst is not None and inst.status(t) in ("Stopping", "Starting"):
        return "instance_status"
    held = state.snapshots_by_disk.get(disk.disk_id)
    newest = held.newest() if held is not None else None  # one progresses at a time: the newest
    if newest is not None and newest.created_at <= t and newest.status(t) == "progressing":
        return "snapshot_progressing"
    return ""


def _fire(
    backend: Backend, acct: Account, state: RegionState, policy: AutoSnapshotPolicy, disk_id: str, t: float,
    name: str,
) -> None:
    disk = state.disks.get(disk_id)
    if disk is None:  # released since it was applied (forget_disk normally removed it)
        policy.disk_ids.pop(disk_id, None)
        return
    settings = backend.settings
    reason = _skip_reason(state, disk, t)
    if not reason:
        held = state.snapshots_by_disk.get(disk_id)
        if held is not None and len(held) >= settings.snapshot_quota:
            # Not one an image was made from: DeleteSnapshot refuses those (SnapshotCreatedImage).
            oldest = next((s for s in held.oldest_first() if s.policy_id and not s.made_images()), None)
            if oldest is None:
                reason = "quota"
            else:
                remove_snapshot(acct, state, oldest)
    snap_id = ""
    if not reason:
        retention = policy.retention_days if policy.retention_days > 0 else None
        snap = take_snapshot(backend, acct, disk, t, snapshot_name=name, retention_days=retention,
                             policy_id=policy.policy_id)
        snap_id = snap.snapshot_id
    log: Deque[Firing] = acct.auto_log
    limit = settings.max_auto_snapshot_log
    if limit and len(log) >= limit:
        log.popleft()
        acct.auto_log_dropped += 1
    log.append(Firing(t, disk.region_id, policy.policy_id, disk_id, snap_id, reason))
