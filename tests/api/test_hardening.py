"""Login rate limits, security headers, the body limit, and the signing key's checks."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.ratelimit import Limit, LoginLimiter, TooManyLogins
from api.security import MAX_BODY_BYTES, check_secret_key
from kolam.config import KolamConfig
from kolam.errors import ConfigError
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.store import SqliteStore
from tests.utils.auth import PASSWORD, add_user, page_login
from tests.utils.farm import SITE_A, Farm, farm_app

TOKEN = "/api/v1/auth/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def _small_limits(farm: Farm, clock: Clock) -> LoginLimiter:
    limits = LoginLimiter(Limit(3, 60), Limit(5, 60), clock)
    farm.client.app.state.login_limiter = limits  # type: ignore[attr-defined]
    return limits


# --- the limiter itself ------------------------------------------------------------------

def test_limiter_slides_and_forgets_on_success() -> None:
    clock = Clock()
    limits = LoginLimiter(Limit(3, 60), Limit(100, 60), clock)
    for _ in range(3):
        limits.check("ani", "10.0.0.1")
        limits.failed("ani", "10.0.0.1")
        clock.now += 10
    with pytest.raises(TooManyLogins) as exc:
        limits.check(" ANI ", "10.0.0.9")  # case, spaces and address do not help
    # The first failure (t=1000) leaves the window at t=1060; now is 1030.
    assert exc.value.retry_after_s == 30
    clock.now = 1060.0
    limits.check("ani", "10.0.0.1")  # one old failure slid out
    limits.failed("ani", "10.0.0.1")
    with pytest.raises(TooManyLogins):
        limits.check("ani", "10.0.0.1")
    limits.succeeded("ani")
    limits.check("ani", "10.0.0.1")


def test_limiter_per_address_spans_usernames() -> None:
    clock = Clock()
    limits = LoginLimiter(Limit(100, 60), Limit(4, 60), clock)
    for i in range(4):
        limits.failed(f"user{i}", "10.0.0.1")
    with pytest.raises(TooManyLogins):
        limits.check("someone-else", "10.0.0.1")
    limits.succeeded("user0")  # success forgets the user, not the address
    with pytest.raises(TooManyLogins):
        limits.check("user0", "10.0.0.1")
    limits.check("someone-else", "10.0.0.2")


# --- through the API and the login page -------------------------------------------------

def test_token_route_429_with_retry_after(farm: Farm) -> None:
    clock = Clock()
    _small_limits(farm, clock)
    c = farm.client
    for _ in range(3):
        r = c.post(TOKEN, data={"username": "officer", "password": "wrong password"})
        assert r.status_code == 401
    # Locked: even the right password is refused, so guessing gains nothing.
    r = c.post(TOKEN, data={"username": "officer", "password": PASSWORD})
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "60"
    assert "too many" in r.json()["detail"]
    # Another user from the same address still may (address limit is 5).
    assert c.post(TOKEN, data={"username": "dinas", "password": PASSWORD}).status_code == 200
    clock.now += 61
    assert c.post(TOKEN, data={"username": "officer", "password": PASSWORD}).status_code == 200
    audit = [(a.username, a.action) for a in Users(farm.registry.engine).audit_log()]
    assert audit.count(("officer", "login_failed")) == 3  # the locked try is not a guess
    assert ("officer", "login") in audit and ("dinas", "login") in audit


def test_token_route_address_limit(farm: Farm) -> None:
    _small_limits(farm, Clock())
    c = farm.client
    for i in range(5):
        assert c.post(TOKEN, data={"username": f"guess{i}", "password": "x" * 8}
                      ).status_code == 401
    assert c.post(TOKEN, data={"username": "admin", "password": PASSWORD}).status_code == 429


def test_login_page_429(farm: Farm) -> None:
    _small_limits(farm, Clock())
    c = farm.client
    for _ in range(3):
        r = page_login(c, "kiosk", "nope nope")
        assert r.status_code == 401
    r = page_login(c, "kiosk")
    assert r.status_code == 429 and r.headers["Retry-After"] == "60"
    assert "Terlalu banyak percobaan" in r.text
    assert "kolam_session" not in r.headers.get("set-cookie", "")


# --- headers ------------------------------------------------------------------------------

def test_security_headers_everywhere(farm: Farm) -> None:
    c = farm.client
    admin = farm.as_("admin")
    responses = {
        "api": c.get("/api/v1/users/me", headers=admin),
        "api_401": c.get("/api/v1/users/me"),
        "page": c.get("/login"),
        "not_found": c.get("/no/such/page"),
        "static": c.get("/static/js/print.js"),
        "report": c.get(f"/api/v1/sites/{SITE_A}/reports/monthly.html?month=2026-01",
                        headers=admin),
    }
    for name, r in responses.items():
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp, name
        assert r.headers["X-Frame-Options"] == "DENY", name
        assert r.headers["X-Content-Type-Options"] == "nosniff", name
        assert r.headers["Referrer-Policy"] == "same-origin", name
    assert responses["api"].headers["Cache-Control"] == "no-store"
    assert responses["page"].headers["Cache-Control"] == "no-store"
    assert "no-store" not in responses["static"].headers.get("Cache-Control", "")
    report = responses["report"]
    assert report.status_code == 200
    assert "/static/js/print.js" in report.text and "onclick" not in report.text
    docs = c.get("/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers[
        "Content-Security-Policy"]


TEMPLATES = Path(__file__).parents[2] / "api" / "templates"


def test_templates_have_no_inline_scripts() -> None:
    """What the CSP would block in a browser, caught before one is opened."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: an on*= handler attribute"
        assert "javascript:" not in text, path


# --- request size -------------------------------------------------------------------------

def test_body_limit(farm: Farm) -> None:
    c = farm.client
    big = b"u=" + b"a" * MAX_BODY_BYTES
    r = c.post(TOKEN, content=big,
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it is read
        for _ in range(20):
            yield b"a" * 65536

    r = c.post(f"/api/v1/sites/{SITE_A}/teams", content=chunks(),
               headers={**farm.as_("admin"), "Content-Type": "application/json"})
    assert r.status_code == 413
    # Just under the limit is parsed as usual (a wrong login, not a refusal).
    r = c.post(TOKEN, data={"username": "x" * (MAX_BODY_BYTES // 2), "password": "y" * 8})
    assert r.status_code == 401


# --- the signing key ----------------------------------------------------------------------

@pytest.mark.parametrize("key", [
    "changeme-changeme-changeme-changeme",
    "a" * 64,
    "abababababababababababababababababab",
    "your-secret-key-here-your-secret-key",
])
def test_weak_keys_refused(key: str) -> None:
    with pytest.raises(ConfigError, match="secret_key"):
        check_secret_key(key)


def test_server_refuses_a_placeholder_key(make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(secret_key="change_me_change_me_change_me_123456")
    store, registry = SqliteStore(config.samples_path), Registry(config.registry_url)
    try:
        with pytest.raises(ConfigError, match="secret_key"):
            create_app(config, store, registry)
    finally:
        store.close()
        registry.close()


def test_secrets_never_logged(make_config: Callable[..., KolamConfig],
                              caplog: pytest.LogCaptureFixture) -> None:
    from fastapi.testclient import TestClient

    key = "k3Y-9vQ_2mZ8xR4tL7pW1nB6cH0dF5gJ"
    config = make_config(secret_key=key)
    assert key not in repr(config) and key not in str(config.model_dump())
    store, registry = SqliteStore(config.samples_path), Registry(config.registry_url)
    try:
        add_user(registry, "ani")
        caplog.set_level(logging.DEBUG)
        with TestClient(create_app(config, store, registry)) as c:
            assert c.app.state.secret_key == key  # type: ignore[attr-defined]
            ok = c.post(TOKEN, data={"username": "ani", "password": PASSWORD})
            token = ok.json()["access_token"]
            c.post(TOKEN, data={"username": "ani", "password": "wrong " + PASSWORD})
            c.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        text = caplog.text
        assert caplog.records  # something was logged, so the check below means something
        for secret in (key, PASSWORD, token):
            assert secret not in text
    finally:
        store.close()
        registry.close()
