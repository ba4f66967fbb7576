"""Every phrase the pages ask for exists in both languages: a missing key fails here,
not as a raw key shown to a trainee (issue #17)."""

from __future__ import annotations

import re
from pathlib import Path

from api.i18n import WORDS, error_text
from kolam.errors import InvalidRecord

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "api" / "templates" / "pages"
LITERAL = re.compile(r"""\b_\(\s*['"]([a-z0-9_]+)['"]\s*[,)]""")
ERROR_KEY = re.compile(r'\bkey="([a-z0-9_]+)"')
FIELD = re.compile(r'''(?:number|date_wib)\([^)]*?["'](f_[a-z0-9_]+)["']''', re.S)


def test_every_template_phrase_exists() -> None:
    used = {(path.name, key) for path in TEMPLATES.glob("*.html")
            for key in LITERAL.findall(path.read_text(encoding="utf-8"))}
    assert used, "no phrases found: the pattern is wrong"
    assert sorted((name, key) for name, key in used if key not in WORDS) == []


def test_every_error_key_and_form_field_has_a_phrase() -> None:
    sources = [p for d in ("api", "kolam") for p in (ROOT / d).rglob("*.py")]
    keys = {k for p in sources for k in ERROR_KEY.findall(p.read_text(encoding="utf-8"))}
    fields = {k for p in sources for k in FIELD.findall(p.read_text(encoding="utf-8"))}
    assert len(keys) > 20 and len(fields) > 8
    assert sorted(k for k in keys if f"err_{k}" not in WORDS) == []
    assert sorted(k for k in fields if k not in WORDS) == []


def test_a_phrase_that_cannot_be_filled_falls_back_to_the_message() -> None:
    exc = InvalidRecord("dead fish: must be a whole number", key="whole")  # no field
    assert error_text(exc, "id") == "dead fish: must be a whole number"
