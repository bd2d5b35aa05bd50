"""The house's floors, read from the imports (function-local ones too): no cycle, and no stage
reaching into a later one — ingest reads, reconcile decides, scoring ranks, render formats."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

# layer → the layers it must never import (module paths relative to pipeline/, dotted)
FORBIDDEN = {
    "ingest": ["reconcile", "scoring", "crossq", "catalogue", "render", "stages", "run", "check",
               "cli", "demo", "templates", "result"],
    "reconcile": ["scoring", "crossq", "catalogue", "render", "stages", "run", "check", "cli", "demo"],
    "scoring": ["crossq", "catalogue", "render", "stages", "run", "check", "cli", "demo"],
    "crossq": ["render", "stages", "run", "check", "cli", "demo"],
    "render": ["ingest", "reconcile", "scoring", "crossq", "stages", "run", "check", "cli", "demo",
               "catalogue.audit", "catalogue.reader", "catalogue.checks", "catalogue"],
    "stages": ["render", "run", "check", "cli", "demo"],
    "templates": ["stages", "run", "check", "cli", "demo", "ingest", "reconcile"],
}
LEAVES = ["names", "issues", "schemas", "formatting", "dates", "textnorm", "errors", "settings", "processes",
          "frames"]


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Dotted modules of the package this file imports (relative to pipeline/)."""
    here = _module(path).split(".") if _module(path) else []
    package = here if path.name == "__init__.py" else here[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("pipeline"):
                target = node.module.split(".")[1:]
            else:
                continue
            out.add(".".join(target))
            for alias in node.names:  # `from . import stages` names a module
                out.add(".".join([*target, alias.name]))
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".", 1)[1] for a in node.names if a.name.startswith("pipeline.")}
    return {m for m in out if m}


def _graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    known = {_module(f) for f in files}
    return {_module(f): {m for m in _imports(f) if m in known and m != _module(f)} for f in files}


GRAPH = _graph()


def _layer(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_import_into_a_later_floor(layer):
    bad = []
    for module, targets in GRAPH.items():
        if _layer(module) != layer:
            continue
        for target in targets:
            for banned in FORBIDDEN[layer]:
                if target == banned or target.startswith(banned + "."):
                    if layer == "render" and target == "catalogue.report":
                        continue  # the catalogue's own formatting is render
                    bad.append(f"{module} → {target}")
    assert not bad, bad


def test_leaves_import_no_stage():
    for leaf in LEAVES:
        assert GRAPH[leaf] <= {f for f in LEAVES} | {"errors"}, (leaf, GRAPH[leaf])


def test_no_cycle():
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(GRAPH.get(node, ())):
            # importing a package imports its __init__, which may import the module itself:
            # only edges between distinct modules count, and a package edge to its child is fine
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                raise AssertionError(" → ".join([*path, nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])


def test_the_rules_can_fail():
    """The reader sees a forbidden import when there is one (a guard against a rule that
    passes because it reads nothing)."""
    assert "reconcile" in GRAPH["stages"] or "reconcile.verdicts" in str(GRAPH["stages"])
    assert any(t.startswith("ingest") for t in GRAPH["stages"])
