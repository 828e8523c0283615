"""The in-memory resources. Time-dependent fields are derived from the clock when read."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Type, TypeVar, cast

LOCAL_DISK_CATEGORIES = frozenset({"ephemeral", "ephemeral_ssd", "local_ssd_pro", "local_hdd_pro"})
CLOUD_DISK_CATEGORIES = frozenset(
    {"cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"}
)
# A pay-as-you-go resource's ExpiredTime, as the real API shows it.
NEVER_EXPIRES = 4102415940.0  # 2099-12-31T15:59:00Z
# The reasons of an instance's OperationLocks (Instance.locks), with the message each shows.
LOCK_MESSAGES = {
    "security": "The specified instance is locked due to security reason.",
    "financial": "The specified instance is locked due to financial reason.",
}

C = TypeVar("C", bound=type)


def _lazy_set(slot: Any) -> property:
    """A property over the slot descriptor ``slot``: reading creates the set when there is none;
    writing is the slot's own (no Python frame)."""

    def get(self: Any) -> Set[str]:
        value = slot.__get__(self)
        if value is None:
            value = set()
            slot.__set__(self, value)
        return value  # type: ignore[no-any-return]

    return property(get, slot.__set__)


def slotted(*lazy_sets: str) -> Callable[[C], C]:
    """``@dataclass(slots=True)`` for Python 3.9 too, the fields in ``__slots__`` (no per-object
    ``__dict__``: a snapshot costs a third of the memory). ``lazy_sets`` name set fields
    (default None) that hold no set until first read: most snapshots never
    get one, and an empty set is 216 bytes. ``dataclasses.fields()`` and every attribute read
    or written are unchanged.
    """

    def make(cls: C) -> C:
        names = tuple(f.name for f in fields(cls))
        namespace = dict(cls.__dict__)
        namespace["__slots__"] = tuple(f"_{n}" if n in lazy_sets else n for n in names)
        for name in names:
            namespace.pop(name, None)
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
        new: Type[Any] = type(cls)(cls.__name__, cls.__bases__, namespace)
        new.__qualname__ = cls.__qualname__
        for name in lazy_sets:
            setattr(new, name, _lazy_set(new.__dict__[f"_{name}"]))
        return new  # type: ignore[return-value]

    return make


@slotted()
@dataclass
class Phase:
    """A status that may be passing: ``status`` until ``until``, then ``then``.

    Read without settling it, so a status depends on the time only, not on whether it was
    read before: a clock moved back (freezegun) before ``until`` shows ``status`` again.
    """

    status: str
    then: Optional[str] = None
    until: float = 0.0

    def at(self, now: float) -> str:
        return self.then if self.then is not None and now >= self.until else self.status

    def move(self, passing: str, final: str, now: float, seconds: float) -> None:
        """Enter ``passing`` now and settle at ``final`` after ``seconds`` (at once if 0)."""
        if seconds <= 0:
            self.status, self.then = final, None
        else:
            self.status, self.then, self.until = passing, final, now + seconds


@slotted()
@dataclass
class Instance:
    instance_id: str
    region_id: str
    zone_id: str
    instance_type: str
    image_id: str
    created_at: float
    phase: Phase
    instance_name: str = ""
    description: str = ""
    host_name: str = ""
    # UserData as given (Base64), "" when none: DescribeUserData answers it.
    user_data: str = ""
    charge_type: str = "PostPaid"
    expired_at: float = NEVER_EXPIRES
    # When the instance first left Stopped/Pending towards Running: None until started once.
    first_started_at: Optional[float] = None
    security_group_ids: List[str] = field(default_factory=list)
    vswitch_id: str = ""
    vpc_id: str = ""
    key_pair_name: str = ""
    internet_charge_type: str = "PayByTraffic"
    locks: List[Tuple[str, str]] = field(default_factory=list)
    tags: Dict[str, str] = field(default_factory=dict)
    deletion_protection: bool = False
    resource_group_id: str = ""
    # Network: a private IP from 172.16.0.0/12, a public one only with outbound bandwidth.
    private_ip: str = ""
    public_ip: str = ""
    internet_max_bandwidth_in: int = 10
    internet_max_bandwidth_out: int = 0
    # Instance metadata options (MetadataOptions), with the documented defaults.
    http_endpoint: str = "enabled"
    http_tokens: str = "optional"
    http_put_response_hop_limit: int = 1
    # Billing cycle of a subscription ("month"/"week"); "" for pay-as-you-go.
    sale_cycle: str = ""
    # The OS it was booted with (OSName, OSType), kept when its custom image is deleted;
    # "" (a state saved before they were kept): the image's, looked up when shown.
    os_name: str = ""
    os_type: str = ""
    # Disk IDs attached, in attachment order (the system disk first).
    disk_ids: List[str] = field(default_factory=list)
    # Creation order, set by the table the resource enters (see table.py).
    seq: int = 0

    def status(self, now: float) -> str:
        return self.phase.at(now)

    def ever_started(self, now: float) -> bool:
        return self.first_started_at is not None and self.first_started_at <= now

    def lock_reasons(self) -> List[str]:
        return [reason for reason, _ in self.locks]

    def security_locked(self) -> bool:
        """An OperationLock ``security``: the instance and its disks refuse most changes."""
        return any(reason == "security" for reason, _ in self.locks)

    def expired(self, now: float) -> bool:
        """A subscription past its ExpiredTime (the real service stops and locks it)."""
        return self.charge_type == "PrePaid" and self.expired_at <= now

    def in_arrears(self, now: float) -> bool:
        """Expired, or locked for an overdue payment (a ``financial`` lock)."""
        return self.expired(now) or any(reason == "financial" for reason, _ in self.locks)


@slotted()
@dataclass
class Disk:
    disk_id: str
    region_id: str
    zone_id: str
    category: str
    size: int
    disk_type: str  # "system" | "data"
    created_at: float
    # Data initialisation ends at this time (creation, or ReplaceSystemDisk).
    initialized_at: float
    phase: Phase
    disk_name: str = ""
    description: str = ""
    instance_id: str = ""
    device: str = ""
    ever_attached: bool = False
    attached_at: Optional[float] = None
    detached_at: Optional[float] = None
    portable: bool = True
    delete_with_instance: bool = False
    delete_auto_snapshot: bool = True
    charge_type: str = "PostPaid"
    expired_at: float = NEVER_EXPIRES
    image_id: str = ""
    source_snapshot_id: str = ""
    encrypted: bool = False
    kms_key_id: str = ""
    performance_level: str = ""
    data_size: Optional[float] = None
    tags: Dict[str, str] = field(default_factory=dict)
    locks: List[str] = field(default_factory=list)
    resource_group_id: str = ""
    # Performance burst of an ESSD AutoPL disk (ModifyDiskAttribute BurstingEnabled).
    bursting_enabled: bool = False
    # The automatic snapshot policy applied to it ("" for none); one per disk (ApplyAutoSnapshotPolicy).
    auto_snapshot_policy_id: str = ""
    # The generation of its data (write_disk bumps it): what a snapshot records and a restore
    # brings back, so a test can check that a restore restored the right data.
    content: int = 0
    # Creation order, set by the table the resource enters (see table.py).
    seq: int = 0

    def status(self, now: float) -> str:
        return self.phase.at(now)

    def in_arrears(self, now: float) -> bool:
        """A subscription disk past its ExpiredTime, or one with its own ``financial`` lock."""
        return (self.charge_type == "PrePaid" and self.expired_at <= now) or "financial" in self.locks

    @property
    def data_gib(self) -> float:
        return self.size if self.data_size is None else self.data_size

    @property
    def is_local(self) -> bool:
        return self.category in LOCAL_DISK_CATEGORIES


@slotted("image_ids", "disk_ids")
@dataclass
class Snapshot:
    snapshot_id: str
    region_id: str
    source_disk_id: str
    source_disk_size: int
    source_disk_type: str
    source_disk_category: str
    created_at: float
    duration: float
    snapshot_name: str = ""
    description: str = ""
    retention_days: Optional[int] = None
    encrypted: bool = False
    kms_key_id: str = ""
    category: str = "standard"
    product_code: str = ""
    resource_group_id: str = ""
    instant_access: bool = False
    tags: Dict[str, str] = field(default_factory=dict)
    modified_at: Optional[float] = None
    # The snapshot chain (one per source disk, ``sl-`` + 20 chars); set by backend.add_snapshot.
    snapshot_link_id: str = ""
    # The disk's data when taken (set_disk_data_size); None: the whole disk.
    data_gib: Optional[float] = None
    # The automatic snapshot policy that took it ("": a manual snapshot; SnapshotType "auto" otherwise).
    policy_id: str = ""
    # The content generation of its disk when taken (Disk.content); a copy has its source's.
    content: int = 0
    # A copy (CopySnapshot): the snapshot and region it was copied from ("" otherwise).
    source_snapshot_id: str = ""
    source_region_id: str = ""
    # The snapshot-consistent group it belongs to (``ssg-``; "" for none).
    group_id: str = ""
    # When it failed (fail_snapshot, fail_snapshots): from then on ``failed``, its progress frozen.
    failed_at: Optional[float] = None
    # Referential integrity: images and disks made from this snapshot.
    # Created on first read (see ``slotted``; None until then); ``usage()`` reads them without
    # creating them.
    image_ids: Set[str] = field(default=cast("Set[str]", None))
    disk_ids: Set[str] = field(default=cast("Set[str]", None))
    ever_used_for_disk: bool = False
    # Creation order, set by the table the resource enters (see table.py).
    seq: int = 0

    def done_at(self) -> float:
        return self.created_at + self.duration

    def failed(self, now: float) -> bool:
        return self.failed_at is not None and now >= self.failed_at

    def available(self, now: float) -> bool:
        """DescribeSnapshots' ``Available``: "can be used to create or roll back a cloud disk"
        (FACTS.md 6). An instant-access snapshot of an ESSD is usable before it is accomplished
        (the mock: from its creation), any other once accomplished; a failed one never."""
        status = self.status(now)
        if status == "progressing":
            return self.instant_access and self.source_disk_category == "cloud_essd"
        return status == "accomplished"

    def status(self, now: float) -> str:
        if self.failed_at is not None and now >= self.failed_at:
            return "failed"
        return "accomplished" if now >= self.done_at() else "progressing"

    def progress(self, now: float) -> int:
        if self.failed_at is not None and now >= self.failed_at:
            now = self.failed_at  # stopped where it failed
        elif now >= self.done_at() or self.duration <= 0:
            return 100
        return max(0, min(99, int((now - self.created_at) * 100 // self.duration)))

    def remain_time(self, now: float) -> int:
        if self.failed_at is not None and now >= self.failed_at:
            return 0
        # At most the whole duration: a clock moved back before the creation shows it not begun.
        left = min(self.done_at() - now, self.duration)
        return 0 if left <= 0 else int(-(-left // 1))

    def full_size_bytes(self) -> int:
        """FullSnapshotSizeInBytes: the data it holds, as if it were not incremental."""
        return int((self.source_disk_size if self.data_gib is None else self.data_gib) * 2**30)

    def made_images(self) -> bool:
        """Whether images use it (``bool(image_ids)``, without creating the set)."""
        return bool(getattr(self, "_image_ids"))  # noqa: B009 - a slot the type checker does not see

    def made_disks(self) -> bool:
        """Whether disks made from it still exist (``bool(disk_ids)``, without creating the set)."""
        return bool(getattr(self, "_disk_ids"))  # noqa: B009

    def usage(self) -> str:
        image, disk = self.made_images(), self.made_disks() or self.ever_used_for_disk
        if image and disk:
            return "image_disk"
        return "image" if image else "disk" if disk else "none"

    def expires_at(self) -> Optional[float]:
        if self.retention_days is None:
            return None
        return self.created_at + self.retention_days * 86400


@slotted()
@dataclass
class SnapshotGroup:
    """A snapshot-consistent group (``ssg-``): snapshots of several disks taken at one instant.
    Its status is not kept: it is read from its members (snapshot_groups.group_status)."""

    group_id: str
    region_id: str
    created_at: float
    instance_id: str = ""
    name: str = ""
    description: str = ""
    resource_group_id: str = ""
    tags: Dict[str, str] = field(default_factory=dict)
    # InstantAccessRetentionDays as given (None: not given); its members show it.
    instant_access_retention_days: Optional[int] = None
    # Its members, in the order taken (a member deleted on its own drops out when read).
    snapshot_ids: List[str] = field(default_factory=list)
    # Creation order, set by the table the resource enters (see table.py).
    seq: int = 0


@slotted()
@dataclass
class AutoSnapshotPolicy:
    """An automatic snapshot policy (``sp-``): at each hour of ``time_points`` on each day of
    ``repeat_weekdays`` (both UTC+8; Monday is 1) every disk in ``disk_ids`` gets a snapshot
    (schedule.py fires them from the clock)."""

    policy_id: str
    region_id: str
    created_at: float
    time_points: List[int]
    repeat_weekdays: List[int]
    retention_days: int = -1  # -1: kept until deleted
    policy_name: str = ""
    enable_cross_region_copy: bool = False
    target_copy_regions: List[str] = field(default_factory=list)
    copied_snapshots_retention_days: int = -1
    copy_encrypted: bool = False
    copy_kms_key_id: str = ""
    resource_group_id: str = ""
    tags: Dict[str, str] = field(default_factory=dict)
    # The disks it is applied to, in the order they were applied (a dict used as an ordered set).
    disk_ids: Dict[str, None] = field(default_factory=dict)
    # Creation order, set by the table the resource enters (see table.py).
    seq: int = 0


@slotted()
@dataclass
class Image:
    image_id: str
    region_id: str
    image_name: str
    created_at: float
    ready_at: float
    size: int
    description: str = ""
    platform: str = "Linux"
    os_type: str = "linux"
    architecture: str = "x86_64"
    # (device, snapshot_id, size, disk_type)
    mappings: List[Tuple[str, str, int, str]] = field(default_factory=list)
    source_instance_id: str = ""
    tags: Dict[str, str] = field(default_factory=dict)
    resource_group_id: str = ""
    image_family: str = ""
    # The OS name of its source (the image its instance or its snapshot's disk ran) when the
    # Platform is the same; "": derived from Platform and Architecture.
    os_name: str = ""
    # The image this one is a CopyImage of ("": none), which cannot be deleted while it is Creating.
    copy_source: str = ""
    # Creation order, set by the table the resource enters (see table.py).
    seq: int = 0

    def status(self, now: float) -> str:
        return "Available" if now >= self.ready_at else "Creating"

    def progress(self, now: float) -> str:
        """Rises linearly while Creating (like a snapshot's), "100%" once Available."""
        if now >= self.ready_at:
            return "100%"
        span = self.ready_at - self.created_at
        return f"{max(0, min(99, int((now - self.created_at) * 100 // span)))}%"


@slotted()
@dataclass
class PublicImage:
    """A platform image: accepted by ID, never stored per account."""

    image_id: str
    size: int
    os_name: str
    platform: str
    architecture: str = "x86_64"
    # Sorts after every custom image (they are numbered from 1).
    seq: int = 0
