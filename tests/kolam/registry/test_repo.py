"""Registry behaviour, on SQLite and on a real PostgreSQL (same models, same migrations)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kolam.errors import NotFound
from kolam.protocol import DeviceRef, Status
from kolam.registry.repo import DeadLetterIn, DeviceCheck, Registry

REF = DeviceRef("serang", "kolam-1", "node-1")


@pytest.fixture
def registry(registry_url: str) -> Iterator[Registry]:
    r = Registry(registry_url)
    yield r
    r.close()


def test_auto_provisioning(registry: Registry) -> None:
    assert registry.check_device(REF, auto_provision=True) is DeviceCheck.ACCEPTED
    assert [s.slug for s in registry.sites()] == ["serang"]
    assert [p.slug for p in registry.ponds("serang")] == ["kolam-1"]
    assert [d.slug for d in registry.devices("serang")] == ["node-1"]


def test_auto_provisioning_off(registry: Registry) -> None:
    assert registry.check_device(REF, auto_provision=False) is DeviceCheck.UNKNOWN
    assert registry.sites() == []


def test_device_moved_to_another_pond(registry: Registry) -> None:
    registry.check_device(REF, auto_provision=True)
    moved = DeviceRef("serang", "kolam-2", "node-1")
    assert registry.check_device(moved, auto_provision=True) is DeviceCheck.MOVED


def test_status_recorded(registry: Registry) -> None:
    registry.check_device(REF, auto_provision=True)
    registry.record_status(REF, Status(True, "fw", 2, 3.9, -70, 30), 1000)
    registry.record_status(REF, Status(False), 2000)
    d = registry.devices("serang", "kolam-1")[0]
    assert (d.online, d.fw, d.boot, d.interval_s, d.status_at) == (False, "fw", 2, 30, 2000)


def test_dead_letters(registry: Registry) -> None:
    registry.add_dead_letters([DeadLetterIn("t", "sentinel", "d", "x" * 10_000, 1),
                               DeadLetterIn("t", "bad_topic", "d", "{}", 2)])
    assert registry.dead_letter_counts() == {"sentinel": 1, "bad_topic": 1}
    newest = registry.dead_letters(limit=1)
    assert newest[0].reason == "bad_topic"
    assert len(registry.dead_letters(reason="sentinel")[0].payload) == 4096


def test_not_found(registry: Registry) -> None:
    with pytest.raises(NotFound):
        registry.ponds("nowhere")
    registry.ensure_pond("serang", "kolam-1")
    with pytest.raises(NotFound):
        registry.pond("serang", "kolam-9")


def test_migrations_are_idempotent(registry_url: str) -> None:
    Registry(registry_url).close()
    r = Registry(registry_url)
    r.ensure_pond("a", "b")
    assert r.site("a").pond_count == 1
    r.close()
