"""Where requests are caught: the three Python HTTP paths of the ECS clients.

1. ``requests`` (the Tea SDK's sync calls, libcloud, plain code), through ``responses``.
2. The copy of requests vendored in aliyunsdkcore, which plain ``responses`` does not see:
   its ``HTTPAdapter.send`` is patched directly (no need to import responses and the real
   requests for a process that only uses aliyunsdkcore).
3. aiohttp, used by the Tea SDK's ``*_async`` methods: its ``async_do_action`` is patched.

Only the layers the process has already imported are patched at the first start: importing
the others would cost more than the whole mock (aiohttp, darabonba, requests). An import hook
(a ``sys.meta_path`` finder, there while a mock is active) patches a layer imported later,
right after its module has run, so a client imported inside a mock is caught too.

Only ECS and location-service hosts are answered; anything else goes to whatever handled it
before us (the network, or a ``responses`` mock of the user's). A user's own ``responses``
mock started *inside* ours still hands ECS URLs to us, so the two compose in any order.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import re
import sys
import threading
from collections import OrderedDict
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from .regions import ECS_URL
from .wire import HttpRequest, HttpResponse

if TYPE_CHECKING:  # imported only when the process uses requests: ``import mock_ecs`` stays cheap
    import responses

Dispatch = Callable[[HttpRequest], HttpResponse]

REQUESTS = "requests"
RESPONSES = "responses"
VENDORED = "aliyunsdkcore.vendored.requests"
REQUESTS_TARGET = "requests.adapters.HTTPAdapter.send"
VENDORED_TARGET = VENDORED + ".adapters.HTTPAdapter.send"
_ASYNC_TARGETS = (("darabonba.core", "DaraCore"), ("Tea.core", "TeaCore"))
# The modules whose completion makes a layer patchable: the hook watches these names.
WATCHED: FrozenSet[str] = frozenset({REQUESTS, RESPONSES, VENDORED, *(name for name, _ in _ASYNC_TARGETS)})
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_ANY = re.compile(r".*")


def _initializing(module: ModuleType) -> bool:
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


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


class _Loader:
    """The loader of a watched module: runs it, then tells the interceptor it is complete.

    The real loader goes back on the spec and the module before the module's code runs, so
    nothing of the hook stays on an imported module.
    """

    def __init__(self, loader: Any, loaded: Callable[[str], None]) -> None:
        self.loader = loader
        self.loaded = loaded

    def exec_module(self, module: ModuleType) -> None:
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = self.loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self.loader
        self.loader.exec_module(module)
        self.loaded(module.__name__)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class ImportHook:
    """A ``sys.meta_path`` finder that finds nothing itself: it lets the other finders find a
    watched module and wraps the loader, so ``loaded(name)`` runs once the module has run."""

    def __init__(self, names: FrozenSet[str], loaded: Callable[[str], None]) -> None:
        self.names = names
        self.loaded = loaded

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None, target: Any = None) -> Any:
        if fullname not in self.names:  # every import of the process passes here: keep it cheap
            return None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if find is None or isinstance(finder, ImportHook):  # this one (or a stale one)
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, self.loaded)
                return spec
        return None


def _responses_before_the_lock() -> None:
    """Import responses, which patching requests needs, before taking the interceptor's lock.

    Imported under the lock, it could wait for another thread's import of responses, whose
    completion (the hook) waits for the lock: a deadlock Python's import locks cannot see.
    Outside it, two imports wait only on module locks, whose cycles Python resolves.
    """
    if REQUESTS in sys.modules and RESPONSES not in sys.modules:
        import responses  # noqa: F401


class Interceptor:
    """Installs and removes every patch; one instance is active per process at a time.

    A layer is patched once its module is complete: at ``start`` for the modules already
    imported, from the import hook for the others. ``stop`` removes the hook, then every patch
    installed, early or late.
    """

    def __init__(self, dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        self.mocks: Dict[str, responses.RequestsMock] = {}
        self._async_saved: List[Tuple[Any, Any]] = []
        self._async_done: Set[str] = set()
        self._on_request_saved: Optional[Any] = None
        self._vendored_saved: Optional[Tuple[Any, Any]] = None
        self._lock = threading.RLock()
        self._hook: Optional[ImportHook] = None
        self._active = False
        self._settling = False
        self._just: Optional[str] = None  # the module whose code has just run (still "initializing")

    # --- when each layer is patched --------------------------------------------------
    def start(self) -> None:
        """Install the patches and the hook; one that fails part way removes what it had installed."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        for name in WATCHED:
            module = sys.modules.get(name)
            if module is not None and _initializing(module):
                # Another thread is importing it (found before our hook was there): wait for it.
                with contextlib.suppress(ImportError):  # its failure is that thread's to report
                    importlib.import_module(name)
        _responses_before_the_lock()
        with self._lock:
            self._active = True
            self._hook = ImportHook(WATCHED, self._imported)
            sys.meta_path.insert(0, self._hook)
            self._settle()

    def _imported(self, name: str) -> None:
        if self._active:
            _responses_before_the_lock()
        with self._lock:
            if not self._active:  # imported after the last stop: left alone
                return
            previous, self._just = self._just, name
            try:
                self._settle()
            finally:
                self._just = previous

    def _ready(self, name: str) -> Optional[ModuleType]:
        """The module when it is completely imported, else None."""
        module = sys.modules.get(name)
        if module is None or (name != self._just and _initializing(module)):
            return None
        return module

    def _settle(self) -> None:
        """Patch every layer whose module is complete and that is not patched yet.

        One pass, in an order where no step readies an earlier one: patching requests imports
        responses, whose completion calls back here (that nested call does nothing) and readies
        the user mocks' step, which comes after it.
        """
        if self._settling:
            return
        self._settling = True
        try:
            # responses imports requests: while its own code has not run, it cannot patch (its
            # completion comes back here). A first import of requests racing a first import of
            # responses in another thread is patched when responses completes.
            if (REQUESTS_TARGET not in self.mocks and self._ready(REQUESTS) is not None
                    and (RESPONSES not in sys.modules or self._ready(RESPONSES) is not None)):
                self._patch_requests()
            if self._vendored_saved is None and self._ready(VENDORED) is not None:
                self._patch_vendored()
            if self._on_request_saved is None and self._ready(RESPONSES) is not None:
                self._patch_user_mocks()
            self._patch_async()
        finally:
            self._settling = False

    def stop(self) -> None:
        """Remove the hook and every patch, each even when removing another failed (the first
        error is raised)."""
        with self._lock:
            self._active = False
            steps: List[Callable[[], None]] = [
                self._remove_hook, self._unpatch_async, self._unpatch_user_mocks, self._unpatch_vendored,
            ]
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

    def _remove_hook(self) -> None:
        hook, self._hook = self._hook, None
        if hook is not None:
            sys.meta_path[:] = [finder for finder in sys.meta_path if finder is not hook]

    # --- requests, through responses ---------------------------------------------------
    def _callback(self, prepared: Any) -> Tuple[int, Dict[str, str], bytes]:
        headers = prepared.headers
        store: Any = getattr(headers, "_store", None)
        if type(store) in (dict, OrderedDict):
            # requests' CaseInsensitiveDict keeps lower-cased name -> (name, value): read it
            # directly rather than through its Mapping methods (a call per header). Its names
            # differ in lower case, so ``plain`` has one entry per entry of ``store``, in order.
            plain = dict(store.values())
            lower = dict(zip(store, plain.values()))
        else:
            plain, lower = dict(headers), None
        req = HttpRequest(prepared.method or "GET", prepared.url, plain, _as_bytes(prepared.body))
        if lower is not None:
            req._lower = lower
        resp = self.dispatch(req)
        # An answer to HEAD has no body (RFC 9110); urllib3 refuses one that has.
        return resp.status, dict(resp.headers), b"" if req.method.upper() == "HEAD" else resp.body

    def _patch_requests(self) -> None:
        import responses

        adapter = sys.modules.get("requests.adapters") or importlib.import_module("requests.adapters")
        mock = responses.RequestsMock(
            assert_all_requests_are_fired=False,
            target=REQUESTS_TARGET,
            # What was installed before us handles every other host.
            passthru_prefixes=(_ANY,),  # type: ignore[arg-type]
            real_adapter_send=adapter.HTTPAdapter.send,
        )
        for method in _METHODS:
            mock.add_callback(method, ECS_URL, callback=self._callback, content_type=None)
        # responses keeps every request and response it answered, for the life of the mock
        # (a whole session, a server): ours keep none, the mock has its own call record.
        mock._calls = _unrecorded()
        for match in mock.registered():
            match._calls = _unrecorded()
        self.mocks[REQUESTS_TARGET] = mock
        mock.start()

    def _patch_user_mocks(self) -> None:
        """Let a user's responses mock started after ours pass ECS URLs on to us."""
        responses = sys.modules[RESPONSES]
        original = responses.RequestsMock._on_request
        ours = self.mocks
        answer_vendored = self._answer_vendored

        def _on_request(mock: Any, adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            mine = ours.get(mock.target)  # ours answers through responses; the vendored copy directly
            if (mock is not mine and (mine is not None or mock.target == VENDORED_TARGET)
                    and ECS_URL.match(request.url or "") and mock._find_match(request)[0] is None):
                if mine is not None:
                    return original(mine, adapter, request, *args, **kwargs)
                return answer_vendored(adapter, request)
            return original(mock, adapter, request, *args, **kwargs)

        self._on_request_saved = original
        responses.RequestsMock._on_request = _on_request

    def _unpatch_user_mocks(self) -> None:
        if self._on_request_saved is not None:
            sys.modules[RESPONSES].RequestsMock._on_request = self._on_request_saved
            self._on_request_saved = None

    # --- the vendored copy in aliyunsdkcore, patched directly ---------------------------
    def _patch_vendored(self) -> None:
        adapters = importlib.import_module(VENDORED + ".adapters")
        cls = adapters.HTTPAdapter
        original = cls.__dict__["send"]
        answer = self._vendored_answerer()
        ecs_url = ECS_URL.match

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            if ecs_url(request.url or ""):
                return answer(adapter, request)
            return original(adapter, request, *args, **kwargs)  # what was installed before us

        self._vendored_saved = (cls, original)
        cls.send = send

    def _unpatch_vendored(self) -> None:
        if self._vendored_saved is not None:
            cls, original = self._vendored_saved
            cls.send = original
            self._vendored_saved = None

    def _answer_vendored(self, adapter: Any, request: Any) -> Any:
        return self._vendored_answerer()(adapter, request)

    def _vendored_answerer(self) -> Callable[[Any, Any], Any]:
        """A function answering a vendored ``PreparedRequest`` with the gateway's answer as the
        vendored requests' own ``Response``, read in full (as ``HTTPAdapter.build_response``
        makes it, without a urllib3 response underneath)."""
        models = sys.modules[VENDORED + ".models"]
        new_response = models.Response
        case_insensitive = sys.modules[VENDORED + ".structures"].CaseInsensitiveDict
        encoding_of = sys.modules[VENDORED + ".utils"].get_encoding_from_headers
        callback = self._callback

        def answer(adapter: Any, request: Any) -> Any:
            status, headers, body = callback(request)
            response = new_response()
            response.status_code = status
            response.headers = case_insensitive(headers)
            response.encoding = encoding_of(response.headers)
            response.raw = io.BytesIO(body)
            response.reason = _reason(status)
            url = request.url
            response.url = url.decode("utf-8") if isinstance(url, bytes) else url
            response.request = request
            response.connection = adapter
            response._content = body
            response._content_consumed = True
            return response

        return answer

    # --- aiohttp (Tea/darabonba async) ------------------------------------------------
    def _patch_async(self) -> None:
        for module_name, cls_name in _ASYNC_TARGETS:
            if module_name in self._async_done:
                continue
            module = self._ready(module_name)
            if module is None:
                continue
            self._async_done.add(module_name)
            core = getattr(module, cls_name, None)
            if core is None or "async_do_action" not in core.__dict__:
                continue
            original = core.__dict__["async_do_action"]
            self._async_saved.append((core, original))
            core.async_do_action = staticmethod(self._make_async(core, original.__func__))

    def _unpatch_async(self) -> None:
        while self._async_saved:
            core, original = self._async_saved.pop()
            core.async_do_action = original
        self._async_done.clear()

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
    module = sys.modules[core.__module__]
    for name in ("DaraResponse", "TeaResponse"):
        cls = getattr(module, name, None)
        if cls is not None:
            return cls
    raise RuntimeError(f"no response class beside {core!r}")


_REASONS: Dict[int, str] = {}


def _reason(status: int) -> str:
    if not _REASONS:
        from http import HTTPStatus

        _REASONS.update((s.value, s.phrase) for s in HTTPStatus)
    return _REASONS.get(status, "")
