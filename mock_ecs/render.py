"""Render answers exactly as the real API does: JSON or XML, success or error."""

from __future__ import annotations

import json
import re
from typing import Any, Dict

from .errors import EcsError
from .wire import HttpResponse

JSON_TYPE = "application/json;charset=utf-8"
# The Tea SDK parses an error as XML only for exactly this content type.
XML_TYPE = "text/xml;charset=utf-8"
_XML_HEAD = "<?xml version='1.0' encoding='UTF-8'?>"
# Characters XML 1.0 cannot carry at all (not even as references); a value holding one (a
# Description with a control character, say) shows U+FFFD there in XML. JSON escapes them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` (&, <, >), without importing xml.sax (and urllib.request)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _xml_bytes(xml: str) -> bytes:
    return _NOT_XML.sub("\ufffd", xml).encode()


def recommend(code: str, request_id: str) -> str:
    return f"https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}"


# ``json.dumps(doc, ensure_ascii=False)``, without making an encoder per answer (an answer is
# never circular; were one, the gateway's catch-all would answer InternalError either way).
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_quote = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (ensure_ascii=False)


def _to_json(doc: Dict[str, Any]) -> str:
    """``json.dumps(doc, ensure_ascii=False)``; a flat object of strings (most answers of the
    actions that change something, and every error) is written directly, the same text."""
    for key, value in doc.items():
        if type(value) is not str or type(key) is not str:
            return _encode(doc)
    return "{" + ", ".join([f"{_quote(key)}: {_quote(value)}" for key, value in doc.items()]) + "}"


def _with_request_id(body: Dict[str, Any], request_id: str) -> Dict[str, Any]:
    """The answer with its RequestId: where the view put a ``RequestId`` key (the real service's
    place for it, see keyorder.py), else first."""
    if "RequestId" in body:
        body["RequestId"] = request_id
        return body
    return {"RequestId": request_id, **body}


def success(action: str, body: Dict[str, Any], fmt: str, request_id: str) -> HttpResponse:
    if fmt == "JSON":
        if not body:  # most answers of Delete*/Modify*: the RequestId alone (hex and dashes)
            return HttpResponse(200, f'{{"RequestId": "{request_id}"}}'.encode(), {"Content-Type": JSON_TYPE})
        return HttpResponse(200, _to_json(_with_request_id(body, request_id)).encode(), {"Content-Type": JSON_TYPE})
    doc = _with_request_id(body, request_id)
    import xmltodict  # only XML answers need it (it imports xml.sax: not at ``import mock_ecs``)

    xml = xmltodict.unparse({f"{action}Response": doc}, full_document=False)
    return HttpResponse(200, _xml_bytes(_XML_HEAD + xml), {"Content-Type": XML_TYPE})


def failure(err: EcsError, fmt: str, request_id: str, host: str) -> HttpResponse:
    link = recommend(err.code, request_id)
    headers: Dict[str, str] = {}
    if err.code.startswith("Throttling"):
        headers["x-acs-retry-after"] = "1000"
    if fmt == "JSON":
        doc = {"RequestId": request_id, "HostId": host, "Code": err.code, "Message": err.message, "Recommend": link}
        headers["Content-Type"] = JSON_TYPE
        return HttpResponse(err.status, _to_json(doc).encode(), headers)
    xml = (
        f"{_XML_HEAD}<Error><RequestId>{request_id}</RequestId><HostId>{escape(host)}</HostId>"
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message>"
        f"<Recommend><![CDATA[{link}]]></Recommend></Error>"
    )
    headers["Content-Type"] = XML_TYPE
    return HttpResponse(err.status, _xml_bytes(xml), headers)
