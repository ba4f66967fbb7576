"""Login rate limits, security headers, the body limit, and the signing key's checks."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.ratelimit import AccountLock, Backoff, LoginLimiter, TooManyLogins, address_key
from api.security import MAX_BODY_BYTES, check_secret_key
from kolam.config import KolamConfig
from kolam.errors import ConfigError, RegistryError, StoreUnavailable
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.security import hashing
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
    limits = LoginLimiter(Backoff(free=3, base_s=60, max_s=600, window_s=3600),
                          AccountLock(max_failures=4, min_addresses=2, window_s=60), clock)
    farm.client.app.state.login_limiter = limits  # type: ignore[attr-defined]
    return limits


# --- the limiter itself ------------------------------------------------------------------

def _fail(limits: LoginLimiter, user: str, address: str) -> None:
    limits.begin(user, address)  # a reservation not given back is a failure


def test_address_backoff_doubles_and_spans_usernames() -> None:
    clock = Clock()
    limits = LoginLimiter(Backoff(free=3, base_s=10, max_s=40, window_s=3600),
                          AccountLock(100, 2, 60), clock)
    for i in range(3):
        _fail(limits, f"user{i}", "10.0.0.1")  # three free, whatever the username
    with pytest.raises(TooManyLogins) as exc:
        limits.begin("someone-else", "10.0.0.1")
    assert exc.value.retry_after_s == 10
    limits.begin("someone-else", "10.0.0.2")  # another address is not slowed
    for delay in (10, 20, 40, 40):  # doubling, capped at max_s
        clock.now += delay - 0.5
        with pytest.raises(TooManyLogins):  # not yet: the wait counts from the last failure
            limits.begin("ani", "10.0.0.1")
        clock.now += 0.5
        _fail(limits, "ani", "10.0.0.1")
        with pytest.raises(TooManyLogins) as exc:
            limits.begin("ani", "10.0.0.1")
        assert exc.value.retry_after_s == min(2 * delay, 40)


def test_one_address_guesses_at_most_300_a_day() -> None:
    clock = Clock()
    limits = LoginLimiter(clock=clock)  # the real limits
    guesses = 0
    while clock.now < 1000 + 86400:
        try:
            _fail(limits, f"user{guesses % 7}", "203.0.113.9")
            guesses += 1
        except TooManyLogins as exc:
            clock.now += exc.retry_after_s
    assert 200 < guesses <= 320


def test_success_gives_back_its_try_but_does_not_reset_the_address() -> None:
    clock = Clock()
    limits = LoginLimiter(Backoff(free=3, base_s=10, max_s=40, window_s=3600),
                          AccountLock(100, 2, 60), clock)
    _fail(limits, "mallory", "10.0.0.1")
    _fail(limits, "ani", "10.0.0.1")
    for _ in range(5):  # correct passwords are not failures ...
        limits.succeeded(limits.begin("mallory", "10.0.0.1"))
    _fail(limits, "ani", "10.0.0.1")  # ... and do not wipe the earlier failures either
    with pytest.raises(TooManyLogins):
        limits.begin("ani", "10.0.0.1")
    clock.now += 3601  # the window forgets
    limits.begin("ani", "10.0.0.1")


def test_one_address_never_locks_an_account() -> None:
    """The kiosk cannot be locked out by someone hammering its login from one address."""
    clock = Clock()
    limits = LoginLimiter(Backoff(free=5, base_s=1, max_s=900, window_s=3600),
                          AccountLock(max_failures=10, min_addresses=3, window_s=900), clock)
    for _ in range(200):
        try:
            _fail(limits, "kiosk-serang", "203.0.113.9")
        except TooManyLogins as exc:
            clock.now += exc.retry_after_s
    limits.succeeded(limits.begin("kiosk-serang", "10.1.1.20"))  # the kiosk tablet


def test_account_locks_across_many_addresses_except_known_ones() -> None:
    clock = Clock()
    limits = LoginLimiter(Backoff(free=5, base_s=1, max_s=900, window_s=3600),
                          AccountLock(max_failures=10, min_addresses=3, window_s=900), clock)
    limits.succeeded(limits.begin("kiosk-serang", "10.1.1.20"))  # the tablet, yesterday
    clock.now += 86400
    for i in range(10):
        _fail(limits, "KIOSK-serang ", f"198.51.100.{i}")  # case and spaces do not help
    with pytest.raises(TooManyLogins) as exc:
        limits.begin("kiosk-serang", "198.51.100.99")
    assert exc.value.retry_after_s == 900
    limits.begin("other-user", "198.51.100.99")  # only that account is locked
    limits.succeeded(limits.begin("kiosk-serang", "10.1.1.20"))  # the known tablet gets in
    clock.now += 901
    limits.begin("kiosk-serang", "198.51.100.99")


def test_reservations_are_atomic_across_threads() -> None:
    """30 tries at once for one user and address: only the free ones get to a password."""
    limits = LoginLimiter(Backoff(free=5, base_s=60, max_s=900, window_s=3600),
                          AccountLock(max_failures=10, min_addresses=3, window_s=900))
    barrier = threading.Barrier(30)
    passed: list[bool] = []

    def try_once() -> None:
        barrier.wait()
        try:
            limits.begin("kiosk-serang", "203.0.113.9")
            passed.append(True)
        except TooManyLogins:
            passed.append(False)

    threads = [threading.Thread(target=try_once) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert passed.count(True) == 5 and passed.count(False) == 25


def test_ipv6_counts_by_64_block() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_key("testclient") == "testclient"


# --- through the API and the login page -------------------------------------------------

def test_token_route_429_with_retry_after(farm: Farm) -> None:
    clock = Clock()
    _small_limits(farm, clock)
    c = farm.client
    for _ in range(3):
        r = c.post(TOKEN, data={"username": "officer", "password": "wrong password"})
        assert r.status_code == 401
    # Slowed: even the right password is refused, so guessing gains nothing.
    r = c.post(TOKEN, data={"username": "officer", "password": PASSWORD})
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "60"
    assert "too many" in r.json()["detail"]
    # The back-off is per address: another user from it waits too.
    assert c.post(TOKEN, data={"username": "dinas", "password": PASSWORD}).status_code == 429
    clock.now += 61
    assert c.post(TOKEN, data={"username": "officer", "password": PASSWORD}).status_code == 200
    audit = [(a.username, a.action) for a in Users(farm.registry.engine).audit_log()]
    assert audit.count(("officer", "login_failed")) == 3  # the refused try is not a guess
    assert ("officer", "login") in audit


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


def test_busy_hashing_is_503_and_no_failure(farm: Farm, monkeypatch: pytest.MonkeyPatch,
                                            ) -> None:
    limits = _small_limits(farm, Clock())
    monkeypatch.setattr(hashing, "WAIT_S", 0.2)
    c = farm.client
    with ExitStack() as held:
        for _ in range(hashing.MAX_CONCURRENT):
            held.enter_context(hashing.hashing_slot())
        for _ in range(4):  # more than the free failures: none of them counted
            r = c.post(TOKEN, data={"username": "officer", "password": PASSWORD})
            assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        r = page_login(c, "kiosk")
        assert r.status_code == 503 and "Server sedang sibuk" in r.text
    assert limits.begin("officer", "testclient")
    assert c.post(TOKEN, data={"username": "officer", "password": PASSWORD}).status_code == 200


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
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/" in docs.text
    assert "https:" not in docs.headers["Content-Security-Policy"]  # nothing from outside
    assert "http" not in docs.text  # every file the page loads is this server's own
    assert c.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert c.get("/redoc").status_code != 200  # ReDoc would need its CDN: off


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


@pytest.mark.parametrize("weak", ["change_me_change_me_change_me_123456",
                                  "abcdefghijklmnopqrstuvwxyzABCDEF"])  # an alphabet run
def test_server_refuses_a_placeholder_key(make_config: Callable[..., KolamConfig],
                                          weak: str) -> None:
    with pytest.raises(ConfigError, match="secret_key"):  # check-config refuses it too
        make_config(secret_key=weak)
    # The API's own guard, for a config built in code without validation.
    config = make_config().model_copy(update={"secret_key": SecretStr(weak)})
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


@pytest.mark.parametrize(("error", "status"), [
    (RegistryError("postgresql://kolam:hunter22secret@db/kolam: relation missing"), 500),
    (StoreUnavailable("InfluxDB at http://kolam:hunter22secret@influx:8086 is down"), 503),
    (RuntimeError("a bug that names postgresql://kolam:hunter22secret@db"), 500),
])
def test_5xx_bodies_carry_a_request_id_and_the_detail_goes_to_the_log(
        farm: Farm, caplog: pytest.LogCaptureFixture, error: Exception, status: int) -> None:
    app = farm.client.app
    assert isinstance(app, FastAPI)

    @app.get("/test-failure")
    def fail() -> None:
        raise error

    caplog.set_level(logging.ERROR, logger="api.app")
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/test-failure")
    assert r.status_code == status
    body = r.json()
    rid = body["request_id"]
    assert body == {"detail": "internal error" if status == 500 else "storage busy, retry",
                    "request_id": rid}
    assert r.headers["X-Request-ID"] == rid
    (logged,) = [m for m in caplog.messages if rid in m]
    assert type(error).__name__ in logged and "***@" in logged
    assert "hunter22secret" not in r.text and "hunter22secret" not in caplog.text
