"""Teams, cycles and their records in a real SQLite registry, and the impossible ones refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolam.errors import NotFound
from kolam.farming.kpi import DAY_MS
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import (
    InvalidRecord,
    LogKind,
    MemberStatus,
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

T0 = now_ms() - 50 * DAY_MS


class Farm:
    def __init__(self, path: Path) -> None:
        self.registry = Registry(f"sqlite:///{path / 'registry.sqlite'}")
        self.registry.ensure_pond("serang", "kolam-1")
        self.registry.ensure_pond("serang", "kolam-2")
        self.registry.ensure_pond("lebak", "kolam-1")
        self.teams = Teams(self.registry.engine)
        self.cycles = Cycles(self.registry.engine)
        self.entries = Entries(self.registry.engine)
        self.team = self.teams.add_team("serang", NewTeam("Lele Jaya", Programme.LELE_GROWOUT,
                                                          T0))
        self.member = self.teams.add_member("serang", self.team.id,
                                            NewMember("R-1", "Anggota 1", T0))
        self.cycle = self.cycles.start("serang", "kolam-1",
                                       NewCycle(self.team.id, T0 + DAY_MS, 100, 2.0))


@pytest.fixture
def farm(tmp_path: Path) -> Farm:
    return Farm(tmp_path)


def test_records_round_trip(farm: Farm) -> None:
    e = farm.entries
    c = farm.cycle.id
    e.add_log("serang", c, NewLog(LogKind.FEEDING, T0 + 2 * DAY_MS, farm.member.id,
                                  feed_kg=0.5, protein_pct=31), "officer", confirmed=True)
    e.add_log("serang", c, NewLog(LogKind.MORTALITY, T0 + 3 * DAY_MS, dead_count=10), "kiosk")
    e.add_log("serang", c, NewLog(LogKind.SAMPLING, T0 + 30 * DAY_MS, sample_count=10,
                                  sample_weight_g=250), "officer")
    h = e.add_harvest("serang", c, NewHarvest(T0 + 30 * DAY_MS, 2.0, member_ids=(
        farm.member.id,)), "officer")
    # 2 kg ÷ 25 g from that day's sampling (a later harvest uses the grown weight:
    # tests/kolam/registry/test_harvest_counts.py).
    assert (h.count, h.count_measured) == (80, False)
    graded = e.add_harvest("serang", c, NewHarvest(T0 + 31 * DAY_MS, 0.25, fish_per_kg=20),
                           "officer")
    assert graded.count == 5
    records = farm.cycles.records("serang", c)
    assert [x.kind for x in records.logs] == [LogKind.FEEDING, LogKind.MORTALITY,
                                              LogKind.SAMPLING]
    assert records.logs[0].member_id == farm.member.id and records.logs[1].recorded_by == "kiosk"
    assert [x.member_ids for x in records.harvests] == [(farm.member.id,), ()]
    assert [x.id for x in e.member_logs("serang", farm.member.id)] == [records.logs[0].id]
    assert len(e.member_harvests("serang", farm.member.id)) == 1
    final = e.add_harvest("serang", c, NewHarvest(T0 + 40 * DAY_MS, 0.5, final=True, count=5),
                          "officer")
    assert final.final and not farm.cycles.cycle("serang", c).active
    assert farm.cycles.active_cycle("serang", "kolam-1") is None
    again = farm.cycles.start("serang", "kolam-1", NewCycle(farm.team.id, T0 + 41 * DAY_MS,
                                                            50, 3.0))
    assert farm.cycles.active_cycle("serang", "kolam-1") == again


@pytest.mark.parametrize(("log", "words"), [
    (NewLog(LogKind.FEEDING, T0 + 2 * DAY_MS), "needs feed_kg"),
    (NewLog(LogKind.FEEDING, T0 + 2 * DAY_MS, feed_kg=-1), "cannot be negative"),
    (NewLog(LogKind.FEEDING, T0, feed_kg=1), "outside cycle"),  # before stocking
    (NewLog(LogKind.FEEDING, now_ms() + 2 * DAY_MS, feed_kg=1), "outside cycle"),
    (NewLog(LogKind.MORTALITY, T0 + 2 * DAY_MS, dead_count=101), "more than the 100 fish alive"),
    (NewLog(LogKind.SAMPLING, T0 + 2 * DAY_MS, sample_count=5, sample_weight_g=0),
     "more than 0 g"),
    (NewLog(LogKind.MEASUREMENT, T0 + 2 * DAY_MS, metric="salinity", value=1),
     "unknown metric"),
    (NewLog(LogKind.MEASUREMENT, T0 + 2 * DAY_MS, metric="ph", value=15), "outside the possible"),
    (NewLog(LogKind.WATER_EXCHANGE, T0 + 2 * DAY_MS, exchange_pct=150), "0–100"),
    (NewLog(LogKind.NOTE, T0 + 2 * DAY_MS), "needs note"),
    (NewLog(LogKind.FEEDING, T0 + 2 * DAY_MS, member_id=999, feed_kg=1), "not in the team"),
])
def test_impossible_logs_are_refused(farm: Farm, log: NewLog, words: str) -> None:
    with pytest.raises(InvalidRecord, match=words):
        farm.entries.add_log("serang", farm.cycle.id, log, "officer")
    assert farm.cycles.records("serang", farm.cycle.id).logs == ()


def test_impossible_harvests_and_cycles_are_refused(farm: Farm) -> None:
    c = farm.cycle.id
    farm.entries.add_log("serang", c, NewLog(LogKind.MORTALITY, T0 + 2 * DAY_MS, dead_count=20),
                         "officer", confirmed=True)  # 20 % of the pond: asked about
    with pytest.raises(InvalidRecord, match=r"harvest of 81 fish .* more than the 80 alive"):
        farm.entries.add_harvest("serang", c, NewHarvest(T0 + 3 * DAY_MS, 1.0, count=81), "o")
    with pytest.raises(InvalidRecord, match="derived from the weight"):
        farm.entries.add_harvest("serang", c, NewHarvest(T0 + 3 * DAY_MS, 1.0), "o")  # 500 fish
    with pytest.raises(InvalidRecord, match="more than 0 kg"):
        farm.entries.add_harvest("serang", c, NewHarvest(T0 + 3 * DAY_MS, -2.0), "o")
    with pytest.raises(InvalidRecord, match="already has an active cycle"):
        farm.cycles.start("serang", "kolam-1", NewCycle(farm.team.id, T0 + 5 * DAY_MS, 10, 2.0))
    with pytest.raises(InvalidRecord, match="seed weight"):
        farm.cycles.start("serang", "kolam-2", NewCycle(farm.team.id, T0, 10, -1.0))
    with pytest.raises(NotFound):  # another site's team
        farm.cycles.start("lebak", "kolam-1", NewCycle(farm.team.id, T0, 10, 2.0))
    farm.entries.add_harvest("serang", c, NewHarvest(T0 + 10 * DAY_MS, 1.0, final=True,
                                                     count=70), "o", confirmed=True)
    with pytest.raises(InvalidRecord, match="ended"):
        farm.entries.add_harvest("serang", c, NewHarvest(T0 + 11 * DAY_MS, 1.0, count=1), "o")
    with pytest.raises(InvalidRecord, match="outside cycle"):
        farm.entries.add_log("serang", c, NewLog(LogKind.FEEDING, T0 + 11 * DAY_MS, feed_kg=1),
                             "o")


def test_members_and_scoping(farm: Farm) -> None:
    with pytest.raises(InvalidRecord, match="already in team"):
        farm.teams.add_member("serang", farm.team.id, NewMember("R-1", "Lagi", T0))
    with pytest.raises(InvalidRecord, match="already has a team named"):
        farm.teams.add_team("serang", NewTeam("Lele Jaya", Programme.LELE_GROWOUT, T0))
    left = farm.teams.set_member_status("serang", farm.member.id, MemberStatus.RELEASED,
                                        T0 + 9 * DAY_MS)
    assert left.status is MemberStatus.RELEASED and left.left_at == T0 + 9 * DAY_MS
    with pytest.raises(NotFound):
        farm.teams.member("lebak", farm.member.id)
    with pytest.raises(NotFound):
        farm.cycles.records("lebak", farm.cycle.id)
    assert farm.teams.teams("serang")[0].member_count == 1
