"""docs/security.md's ACL table says what ``kolam broker-config`` really grants."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolam.broker.acl import ServiceRole, device_grants, service_grants
from kolam.protocol import DeviceRef

TEXT = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text("utf-8")


def _row(first_cell_start: str) -> str:
    rows = [line for line in TEXT.splitlines() if line.startswith(f"| {first_cell_start}")]
    assert len(rows) == 1, first_cell_start
    return rows[0]


def _documented(topic: str, row: str) -> bool:
    """The doc abbreviates a device's own topics after the first as ``.../leaf``."""
    return f"`{topic}`" in row or f"`.../{topic.rsplit('/', 1)[-1]}`" in row


@pytest.mark.parametrize("role", list(ServiceRole))
def test_each_role_row_names_its_grants(role: ServiceRole) -> None:
    row = _row(f"`{role.value}`")
    for grant in service_grants(role, "serang"):
        topic = grant.topic.replace("/serang/", "/{site}/").replace("/serang", "/{site}")
        assert f"`{topic}`" in row, (role, topic)


def test_the_device_row_names_its_grants() -> None:
    row = _row("device")
    for grant in device_grants(DeviceRef("serang", "kolam-1", "node-1")):
        topic = grant.topic.replace("serang/kolam-1/node-1", "{site}/{pond}/{device}")
        assert _documented(topic, row), topic
