"""Response models of the KPIs (units in the field names), generated from ``kolam.farming.kpi``'s
records (``api.public``): a KPI added there appears here."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.public import public_of
from kolam.farming.kpi import CycleKpis, FeedAdvice, TeamKpis


@public_of(FeedAdvice)
class FeedAdvicePublic(BaseModel):
    pass


@public_of(CycleKpis)
class CycleKpisPublic(BaseModel):
    # Read from the store by the route, not computed from the records.
    water_now: dict[str, float | None] = Field(
        description="Newest temp_c and do_mgl used for today's feed")
    water_compliance_pct: dict[str, float | None] = Field(
        description="% of the cycle's time each metric was in its optimal band")


@public_of(TeamKpis, first=("team_id",))
class TeamKpisPublic(BaseModel):
    team_id: int
