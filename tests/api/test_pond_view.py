"""A device's "last seen" agrees with the readings' age (issue #17: "last seen 10 min ago"
beside readings "just now")."""

from __future__ import annotations

from api.pond_view import pond_view
from kolam.registry.repo import DeviceInfo, PondInfo
from kolam.store.base import Latest, SeriesKey

NOW = 1_800_000_000_000
POND = PondInfo("serang", "kolam-1", "Kolam 1", 50.0, 100.0)


def _device(slug: str, status_at: int | None) -> DeviceInfo:
    return DeviceInfo("serang", "kolam-1", slug, True, True, status_at, "1.0", 1, 3.9, -60.0,
                      300.0)


def test_a_device_is_seen_when_its_readings_arrive() -> None:
    latest = [Latest(SeriesKey("serang", "kolam-1", "node-1", "do_mgl"), NOW - 5_000, 5.2),
              Latest(SeriesKey("serang", "kolam-1", "node-1", "ph"), NOW - 9_000, 7.4)]
    devices = [_device("node-1", NOW - 600_000), _device("node-2", NOW - 60_000),
               _device("node-3", None)]
    view = pond_view(POND, latest, [], devices, None, NOW, 3.0)
    assert view.heard["node-1"] == NOW - 5_000  # its newest reading, not its 10-min-old status
    assert view.heard["node-2"] == NOW - 60_000  # no readings: its status
    assert "node-3" not in view.heard  # never heard of
