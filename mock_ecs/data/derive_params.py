"""Derive ``params.json`` (name, type, required of each request parameter) from the official
API metadata (aliyun-openapi-meta ``en-US/ecs/<Action>.json``; a copy lies in the project's
shared reference folder). Run from the repository root:

    python mock_ecs/data/derive_params.py ../shared/reference/ecs-api/meta/en-US

Only facts are kept (no descriptions), so the table is small and the runtime reads no prose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict


def derive(meta_dir: Path) -> Dict[str, Dict[str, Dict[str, Any]]]:
    table: Dict[str, Dict[str, Dict[str, Any]]] = {}
    for path in sorted(meta_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        params: Dict[str, Dict[str, Any]] = {}
        for p in doc.get("parameters", []):
            params[p["name"]] = {
                "type": p.get("type", "String"),
                "required": bool(p.get("required", False)),
            }
            if p.get("deprecated"):
                params[p["name"]]["deprecated"] = True
        table[doc.get("name", path.stem)] = params
    return table


def main() -> None:
    meta_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/ecs-api/meta/en-US")
    out = Path(__file__).with_name("params.json")
    out.write_text(json.dumps(derive(meta_dir), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
