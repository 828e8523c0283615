"""Derive ``params.json`` from the official API metadata (aliyun-openapi-meta
``en-US/ecs/<Action>.json``; a copy lies in the project's shared reference folder). Run from the
repository root:

    python mock_ecs/data/derive_params.py ../shared/reference/ecs-api/meta/en-US [NewAction ...]

The table holds the actions mock_ecs builds: those already in ``params.json``, plus any named
(an ``@action`` needs its entry first); the metadata has every ECS action.

For every action, every request parameter with its ``type`` and ``required`` flag (and
``deprecated`` where the metadata says so). A ``RepeatList`` keeps the types of its
sub-parameters under ``sub`` (``DataDisk.N.Size`` is ``DataDisk`` -> ``sub`` -> ``Size``:
Integer), recursively (``NetworkInterface.N.SecurityGroupIds.N``). Only facts are kept (no
descriptions), so the table is small and the runtime reads no prose. The gateway takes the
required parameters and the type of every value from this table (mock_ecs/params.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional


def _entry(p: Dict[str, Any], top: bool) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"type": p.get("type") or "String"}
    if top or p.get("required"):
        entry["required"] = bool(p.get("required", False))
    if p.get("deprecated"):
        entry["deprecated"] = True
    subs: List[Dict[str, Any]] = p.get("sub_parameters") or []
    if subs:
        entry["sub"] = {s["name"]: _entry(s, top=False) for s in subs}
    return entry


def derive(meta_dir: Path, actions: Optional[Iterable[str]] = None) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """The table of ``actions`` (every action of ``meta_dir`` when None)."""
    wanted = None if actions is None else set(actions)
    table: Dict[str, Dict[str, Dict[str, Any]]] = {}
    for path in sorted(meta_dir.glob("*.json")):
        if wanted is not None and path.stem not in wanted:
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        table[doc.get("name", path.stem)] = {p["name"]: _entry(p, top=True) for p in doc.get("parameters", [])}
    missing = sorted((wanted or set()) - set(table))
    if missing:
        raise SystemExit(f"no metadata in {meta_dir} for {', '.join(missing)}")
    return table


def render(table: Dict[str, Dict[str, Dict[str, Any]]]) -> str:
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


def main() -> None:
    meta_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/ecs-api/meta/en-US")
    if not any(meta_dir.glob("*.json")):
        raise SystemExit(f"no metadata files (*.json) in {meta_dir}")
    out = Path(__file__).with_name("params.json")
    built = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    out.write_text(render(derive(meta_dir, [*built, *sys.argv[2:]])), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
