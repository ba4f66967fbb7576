"""Users (admin only, except ``/me``), their API keys, and the audit log of members' data.

One rule decides every route that touches a user: ``Principal.may_act_on`` (an admin acts
only on users whose sites are a subset of its own; an admin of every site on anyone).
A site-scoped admin sees only the users it may act on, and only its sites' audit entries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import AdminUser, CurrentUser
from api.deps import UsersDep
from api.public import public, public_of
from kolam.errors import NotFound
from kolam.registry.users import ApiKeyRecord, AuditRecord, Users
from kolam.security.auth import Forbidden, Principal, Role
from kolam.security.strength import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

router = APIRouter(prefix="/api/v1", tags=["users"])


class UserPublic(BaseModel):
    username: str
    role: Role
    sites: list[str] = Field(description="Empty for an admin or dinas user of every site")
    all_sites: bool


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: Role
    sites: list[str] = Field(default_factory=list)
    password: str | None = Field(
        None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
        description=f"At least {MIN_PASSWORD_LENGTH} characters, not a common password, "
                    "not containing the username; a new password ends the user's logins")


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["prometheus"])


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    key: str = Field(description="Shown this once; only a digest is kept")


@public_of(ApiKeyRecord)
class ApiKeyInfo(BaseModel):
    pass


@public_of(AuditRecord)
class AuditPublic(BaseModel):
    pass


def _user(p: Principal) -> UserPublic:
    return UserPublic(username=p.username, role=p.role, sites=sorted(p.sites),
                      all_sites=p.all_sites)


def _key(k: ApiKeyRecord) -> ApiKeyInfo:
    return public(k, ApiKeyInfo)


def _refuse(admin: Principal) -> Forbidden:
    return Forbidden(f"admin {admin.username!r} may only act on users of "
                     f"{', '.join(sorted(admin.sites))}")


def _managed(admin: Principal, users: Users, username: str) -> Principal:
    """The user of that name, if ``admin`` may act on it (403 if not, 404 if none)."""
    target = users.find(username)
    if target is None:
        if not admin.all_sites:
            raise _refuse(admin)  # a site admin learns nothing of names outside its sites
        raise NotFound(f"no user {username!r}")
    if not admin.may_act_on(target):
        raise _refuse(admin)
    return target


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(user: CurrentUser) -> UserPublic:
    return _user(user)


@router.get("/users", response_model=list[UserPublic],
            summary="The users this admin may act on (all, for an admin of every site)")
def list_users(admin: AdminUser, users: UsersDep) -> list[UserPublic]:
    return [_user(p) for p in users.all() if admin.may_act_on(p)]


@router.post("/users", response_model=UserPublic, status_code=201,
             summary="Create a user, or change an existing one's role, sites and password")
def add_user(body: UserCreate, admin: AdminUser, users: UsersDep) -> UserPublic:
    if not admin.may_manage(body.role, frozenset(body.sites)):
        raise _refuse(admin)
    existing = users.find(body.username)
    if existing is not None and not admin.may_act_on(existing):
        raise _refuse(admin)
    p = users.add(body.username, body.role, body.sites, body.password)
    users.audit(admin.username, "update", "user", None, None, f"{p.username} as {p.role}")
    return _user(p)


@router.post("/users/{username}/api-keys", response_model=ApiKeyPublic, status_code=201,
             summary="A new API key acting as this user")
def add_api_key(username: str, body: ApiKeyCreate, admin: AdminUser,
                users: UsersDep) -> ApiKeyPublic:
    _managed(admin, users, username)
    made, key = users.create_api_key(username, body.name)
    users.audit(admin.username, "create", "api_key", made.id, None,
                f"{body.name} for {username}")
    return ApiKeyPublic(id=made.id, name=body.name, key=key)


@router.get("/users/{username}/api-keys", response_model=list[ApiKeyInfo],
            summary="This user's API keys (names and ids, never the keys)")
def list_api_keys(username: str, admin: AdminUser, users: UsersDep) -> list[ApiKeyInfo]:
    _managed(admin, users, username)
    return [_key(k) for k in users.api_keys(username)]


@router.delete("/users/{username}/api-keys/{key_id}", response_model=ApiKeyInfo,
               summary="Revoke an API key: it stops working at once")
def revoke_api_key(username: str, key_id: int, admin: AdminUser,
                   users: UsersDep) -> ApiKeyInfo:
    _managed(admin, users, username)
    k = users.revoke_api_key(username, key_id)
    users.audit(admin.username, "revoke", "api_key", k.id, None, f"{k.name} of {username}")
    return _key(k)


@router.get("/audit", response_model=list[AuditPublic],
            summary="Who read or changed members' data, newest first (a site-scoped admin: "
                    "its sites' entries only)")
def audit_log(admin: AdminUser, users: UsersDep, site: Annotated[str | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0)] = 0) -> list[AuditPublic]:
    if site is not None and not admin.can_see(site):
        raise Forbidden(f"user {admin.username!r} has no access to site {site!r}")
    scope = None if admin.all_sites else admin.sites
    return [public(a, AuditPublic)
            for a in users.audit_log(site=site, sites=scope, limit=limit, offset=offset)]
