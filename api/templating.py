"""Jinja2 templates for the printable pages (skill record, monthly report).

Bilingual and Indonesian first: numbers, money and dates the Indonesian way, by the same
filters as the pages (``api.fmt``).
"""

from __future__ import annotations

from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api import fmt, i18n
from kolam.timeutil import from_ms

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
fmt.install(templates.env)


def _local_date(value: int | None, tz: tzinfo) -> str:
    """A date in a site's zone (the monthly report's period): ``24/11/2026``."""
    return from_ms(value).astimezone(tz).strftime("%d/%m/%Y") if value is not None else "—"


templates.env.filters.update(local_date=_local_date)
templates.env.globals.update(
    id_=partial(i18n.t, "id"), en_=partial(i18n.t, "en"), idn=partial(i18n.tn, "id"),
    enn=partial(i18n.tn, "en"))


def render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    names = fmt.Names(getattr(request.app.state, "registry", None))
    return templates.TemplateResponse(request, name, {"lang": "id", "names": names, **context})
