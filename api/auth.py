"""Authentication and authorisation as FastAPI dependencies.

Every route but ``/healthz`` depends on ``CurrentUser`` (a bearer token from
``POST /api/v1/auth/token`` or an ``X-API-Key``). Routes under ``/api/v1/sites/{site}``
use one of the ``Site*`` aliases, which also check the role and that the user may see
that site: 401 without valid credentials, 403 for the wrong role or another site.
Routes about users check ``Principal.may_act_on`` for the user they touch; what belongs
to no site (``/metrics``) is for an admin of every site (``global_admin``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from kolam.config import KolamConfig
from kolam.security.auth import (
    API_KEY_PREFIX,
    AuthError,
    Forbidden,
    Principal,
    Role,
    TokenClaims,
    read_token,
)

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret
SESSION_COOKIE = "kolam_session"
"""The pages' login cookie (``api.pages.session``); the API reads it for GET only."""
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False,
                        description="A key made with `kolam users key USERNAME`")


def current_user(request: Request, token: Annotated[str | None, Security(_bearer)],
                 key: Annotated[str | None, Security(_api_key)]) -> Principal:
    users = request.app.state.users
    if token and token.startswith(API_KEY_PREFIX):
        # An API key as a bearer credential: what Prometheus' `authorization` block sends.
        key, token = token, None
    if key:
        principal: Principal = users.by_api_key(key)
        return principal
    if token:
        by_token: Principal = users.by_token(read_token(token, request.app.state.secret_key))
        return by_token
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and request.method in ("GET", "HEAD"):
        # A logged-in browser opening a printable page (skill record, monthly report) or a
        # download: reads only, so a cross-site link can make it do nothing (issue #17).
        by_cookie: Principal = users.by_token(read_token(cookie,
                                                         request.app.state.secret_key))
        return by_cookie
    raise AuthError(f"authentication required: log in with POST {TOKEN_URL} and send "
                    "'Authorization: Bearer <token>', or send an X-API-Key header")


CurrentUser = Annotated[Principal, Depends(current_user)]


def current_login(request: Request, token: Annotated[str | None, Security(_bearer)]
                  ) -> TokenClaims:
    """The claims of a bearer token that is still valid (for logging out)."""
    if not token or token.startswith(API_KEY_PREFIX):
        raise AuthError("log out needs the login's bearer token (API keys are revoked, "
                        "not logged out)")
    claims = read_token(token, request.app.state.secret_key)
    request.app.state.users.by_token(claims)
    return claims


CurrentLogin = Annotated[TokenClaims, Depends(current_login)]

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.OFFICER, Role.DINAS})
"""May read people-related records (names only for admin and officer)."""
WRITERS = frozenset({Role.ADMIN, Role.OFFICER})
LOGGERS = frozenset({Role.ADMIN, Role.OFFICER, Role.KIOSK})
"""May add daily logs (the kiosk only a few kinds)."""
BOOK_READERS = frozenset({Role.ADMIN, Role.OFFICER, Role.DINAS, Role.TRAINER})
"""May read a team's cash book and stock (issue #20); members by alias unless names are
theirs to see."""
BOOKKEEPERS = frozenset({Role.ADMIN, Role.OFFICER, Role.TRAINER})
"""May write a team's cash book and stock card: the staff and the UMKM trainers."""


def ack_roles(config: KolamConfig) -> frozenset[Role]:
    """Who may acknowledge an alert (which stops its escalation): the site's staff, the
    Dinas only when ``alerts.dinas_may_acknowledge`` says so."""
    return STAFF if config.alerts.dinas_may_acknowledge else WRITERS


def check_may_acknowledge(user: Principal, config: KolamConfig) -> None:
    if user.role not in ack_roles(config):
        raise Forbidden(f"a {user.role.value} user may not acknowledge alerts (the staff on "
                        "site do; alerts.dinas_may_acknowledge lets the Dinas)")


def _check_role(user: Principal, roles: frozenset[Role]) -> None:
    if user.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Forbidden(f"a {user.role.value} user may not do this (allowed: {allowed})")


def site_access(roles: frozenset[Role]) -> Callable[[str, Principal], Principal]:
    """A dependency: the user has one of ``roles`` and may see the ``{site}`` of the path."""

    def check(site: str, user: CurrentUser) -> Principal:
        _check_role(user, roles)
        if not user.can_see(site):
            raise Forbidden(f"user {user.username!r} has no access to site {site!r}")
        return user

    return check


def role_access(roles: frozenset[Role]) -> Callable[[Principal], Principal]:
    def check(user: CurrentUser) -> Principal:
        _check_role(user, roles)
        return user

    return check


SiteUser = Annotated[Principal, Depends(site_access(ALL_ROLES))]
SiteStaff = Annotated[Principal, Depends(site_access(STAFF))]
SiteWriter = Annotated[Principal, Depends(site_access(WRITERS))]
SiteLogger = Annotated[Principal, Depends(site_access(LOGGERS))]
SiteBookReader = Annotated[Principal, Depends(site_access(BOOK_READERS))]
SiteBookkeeper = Annotated[Principal, Depends(site_access(BOOKKEEPERS))]
AdminUser = Annotated[Principal, Depends(role_access(frozenset({Role.ADMIN})))]


def global_admin(user: AdminUser) -> Principal:
    """The admin is one of every site (not scoped to some)."""
    if not user.all_sites:
        raise Forbidden(f"only an admin of every site may do this; {user.username!r} is an "
                        f"admin of {', '.join(sorted(user.sites))}")
    return user


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def metrics_access(request: Request, token: Annotated[str | None, Security(_bearer)],
                   key: Annotated[str | None, Security(_api_key)]) -> None:
    """``/metrics``: open to a scraper on this machine, else a global admin's login or API
    key (the counts cover every site)."""
    if request.client is not None and request.client.host in LOOPBACK:
        return
    user = current_user(request, token, key)
    _check_role(user, frozenset({Role.ADMIN}))
    global_admin(user)
