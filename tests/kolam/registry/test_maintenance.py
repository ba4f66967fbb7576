"""Probe care entries in the registry: kinds and their fields, members of the site, void,
due dates per device and the counts a skill record takes."""

from __future__ import annotations

import pytest

from kolam.errors import InvalidRecord, NotFound
from kolam.farming.kpi import DAY_MS
from kolam.farming.probe_care import Kind
from kolam.protocol import DeviceRef
from kolam.registry.maintenance import Maintenance, NewMaintenance
from kolam.registry.records import NewMember, NewTeam, Programme
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.timeutil import now_ms


@pytest.fixture
def setup(registry_url: str) -> tuple[Registry, Maintenance, int]:
    registry = Registry(registry_url)
    for site in ("serang", "cilegon"):
        registry.check_device(DeviceRef(site, "kolam-1", "node-1"), auto_provision=True)
    teams = Teams(registry.engine)
    team = teams.add_team("serang", NewTeam("Lele Jaya", Programme.LELE_GROWOUT, 0, ()))
    member = teams.add_member("serang", team.id, NewMember("REG-1", "Anggota 1", 0))
    return registry, Maintenance(registry.engine), member.id


def test_a_ph_calibration_is_recorded_with_its_buffers(
        setup: tuple[Registry, Maintenance, int]) -> None:
    registry, care, member = setup
    now = now_ms()
    e = care.add("serang", "kolam-1", "node-1", NewMaintenance(
        Kind.PH_CALIBRATION, now, (member,), 7.00, -12.0, 4.01, 160.0, 28.0, note="ok"),
        "kiosk")
    assert (e.buffer1, e.reading1, e.buffer2, e.reading2) == (7.0, -12.0, 4.01, 160.0)
    assert e.member_ids == (member,) and e.device == "node-1"
    c = e.calibration
    assert c is not None and c.ok and c.offset_mv == pytest.approx(-12.0)
    assert [x.id for x in care.entries("serang", "kolam-1")] == [e.id]
    assert care.entries("cilegon", "kolam-1") == []
    with pytest.raises(InvalidRecord):
        care.add("serang", "kolam-1", "node-1",
                 NewMaintenance(Kind.PH_CALIBRATION, now, buffer1=7.0, reading1=0.0), "kiosk")
    registry.close()


def test_fields_of_another_kind_are_dropped_and_members_checked(
        setup: tuple[Registry, Maintenance, int]) -> None:
    registry, care, member = setup
    e = care.add("serang", "kolam-1", "node-1", NewMaintenance(
        Kind.DO_MEMBRANE_CHECK, now_ms(), buffer1=7.0, manual_value=3.0), "officer")
    assert e.buffer1 is None and e.manual_value is None
    with pytest.raises(InvalidRecord) as exc:  # a member of serang, recorded at cilegon
        care.add("cilegon", "kolam-1", "node-1",
                 NewMaintenance(Kind.PROBE_CLEANING, now_ms(), (member,)), "officer")
    assert exc.value.key == "not_site_members"
    with pytest.raises(NotFound):
        care.add("serang", "kolam-1", "node-9",
                 NewMaintenance(Kind.PROBE_CLEANING, now_ms()), "officer")
    with pytest.raises(InvalidRecord):
        care.add("serang", "kolam-1", "node-1", NewMaintenance(
            Kind.DRIFT_CHECK, now_ms(), metric="do_mgl", manual_value=55.0), "officer")
    registry.close()


def test_due_dates_follow_the_entries(setup: tuple[Registry, Maintenance, int]) -> None:
    registry, care, member = setup
    now = now_ms()
    later = now + 9 * DAY_MS
    metrics = {"node-1": {"do_mgl", "ph", "temp_c"}}
    first = {(d.kind, d.overdue) for d in care.due("serang", "kolam-1", metrics, later)}
    assert first == {(Kind.DO_MEMBRANE_CHECK, True), (Kind.DRIFT_CHECK, True),
                     (Kind.PH_CALIBRATION, False), (Kind.PROBE_CLEANING, False)}
    care.add("serang", "kolam-1", "node-1",
             NewMaintenance(Kind.DO_MEMBRANE_CHECK, later - DAY_MS, (member,)), "kiosk")
    drift = care.add("serang", "kolam-1", "node-1", NewMaintenance(
        Kind.DRIFT_CHECK, later - 3_600_000, (member,), metric="do_mgl", manual_value=5.0,
        probe_value=6.0, probe_at=later - 3_600_000), "kiosk")
    assert drift.difference == pytest.approx(1.0) and drift.drift_ok is False
    due = {d.kind: d for d in care.due("serang", "kolam-1", metrics, later)}
    assert not due[Kind.DO_MEMBRANE_CHECK].overdue
    assert due[Kind.DO_MEMBRANE_CHECK].due_at == later + 6 * DAY_MS
    assert due[Kind.PROBE_CLEANING].due_at <= later - 3_600_000  # never cleaned, drifted
    care.add("serang", "kolam-1", "node-1",
             NewMaintenance(Kind.PROBE_CLEANING, later - 5 * DAY_MS), "kiosk")
    due = {d.kind: d for d in care.due("serang", "kolam-1", metrics, later)}
    assert due[Kind.PROBE_CLEANING].due_at == later - 3_600_000  # the failed check: today
    assert care.due("serang", "kolam-1", {"node-1": {"temp_c"}}, later) == []
    assert care.member_counts("serang", member) == {Kind.DO_MEMBRANE_CHECK: 1,
                                                    Kind.DRIFT_CHECK: 1}
    care.void("serang", drift.id, "officer", "wrong pond")
    assert care.member_counts("serang", member) == {Kind.DO_MEMBRANE_CHECK: 1}
    assert care.entry("serang", drift.id).void_reason == "wrong pond"
    with pytest.raises(InvalidRecord):
        care.void("serang", drift.id, "officer", "again")
    registry.close()
