"""Response models of the KPIs and reports (units in the field names)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FeedAdvicePublic(BaseModel):
    abw_g: float
    biomass_kg: float
    rate_pct: float = Field(description="% of body weight per day, from the feeding table")
    kg_per_day: float
    kg_per_meal: float = Field(description="Three meals a day")
    reduced: bool = Field(description="Halved for cold water (< 25 °C) or low DO (< 3 mg/L)")
    reason: str | None


class CycleKpisPublic(BaseModel):
    cycle_id: int
    active: bool
    day: float = Field(description="Days since stocking (to the end if ended)")
    stocked_count: int
    stocked_kg: float
    dead_count: int
    harvested_count: int
    harvested_kg: float
    live_count: int
    abw_g: float = Field(description="Average body weight from the newest sampling")
    biomass_kg: float
    survival_pct: float
    feed_kg: float
    fcr: float | None
    sgr_pct_day: float | None
    adg_g_day: float | None
    revenue_rp: float
    costs_rp: float
    margin_rp: float
    target_weight_g: float
    projected_harvest_at: str | None = Field(
        description="When the growth fit reaches the target weight")
    feed_today: FeedAdvicePublic | None
    water_now: dict[str, float | None] = Field(
        description="Newest temp_c and do_mgl used for today's feed")
    water_compliance_pct: dict[str, float | None] = Field(
        description="% of the cycle's time each metric was in its optimal band")


class TeamKpisPublic(BaseModel):
    team_id: int
    cycles: int
    completed: int
    stocked_count: int
    harvested_count: int
    harvested_kg: float
    survival_pct: float | None
    fcr: float | None
    revenue_rp: float
    costs_rp: float
    margin_rp: float
