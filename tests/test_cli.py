"""``mock-ecs serve`` / ``python -m mock_ecs``: a real process, started on a free port, driven by a real
client, stopped by SIGINT or SIGTERM; settings from flags and environment variables; clear errors.

Every wait is bounded: a server that does not come up or does not stop fails its test.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

from conftest import IMAGE, REGION, SdkCoreDriver, expect_error, system_disk
from mock_ecs import Settings
from mock_ecs.cli import build_parser, env_of, flag_of, main, settings_from

REPO = Path(__file__).resolve().parent.parent
FIRST_LINE = re.compile(r"^mock-ecs serving (?P<url>http://127\.0\.0\.1:(?P<port>\d+)) ")
LOG_LINE = re.compile(r"^(\S+) account=(\S+) region=(\S+) status=(\d+) code=(\S+) \d+\.\dms$")
UP_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def clean_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_ECS_") and "proxy" not in k.lower()}
    env.update(extra or {})
    return env


class Served:
    """A ``python -m mock_ecs`` process; its stdout is read line by line on a thread."""

    def __init__(self, args: Sequence[str], env: Optional[Dict[str, str]] = None,
                 command: Optional[List[str]] = None) -> None:
        self.proc = subprocess.Popen(
            (command or [sys.executable, "-m", "mock_ecs"]) + list(args), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=REPO, env=clean_env(env),
        )
        self.lines: queue.Queue[Optional[str]] = queue.Queue()
        self.seen: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        first = self.line(UP_TIMEOUT)
        m = FIRST_LINE.match(first or "")
        if m is None:
            self.kill()
            raise AssertionError(f"unexpected first line {first!r}; stderr: {self.stderr_text()}")
        self.url, self.port = m.group("url"), int(m.group("port"))
        self.endpoint = f"127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout: float = 10.0) -> Optional[str]:
        try:
            got = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output within {timeout} s") from None
        if got is not None:
            self.seen.append(got)
        return got

    def rest(self) -> List[str]:
        """Every line until the process closed its stdout."""
        out = []
        while True:
            got = self.line(STOP_TIMEOUT)
            if got is None:
                return out
            out.append(got)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_mock_ecs/" + path, data=data, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    def stop(self, sig: int = signal.SIGTERM) -> Tuple[int, List[str], str]:
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the server did not stop on signal {sig}") from None
        return code, self.rest(), self.stderr_text()

    def stderr_text(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def close(self) -> None:
        self.kill()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(*args, env=...)`` starts a server; every one is killed at the end if still running."""
    started: List[Served] = []

    def start(*args: str, env: Optional[Dict[str, str]] = None, command: Optional[List[str]] = None) -> Served:
        served = Served(args, env, command)
        started.append(served)
        return served

    yield start
    for served in started:
        served.close()


def run(args: Sequence[str], env: Optional[Dict[str, str]] = None,
        command: Optional[List[str]] = None) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run((command or [sys.executable, "-m", "mock_ecs"]) + list(args), capture_output=True,
                          text=True, cwd=REPO, env=clean_env(env), timeout=UP_TIMEOUT)


def nothing_listens_on(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def snapshot_twice(endpoint: str, served: Served) -> None:
    """One snapshot, then a second once the first is done: the second meets a quota of 1."""
    client = SdkCoreDriver(endpoint=endpoint)
    instance_id = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE,
                              InstanceType="ecs.g7.large")["InstanceIdSets"]["InstanceIdSet"][0]
    disk_id = system_disk(client, instance_id)
    served.control("POST", "clock/advance", {"seconds": 3600})
    client.call("CreateSnapshot", DiskId=disk_id)
    served.control("POST", "clock/advance", {"seconds": 60})
    expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot")


# --- start and stop ---------------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_on_a_free_port_then_stop_cleanly(serve: Any, sig: int) -> None:
    served = serve("serve", "--port", "0")
    client = SdkCoreDriver(endpoint=served.endpoint)
    assert client.call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0
    assert LOG_LINE.match(served.line() or "")
    code, rest, stderr = served.stop(sig)
    assert code == 0
    assert rest == ["mock-ecs stopped"]
    assert stderr == ""
    assert nothing_listens_on(served.port)


def test_no_command_means_serve(serve: Any) -> None:
    served = serve("--port", "0", "--quiet")
    assert served.control("GET", "settings") == Settings().as_dict()
    assert served.stop()[0] == 0


def test_no_arguments_at_all_serve_with_the_environment(serve: Any) -> None:
    served = serve(env={"MOCK_ECS_PORT": "0", "MOCK_ECS_SNAPSHOT_QUOTA": "5"})
    assert served.control("GET", "settings")["snapshot_quota"] == 5
    assert served.stop()[0] == 0


def test_the_console_script(serve: Any) -> None:
    script = shutil.which("mock-ecs", path=str(Path(sys.executable).parent))
    assert script is not None, "pip install -e . installs the mock-ecs console script (setup.cfg)"
    done = run(["--version"], command=[script])
    assert (done.returncode, done.stdout.strip()) == (0, "mock-ecs 0.1.0")
    served = serve("serve", "--port", "0", "--quiet", command=[script])
    assert served.control("GET", "clock")["offset"] == 0
    assert served.stop(signal.SIGINT)[0] == 0


def test_a_taken_port_is_one_clear_line_and_exit_2() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run(["serve", "--port", str(port)])
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines == [f"mock-ecs: port {port} on 127.0.0.1 is already in use; stop what holds it or pick another "
                     "with --port"]


def test_quiet_logs_no_request_lines(serve: Any) -> None:
    served = serve("serve", "--port", "0", "--quiet")
    SdkCoreDriver(endpoint=served.endpoint).call("DescribeInstances", RegionId=REGION)
    served.control("GET", "clock")
    code, rest, _ = served.stop()
    assert code == 0 and rest == ["mock-ecs stopped"]


def test_request_lines_name_action_account_region_status_code(serve: Any) -> None:
    served = serve("serve", "--port", "0")
    client = SdkCoreDriver(endpoint=served.endpoint)
    expect_error(lambda: client.call("DeleteDisk", DiskId="d-bp1nosuchdisk000001"), "InvalidDiskId.NotFound")
    line = served.line() or ""
    assert LOG_LINE.match(line).groups() == (  # type: ignore[union-attr]
        "DeleteDisk", "1234567890123456", REGION, "404", "InvalidDiskId.NotFound")
    served.control("POST", "clock/advance", {"seconds": 1})
    assert re.match(r"^POST /_mock_ecs/clock/advance status=200 \d+\.\dms$", served.line() or "")
    assert served.stop()[0] == 0


# --- settings: flags and environment variables -------------------------------------------------
def test_snapshot_quota_flag_reaches_behaviour(serve: Any) -> None:
    served = serve("serve", "--port", "0", "--quiet", "--snapshot-quota", "1")
    snapshot_twice(served.endpoint, served)
    assert served.stop()[0] == 0


def test_snapshot_quota_variable_reaches_behaviour(serve: Any) -> None:
    served = serve("serve", "--port", "0", "--quiet", env={"MOCK_ECS_SNAPSHOT_QUOTA": "1"})
    snapshot_twice(served.endpoint, served)
    assert served.stop()[0] == 0


NON_DEFAULT = {
    "snapshot_quota": ("7", 7), "initialization_seconds": ("60", 60.0), "snapshot_seconds_per_gib": ("0.5", 0.5),
    "snapshot_min_seconds": ("3", 3.0), "copy_seconds_per_gib": ("0.25", 0.25), "instance_start_seconds": ("2", 2.0),
    "instance_transition_seconds": ("4", 4.0), "disk_transition_seconds": ("5", 5.0),
    "image_creation_seconds": ("6", 6.0), "image_quota": ("8", 8),
    "edition": ("current", "current"), "strict_access_keys": ("true", True),
    "max_disks_per_instance": ("9", 9), "delete_unknown": ("ignore", "ignore"), "max_calls": ("500", 500),
    "max_auto_snapshot_log": ("50", 50),
}


def test_every_setting_is_a_flag_and_a_variable(serve: Any) -> None:
    assert set(NON_DEFAULT) == {f.name for f in fields(Settings)}, "give the new setting a value here"
    expected = {name: value for name, (_, value) in NON_DEFAULT.items()}
    flags = [arg for name, (text, _) in NON_DEFAULT.items() for arg in (flag_of(name), text)]
    by_flags = serve("serve", "--port", "0", "--quiet", *flags)
    assert by_flags.control("GET", "settings") == expected
    by_env = serve("--port", "0", "--quiet", env={env_of(name): text for name, (text, _) in NON_DEFAULT.items()})
    assert by_env.control("GET", "settings") == expected
    assert by_flags.stop()[0] == 0 and by_env.stop()[0] == 0


def test_a_flag_wins_over_the_variable(serve: Any) -> None:
    served = serve("serve", "--port", "0", "--quiet", "--snapshot-quota", "5", "--strict-access-keys", "false",
                   env={"MOCK_ECS_SNAPSHOT_QUOTA": "1", "MOCK_ECS_STRICT_ACCESS_KEYS": "true",
                        "MOCK_ECS_EDITION": "current"})
    settings = served.control("GET", "settings")
    assert (settings["snapshot_quota"], settings["strict_access_keys"], settings["edition"]) == (5, False, "current")
    SdkCoreDriver(ak="LTAIanyone", endpoint=served.endpoint).call("DescribeInstances", RegionId=REGION)
    assert served.stop()[0] == 0


def test_strict_flag_alone_and_access_keys_from_the_environment(serve: Any, tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"LTAIbob": {"secret": "bobSecret", "account_id": "2222222222222222"}}))
    served = serve("serve", "--port", "0", "--quiet", "--strict-access-keys", env={
        "MOCK_ECS_ACCESS_KEYS": json.dumps({"LTAIalice": ["aliceSecret", "1111111111111111"]}),
        "MOCK_ECS_ACCESS_KEYS_FILE": str(keys_file),
    })
    stranger = SdkCoreDriver(ak="LTAIstranger", secret="s", endpoint=served.endpoint)
    expect_error(lambda: stranger.call("DescribeInstances", RegionId=REGION), "InvalidAccessKeyId.NotFound")
    for key, secret, account in (("LTAIalice", "aliceSecret", "1111111111111111"),
                                 ("LTAIbob", "bobSecret", "2222222222222222")):
        client = SdkCoreDriver(ak=key, secret=secret, endpoint=served.endpoint)
        instance_id = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE,
                                  InstanceType="ecs.g7.large")["InstanceIdSets"]["InstanceIdSet"][0]
        assert served.control("GET", f"resources/{instance_id}/account")["account_id"] == account
    wrong = SdkCoreDriver(ak="LTAIalice", secret="guess", endpoint=served.endpoint)
    expect_error(lambda: wrong.call("DescribeInstances", RegionId=REGION), "InvalidAccessKeySecret")
    assert served.control("GET", "access-keys") == {"access_keys": {"LTAIalice": "1111111111111111",
                                                                    "LTAIbob": "2222222222222222"}}
    assert served.stop()[0] == 0


# --- configuration errors: one line on stderr, exit 2 ------------------------------------------------
@pytest.mark.parametrize("args,env,message", [
    (["--port", "0", "--snapshot-quota", "many"], {}, "mock-ecs: --snapshot-quota must be an integer, not 'many'"),
    (["--port", "0"], {"MOCK_ECS_SNAPSHOT_QUOTA": "many"},
     "mock-ecs: MOCK_ECS_SNAPSHOT_QUOTA must be an integer, not 'many'"),
    (["--port", "0", "--initialization-seconds", "nan"], {},
     "mock-ecs: --initialization-seconds must be a number, not 'nan'"),
    (["--port", "0", "--strict-access-keys", "maybe"], {},
     "mock-ecs: --strict-access-keys must be true or false, not 'maybe'"),
    (["--port", "0", "--edition", "2030"], {}, "mock-ecs: edition must be 'spec' or 'current'"),
    (["--port", "0"], {"MOCK_ECS_ACCESS_KEYS": "{oops"},
     "mock-ecs: environment variable MOCK_ECS_ACCESS_KEYS: not valid JSON"),
    ([], {"MOCK_ECS_PORT": "http"}, "mock-ecs: MOCK_ECS_PORT must be a port number, not 'http'"),
    (["--port", "70000"], {}, "mock-ecs: the port must be 0 to 65535, not 70000"),
    (["--port", "0", "--state", "/nonexistent/state.json"], {},
     "mock-ecs: --state: state file '/nonexistent/state.json' cannot"),
])
def test_configuration_errors(args: List[str], env: Dict[str, str], message: str) -> None:
    done = run(["serve", *args], env)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), done.stderr
    assert "Traceback" not in done.stderr


def test_a_foreign_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps({"version": 4, "resources": []}))
    done = run(["serve", "--port", "0", "--state", str(path)])
    assert done.returncode == 2
    assert done.stderr.strip() == 'mock-ecs: --state: not a mock_ecs state: "format" is null, not "mock_ecs.state"'


def test_an_unknown_flag_is_a_usage_error() -> None:
    done = run(["serve", "--snapshot-qouta", "3"])
    assert done.returncode == 2 and "unrecognized arguments: --snapshot-qouta" in done.stderr


# --- in-process: parsing -------------------------------------------------------------------------------
def test_settings_from_flags_then_environment() -> None:
    args = build_parser().parse_args(["serve", "--snapshot-quota", "3", "--strict-access-keys"])
    got = settings_from(args, {"MOCK_ECS_SNAPSHOT_QUOTA": "9", "MOCK_ECS_SNAPSHOT_MIN_SECONDS": "2.5",
                               "MOCK_ECS_UNRELATED": "x"})
    assert got == {"snapshot_quota": 3, "strict_access_keys": True, "snapshot_min_seconds": 2.5}


def test_main_reports_a_taken_port_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert main(["serve", "--port", str(port)], environ={}) == 2
    err = capsys.readouterr().err
    assert err == f"mock-ecs: port {port} on 127.0.0.1 is already in use; stop what holds it or pick another " \
                  "with --port\n"
