"""Users (admin only, except ``/me``) and the audit log of members' data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import AdminUser, CurrentUser
from api.deps import UsersDep
from kolam.auth import Forbidden, Principal, Role
from kolam.timeutil import iso

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
    password: str | None = Field(None, min_length=8)


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["prometheus"])


class ApiKeyPublic(BaseModel):
    name: str
    key: str = Field(description="Shown this once; only a digest is kept")


class AuditPublic(BaseModel):
    id: int
    at: str
    username: str
    action: str
    entity: str
    entity_id: int | None
    site: str | None
    detail: str


def _user(p: Principal) -> UserPublic:
    return UserPublic(username=p.username, role=p.role, sites=sorted(p.sites),
                      all_sites=p.all_sites)


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(user: CurrentUser) -> UserPublic:
    return _user(user)


@router.get("/users", response_model=list[UserPublic], summary="All users")
def list_users(_: AdminUser, users: UsersDep) -> list[UserPublic]:
    return [_user(p) for p in users.all()]


@router.post("/users", response_model=UserPublic, status_code=201,
             summary="Create a user, or change an existing one's role, sites and password")
def add_user(body: UserCreate, admin: AdminUser, users: UsersDep) -> UserPublic:
    if not admin.all_sites and not (body.sites and set(body.sites) <= admin.sites):
        raise Forbidden(f"admin {admin.username!r} may only make users of "
                        f"{', '.join(sorted(admin.sites))}")
    p = users.add(body.username, body.role, body.sites, body.password)
    users.audit(admin.username, "update", "user", None, None, f"{p.username} as {p.role}")
    return _user(p)


@router.post("/users/{username}/api-keys", response_model=ApiKeyPublic, status_code=201,
             summary="A new API key acting as this user")
def add_api_key(username: str, body: ApiKeyCreate, admin: AdminUser,
                users: UsersDep) -> ApiKeyPublic:
    key = users.add_api_key(username, body.name)
    users.audit(admin.username, "create", "api_key", None, None, f"{body.name} for {username}")
    return ApiKeyPublic(name=body.name, key=key)


@router.get("/audit", response_model=list[AuditPublic],
            summary="Who read or changed members' data, newest first")
def audit_log(_: AdminUser, users: UsersDep, site: Annotated[str | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0)] = 0) -> list[AuditPublic]:
    return [AuditPublic(id=a.id, at=iso(a.at), username=a.username, action=a.action,
                        entity=a.entity, entity_id=a.entity_id, site=a.site, detail=a.detail)
            for a in users.audit_log(site=site, limit=limit, offset=offset)]
