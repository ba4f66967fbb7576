"""The REST API over a real SQLite store and registry."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, Status
from kolam.registry.repo import Registry
from kolam.store import SeriesKey, SqliteStore
from kolam.timeutil import iso, now_ms
from tests.utils.auth import admin_client

MIN = 60_000


@pytest.fixture
def client(make_config: Callable[..., KolamConfig]) -> Iterator[TestClient]:
    config = make_config()
    store = SqliteStore(config.samples_path)
    registry = Registry(config.registry_url)
    now = now_ms() // MIN * MIN
    ref = DeviceRef("serang", "kolam-1", "node-1")
    registry.check_device(ref, auto_provision=True)
    registry.record_status(ref, Status(True, "sim-1.0", 1, 4.0, -60, 60), now)
    registry.ensure_pond("serang", "kolam-2")
    key = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
    store.write([(key, now - (59 - i) * MIN, float(i % 10)) for i in range(60)])
    store.write([(SeriesKey("serang", "kolam-1", "node-1", "temp_c"), now, 33.0)])
    with TestClient(create_app(config, store, registry)) as c:
        admin_client(c, registry)
        c.now = now  # type: ignore[attr-defined]
        yield c
    store.close()
    registry.close()


def test_sites_and_ponds(client: TestClient) -> None:
    assert client.get("/api/v1/sites").json() == [
        {"slug": "serang", "name": "serang", "pond_count": 2, "kind": "other",
         "province": None, "regency": None, "lat": None, "lon": None,
         "timezone": "Asia/Jakarta", "altitude_m": 0.0}]  # an auto-provisioned site
    ponds = {p["slug"]: p for p in client.get("/api/v1/sites/serang/ponds").json()}
    # 33 °C is above the 30 °C optimum, but the status is the alert engine's judgement (with
    # its hold times), not one reading's: no alert open, so ok; the reading says warning.
    assert ponds["kolam-1"]["status"] == "ok"
    assert ponds["kolam-2"]["status"] == "offline"  # no readings at all
    detail = client.get("/api/v1/sites/serang/ponds/kolam-1").json()
    assert detail["latest"]["temp_c"]["level"] == "warning"
    assert detail["status"] == "ok" and detail["active_alerts"] == []
    assert detail["latest"]["do_mgl"]["value"] == 9.0
    assert detail["latest"]["do_mgl"]["unit"] == "mg/L"
    assert detail["devices"][0]["battery_v"] == 4.0


def test_raw_and_downsampled_series(client: TestClient) -> None:
    now = client.now  # type: ignore[attr-defined]
    params = {"metric": "do_mgl", "start": iso(now - 60 * MIN), "end": iso(now + 1)}
    raw = client.get("/api/v1/sites/serang/ponds/kolam-1/series", params=params).json()
    assert len(raw["points"]) == 60 and raw["unit"] == "mg/L" and "buckets" not in raw
    stepped = client.get("/api/v1/sites/serang/ponds/kolam-1/series",
                         params=params | {"step": 600}).json()
    buckets = stepped["buckets"]
    assert sum(b["count"] for b in buckets) == 60
    full = [b for b in buckets if b["count"] == 10]
    assert full and all((b["min"], b["max"], b["mean"]) == (0.0, 9.0, 4.5) for b in full)


def test_csv_twin(client: TestClient) -> None:
    now = client.now  # type: ignore[attr-defined]
    r = client.get("/api/v1/sites/serang/ponds/kolam-1/series.csv",
                   params={"metric": "do_mgl", "start": iso(now - 10 * MIN), "end": iso(now + 1)})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["time_utc", "do_mgl (mg/L)"]
    assert len(rows) == 12 and rows[-1][0] == iso(now)


@pytest.mark.parametrize(("path", "params", "status", "words"), [
    ("/api/v1/sites/nowhere/ponds", {}, 404, "nowhere"),
    ("/api/v1/sites/serang/ponds/kolam-9", {}, 404, "kolam-9"),
    ("/api/v1/sites/serang/ponds/kolam-1/series", {"metric": "salinity"}, 422, "unknown metric"),
    ("/api/v1/sites/serang/ponds/kolam-1/series",
     {"metric": "ph", "start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}, 422,
     "before"),
    ("/api/v1/sites/serang/ponds/kolam-1/series", {"metric": "ph", "step": 0}, 422, ""),
    ("/api/v1/sites/serang/ponds/kolam-1/series",
     {"metric": "ph", "start": "2020-01-01T00:00:00Z", "step": 1}, 422, "buckets"),
])
def test_errors_are_json_with_a_message(client: TestClient, path: str, params: dict[str, object],
                                        status: int, words: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status
    assert words in str(r.json()["detail"])


def test_health_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    text = client.get("/metrics").text
    assert 'kolam_devices{site="serang",state="online"} 1.0' in text
