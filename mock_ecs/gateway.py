"""The one request path: parse -> method -> authenticate -> route -> check -> handle -> render.

The checks before any handler, in order: HTTP method (GET or POST), Action, the caller
(signature, timestamp, nonce), Version, the action's existence, its required parameters and
the type of every value (both from the metadata's table, params.py), the filters a strict
action does not implement, and the region.

Every transport (the in-process interceptors and the server) calls ``Gateway.handle``.
"""

from __future__ import annotations

import json
import logging
from typing import Optional

from . import errors, ids, params, regions, render, router
from .auth import authenticate
from .backend import Backend
from .calls import make_call, unreadable_call
from .context import Context
from .errors import EcsError
from .parse import ApiCall, parse_request, sanitized
from .wire import HttpRequest, HttpResponse

API_VERSION = "2014-05-26"
# [META] lists ``method: "GET|POST"`` for every action; any other answers UnsupportedHTTPMethod.
ALLOWED_METHODS = frozenset({"GET", "POST"})
log = logging.getLogger("mock_ecs")


class Gateway:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def handle(self, req: HttpRequest) -> HttpResponse:
        request_id = ids.request_id()
        try:
            req = sanitized(req)
            call = parse_request(req)
        except Exception:  # a request we cannot even read still gets an API answer
            log.exception("mock_ecs could not parse a request")
            unreadable = errors.error("InvalidParameter")
            self.backend.record(unreadable_call(req, unreadable, request_id))
            return render.failure(unreadable, "XML", request_id, "ecs.aliyuncs.com")
        host = call.host.split(":", 1)[0].lower() or "ecs.aliyuncs.com"
        if host.startswith("location"):
            return self._location(call, request_id)
        account_id = ""
        region_id: Optional[str] = None
        try:
            if call.method not in ALLOWED_METHODS:
                raise errors.error("UnsupportedHTTPMethod")
            if not call.action:
                raise errors.missing("Action")
            account_id = authenticate(self.backend, req, call)
            if call.version != API_VERSION:
                raise errors.error("InvalidVersion")
            spec = router.lookup(call.action)
            if spec is None:
                if call.action in router.REAL_ACTIONS:
                    raise errors.not_implemented(call.action)
                raise errors.error("InvalidAction.NotFound")
            # From the metadata's table (params.py): required parameters, then value types,
            # so that no handler ever sees a malformed Integer, Long, Boolean or Float.
            for name in spec.required:
                if not call.params.get(name):
                    raise errors.missing(name)
            malformed = params.first_malformed(spec.name, call.params)
            if malformed is not None:
                raise errors.invalid_parameter(malformed)
            unsupported = router.unsupported_filter(spec, call.params)
            if unsupported is not None:
                raise errors.filter_not_supported(call.action, unsupported)
            region_id = self._region(call)
            # Outside the lock: an injected latency holds up no other request.
            fault = self.backend.take_fault(call.action)
            if fault is not None:
                raise fault
            with self.backend.lock:
                account = self.backend.account(account_id)
                now = self.backend.clock.now()
                self.backend.expire_snapshots(account, now)
                ctx = Context(self.backend, account, call.action, call.params, region_id, now, request_id, spec.allows)
                body = spec.handler(ctx)
            response = render.success(call.action, body, call.fmt, request_id)
            self._record(req, call, account_id, region_id, request_id)
            return response
        except EcsError as err:
            self._record(req, call, account_id, region_id, request_id, err)
            return render.failure(err, call.fmt, request_id, host)
        except Exception:  # never a traceback on the wire: an intended InternalError instead
            log.exception("mock_ecs failed while handling %s", call.action)
            internal = errors.error("InternalError")
            self._record(req, call, account_id, region_id, request_id, internal)
            return render.failure(internal, call.fmt, request_id, host)

    def _region(self, call: ApiCall) -> Optional[str]:
        """RegionId, else the host's region, else None (the resource's own region decides)."""
        region = call.params.get("RegionId") or call.host_region
        if region is not None and not regions.is_known(region):
            raise errors.error("InvalidRegionId.NotFound")
        return region

    def _record(self, req: HttpRequest, call: ApiCall, account_id: str, region_id: Optional[str], request_id: str,
                err: Optional[EcsError] = None) -> None:
        self.backend.record(make_call(req, call, account_id, region_id, request_id, err))

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
