"""Training teams (kelompok) and their members."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kolam.registry.db import one, session_factory
from kolam.registry.farm_models import Member, Team
from kolam.registry.fields import from_row
from kolam.registry.models import Site
from kolam.registry.records import (
    InvalidRecord,
    MemberInfo,
    MemberStatus,
    NewMember,
    NewTeam,
    TeamInfo,
)
from kolam.timeutil import iso, now_ms

ALIAS_MAX = 60
"""As ``POST .../members`` allows (``api.farm_schemas.MemberCreate``)."""


def site_id(s: Session, site: str) -> int:
    return one(s, select(Site.id).where(Site.slug == site), f"no site {site!r}")


def team_row(s: Session, site: str, team_id: int) -> Team:
    return one(s, select(Team).join(Site).where(Site.slug == site, Team.id == team_id),
               f"no team {team_id} at site {site!r}")


def member_row(s: Session, site: str, member_id: int) -> Member:
    return one(s, select(Member).join(Team).join(Site)
               .where(Site.slug == site, Member.id == member_id),
               f"no member {member_id} at site {site!r}")


def _team_info(site: str, t: Team, member_count: int) -> TeamInfo:
    return from_row(TeamInfo, t, site=site, member_count=member_count)


def member_info(site: str, m: Member) -> MemberInfo:
    return from_row(MemberInfo, m, site=site, team_name=m.team.name)


class Teams:
    """Teams and members of each site; every lookup is scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def add_team(self, site: str, new: NewTeam) -> TeamInfo:
        name = new.name.strip()
        if not name:
            raise InvalidRecord("a team needs a name", key="team_name")
        if new.ends_at is not None and new.ends_at < new.starts_at:
            raise InvalidRecord("a team cannot end before it starts")
        try:
            with self._sessions() as s, s.begin():
                team = Team(site_id=site_id(s, site), name=name, programme=new.programme.value,
                            instructors=list(new.instructors), starts_at=new.starts_at,
                            ends_at=new.ends_at, created_at=now_ms())
                s.add(team)
                s.flush()
                return _team_info(site, team, 0)
        except IntegrityError as exc:
            raise InvalidRecord(f"site {site!r} already has a team named {name!r}",
                                key="team_exists", name=name) from exc

    def teams(self, site: str) -> list[TeamInfo]:
        with self._sessions() as s:
            sid = site_id(s, site)
            counts = dict(s.execute(select(Member.team_id, func.count()).join(Team)
                                    .where(Team.site_id == sid).group_by(Member.team_id)).all())
            rows = s.scalars(select(Team).where(Team.site_id == sid).order_by(Team.name))
            return [_team_info(site, t, counts.get(t.id, 0)) for t in rows]

    def team(self, site: str, team_id: int) -> TeamInfo:
        with self._sessions() as s:
            t = team_row(s, site, team_id)
            return _team_info(site, t, len(t.members))

    def end_team(self, site: str, team_id: int, ends_at: int) -> TeamInfo:
        with self._sessions() as s, s.begin():
            t = team_row(s, site, team_id)
            if ends_at < t.starts_at:
                raise InvalidRecord(f"team {t.name!r} started {iso(t.starts_at)}: "
                                    "it cannot end before that")
            t.ends_at = ends_at
            return _team_info(site, t, len(t.members))

    def add_member(self, site: str, team_id: int, new: NewMember) -> MemberInfo:
        reg, alias = new.registration_no.strip(), new.alias.strip()
        if not reg or not alias:
            raise InvalidRecord("a member needs a registration number and a display alias")
        try:
            with self._sessions() as s, s.begin():
                team = team_row(s, site, team_id)
                if new.joined_at < team.starts_at:
                    raise InvalidRecord(f"team {team.name!r} started {iso(team.starts_at)}: "
                                        "a member cannot join before that",
                                        key="joined_before_team", team=team.name)
                m = Member(team_id=team.id, registration_no=reg, alias=alias,
                           full_name=(new.full_name or "").strip() or None,
                           joined_at=new.joined_at, left_at=None,
                           status=MemberStatus.ACTIVE.value, created_at=now_ms())
                s.add(m)
                s.flush()
                return member_info(site, m)
        except IntegrityError as exc:
            raise InvalidRecord(
                f"registration number {reg!r} is already in team {team_id}",
                key="member_exists", reg=reg) from exc

    def members(self, site: str, team_id: int | None = None) -> list[MemberInfo]:
        with self._sessions() as s:
            q = select(Member).join(Team).where(Team.site_id == site_id(s, site))
            if team_id is not None:
                team_row(s, site, team_id)
                q = q.where(Member.team_id == team_id)
            return [member_info(site, m) for m in s.scalars(q.order_by(Member.id))]

    def member(self, site: str, member_id: int) -> MemberInfo:
        with self._sessions() as s:
            return member_info(site, member_row(s, site, member_id))

    def set_member_status(self, site: str, member_id: int, status: MemberStatus,
                          at: int) -> MemberInfo:
        """Record a release or transfer (with the date the member left), or a return."""
        with self._sessions() as s, s.begin():
            m = member_row(s, site, member_id)
            if status is MemberStatus.ACTIVE:
                m.left_at = None
            elif at < m.joined_at:
                raise InvalidRecord(f"member {m.alias!r} joined {iso(m.joined_at)}: "
                                    "they cannot leave before that", key="left_before_joined",
                                    alias=m.alias)
            else:
                m.left_at = at
            m.status = status.value
            return member_info(site, m)

    def set_alias(self, site: str, member_id: int, alias: str) -> MemberInfo:
        """Change the display alias a member is shown by (the kiosk shows only aliases)."""
        alias = alias.strip()
        if not alias or len(alias) > ALIAS_MAX:
            raise InvalidRecord(f"an alias is 1-{ALIAS_MAX} characters", key="alias_length",
                                high=ALIAS_MAX)
        with self._sessions() as s, s.begin():
            m = member_row(s, site, member_id)
            m.alias = alias
            return member_info(site, m)
