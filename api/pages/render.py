"""Rendering pages and fragments: one Jinja2 environment with the i18n helpers."""

from __future__ import annotations

from datetime import tzinfo
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


def month_wib(tz: tzinfo = WIB) -> str:
    """This month (``2026-12``) in the site's zone, for the monthly report's link."""
    return from_ms(now_ms()).astimezone(tz).strftime("%Y-%m")


templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.globals.update(num=i18n.num, reading=i18n.reading, label=i18n.label,
                             ago=i18n.ago, rupiah=fmt.rupiah)
fmt.install(templates.env)


def page_zone(names: fmt.Names, site: object, user: Any) -> tzinfo:
    """The zone a page writes its times in: its site's, else the user's only site's, else
    WIB (a page across sites names each row's site: ``t|datetime(site=a.site)``)."""
    slug = site if isinstance(site, str) else getattr(site, "slug", None)
    if slug is None and user is not None and len(user.sites) == 1 and not user.all_sites:
        slug = next(iter(user.sites))
    return names.zone(slug) if slug else WIB


def context(request: Request, **extra: Any) -> dict[str, Any]:
    """What every template may use: language, words, the user, the CSRF token, now, and
    the page's time zone (``tz``, ``tz_name``, ``tz_iana``: the site record's)."""
    lang = i18n.lang_of(request)
    user = getattr(request.state, "user", None)
    sites = sorted(user.sites) if user is not None and len(user.sites) <= 3 else []
    # The registry from app.state, not a dependency: page() and fragment() are
    # called by helpers and live renderers, with no route parameter to take it from.
    names = fmt.Names(getattr(request.app.state, "registry", None))
    tz = extra.pop("tz", None) or page_zone(names, extra.get("site"), user)
    return {"lang": lang, "user": user, "user_sites": sites, "_": partial(i18n.t, lang),
            "_n": partial(i18n.tn, lang),
            "now": now_ms(),
            "csrf": csrf_token(request) if request.cookies.get(SESSION_COOKIE) else "",
            "path": request.url.path, "month": month_wib(tz), "names": names, "tz": tz,
            "tz_name": fmt.zone_name(tz), "tz_iana": fmt.zone_iana(tz), **extra}


def page(request: Request, name: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    ctx = context(request, **extra)
    return templates.TemplateResponse(request, f"pages/{name}", ctx, status_code=status_code)


def fragment(request: Request, name: str, **extra: Any) -> str:
    """A template rendered to text, for live updates."""
    return templates.env.get_template(f"pages/{name}").render(context(request, **extra))
