"""``level_low`` from the pond record (issue #19): the pipeline reads a pond's
``min_level_cm`` from a real registry and the engine raises below it."""

from __future__ import annotations

from pathlib import Path

from ingest.alerts.engine import AlertEngine
from ingest.alerts.pipeline import pond_min_level
from kolam.config import AlertsConfig
from kolam.places import PondShape, SitePlace
from kolam.registry.places import Places
from kolam.registry.repo import Registry
from kolam.store.base import SeriesKey

T0 = 1_764_000_000_000
MIN = 60_000


def test_a_recorded_minimum_reaches_the_engine(tmp_path: Path) -> None:
    registry = Registry(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        places = Places(registry.engine)
        places.add_site("rutan-serang", SitePlace(name="Rutan Serang"))
        places.add_pond("rutan-serang", "kolam-1", PondShape(depth_cm=100, min_level_cm=60))
        registry.ensure_pond("rutan-serang", "kolam-2")
        assert pond_min_level(registry, "rutan-serang", "kolam-1") == 60.0
        assert pond_min_level(registry, "rutan-serang", "kolam-2") is None
        assert pond_min_level(registry, "elsewhere", "kolam-1") is None

        engine = AlertEngine(AlertsConfig(),
                             min_level=lambda s, p: pond_min_level(registry, s, p))
        batch = []
        for pond in ("kolam-1", "kolam-2"):
            key = SeriesKey("rutan-serang", pond, "node-1", "level_cm")
            batch += [(key, T0 + i * MIN, 55.0) for i in range(40)]
        out = engine.evaluate(batch, [], [], T0 + 40 * MIN)
        assert [(t.alert.pond, t.rule, t.severity.value) for t in out] == [
            ("kolam-1", "level_low", "critical")]
    finally:
        registry.close()
