"""Logging in to the pages: the cookie, redirects, roles and sites like the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.pages.login import safe_next
from tests.api.pages.conftest import log_in
from tests.utils.auth import PASSWORD, login_form_token, page_login


def test_pages_redirect_to_login_and_back(client: TestClient) -> None:
    r = client.get("/kiosk/serang?x=1")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/kiosk/serang%3Fx%3D1"
    r = page_login(client, "kiosk", next="/kiosk/serang")
    assert r.status_code == 303 and r.headers["location"] == "/kiosk/serang"
    cookie = r.headers["set-cookie"]
    assert "kolam_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/kiosk/serang").status_code == 200


def test_wrong_password_says_so(client: TestClient) -> None:
    r = page_login(client, "kiosk", "nope")
    assert r.status_code == 401 and "salah" in r.text
    assert client.get("/").status_code == 303


def test_the_cookie_is_the_api_token(client: TestClient) -> None:
    log_in(client, "officer")
    token = client.cookies["kolam_session"]
    client.cookies.clear()
    r = client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and [s["slug"] for s in r.json()] == ["serang"]


@pytest.mark.parametrize(("user", "path", "status"), [
    ("officer-b", "/kiosk/serang", 403),
    ("officer-b", "/sites/serang/ponds/kolam-1", 403),
    ("officer-b", "/sites/serang/ponds/kolam-1/charts.json", 403),
    ("kiosk", "/teams/serang", 403),
    ("kiosk", "/alerts", 200),
    ("dinas", "/teams/serang", 200),
    ("officer", "/sites/serang/ponds/nope", 404),
])
def test_roles_and_sites_as_the_api(client: TestClient, user: str, path: str,
                                    status: int) -> None:
    log_in(client, user)
    r = client.get(path)
    assert r.status_code == status, r.text
    if status >= 400:
        assert r.headers["content-type"].startswith("text/html")


def test_kiosk_user_lands_on_its_kiosk(client: TestClient) -> None:
    log_in(client, "kiosk")
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/kiosk/serang"


def test_api_errors_stay_json(client: TestClient) -> None:
    r = client.get("/api/v1/sites/serang/ponds")
    assert r.status_code == 401 and r.json()["detail"].startswith("authentication required")


def test_logout_needs_the_form_token(client: TestClient) -> None:
    log_in(client, "officer")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    page = client.get("/teams/serang").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf is not None
    r = client.post("/logout", data={"csrf": csrf.group(1)})
    assert r.status_code == 303 and 'kolam_session=""' in r.headers["set-cookie"]


@pytest.mark.parametrize(("raw", "want"), [
    ("/kiosk/serang", "/kiosk/serang"), ("https://evil.example/", "/"), ("//evil", "/"),
    ("/\\evil", "/"), ("", "/")])
def test_next_never_leaves_the_site(raw: str, want: str) -> None:
    assert safe_next(raw) == want


def test_language_switch(client: TestClient) -> None:
    log_in(client, "kiosk")
    assert "Yang harus dilakukan" in client.get("/kiosk/serang").text
    r = client.get("/lang/en?next=/kiosk/serang")
    assert r.status_code == 303 and r.headers["location"] == "/kiosk/serang"
    body = client.get("/kiosk/serang").text
    assert "What to do now" in body and 'lang="en"' in body


def test_login_needs_the_forms_own_token(client: TestClient) -> None:
    """Login CSRF: another site's form posting the attacker's credentials must not log the
    visitor in under the attacker's account."""
    r = client.post("/login", data={"username": "kiosk", "password": PASSWORD})
    assert r.status_code == 403 and "kolam_session" not in r.headers.get("set-cookie", "")
    assert 'name="csrf"' in r.text  # the page offers a fresh form
    token = login_form_token(client)
    client.cookies.delete("kolam_login")  # another browser, which has no such cookie
    r = client.post("/login", data={"username": "kiosk", "password": PASSWORD, "csrf": token})
    assert r.status_code == 403
    r = page_login(client, "kiosk")
    assert r.status_code == 303 and "kolam_session=" in r.headers["set-cookie"]
