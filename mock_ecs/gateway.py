"""The one request path: parse -> method -> authenticate -> route -> check -> handle -> render.

The checks before any handler, in order: HTTP method (GET or POST), Action, the caller
(signature, timestamp, nonce), Version, the action's existence, its required parameters and
the type of every value (both from the metadata's table, params.py), the filters a strict
action does not implement, and the region. An error, wherever raised, is answered in the
action's own words: the status and message its reference documents (error_texts.py).

Every transport (the in-process interceptors and the server) calls ``Gateway.handle``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Optional

from . import errors, ids, regions
from .calls import make_call, unreadable_call
from .errors import EcsError
from .parse import ApiCall, parse_request, sanitized
from .wire import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from . import error_texts, params, render, router, schedule
    from .auth import authenticate
    from .backend import Backend
    from .context import Context

API_VERSION = "2014-05-26"
# [META] lists ``method: "GET|POST"`` for every action; any other answers UnsupportedHTTPMethod.
ALLOWED_METHODS = frozenset({"GET", "POST"})
log = logging.getLogger("mock_ecs")


_loaded = False


def _load() -> None:
    """Import the actions and what serves them: on the first request, not at ``import mock_ecs``
    (the action modules and the parameter metadata are most of the package's import time)."""
    global _loaded, error_texts, params, render, router, schedule, authenticate, Context
    from . import error_texts, params, render, router, schedule  # noqa: F811
    from .auth import authenticate  # noqa: F811
    from .context import Context  # noqa: F811

    _loaded = True


def internal_error(req: HttpRequest, request_id: str, backend: Optional[Backend] = None) -> HttpResponse:
    """InternalError for a failure outside a handler (loading the tables, a transport): in the
    request's format when it can be read (XML, the API's default, otherwise), and in ``backend``'s
    call record when one is given."""
    from . import render as answers  # not the global: _load binds that, and it may have failed

    internal = errors.error("InternalError")
    fmt, host = "XML", "ecs.aliyuncs.com"
    try:
        call = parse_request(sanitized(req))
        fmt, host = call.fmt, call.host_id
        if backend is not None:
            backend.record(make_call(req, call, "", None, request_id, internal))
    except Exception:
        log.exception("mock_ecs could not read or record a request it answers InternalError")
    return answers.failure(internal, fmt, request_id, host)


# The text several actions (the automatic snapshot policy ones) document for an unknown region.
REGION_INVALID = "The specified RegionId parameter is invalid."
REGION_CODES = ("InvalidRegionId", "InvalidParam.RegionId", "InvalidRegionId.NotExists")


def unknown_region(action: str) -> EcsError:
    """InvalidRegionId.NotFound, or ParameterInvalid where the action documents that for it."""
    table = error_texts.documented(action)
    for status, message in table.get("ParameterInvalid", ()):
        if message == REGION_INVALID:
            return EcsError("ParameterInvalid", message, status)
    for code in REGION_CODES:  # an action's own code for it (snapshot links, usage; CopySnapshot)
        if code in table:
            status, message = table[code][0]
            return EcsError(code, message, status)
    return errors.error("InvalidRegionId.NotFound")


class Gateway:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def handle(self, req: HttpRequest) -> HttpResponse:
        request_id = ids.request_id()
        if not _loaded:
            try:
                _load()
            except Exception:  # a data file missing from an install, say: the next request loads again
                log.exception("mock_ecs could not load its actions and tables")
                return internal_error(req, request_id, self.backend)
        try:
            req = sanitized(req)
            call = parse_request(req)
        except Exception:  # a request we cannot even read still gets an API answer
            log.exception("mock_ecs could not parse a request")
            unreadable = errors.error("InvalidParameter")
            self.backend.record(unreadable_call(req, unreadable, request_id))
            return render.failure(unreadable, "XML", request_id, "ecs.aliyuncs.com")
        host = call.host_id
        if host.startswith("location"):
            return self._location(call, request_id)
        account_id = ""
        region_id: Optional[str] = None
        backend, action, values = self.backend, call.action, call.params
        try:
            if call.method not in ALLOWED_METHODS:
                raise errors.error("UnsupportedHTTPMethod")
            if not action:
                raise errors.missing("Action")
            account_id = authenticate(backend, req, call)
            if call.version != API_VERSION:
                raise errors.error("InvalidVersion")
            spec = router.ACTIONS.get(action)  # router.lookup
            if spec is None:
                if action in router.REAL_ACTIONS:
                    raise errors.not_implemented(action)
                raise errors.error("InvalidAction.NotFound")
            # From the metadata's table (params.py): required parameters, then value types,
            # so that no handler ever sees a malformed Integer, Long, Boolean or Float.
            for name in spec.required:
                if not values.get(name) and not params.present(spec.name, name, values):
                    raise errors.missing(name)
            malformed = params.first_malformed(spec.name, values)
            if malformed is not None:
                raise errors.invalid_parameter(malformed)
            if spec.strict:
                unsupported = router.unsupported_filter(spec, values)
                if unsupported is not None:
                    raise errors.filter_not_supported(action, unsupported)
            # RegionId, else the host's region, else None (the resource's own region decides).
            # The automatic snapshot policy actions name it regionId; aliyunsdkcore adds RegionId (its
            # client's region) to every request, so the action's own regionId decides when given.
            region_id = values.get("regionId") or values.get("RegionId") or call.host_region
            if region_id is not None and region_id not in regions.REGIONS:  # regions.is_known
                raise unknown_region(action)
            # Outside the lock: an injected latency holds up no other request.
            if backend.faults:
                fault = backend.take_fault(action)
                if fault is not None:
                    raise fault
            with backend.lock:
                account = backend.account(account_id)
                now = backend.clock.now()
                if now >= account.next_fire or account.retention:  # schedule.settle does nothing otherwise
                    schedule.settle(backend, account, now)
                ctx = Context(backend, account, action, values, region_id, now, request_id, spec.allows)
                try:
                    body = spec.handler(ctx)
                finally:  # recorded with the region the call acted in (the resource's, without RegionId)
                    region_id = ctx.acted_region
            response = render.success(action, body, call.fmt, request_id)
            backend.record(make_call(req, call, account_id, region_id, request_id))
            return response
        except EcsError as raised:  # in the action's own words (error_texts: its documented texts)
            err = error_texts.localize(backend.settings.edition, action, raised)
            backend.record(make_call(req, call, account_id, region_id, request_id, err))
            return render.failure(err, call.fmt, request_id, host)
        except Exception:  # never a traceback on the wire: an intended InternalError instead
            log.exception("mock_ecs failed while handling %s", call.action)
            internal = errors.error("InternalError")
            try:
                backend.record(make_call(req, call, account_id, region_id, request_id, internal))
            except Exception:
                log.exception("mock_ecs could not record a failed %s", call.action)
            return render.failure(internal, call.fmt, request_id, host)

    def _location(self, call: ApiCall, request_id: str) -> HttpResponse:
        """The location service's DescribeEndpoints, so aliyunsdkcore resolves every region."""
        region = call.params.get("Id", "")
        body = {
            "RequestId": request_id,
            "Success": True,
            "Endpoints": {
                "Endpoint": [
                    {
                        "Endpoint": f"ecs.{region}.aliyuncs.com",
                        "Id": region,
                        "Namespace": "",
                        "SerivceCode": "ecs",
                        "Type": call.params.get("Type", "openAPI"),
                        "Protocols": {"Protocols": ["HTTP", "HTTPS"]},
                    }
                ]
            },
        }
        return HttpResponse(200, json.dumps(body).encode(), {"Content-Type": render.JSON_TYPE})
