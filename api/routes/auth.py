"""``POST /api/v1/auth/token``: the OAuth2 password flow (form fields username, password)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import ConfigDep, UsersDep
from api.ratelimit import check_login, login_failed, login_succeeded
from kolam.auth import AuthError, issue_token

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


@router.post("/token", response_model=Token, summary="Log in: a bearer token for the API",
             responses={429: {"description": "Too many failed logins (see Retry-After)"}})
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
          users: UsersDep, config: ConfigDep) -> Token:
    check_login(request, form.username)
    try:
        user = users.authenticate(form.username, form.password)
    except AuthError:
        login_failed(request, form.username, "api")
        raise
    login_succeeded(request, user.username, "api")
    token = issue_token(user.username, request.app.state.secret_key, config.token_ttl_s,
                        int(time.time()))
    return Token(access_token=token, expires_in=config.token_ttl_s)
