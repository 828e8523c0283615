"""Render answers exactly as the real API does: JSON or XML, success or error."""

from __future__ import annotations

import json
import re
from typing import Any, Dict
from xml.sax.saxutils import escape

import xmltodict

from .errors import EcsError
from .wire import HttpResponse

JSON_TYPE = "application/json;charset=utf-8"
# The Tea SDK parses an error as XML only for exactly this content type.
XML_TYPE = "text/xml;charset=utf-8"
_XML_HEAD = "<?xml version='1.0' encoding='UTF-8'?>"
# Characters XML 1.0 cannot carry at all (not even as references); a value holding one (a
# Description with a control character, say) shows U+FFFD there in XML. JSON escapes them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_bytes(xml: str) -> bytes:
    return _NOT_XML.sub("\ufffd", xml).encode()


def recommend(code: str, request_id: str) -> str:
    return f"https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}"


def success(action: str, body: Dict[str, Any], fmt: str, request_id: str) -> HttpResponse:
    doc = {"RequestId": request_id, **body}
    if fmt == "JSON":
        return HttpResponse(200, json.dumps(doc, ensure_ascii=False).encode(), {"Content-Type": JSON_TYPE})
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
        return HttpResponse(err.status, json.dumps(doc, ensure_ascii=False).encode(), headers)
    xml = (
        f"{_XML_HEAD}<Error><RequestId>{request_id}</RequestId><HostId>{escape(host)}</HostId>"
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message>"
        f"<Recommend><![CDATA[{link}]]></Recommend></Error>"
    )
    headers["Content-Type"] = XML_TYPE
    return HttpResponse(err.status, _xml_bytes(xml), headers)
