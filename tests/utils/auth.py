"""Users and logins for tests of the API."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.testclient import TestClient

from kolam.auth import Role
from kolam.registry.repo import Registry
from kolam.registry.users import Users

PASSWORD = "correct horse battery"


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
