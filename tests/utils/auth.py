"""Users and logins for tests of the API."""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx
from fastapi.testclient import TestClient

from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.security.auth import Role

PASSWORD = "correct horse battery"
"""Passes the password policy (12+ characters, not common, no username in it)."""


def add_user(registry: Registry, username: str, role: Role = Role.ADMIN,
             sites: Iterable[str] = ()) -> None:
    Users(registry.engine).add(username, role, sites, PASSWORD)


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the API; the headers that authenticate as that user."""
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def admin_client(client: TestClient, registry: Registry) -> TestClient:
    """``client`` logged in as a new admin of every site."""
    add_user(registry, "admin-test")
    client.headers.update(login(client, "admin-test"))
    return client


def login_form_token(client: TestClient, path: str = "/login") -> str:
    """The login form's CSRF token, as a browser gets it: by opening the form."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text)
    assert found is not None, "the login form carries no CSRF token"
    return found.group(1)


def page_login(client: TestClient, username: str, password: str = PASSWORD,
               **fields: str) -> httpx.Response:
    """Post the login form like a browser: open it first, send its CSRF token along."""
    data = {"username": username, "password": password, "csrf": login_form_token(client),
            **fields}
    response: httpx.Response = client.post("/login", data=data, follow_redirects=False)
    return response
