"""Members of a site, their status and their printable skill record.

Full names and registration numbers go to officers and admins only; every read or
change of members' data is written to the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.auth import SiteStaff, SiteWriter
from api.deps import BusinessDep, CyclesDep, EntriesDep, MaintenanceDep, TeamsDep, UsersDep
from api.farm_schemas import MemberPublic, MemberStatusChange, ms, public
from api.skill import SkillRecord, skill_record
from api.templating import render
from kolam.registry.records import MemberInfo
from kolam.security.auth import Principal

router = APIRouter(prefix="/api/v1/sites/{site}/members", tags=["members"])


def member_public(m: MemberInfo, user: Principal) -> MemberPublic:
    if user.sees_names:
        return public(m, MemberPublic)
    return public(m, MemberPublic, full_name=None, registration_no=None)


@router.get("", response_model=list[MemberPublic], summary="Every member of a site")
def list_members(site: str, user: SiteStaff, teams: TeamsDep,
                 users: UsersDep) -> list[MemberPublic]:
    found = teams.members(site)
    users.audit(user.username, "read", "members", None, site,
                f"{len(found)} members, names {'shown' if user.sees_names else 'hidden'}")
    return [member_public(m, user) for m in found]


@router.get("/{member}", response_model=MemberPublic, summary="One member")
def get_member(site: str, member: int, user: SiteStaff, teams: TeamsDep,
               users: UsersDep) -> MemberPublic:
    m = teams.member(site, member)
    users.audit(user.username, "read", "member", member, site)
    return member_public(m, user)


@router.post("/{member}/status", response_model=MemberPublic,
             summary="Record a release or transfer (or a return to active)")
def set_status(site: str, member: int, body: MemberStatusChange, user: SiteWriter,
               teams: TeamsDep, users: UsersDep) -> MemberPublic:
    m = teams.set_member_status(site, member, body.status, ms(body.at))
    users.audit(user.username, "update", "member", member, site, f"status {body.status}")
    return member_public(m, user)


@router.get("/{member}/skill-record.json", response_model=SkillRecord,
            summary="What a member did and the competencies it evidences")
def get_skill_record(site: str, member: int, user: SiteStaff, teams: TeamsDep,
                     cycles: CyclesDep, entries: EntriesDep, users: UsersDep,
                     care: MaintenanceDep, business: BusinessDep) -> SkillRecord:
    record = skill_record(site, member, user, teams, cycles, entries, care, business)
    users.audit(user.username, "read", "skill_record", member, site)
    return record


@router.get("/{member}/skill-record", response_class=HTMLResponse,
            summary="The skill record, printable (HTML with print styles)")
def print_skill_record(request: Request, site: str, member: int, user: SiteStaff,
                       teams: TeamsDep, cycles: CyclesDep, entries: EntriesDep,
                       users: UsersDep, care: MaintenanceDep,
                       business: BusinessDep) -> HTMLResponse:
    record = skill_record(site, member, user, teams, cycles, entries, care, business)
    users.audit(user.username, "read", "skill_record", member, site, "printable")
    return render(request, "skill_record.html", {"r": record, "site": site})
