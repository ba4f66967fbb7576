"""Every exception Kolam raises on purpose is in ``kolam/errors.py`` and in its tree."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from kolam import errors
from kolam.errors import KolamError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kolam", "api", "ingest", "gateway", "firmware_sim")


def tree() -> dict[str, type[KolamError]]:
    return {name: cls for name, cls in vars(errors).items()
            if inspect.isclass(cls) and issubclass(cls, KolamError)}


def test_no_error_class_is_defined_outside_kolam_errors() -> None:
    names = set(tree())
    outside = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "kolam" / "errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and any(
                        isinstance(b, ast.Name) and b.id in names for b in node.bases):
                    outside.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert outside == []


def test_the_documented_tree_names_every_class_under_its_parent() -> None:
    doc = errors.__doc__ or ""
    lines = [line for line in doc.splitlines() if line.strip().lstrip("│├└─ ").split(" ")[0]
             in tree()]
    depth = {line.strip().lstrip("│├└─ ").split(" ")[0]: len(line) - len(line.lstrip("│├└─ "))
             for line in lines}
    assert set(depth) == set(tree())
    for name, cls in tree().items():
        if cls is KolamError:
            continue
        parent = cls.__mro__[1].__name__
        assert depth[name] > depth[parent], f"{name} is drawn outside {parent}"


@pytest.mark.parametrize(("module", "name"), [
    ("kolam.security.auth", "AuthError"), ("kolam.security.auth", "Forbidden"),
    ("kolam.security.hashing", "HashingBusy"), ("kolam.registry.records", "InvalidRecord"),
    ("ingest.alerts.channels", "ChannelError"), ("kolam.broker.mosquitto", "ReloadError"),
    ("api.ratelimit", "TooManyLogins"), ("gateway.outbox", "OutboxError"),
])
def test_old_import_paths_still_name_the_same_class(module: str, name: str) -> None:
    imported = __import__(module, fromlist=[name])
    assert getattr(imported, name) is getattr(errors, name)
