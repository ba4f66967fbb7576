"""The layering the tree shows (README "Layout"), read from the imports themselves.

- No service imports another; the core imports services only inside the command line's
  commands (``kolam ingest`` starts ``ingest.main``), never at module level.
- The alert engine is ingest's: nothing outside ``ingest/`` imports ``ingest.alerts``.
- ``kolam/alerts/`` holds only the vocabulary the API shares; the core's root only what
  every package uses; everything else sits in a package named for its concept.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("ingest", "api", "gateway", "firmware_sim")
PACKAGES = ("kolam", *SERVICES)
LAZY_ENTRY_POINTS = {"kolam/cli.py"}
"""Core modules that may import a service, and only inside a function."""

ALERT_VOCABULARY = {"__init__", "model", "defaults", "messages", "forecast", "night_fit",
                    "night_signs",
                    "forecast_replay", "aerators"}
"""``aerators``: what the forecast knows of a pond's aerators, read by ingest's engine and
by the API's forecast replay alike."""
CORE_ROOT = {"__init__", "__main__", "cli", "cli_places", "config", "errors", "protocol",
             "catalogue", "timeutil", "demo", "places"}
"""``places``: what a site and a pond are (kinds, bounds, time zone), read by the registry,
the API, the CLI and ingest alike; ``cli_places``: the ``kolam sites|ponds`` commands."""


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top = {id(n) for n in tree.body}
    top |= {id(c) for n in tree.body if isinstance(n, ast.If | ast.Try)
            for c in ast.walk(n)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.module, node.lineno, id(node) in top))
            out += [(f"{node.module}.{a.name}", node.lineno, id(node) in top)
                    for a in node.names]
    return out


def _package(module: str) -> str:
    return module.split(".")[0]


def _sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_reaches_into_another_service(package: str) -> None:
    wrong = []
    for path in _sources(package):
        rel = path.relative_to(ROOT).as_posix()
        for module, line, top in _imports(path):
            other = _package(module)
            if other not in SERVICES or other == package:
                continue
            if package == "kolam" and rel in LAZY_ENTRY_POINTS and not top:
                continue
            wrong.append(f"{rel}:{line} imports {module}")
    assert wrong == [], "\n".join(wrong)


def test_only_ingest_imports_the_alert_engine() -> None:
    wrong = [f"{p.relative_to(ROOT)}:{line} imports {module}"
             for package in PACKAGES if package != "ingest"
             for p in _sources(package)
             for module, line, _ in _imports(p)
             if module == "ingest.alerts" or module.startswith("ingest.alerts.")]
    assert wrong == [], "\n".join(wrong)


def test_the_engine_lives_in_ingest() -> None:
    engine = {p.stem for p in (ROOT / "ingest/alerts").glob("*.py")}
    assert {"engine", "pipeline", "notifier", "outbox", "rules", "health"} <= engine
    shared = {p.stem for p in (ROOT / "kolam/alerts").glob("*.py")}
    assert shared <= ALERT_VOCABULARY, (
        f"kolam/alerts/ holds only the vocabulary ingest and the API share; "
        f"{sorted(shared - ALERT_VOCABULARY)} belong in ingest/alerts/ (or, if the API "
        f"needs them too, add them to ALERT_VOCABULARY here)")


def test_the_core_root_holds_only_what_everything_uses() -> None:
    root = {p.stem for p in (ROOT / "kolam").glob("*.py")}
    assert root <= CORE_ROOT, (
        f"{sorted(root - CORE_ROOT)}: put each in the kolam/ package named for its concept "
        f"(broker, farming, science, security, runtime, store, registry, mqtt, alerts), or "
        f"add it to CORE_ROOT here if every package uses it")
    for package in (p for p in (ROOT / "kolam").iterdir() if p.is_dir()
                    and p.name != "__pycache__" and any(p.glob("*.py"))):
        assert (package / "__init__.py").exists(), package
