"""Turn an HTTP request into an API call: action, parameters, format, host and region.

Parameters may be in the query string, in a form body, or (Tea V3) partly in ``x-acs-*``
headers; all are merged, with the query winning over the body for a repeated name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from . import regions
from .wire import HttpRequest


@dataclass
class ApiCall:
    action: str
    version: str
    params: Dict[str, str]
    # Pairs as they arrived (query then body), kept for the signature check.
    pairs: List[Tuple[str, str]]
    query_pairs: List[Tuple[str, str]]
    fmt: str  # "JSON" | "XML"
    host: str
    path: str
    method: str
    host_region: Optional[str]
    v3: bool  # signed with ACS3-HMAC-SHA256 (Authorization header)


def _text(value: Any) -> str:
    """A str that encodes to UTF-8: bytes are decoded, lone surrogates (which no client sends,
    and which UTF-8 cannot carry back out in an answer) become U+FFFD."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    text = value if isinstance(value, str) else str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
    return text


def sanitized(req: HttpRequest) -> HttpRequest:
    """``req`` with a str URL, method and headers that all encode to UTF-8 and a bytes body, so
    no later step (signature, answer) can fail on what a transport handed over."""
    body = req.body if isinstance(req.body, bytes) else _text(req.body or b"").encode("utf-8")
    headers = {_text(k): _text(v) for k, v in req.headers.items()}
    return HttpRequest(_text(req.method or "GET"), _text(req.url), headers, body)


def _decode(text: str) -> List[Tuple[str, str]]:
    # Form rules: '+' is a space, like %20; undecodable bytes are replaced, not fatal.
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")


def parse_request(req: HttpRequest) -> ApiCall:
    parts = urlsplit(req.url)
    host = req.header("Host") or parts.netloc
    query_pairs = _decode(parts.query)
    body_pairs: List[Tuple[str, str]] = []
    ctype = req.header("Content-Type").lower()
    if req.body and ("x-www-form-urlencoded" in ctype or not ctype):
        try:
            body_pairs = _decode(req.body.decode("utf-8", errors="replace"))
        except ValueError:
            body_pairs = []
    pairs = query_pairs + body_pairs
    params: Dict[str, str] = {}
    for key, value in body_pairs:
        params[key] = value
    for key, value in query_pairs:
        params[key] = value
    v3 = req.header("Authorization").startswith("ACS3-")
    action = params.get("Action") or req.header("x-acs-action")
    version = params.get("Version") or req.header("x-acs-version")
    fmt_raw = params.get("Format", "")
    if fmt_raw:
        fmt = "JSON" if fmt_raw.upper() == "JSON" else "XML"
    else:
        # Tea V3 sends no Format, only ``accept: application/json``, and parses JSON only.
        fmt = "JSON" if "json" in req.header("Accept").lower() else "XML"
    return ApiCall(
        action=action, version=version, params=params, pairs=pairs, query_pairs=query_pairs,
        fmt=fmt, host=host, path=parts.path or "/", method=req.method.upper(),
        host_region=regions.region_of_host(host), v3=v3,
    )
