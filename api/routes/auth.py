"""``POST /api/v1/auth/token``: the OAuth2 password flow (form fields username, password)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import ConfigDep, UsersDep
from kolam.auth import issue_token

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


@router.post("/token", response_model=Token, summary="Log in: a bearer token for the API")
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
          users: UsersDep, config: ConfigDep) -> Token:
    user = users.authenticate(form.username, form.password)
    token = issue_token(user.username, request.app.state.secret_key, config.token_ttl_s,
                        int(time.time()))
    return Token(access_token=token, expires_in=config.token_ttl_s)
