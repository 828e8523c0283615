"""``mock-ecs serve``: the mock as a standalone HTTP server, for clients in any language.

    mock-ecs serve [--host 127.0.0.1] [--port 8080] [--state FILE] [--quiet] [--<setting> VALUE ...]
    mock-ecs url ACTION [NAME=VALUE ...] [--endpoint URL] [--access-key-id KEY] [--secret SECRET]

Every setting of ``mock_ecs(...)`` is a flag (``--snapshot-quota 3``) and an environment
variable (``MOCK_ECS_SNAPSHOT_QUOTA=3``); a flag wins over the variable. ``MOCK_ECS_HOST``,
``MOCK_ECS_PORT`` and ``MOCK_ECS_STATE`` stand for the flags of the same names. Access keys
come from ``MOCK_ECS_ACCESS_KEYS_FILE`` / ``MOCK_ECS_ACCESS_KEYS`` (keys.py).

The first line on stdout names the URL served (useful with ``--port 0``, any free port).
``mock-ecs url`` prints a signed request URL (the common parameters a raw request needs, a fresh
nonce, a current timestamp, ``Format=JSON``), so ``curl "$(mock-ecs url DescribeDisks ...)"`` works.
Exit status: 0 after SIGINT or SIGTERM, 2 for a usage or configuration error (a taken port,
a bad flag, a bad state file or keys), each told in one line on stderr.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import signal
import sys
import threading
import time
import typing
from dataclasses import fields
from types import FrameType
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from . import __version__
from .clock import iso_seconds
from .gateway import API_VERSION
from .keys import AccessKeysError
from .mock import MockEcs
from .server import EcsHTTPServer
from .settings import Settings
from .state import StateError

ENV_PREFIX = "MOCK_ECS_"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
PROG = "mock-ecs"
# Shown in --help; Settings.with_overrides checks them.
CHOICES = {"edition": "spec|current", "delete_unknown": "error|ignore"}


class UsageError(Exception):
    """A configuration mock-ecs cannot serve with; told in one line, exit status 2."""


def _boolean(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, not {text!r}")


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


# A setting's type -> how its text becomes a value, the --help metavar, and what a bad text is told.
_CONVERTERS: Dict[Any, Tuple[Callable[[str], Any], str, str]] = {
    bool: (_boolean, "true|false", "true or false"),
    int: (int, "N", "an integer"),
    float: (_number, "N", "a number"),
}
_TEXT = (str, "VALUE", "a value")


def _setting_kinds() -> Dict[str, Tuple[Callable[[str], Any], str, str]]:
    """Each setting's name -> its entry of _CONVERTERS, by the type of its field."""
    hints = typing.get_type_hints(Settings)
    return {f.name: _CONVERTERS.get(hints[f.name], _TEXT) for f in fields(Settings)}


def flag_of(name: str) -> str:
    return "--" + name.replace("_", "-")


def env_of(name: str) -> str:
    return ENV_PREFIX + name.upper()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="An in-memory Alibaba Cloud ECS (API 2014-05-26) for offline tests.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="serve the ECS API over HTTP (the default command)",
        description="Serve the ECS API and the control API (/_mock_ecs/) over HTTP.",
        epilog="Every setting is also an environment variable: MOCK_ECS_<SETTING>, e.g. "
               "MOCK_ECS_SNAPSHOT_QUOTA=3; a flag wins over the variable.",
    )
    serve.add_argument("--host", default=None,
                       help=f"address to bind (default {DEFAULT_HOST}, loopback only; env MOCK_ECS_HOST)")
    serve.add_argument("--port", type=int, default=None,
                       help=f"port to bind (default {DEFAULT_PORT}; 0: any free port; env MOCK_ECS_PORT)")
    serve.add_argument("--state", default=None, metavar="FILE",
                       help="a saved state (JSON) to start from (env MOCK_ECS_STATE)")
    serve.add_argument("--quiet", action="store_true", help="no line per request")
    defaults = Settings()
    for name, (convert, metavar, _) in _setting_kinds().items():
        serve.add_argument(
            flag_of(name), dest=name, default=None, metavar=CHOICES.get(name) or metavar,
            nargs="?" if convert is _boolean else None, const="true" if convert is _boolean else None,
            help=f"setting {name} (default {getattr(defaults, name)!r}; env {env_of(name)})",
        )
    url = commands.add_parser(
        "url", help="print a signed ECS request URL, for curl",
        description="Print an RPC request URL with every common parameter and its signature "
                    "(HMAC-SHA1), a fresh SignatureNonce and the current Timestamp: "
                    'curl -s "$(mock-ecs url DescribeDisks RegionId=cn-hangzhou)".',
    )
    url.add_argument("action", metavar="ACTION", help="the ECS action, e.g. DescribeDisks")
    url.add_argument("params", nargs="*", metavar="NAME=VALUE", help="its parameters, e.g. RegionId=cn-hangzhou")
    url.add_argument("--endpoint", default=None,
                     help=f"the server (default http://{DEFAULT_HOST}:PORT; PORT: MOCK_ECS_PORT, else {DEFAULT_PORT})")
    url.add_argument("--access-key-id", default="any-key", help="default any-key (any key works unless registered)")
    url.add_argument("--secret", default="any-secret", help="the key's secret, for a registered key")
    url.add_argument("--format", default="JSON", choices=("JSON", "XML"), help="the answer's format (default JSON)")
    url.add_argument("--method", default="GET", choices=("GET", "POST"),
                     help="the method the request is signed for (default GET; POST: curl -X POST)")
    return parser


def signed_url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """The URL of one RPC request, signed as the SDKs sign (valid for 15 minutes, once)."""
    from urllib.parse import urlencode

    from .auth import percent_encode, rpc_signature, rpc_string_to_sign

    params = {
        "Action": args.action, "Version": API_VERSION, "Format": args.format, "AccessKeyId": args.access_key_id,
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": os.urandom(16).hex(),
        "Timestamp": iso_seconds(time.time()),
    }
    for pair in args.params:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"parameters are NAME=VALUE, not {pair!r}")
        params[name] = value
    params["Signature"] = rpc_signature(args.secret, rpc_string_to_sign(args.method, params))
    endpoint = args.endpoint or f"http://{DEFAULT_HOST}:{environ.get(env_of('port')) or DEFAULT_PORT}"
    return f"{endpoint.rstrip('/')}/?{urlencode(params, quote_via=lambda text, *_: percent_encode(text))}"


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Dict[str, Any]:
    """The settings given by flags, else by MOCK_ECS_<NAME> variables; UsageError if malformed."""
    out: Dict[str, Any] = {}
    for name, (convert, _, what) in _setting_kinds().items():
        flag_value: Optional[str] = getattr(args, name)
        if flag_value is not None:
            text, source = flag_value, flag_of(name)
        elif env_of(name) in environ:
            text, source = environ[env_of(name)], env_of(name)
        else:
            continue
        try:
            out[name] = convert(text)
        except ValueError:
            raise UsageError(f"{source} must be {what}, not {text!r}") from None
    try:
        Settings().with_overrides(**out)
    except (TypeError, ValueError) as err:
        raise UsageError(str(err)) from None
    return out


def _address(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[str, int]:
    host = args.host or environ.get(env_of("host")) or DEFAULT_HOST
    port: Any = args.port
    if port is None:
        text = environ.get(env_of("port"))
        try:
            port = int(text) if text else DEFAULT_PORT
        except ValueError:
            raise UsageError(f"MOCK_ECS_PORT must be a port number, not {text!r}") from None
    if not 0 <= port <= 65535:
        raise UsageError(f"the port must be 0 to 65535, not {port}")
    return host, port


def make_handle(args: argparse.Namespace, environ: Mapping[str, str]) -> MockEcs:
    """The mock the server serves: settings, the environment's keys, then the state file."""
    handle = MockEcs(**settings_from(args, environ))
    try:
        handle.read_environment_keys()
    except AccessKeysError as err:
        raise UsageError(str(err)) from None
    state = args.state or environ.get(env_of("state"))
    if state:
        try:
            handle.load_state(state)
        except StateError as err:
            raise UsageError(f"--state: {err}") from None
    return handle


def bind(host: str, port: int, handle: MockEcs, quiet: bool) -> EcsHTTPServer:
    try:
        return EcsHTTPServer((host, port), handle, quiet=quiet)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use; "
                             "stop what holds it or pick another with --port") from None
        if err.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"cannot bind {host}: no such address on this machine") from None
        if err.errno == errno.EACCES:
            raise UsageError(f"not allowed to bind port {port} on {host}; pick a port above 1023") from None
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def serve(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    host, port = _address(args, environ)
    handle = make_handle(args, environ)
    server = bind(host, port, handle, quiet=args.quiet)
    stop = threading.Event()

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, name="mock_ecs-server", daemon=True)
    try:
        thread.start()
        bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        print(f"mock-ecs serving http://{shown}:{bound_port} (control API: /_mock_ecs/; Ctrl-C stops)", flush=True)
        while not stop.wait(timeout=0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("mock-ecs stopped", flush=True)
    return 0


def main(argv: Optional[Sequence[str]] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    args_list: List[str] = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "serve")  # no command: serve
    env = os.environ if environ is None else environ
    args = build_parser().parse_args(args_list)  # exits 2 with a usage line on a bad flag
    try:
        if args.command == "url":
            print(signed_url(args, env), flush=True)
            return 0
        return serve(args, env)
    except UsageError as err:
        print(f"{PROG}: {err}", file=sys.stderr, flush=True)
        return 2


def entry_point() -> None:
    """The console script ``mock-ecs``."""
    sys.exit(main())
