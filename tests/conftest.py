"""Shared fixtures: a real Mosquitto per test that asks for one, and a config factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kolam.config import KolamConfig, load_config
from tests.utils.mosquitto import Mosquitto

# Real InfluxDB and PostgreSQL fixtures: influx_server, influx_db, postgres_url.
pytest_plugins = ["tests.utils.influx", "tests.utils.postgres"]


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path / "mosquitto").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def make_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., KolamConfig]:
    """Config over a fresh data dir; the developer's KOLAM_* variables are ignored."""
    import os

    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)

    def make(**overrides: Any) -> KolamConfig:
        return load_config(None, **({"data_dir": tmp_path / "data"} | overrides))

    return make
