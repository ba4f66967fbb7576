"""The officers' member forms on the team page: ``/teams/{site}/{team}/members[/{member}]``.

Add a member (registration number, alias, optionally the full name), change the alias a
member is shown by, record a release or transfer (or a return). Only officers and admins
(``SiteWriterPage``) reach them; the full name and registration number are shown to those
who may see names, the kiosk and the Dinas see aliases. An alias that another active member
of the team already has is asked about: on the kiosk both would look the same. Each change
is audited like the API's ``POST .../members`` and ``.../status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.forms import date_wib
from api.i18n import error_text, lang_of, t
from api.pages.render import page
from api.pages.session import SiteWriterPage, check_csrf
from api.pages.team_records import refused
from api.pages.teams import BooksDep, TeamBooks, site_tz
from kolam.errors import NotFound
from kolam.registry.records import (
    Implausible,
    InvalidRecord,
    MemberInfo,
    MemberStatus,
    NewMember,
)
from kolam.registry.teams import ALIAS_MAX
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]


@dataclass(frozen=True, slots=True)
class MemberForm:
    """A member form as typed (kept to fill the form again after an error)."""

    registration_no: str = ""
    alias: str = ""
    full_name: str = ""
    joined_at: str = ""
    status: str = ""
    left_at: str = ""


def _required(text: str, field: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidRecord(f"{t('en', field)}: required", key="required", field=field)
    return text


def _alias_free(books: TeamBooks, site: str, team: int, alias: str,
                member: int | None) -> None:
    """An ``Implausible`` when another active member of the team goes by ``alias``."""
    for m in books.teams.members(site, team):
        if (m.id != member and m.status is MemberStatus.ACTIVE
                and m.alias.casefold() == alias.strip().casefold()):
            raise Implausible(f"an active member of team {team} is already called {alias!r}",
                              key="alias_taken", alias=alias.strip())


@router.post("/teams/{site}/{team}/members")
def add_member(request: Request, site: str, team: int, user: SiteWriterPage,
               books: BooksDep, csrf: FormText = "", registration_no: FormText = "",
               alias: FormText = "", full_name: FormText = "", joined_at: FormText = "",
               confirm: FormText = "") -> Response:
    check_csrf(request, csrf)
    form = MemberForm(registration_no, alias, full_name, joined_at)
    try:
        new = NewMember(_required(registration_no, "f_registration_no"),
                        _required(alias, "f_alias"),
                        date_wib(joined_at, "f_joined_at", now_ms(), site_tz(books, site)),
                        full_name.strip() or None)
        if confirm != "1":
            _alias_free(books, site, team, new.alias, None)
        m = books.teams.add_member(site, team, new)
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "member", form)
    books.users.audit(user.username, "create", "member", m.id, site, f"team {team}: page")
    return RedirectResponse(f"/teams/{site}/{team}?saved=member-{m.id}#saved",
                            status_code=303)


def _member(books: TeamBooks, site: str, team: int, member: int) -> MemberInfo:
    m = books.teams.member(site, member)
    if m.team_id != team:
        raise NotFound(f"no member {member} in team {team}")
    return m


def _edit(request: Request, books: TeamBooks, site: str, team: int, m: MemberInfo,
          status_code: int = 200, **extra: object) -> Response:
    return page(request, "member_edit.html", status_code=status_code, site=site,
                team=books.teams.team(site, team), member=m, statuses=list(MemberStatus),
                values=extra.pop("values", None) or MemberForm(alias=m.alias,
                                                               status=m.status.value),
                **extra)


@router.get("/teams/{site}/{team}/members/{member}")
def edit_member(request: Request, site: str, team: int, member: int, user: SiteWriterPage,
                books: BooksDep) -> Response:
    m = _member(books, site, team, member)
    books.users.audit(user.username, "read", "member", member, site, "edit page")
    return _edit(request, books, site, team, m)


@router.post("/teams/{site}/{team}/members/{member}")
def update_member(request: Request, site: str, team: int, member: int, user: SiteWriterPage,
                  books: BooksDep, csrf: FormText = "", alias: FormText = "",
                  status: FormText = "", left_at: FormText = "",
                  confirm: FormText = "") -> Response:
    check_csrf(request, csrf)
    old = _member(books, site, team, member)
    form = MemberForm(alias=alias, status=status, left_at=left_at)
    changes = []
    try:
        new_alias = _required(alias, "f_alias")
        try:
            new_status = MemberStatus(status or old.status.value)
        except ValueError as exc:
            raise InvalidRecord(f"unknown status {status!r}", key="unknown_kind",
                                kind=status) from exc
        if len(new_alias) > ALIAS_MAX:
            raise InvalidRecord(f"an alias is 1-{ALIAS_MAX} characters", key="alias_length",
                                high=ALIAS_MAX)
        if new_alias != old.alias and confirm != "1":
            _alias_free(books, site, team, new_alias, member)
        # The status first: it is the one the registry may refuse (a date before joining),
        # and nothing is changed then.
        if new_status is not old.status:
            at = date_wib(left_at, "f_left_at", now_ms(), site_tz(books, site))
            books.teams.set_member_status(site, member, new_status, at)
            changes.append(f"status {new_status.value}")
        if new_alias != old.alias:
            books.teams.set_alias(site, member, new_alias)
            changes.append(f"alias {old.alias!r} -> {new_alias!r}")
    except InvalidRecord as exc:
        lang = lang_of(request)
        return _edit(request, books, site, team, books.teams.member(site, member), 422,
                     values=form, error=error_text(exc, lang),
                     doubt=isinstance(exc, Implausible))
    if changes:
        books.users.audit(user.username, "update", "member", member, site,
                          "page: " + ", ".join(changes))
    return RedirectResponse(f"/teams/{site}/{team}?saved=member-{member}#saved",
                            status_code=303)
