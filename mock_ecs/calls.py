"""The call record, like ``responses.calls``: one ``Call`` per request the mock answered.

Every request that reached the mock is recorded, refused ones included (a bad signature, a
missing parameter, an unreadable request), with what was known when it was answered: an
unauthenticated caller has no ``account_id``, a request refused before its region was
checked keeps the region it asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, SupportsIndex, overload

from .errors import EcsError
from .parse import ApiCall, split_url
from .wire import HttpRequest

_CREDENTIAL = re.compile(r"Credential=([^,\s]*)")


@dataclass
class Call:
    """One request the mock answered."""

    action: str  # "" when the request named none
    params: Dict[str, str]  # every parameter as received, except Signature
    account_id: Optional[str]  # None when the caller was not authenticated
    region_id: Optional[str]
    status: int
    code: Optional[str]  # None for a success
    request_id: str
    access_key_id: Optional[str] = None
    message: Optional[str] = None  # the error message sent, None for a success
    injected: bool = False  # answered by a fault of ``inject_fault``
    method: str = ""
    host: str = ""

    @property
    def ok(self) -> bool:
        return self.code is None


class InjectedFault(EcsError):
    """An error answered because of ``inject_fault`` (marked so in the record)."""


def access_key_of(req: HttpRequest, call: ApiCall) -> Optional[str]:
    """The access key the request claims, ``AccessKeyId`` (RPC) or the V3 ``Credential``, for a
    request refused before authentication read it (``call.access_key``)."""
    if call.v3:
        m = _CREDENTIAL.search(req.lowered().get("authorization", ""))  # req.header("Authorization")
        return m.group(1) if m else None
    return call.params.get("AccessKeyId")


def make_call(
    req: HttpRequest, call: ApiCall, account_id: Optional[str], region_id: Optional[str], request_id: str,
    err: Optional[EcsError] = None,
) -> Call:
    """The record of one answered request; ``err`` is the error answered, None for a success."""
    if region_id is None and err is not None:
        # Refused before or while its region was checked: keep the region it asked for.
        region_id = call.params.get("RegionId") or call.host_region
    # The record keeps the request's own dict, without Signature: every reader of the request
    # (authentication, the handler) is done with it by now, so no copy per request.
    params = call.params
    if "Signature" in params:
        del params["Signature"]
    # Nearly always read by authentication: access_key_of only for a request refused before it.
    key = call.access_key if call.access_key is not None else access_key_of(req, call)
    if err is None:  # positional, in field order: this runs for every request
        return Call(call.action, params, account_id or None, region_id, 200, None, request_id, key, None, False,
                    call.method, call.host)
    return Call(call.action, params, account_id or None, region_id, err.status, err.code, request_id, key,
                err.message, isinstance(err, InjectedFault), call.method, call.host)


def unreadable_call(req: HttpRequest, err: EcsError, request_id: str) -> Call:
    """The record of a request the mock could not even parse."""
    return Call(
        action="", params={}, account_id=None, region_id=None, status=err.status, code=err.code,
        request_id=request_id, message=err.message, method=req.method.upper(),
        host=req.header("Host") or split_url(req.url)[0],
    )


class CallList(List[Call]):
    """A list of calls with filters, for assertions; every filter answers a new ``CallList``.

    ``ecs.calls.of("CreateSnapshot").missing("ClientToken")`` is the CreateSnapshot calls
    that carried no (or an empty) ClientToken.
    """

    def of(self, *actions: str) -> CallList:
        """The calls of these actions."""
        return CallList(c for c in self if c.action in actions)

    def where(self, predicate: Optional[Callable[[Call], Any]] = None, **fields: Any) -> CallList:
        """The calls whose attributes equal ``fields`` (and for which ``predicate`` is true).

        ``where(code="Throttling")``, ``where(account_id="1111")``, ``where(injected=True)``,
        ``where(lambda c: c.status >= 500)``.
        """
        unknown = set(fields) - set(Call.__dataclass_fields__) - {"ok"}
        if unknown:
            raise TypeError(f"Call has no field(s) {', '.join(sorted(unknown))}")
        return CallList(
            c for c in self
            if all(getattr(c, k) == v for k, v in fields.items()) and (predicate is None or predicate(c))
        )

    def with_param(self, name: str, value: Optional[str] = None) -> CallList:
        """The calls that carried ``name`` non-empty (equal to ``value`` when given)."""
        return CallList(c for c in self if c.params.get(name) and (value is None or c.params[name] == value))

    def missing(self, name: str) -> CallList:
        """The calls that carried no ``name``, or an empty one."""
        return CallList(c for c in self if not c.params.get(name))

    @property
    def succeeded(self) -> CallList:
        return CallList(c for c in self if c.ok)

    @property
    def failed(self) -> CallList:
        return CallList(c for c in self if not c.ok)

    @property
    def actions(self) -> List[str]:
        return [c.action for c in self]

    @property
    def codes(self) -> List[Optional[str]]:
        """The error code of each call, None for a success."""
        return [c.code for c in self]

    @property
    def statuses(self) -> List[int]:
        return [c.status for c in self]

    @overload
    def __getitem__(self, index: SupportsIndex) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> CallList: ...

    def __getitem__(self, index: Any) -> Any:
        got = super().__getitem__(index)
        return CallList(got) if isinstance(index, slice) else got

    def __init__(self, calls: Iterable[Call] = ()) -> None:
        super().__init__(calls)
