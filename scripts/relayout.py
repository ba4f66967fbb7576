#!/usr/bin/env python3
"""Issue 16, item 1: move the alert engine into ``ingest/alerts/`` and group the core's
flat root by concept, then rewrite every reference to the old module paths.

Run from a repository root (``python scripts/relayout.py``; ``--dry-run`` only prints).
It is idempotent: a second run finds nothing to move and nothing to rewrite. It works by
pattern, not by a list of files, so files it has never seen (new modules and tests that
import the old paths) are rewritten too:

1. ``git mv`` every module in :data:`MODULE_MOVES`, and the tests that mirror them
   (``tests/kolam/test_<module>*.py`` by name; ``tests/kolam/alerts/*.py`` that test the
   engine, by name or by what they import);
2. creates the new packages' ``__init__.py``;
3. rewrites, in every tracked or new text file (Python, Markdown, TOML, Makefile, ...):
   ``import`` and ``from ... import`` statements (parsed with :mod:`ast`, including
   ``from kolam import kpi`` and names that moved on their own, such as ``DEFAULT_RULES``),
   dotted module paths in code, strings and prose (mock targets, logger names,
   ``kolam.alerts.engine.AlertEngine``), and file paths (``kolam/kpi.py``,
   ``tests/kolam/test_kpi.py``);
4. declares the engine's modules strict for mypy (the core's modules already are);
5. sorts the imports of the rewritten Python files with ``ruff check --fix --select I``.

No compatibility modules are left at the old paths: nothing outside this repository
imports Kolam's modules (the ``kolam`` console script points at ``kolam.cli``, which
stays), and amqtt's plugin paths are strings in ``kolam/broker/embedded.py``, rewritten here.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

_ENGINE = ("engine", "pipeline", "notifier", "channels", "phone_channels", "outbox", "routing",
           "rules",
           "condition", "signals", "health", "manual", "state", "ammonia")

MODULE_MOVES: dict[str, str] = {
    # The alert engine and its delivery belong to ingest; kolam/alerts/ keeps the
    # vocabulary the API shares (model, defaults, messages, forecast, night_fit,
    # forecast_replay).
    **{f"kolam.alerts.{m}": f"ingest.alerts.{m}" for m in _ENGINE},
    # The MQTT broker: the embedded amqtt broker and the access model of both brokers.
    "kolam.broker": "kolam.broker.embedded",
    "kolam.broker_core": "kolam.broker.core",
    "kolam.broker_acl": "kolam.broker.acl",
    "kolam.broker_config": "kolam.broker.mosquitto",
    "kolam.broker_passwd": "kolam.broker.passwd",
    # Farming records turned into numbers and reports.
    "kolam.kpi": "kolam.farming.kpi",
    "kolam.growth": "kolam.farming.growth",
    "kolam.monthly": "kolam.farming.monthly",
    "kolam.water": "kolam.farming.water",
    "kolam.skills": "kolam.farming.skills",
    "kolam.bounds": "kolam.farming.bounds",
    "kolam.demo_data": "kolam.farming.demo_data",
    "kolam.plausible": "kolam.farming.plausible",
    # The science: water chemistry, derived metrics, the sun.
    "kolam.chemistry": "kolam.science.chemistry",
    "kolam.derive": "kolam.science.derive",
    "kolam.sun": "kolam.science.sun",
    # Who may do what and what stays secret.
    "kolam.auth": "kolam.security.auth",
    "kolam.hashing": "kolam.security.hashing",
    "kolam.strength": "kolam.security.strength",
    "kolam.redact": "kolam.security.redact",
    "kolam.files": "kolam.security.files",
    # What every service process is built from.
    "kolam.logs": "kolam.runtime.logs",
    "kolam.shutdown": "kolam.runtime.shutdown",
    "kolam.retry": "kolam.runtime.retry",
    "kolam.inbox": "kolam.runtime.inbox",
    "kolam.deadletter": "kolam.runtime.deadletter",
    # Copying history between the store's backends.
    "kolam.transfer": "kolam.store.transfer",
}
"""Old module path → new module path. The root keeps what every package uses: ``cli``,
``config``, ``errors``, ``protocol``, ``catalogue``, ``timeutil`` (and ``demo``, a command)."""

NAME_MOVES: dict[tuple[str, str], str] = {
    # Re-exported by kolam/alerts/__init__ before the move; now by ingest/alerts/__init__.
    ("kolam.alerts", "AlertEngine"): "ingest.alerts",
    ("kolam.alerts", "AlertPipeline"): "ingest.alerts",
    ("kolam.alerts", "RuleBook"): "ingest.alerts",
    # Vocabulary split from the engine's modules before the move.
    ("kolam.alerts.rules", "DEFAULT_RULES"): "kolam.alerts.defaults",
    ("kolam.alerts.engine", "PondState"): "ingest.alerts.state",
}
"""(old module, name) → the module the name is imported from now."""

PACKAGES: dict[str, str] = {
    "ingest/alerts/__init__.py": '''\
"""Ingest's alert engine and its delivery: rules evaluated per pond on event time
(``engine``, ``rules``, ``condition``, ``signals``, ``health``, ``manual``), a durable outbox
(``outbox``, ``routing``) and the notifier with its channels (``notifier``, ``channels``),
wired together by ``pipeline``. The vocabulary it shares with the API is in kolam/alerts/.

See docs/alerts.md.
"""

from ingest.alerts.engine import AlertEngine
from ingest.alerts.pipeline import AlertPipeline
from ingest.alerts.rules import RuleBook

__all__ = ["AlertEngine", "AlertPipeline", "RuleBook"]
''',
    "kolam/broker/__init__.py": '''\
"""The MQTT broker's side of Kolam: the embedded amqtt broker for one-machine use
(``embedded``, with the checks amqtt leaves out in ``core``) and the access model both
brokers enforce: topics (``acl``), passwords (``passwd``) and Mosquitto's files
(``mosquitto``, written by ``kolam broker-config``)."""
''',
    "kolam/farming/__init__.py": '''\
"""Grow-out records turned into numbers: the KPIs (``kpi``, ``growth``, ``water``), the
monthly report (``monthly``), a trainee's skill record (``skills``), the bounds of what a
person types (``bounds``) and the demo's fictional records (``demo_data``)."""
''',
    "kolam/science/__init__.py": '''\
"""The science Kolam computes with, each source cited beside its formula: water chemistry
(``chemistry``), the metrics derived from a sample (``derive``) and the sun (``sun``)."""
''',
    "kolam/security/__init__.py": '''\
"""Who may do what and what stays secret: roles, logins and API keys (``auth``), password
hashing (``hashing``) and strength (``strength``), files only Kolam may read (``files``)
and credentials cut out of error text (``redact``)."""
''',
    "kolam/runtime/__init__.py": '''\
"""What every service process is built from: logging (``logs``), stopping on a signal
(``shutdown``), retrying transient errors (``retry``), the hand-over from the MQTT thread
to a worker (``inbox``) and dead letters (``deadletter``)."""
''',
}

TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".yml", ".yaml", ".sh",
                 ".rst", ".mako", ".pyi"}
TEXT_NAMES = {"Makefile", "Dockerfile"}


def _path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def _children() -> dict[str, set[str]]:
    """Old modules that became packages of the same name, with their new submodules:
    ``kolam.broker.acl`` is new, ``kolam.broker.WatchedFile`` is old."""
    out: dict[str, set[str]] = {}
    for old in MODULE_MOVES:
        for new in MODULE_MOVES.values():
            if new.startswith(old + "."):
                out.setdefault(old, set()).add(new[len(old) + 1:].split(".")[0])
    return out


CHILDREN = _children()


def map_module(name: str) -> str:
    """The new dotted path of a module (or of a name inside one)."""
    for old in sorted(MODULE_MOVES, key=len, reverse=True):
        if name == old or name.startswith(old + "."):
            rest = name[len(old):]
            kids = CHILDREN.get(old)
            if kids and rest and rest[1:].split(".")[0] in kids:
                return name  # already new: kolam.broker.acl
            return MODULE_MOVES[old] + rest
    return name


# --------------------------------------------------------------- import statements

def _alias(name: str, asname: str | None) -> str:
    return f"{name} as {asname}" if asname else name


def rewrite_import(node: ast.Import | ast.ImportFrom, source: str) -> str | None:
    """The statement's new text (``source`` is its old text), or None when it names no
    old path. Where only the module changes, only the module is replaced, so the
    statement's layout and comments stay as they were."""
    if isinstance(node, ast.Import):
        new = source
        for a in node.names:
            target = map_module(a.name)
            if target != a.name:
                new = re.sub(rf"(?<![\w.]){re.escape(a.name)}(?![\w.])", target, new, count=1)
        return None if new == source else new
    if node.level or node.module is None:
        return None
    module = node.module
    kids = CHILDREN.get(module, set())
    groups: dict[str, list[str]] = {}
    same_names = True
    for a in node.names:
        full = f"{module}.{a.name}"
        text = _alias(a.name, a.asname)
        if full in MODULE_MOVES:  # from kolam import kpi: a module imported by name
            target, _, leaf = MODULE_MOVES[full].rpartition(".")
            new_text = _alias(leaf, a.asname or (a.name if leaf != a.name else None))
            same_names &= new_text == text
            text = new_text
        elif (module, a.name) in NAME_MOVES:
            target = NAME_MOVES[(module, a.name)]
        elif a.name in kids:
            target = module
        else:
            target = map_module(module)
        groups.setdefault(target, []).append(text)
    if list(groups) == [module] and same_names:
        return None
    if len(groups) == 1 and same_names:
        (target,) = groups
        return re.sub(rf"(?<![\w.]){re.escape(module)}(?![\w.])", target, source, count=1)
    lines = [f"from {target} import {', '.join(names)}" for target, names in groups.items()]
    return ("\n" + " " * node.col_offset).join(lines)


def _offsets(text: str) -> list[int]:
    starts, pos = [0], 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def rewrite_python(text: str, prose: Callable[[str], str]) -> str:
    """Imports by AST; everything between them (code, strings, comments) by ``prose``."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return prose(text)
    starts = _offsets(text)
    spans: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            assert node.end_lineno is not None
            assert node.end_col_offset is not None
            a = starts[node.lineno - 1] + _col(text, starts, node.lineno, node.col_offset)
            b = starts[node.end_lineno - 1] + _col(text, starts, node.end_lineno,
                                                   node.end_col_offset)
            new = rewrite_import(node, text[a:b])
            spans.append((a, b, text[a:b] if new is None else new))
    spans.sort()
    out, pos = [], 0
    for a, b, new in spans:
        out.append(prose(text[pos:a]))
        out.append(new)
        pos = b
    out.append(prose(text[pos:]))
    return "".join(out)


def _col(text: str, starts: list[int], lineno: int, col: int) -> int:
    """ast's column offsets count UTF-8 bytes; turn one into a character count."""
    line = text[starts[lineno - 1]:starts[lineno]]
    return len(line.encode()[:col].decode(errors="ignore"))


_IMPORT_LINE = re.compile(r"^(\s*(?:>>> )?)((?:from|import)\s+[\w.]+.*?)(\s*(?:#.*)?)$")


def rewrite_doc_line(line: str, prose: Callable[[str], str]) -> str:
    """An import statement in a code block (Markdown, shell) by AST; the rest as prose."""
    body = line.rstrip("\r\n")
    m = _IMPORT_LINE.match(body)
    if m:
        try:
            tree = ast.parse(m.group(2))
        except SyntaxError:
            tree = None
        if tree is not None and len(tree.body) == 1 and isinstance(
                tree.body[0], ast.Import | ast.ImportFrom):
            new = rewrite_import(tree.body[0], m.group(2))
            if new is None:
                return line
            end = line[len(body):]
            return m.group(1) + new.replace("\n", "\n" + m.group(1)) + m.group(3) + end
    return prose(line)


# ------------------------------------------------------------------------ prose

def _prose_rules(root: Path) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []
    for (module, name), target in NAME_MOVES.items():
        pat = re.compile(rf"(?<![\w.]){re.escape(module)}\.{re.escape(name)}(?!\w)")
        rules.append((pat, lambda m, t=target, n=name: f"{t}.{n}"))
    for old in sorted(MODULE_MOVES, key=len, reverse=True):
        kids = CHILDREN.get(old)
        # An old module that is now a package: rewrite only kolam.broker.<old attribute>.
        tail = rf"(?=\.)(?!\.(?:{'|'.join(sorted(kids))})(?!\w))" if kids else r"(?!\w)"
        pat = re.compile(rf"(?<![\w.]){re.escape(old)}{tail}")
        rules.append((pat, lambda m, new=MODULE_MOVES[old]: new))
        new_path = _path(MODULE_MOVES[old])
        rules.append((re.compile(rf"(?<![\w./-]){re.escape(_path(old))}(?!\w)"),
                      lambda m, new=new_path: new))
    rules.append((re.compile(r"(?<![\w./-])tests/kolam/(test_\w+\.py)(?!\w)"),
                  lambda m: test_target(Path("tests/kolam") / m.group(1)).as_posix()))
    rules.append((re.compile(r"(?<![\w./-])tests/kolam/alerts/(test_\w+\.py)(?!\w)"),
                  lambda m: _moved_alert_test(root, m.group(0), m.group(1))))
    return rules


def _moved_alert_test(root: Path, old: str, name: str) -> str:
    new = f"tests/ingest/alerts/{name}"
    return new if (root / new).exists() and not (root / old).exists() else old


def make_prose(root: Path) -> Callable[[str], str]:
    rules = _prose_rules(root)

    def prose(text: str) -> str:
        for pat, repl in rules:
            text = pat.sub(repl, text)
        return text

    return prose


# ------------------------------------------------------------------------ moves

def test_target(path: Path) -> Path:
    """tests/kolam/test_<old module>[_more].py → the new module's test directory."""
    stem = path.stem.removeprefix("test_")
    best = ""
    for old in MODULE_MOVES:
        parent, _, leaf = old.rpartition(".")
        if parent == "kolam" and (stem == leaf or stem.startswith(leaf + "_")) \
                and len(leaf) > len(best):
            best = leaf
    if not best:
        return path
    new = MODULE_MOVES[f"kolam.{best}"]
    parent, _, leaf = new.rpartition(".")
    return Path("tests", *parent.split(".")) / f"test_{leaf}{stem[len(best):]}.py"


def _engine_test(path: Path) -> bool:
    """A test in tests/kolam/alerts/ that exercises the engine (not the vocabulary)."""
    stem = path.stem.removeprefix("test_")
    if any(stem == m or stem.startswith(m + "_") for m in _ENGINE):
        return True
    text = path.read_text(encoding="utf-8")
    engine = "|".join(_ENGINE)
    return bool(re.search(rf"\b(?:kolam|ingest)\.alerts\.(?:{engine})\b", text)
                or re.search(r"\bingest\.alerts\b", text)
                or re.search(r"from kolam\.alerts import [^\n]*\b(?:AlertEngine|AlertPipeline"
                             r"|RuleBook)\b", text))


def git_mv(root: Path, src: Path, dst: Path, dry: bool, log: list[str]) -> None:
    if not (root / src).exists():
        return
    if (root / dst).exists():
        log.append(f"! both {src} and {dst} exist: left as they are, merge them by hand")
        return
    log.append(f"git mv {src} {dst}")
    if not dry:
        (root / dst).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "mv", str(src), str(dst)], cwd=root, check=True)


def move_files(root: Path, dry: bool, log: list[str]) -> None:
    for old, new in MODULE_MOVES.items():
        git_mv(root, Path(_path(old)), Path(_path(new)), dry, log)
    for test in sorted((root / "tests/kolam").glob("test_*.py")):
        rel = test.relative_to(root)
        target = test_target(rel)
        if target != rel:
            git_mv(root, rel, target, dry, log)
    alerts = root / "tests/kolam/alerts"
    if alerts.is_dir():
        for test in sorted(alerts.glob("*.py")):
            if _engine_test(test):
                rel = test.relative_to(root)
                git_mv(root, rel, Path("tests/ingest/alerts") / test.name, dry, log)


def make_packages(root: Path, dry: bool, log: list[str]) -> None:
    for rel, text in PACKAGES.items():
        path = root / rel
        if not path.exists() and any(path.parent.glob("*.py")):
            log.append(f"create {rel}")
            if not dry:
                path.write_text(text, encoding="utf-8")
                subprocess.run(["git", "add", rel], cwd=root, check=True)


# ---------------------------------------------------------------------- rewrite

def text_files(root: Path) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                         check=True, capture_output=True, text=True).stdout
    me = Path(__file__).resolve()
    files = []
    for name in sorted(set(out.split("\0"))):
        path = root / name
        if not name or not path.is_file() or path.resolve() == me:
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            files.append(path)
    return files


def rewrite_files(root: Path, dry: bool, log: list[str]) -> list[Path]:
    prose = make_prose(root)
    changed = []
    for path in text_files(root):
        try:
            old = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix in {".py", ".pyi"}:
            new = rewrite_python(old, prose)
        else:
            new = "".join(rewrite_doc_line(line, prose)
                          for line in old.splitlines(keepends=True))
        if new != old:
            n = sum(1 for d in difflib.ndiff(old.splitlines(), new.splitlines())
                    if d.startswith("- "))
            log.append(f"rewrite {path.relative_to(root)} ({n} lines)")
            if path.suffix == ".py":
                before = set(old.splitlines())
                log += [f"! {path.relative_to(root)}:{i}: over 100 characters now, rewrap it"
                        for i, line in enumerate(new.splitlines(), 1)
                        if len(line) > 100 and line not in before]
            changed.append(path)
            if not dry:
                path.write_text(new, encoding="utf-8")
    return changed


def mypy_strict(root: Path, dry: bool, log: list[str]) -> None:
    """The engine was strict under kolam.*; keep it strict under ingest.alerts.*."""
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    if "ingest.alerts" in text or re.search(r"(?m)^\[tool\.mypy\][^\[]*^strict\s*=\s*true",
                                            text):
        return
    new = text.replace('module = ["kolam.*"]', 'module = ["kolam.*", "ingest.alerts.*"]', 1)
    if new == text:
        log.append("! pyproject.toml: no mypy override for kolam.*; make ingest.alerts.* "
                   "strict by hand")
        return
    log.append('pyproject.toml: mypy strict for "ingest.alerts.*"')
    if not dry:
        path.write_text(new, encoding="utf-8")


def sort_imports(root: Path, files: list[Path], log: list[str]) -> None:
    py = [str(p.relative_to(root)) for p in files if p.suffix == ".py"]
    ruff = Path(sys.executable).with_name("ruff")
    exe = str(ruff) if ruff.exists() else shutil.which("ruff")
    if not py:
        return
    if exe is None:
        log.append("! ruff not found: run `ruff check --fix --select I .`")
        return
    subprocess.run([exe, "check", "--fix", "--select", "I", "--quiet", "--exit-zero", *py],
                   cwd=root, check=True)
    log.append(f"ruff --fix --select I on {len(py)} rewritten Python files")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, change nothing")
    args = parser.parse_args(argv)
    root = Path.cwd()
    if not (root / "kolam").is_dir() or not (root / "ingest").is_dir():
        print("run from the repository root", file=sys.stderr)
        return 2
    log: list[str] = []
    move_files(root, args.dry_run, log)
    make_packages(root, args.dry_run, log)
    changed = rewrite_files(root, args.dry_run, log)
    mypy_strict(root, args.dry_run, log)
    if not args.dry_run:
        sort_imports(root, changed, log)
    print("\n".join(log) if log else "relayout: nothing to do (already laid out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
