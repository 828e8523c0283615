"""Where requests are caught: the three Python HTTP paths of the ECS clients.

1. ``requests`` (the Tea SDK's sync calls, libcloud, plain code), through ``responses``.
2. The copy of requests vendored in aliyunsdkcore, which plain ``responses`` does not see.
3. aiohttp, used by the Tea SDK's ``*_async`` methods: its ``async_do_action`` is patched.

Only ECS and location-service hosts are answered; anything else goes to whatever handled it
before us (the network, or a ``responses`` mock of the user's). A user's own ``responses``
mock started *inside* ours still hands ECS URLs to us, so the two compose in any order.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from .regions import ECS_URL
from .wire import HttpRequest, HttpResponse

if TYPE_CHECKING:  # imported when a mock first starts: ``import mock_ecs`` stays cheap
    import responses

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


_UNRECORDED: Optional[type] = None


def _unrecorded() -> Any:
    """A ``responses.CallList`` that keeps nothing (its class made on first use, with responses)."""
    global _UNRECORDED
    if _UNRECORDED is None:
        import responses

        class Unrecorded(responses.CallList):  # type: ignore[misc]
            def add(self, request: Any, response: Any) -> None:
                pass

            def add_call(self, call: Any) -> None:
                pass

        _UNRECORDED = Unrecorded
    return _UNRECORDED()


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
        headers = prepared.headers
        store: Any = getattr(headers, "_store", None)
        if type(store) in (dict, OrderedDict):
            # requests' CaseInsensitiveDict keeps lower-cased name -> (name, value): read it
            # directly rather than through its Mapping methods (a call per header).
            plain = {name: value for name, value in store.values()}
            lower = {low: value for low, (_, value) in store.items()}
        else:
            plain, lower = dict(headers), None
        req = HttpRequest(prepared.method or "GET", prepared.url, plain, _as_bytes(prepared.body))
        if lower is not None:
            req._lower = lower
        resp = self.dispatch(req)
        # An answer to HEAD has no body (RFC 9110); urllib3 refuses one that has.
        return resp.status, dict(resp.headers), b"" if req.method.upper() == "HEAD" else resp.body

    def start(self) -> None:
        """Install every patch; one that fails part way removes what it had installed."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        import responses

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
            # responses keeps every request and response it answered, for the life of the mock
            # (a whole session, a server): ours keep none, the mock has its own call record.
            mock._calls = _unrecorded()
            for match in mock.registered():
                match._calls = _unrecorded()
            mock.start()
            self.mocks[target] = mock
        self._patch_user_mocks()
        self._patch_async()

    def stop(self) -> None:
        """Remove every patch, each even when removing another failed (the first error is raised)."""
        steps: List[Callable[[], None]] = [self._unpatch_async, self._unpatch_user_mocks]
        for mock in reversed(list(self.mocks.values())):
            steps.append(functools.partial(mock.stop, allow_assert=False))
            steps.append(mock.reset)
        steps.append(self.mocks.clear)
        error: Optional[BaseException] = None
        for step in steps:
            try:
                step()
            except BaseException as err:  # every patch is removed first, the error raised after
                error = error or err
        if error is not None:
            raise error

    def _patch_user_mocks(self) -> None:
        """Let a user's responses mock started after ours pass ECS URLs on to us."""
        import responses

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
        import responses

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
