"""Voiding and correcting records (kolam.registry.corrections) on SQLite and PostgreSQL:
nothing is erased, the wrong record stops counting, the KPIs follow; and the members of
each log reach their skill record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from kolam.farming.kpi import DAY_MS, cycle_kpis
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.db import alembic_config
from kolam.registry.entries import Entries
from kolam.registry.records import (
    CycleInfo,
    InvalidRecord,
    LogKind,
    MemberInfo,
    NewCycle,
    NewHarvest,
    NewLog,
    NewMember,
    NewTeam,
    Programme,
)
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.timeutil import now_ms

T0 = now_ms() - 40 * DAY_MS


class Farm:
    def __init__(self, url: str) -> None:
        self.registry = Registry(url)
        self.registry.ensure_pond("serang", "kolam-1")
        engine = self.registry.engine
        self.teams, self.cycles = Teams(engine), Cycles(engine)
        self.entries, self.fix = Entries(engine), Corrections(engine)
        team = self.teams.add_team("serang", NewTeam("Lele Jaya", Programme.LELE_GROWOUT, T0))
        self.members: list[MemberInfo] = [
            self.teams.add_member("serang", team.id, NewMember(f"R-{i}", f"Anggota {i}", T0))
            for i in (1, 2, 3)]
        self.cycle: CycleInfo = self.cycles.start(
            "serang", "kolam-1", NewCycle(team.id, T0, 2000, 2.0))
        for d in range(1, 30):  # a plausible ration: ~5 %/day of the growing biomass
            self.entries.add_log("serang", self.cycle.id, NewLog(
                LogKind.FEEDING, T0 + d * DAY_MS, feed_kg=round(0.2 + 0.05 * d, 2)), "o")


@pytest.fixture
def farm(registry_url: str) -> Iterator[Farm]:
    f = Farm(registry_url)
    yield f
    f.registry.close()


def _fcr(farm: Farm) -> float | None:
    return cycle_kpis(farm.cycles.records("serang", farm.cycle.id), now_ms()).fcr


def test_a_500_kg_typo_voided_restores_the_fcr(farm: Farm) -> None:
    before = _fcr(farm)
    typo = farm.entries.add_log("serang", farm.cycle.id, NewLog(
        LogKind.FEEDING, T0 + 30 * DAY_MS, feed_kg=500), "o", confirmed=True)
    assert (_fcr(farm) or 0) > 5 * (before or 1)
    with pytest.raises(InvalidRecord, match="needs a reason"):
        farm.fix.void_log("serang", typo.id, "officer", "  ")
    voided = farm.fix.void_log("serang", typo.id, "officer", "salah ketik: 5 kg")
    assert voided.voided_by == "officer" and voided.void_reason == "salah ketik: 5 kg"
    assert _fcr(farm) == pytest.approx(before, rel=1e-4)  # "now" moved on a little
    history = farm.cycles.records("serang", farm.cycle.id, include_voided=True).logs
    assert [e.id for e in history if e.voided_at] == [typo.id]  # kept, not erased
    with pytest.raises(InvalidRecord, match="already voided"):
        farm.fix.void_log("serang", typo.id, "officer", "again")


def test_a_correction_replaces_the_log_and_is_checked_without_it(farm: Farm) -> None:
    wrong = farm.entries.add_log("serang", farm.cycle.id, NewLog(
        LogKind.SAMPLING, T0 + 20 * DAY_MS, sample_count=30, sample_weight_g=6000), "o",
        confirmed=True)  # 200 g a fish on day 20: a typo for 600 g
    fixed = farm.fix.correct_log("serang", wrong.id, NewLog(
        LogKind.SAMPLING, T0 + 20 * DAY_MS, sample_count=30, sample_weight_g=600), "officer",
        "berat total 600 g")
    assert fixed.new is not None and fixed.new.replaces_id == wrong.id
    assert fixed.old.voided_at is not None and fixed.old.void_reason == "corrected: berat total 600 g"
    logs = farm.cycles.records("serang", farm.cycle.id).logs
    samplings = [e for e in logs if e.kind is LogKind.SAMPLING]
    assert [e.sample_weight_g for e in samplings] == [600]
    with pytest.raises(InvalidRecord, match="keeps the kind"):
        farm.fix.correct_log("serang", fixed.new.id, NewLog(
            LogKind.FEEDING, T0 + 20 * DAY_MS, feed_kg=1), "officer", "x")
    # The replacement passes the same checks as a new log: a wrong date is refused and
    # the whole correction undone.
    with pytest.raises(InvalidRecord, match="outside cycle"):
        farm.fix.correct_log("serang", fixed.new.id, NewLog(
            LogKind.SAMPLING, T0 - DAY_MS, sample_count=30, sample_weight_g=600), "o", "x")
    assert farm.entries.log("serang", fixed.new.id).voided_at is None


def test_voiding_a_final_harvest_reopens_the_cycle(farm: Farm) -> None:
    final = farm.entries.add_harvest("serang", farm.cycle.id, NewHarvest(
        T0 + 35 * DAY_MS, 25.0, final=True, count=1500, price_per_kg_rp=22), "o",
        confirmed=True)
    assert not farm.cycles.cycle("serang", farm.cycle.id).active
    fixed = farm.fix.correct_harvest("serang", final.id, NewHarvest(
        T0 + 35 * DAY_MS, 25.0, final=True, count=1500, price_per_kg_rp=22_000), "officer",
        "harga Rp 22.000/kg")
    assert fixed.new is not None and fixed.new.price_per_kg_rp == 22_000
    assert not farm.cycles.cycle("serang", farm.cycle.id).active
    k = cycle_kpis(farm.cycles.records("serang", farm.cycle.id), now_ms())
    assert k.revenue_rp == 25 * 22_000
    farm.fix.void_harvest("serang", fixed.new.id, "officer", "belum dipanen")
    assert farm.cycles.cycle("serang", farm.cycle.id).active
    assert cycle_kpis(farm.cycles.records("serang", farm.cycle.id), now_ms()).harvested_kg == 0


def test_every_member_of_a_log_gets_the_credit(farm: Farm) -> None:
    a, b, c = farm.members
    log = farm.entries.add_log("serang", farm.cycle.id, NewLog(
        LogKind.WATER_EXCHANGE, T0 + 10 * DAY_MS, exchange_pct=20, member_ids=(b.id, a.id)),
        "o")
    assert log.member_ids == (b.id, a.id) and log.member_id == b.id
    assert [e.id for e in farm.entries.member_logs("serang", a.id)] == [log.id]
    assert [e.id for e in farm.entries.member_logs("serang", b.id)] == [log.id]
    assert farm.entries.member_logs("serang", c.id) == []
    farm.fix.void_log("serang", log.id, "officer", "bukan hari ini")
    assert farm.entries.member_logs("serang", a.id) == []


def test_migration_0006_copies_each_logs_member(registry_url: str) -> None:
    f = Farm(registry_url)
    member = f.members[0]
    log = f.entries.add_log("serang", f.cycle.id, NewLog(
        LogKind.FEEDING, T0 + 31 * DAY_MS, member.id, feed_kg=1.0), "o")
    from alembic import command

    engine = f.registry.engine
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")  # through 0006; the ORM below needs later columns
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT log_id, member_id FROM log_members")).all()
    assert [tuple(r) for r in rows] == [(log.id, member.id)]
    assert [e.id for e in f.entries.member_logs("serang", member.id)] == [log.id]
    f.registry.close()
