"""``/login``, ``/logout`` and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import i18n
from api.pages.render import page
from api.pages.session import (
    SessionsDep,
    check_csrf,
    login_csrf_ok,
    login_csrf_token,
    login_nonce,
    set_login_nonce,
)
from api.ratelimit import TooManyLogins, check_login, login_failed, login_succeeded
from kolam.security.auth import AuthError

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this server: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    nonce = login_nonce(request)
    response = page(request, "login.html", status_code=status_code,
                    login_csrf=login_csrf_token(request, nonce), **extra)
    set_login_nonce(request, response, nonce)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next=safe_next(next), error=None)


@router.post("/login")
def login(request: Request, sessions: SessionsDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
          csrf: Annotated[str, Form()] = "") -> Response:
    if not login_csrf_ok(request, csrf):
        # Not from our own form in this browser: another site logging the visitor in
        # under its own account (login CSRF), or a form left open past the cookie.
        return _login_page(request, status_code=403, next=safe_next(next),
                           error="login_expired", username=username)
    try:
        check_login(request, username)
    except TooManyLogins as exc:
        locked = _login_page(request, status_code=429, next=safe_next(next),
                             error="login_locked", username=username)
        locked.headers["Retry-After"] = str(exc.retry_after_s)
        return locked
    try:
        user = sessions.users.authenticate(username.strip(), password)
    except AuthError:
        login_failed(request, username, "page")
        return _login_page(request, status_code=401, next=safe_next(next),
                           error="login_failed", username=username)
    login_succeeded(request, user.username, "page")
    response = RedirectResponse(safe_next(next), status_code=303)
    sessions.start(request, response, user)
    return response


@router.post("/logout")
def logout(request: Request, sessions: SessionsDep, csrf: Annotated[str, Form()] = "",
           everywhere: Annotated[bool, Form()] = False) -> Response:
    check_csrf(request, csrf)
    response = RedirectResponse("/login", status_code=303)
    sessions.end(request, response, everywhere=everywhere)
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in i18n.LANGS:
        response.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax",
                            path="/")
    return response
