"""Jinja2 templates for the printable pages (skill record, monthly report)."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kolam.timeutil import WIB, from_ms

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def _wib_date(value: int | None) -> str:
    return from_ms(value).astimezone(WIB).strftime("%d-%m-%Y") if value is not None else "—"


def _local_date(value: int | None, tz: tzinfo) -> str:
    """A date in a site's zone (the monthly report's period)."""
    return from_ms(value).astimezone(tz).strftime("%d-%m-%Y") if value is not None else "—"


def zone_name(tz: tzinfo, at_ms: int) -> str:
    """What the zone is called at that moment: WIB, WITA, WIT (else its UTC offset)."""
    return from_ms(at_ms).astimezone(tz).tzname() or "UTC"


def _rupiah(value: float | None) -> str:
    # Indonesian grouping: Rp 1.250.000
    return "—" if value is None else "Rp " + f"{value:,.0f}".replace(",", ".")


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}".replace(",", " ")


templates.env.filters.update(wib_date=_wib_date, local_date=_local_date, rupiah=_rupiah,
                             num=_num)


def render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)
