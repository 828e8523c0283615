"""ansible-alicloud's modules, run unchanged by ``ansible-playbook`` against ``mock-ecs serve``.

footmark (under every ali_* module) has no endpoint setting: the modules reach the server through
``HTTP_PROXY`` as plain-HTTP proxy requests (aliyunsdkcore's default protocol is http), which the
server answers. tests/ansible/playbook.yml runs an instance's life with a data disk, a snapshot (a
user's own module, tests/ansible/library/, as ansible-alicloud has none) and an image; every task
must end ok or changed and no call may be answered 501 (an action the mock has not built).
footmark sleeps 10 s after RunInstances and between polls: in the modules' processes
tests/ansible/sitecustomize.py turns every ``time.sleep`` into a move of the mock's clock, so
nothing waits for real time. The test has its own mark (``-m tools``), which the README's test
command and .ci/run run with the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from test_cli import Served  # the `mock-ecs serve` process of the CLI tests

pytest.importorskip("footmark")
pytest.importorskip("ansible")

pytestmark = pytest.mark.tools

HERE = Path(__file__).resolve().parent / "ansible"
PLAYBOOK_TIMEOUT = 240.0
RECAP = re.compile(r"^localhost\s*:\s*(?P<counts>.*)$", re.M)


@pytest.fixture
def server() -> Iterator[Served]:
    """``mock-ecs serve`` on a free loopback port; every wait the playbook makes is immediate."""
    served = Served(["serve", "--port", "0", "--quiet", "--image-creation-seconds", "0",
                     "--snapshot-min-seconds", "0", "--snapshot-seconds-per-gib", "0",
                     "--initialization-seconds", "0"])
    yield served
    served.close()


def playbook_env(url: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ALICLOUD_", "ANSIBLE_", "MOCK_ECS_")) and "proxy" not in k.lower()}
    env.update(HTTP_PROXY=url, http_proxy=url, ALICLOUD_ACCESS_KEY="LTAIansible", ALICLOUD_SECRET_KEY="secret",
               ALICLOUD_REGION="cn-hangzhou", ANSIBLE_LIBRARY=str(HERE / "library"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_RETRY_FILES_ENABLED="0", MOCK_ECS_CLOCK_URL=f"{url}/_mock_ecs/clock/advance",
               PYTHONPATH=os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p))
    return env


def run_playbook(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or shutil.which(
        "ansible-playbook")
    assert command, "ansible-playbook is not installed (pip install -e '.[test]')"
    env = playbook_env(url)
    env["ANSIBLE_LOCAL_TEMP"] = str(tmp_path / "ansible-local")
    env["ANSIBLE_HOME"] = str(tmp_path / "ansible-home")
    return subprocess.run(
        [command, "-i", "localhost,", "-e", f"ansible_python_interpreter={sys.executable}",
         str(HERE / "playbook.yml")],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT)


def recap(stdout: str) -> Dict[str, int]:
    m = RECAP.search(stdout)
    assert m, f"no PLAY RECAP in:\n{stdout}"
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group("counts"))}


def tasks_in(playbook: Path) -> List[str]:
    return re.findall(r"^    - name: (.+)$", playbook.read_text(), re.M)


def test_playbook_runs_every_task_against_the_server(server: Served, tmp_path: Path) -> None:
    done = run_playbook(server.url, tmp_path)
    calls: List[Dict[str, Any]] = server.control("GET", "calls")["calls"]
    unbuilt = sorted({c["action"] for c in calls if c["status"] == 501})
    assert unbuilt == [], f"actions the mock has not built: {unbuilt}"
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    counts = recap(done.stdout)
    names = tasks_in(HERE / "playbook.yml")
    assert counts["ok"] == len(names), done.stdout
    assert (counts["failed"], counts["unreachable"], counts["skipped"], counts["ignored"]) == (0, 0, 0, 0)
    ran = re.findall(r"^TASK \[(.+?)\]", done.stdout, re.M)
    assert ran == names
    # What the tools sent, and that the resources are gone again.
    sent = Counter(c["action"] for c in calls)
    for action in ("RunInstances", "CreateDisk", "AttachDisk", "CreateSnapshot", "CreateImage",
                   "ModifyInstanceAttribute", "TagResources", "RebootInstance", "StopInstance",
                   "DeleteImage", "DeleteSnapshot", "DetachDisk", "DeleteDisk", "DeleteInstance",
                   "DescribeUserData", "ListTagResources"):
        assert sent[action] >= 1, (action, sent)
    assert [c for c in calls if c["status"] >= 500] == []
    # ali_image's wait reads the image in every state: DescribeImages Status=ALL.
    waits = [c for c in calls if c["action"] == "DescribeImages" and c["params"].get("Status") == "ALL"]
    assert waits and {c["status"] for c in waits} == {200}
    for kind in ("instances", "disks", "snapshots", "images"):
        assert server.control("GET", f"resources?kind={kind}")["ids"] == [], kind
    # footmark's sleeps (10 s after RunInstances, and between polls) moved the mock's clock instead.
    assert server.control("GET", "clock")["offset"] >= 10
