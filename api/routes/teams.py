"""Training teams and their members: ``/api/v1/sites/{site}/teams[/{team}[/members]]``."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import SiteStaff, SiteUser, SiteWriter
from api.deps import TeamsDep, UsersDep
from api.farm_schemas import (
    MemberCreate,
    MemberPublic,
    TeamCreate,
    TeamPublic,
    new_record,
    public,
)
from api.routes.members import member_public
from kolam.registry.records import NewMember, NewTeam

router = APIRouter(prefix="/api/v1/sites/{site}/teams", tags=["teams"])


@router.get("", response_model=list[TeamPublic], summary="Teams of a site")
def list_teams(site: str, _: SiteUser, teams: TeamsDep) -> list[TeamPublic]:
    return [public(t, TeamPublic) for t in teams.teams(site)]


@router.post("", response_model=TeamPublic, status_code=201, summary="Form a team")
def add_team(site: str, body: TeamCreate, user: SiteWriter, teams: TeamsDep,
             users: UsersDep) -> TeamPublic:
    t = teams.add_team(site, new_record(body, NewTeam))
    users.audit(user.username, "create", "team", t.id, site, t.name)
    return public(t, TeamPublic)


@router.get("/{team}", response_model=TeamPublic, summary="One team")
def get_team(site: str, team: int, _: SiteUser, teams: TeamsDep) -> TeamPublic:
    return public(teams.team(site, team), TeamPublic)


@router.get("/{team}/members", response_model=list[MemberPublic],
            summary="Members of a team (names for officers only)")
def list_team_members(site: str, team: int, user: SiteStaff, teams: TeamsDep,
                      users: UsersDep) -> list[MemberPublic]:
    found = teams.members(site, team)
    shown = "shown" if user.sees_names else "hidden"
    users.audit(user.username, "read", "members", None, site,
                f"team {team}: {len(found)} members, names {shown}")
    return [member_public(m, user) for m in found]


@router.post("/{team}/members", response_model=MemberPublic, status_code=201,
             summary="Add a member to a team")
def add_member(site: str, team: int, body: MemberCreate, user: SiteWriter, teams: TeamsDep,
               users: UsersDep) -> MemberPublic:
    m = teams.add_member(site, team, new_record(body, NewMember))
    users.audit(user.username, "create", "member", m.id, site, f"team {team}")
    return member_public(m, user)
