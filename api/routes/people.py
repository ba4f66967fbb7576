"""People on call: each user's contacts and channels per severity, and each site's duty
roster (docs/alerts.md#contacts-and-the-duty-roster).

A user reads and sets their own contacts (``/api/v1/users/me/contacts``), an admin anyone's
it may act on; the staff of a site read its roster, its admins and officers change it.
Every change is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import STAFF, AdminUser, SiteStaff, SiteWriter, role_access
from api.deps import PeopleDep, UsersDep
from api.routes.users import _managed
from kolam.registry.people import CHANNELS, MAX_LEVEL, ContactInfo, ShiftInfo
from kolam.security.auth import Principal
from kolam.timeutil import now_ms

router = APIRouter(tags=["people"])
S = "/api/v1/sites/{site}"
StaffUser = Annotated[Principal, Depends(role_access(STAFF))]
_CHANNELS_DOC = f"Any of {', '.join(CHANNELS)}; each needs its address (phone for WhatsApp, SMS)"


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(None, max_length=20, examples=["6281234567890"],
                              description="For WhatsApp and SMS; 08… is read as 628…")
    telegram: str | None = Field(None, max_length=32, examples=["123456789"],
                                 description="Telegram chat id (the user's chat with the bot)")
    email: str | None = Field(None, max_length=200)
    language: str = Field("id", pattern="^(id|en)$")
    critical: list[str] = Field(default_factory=list, description=_CHANNELS_DOC,
                                examples=[["telegram", "whatsapp", "sms"]])
    warning: list[str] = Field(default_factory=list, description=_CHANNELS_DOC,
                               examples=[["telegram"]])


class ContactPublic(ContactIn):
    username: str


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    level: int = Field(0, ge=0, le=MAX_LEVEL,
                       description="Escalation step: 0 hears first, 1 after escalation_after_s "
                                   "unacknowledged, ...")
    weekdays: list[int] = Field(default_factory=lambda: list(range(7)),
                                description="Days the shift starts on: 0 Monday … 6 Sunday")
    starts: str = Field(examples=["22:00"], description="HH:MM in the site's time zone")
    ends: str = Field(examples=["06:00"],
                      description="HH:MM; at or before starts: runs past midnight")
    note: str = Field("", max_length=100)


class ShiftPublic(BaseModel):
    id: int
    site: str
    username: str
    level: int
    weekdays: list[int]
    starts: str
    ends: str
    note: str


def _contact(c: ContactInfo) -> ContactPublic:
    return ContactPublic(username=c.username, phone=c.phone, telegram=c.telegram,
                         email=c.email, language=c.language, critical=list(c.critical),
                         warning=list(c.warning))


def _shift(x: ShiftInfo) -> ShiftPublic:
    return ShiftPublic(id=x.id, site=x.site, username=x.username, level=x.level,
                       weekdays=[int(d) for d in x.weekdays], starts=x.starts, ends=x.ends,
                       note=x.note)


def _save(people: PeopleDep, username: str, body: ContactIn) -> ContactInfo:
    return people.set_contact(ContactInfo(username, body.phone, body.telegram, body.email,
                                          body.language, tuple(body.critical),
                                          tuple(body.warning)))


@router.get("/api/v1/users/me/contacts", response_model=ContactPublic,
            summary="My contacts and the channels I want for each severity")
def my_contacts(user: StaffUser, people: PeopleDep) -> ContactPublic:
    return _contact(people.contact(user.username))


@router.put("/api/v1/users/me/contacts", response_model=ContactPublic,
            summary="Set my contacts and channels")
def set_my_contacts(body: ContactIn, user: StaffUser, people: PeopleDep,
                    users: UsersDep) -> ContactPublic:
    c = _save(people, user.username, body)
    users.audit(user.username, "update", "contact", None, None, user.username)
    return _contact(c)


@router.get("/api/v1/users/{username}/contacts", response_model=ContactPublic,
            summary="A user's contacts and channels (an admin of the user's sites)")
def user_contacts(username: str, admin: AdminUser, users: UsersDep,
                  people: PeopleDep) -> ContactPublic:
    _managed(admin, users, username)
    return _contact(people.contact(username))


@router.put("/api/v1/users/{username}/contacts", response_model=ContactPublic,
            summary="Set a user's contacts and channels")
def set_user_contacts(username: str, body: ContactIn, admin: AdminUser, users: UsersDep,
                      people: PeopleDep) -> ContactPublic:
    _managed(admin, users, username)
    c = _save(people, username, body)
    users.audit(admin.username, "update", "contact", None, None, username)
    return _contact(c)


@router.get(S + "/roster", response_model=list[ShiftPublic],
            summary="The site's duty roster: weekly shifts by escalation level")
def roster(site: str, _: SiteStaff, people: PeopleDep) -> list[ShiftPublic]:
    return [_shift(x) for x in people.roster(site)]


@router.get(S + "/roster/on-duty", response_model=list[ShiftPublic],
            summary="Who is on duty at a moment (default now), by escalation level")
def on_duty(site: str, _: SiteStaff, people: PeopleDep,
            at: Annotated[int | None, Query(ge=0, description="Epoch ms")] = None
            ) -> list[ShiftPublic]:
    return [_shift(x) for x in people.on_duty(site, now_ms() if at is None else at)]


@router.post(S + "/roster", response_model=ShiftPublic, status_code=201,
             summary="Add a shift to the roster")
def add_shift(site: str, body: ShiftIn, user: SiteWriter, people: PeopleDep,
              users: UsersDep) -> ShiftPublic:
    x = people.add_shift(site, body.username, level=body.level, weekdays=body.weekdays,
                         starts=body.starts, ends=body.ends, note=body.note, by=user.username)
    users.audit(user.username, "create", "shift", x.id, site,
                f"{x.username} level {x.level} {x.weekdays} {x.starts}-{x.ends}")
    return _shift(x)


@router.delete(S + "/roster/{shift}", status_code=204, summary="Remove a shift")
def delete_shift(site: str, shift: int, user: SiteWriter, people: PeopleDep,
                 users: UsersDep) -> None:
    x = people.delete_shift(site, shift)
    users.audit(user.username, "delete", "shift", x.id, site,
                f"{x.username} level {x.level} {x.weekdays} {x.starts}-{x.ends}")
