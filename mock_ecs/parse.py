"""Turn an HTTP request into an API call: action, parameters, format, host and region.

Parameters may be in the query string, in a form body, or (Tea V3) partly in ``x-acs-*``
headers; all are merged, with the query winning over the body for a repeated name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

from . import regions
from .wire import HttpRequest


@dataclass
class ApiCall:
    action: str
    version: str
    params: Dict[str, str]
    query_pairs: List[Tuple[str, str]]  # as they arrived, for the V3 signature's canonical query
    fmt: str  # "JSON" | "XML"
    host: str
    path: str
    method: str
    host_region: Optional[str]
    v3: bool  # signed with ACS3-HMAC-SHA256 (Authorization header)
    # The host as answers name it (HostId): lower-case, without a port.
    host_id: str = "ecs.aliyuncs.com"
    # The access key the caller claims, once authentication has read it (for the call record).
    access_key: Optional[str] = None


def _text(value: Any) -> str:
    """A str that encodes to UTF-8: bytes are decoded, lone surrogates (which no client sends,
    and which UTF-8 cannot carry back out in an answer) become U+FFFD."""
    if type(value) is str and value.isascii():  # nearly always: nothing to check
        return value
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
    if req.method and type(req.body) is bytes and type(req.headers) is dict:
        try:  # the method, URL and every header ASCII str (the usual case): nothing to change
            if (req.method + req.url + "".join(req.headers) + "".join(req.headers.values())).isascii():
                return req
        except TypeError:  # something that is not a str: sanitize it
            pass
    body = req.body if isinstance(req.body, bytes) else _text(req.body or b"").encode("utf-8")
    headers = {_text(k): _text(v) for k, v in req.headers.items()}
    return HttpRequest(_text(req.method or "GET"), _text(req.url), headers, body)


def _decode(text: str) -> List[Tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True, errors="replace")``, pair for pair, faster:
    the text is unquoted once, then cut (piece by piece only when an escape makes a separator).

    Form rules: '&' separates (not ';'), an empty piece is skipped, a piece without '=' is a
    name with an empty value, '+' is a space like %20, undecodable bytes are replaced.
    """
    out: List[Tuple[str, str]] = []
    if "%" in text or "+" in text:
        if "%26" in text or _escaped_equals_in_a_name(text):
            return _decode_pieces(text)
        # No escape makes a '&' or a name's '=': the whole text decoded at once cuts into the
        # same pieces, names and values as each decoded alone (UTF-8's replacement of bad bytes
        # never swallows an ASCII '&' or '=' either).
        text = _unquote(text.replace("+", " ") if "+" in text else text)
    for piece in text.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            out.append((name, value))
    return out


def _escaped_equals_in_a_name(text: str) -> bool:
    """Whether an escaped '=' (``%3D``) comes before the first '=' of its piece: in a name."""
    for escape in ("%3D", "%3d"):
        at = text.find(escape)
        while at >= 0:
            if text.rfind("=", 0, at) <= text.rfind("&", 0, at):
                return True
            at = text.find(escape, at + 3)
    return False


def _decode_pieces(text: str) -> List[Tuple[str, str]]:
    """``_decode`` piece by piece: for text whose escapes make a separator."""
    out: List[Tuple[str, str]] = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "%" not in piece and "+" not in piece:
            out.append((name, value))
            continue
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = _unquote(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = _unquote(value)
        out.append((name, value))
    return out


# Every ASCII escape, in any case of its hex digits ("%3a", "%3A"), -> its character.
_ASCII_ESCAPES: Dict[str, str] = {
    f"{high}{low}": chr(int(high + low, 16))
    for high in "01234567" for low in "0123456789abcdefABCDEF"
}


def _unquote(text: str) -> str:
    """``unquote(text, errors="replace")``; text whose escapes are all ASCII (the usual: a
    timestamp's ``%3A``, a signature's ``%2F``) is decoded by a table lookup per escape,
    without going through bytes (or a regular expression calling back into Python)."""
    if text.isascii():
        head, *rest = text.split("%")
        out = [head]
        for part in rest:
            char = _ASCII_ESCAPES.get(part[:2])
            if char is None:  # a high byte or a malformed escape: the full decoder
                break
            out.append(char)
            out.append(part[2:])
        else:
            return "".join(out)
    return unquote(text, errors="replace")


def split_url(url: str) -> Tuple[str, str, str]:
    """(netloc, path, query) as ``urlsplit`` answers them; the usual absolute http(s) URL is cut
    with a few string searches (urlsplit, or a regular expression over the whole URL, costs
    more than the rest of reading a request)."""
    if url.startswith("http://"):
        rest = url[7:]
    elif url.startswith("https://"):
        rest = url[8:]
    else:
        rest = None
    # Not what urlsplit treats specially (fragments, IPv6 brackets, the tab/CR/LF it strips).
    if (rest is not None and url.isascii() and "#" not in rest and "[" not in rest and "]" not in rest
            and "\t" not in rest and "\r" not in rest and "\n" not in rest):
        head, _, query = rest.partition("?")
        slash = head.find("/")
        if slash < 0:
            return head, "", query
        return head[:slash], head[slash:], query
    parts = urlsplit(url)
    return parts.netloc, parts.path, parts.query


# host -> (its region, its HostId); a cache: few hosts are used.
_HOSTS: Dict[str, Tuple[Optional[str], str]] = {}


def _host_facts(host: str) -> Tuple[Optional[str], str]:
    try:
        return _HOSTS[host]
    except KeyError:
        facts = (regions.region_of_host(host), host.split(":", 1)[0].lower() or "ecs.aliyuncs.com")
        if len(_HOSTS) < 256:  # bounded: the Host header comes from the request
            _HOSTS[host] = facts
        return facts


def parse_request(req: HttpRequest) -> ApiCall:
    netloc, path, query = split_url(req.url)
    header = req.lowered().get
    host = header("host") or netloc
    query_pairs = _decode(query) if query else []
    if req.body:
        ctype = header("content-type", "").lower()
        body_pairs = (
            _decode(req.body.decode("utf-8", errors="replace"))
            if "x-www-form-urlencoded" in ctype or not ctype else []
        )
        # The query wins over the body; within each, the last of a repeated name.
        params: Dict[str, str] = dict(body_pairs)
        params.update(query_pairs)
    else:
        params = dict(query_pairs)
    v3 = header("authorization", "").startswith("ACS3-")
    action = params.get("Action") or header("x-acs-action", "")
    version = params.get("Version") or header("x-acs-version", "")
    fmt_raw = params.get("Format")
    if fmt_raw:
        fmt = "JSON" if fmt_raw.upper() == "JSON" else "XML"
    else:
        # Tea V3 sends no Format, only ``accept: application/json``, and parses JSON only.
        fmt = "JSON" if "json" in header("accept", "").lower() else "XML"
    host_region, host_id = _host_facts(host)
    method = req.method
    # Positional (in field order): this runs for every request.
    return ApiCall(action, version, params, query_pairs, fmt, host, path or "/",
                   method if method.isupper() else method.upper(), host_region, v3, host_id)
