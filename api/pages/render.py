"""Rendering pages and fragments: one Jinja2 environment with the i18n helpers."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from api import fmt, i18n
from api.auth import SESSION_COOKIE
from api.pages.session import csrf_token
from kolam.timeutil import WIB, from_ms, now_ms


def month_wib() -> str:
    """This month (``2026-12``), for the monthly report's link."""
    return from_ms(now_ms()).astimezone(WIB).strftime("%Y-%m")

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.globals.update(num=i18n.num, reading=i18n.reading, label=i18n.label,
                             wib=i18n.wib, ago=i18n.ago, rupiah=fmt.rupiah)
fmt.install(templates.env)


def context(request: Request, **extra: Any) -> dict[str, Any]:
    """What every template may use: language, words, the user, the CSRF token, now."""
    lang = i18n.lang_of(request)
    user = getattr(request.state, "user", None)
    sites = sorted(user.sites) if user is not None and len(user.sites) <= 3 else []
    return {"lang": lang, "user": user, "user_sites": sites, "_": partial(i18n.t, lang),
            "_n": partial(i18n.tn, lang),
            "now": now_ms(),
            "csrf": csrf_token(request) if request.cookies.get(SESSION_COOKIE) else "",
            "path": request.url.path, "month": month_wib(),
            # The registry from app.state, not a dependency: page() and fragment() are
            # called by helpers and live renderers, with no route parameter to take it from.
            "names": fmt.Names(getattr(request.app.state, "registry", None)), **extra}


def page(request: Request, name: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    ctx = context(request, **extra)
    return templates.TemplateResponse(request, f"pages/{name}", ctx, status_code=status_code)


def fragment(request: Request, name: str, **extra: Any) -> str:
    """A template rendered to text, for live updates."""
    return templates.env.get_template(f"pages/{name}").render(context(request, **extra))
