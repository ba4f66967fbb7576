"""Who may acknowledge (issue #17 item 7): the staff on site; the Dinas only when
``alerts.dinas_may_acknowledge`` is set. The API and the page obey the same key."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.alerts.model import Change, Severity
from kolam.registry.alerts import Alerts
from tests.api.pages.conftest import log_in
from tests.utils.auth import login
from tests.utils.pages import SITE, DemoSite, raise_alert


def _client(site: DemoSite, dinas_may_acknowledge: bool) -> TestClient:
    alerts = site.config.alerts.model_copy(update={"dinas_may_acknowledge":
                                                   dinas_may_acknowledge})
    config = site.config.model_copy(update={"alerts": alerts})
    return TestClient(create_app(config, site.store, site.registry), follow_redirects=False)


@pytest.fixture(params=[False, True], ids=["default", "dinas-may"])
def dinas_may(request: pytest.FixtureRequest, site: DemoSite) -> Iterator[tuple[bool, TestClient]]:
    with _client(site, request.param) as c:
        yield request.param, c


def _open_alert(site: DemoSite) -> int:
    """A fresh open alert (an acknowledged one from an earlier test is resolved first)."""
    raise_alert(site, "kolam-2", "do_low", Severity.CRITICAL, 2.6, "do_mgl", "mg/L", 2.0,
                change=Change.RESOLVED)
    raise_alert(site, "kolam-2", "do_low", Severity.CRITICAL, 1.8, "do_mgl", "mg/L", 2.0)
    found = Alerts(site.registry.engine).find([SITE], pond="kolam-2", rule="do_low",
                                               states=("open",))
    assert found
    return found[0].id


def test_config_default_keeps_the_dinas_watching(site: DemoSite) -> None:
    assert site.config.alerts.dinas_may_acknowledge is False


def test_api_acknowledge_obeys_the_config(site: DemoSite,
                                          dinas_may: tuple[bool, TestClient]) -> None:
    allowed, client = dinas_may
    alert = _open_alert(site)
    r = client.post(f"/api/v1/sites/{SITE}/alerts/{alert}/ack", headers=login(client, "dinas"))
    assert r.status_code == (200 if allowed else 403), r.text
    if not allowed:
        assert "dinas_may_acknowledge" in r.json()["detail"]
        assert Alerts(site.registry.engine).get(alert).state == "open"
        r = client.post(f"/api/v1/sites/{SITE}/alerts/{alert}/ack",
                        headers=login(client, "officer"))
        assert r.status_code == 200 and r.json()["acknowledged_by"] == "officer"


def test_page_acknowledge_obeys_the_config(site: DemoSite,
                                           dinas_may: tuple[bool, TestClient]) -> None:
    allowed, client = dinas_may
    alert = _open_alert(site)
    body = log_in(client, "dinas").get("/alerts").text
    assert (f'action="/sites/{SITE}/alerts/{alert}/ack"' in body) is allowed
    assert ('id="ack-note"' in body) is not allowed
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body)
    assert csrf is not None
    r = client.post(f"/sites/{SITE}/alerts/{alert}/ack", data={"csrf": csrf.group(1)})
    assert r.status_code == (303 if allowed else 403)
    assert Alerts(site.registry.engine).get(alert).state == ("acknowledged" if allowed
                                                             else "open")
    if not allowed:  # the staff on site still can
        body = log_in(client, "officer").get("/alerts").text
        assert f'action="/sites/{SITE}/alerts/{alert}/ack"' in body
