"""Credentials end with what should end them: removal, a new password, revocation, logout.

Each case is one the probe of issue #15 reproduced against the old code: a removed user's
name given to a new person revived the old tokens and keys, tokens outlived a password
change, API keys could not be revoked, and a page cookie still worked after logout.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from kolam.config import KolamConfig
from kolam.registry.users import Users
from kolam.security.auth import TOKEN_ALGORITHM, Role
from tests.utils.auth import PASSWORD, login, page_login
from tests.utils.farm import SITE_A, Farm, farm_app

NEW_PASSWORD = "quite another passphrase"
ME = "/api/v1/users/me"


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def _users(farm: Farm) -> Users:
    return Users(farm.registry.engine)


def _status(c: TestClient, headers: dict[str, str]) -> int:
    return c.get(ME, headers=headers).status_code


def test_a_new_user_with_an_old_name_gets_nothing_of_the_old_one(farm: Farm) -> None:
    c, users = farm.client, _users(farm)
    token = login(c, "officer")
    key = {"X-API-Key": users.add_api_key("officer", "tablet")}
    assert _status(c, token) == 200 and _status(c, key) == 200
    users.deactivate("officer")
    users.add("officer", Role.OFFICER, [SITE_A], NEW_PASSWORD)  # another person, same name
    assert _status(c, token) == 401
    assert _status(c, key) == 401
    assert users.api_keys("officer") == []
    # Nor the old password.
    r = c.post("/api/v1/auth/token", data={"username": "officer", "password": PASSWORD})
    assert r.status_code == 401
    assert _status(c, login(c, "officer", NEW_PASSWORD)) == 200


def test_a_re_added_user_without_a_password_cannot_log_in_with_the_old_one(
        farm: Farm) -> None:
    users = _users(farm)
    users.deactivate("dinas")
    users.add("dinas", Role.DINAS, [SITE_A])
    r = farm.client.post("/api/v1/auth/token", data={"username": "dinas",
                                                      "password": PASSWORD})
    assert r.status_code == 401


def test_a_user_removed_before_the_upgrade_does_not_lend_its_password(farm: Farm) -> None:
    # Removal used to keep the password hash; such a row must not pass it to a new user.
    with farm.registry.engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE username = 'dinas'"))
    _users(farm).add("dinas", Role.DINAS, [SITE_A])
    r = farm.client.post("/api/v1/auth/token", data={"username": "dinas",
                                                      "password": PASSWORD})
    assert r.status_code == 401


def test_a_new_password_ends_every_login(farm: Farm) -> None:
    c, users = farm.client, _users(farm)
    token = login(c, "officer")
    page_login(c, "officer")
    cookie = c.cookies["kolam_session"]
    key = {"X-API-Key": users.add_api_key("officer", "tablet")}
    users.add("officer", Role.OFFICER, [SITE_A], PASSWORD)  # the same password: no change
    assert _status(c, token) == 200
    users.add("officer", Role.OFFICER, [SITE_A], NEW_PASSWORD)
    assert _status(c, token) == 401
    assert _status(c, {"Authorization": f"Bearer {cookie}"}) == 401
    assert c.get("/teams/serang", follow_redirects=False).status_code == 303  # to /login
    assert _status(c, key) == 200  # keys are revoked one by one, not by a password


def test_a_password_changed_through_the_api_ends_logins(farm: Farm) -> None:
    c = farm.client
    token = login(c, "kiosk")
    r = c.post("/api/v1/users", headers=farm.as_("admin"), json={
        "username": "kiosk", "role": "kiosk", "sites": [SITE_A], "password": NEW_PASSWORD})
    assert r.status_code == 201
    assert _status(c, token) == 401


def test_api_keys_are_listed_and_revoked(farm: Farm) -> None:
    c, admin = farm.client, farm.as_("admin")
    made = c.post("/api/v1/users/dinas/api-keys", json={"name": "dashboard"}, headers=admin)
    other = c.post("/api/v1/users/dinas/api-keys", json={"name": "grafana"}, headers=admin)
    assert made.status_code == other.status_code == 201
    key, key_id = {"X-API-Key": made.json()["key"]}, made.json()["id"]
    assert _status(c, key) == 200
    listed = c.get("/api/v1/users/dinas/api-keys", headers=admin).json()
    assert [(k["name"], k["revoked"]) for k in listed] == [("dashboard", False),
                                                          ("grafana", False)]
    assert made.json()["key"] not in str(listed)
    r = c.delete(f"/api/v1/users/dinas/api-keys/{key_id}", headers=admin)
    assert r.status_code == 200 and r.json()["revoked"] is True
    assert _status(c, key) == 401
    assert _status(c, {"X-API-Key": other.json()["key"]}) == 200
    # Another user's key id under this user's name is not found, and is not revoked.
    officer_key = _users(farm).create_api_key("officer", "x")[0]
    r = c.delete(f"/api/v1/users/dinas/api-keys/{officer_key.id}", headers=admin)
    assert r.status_code == 404
    audit = c.get("/api/v1/audit", headers=admin).json()
    assert any(a["action"] == "revoke" and a["entity"] == "api_key" for a in audit)


def test_api_logout_ends_this_token_only(farm: Farm) -> None:
    c = farm.client
    first, second = login(c, "officer"), login(c, "officer")
    assert c.post("/api/v1/auth/logout", headers=first).status_code == 204
    assert _status(c, first) == 401
    assert _status(c, second) == 200
    assert c.post("/api/v1/auth/logout-all", headers=second).status_code == 204
    assert _status(c, second) == 401
    assert _status(c, farm.as_("officer")) == 401  # the farm's login too


def test_logout_with_an_api_key_is_refused(farm: Farm) -> None:
    key = {"X-API-Key": _users(farm).add_api_key("officer", "x")}
    r = farm.client.post("/api/v1/auth/logout", headers=key)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def _logout(c: TestClient, **fields: str) -> None:
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/teams/serang").text)
    assert csrf is not None
    r = c.post("/logout", data={"csrf": csrf.group(1), **fields}, follow_redirects=False)
    assert r.status_code == 303


def test_a_page_session_ends_on_logout_even_if_replayed(farm: Farm) -> None:
    c = farm.client
    assert page_login(c, "officer").status_code == 303
    cookie = c.cookies["kolam_session"]
    other = login(c, "officer")
    _logout(c)
    c.cookies.set("kolam_session", cookie)  # the copied cookie, sent again
    r = c.get("/teams/serang", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert _status(c, {"Authorization": f"Bearer {cookie}"}) == 401
    assert _status(c, other) == 200  # the user's other logins go on


def test_log_out_everywhere_from_a_page(farm: Farm) -> None:
    c = farm.client
    other = login(c, "officer")
    page_login(c, "officer")
    assert 'name="everywhere"' in c.get("/teams/serang").text
    _logout(c, everywhere="true")
    assert _status(c, other) == 401


def test_tokens_name_the_account_not_the_user(farm: Farm) -> None:
    """A token signed with the right key but naming only a user (what tokens were before
    migration 0005) does not work: it names no account, version or session."""
    c = farm.client
    now = int(time.time())
    bare = jwt.encode({"sub": "admin", "iat": now, "exp": now + 60}, c.app.state.secret_key,
                      algorithm=TOKEN_ALGORITHM)
    assert _status(c, {"Authorization": f"Bearer {bare}"}) == 401
    claims = jwt.decode(login(c, "officer")["Authorization"].split()[1],
                        c.app.state.secret_key, algorithms=[TOKEN_ALGORITHM])
    assert claims["uid"] == _users(farm).get("officer").uid and claims["sub"] == "officer"
    for field, value in (("ver", claims["ver"] + 1), ("sid", "0" * 32), ("uid", "0" * 32)):
        forged = jwt.encode({**claims, field: value}, c.app.state.secret_key,
                            algorithm=TOKEN_ALGORITHM)
        assert _status(c, {"Authorization": f"Bearer {forged}"}) == 401, field
