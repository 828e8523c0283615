"""Who is calling: common-parameter checks, timestamps, nonces and both signature schemes.

Any access key is accepted by default and mapped to the default account. A key registered
with a secret has its signature verified exactly as the real gateway does: RPC v1
(HMAC-SHA1) or ACS3-HMAC-SHA256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Dict, Sequence, Tuple
from urllib.parse import quote

from . import errors
from .backend import DEFAULT_ACCOUNT_ID, Backend
from .clock import parse_iso
from .errors import EcsError
from .parse import ApiCall
from .wire import HttpRequest

WINDOW_SECONDS = 15 * 60
_RPC_REQUIRED = ("AccessKeyId", "Signature", "Timestamp", "SignatureNonce")
_RPC_REQUIRED_SET = frozenset(_RPC_REQUIRED)
_AUTH_HEADER = re.compile(
    r"^ACS3-HMAC-SHA256\s+Credential=(?P<key>[^,]*),\s*SignedHeaders=(?P<headers>[^,]*),\s*Signature=(?P<sig>[0-9a-fA-F]*)$"
)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def percent_encode(text: str) -> str:
    """RFC 3986 encoding as the signers use: space is %20, '*' is %2A, '~' is kept."""
    return quote(text, safe="~")


def rpc_string_to_sign(method: str, params: Dict[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature"
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def v3_canonical_request(req: HttpRequest, call: ApiCall, signed_headers: Sequence[str]) -> str:
    query = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(call.query_pairs)
    )
    headers = "".join(f"{name}:{req.header(name).strip()}\n" for name in signed_headers)
    payload = req.header("x-acs-content-sha256") or EMPTY_SHA256
    return "\n".join([call.method, call.path, query, headers, ";".join(signed_headers), payload])


def v3_string_to_sign(canonical_request: str) -> str:
    return "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()


def v3_signature(secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def _timestamp_ok(value: str, wall: float) -> bool:
    try:
        ts = parse_iso(value)
    except ValueError:
        return False
    return abs(wall - ts) <= WINDOW_SECONDS


def authenticate(backend: Backend, req: HttpRequest, call: ApiCall) -> str:
    """Check the caller and return its account ID, or raise the gateway's error."""
    if call.v3:
        key, timestamp, nonce, check = _v3_parts(req)
    else:
        if not call.params.keys() >= _RPC_REQUIRED_SET:  # one set operation for the usual request
            raise errors.missing(next(name for name in _RPC_REQUIRED if name not in call.params))
        key, timestamp, nonce = call.params["AccessKeyId"], call.params["Timestamp"], call.params["SignatureNonce"]
        check = None
    call.access_key = key
    registered = backend.access_keys.get(key)
    if registered is None and backend.settings.strict_access_keys:
        raise errors.error("InvalidAccessKeyId.NotFound")
    wall = backend.clock.wall()
    if not _timestamp_ok(timestamp, wall):
        raise errors.error("InvalidTimeStamp.Expired")
    if registered is not None:
        secret = registered[0]
        if call.v3:
            assert check is not None
            _verify_v3(req, call, secret, check)
        else:
            sts = rpc_string_to_sign(call.method, call.params)
            if not hmac.compare_digest(rpc_signature(secret, sts), call.params.get("Signature", "")):
                raise _mismatch(sts)
    if not backend.remember_nonce(key, nonce, wall, WINDOW_SECONDS):
        raise errors.error("SignatureNonceUsed")
    return registered[1] if registered is not None else DEFAULT_ACCOUNT_ID


# SignedHeaders as sent -> (the names, whether they include every header that must be signed);
# a client sends one form. Bounded: the header comes from the request.
_SIGNED: Dict[str, Tuple[Tuple[str, ...], bool]] = {}
_MUST_SIGN = ("host", "x-acs-action", "x-acs-date", "x-acs-version")


def _signed_headers(declared: str) -> Tuple[Tuple[str, ...], bool]:
    known = _SIGNED.get(declared)
    if known is None:
        signed = tuple(h.strip().lower() for h in declared.split(";") if h.strip())
        known = (signed, all(n in signed for n in _MUST_SIGN))
        if len(_SIGNED) < 256:
            _SIGNED[declared] = known
    return known


def _v3_parts(req: HttpRequest) -> Tuple[str, str, str, Tuple[Sequence[str], str]]:
    headers = req.lowered()
    m = _AUTH_HEADER.match(headers.get("authorization", "").strip())
    if m is None:
        raise errors.error("IncompleteSignature")
    key, declared, sig = m.groups()
    signed, complete = _signed_headers(declared)
    date = headers.get("x-acs-date")
    if not date:
        raise errors.missing("x-acs-date")
    nonce = headers.get("x-acs-signature-nonce")
    if not nonce:
        raise errors.missing("x-acs-signature-nonce")
    if not complete:
        raise errors.error("IncompleteSignature")
    return key, date, nonce, (signed, sig)


def _verify_v3(req: HttpRequest, call: ApiCall, secret: str, check: Tuple[Sequence[str], str]) -> None:
    signed, given = check
    declared = req.header("x-acs-content-sha256")
    if declared and declared != hashlib.sha256(req.body).hexdigest():
        raise errors.error("IncompleteSignature")
    sts = v3_string_to_sign(v3_canonical_request(req, call, signed))
    if not hmac.compare_digest(v3_signature(secret, sts), given.lower()):
        raise _mismatch(sts)


def _mismatch(string_to_sign: str) -> EcsError:
    """SignatureDoesNotMatch, its message ending with the server's string to sign (as the real one)."""
    err = errors.error("SignatureDoesNotMatch")
    return EcsError(err.code, err.message + string_to_sign, err.status)
