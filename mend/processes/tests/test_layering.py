"""The apps are layered: a lower app never imports a higher one. `cases` offers
registries instead, so processes (and the apps after it) plug in without cases knowing."""

from __future__ import annotations

import ast
from pathlib import Path

MEND = Path(__file__).resolve().parents[2]
# Lowest first; each may import only those before it (and itself).
LAYERS = [
    "core",
    "accounts",
    "programs",
    "cases",
    "processes",
    "agreements",
    "outcomes",
    "partners",
    "api",
]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def violations(app: str) -> list[str]:
    higher = LAYERS[LAYERS.index(app) + 1 :]
    found = []
    for path in (MEND / app).rglob("*.py"):
        if "tests" in path.relative_to(MEND).parts:
            continue
        for name in imported(path):
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "mend" and parts[1] in higher:
                found.append(f"{path.relative_to(MEND)} imports {name}")
    return found


def test_cases_and_the_layers_below_it_never_import_processes() -> None:
    for app in ["core", "accounts", "programs", "cases"]:
        assert not [v for v in violations(app) if "processes" in v], app


def test_processes_imports_nothing_above_it() -> None:
    assert violations("processes") == []


def test_the_scan_sees_an_import_written_either_way(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("import mend.processes.models\nfrom mend.processes import services\n")
    assert imported(source) == {"mend.processes.models", "mend.processes"}


def test_agreements_imports_nothing_above_it() -> None:
    assert violations("agreements") == []


def test_cases_and_processes_never_import_agreements() -> None:
    for app in ["core", "accounts", "programs", "cases", "processes"]:
        assert not [v for v in violations(app) if "agreements" in v], app
