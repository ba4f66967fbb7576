"""Records read from rows and written to rows by field name (``kolam.registry.fields``)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated

import pytest
from sqlalchemy import inspect

from kolam.farming.kpi import CycleKpis
from kolam.registry import records as rec
from kolam.registry.alert_models import AlertRow, NotificationRow, SilenceRow
from kolam.registry.alerts import AlertInfo, NotificationInfo, SilenceInfo
from kolam.registry.farm_models import Cost, Cycle, Harvest, LogEntry, Member, Team
from kolam.registry.fields import Shown, columns, from_row, record_fields
from kolam.registry.user_models import ApiKey, AuditEntry
from kolam.registry.users import ApiKeyRecord, AuditRecord

# Each stored record, its table, and the fields the registry gives rather than reads.
STORED = [
    (rec.TeamInfo, Team, {"site", "member_count"}),
    (rec.MemberInfo, Member, {"site", "team_name"}),
    (rec.CycleInfo, Cycle, {"site", "pond", "team_name"}),
    (rec.LogInfo, LogEntry, {"member_ids"}),
    (rec.HarvestInfo, Harvest, {"member_ids"}),
    (rec.CostInfo, Cost, set()),
    (AlertInfo, AlertRow, {"key"}),
    (SilenceInfo, SilenceRow, set()),
    (NotificationInfo, NotificationRow, {"outcomes", "details"}),
    (ApiKeyRecord, ApiKey, set()),
    (AuditRecord, AuditEntry, set()),
]


@pytest.mark.parametrize(("record", "table", "given"), STORED,
                         ids=[r.__name__ for r, _, _ in STORED])
def test_every_record_field_is_a_column_or_given(record: type, table: type,
                                                 given: set[str]) -> None:
    """A field added to a record without its column fails here, not on the first read."""
    stored = {c.key for c in inspect(table).column_attrs}
    assert {f.name for f in record_fields(record)} - given <= stored


@pytest.mark.parametrize(("new", "table", "leave"), [
    (rec.NewLog(rec.LogKind.SAMPLING, 5, sample_count=3, sample_weight_g=30.0), LogEntry,
     ("member_ids",)),
    (rec.NewCycle(1, 5, 100, 2.0), Cycle, ()),
    (rec.NewHarvest(5, 1.0, member_ids=(1, 2)), Harvest, ("count", "member_ids")),
    (rec.NewCost(5, rec.CostCategory.FEED, 1.0), Cost, ()),
])
def test_a_new_record_is_columns_of_its_row(new: object, table: type,
                                            leave: tuple[str, ...]) -> None:
    values = columns(new, leave=leave)  # type: ignore[arg-type]  # any record dataclass
    assert set(values) <= {c.key for c in inspect(table).column_attrs}
    assert not set(leave) & set(values)
    assert all(not isinstance(v, tuple | rec.LogKind | rec.CostCategory) for v in values.values())


def test_from_row_casts_by_the_field_types() -> None:
    row = SimpleNamespace(id=4, team_id=2, registration_no="R-1", alias="A", full_name=None,
                          joined_at=10, left_at=None, status="released")
    m = from_row(rec.MemberInfo, row, site="serang", team_name="Lele Jaya")
    assert m.status is rec.MemberStatus.RELEASED and m.team_name == "Lele Jaya"
    h = from_row(rec.HarvestInfo, SimpleNamespace(
        id=1, cycle_id=2, at=3, final=True, kg=1.0, fish_per_kg=None, count=8,
        count_measured=False, buyer="", price_per_kg_rp=0.0, recorded_by="x", voided_at=None,
        voided_by=None, void_reason=None, replaces_id=None),
        member_ids=[3, 4])
    assert h.member_ids == (3, 4)
    with pytest.raises(AttributeError):
        from_row(rec.MemberInfo, row, site="serang")  # team_name: neither on the row nor given


@dataclass(frozen=True, slots=True)
class _Marked:
    since_t: Annotated[int, Shown("When", "since")]
    secret: Annotated[str, Shown(hidden=True)]
    ended_at: int | None
    count_at: float
    kind: rec.LogKind | None = None


def test_record_fields_read_the_marks() -> None:
    since, secret, ended, count, _kind = record_fields(_Marked)
    assert (since.public, since.doc, since.time) == ("since", "When", True)
    assert secret.hidden and not secret.time
    assert ended.time and ended.public == "ended_at"
    assert not count.time  # a float named *_at is not epoch ms
    assert from_row(_Marked, SimpleNamespace(since_t=1, secret="s", ended_at=None, count_at=1.0,
                                             kind="note")).kind is rec.LogKind.NOTE
    assert from_row(_Marked, SimpleNamespace(since_t=1, secret="s", ended_at=None, count_at=1.0,
                                             kind=None)).kind is None


def test_kpi_docs_are_on_the_record() -> None:
    docs = {f.name: f.doc for f in record_fields(CycleKpis)}
    assert docs["day"] == "Days since stocking (to the end if ended)"
    assert docs["biomass_kg"] is None
