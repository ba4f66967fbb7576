"""Request and response models for teams, members, cycles, logs, harvests and costs.

Times go in as ISO 8601 (naive means UTC) and come out as ISO 8601 UTC strings;
money is rupiah (Rp), weights grams unless the name says kg. Every quantity a person types
has a plausible upper bound and must be finite (``kolam.farming.bounds``, docs/security.md).
The ``*Public`` models are generated from the records (``api.public``): their fields are
the records' fields, so a field is added to the record alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast

from pydantic import BaseModel, Field

from api.public import public as public
from api.public import public_of
from kolam.farming.bounds import (
    AmountRp,
    CostRp,
    FeedKg,
    Finite,
    FishCount,
    FishPerKg,
    HarvestKg,
    Id,
    Instant,
    Percent,
    PricePerKgRp,
    SampleFish,
    SampleWeightG,
    SeedLengthCm,
    SeedWeightG,
)
from kolam.registry.fields import record_fields
from kolam.registry.records import (
    CostCategory,
    CostInfo,
    CycleInfo,
    HarvestInfo,
    LogInfo,
    LogKind,
    MemberInfo,
    MemberStatus,
    Programme,
    TeamInfo,
)
from kolam.timeutil import now_ms, to_ms

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

Text = Annotated[str, Field(max_length=200)]


def ms(value: datetime | None) -> int:
    return to_ms(value) if value is not None else now_ms()


def new_record(body: BaseModel, record: type[R], **given: Any) -> R:
    """A request body as the record the registry takes, field by name: times as epoch ms (a
    required one left out is now, an optional one stays None), lists as tuples; ``given``
    sets the fields the body does not hold. Fields of neither keep the record's default."""
    values: dict[str, Any] = {}
    for f in record_fields(record):
        if f.name in given:
            values[f.name] = given[f.name]
        elif f.name in type(body).model_fields:
            value = getattr(body, f.name)
            if f.time and (value is not None or f.type is int):
                value = ms(value)
            values[f.name] = tuple(value) if isinstance(value, list) else value
    made: R = cast(Any, record)(**values)
    return made


class TeamCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["Kelompok Lele Jaya"])
    programme: Programme = Programme.LELE_GROWOUT
    instructors: list[Text] = Field(default_factory=list, max_length=20,
                                   examples=[["Pak Budi (Dinas Perikanan)"]])
    starts_at: Instant | None = Field(None, description="Default now")
    ends_at: Instant | None = None


@public_of(TeamInfo)
class TeamPublic(BaseModel):
    pass


class MemberCreate(BaseModel):
    registration_no: str = Field(min_length=1, max_length=40,
                                 description="The rutan's registration number")
    alias: str = Field(min_length=1, max_length=60, description="Display name for others")
    full_name: str | None = Field(None, max_length=200,
                                  description="Optional; shown to officers and admins only")
    joined_at: Instant | None = Field(None, description="Default now")


class MemberStatusChange(BaseModel):
    status: MemberStatus
    at: Instant | None = Field(None, description="When the member left; default now")


@public_of(MemberInfo)
class MemberPublic(BaseModel):
    # Who may see names is the API's rule (api.routes.members.member_public).
    registration_no: str | None = Field(description="Null unless you are an officer or admin")
    full_name: str | None = Field(description="Null unless you are an officer or admin")


class CycleCreate(BaseModel):
    team_id: Id
    stocked_at: Instant | None = Field(None, description="Default now")
    seed_count: FishCount = Field(description="Fish stocked")
    seed_weight_g: SeedWeightG = Field(description="Average weight of one seed fish (g)")
    seed_length_cm: SeedLengthCm | None = None
    seed_source: str = Field("", max_length=200)
    seed_cost_rp: CostRp = 0.0
    target_fish_per_kg: FishPerKg = Field(8.0, description="Market size; 7–10 is usual")


class CycleEnd(BaseModel):
    at: Instant | None = Field(None, description="Default now")
    reason: str = Field(min_length=1, max_length=200, examples=["total loss after flood"])


@public_of(CycleInfo)
class CyclePublic(BaseModel):
    active: bool  # CycleInfo.active, a property


class LogCreate(BaseModel):
    kind: LogKind
    at: Instant | None = Field(None, description="Default now")
    member_id: Id | None = Field(None, description="The team member who did it")
    feed_kg: FeedKg | None = None
    feed_type: str | None = Field(None, max_length=100)
    protein_pct: Percent | None = None
    dead_count: FishCount | None = None
    sample_count: SampleFish | None = None
    sample_weight_g: SampleWeightG | None = Field(None, description="Total weight of the sample")
    exchange_pct: Percent | None = None
    treatment: str | None = Field(None, max_length=200)
    dose: str | None = Field(None, max_length=100)
    metric: str | None = Field(None, description="Manual measurement: a metric key")
    value: Finite | None = Field(None, description="Within the metric's possible range")
    reported_as: Literal["N", "NH3", "NH4", "NO2"] | None = Field(
        None, description="Manual tan_mgl / no2_mgl: the form the test kit reports — "
        "N (as Kolam stores it: TAN-N, NO2-N), NH3 or NH4 (total ammonia), NO2 (nitrite). "
        "The value is converted to mg/L of N; the reading as entered is kept in the note")
    note: str = Field("", max_length=2000)
    confirm: bool = Field(False, description="Store it although it looks implausible for "
                          "the pond (kolam.farming.plausible: a day's feed over ~10 % of the "
                          "biomass, ABW falling by half, ...); without it such a log is 422")
    member_ids: list[Id] = Field(default_factory=list, max_length=100,
                                 description="Members who did the work (with member_id)")


@public_of(LogInfo, first=("id", "cycle_id", "kind", "at", "member_id", "recorded_by"))
class LogPublic(BaseModel):
    pass


class HarvestCreate(BaseModel):
    at: Instant | None = Field(None, description="Default now")
    final: bool = Field(False, description="The final harvest ends the cycle")
    kg: HarvestKg
    fish_per_kg: FishPerKg | None = Field(None, description="Size grade")
    count: FishCount | None = Field(None, description="Counted fish; else derived")
    buyer: str = Field("", max_length=200)
    price_per_kg_rp: PricePerKgRp = 0.0
    member_ids: list[Id] = Field(default_factory=list, max_length=500,
                                 description="Members who took part")
    confirm: bool = Field(False, description="Store it although the price (outside Rp "
                          "5,000–60,000/kg) or the weight (over twice the estimated "
                          "biomass) looks implausible; without it such a harvest is 422")


@public_of(HarvestInfo)
class HarvestPublic(BaseModel):
    pass


class CostCreate(BaseModel):
    at: Instant | None = Field(None, description="Default now")
    category: CostCategory
    amount_rp: AmountRp
    description: str = Field("", max_length=200)


@public_of(CostInfo)
class CostPublic(BaseModel):
    pass


Reason = Annotated[str, Field(min_length=1, max_length=200, examples=["salah ketik: 5 kg"])]


class LogCorrection(BaseModel):
    """What changes in a log (the rest is kept); the kind stays. The log is voided and
    a corrected copy added in its place."""

    reason: Reason
    at: Instant | None = None
    member_id: Id | None = None
    member_ids: list[Id] | None = Field(None, max_length=100)
    feed_kg: FeedKg | None = None
    feed_type: str | None = Field(None, max_length=100)
    protein_pct: Percent | None = None
    dead_count: FishCount | None = None
    sample_count: SampleFish | None = None
    sample_weight_g: SampleWeightG | None = None
    exchange_pct: Percent | None = None
    treatment: str | None = Field(None, max_length=200)
    dose: str | None = Field(None, max_length=100)
    value: Finite | None = None
    note: str | None = Field(None, max_length=2000)
    confirm: bool = False


class HarvestCorrection(BaseModel):
    """What changes in a harvest (the rest is kept)."""

    reason: Reason
    at: Instant | None = None
    final: bool | None = None
    kg: HarvestKg | None = None
    fish_per_kg: FishPerKg | None = None
    count: FishCount | None = None
    buyer: str | None = Field(None, max_length=200)
    price_per_kg_rp: PricePerKgRp | None = None
    member_ids: list[Id] | None = Field(None, max_length=500)
    confirm: bool = False


class CostCorrection(BaseModel):
    reason: Reason
    at: Instant | None = None
    category: CostCategory | None = None
    amount_rp: AmountRp | None = None
    description: str | None = Field(None, max_length=200)
