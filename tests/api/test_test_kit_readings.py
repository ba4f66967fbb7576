"""Manual TAN and nitrite readings from test kits that report NH3, NH4 or NO2, through
``POST /api/v1/sites/{site}/cycles/{cycle}/logs``: stored as mg/L of N, the entry kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kolam.config import KolamConfig
from kolam.science.chemistry import NITROGEN_FORMS, as_nitrogen
from tests.utils.farm import SITE_A, Farm, farm_app


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def test_nitrogen_factors_from_molar_masses() -> None:
    assert NITROGEN_FORMS["tan_mgl"]["NH3"] == pytest.approx(1.216, abs=5e-4)
    assert NITROGEN_FORMS["tan_mgl"]["NH4"] == pytest.approx(1.288, abs=5e-4)
    assert NITROGEN_FORMS["no2_mgl"]["NO2"] == pytest.approx(3.284, abs=5e-4)
    assert as_nitrogen("tan_mgl", 1.216, "NH3") == pytest.approx(1.0, abs=1e-3)
    assert as_nitrogen("no2_mgl", 0.5, "N") == 0.5
    with pytest.raises(ValueError, match="can be reported as N, NO2"):
        as_nitrogen("no2_mgl", 0.5, "NH3")
    with pytest.raises(ValueError, match="not a nitrogen compound"):
        as_nitrogen("ph", 7.0, "N")


def test_a_kit_reading_as_nh3_is_stored_as_tan_n(farm: Farm) -> None:
    logs = f"/api/v1/sites/{SITE_A}/cycles/{farm.ids[SITE_A]['cycle']}/logs"
    officer = farm.as_("officer")
    r = farm.client.post(logs, headers=officer, json={
        "kind": "measurement", "metric": "tan_mgl", "value": 2.0, "reported_as": "NH3",
        "note": "pagi"})
    assert r.status_code == 201, r.text
    assert r.json()["value"] == pytest.approx(2.0 / 1.216, abs=1e-3)
    assert r.json()["note"] == "test kit: 2 mg/L as NH3 = 1.64 mg/L as N; pagi"
    r = farm.client.post(logs, headers=officer, json={
        "kind": "measurement", "metric": "no2_mgl", "value": 1.0, "reported_as": "NO2"})
    assert r.json()["value"] == pytest.approx(0.3045, abs=1e-3)
    r = farm.client.post(logs, headers=officer, json={
        "kind": "measurement", "metric": "no2_mgl", "value": 0.2, "reported_as": "N"})
    assert (r.json()["value"], r.json()["note"]) == (0.2, "")


def test_a_form_the_metric_does_not_have_is_refused(farm: Farm) -> None:
    logs = f"/api/v1/sites/{SITE_A}/cycles/{farm.ids[SITE_A]['cycle']}/logs"
    officer = farm.as_("officer")
    r = farm.client.post(logs, headers=officer, json={
        "kind": "measurement", "metric": "no2_mgl", "value": 1.0, "reported_as": "NH3"})
    assert r.status_code == 422 and "can be reported as N, NO2" in r.json()["detail"]
    r = farm.client.post(logs, headers=officer, json={
        "kind": "measurement", "metric": "tan_mgl", "value": 1.0, "reported_as": "ppm"})
    assert r.status_code == 422
