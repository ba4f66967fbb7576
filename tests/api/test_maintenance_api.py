"""Probe care through the API: the kiosk records a pH calibration and a drift check, the
drift is compared with the probe's reading at that time, due dates follow, officers void,
and the members get credit in their skill record (issue #17 item 5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kolam.config import KolamConfig
from kolam.protocol import DeviceRef
from kolam.store.base import SeriesKey
from kolam.timeutil import iso, now_ms
from tests.utils.farm import SITE_A, SITE_B, Farm, farm_app

BASE = f"/api/v1/sites/{SITE_A}/ponds/kolam-1/maintenance"


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        f.registry.check_device(DeviceRef(SITE_A, "kolam-1", "node-1"), auto_provision=True)
        now = now_ms()
        f.store.write([(SeriesKey(SITE_A, "kolam-1", "node-1", metric), now - i * 60_000, v)
                       for i in range(30) for metric, v in (("do_mgl", 6.0 + i / 100),
                                                            ("ph", 7.4))])
        yield f


def test_the_kiosk_records_a_ph_calibration(farm: Farm) -> None:
    c, kiosk = farm.client, farm.as_("kiosk")
    member = farm.ids[SITE_A]["member"]
    r = c.post(BASE, headers=kiosk, json={
        "device": "node-1", "kind": "ph_calibration", "buffer1": 7.00, "reading1": -8.0,
        "buffer2": 4.01, "reading2": 165.0, "temp_c": 28.0, "member_ids": [member]})
    assert r.status_code == 201, r.text
    e = r.json()
    assert (e["buffer1"], e["reading1"], e["buffer2"], e["reading2"]) == (7.0, -8.0, 4.01, 165.0)
    cal = e["calibration"]
    assert cal["slope_mv"] == pytest.approx(173 / 2.99, abs=0.01)
    assert cal["slope_pct"] == pytest.approx(100 * (173 / 2.99) / 59.75, abs=0.1)
    assert cal["offset_mv"] == pytest.approx(-8.0) and cal["ok"] is True
    assert e["recorded_by"] == "kiosk" and e["member_ids"] == [member]
    listed = c.get(BASE, headers=farm.as_("dinas")).json()
    assert [x["id"] for x in listed] == [e["id"]]


@pytest.mark.parametrize(("body", "key"), [
    ({"buffer1": 7.0, "reading1": 0.0, "buffer2": 4.5, "reading2": 170.0}, "4.5"),
    ({"buffer1": 7.0, "reading1": 170.0, "buffer2": 4.01, "reading2": 0.0}, "rise with pH"),
    ({"buffer1": 7.0, "reading1": 0.0}, "required"),
], ids=["not-a-buffer", "swapped", "missing"])
def test_a_calibration_that_cannot_be_is_refused(farm: Farm, body: dict[str, float],
                                                 key: str) -> None:
    r = farm.client.post(BASE, headers=farm.as_("officer"),
                         json={"device": "node-1", "kind": "ph_calibration"} | body)
    assert r.status_code == 422 and key in r.text


def test_a_drift_check_is_compared_with_the_probe(farm: Farm) -> None:
    c, kiosk = farm.client, farm.as_("kiosk")
    at = now_ms() - 5 * 60_000 - 1000
    r = c.post(BASE, headers=kiosk, json={"device": "node-1", "kind": "drift_check",
                                          "metric": "do_mgl", "manual_value": 5.3,
                                          "at": iso(at)})
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["probe_value"] == pytest.approx(6.05)  # the reading of 5 min ago
    assert e["difference"] == pytest.approx(0.75) and e["drift_ok"] is False
    ok = c.post(BASE, headers=kiosk, json={"device": "node-1", "kind": "drift_check",
                                           "metric": "ph", "manual_value": 7.3}).json()
    assert ok["difference"] == pytest.approx(0.1) and ok["drift_ok"] is True
    due = {(d["kind"]): d for d in c.get(f"{BASE}/due", headers=kiosk).json()}
    assert set(due) == {"do_membrane_check", "ph_calibration", "probe_cleaning",
                        "drift_check"}
    assert due["probe_cleaning"]["due"] is True  # the failed DO check: clean it today
    assert due["drift_check"]["due"] is False and due["drift_check"]["every_days"] == 7
    old = c.post(BASE, headers=kiosk, json={"device": "node-1", "kind": "drift_check",
                                            "metric": "do_mgl", "manual_value": 6.0,
                                            "at": iso(now_ms() - 3_600_000)}).json()
    assert old["probe_value"] is None and old["drift_ok"] is None  # no reading that hour


def test_officers_void_and_others_are_kept_out(farm: Farm) -> None:
    c = farm.client
    e = c.post(BASE, headers=farm.as_("kiosk"), json={
        "device": "node-1", "kind": "do_membrane_check"}).json()
    assert c.delete(f"{BASE}/{e['id']}", params={"reason": "x"},
                    headers=farm.as_("kiosk")).status_code == 403
    r = c.delete(f"{BASE}/{e['id']}", params={"reason": "salah kolam"},
                 headers=farm.as_("officer"))
    assert r.status_code == 200 and r.json()["void_reason"] == "salah kolam"
    assert c.get(BASE, headers=farm.as_("officer")).json() == []
    assert len(c.get(BASE, params={"include_voided": True},
                     headers=farm.as_("officer")).json()) == 1
    assert c.post(BASE, headers=farm.as_("dinas"), json={
        "device": "node-1", "kind": "probe_cleaning"}).status_code == 403
    assert c.post(f"/api/v1/sites/{SITE_B}/ponds/kolam-1/maintenance",
                  headers=farm.as_("officer"),
                  json={"device": "node-1", "kind": "probe_cleaning"}).status_code == 403
    assert c.post(BASE, headers=farm.as_("officer"), json={
        "device": "node-9", "kind": "probe_cleaning"}).status_code == 404
    assert c.post(BASE, headers=farm.as_("officer"), json={
        "device": "node-1", "kind": "probe_cleaning",
        "member_ids": [farm.ids[SITE_B]["member"]]}).status_code == 422


def test_care_is_credited_in_the_skill_record(farm: Farm) -> None:
    c, kiosk = farm.client, farm.as_("kiosk")
    member = farm.ids[SITE_A]["member"]
    url = f"/api/v1/sites/{SITE_A}/members/{member}/skill-record.json"

    def codes() -> set[str]:
        return {x["code"] for x in c.get(url, headers=farm.as_("officer")).json()[
            "competencies"]}

    assert not codes() & {"probe_care", "calibration"}
    for kind in ("do_membrane_check", "probe_cleaning"):
        assert c.post(BASE, headers=kiosk, json={"device": "node-1", "kind": kind,
                                                 "member_ids": [member]}).status_code == 201
    assert "probe_care" in codes() and "calibration" not in codes()
    record = c.get(url, headers=farm.as_("officer")).json()
    care = next(x for x in record["competencies"] if x["code"] == "probe_care")
    assert care["count"] == 2
