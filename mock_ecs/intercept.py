"""Where requests are caught: the three Python HTTP paths of the ECS clients.

1. ``requests`` (the Tea SDK's sync calls, libcloud, plain code), through ``responses``.
2. The copy of requests vendored in aliyunsdkcore, which plain ``responses`` does not see.
3. aiohttp, used by the Tea SDK's ``*_async`` methods: its ``async_do_action`` is patched.

Only ECS and location-service hosts are answered; anything else goes to whatever handled it
before us (the network, or a ``responses`` mock of the user's). A user's own ``responses``
mock started *inside* ours still hands ECS URLs to us, so the two compose in any order.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

import responses

from .regions import ECS_URL
from .wire import HttpRequest, HttpResponse

Dispatch = Callable[[HttpRequest], HttpResponse]

_TARGETS = (
    "requests.adapters.HTTPAdapter.send",
    "aliyunsdkcore.vendored.requests.adapters.HTTPAdapter.send",
)
_ASYNC_TARGETS = (("darabonba.core", "DaraCore"), ("Tea.core", "TeaCore"))
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_ANY = re.compile(r".*")


def _resolve(target: str) -> Optional[Any]:
    """The attribute a dotted path names, or None when its package is not installed."""
    module_path, _, attr = target.rpartition(".")
    obj_path, _, cls_name = module_path.rpartition(".")
    try:
        module = importlib.import_module(obj_path)
    except ImportError:
        return None
    cls = getattr(module, cls_name, None)
    return getattr(cls, attr, None) if cls is not None else None


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(part if isinstance(part, bytes) else str(part).encode() for part in body)


class Interceptor:
    """Installs and removes every patch; one instance is active per process at a time."""

    def __init__(self, dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        self.mocks: Dict[str, responses.RequestsMock] = {}
        self._async_saved: List[Tuple[Any, Any]] = []
        self._on_request_saved: Optional[Any] = None

    # --- requests and the vendored copy ----------------------------------------------
    def _callback(self, prepared: Any) -> Tuple[int, Dict[str, str], bytes]:
        req = HttpRequest(prepared.method or "GET", prepared.url, dict(prepared.headers), _as_bytes(prepared.body))
        resp = self.dispatch(req)
        # An answer to HEAD has no body (RFC 9110); urllib3 refuses one that has.
        return resp.status, dict(resp.headers), b"" if req.method.upper() == "HEAD" else resp.body

    def start(self) -> None:
        for target in _TARGETS:
            current = _resolve(target)
            if current is None:
                continue
            mock = responses.RequestsMock(
                assert_all_requests_are_fired=False,
                target=target,
                # What was installed before us handles every other host.
                passthru_prefixes=(_ANY,),  # type: ignore[arg-type]
                real_adapter_send=current,
            )
            for method in _METHODS:
                mock.add_callback(method, ECS_URL, callback=self._callback, content_type=None)
            mock.start()
            self.mocks[target] = mock
        self._patch_user_mocks()
        self._patch_async()

    def stop(self) -> None:
        self._unpatch_async()
        self._unpatch_user_mocks()
        for mock in reversed(list(self.mocks.values())):
            try:
                mock.stop(allow_assert=False)
            finally:
                mock.reset()
        self.mocks.clear()

    def _patch_user_mocks(self) -> None:
        """Let a user's responses mock started after ours pass ECS URLs on to us."""
        original = responses.RequestsMock._on_request
        ours = self.mocks

        def _on_request(mock: responses.RequestsMock, adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            mine = ours.get(mock.target)
            if mine is not None and mock is not mine and ECS_URL.match(request.url or ""):
                match, _ = mock._find_match(request)
                if match is None:
                    return original(mine, adapter, request, *args, **kwargs)
            return original(mock, adapter, request, *args, **kwargs)

        self._on_request_saved = original
        responses.RequestsMock._on_request = _on_request  # type: ignore[method-assign,assignment]

    def _unpatch_user_mocks(self) -> None:
        if self._on_request_saved is not None:
            responses.RequestsMock._on_request = self._on_request_saved  # type: ignore[method-assign]
            self._on_request_saved = None

    # --- aiohttp (Tea/darabonba async) ------------------------------------------------
    def _patch_async(self) -> None:
        for module_name, cls_name in _ASYNC_TARGETS:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            core = getattr(module, cls_name, None)
            if core is None or not hasattr(core, "async_do_action"):
                continue
            original = core.__dict__["async_do_action"]
            self._async_saved.append((core, original))
            core.async_do_action = staticmethod(self._make_async(core, original.__func__))

    def _unpatch_async(self) -> None:
        while self._async_saved:
            core, original = self._async_saved.pop()
            core.async_do_action = original

    def _make_async(self, core: Any, original: Callable[..., Any]) -> Callable[..., Any]:
        dispatch = self.dispatch
        response_cls = _response_class(core)

        async def async_do_action(request: Any, runtime_option: Any = None) -> Any:
            url = core.compose_url(request)
            if not ECS_URL.match(url):
                return await original(request, runtime_option)
            body = request.body
            if hasattr(body, "read") or (body is not None and not isinstance(body, (bytes, str))):
                body = b"".join(part for part in body)
            req = HttpRequest(request.method, url, dict(request.headers), _as_bytes(body))
            resp = dispatch(req)
            out = response_cls()
            out.status_code = resp.status
            out.status_message = _reason(resp.status)
            out.headers = {k.lower(): v for k, v in resp.headers.items()}
            out.body = resp.body
            return out

        return async_do_action


def _response_class(core: Any) -> Any:
    module = importlib.import_module(core.__module__)
    for name in ("DaraResponse", "TeaResponse"):
        cls = getattr(module, name, None)
        if cls is not None:
            return cls
    raise RuntimeError(f"no response class beside {core!r}")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
