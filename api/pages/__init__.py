"""The dashboard: server-rendered pages served by the API process (see docs/dashboard.md).

``install(app)`` mounts ``/static``, adds the page routers and makes the app's error
handlers answer pages with HTML (a login redirect, a 403 or 404 page) while API paths
keep their JSON errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.pages import (
    alerts,
    business,  # umkm (issue #20)
    care,
    corrections,
    cycle_forms,
    kiosk,
    live,
    login,
    members,
    national,
    outputs,
    overview,
    places,
    pond,
    products,  # products page (issue #20)
    roster,
    sales,  # product sales from the book and the kiosk (issue #20)
    team_records,
    teams,
)
from api.pages.render import page
from api.pages.session import LoginRequired, login_url
from kolam.errors import NotFound
from kolam.security.auth import AuthError, Forbidden

STATIC_DIR = Path(__file__).parent.parent / "static"
NOT_PAGES = ("/api/", "/healthz", "/metrics", "/docs", "/openapi", "/redoc", "/static/")

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def _html_errors(app: FastAPI, exc_class: type[Exception], status: int, key: str) -> None:
    api_handler: Handler | None = app.exception_handlers.get(exc_class)

    async def handle(request: Request, exc: Exception) -> Response:
        if not is_page(request) and api_handler is not None:
            result = api_handler(request, exc)
            return await result if isinstance(result, Awaitable) else result
        if isinstance(exc, AuthError):
            return RedirectResponse(login_url(request.url.path), status_code=303)
        return page(request, "error.html", status_code=status, title_key=key,
                    message=str(exc))

    app.add_exception_handler(exc_class, handle)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if request.url.path.startswith("/live/") or request.url.path.endswith(".json"):
        return Response("login required", status_code=401)
    return RedirectResponse(login_url(exc.next_url), status_code=303)


def install(app: FastAPI) -> None:
    """Add the pages to an app built by ``api.app.create_app`` (after its handlers)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (login, overview, kiosk, pond, alerts, teams, team_records, corrections,
                   places, live, outputs, national, roster, members, cycle_forms,
                   business, products, sales):
        app.include_router(module.router)
    app.include_router(care.router)
    app.add_exception_handler(LoginRequired, _login_required)
    _html_errors(app, NotFound, 404, "not_found")
    _html_errors(app, Forbidden, 403, "forbidden")
    _html_errors(app, AuthError, 401, "login")
