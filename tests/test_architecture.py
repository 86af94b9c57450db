"""Modules talk to each other only through their public surface (ARCHITECTURE.md §2)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "loket"
PUBLIC = {"services", "selectors", "types", "constants"}
# config wires the applications together; it may import their url and view modules.
WIRING = {"config": {"urls", "views", "env"}}
# Recorded departures (an ADR each): the bulk seeder writes a million cases straight
# into the cases and people tables (ADR 0018).
DEPARTURES = {"demo/bulk_cases.py": {"loket.cases.models", "loket.people.models"}}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_modules_import_only_each_others_public_surface():
    offences = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if len(relative.parts) < 2 or "tests" in relative.parts or "migrations" in relative.parts:
            continue
        own = relative.parts[0]
        allowed = PUBLIC | WIRING.get(own, set())
        for line, name in _imports(path):
            parts = name.split(".")
            if parts[0] != "loket" or len(parts) < 3 or parts[1] in (own, "cli"):
                continue
            # A nested app (loket.accounts.staff) has its own public surface.
            public = (
                parts[3] if len(parts) > 3 and (SRC / parts[1] / parts[2]).is_dir() else parts[2]
            )
            departure = DEPARTURES.get(relative.as_posix(), set())
            if public not in allowed and ".".join(parts[:3]) not in departure:
                offences.append(f"{relative}:{line} imports {name}")
    # "from loket.core.services import x" also yields "loket.core.services.x": fine.
    assert not offences, "\n".join(offences)
