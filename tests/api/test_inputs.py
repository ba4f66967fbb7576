"""Crafted input gets a JSON 422, never a 500 or a stored infinity (issue #15, finding 10)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from starlette.requests import Request

from api.inputs import validation_error
from kolam.farming import bounds
from tests.utils.farm import SITE_A, Farm, module_farm

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with module_farm(tmp_path_factory.mktemp("inputs") / "data") as f:
        # Errors must come back as answers, not as exceptions out of the test client.
        f.client = TestClient(f.client.app, raise_server_exceptions=False)
        yield f


def _routes(farm: Farm) -> dict[str, str]:
    ids = farm.ids[SITE_A]
    cycle = f"/api/v1/sites/{SITE_A}/cycles/{ids['cycle']}"
    return {"log": f"{cycle}/logs", "harvest": f"{cycle}/harvests", "cost": f"{cycle}/costs",
            "team": f"/api/v1/sites/{SITE_A}/teams",
            "member": f"/api/v1/sites/{SITE_A}/teams/{ids['team']}/members",
            "user": "/api/v1/users", "silence": f"/api/v1/sites/{SITE_A}/silences"}


def _post(farm: Farm, route: str, body: str, headers: dict[str, str] = JSON) -> Any:
    return farm.client.post(_routes(farm)[route], content=body,
                            headers={**farm.as_("admin"), **headers})


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a response")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(("route", "body"), [
    ("log", '{"kind": "feeding", "feed_kg": NaN, "feed_type": 5}'),  # NaN in an invalid body
    ("log", '{"kind": "feeding", "feed_kg": 1, "protein_pct": NaN}'),
    ("cost", '{"category": "feed", "amount_rp": Infinity}'),
    ("cost", '{"category": "feed", "amount_rp": -Infinity}'),
    ("cost", '{"category": "feed", "amount_rp": 1e999}'),  # parsed as infinity
    ("harvest", '{"kg": 5, "price_per_kg_rp": 1e999}'),
    ("log", '{"kind": "measurement", "metric": "ph", "value": NaN}'),
])
def test_non_finite_numbers_are_422(farm: Farm, route: str, body: str) -> None:
    r = _post(farm, route, body)
    assert r.status_code == 422, r.text
    detail = _strict_json(r.text)["detail"]
    assert detail[0]["type"] == "finite_number"


def test_nan_without_a_content_type_is_422(farm: Farm) -> None:
    r = _post(farm, "cost", '{"category": "feed", "amount_rp": NaN}', headers={})
    assert r.status_code == 422 and _strict_json(r.text)["detail"][0]["type"] == "finite_number"


SURROGATE = "\\ud800"  # as JSON text: the escape, which json.loads turns into a lone surrogate


@pytest.mark.parametrize(("route", "body", "loc"), [
    ("team", f'{{"name": "{SURROGATE}"}}', ["body", "name"]),
    ("team", f'{{"name": "ok", "instructors": ["Pak {SURROGATE}"]}}',
     ["body", "instructors", 0]),
    ("member", f'{{"registration_no": "R1", "alias": "a{SURROGATE}b"}}', ["body", "alias"]),
    ("log", f'{{"kind": "note", "note": "{SURROGATE}"}}', ["body", "note"]),
    ("harvest", '{"kg": 1, "buyer": "\\udfff"}', ["body", "buyer"]),
    ("cost", f'{{"category": "feed", "amount_rp": 1, "description": "{SURROGATE}"}}',
     ["body", "description"]),
    ("user", f'{{"username": "x{SURROGATE}", "role": "admin"}}', ["body", "username"]),
    ("silence", f'{{"duration_s": 60, "reason": "{SURROGATE}"}}', ["body", "reason"]),
    ("team", f'{{"name": "ok", "{SURROGATE}": 1}}', ["body"]),  # in a key
])
def test_lone_surrogates_are_422(farm: Farm, route: str, body: str, loc: list[Any]) -> None:
    r = _post(farm, route, body)
    assert r.status_code == 422, r.text
    detail = _strict_json(r.text)["detail"][0]
    assert detail["type"] == "string_unicode" and detail["loc"] == loc


def test_surrogate_pairs_are_text(farm: Farm) -> None:
    """An emoji sent as a JSON surrogate pair is one character, not a lone surrogate."""
    r = _post(farm, "team", '{"name": "Lele \\ud83d\\udc1f Jaya"}')
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Lele \U0001f41f Jaya"


@pytest.mark.parametrize("query", [
    "start=0001-01-01T00:00:00%2B14:00",  # before year 1 in UTC
    "end=9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "start=1969-12-31T23:59:59Z",
    "end=2200-01-01T00:00:00Z",
])
def test_series_dates_out_of_range_are_422(farm: Farm, query: str) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/ponds/kolam-1/series?metric=do_mgl&{query}",
                        headers=farm.as_("officer"))
    assert r.status_code == 422, r.text
    assert "dates must be from 1970" in r.text


def test_series_dates_in_range(farm: Farm) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/ponds/kolam-1/series?metric=do_mgl"
                        "&start=1970-01-01T00:00:00Z&end=2199-12-31T23:00:00%2B07:00",
                        headers=farm.as_("officer"))
    assert r.status_code == 200, r.text


def test_record_dates_out_of_range_are_422(farm: Farm) -> None:
    r = _post(farm, "cost", '{"category": "feed", "amount_rp": 1, '
                            '"at": "0001-01-01T00:00:00+14:00"}')
    assert r.status_code == 422 and "dates must be from 1970" in r.text


# Each quantity a person types: (route, body without the field, field, largest accepted).
QUANTITIES = [
    ("log", {"kind": "feeding"}, "feed_kg", bounds.FEED_KG),
    ("log", {"kind": "mortality"}, "dead_count", bounds.FISH),
    ("log", {"kind": "sampling", "sample_weight_g": 100}, "sample_count", bounds.SAMPLE_FISH),
    ("log", {"kind": "sampling", "sample_count": 10}, "sample_weight_g",
     bounds.SAMPLE_WEIGHT_G),
    ("log", {"kind": "feeding", "feed_kg": 1}, "protein_pct", bounds.PERCENT),
    ("log", {"kind": "water_exchange"}, "exchange_pct", bounds.PERCENT),
    ("harvest", {}, "kg", bounds.HARVEST_KG),
    ("harvest", {"kg": 1}, "price_per_kg_rp", bounds.PRICE_PER_KG_RP),
    ("harvest", {"kg": 1}, "fish_per_kg", bounds.FISH_PER_KG),
    ("harvest", {"kg": 1}, "count", bounds.FISH),
    ("cost", {"category": "feed"}, "amount_rp", bounds.AMOUNT_RP),
]


@pytest.mark.parametrize(("route", "body", "field", "bound"), QUANTITIES,
                         ids=[q[2] for q in QUANTITIES])
def test_every_quantity_has_an_upper_bound(farm: Farm, route: str, body: dict[str, Any],
                                           field: str, bound: bounds.Bound) -> None:
    over = _post(farm, route, json.dumps(body | {field: bound.high * 1.01 + 1}))
    assert over.status_code == 422, over.text
    error = over.json()["detail"][0]
    assert error["type"] == "less_than_equal" and error["loc"] == ["body", field]
    # At the bound the request model accepts it (the records may still refuse it: more
    # dead fish than alive, say, but with their own 422 and never as a validation error).
    at = _post(farm, route, json.dumps(body | {field: bound.high}))
    assert at.status_code in (201, 422), at.text
    assert at.status_code == 201 or isinstance(at.json()["detail"], str), at.text


def test_the_kiosk_case_from_the_probe(farm: Farm) -> None:
    """feed_kg 1e308 was stored; FCR became null and the CSV showed inf."""
    r = farm.client.post(_routes(farm)["log"], json={"kind": "feeding", "feed_kg": 1e308},
                         headers=farm.as_("kiosk"))
    assert r.status_code == 422
    assert "At most 500 kg per log" in json.dumps(farm.client.get(
        "/openapi.json").json()["components"]["schemas"]["LogCreate"])


def test_cycle_quantities_bounded(farm: Farm) -> None:
    base = {"team_id": farm.ids[SITE_A]["team"], "seed_count": 100, "seed_weight_g": 2}
    url = f"/api/v1/sites/{SITE_A}/ponds/kolam-2/cycles"
    for field, value in (("seed_count", 1_000_001), ("seed_weight_g", 501),
                         ("seed_length_cm", 51), ("seed_cost_rp", 5e8 + 1),
                         ("target_fish_per_kg", 1001), ("team_id", 2**63)):
        r = farm.client.post(url, json=base | {field: value}, headers=farm.as_("admin"))
        assert r.status_code == 422, (field, r.text)
        assert r.json()["detail"][0]["loc"] == ["body", field]


def test_validation_error_answer_is_json_safe() -> None:
    """Whatever the input echoed in a 422 holds, the answer is strict JSON."""
    exc = RequestValidationError([
        {"type": "x", "loc": ("body", "a"), "msg": "m", "input": math.nan},
        {"type": "x", "loc": ("body", "b"), "msg": "m", "input": {"k": [math.inf, "\ud800"]}},
    ])
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    import asyncio

    response = asyncio.run(validation_error(request, exc))
    detail = _strict_json(bytes(response.body).decode())["detail"]
    assert detail[0]["input"] == "nan" and detail[1]["input"] == {"k": ["inf", "\\ud800"]}


def test_bounds_are_finite_and_explained() -> None:
    for name in dir(bounds):
        value = getattr(bounds, name)
        if isinstance(value, bounds.Bound):
            assert math.isfinite(value.high) and value.high > 0 and value.why, name
