"""The package graph has one direction: embeddings (storage) <- qa (the judgement and the service) <- api
(every edge: HTTP, MCP, CLI, client). training/ and bench/ sit on top and are not part of it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAY_IMPORT = {"embeddings": set(), "qa": {"embeddings"}, "api": {"embeddings", "qa"}}
EDGE_LIBRARIES = {"flask", "werkzeug", "click", "mcp", "a2wsgi", "gunicorn", "waitress"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_layer_imports_only_the_layers_below_it(package: str) -> None:
    wrong = {}
    for path in sorted((REPO / package).rglob("*.py")):
        tops = {name.split(".")[0] for name in imported_modules(path)}
        bad = (tops & set(MAY_IMPORT)) - MAY_IMPORT[package] - {package}
        if package != "api":
            bad |= tops & EDGE_LIBRARIES  # the core never imports the web, CLI or MCP libraries
        if bad:
            wrong[str(path.relative_to(REPO))] = sorted(bad)
    assert wrong == {}
