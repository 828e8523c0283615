"""Value rules shared by several actions: names, descriptions, tags, tokens.

Built on Context (context.py), which reads the typed values itself (ID lists included).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, Tuple

from .context import Context
from .errors import EcsError

# Letters are English or Chinese (CJK unified ideographs), as the spec says.
_LETTER = "A-Za-z\u4e00-\u9fff"
_NAME_SPEC = re.compile(rf"^[{_LETTER}][{_LETTER}0-9_:\-]{{1,127}}$")
# Later editions also allow periods.
_NAME_CURRENT = re.compile(rf"^[{_LETTER}][{_LETTER}0-9_:.\-]{{1,127}}$")
_URL_PREFIXES = ("http://", "https://")
_TAG_FORBIDDEN = ("aliyun", "acs:", "http://", "https://")

COMMON_PARAMS = frozenset({
    "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
    "SignatureNonce", "SignatureType", "Timestamp", "RegionId", "SecurityToken", "OwnerId",
    "OwnerAccount", "ResourceOwnerId", "ResourceOwnerAccount", "ClientToken", "callerUid",
})


def check_name(value: str, edition: str, *, forbid_auto: bool, letter_start: bool = False) -> bool:
    """The spec's naming rule (SnapshotName, DiskName, InstanceName, ImageName).

    ``letter_start``: the first character must be an upper- or lowercase English letter, as
    CreateSnapshot.md says of SnapshotName (Chinese characters only after it).
    """
    pattern = _NAME_CURRENT if edition == "current" else _NAME_SPEC
    if not pattern.match(value) or value.startswith(_URL_PREFIXES):
        return False
    if letter_start and not (value[0].isascii() and value[0].isalpha()):
        return False
    return not (forbid_auto and value.startswith("auto"))


def check_description(value: str) -> bool:
    return 2 <= len(value) <= 256 and not value.startswith(_URL_PREFIXES)


def optional_name(ctx: Context, param: str, error_key: str, *, forbid_auto: bool = False,
                  letter_start: bool = False) -> str:
    value = ctx.get(param)
    if value and not check_name(value, ctx.settings.edition, forbid_auto=forbid_auto, letter_start=letter_start):
        raise ctx.error(error_key)
    return value


def optional_description(ctx: Context, param: str = "Description",
                         error_key: str = "InvalidDescription.Malformed") -> str:
    value = ctx.get(param)
    if value and not check_description(value):
        raise ctx.error(error_key)
    return value


def tags(ctx: Context, prefix: str = "Tag") -> Dict[str, str]:
    """``Tag.N.Key``/``Tag.N.Value`` with N 1..20 and the spec's key and value limits."""
    try:
        entries = ctx.indexed(prefix, limit=1000)
    except EcsError:
        raise ctx.error("InvalidTagCount") from None
    if any(n > 20 for n in entries):
        raise ctx.error("InvalidTagCount")
    return tag_dict(ctx, entries.values(), 128 if ctx.settings.edition == "current" else 64)


def tag_dict(ctx: Context, entries: Iterable[Dict[str, str]], key_limit: int) -> Dict[str, str]:
    """Tags to set, from ``Tag.N`` entries (or the deprecated lowercase ``key``/``value``): keys of
    1..``key_limit`` characters, values up to 128, neither starting with aliyun, acs: or a URL
    scheme; a key given twice is Duplicate.TagKey."""
    out: Dict[str, str] = {}
    for entry in entries:
        key = entry.get("Key") or entry.get("key") or ""
        value = entry.get("Value") or entry.get("value") or ""
        if not key or len(key) > key_limit or key.startswith(_TAG_FORBIDDEN):
            raise ctx.error("InvalidTagKey.Malformed")
        if len(value) > 128 or value.startswith(_TAG_FORBIDDEN):
            raise ctx.error("InvalidTagValue.Malformed")
        if key in out:
            raise ctx.error("Duplicate.TagKey")
        out[key] = value
    return out


def client_token(ctx: Context, error_key: str = "InvalidClientToken.Malformed") -> str:
    """At most 64 ASCII characters; ``error_key``: the action's code for one that is not."""
    token = ctx.get("ClientToken")
    if token and (len(token) > 64 or not token.isascii()):
        raise ctx.error(error_key)
    return token


def fingerprint(params: Dict[str, str]) -> Tuple[Tuple[str, str], ...]:
    """The business parameters of a request, to tell a retry from a different request."""
    return tuple(sorted((k, v) for k, v in params.items() if k not in COMMON_PARAMS and k != "DryRun"))


def idempotent(
    ctx: Context, token: str, mismatch_key: str, run: Callable[[], Dict[str, Any]]
) -> Dict[str, Any]:
    """Answer a replayed ClientToken with the first answer; a changed request is refused."""
    if not token:
        return run()
    slot = (ctx.action, token)
    seen = ctx.account.tokens.get(slot)
    mine = fingerprint(ctx.params)
    if seen is not None:
        if seen[0] != mine:
            raise ctx.error(mismatch_key)
        ctx.commit()  # a DryRun replay is still only a dry run
        return dict(seen[1])
    answer = run()
    if not ctx.dry_run:
        ctx.account.tokens[slot] = (mine, dict(answer))
    return answer
