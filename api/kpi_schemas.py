"""Response models of the KPIs and reports (units in the field names)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kolam.growth import GrowthBasis


class FeedAdvicePublic(BaseModel):
    abw_g: float = Field(description="Today's estimated average body weight the ration is for")
    biomass_kg: float
    rate_pct: float = Field(description="% of body weight per day, from the feeding table")
    kg_per_day: float
    kg_per_meal: float = Field(description="Three meals a day")
    reduced: bool = Field(description="Halved for cold water (< 25 °C) or low DO (< 3 mg/L)")
    reason: str | None
    abw_is_estimate: bool = Field(
        description="abw_g is grown from an older sampling by the growth curve")
    sampling_age_d: float | None = Field(
        description="Days since the newest sampling (or the stocking) abw_g stands on")


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
    abw_g: float = Field(
        description="Best average body weight now (at the end once ended): the newest "
                    "sampling grown to today by the fitted growth curve; used for biomass, "
                    "FCR, today's feed and the harvest date")
    abw_sampled_g: float = Field(
        description="The newest measured average weight: newest sampling, else seed weight")
    abw_sampled_at: str = Field(description="When abw_sampled_g was measured (the stocking "
                                            "time before any sampling)")
    sampling_age_d: float = Field(description="Days from abw_sampled_at to now (or the end)")
    abw_is_estimate: bool = Field(
        description="True when abw_g is an estimate grown from an older measurement")
    growth_basis: GrowthBasis = Field(
        description="prior: no sampling yet, literature curve; one_sampling: its pace, the "
                    "prior's slowing; fit: pace and slowing fitted to the samplings")
    growth_sgr_pct_day: float = Field(
        description="The growth curve's specific growth rate today, %/day")
    biomass_kg: float
    survival_pct: float
    feed_kg: float
    fcr: float | None
    sgr_pct_day: float | None = Field(
        description="Over every harvest lot and the standing fish (newest sampling), "
                    "weighted by number of fish")
    adg_g_day: float | None = Field(description="Weighted like sgr_pct_day")
    revenue_rp: float
    costs_rp: float
    margin_rp: float
    target_weight_g: float
    projected_harvest_at: str | None = Field(
        description="When the growth curve reaches the target weight (active cycles)")
    harvest_date_past: bool = Field(
        description="projected_harvest_at is already past: the fish should be at target size")
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
