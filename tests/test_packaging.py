"""What users install holds every file the package reads at run time.

The list is not written by hand: a fresh interpreter runs the package (every action through
aliyunsdkcore, the server, the CLI's parser) under an audit hook that sees every file opened,
and every one under the package's directory must be in the wheel and in the sdist. The sdist
and the wheel are built as a release builds them (``python -m build``: the sdist, then the
wheel from the sdist), from a copy of the tree without any egg-info (whose SOURCES.txt would
otherwise fill in what the configuration forgets), offline: without build isolation, so no
index is asked for setuptools (the test extra installs it, with build and wheel).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "mock_ecs"
# Neither source nor anything a build reads: caches, environments, earlier builds, Node's modules.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    ".hypothesis",
)

# Runs in a fresh interpreter with an empty bytecode cache, so that every module's source is read
# (and seen) too. Prints the files opened under the package's directory, relative to it.
_PROBE = textwrap.dedent("""
    import json, os, sys

    opened = set()

    def audit(event, args):
        if event == "open" and isinstance(args[0], (str, os.PathLike)):
            opened.add(os.path.abspath(os.fspath(args[0])))

    sys.addaudithook(audit)

    import mock_ecs
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest
    import requests

    home = os.path.dirname(os.path.abspath(mock_ecs.__file__))

    def call(client, action, **params):
        req = CommonRequest(domain="ecs.cn-hangzhou.aliyuncs.com", version="2014-05-26", action_name=action)
        req.set_accept_format("json")
        for key, value in params.items():
            req.add_query_param(key, value)
        status, _, body = client.get_response(req)
        return status, json.loads(body)

    with mock_ecs.mock_ecs() as ecs:
        client = AcsClient("LTAItestAccessKey", "testSecret", "cn-hangzhou", auto_retry=False)
        call(client, "DescribeInstances", RegionId="cn-hangzhou")  # the first request loads the tables
        from mock_ecs import router

        meta = getattr(router, "META", {})
        for name, spec in sorted(router.ACTIONS.items()):  # every built action, as far as its handler
            types = meta.get(name, {})
            values = {p: "true" if types.get(p, {}).get("type") == "Boolean" else "1" for p in spec.required}
            status, body = call(client, name, **{"RegionId": "cn-hangzhou", **values})
            assert status < 500, (name, body)
        assert len(ecs.calls) == len(router.ACTIONS) + 1

    from mock_ecs.cli import build_parser
    from mock_ecs.server import ThreadedMockServer

    build_parser().parse_args(["serve", "--port", "0"])
    with ThreadedMockServer() as server:
        client = AcsClient("LTAItestAccessKey", "testSecret", "cn-hangzhou", auto_retry=False)
        req = CommonRequest(domain=server.endpoint, version="2014-05-26", action_name="DescribeDisks")
        req.add_query_param("RegionId", "cn-hangzhou")
        status, _, _ = client.get_response(req)
        assert status == 200, status
        assert requests.get(server.url + "/_mock_ecs/calls").status_code == 200

    inside = sorted(os.path.relpath(p, home) for p in opened if p.startswith(home + os.sep))
    print(json.dumps([p.replace(os.sep, "/") for p in inside if "__pycache__" not in p]))
""")


def _run(what: str, args: List[str], cwd: Path, env: Dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{what} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> FrozenSet[str]:
    """Every file under the package the running package opened, as ``mock_ecs/...``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
           "PYTHONPYCACHEPREFIX": str(tmp_path_factory.mktemp("pycache"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = _run("the probe", [sys.executable, "-c", _PROBE], ROOT, env)
    return frozenset(f"{PACKAGE}/{p}" for p in json.loads(out.splitlines()[-1]))


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, FrozenSet[str]]]:
    """The file names in the wheel and in the sdist (its top directory taken off)."""
    base = tmp_path_factory.mktemp("dist")
    src, out = base / "src", base / "out"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
    # No index, no proxy: a build that needed the network fails here rather than reaching it.
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "HTTP_PROXY": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)]
    _run("python -m build", build, base, env)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = frozenset(zf.namelist())
    with tarfile.open(sdist) as tf:
        in_sdist = frozenset(name.split("/", 1)[1] for name in tf.getnames() if "/" in name)
    yield {"wheel": in_wheel, "sdist": in_sdist}


def test_the_probe_saw_the_package_read_its_data(opened: FrozenSet[str]) -> None:
    # Not only modules: else the probe ran too little of the package to say anything.
    data = {p for p in opened if not p.endswith(".py")}
    assert data, sorted(opened)
    assert {f"{PACKAGE}/__init__.py", f"{PACKAGE}/gateway.py", f"{PACKAGE}/server.py"} <= opened


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_every_file_the_package_reads_at_run_time_is_shipped(
    kind: str, opened: FrozenSet[str], dists: Dict[str, FrozenSet[str]],
) -> None:
    assert sorted(opened - dists[kind]) == []


@pytest.mark.parametrize("name", ["derive_params.py", "derive_errors.py"])
def test_the_maintainers_derivation_script_is_in_the_sdist_only(name: str, dists: Dict[str, FrozenSet[str]]) -> None:
    script = f"{PACKAGE}/data/{name}"
    assert script in dists["sdist"] and script not in dists["wheel"]
    assert f"{PACKAGE}/py.typed" in dists["wheel"]
