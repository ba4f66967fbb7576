"""Logging in and out of the API.

``POST /api/v1/auth/token`` is the OAuth2 password flow (form fields username, password);
each token is a server-side session, so ``/logout`` ends it even if it was copied, and
``/logout-all`` ends every login of the user.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.auth import CurrentLogin
from api.deps import ConfigDep, UsersDep
from api.ratelimit import check_login, login_failed, login_succeeded
from kolam.security.auth import AuthError, issue_token

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
    claims = users.start_session(user, config.token_ttl_s)
    token = issue_token(claims, request.app.state.secret_key, config.token_ttl_s,
                        int(time.time()))
    return Token(access_token=token, expires_in=config.token_ttl_s)


@router.post("/logout", status_code=204, summary="Log out: this token stops working")
def logout(login: CurrentLogin, users: UsersDep) -> None:
    users.end_session(login)


@router.post("/logout-all", status_code=204,
             summary="Log out everywhere: every token and page session of this user ends")
def logout_all(login: CurrentLogin, users: UsersDep) -> None:
    users.end_all_logins(login.username)
    users.audit(login.username, "logout_all", "user", None, None, "api")
