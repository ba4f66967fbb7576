"""Page logins: the API's own signed token, carried in an HttpOnly cookie.

The cookie holds the same JWT that ``POST /api/v1/auth/token`` returns, so a page sees
exactly the user, role and sites the API would. ``SameSite=Lax`` keeps the cookie off
cross-site form posts, and every page form carries a CSRF token derived from the session
(an HMAC of it), checked on each POST.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response

from api.auth import ALL_ROLES, LOGGERS, STAFF, WRITERS
from kolam.auth import AuthError, Forbidden, Principal, Role, issue_token, token_subject
from kolam.errors import NotFound

SESSION_COOKIE = "kolam_session"


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to ``/login``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def start_session(request: Request, response: Response, username: str) -> None:
    config = request.app.state.config
    token = issue_token(username, request.app.state.secret_key, config.token_ttl_s,
                        int(time.time()))
    response.set_cookie(SESSION_COOKIE, token, max_age=config.token_ttl_s, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_token(request: Request) -> str:
    session = request.cookies.get(SESSION_COOKIE, "")
    key = request.app.state.secret_key.encode()
    return hmac.new(key, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, token: str) -> None:
    if not hmac.compare_digest(csrf_token(request), token or ""):
        raise Forbidden("the form expired or came from another site: reload the page")


def page_user(request: Request) -> Principal:
    """The logged-in user, read from the registry at every request like the API does."""
    token = request.cookies.get(SESSION_COOKIE)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise LoginRequired(target)
    try:
        username = token_subject(token, request.app.state.secret_key)
        principal: Principal = request.app.state.users.get(username)
    except (AuthError, NotFound) as exc:
        raise LoginRequired(target) from exc
    request.state.user = principal
    return principal


PageUser = Annotated[Principal, Depends(page_user)]


def check_role(user: Principal, roles: frozenset[Role]) -> None:
    if user.role not in roles:
        raise Forbidden(f"a {user.role.value} user may not open this page")


def page_site(roles: frozenset[Role]) -> Callable[[str, Principal], Principal]:
    """Like ``api.auth.site_access``: the role is allowed and the ``{site}`` is the user's."""

    def check(site: str, user: PageUser) -> Principal:
        check_role(user, roles)
        if not user.can_see(site):
            raise Forbidden(f"user {user.username!r} has no access to site {site!r}")
        return user

    return check


SiteViewer = Annotated[Principal, Depends(page_site(ALL_ROLES))]
SiteStaffPage = Annotated[Principal, Depends(page_site(STAFF))]
SiteWriterPage = Annotated[Principal, Depends(page_site(WRITERS))]
SiteLoggerPage = Annotated[Principal, Depends(page_site(LOGGERS))]


def user_sites(request: Request, user: Principal) -> list[str]:
    """The slugs of every site the user may see."""
    only = None if user.all_sites else user.sites
    return [s.slug for s in request.app.state.registry.sites(only)]
