"""``/healthz`` tells the public only ok/error; admins get the error without credentials."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.security.auth import Role
from kolam.security.redact import redact
from kolam.store import open_store
from tests.utils.auth import add_user, login
from tests.utils.net import free_port

SECRET = "pw-influx-9f3k"


def test_healthz_hides_store_errors_and_credentials(make_config: Callable[..., KolamConfig],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    # A real InfluxDB store whose server is down: its error names the URL it was given.
    config = make_config(store="influxdb", influx_token=f"kolam:{SECRET}",
                         influx_url=f"http://kolam:{SECRET}@127.0.0.1:{free_port()}",
                         influx_bucket="kolam/autogen")
    store, registry = open_store(config), Registry(config.registry_url)
    try:
        add_user(registry, "ops")
        add_user(registry, "petugas", Role.OFFICER, ["serang"])
        caplog.set_level(logging.WARNING)
        with TestClient(create_app(config, store, registry)) as c:
            public = c.get("/healthz")
            assert public.status_code == 503
            assert public.json() == {"status": "degraded",
                                     "checks": {"registry": "ok", "store": "error"}}
            officer = c.get("/healthz", headers=login(c, "petugas"))
            assert "details" not in officer.json()
            admin = c.get("/healthz", headers=login(c, "ops"))
            detail = admin.json()["details"]["store"]
            assert "unreachable" in detail and "127.0.0.1" in detail
            # Other routes that meet the store's error answer 503 "storage busy" with a
            # request id; the detail, credentials cut out, is in the log under that id.
            registry.ensure_pond("serang", "kolam-1")
            series = c.get("/api/v1/sites/serang/ponds/kolam-1/series?metric=do_mgl",
                           headers=officer.request.headers)
            assert series.status_code == 503 and series.json()["detail"] == "storage busy, retry"
            rid = series.json()["request_id"]
            assert any(rid in m and "http://***@127.0.0.1" in m for m in caplog.messages)
            for r in (public, officer, admin, series):
                assert SECRET not in r.text
            c.get("/healthz")  # a failure that goes on is logged once, not at every poll
        logged = [r.getMessage() for r in caplog.records if "health check" in r.getMessage()]
        assert len(logged) == 1 and "store failed" in logged[0] and "unreachable" in logged[0]
        assert SECRET not in caplog.text
    finally:
        store.close()
        registry.close()


@pytest.mark.parametrize(("text", "kept"), [
    ("InfluxDB at http://kolam:hunter22@influx:8086 is down", "http://***@influx:8086"),
    ("connect failed: password=hunter22 host=db", "password=*** host=db"),
    ('{"token": "hunter22abcdef"}', '"token": ***'),
    ("401 for header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y", "Authorization: ***"),
    ("Token hunter22abcdef rejected", "Token *** rejected"),
])
def test_redact_shapes(text: str, kept: str) -> None:
    out = redact(text)
    assert "hunter22" not in out and "eyJhbGci" not in out
    assert kept in out


def test_redact_configured_secrets_literally() -> None:
    assert redact("bad credentials kolam:odd$secret!", ["odd$secret!"]) == (
        "bad credentials kolam:***")
