"""Correcting and voiding logs, harvests and costs through the API: audited, kept in the
history, KPIs recomputed; and the members who did the work (issue #17)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kolam.config import KolamConfig
from kolam.farming.kpi import DAY_MS
from kolam.timeutil import iso, now_ms
from tests.utils.farm import SITE_A, Farm, farm_app


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def _audit(farm: Farm, entity: str) -> list[dict[str, object]]:
    r = farm.client.get("/api/v1/audit", params={"site": SITE_A}, headers=farm.as_("admin"))
    assert r.status_code == 200, r.text
    return [a for a in r.json() if a["entity"] == entity]


def test_a_500_kg_typo_is_voided_and_fcr_recomputed(farm: Farm) -> None:
    c, officer = farm.client, farm.as_("officer")
    cycle = farm.ids[SITE_A]["cycle"]
    base = f"/api/v1/sites/{SITE_A}/cycles/{cycle}"
    fcr = c.get(f"{base}/kpis", headers=officer).json()["fcr"]
    at = iso(now_ms() - 5 * DAY_MS)
    r = c.post(f"{base}/logs", headers=officer, json={"kind": "feeding", "feed_kg": 500,
                                                      "at": at, "confirm": True})
    assert r.status_code == 201, r.text
    typo = r.json()
    assert c.get(f"{base}/kpis", headers=officer).json()["fcr"] > 10 * fcr
    assert c.delete(f"{base}/logs/{typo['id']}", headers=officer).status_code == 422  # no reason
    r = c.delete(f"{base}/logs/{typo['id']}", params={"reason": "salah ketik, 5 kg"},
                 headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["voided_by"] == "officer" and r.json()["voided_at"] is not None
    assert c.get(f"{base}/kpis", headers=officer).json()["fcr"] == pytest.approx(fcr, rel=1e-3)
    logs = c.get(f"{base}/logs", headers=officer).json()
    assert typo["id"] not in [e["id"] for e in logs]
    history = c.get(f"{base}/logs", params={"include_voided": "true"}, headers=officer).json()
    assert [e["void_reason"] for e in history if e["id"] == typo["id"]] == ["salah ketik, 5 kg"]
    (entry,) = _audit(farm, "log")
    assert entry["action"] == "void" and entry["entity_id"] == typo["id"]
    assert "salah ketik, 5 kg" in entry["detail"] and "feed_kg=500" in entry["detail"]
    r = c.delete(f"{base}/logs/{typo['id']}", params={"reason": "again"}, headers=officer)
    assert r.status_code == 422 and "already voided" in r.json()["detail"]


def test_a_log_is_corrected_in_place_of_the_wrong_one(farm: Farm) -> None:
    c, officer = farm.client, farm.as_("officer")
    ids = farm.ids[SITE_A]
    base = f"/api/v1/sites/{SITE_A}/cycles/{ids['cycle']}"
    wrong = c.get(f"{base}/logs", headers=officer).json()[0]  # the seeded 0.2 kg feeding
    r = c.patch(f"{base}/logs/{wrong['id']}", headers=officer,
                json={"feed_kg": 0.25, "reason": "timbangan dicek ulang"})
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["replaces_id"] == wrong["id"] and new["feed_kg"] == 0.25
    assert new["at"] == wrong["at"] and new["member_ids"] == [ids["member"]]
    assert [e["id"] for e in c.get(f"{base}/logs", headers=officer).json()
            if e["kind"] == "feeding"] == [new["id"]]
    (entry,) = _audit(farm, "log")
    assert entry["action"] == "correct" and "feed_kg=0.2" in entry["detail"]
    assert f"now log {new['id']}" in entry["detail"]
    # The correction is checked like a new log: a wrong log id of another cycle is 404.
    r = c.patch(f"/api/v1/sites/{SITE_A}/cycles/{ids['cycle'] + 99}/logs/{new['id']}",
                headers=officer, json={"feed_kg": 1, "reason": "x"})
    assert r.status_code == 404
    r = c.patch(f"{base}/logs/{new['id']}", headers=farm.as_("dinas"),
                json={"feed_kg": 1, "reason": "x"})
    assert r.status_code == 403


def test_harvest_and_cost_corrections(farm: Farm) -> None:
    c, officer = farm.client, farm.as_("officer")
    base = f"/api/v1/sites/{SITE_A}/cycles/{farm.ids[SITE_A]['cycle']}"
    harvest = c.get(f"{base}/harvests", headers=officer).json()[0]
    r = c.patch(f"{base}/harvests/{harvest['id']}", headers=officer,
                json={"price_per_kg_rp": 22, "reason": "harga"})
    assert r.status_code == 422 and r.json()["needs_confirmation"] is True
    r = c.patch(f"{base}/harvests/{harvest['id']}", headers=officer,
                json={"price_per_kg_rp": 22_000, "reason": "harga Rp 22.000/kg"})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == harvest["count"] and r.json()["kg"] == harvest["kg"]
    assert c.get(f"{base}/kpis", headers=officer).json()["revenue_rp"] == 5 * 22_000
    cost = c.get(f"{base}/costs", headers=officer).json()[0]
    r = c.delete(f"{base}/costs/{cost['id']}", params={"reason": "dobel"}, headers=officer)
    assert r.status_code == 200 and c.get(f"{base}/costs", headers=officer).json() == []
    assert {a["action"] for a in _audit(farm, "harvest") + _audit(farm, "cost")} == {
        "correct", "void"}


def test_the_kiosk_names_members_and_undoes_only_its_own(farm: Farm) -> None:
    c, kiosk, officer = farm.client, farm.as_("kiosk"), farm.as_("officer")
    ids = farm.ids[SITE_A]
    base = f"/api/v1/sites/{SITE_A}/cycles/{ids['cycle']}"
    r = c.post(f"{base}/logs", headers=kiosk, json={"kind": "feeding", "feed_kg": 0.1,
                                                    "member_ids": [ids["member"]]})
    assert r.status_code == 201, r.text
    assert r.json()["member_ids"] == [ids["member"]] and r.json()["recorded_by"] == "kiosk"
    skill = c.get(f"/api/v1/sites/{SITE_A}/members/{ids['member']}/skill-record.json",
                  headers=officer).json()
    assert {a["kind"]: a["count"] for a in skill["activities"]}["feeding"] == 2
    r = c.delete(f"{base}/logs/{r.json()['id']}", params={"reason": "salah kolam"},
                 headers=kiosk)
    assert r.status_code == 200
    officers = c.get(f"{base}/logs", headers=kiosk).json()[0]
    r = c.delete(f"{base}/logs/{officers['id']}", params={"reason": "x"}, headers=kiosk)
    assert r.status_code == 422 and "can no longer be undone" in r.json()["detail"]
    other = farm.ids["pandeglang"]["member"]
    r = c.post(f"{base}/logs", headers=kiosk, json={"kind": "feeding", "feed_kg": 0.1,
                                                    "member_ids": [other]})
    assert r.status_code == 422 and "not in the team" in r.json()["detail"]
