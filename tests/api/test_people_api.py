"""People on call through the API and the pages (issue #21): contacts (a user their own,
an admin anyone's it may act on), the duty roster (staff read, admins and officers
change; audited), and the one-time acknowledgement page (no login, once, expiring,
audited, as the link's recipient)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from kolam.config import load_config
from kolam.registry.alerts import Alerts
from kolam.timeutil import now_ms, to_ms
from tests.utils.ack import open_alert
from tests.utils.auth import page_login
from tests.utils.farm import SITE_A, Farm, module_farm

S = f"/api/v1/sites/{SITE_A}"
OFFICER = {"phone": "081234567890", "telegram": "5550001", "critical": ["telegram", "sms"],
           "warning": ["telegram"]}


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with module_farm(tmp_path_factory.mktemp("people") / "data") as f:
        yield f


def test_a_user_sets_their_own_contacts(farm: Farm) -> None:
    c = farm.client
    r = c.put("/api/v1/users/me/contacts", json=OFFICER, headers=farm.as_("officer"))
    assert r.status_code == 200, r.text
    assert r.json() == {"username": "officer", "phone": "6281234567890", "telegram": "5550001",
                        "email": None, "language": "id", "critical": ["telegram", "sms"],
                        "warning": ["telegram"]}
    assert c.get("/api/v1/users/me/contacts", headers=farm.as_("officer")).json() == r.json()
    assert c.get("/api/v1/users/officer/contacts", headers=farm.as_("admin")).json() == r.json()
    audit = c.get("/api/v1/audit", headers=farm.as_("admin")).json()
    assert ("officer", "update", "contact") in {(a["username"], a["action"], a["entity"])
                                                for a in audit}


@pytest.mark.parametrize(("body", "says"), [
    ({"phone": "12ab"}, "phone: 8–15 digits"),
    ({"telegram": "not a chat"}, "telegram: a chat id"),
    ({"critical": ["whatsapp"]}, "critical: whatsapp needs a phone first"),
    ({"critical": ["pigeon"]}, "unknown channel(s) pigeon"),
    ({"email": "nobody"}, "email: not an e-mail address"),
], ids=["phone", "chat", "needs-phone", "unknown-channel", "email"])
def test_contacts_are_checked(farm: Farm, body: dict[str, object], says: str) -> None:
    r = farm.client.put("/api/v1/users/me/contacts", json=body, headers=farm.as_("dinas"))
    assert r.status_code == 422 and says in r.json()["detail"], r.text


def test_only_admins_set_someone_elses_contacts(farm: Farm) -> None:
    c = farm.client
    for who in ("officer", "dinas"):
        r = c.put("/api/v1/users/admin/contacts", json={}, headers=farm.as_(who))
        assert r.status_code == 403
    r = c.put("/api/v1/users/officer_b/contacts", json={}, headers=farm.as_("admin_a"))
    assert r.status_code == 403  # a site admin of another site
    r = c.put("/api/v1/users/me/contacts", json={}, headers=farm.as_("kiosk"))
    assert r.status_code == 403  # the shared tablet is nobody's phone


def test_the_roster_says_who_is_on_duty_in_the_sites_time_zone(farm: Farm) -> None:
    c = farm.client
    c.patch(S, json={"timezone": "Asia/Makassar"}, headers=farm.as_("admin"))
    night = {"username": "officer", "level": 0, "starts": "22:00", "ends": "06:00",
             "note": "malam"}
    r = c.post(S + "/roster", json=night, headers=farm.as_("officer"))
    assert r.status_code == 201, r.text
    shift = r.json()
    assert shift | {"id": 0} == night | {"id": 0, "site": SITE_A, "weekdays": list(range(7))}
    day = {"username": "admin_a", "level": 0, "starts": "6.00", "ends": "22:00",
           "weekdays": [0, 1, 2, 3, 4]}
    assert c.post(S + "/roster", json=day, headers=farm.as_("admin_a")).status_code == 201
    wita = ZoneInfo("Asia/Makassar")
    at = {"wed-03:00": to_ms(datetime(2026, 12, 2, 3, 0, tzinfo=wita)),
          "wed-12:00": to_ms(datetime(2026, 12, 2, 12, 0, tzinfo=wita)),
          "sat-12:00": to_ms(datetime(2026, 12, 5, 12, 0, tzinfo=wita)),
          "wed-22:30-wib": to_ms(datetime(2026, 12, 2, 21, 30, tzinfo=ZoneInfo("Asia/Jakarta")))}
    who = {k: [x["username"] for x in c.get(S + f"/roster/on-duty?at={t}",
                                            headers=farm.as_("dinas")).json()]
           for k, t in at.items()}
    assert who == {"wed-03:00": ["officer"], "wed-12:00": ["admin_a"], "sat-12:00": [],
                   "wed-22:30-wib": ["officer"]}  # 21:30 WIB is 22:30 WITA
    assert c.post(S + "/roster", json=night, headers=farm.as_("dinas")).status_code == 403
    r = c.post(S + "/roster", json=night | {"username": "officer_b"},
               headers=farm.as_("officer"))
    assert r.status_code == 422 and "not staff of site" in r.json()["detail"]
    r = c.post(S + "/roster", json=night | {"starts": "25:00"}, headers=farm.as_("officer"))
    assert r.status_code == 422 and "HH:MM" in r.json()["detail"]
    assert c.delete(S + f"/roster/{shift['id']}", headers=farm.as_("officer")).status_code == 204
    assert [x["username"] for x in c.get(S + "/roster", headers=farm.as_("officer")).json()] \
        == ["admin_a"]
    audit = c.get(f"/api/v1/audit?site={SITE_A}", headers=farm.as_("admin")).json()
    assert [a["action"] for a in audit if a["entity"] == "shift"][:3] == [
        "delete", "create", "create"]


def _open_alert(farm: Farm, pond: str, username: str, ttl_s: float = 3600) -> tuple[int, str]:
    return open_alert(farm.registry.engine, SITE_A, pond, username, ttl_s)


def test_a_one_time_link_acknowledges_once_without_a_login(farm: Farm) -> None:
    alert, token = _open_alert(farm, "kolam-1", "officer")
    with TestClient(farm.client.app) as anonymous:
        page = anonymous.get(f"/a/{token}")
        assert page.status_code == 200 and 'id="ack-button"' in page.text
        assert "Oksigen terlarut rendah" in page.text and "officer" in page.text
        assert Alerts(farm.registry.engine).get(alert).state == "open"  # opening is not acking
        done = anonymous.post(f"/a/{token}")
        assert done.status_code == 200 and 'id="ack-done"' in done.text
        a = Alerts(farm.registry.engine).get(alert)
        assert (a.state, a.acked_by) == ("acknowledged", "officer")
        again = anonymous.post(f"/a/{token}")
        assert again.status_code == 409 and "sudah dipakai" in again.text
        assert anonymous.get("/a/" + "x" * 22).status_code == 404
    audit = farm.client.get(f"/api/v1/audit?site={SITE_A}", headers=farm.as_("admin")).json()
    (entry,) = [e for e in audit if e["entity"] == "alert" and e["entity_id"] == alert]
    assert entry["username"] == "officer" and entry["action"] == "ack"
    assert "one-time link" in entry["detail"]


def test_an_expired_link_acknowledges_nothing(farm: Farm) -> None:
    alert, token = _open_alert(farm, "kolam-2", "officer", ttl_s=0.001)
    r = farm.client.post(f"/a/{token}")
    assert r.status_code == 409 and "kedaluwarsa" in r.text
    assert Alerts(farm.registry.engine).get(alert).state == "open"


def test_the_roster_and_contacts_pages(tmp_path_factory: pytest.TempPathFactory) -> None:
    with module_farm(tmp_path_factory.mktemp("people-pages") / "data") as farm, \
            TestClient(farm.client.app, follow_redirects=False) as c:
        assert page_login(c, "officer").status_code == 303
        page = c.get(f"/sites/{SITE_A}/roster")
        assert page.status_code == 200 and "Jadwal piket" in page.text
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert csrf is not None
        form = {"csrf": csrf.group(1), "username": "officer", "level": "0", "starts": "00:00",
                "ends": "00:00", "weekdays": [str(d) for d in range(7)]}
        r = c.post(f"/sites/{SITE_A}/roster", data=form)
        assert r.status_code == 303, r.text
        page = c.get(f"/sites/{SITE_A}/roster").text
        assert 'data-on-duty="1"' in page and "Sedang piket" in page
        bad = c.post(f"/sites/{SITE_A}/roster", data=form | {"ends": "7"})
        assert bad.status_code == 422 and "Selesai: jam sebagai JJ:MM" in bad.text
        r = c.post("/me/contacts", data={"csrf": csrf.group(1), "telegram": "5550001",
                                         "critical": ["telegram", "whatsapp"]})
        assert r.status_code == 422 and "WhatsApp perlu Nomor HP" not in r.text
        assert "whatsapp perlu Nomor HP (WhatsApp/SMS) lebih dulu" in r.text
        r = c.post("/me/contacts", data={"csrf": csrf.group(1), "telegram": "5550001",
                                         "phone": "6281200000001",
                                         "critical": ["telegram", "whatsapp"]})
        assert r.status_code == 303
        page = c.get("/me/contacts").text
        assert 'value="6281200000001"' in page and page.count("checked") == 2
    assert load_config(None, data_dir=tmp_path_factory.mktemp("x")).alerts.public_url is None


def test_a_link_to_an_alert_someone_else_acknowledged_is_spent(farm: Farm) -> None:
    alert, token = _open_alert(farm, "kolam-3", "officer")  # one open alert per pond
    Alerts(farm.registry.engine).acknowledge(alert, "admin", now_ms())
    r = farm.client.post(f"/a/{token}")
    assert r.status_code == 409 and "Peringatan ini sudah ditangani." in r.text
    assert Alerts(farm.registry.engine).get(alert).acked_by == "admin"
