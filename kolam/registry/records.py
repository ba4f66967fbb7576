"""The farming records as the rest of Kolam sees them: frozen dataclasses, never ORM rows.

``New*`` classes are what callers hand in; ``*Info`` classes are what they get back.
Times are epoch milliseconds UTC; money is rupiah; weights are grams unless named kg.
Each ``*Info`` is the one definition of its family: the registry reads rows into it by field
name and the API's response model is generated from it (``kolam.registry.fields``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kolam.errors import Implausible as Implausible
from kolam.errors import InvalidRecord as InvalidRecord


class Programme(StrEnum):
    LELE_GROWOUT = "lele_growout"
    ENTREPRENEURSHIP = "entrepreneurship"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    TRANSFERRED = "transferred"


class LogKind(StrEnum):
    FEEDING = "feeding"
    MORTALITY = "mortality"
    SAMPLING = "sampling"
    WATER_EXCHANGE = "water_exchange"
    TREATMENT = "treatment"
    MEASUREMENT = "measurement"
    NOTE = "note"


class CostCategory(StrEnum):
    SEED = "seed"
    FEED = "feed"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class NewTeam:
    name: str
    programme: Programme
    starts_at: int
    instructors: tuple[str, ...] = ()
    ends_at: int | None = None


@dataclass(frozen=True, slots=True)
class TeamInfo:
    id: int
    site: str
    name: str
    programme: Programme
    instructors: tuple[str, ...]
    starts_at: int
    ends_at: int | None
    member_count: int


@dataclass(frozen=True, slots=True)
class NewMember:
    registration_no: str
    alias: str
    joined_at: int
    full_name: str | None = None


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: int
    site: str
    team_id: int
    team_name: str
    alias: str
    registration_no: str
    full_name: str | None
    joined_at: int
    left_at: int | None
    status: MemberStatus


@dataclass(frozen=True, slots=True)
class NewCycle:
    team_id: int
    stocked_at: int
    seed_count: int
    seed_weight_g: float
    seed_length_cm: float | None = None
    seed_source: str = ""
    seed_cost_rp: float = 0.0
    target_fish_per_kg: float = 8.0


@dataclass(frozen=True, slots=True)
class CycleInfo:
    id: int
    site: str
    pond: str
    team_id: int
    team_name: str
    stocked_at: int
    seed_count: int
    seed_weight_g: float
    seed_length_cm: float | None
    seed_source: str
    seed_cost_rp: float
    target_fish_per_kg: float
    ended_at: int | None
    end_reason: str | None

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class NewLog:
    kind: LogKind
    at: int
    member_id: int | None = None
    feed_kg: float | None = None
    feed_type: str | None = None
    protein_pct: float | None = None
    dead_count: int | None = None
    sample_count: int | None = None
    sample_weight_g: float | None = None
    exchange_pct: float | None = None
    treatment: str | None = None
    dose: str | None = None
    metric: str | None = None
    value: float | None = None
    note: str = ""
    member_ids: tuple[int, ...] = ()
    """Members who did the work, with ``member_id`` (issue #17): their skill records."""
    client_id: str | None = None
    """Set by whoever made the log elsewhere (the gateway's kiosk): a log with a
    ``client_id`` already stored is not stored again (``Entries.add_log``)."""


@dataclass(frozen=True, slots=True)
class LogInfo(NewLog):
    id: int = 0
    cycle_id: int = 0
    recorded_by: str = ""
    voided_at: int | None = None
    """Set when the log was voided (wrong, or replaced by a correction): kept, not counted."""
    voided_by: str | None = None
    void_reason: str | None = None
    replaces_id: int | None = None
    """The voided log this one corrects."""


@dataclass(frozen=True, slots=True)
class NewHarvest:
    at: int
    kg: float
    final: bool = False
    fish_per_kg: float | None = None
    count: int | None = None
    buyer: str = ""
    price_per_kg_rp: float = 0.0
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class HarvestInfo:
    id: int
    cycle_id: int
    at: int
    final: bool
    kg: float
    fish_per_kg: float | None
    count: int
    count_measured: bool
    buyer: str
    price_per_kg_rp: float
    member_ids: tuple[int, ...]
    recorded_by: str
    voided_at: int | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    replaces_id: int | None = None

    @property
    def revenue_rp(self) -> float:
        return self.kg * self.price_per_kg_rp


@dataclass(frozen=True, slots=True)
class NewCost:
    at: int
    category: CostCategory
    amount_rp: float
    description: str = ""


@dataclass(frozen=True, slots=True)
class CostInfo:
    id: int
    cycle_id: int
    at: int
    category: CostCategory
    amount_rp: float
    description: str
    recorded_by: str
    voided_at: int | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    replaces_id: int | None = None


@dataclass(frozen=True, slots=True)
class CycleRecords:
    """A cycle with everything recorded on it: what the KPIs are computed from."""

    cycle: CycleInfo
    logs: tuple[LogInfo, ...]
    harvests: tuple[HarvestInfo, ...]
    costs: tuple[CostInfo, ...]
