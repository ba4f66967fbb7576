"""The pages take the service's objects as the routes' ``Annotated`` dependencies
(``api.deps``, ``api.pond_view``), not from ``request.app.state`` (issue #16 item 3).

A read of ``.app.state`` in ``api/pages/*.py`` fails this test unless its function is in
``ALLOWED``, with the reason it cannot be a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

PAGES = Path(__file__).resolve().parents[3] / "api" / "pages"
ALLOWED = {
    ("render.py", "context"):
        "the context of every template (the site and pond names): page() and fragment() "
        "are called by helpers, not routes, so there is no route parameter to take it from",
    ("session.py", "_hmac"):
        "the CSRF key, read by csrf_token() inside render.context for every page",
    ("outputs.py", "_may_switch"):
        "a Jinja global the pond page's outputs card calls with the request",
}


def _reads(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of each ``<x>.app.state`` in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[str, int]] = []

    def visit(node: ast.AST, func: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            func = node.name
        if (isinstance(node, ast.Attribute) and node.attr == "state"
                and isinstance(node.value, ast.Attribute) and node.value.attr == "app"):
            out.append((func, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, func)

    visit(tree, "<module>")
    return out


def test_pages_read_app_state_only_where_no_dependency_can_reach() -> None:
    found = {(p.name, func): line for p in sorted(PAGES.glob("*.py"))
             for func, line in _reads(p)}
    stray = sorted(f"api/pages/{name}:{line} in {func}()"
                   for (name, func), line in found.items() if (name, func) not in ALLOWED)
    assert not stray, ("pages read request.app.state; take an Annotated dependency of "
                       f"api/deps.py as a route parameter instead: {stray}")
    stale = sorted(set(ALLOWED) - set(found))
    assert not stale, f"allowed reads no longer there (drop them from ALLOWED): {stale}"


def test_the_scan_sees_a_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f(request):\n    return request.app.state.registry\n",
                      encoding="utf-8")
    assert _reads(sample) == [("f", 2)]
