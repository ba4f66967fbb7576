"""Two real Mosquitto brokers: the site's local one and the central one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.mosquitto import Mosquitto


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path / "local").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path / "central").start()
    try:
        yield broker
    finally:
        broker.stop()
