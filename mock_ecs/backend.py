"""The in-memory ECS: accounts x regions, with the indexes the actions look things up by.

All state of one mock lives in one ``Backend``; dropping it drops everything. Lookups by ID
are dict hits, and per-disk snapshot lists are kept as an index so that checks such as the
quota never scan the region.
"""

from __future__ import annotations

import heapq
import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple

from . import ids
from .calls import Call, InjectedFault
from .clock import Clock
from .models import AutoSnapshotPolicy, Disk, Image, Instance, Snapshot, SnapshotGroup
from .settings import Settings
from .table import Table

DEFAULT_ACCOUNT_ID = "1234567890123456"


@dataclass
class RegionState:
    """One account's resources in one region, in creation order."""

    instances: Table[Instance] = field(default_factory=Table)
    disks: Table[Disk] = field(default_factory=Table)
    snapshots: Table[Snapshot] = field(default_factory=Table)
    images: Table[Image] = field(default_factory=Table)
    policies: Table[AutoSnapshotPolicy] = field(default_factory=Table)
    groups: Table[SnapshotGroup] = field(default_factory=Table)  # snapshot-consistent groups
    # disk ID -> its snapshots (an index: same items, creation order).
    snapshots_by_disk: Dict[str, Table[Snapshot]] = field(default_factory=dict)
    # IP address -> the instance holding it (private and public), kept unique per region.
    ip_owners: Dict[str, str] = field(default_factory=dict)
    # Snapshot chains (SnapshotLinkId), one per source disk, both ways; kept after the
    # chain's last snapshot is gone, so a known chain is never "not found".
    link_by_disk: Dict[str, str] = field(default_factory=dict)
    disk_by_link: Dict[str, str] = field(default_factory=dict)


@dataclass
class Account:
    account_id: str
    regions: Dict[str, RegionState] = field(default_factory=dict)
    # resource ID -> region, so that a request naming no region still finds its resource.
    where: Dict[str, str] = field(default_factory=dict)
    not_enough_balance: bool = False
    snapshot_service_unavailable: bool = False
    # (action, ClientToken) -> (fingerprint of the parameters, the answer first given)
    tokens: Dict[Tuple[str, str], Tuple[Tuple[Tuple[str, str], ...], Dict[str, Any]]] = field(
        default_factory=dict
    )
    # (expiry time, region, snapshot ID) for snapshots with RetentionDays (see push_retention).
    retention: List[Tuple[float, str, str]] = field(default_factory=list)
    retention_compacted: int = 0  # entries left by the last compaction of ``retention``
    # Automatic snapshots (schedule.py): the time up to which firings have been made, and the
    # earliest time a policy fires next (inf: no policy is applied), so a request can tell in
    # one comparison that nothing is due.
    fired_until: float = 0.0
    next_fire: float = float("inf")
    # The firings made (schedule.Firing), the newest ``settings.max_auto_snapshot_log`` only.
    auto_log: Deque[Any] = field(default_factory=deque)
    auto_log_dropped: int = 0

    def region(self, region_id: str) -> RegionState:
        state = self.regions.get(region_id)
        if state is None:
            state = self.regions[region_id] = RegionState()
        return state

    def find(self, resource_id: str, region_id: Optional[str]) -> Optional[RegionState]:
        """The region holding ``resource_id`` (restricted to ``region_id`` when one is named)."""
        where = self.where.get(resource_id)
        if where is None or (region_id is not None and where != region_id):
            return None
        return self.regions[where]


@dataclass
class Fault:
    """An injected fault for ``action`` ("*" for all): an error, an added latency, or both.

    It fires on the next ``times`` matching calls (None: no limit), or, with ``rate``, on that
    fraction of them, drawn from ``random.Random(seed)`` so a run is repeatable. A fault with
    ``code`` None only delays the call by ``latency`` seconds, which then proceeds.
    """

    action: str
    code: Optional[str]
    status: int
    message: str
    times: Optional[int]  # firings left; None: no limit
    rate: Optional[float] = None  # fraction of matching calls; None: every one
    seed: Optional[int] = 0
    latency: float = 0.0  # seconds added before answering
    seen: int = 0  # matching calls it was drawn for
    fired: int = 0  # calls it fired on
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def matches(self, action: str) -> bool:
        return self.action in ("*", action) and (self.times is None or self.times > 0)

    def draw(self, action: str) -> bool:
        """Whether the fault fires on this call of ``action``; counts it when it does."""
        if not self.matches(action):
            return False
        self.seen += 1
        if self.rate is not None and self._rng.random() >= self.rate:
            return False
        if self.times is not None:
            self.times -= 1
        self.fired += 1
        return True


@dataclass
class FailureRule:
    """Snapshots to come that fail (``fail_snapshots``): those of ``disk_id`` (None: of any disk),
    each drawn with probability ``rate`` from ``random.Random(seed)`` (a repeatable run), for the
    next ``times`` that fail (None: no limit). A drawn snapshot fails at ``at_progress`` percent."""

    disk_id: Optional[str]
    rate: float = 1.0
    seed: Optional[int] = 0
    at_progress: int = 0
    times: Optional[int] = None
    seen: int = 0  # snapshots it was drawn for
    fired: int = 0  # snapshots it made fail
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, disk_id: str) -> Optional[int]:
        """The progress (percent) at which this snapshot of ``disk_id`` fails; None: it does not."""
        if (self.disk_id is not None and self.disk_id != disk_id) or self.times == 0:
            return None
        self.seen += 1
        if self.rate < 1.0 and self._rng.random() >= self.rate:
            return None
        if self.times is not None:
            self.times -= 1
        self.fired += 1
        return self.at_progress


def real_sleep(seconds: float) -> None:
    """The default sleep of injected latencies; ``time.sleep`` is looked up on each call."""
    time.sleep(seconds)


class Backend:
    """Everything one mock knows; guarded by one lock so server threads see one order."""

    def __init__(self, settings: Settings, clock: Optional[Clock] = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.accounts: Dict[str, Account] = {}
        # access key ID -> (secret, account ID)
        self.access_keys: Dict[str, Tuple[str, str]] = {}
        self.nonces: Dict[Tuple[str, str], float] = {}
        self.nonce_order: List[Tuple[float, str, str]] = []
        self.faults: List[Fault] = []
        # Snapshots to come that fail after they started (fail_snapshots); see take_snapshot.
        self.failure_rules: List[FailureRule] = []
        # What an injected latency waits with (replaceable: tests never sleep for real).
        self.sleep: Callable[[float], None] = real_sleep
        # Names this backend: page tokens of an earlier (reset) one are stale.
        self.generation = os.urandom(4).hex()  # what secrets.token_hex(4) is, without importing hmac
        # The call record, the newest ``max_calls`` only (0: all); appended under the lock.
        self.calls: Deque[Call] = deque(maxlen=settings.max_calls or None)
        self.calls_dropped = 0
        # The call each thread recorded last, so a server logs a request's own entry.
        self._recorded = threading.local()

    # --- accounts and keys -------------------------------------------------------------
    def account(self, account_id: str) -> Account:
        acct = self.accounts.get(account_id)
        if acct is None:
            acct = self.accounts[account_id] = Account(account_id)
        return acct

    # --- faults and the record ----------------------------------------------------------
    def take_fault(self, action: str) -> Optional[InjectedFault]:
        """The injected error this call of ``action`` answers, after any injected latency.

        Every matching latency-only fault is drawn and their delays add up; error faults are
        drawn in order until one fires. The sleep happens outside the lock, so a slow call
        holds up no other; call this before taking the lock for the handler.
        """
        if not self.faults:  # the usual case: no lock, no cost
            return None
        delay = 0.0
        chosen: Optional[Fault] = None
        with self.lock:
            for fault in self.faults:
                if fault.code is None or chosen is None:
                    if fault.draw(action):
                        delay += fault.latency
                        if fault.code is not None:
                            chosen = fault
        if delay > 0:
            self.sleep(delay)
        if chosen is None:
            return None
        assert chosen.code is not None
        return InjectedFault(chosen.code, chosen.message, chosen.status)

    def record(self, call: Call) -> None:
        # Under the lock: readers copy the record while server threads append to it.
        with self.lock:
            calls = self.calls
            if calls.maxlen is not None and len(calls) >= calls.maxlen:
                self.calls_dropped += 1
            calls.append(call)
        self._recorded.call = call

    def take_recorded(self) -> Optional[Call]:
        """The call this thread recorded last, once (None when none since the last take)."""
        call: Optional[Call] = getattr(self._recorded, "call", None)
        self._recorded.call = None
        return call

    def draw_failure(self, disk_id: str) -> Optional[int]:
        """The progress at which a snapshot of ``disk_id`` made now fails (the first rule that
        draws it), or None; every snapshot made (manual, automatic, copy, group member) asks."""
        for rule in self.failure_rules:
            at = rule.draw(disk_id)
            if at is not None:
                return at
        return None

    # --- time-driven housekeeping --------------------------------------------------------
    def expire_snapshots(self, acct: Account, now: float) -> None:
        """Drop snapshots whose RetentionDays ended; a heap keeps this O(log n) per request."""
        heap = acct.retention
        while heap and heap[0][0] <= now:
            _, region_id, snap_id = heapq.heappop(heap)
            state = acct.regions.get(region_id)
            snap = state.snapshots.get(snap_id) if state is not None else None
            # ModifySnapshotAttribute may have extended the retention: a newer entry then waits.
            expires = snap.expires_at() if snap is not None else None
            if state is not None and snap is not None and expires is not None and expires <= now:
                remove_snapshot(acct, state, snap)

    def remember_nonce(self, key: str, nonce: str, now: float, window: float) -> bool:
        """Record a nonce; False when it was already used within ``window`` seconds.

        Under the lock (authentication runs before the handler takes it): two server threads
        must not both accept one nonce, nor both pop the last expired entry.
        """
        with self.lock:
            order = self.nonce_order
            while order and order[0][0] <= now - window:
                _, k, n = heapq.heappop(order)
                self.nonces.pop((k, n), None)
            if (key, nonce) in self.nonces:
                return False
            self.nonces[(key, nonce)] = now
            heapq.heappush(order, (now, key, nonce))
            return True


# --- making snapshots -----------------------------------------------------------------
def snapshot_seconds(settings: Settings, disk: Disk) -> float:
    """How long a snapshot of ``disk`` progresses: max(min, data GiB x seconds per GiB)."""
    return max(settings.snapshot_min_seconds, disk.data_gib * settings.snapshot_seconds_per_gib)


def fail_at(snap: Snapshot, at_progress: int) -> None:
    """Make ``snap`` fail when its progress reaches ``at_progress`` percent."""
    snap.failed_at = snap.created_at + snap.duration * max(0, min(99, at_progress)) / 100


def take_snapshot(backend: Backend, acct: Account, disk: Disk, now: float, **fields: Any) -> Snapshot:
    """A new snapshot of ``disk`` taken at ``now``, in the indexes: every snapshot of a disk
    (CreateSnapshot, an automatic one, a group's member) is made here, so each gets the disk's
    data (size, content generation, encryption), the progress duration, and the failure rules.
    ``fields`` sets the rest (name, description, retention, tags, policy_id, group_id...)."""
    snap = Snapshot(
        snapshot_id=ids.new_id("s", disk.region_id), region_id=disk.region_id, source_disk_id=disk.disk_id,
        source_disk_size=disk.size, source_disk_type=disk.disk_type, source_disk_category=disk.category,
        created_at=now, duration=snapshot_seconds(backend.settings, disk), encrypted=disk.encrypted,
        kms_key_id=disk.kms_key_id, data_gib=disk.data_size, content=disk.content, **fields,
    )
    if backend.failure_rules:
        at = backend.draw_failure(disk.disk_id)
        if at is not None:
            fail_at(snap, at)
    add_snapshot(acct, acct.regions[disk.region_id], snap)
    return snap


# --- index maintenance shared by the actions ------------------------------------------
def add_snapshot(acct: Account, state: RegionState, snap: Snapshot) -> None:
    disk_id = snap.source_disk_id
    link = snap.snapshot_link_id or state.link_by_disk.get(disk_id) or ids.new_id("sl", snap.region_id)
    state.link_by_disk.setdefault(disk_id, link)
    state.disk_by_link.setdefault(link, disk_id)
    snap.snapshot_link_id = link
    state.snapshots[snap.snapshot_id] = snap
    by_disk = state.snapshots_by_disk.get(snap.source_disk_id)
    if by_disk is None:
        by_disk = state.snapshots_by_disk[snap.source_disk_id] = Table(primary=False)
    by_disk[snap.snapshot_id] = snap
    acct.where[snap.snapshot_id] = snap.region_id
    if snap.retention_days is not None:  # (push_retention does nothing otherwise)
        push_retention(acct, snap)


def push_retention(acct: Account, snap: Snapshot) -> None:
    """Queue the end of a snapshot's RetentionDays (nothing when it has none).

    Entries of deleted snapshots, and those a longer retention replaced, wait in the heap
    until their time; once they outnumber the live ones the heap is rebuilt from these, so
    create/delete cycles with RetentionDays keep it O(live snapshots), amortised O(1) a push.
    """
    expires = snap.expires_at()
    if expires is None:
        return
    heap = acct.retention
    heapq.heappush(heap, (expires, snap.region_id, snap.snapshot_id))
    if len(heap) > max(64, 2 * acct.retention_compacted):
        live = []
        for entry in heap:
            state = acct.regions.get(entry[1])
            kept = state.snapshots.get(entry[2]) if state is not None else None
            if kept is not None and kept.expires_at() == entry[0]:
                live.append(entry)
        heapq.heapify(live)
        heap[:] = live
        acct.retention_compacted = len(live)


def remove_snapshot(acct: Account, state: RegionState, snap: Snapshot) -> None:
    state.snapshots.pop(snap.snapshot_id, None)
    by_disk = state.snapshots_by_disk.get(snap.source_disk_id)
    if by_disk is not None:
        by_disk.pop(snap.snapshot_id, None)
        if not by_disk:
            del state.snapshots_by_disk[snap.source_disk_id]
    acct.where.pop(snap.snapshot_id, None)


def disk_snapshots(state: RegionState, disk_id: str) -> Iterator[Snapshot]:
    by_disk = state.snapshots_by_disk.get(disk_id)
    if by_disk is not None:
        yield from by_disk.values()
