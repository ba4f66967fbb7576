"""Page logins: the API's own signed token, carried in an HttpOnly cookie.

The cookie holds the same kind of JWT that ``POST /api/v1/auth/token`` returns, naming a
server-side session, so a page sees exactly the user, role and sites the API would, and
logging out ends the session: the cookie is worthless after it, even replayed.
``SameSite=Lax`` keeps the cookie off cross-site form posts, and every page form carries
a CSRF token derived from the session (an HMAC of it), checked on each POST. The login
form, before any session, carries one derived from a random pre-login cookie, so another
site cannot log a visitor in under the attacker's account (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response

from api.auth import ALL_ROLES, LOGGERS, SESSION_COOKIE, STAFF, WRITERS
from api.deps import ConfigDep, SecretKeyDep, UsersDep
from kolam.registry.repo import Registry
from kolam.security.auth import AuthError, Forbidden, Principal, Role, issue_token, read_token

LOGIN_COOKIE = "kolam_login"
"""A random value set by the login form, before there is a session, for its CSRF token."""
LOGIN_COOKIE_MAX_AGE_S = 3600


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to ``/login``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


class PageSessions:
    """The pages' cookie logins: start, read and end them (a dependency: ``SessionsDep``)."""

    def __init__(self, users: UsersDep, config: ConfigDep, secret: SecretKeyDep) -> None:
        self.users, self.config, self.secret = users, config, secret

    def start(self, request: Request, response: Response, user: Principal) -> None:
        ttl_s = self.config.token_ttl_s
        claims = self.users.start_session(user, ttl_s)
        token = issue_token(claims, self.secret, ttl_s, int(time.time()))
        response.set_cookie(SESSION_COOKIE, token, max_age=ttl_s, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")

    def end(self, request: Request, response: Response, *, everywhere: bool = False) -> None:
        """Log out: end the cookie's session on the server (or, ``everywhere``, every login
        of the user), then drop the cookie."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            try:
                claims = read_token(token, self.secret)
                self.users.by_token(claims)
            except AuthError:
                pass  # already ended or expired: nothing left to end
            else:
                if everywhere:
                    self.users.end_all_logins(claims.username)
                else:
                    self.users.end_session(claims)
        response.delete_cookie(SESSION_COOKIE, path="/")

    def user(self, request: Request) -> Principal:
        """The logged-in user, read from the registry at every request like the API does;
        ``LoginRequired`` without a valid session."""
        token = request.cookies.get(SESSION_COOKIE)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not token:
            raise LoginRequired(target)
        try:
            principal = self.users.by_token(read_token(token, self.secret))
        except AuthError as exc:
            raise LoginRequired(target) from exc
        request.state.user = principal
        return principal


SessionsDep = Annotated[PageSessions, Depends()]


def _hmac(request: Request, purpose: bytes, value: str) -> str:
    # The key from app.state, not SecretKeyDep: csrf_token() is called by render.context
    # for every page, where there is no route parameter to take it from.
    key = request.app.state.secret_key.encode()
    return hmac.new(key, purpose + value.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    return _hmac(request, b"csrf:", request.cookies.get(SESSION_COOKIE, ""))


def check_csrf(request: Request, token: str) -> None:
    if not hmac.compare_digest(csrf_token(request), token or ""):
        raise Forbidden("the form expired or came from another site: reload the page")


def login_nonce(request: Request) -> str:
    """The pre-login cookie's value, or a new one (``set_login_nonce`` sends it)."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def set_login_nonce(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_COOKIE_MAX_AGE_S, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https",
                        path="/login")


def login_csrf_token(request: Request, nonce: str) -> str:
    return _hmac(request, b"login:", nonce)


def login_csrf_ok(request: Request, token: str) -> bool:
    """The login form came from this server's own ``/login`` page, in this browser."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    return nonce is not None and hmac.compare_digest(login_csrf_token(request, nonce),
                                                     token or "")


def page_user(request: Request, sessions: SessionsDep) -> Principal:
    return sessions.user(request)


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


def user_sites(registry: Registry, user: Principal) -> list[str]:
    """The slugs of every site the user may see."""
    only = None if user.all_sites else user.sites
    return [s.slug for s in registry.sites(only)]


def page_staff(user: PageUser) -> Principal:
    """The site's staff or the Dinas, on pages that span sites (the national view)."""
    check_role(user, STAFF)
    return user


PageStaff = Annotated[Principal, Depends(page_staff)]
