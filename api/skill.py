"""A member's skill record: what they did, and the competencies it evidences."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from kolam.farming.kpi import cycle_kpis
from kolam.farming.skills import NO_BUSINESS, evidenced
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.maintenance import Maintenance
from kolam.registry.records import LogKind
from kolam.registry.teams import Teams
from kolam.security.auth import Principal
from kolam.timeutil import now_ms


class ActivityLine(BaseModel):
    kind: str
    count: int
    first_at: int
    last_at: int


class CycleLine(BaseModel):
    id: int
    pond: str
    stocked_at: int
    ended_at: int | None
    completed: bool
    harvested_kg: float
    survival_pct: float
    fcr: float | None


class HarvestLine(BaseModel):
    at: int
    kg: float
    count: int
    final: bool


class CompetencyLine(BaseModel):
    code: str
    label_id: str
    label_en: str
    evidence: str
    count: int


class BusinessLine(BaseModel):
    """The member's part in the team's business (issue #20)."""

    entries: int
    sales: int
    stock_counts: int
    months_closed: int
    product_batches: int = 0


class SkillRecord(BaseModel):
    site: str
    member_id: int
    alias: str
    full_name: str | None
    registration_no: str | None
    team_name: str
    programme: str
    joined_at: int
    left_at: int | None
    status: str
    activities: list[ActivityLine]
    cycles: list[CycleLine]
    harvests: list[HarvestLine]
    competencies: list[CompetencyLine]
    generated_at: int
    business: BusinessLine | None = None


def skill_record(site: str, member_id: int, user: Principal, teams: Teams, cycles: Cycles,
                 entries: Entries, care: Maintenance | None = None,
                 business: Business | None = None) -> SkillRecord:
    """``care``: the probe care entries, for the sensor-care competencies (#17 item 5);
    ``business``: the team's books, for the business competencies (#20)."""
    now = now_ms()
    work = business.member_work(site, member_id, now) if business is not None else NO_BUSINESS
    m = teams.member(site, member_id)
    team = teams.team(site, m.team_id)
    logs = entries.member_logs(site, member_id)
    harvests = entries.member_harvests(site, member_id)
    kinds = Counter(e.kind for e in logs)
    care_counts: Counter[str] = Counter()
    if care is not None:
        care_counts.update({k.value: n for k, n in care.member_counts(site, member_id).items()})
    activities = [ActivityLine(kind=k.value, count=kinds[k],
                               first_at=min(e.at for e in logs if e.kind is k),
                               last_at=max(e.at for e in logs if e.kind is k))
                  for k in LogKind if kinds[k]]
    left = m.left_at if m.left_at is not None else now
    lines = []
    for c in cycles.cycles(site, team_id=m.team_id):
        if c.stocked_at > left or (c.ended_at is not None and c.ended_at < m.joined_at):
            continue
        k = cycle_kpis(cycles.records(site, c.id), now)
        done = c.ended_at is not None and m.joined_at <= c.ended_at <= left
        lines.append(CycleLine(id=c.id, pond=c.pond, stocked_at=c.stocked_at,
                               ended_at=c.ended_at, completed=done,
                               harvested_kg=k.harvested_kg, survival_pct=k.survival_pct,
                               fcr=k.fcr))
    competencies = [CompetencyLine(code=e.competency.code, label_id=e.competency.label_id,
                                   label_en=e.competency.label_en, evidence=e.evidence,
                                   count=e.count)
                    for e in evidenced(kinds, len(harvests), sum(c.completed for c in lines),
                                       care_counts, work)]
    return SkillRecord(
        site=site, member_id=m.id, alias=m.alias,
        full_name=m.full_name if user.sees_names else None,
        registration_no=m.registration_no if user.sees_names else None,
        team_name=team.name, programme=team.programme.value, joined_at=m.joined_at,
        left_at=m.left_at, status=m.status.value, activities=activities,
        cycles=sorted(lines, key=lambda x: x.stocked_at),
        harvests=[HarvestLine(at=h.at, kg=h.kg, count=h.count, final=h.final)
                  for h in harvests],
        competencies=competencies, generated_at=now,
        business=BusinessLine(entries=work.entries, sales=work.sales, stock_counts=work.counts,
                              months_closed=work.months, product_batches=work.batches)
        if business is not None else None)
