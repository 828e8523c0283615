"""Server mode: the same gateway behind a threaded HTTP server, for clients in any language.

The server answers whatever the Host header names, so every client's endpoint override
works, and it accepts absolute-form request lines, so ``HTTP_PROXY=http://127.0.0.1:PORT``
works for clients that speak plain http. Paths under ``/_mock_ecs/`` are the control API
(see control.py); no ECS request can use them, since RPC requests always go to ``/``.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, List, Optional, Type
from urllib.parse import urlsplit

from . import errors, ids, render
from .calls import Call
from .control import PREFIX as CONTROL_PREFIX
from .control import Control
from .gateway import internal_error
from .mock import MockEcs
from .wire import HttpRequest, HttpResponse

log = logging.getLogger("mock_ecs.server")


def log_line(call: Optional[Call], method: str, target: str, status: int, ms: float) -> str:
    """The one line a request is logged with, from its own entry of the call record."""
    if call is None:  # the control API, the location service, a request the record does not keep
        return f"{method} {target} status={status} {ms:.1f}ms"
    return (
        f"{call.action or method + ' ' + target} account={call.account_id or '-'} region={call.region_id or '-'} "
        f"status={call.status} code={call.code or '-'} {ms:.1f}ms"
    )


class EcsHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Restarting on a port whose old connections linger in TIME_WAIT works; a port another
    # server listens on is still refused (on Windows SO_REUSEADDR would let us steal it).
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, address: Any, handle: MockEcs, quiet: bool = True,
                 say: Optional[Callable[[str], None]] = None) -> None:
        self.handle = handle
        self.control = Control(handle)
        self.quiet = quiet
        self.say = say or (lambda line: print(line, flush=True))
        if ":" in str(address[0]):  # an IPv6 address such as ::1
            self.address_family = socket.AF_INET6
        super().__init__(address, _make_handler())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is no error of ours; anything else is logged."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        log.exception("mock_ecs server: error while serving %s", client_address)


def _make_handler() -> Type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server: EcsHTTPServer
        protocol_version = "HTTP/1.1"
        server_version = "mock_ecs"
        # Headers and body go out in two writes: with Nagle's algorithm on, a keep-alive client
        # (delayed ACK) waits ~40 ms for the body of every response after its first.
        disable_nagle_algorithm = True

        def _body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks: List[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline().strip():  # trailers
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0:
                raise ValueError(length)
            return self.rfile.read(length) if length > 0 else b""

        def _serve_safely(self) -> None:
            """Every request gets an answer: a failure of ours anywhere on the way (not only in
            the gateway, which answers its own) is a 500 InternalError, never a dropped connection."""
            self._answering = False
            try:
                self._serve()
            except Exception:
                log.exception("mock_ecs server failed while answering %s %s", self.command, self.path)
                self.close_connection = True  # the request's body may be unread: no next request on it
                if not self._answering:  # else the answer is half sent, and the connection ends it
                    self._send(self._internal_error())

        def _internal_error(self) -> HttpResponse:
            """The control API's JSON error on its paths, else the ECS InternalError in the request's format."""
            host = self.headers.get("Host") or "ecs.aliyuncs.com"
            if urlsplit(self.path).path.startswith(CONTROL_PREFIX.rstrip("/")):
                resp = HttpResponse(500, b'{"error": "internal error of the mock server"}',
                                    {"Content-Type": render.JSON_TYPE})
            else:
                url = self.path if self.path.startswith(("http://", "https://")) else f"http://{host}{self.path}"
                resp = internal_error(HttpRequest(self.command, url, dict(self.headers.items()), b""), ids.request_id())
            resp.headers["Connection"] = "close"
            return resp

        def _serve(self) -> None:
            started = time.perf_counter()
            target = self.path
            host = self.headers.get("Host") or "ecs.aliyuncs.com"
            if target.startswith(("http://", "https://")):  # absolute form: a proxy request
                url = target
            elif target.startswith("/"):
                url = f"http://{host}{target}"
            else:  # CONNECT's authority form, "*" of OPTIONS: no path of ours
                url = f"http://{host}/"
            parts = urlsplit(url)
            path = parts.path
            try:
                body = self._body()
            except ValueError:
                self.close_connection = True
                self._send(render.failure(errors.invalid_parameter("Content-Length"), "JSON", ids.request_id(), host))
                return
            call: Optional[Call] = None
            if path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/"):
                resp = self.server.control.dispatch(self.command, path, parts.query, body)
            else:
                gateway = self.server.handle.gateway  # one backend for the whole request, even across a reset
                gateway.backend.take_recorded()  # forget an entry of an earlier request on this thread
                req = HttpRequest(self.command, url, {k: v for k, v in self.headers.items()}, body)
                resp = gateway.handle(req)
                call = gateway.backend.take_recorded()
            self._send(resp)
            if not self.server.quiet:
                ms = (time.perf_counter() - started) * 1000
                self.server.say(log_line(call, self.command, self.path, resp.status, ms))

        def _send(self, resp: HttpResponse) -> None:
            self._answering = True
            self.send_response(resp.status)
            for key, value in resp.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)

        def __getattr__(self, name: str) -> Any:
            # Every method reaches the gateway, which answers UnsupportedHTTPMethod for all but
            # GET and POST (http.server would answer a bare 501 page for a method it lacks).
            if name.startswith("do_"):
                return self._serve_safely
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass  # one line per request is written by _serve instead

    return Handler


class ThreadedMockServer:
    """A mock ECS server on a background thread: ``with ThreadedMockServer() as server: server.url``.

    ``handle`` is the MockEcs whose state the server serves; pass one to share state with an
    in-process mock (requests are answered by ``handle.gateway``, which follows its resets).
    Without one, a new MockEcs is made from ``settings`` (``state=``, ``access_keys=`` too)
    and the keys of MOCK_ECS_ACCESS_KEYS(_FILE), as a started mock would.
    ``quiet=False`` logs one line per request with ``say`` (print by default).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, handle: Optional[MockEcs] = None,
                 quiet: bool = True, say: Optional[Callable[[str], None]] = None, **settings: Any) -> None:
        if handle is None:
            handle = MockEcs(**settings)
            handle.read_environment_keys()
        self.handle = handle
        self.host, self.port = host, port
        self.quiet = quiet
        self.say = say
        self._server: Optional[EcsHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def endpoint(self) -> str:
        """``host:port``, the form SDK endpoint overrides take."""
        return f"{self.host}:{self.port}"

    def start(self) -> ThreadedMockServer:
        self._server = EcsHTTPServer((self.host, self.port), self.handle, quiet=self.quiet, say=self.say)
        self.port = self._server.server_address[1]
        # A short poll interval: stop() (shutdown) waits up to one interval, 0.5 s by default.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mock_ecs-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ThreadedMockServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
