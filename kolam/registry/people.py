"""People on call: each user's contacts and per-severity channels, and each site's duty
roster (weekly shifts in the site's time zone, in escalation levels).

``on_call(session, site, at)`` is what the alert outbox asks at the moment it queues a
message: who is on shift then, at which level, and how each wants to hear of a critical
alert or a warning (docs/alerts.md#contacts-and-the-duty-roster).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kolam.errors import InvalidRecord, NotFound
from kolam.places import site_zone
from kolam.protocol import SLUG_RE
from kolam.registry.db import session_factory
from kolam.registry.models import Site
from kolam.registry.people_models import DutyShift, UserContact
from kolam.registry.user_models import User
from kolam.timeutil import from_ms, now_ms

CHANNELS = ("telegram", "whatsapp", "sms", "email")
"""Channels a person can be reached on, in the order messages go out."""
ADDRESS_OF = {"telegram": "telegram", "whatsapp": "phone", "sms": "phone", "email": "email"}
"""Which contact field each channel sends to."""
MAX_LEVEL = 5
_PHONE = re.compile(r"\+?[0-9]{8,15}")
_CHAT = re.compile(r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class ContactInfo:
    username: str
    phone: str | None = None
    telegram: str | None = None
    email: str | None = None
    language: str = "id"
    critical: tuple[str, ...] = ()
    warning: tuple[str, ...] = ()

    def address(self, channel: str) -> str | None:
        value = getattr(self, ADDRESS_OF[channel])
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    id: int
    site: str
    username: str
    level: int
    weekdays: str
    starts: str
    ends: str
    note: str = ""

    def covers(self, local: datetime) -> bool:
        """Whether the shift holds at ``local`` (a time in the site's zone)."""
        start, end, now = _minutes(self.starts), _minutes(self.ends), local.hour * 60 + local.minute
        day = str(local.weekday())
        if end > start:
            return day in self.weekdays and start <= now < end
        # Through midnight (or the whole day when end == start): the evening part on a
        # shift day, the morning part on the day after one.
        yesterday = str((local - timedelta(days=1)).weekday())
        return (day in self.weekdays and now >= start) or (
            yesterday in self.weekdays and now < end)


@dataclass(frozen=True, slots=True)
class OnCall:
    """A person on shift, as the alert router needs them."""

    username: str
    role: str
    level: int
    language: str
    channels: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """Per severity (``critical``, ``warning``): the (channel, address) pairs to send to."""


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def _hhmm(text: str, what: str) -> str:
    text = text.strip().replace(".", ":")
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    if text == "24:00":
        text = "00:00"
    if not _HHMM.fullmatch(text):
        raise InvalidRecord(f"{what}: a time as HH:MM, 00:00–23:59 (got {text[:10]!r})",
                            key="bad_time", field=what)
    return text


def _channels(values: Iterable[str], what: str) -> tuple[str, ...]:
    chosen = {v.strip() for v in values if v.strip()}
    unknown = sorted(chosen - set(CHANNELS))
    if unknown:
        raise InvalidRecord(f"{what}: unknown channel(s) {', '.join(unknown)}; known: "
                            f"{', '.join(CHANNELS)}")
    return tuple(c for c in CHANNELS if c in chosen)


def check_contact(c: ContactInfo) -> ContactInfo:
    """The contact with addresses tidied, or ``InvalidRecord`` saying what is wrong."""
    phone = (c.phone or "").strip().replace(" ", "").replace("-", "") or None
    telegram = (c.telegram or "").strip() or None
    email = (c.email or "").strip() or None
    if phone is not None:
        if not _PHONE.fullmatch(phone):
            raise InvalidRecord(f"phone: 8–15 digits, e.g. 6281234567890 (got {phone[:20]!r})",
                                key="bad_phone", field="phone")
        phone = phone.lstrip("+")
        if phone.startswith("0"):
            phone = "62" + phone[1:]  # 0812... as dialled in Indonesia
    if telegram is not None and not _CHAT.fullmatch(telegram):
        raise InvalidRecord(f"telegram: a chat id (digits) or @name (got {telegram[:32]!r})",
                            key="bad_chat", field="telegram")
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidRecord(f"email: not an e-mail address ({email[:64]!r})",
                            key="bad_email", field="email")
    if c.language not in ("id", "en"):
        raise InvalidRecord("language: id or en")
    out = ContactInfo(c.username, phone, telegram, email, c.language,
                      _channels(c.critical, "critical"), _channels(c.warning, "warning"))
    for severity in ("critical", "warning"):
        for channel in getattr(out, severity):
            if out.address(channel) is None:
                raise InvalidRecord(
                    f"{severity}: {channel} needs a {ADDRESS_OF[channel]} first",
                    key="channel_needs", channel=channel, field=ADDRESS_OF[channel])
    return out


def _contact(u: User, row: UserContact | None) -> ContactInfo:
    if row is None:
        return ContactInfo(u.username)
    return ContactInfo(u.username, row.phone, row.telegram, row.email, row.language,
                       _split(row.critical), _split(row.warning))


def _split(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.split(",") if x)


def _shift(row: DutyShift, username: str) -> ShiftInfo:
    return ShiftInfo(row.id, row.site, username, row.level, row.weekdays, row.starts, row.ends,
                     row.note)


def _weekdays(days: Iterable[int]) -> str:
    chosen = sorted(set(days))
    if not chosen or any(not 0 <= d <= 6 for d in chosen):
        raise InvalidRecord("weekdays: one or more of 0 (Monday) … 6 (Sunday)",
                            key="bad_weekdays", field="weekdays")
    return "".join(str(d) for d in chosen)


def site_now(s: Session, site: str, at_ms: int) -> datetime:
    """``at_ms`` in the site's time zone (WIB for a site not registered yet)."""
    zone = s.scalar(select(Site.timezone).where(Site.slug == site))
    return from_ms(at_ms).astimezone(site_zone(zone))


def on_duty(s: Session, site: str, at_ms: int) -> list[ShiftInfo]:
    """The shifts holding at ``at_ms`` in the site's time zone, by level; a user on two
    shifts at once counts at the lower level."""
    local = site_now(s, site, at_ms)
    rows = s.execute(select(DutyShift, User.username).join(User).where(
        DutyShift.site == site, User.active).order_by(DutyShift.level, DutyShift.id))
    found: dict[str, ShiftInfo] = {}
    for row, username in rows:
        shift = _shift(row, username)
        if shift.covers(local) and username not in found:
            found[username] = shift
    return list(found.values())


def on_call(s: Session, site: str, at_ms: int) -> list[OnCall]:
    """Who is on shift at ``at_ms`` and where each wants each severity."""
    out = []
    for shift in on_duty(s, site, at_ms):
        u = s.scalar(select(User).where(User.username == shift.username))
        if u is None:
            continue
        c = _contact(u, s.get(UserContact, u.id))
        channels = {sev: tuple((ch, a) for ch in getattr(c, sev)
                               if (a := c.address(ch)) is not None)
                    for sev in ("critical", "warning")}
        out.append(OnCall(u.username, u.role, shift.level, c.language, channels))
    return out


class People:
    """Contacts and rosters as the API and the pages manage them."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    @staticmethod
    def _user(s: Session, username: str) -> User:
        u = s.scalar(select(User).where(User.username == username, User.active))
        if u is None:
            raise NotFound(f"no user {username!r}")
        return u

    def contact(self, username: str) -> ContactInfo:
        with self._sessions() as s:
            u = self._user(s, username)
            return _contact(u, s.get(UserContact, u.id))

    def set_contact(self, contact: ContactInfo) -> ContactInfo:
        c = check_contact(contact)
        with self._sessions() as s, s.begin():
            u = self._user(s, c.username)
            row = s.get(UserContact, u.id) or UserContact(user_id=u.id)
            row.phone, row.telegram, row.email, row.language = (c.phone, c.telegram, c.email,
                                                                c.language)
            row.critical, row.warning = ",".join(c.critical), ",".join(c.warning)
            row.updated_at = now_ms()
            s.add(row)
            return c

    def roster(self, site: str) -> list[ShiftInfo]:
        with self._sessions() as s:
            rows = s.execute(select(DutyShift, User.username).join(User).where(
                DutyShift.site == site).order_by(DutyShift.level, DutyShift.starts,
                                                 DutyShift.id))
            return [_shift(r, name) for r, name in rows]

    def add_shift(self, site: str, username: str, *, level: int, weekdays: Iterable[int],
                  starts: str, ends: str, note: str = "", by: str) -> ShiftInfo:
        if not SLUG_RE.fullmatch(site):
            raise InvalidRecord(f"not a site slug: {site!r}")
        if not 0 <= level <= MAX_LEVEL:
            raise InvalidRecord(f"level: 0 (hears first) … {MAX_LEVEL}", key="at_most",
                                field="level", high=MAX_LEVEL, unit="")
        days = _weekdays(weekdays)
        start, end = _hhmm(starts, "starts"), _hhmm(ends, "ends")
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username, User.active))
            if u is None:
                raise InvalidRecord(f"no user {username!r}", key="no_user", name=username)
            if u.role == "kiosk" or (u.sites and site not in {x.site for x in u.sites}):
                raise InvalidRecord(f"user {username!r} is not staff of site {site!r}",
                                    key="not_staff", name=username)
            row = DutyShift(site=site, user_id=u.id, level=level, weekdays=days,
                            starts=start, ends=end, note=note.strip()[:100], created_by=by,
                            created_at=now_ms())
            s.add(row)
            s.flush()
            return _shift(row, u.username)

    def delete_shift(self, site: str, shift_id: int) -> ShiftInfo:
        with self._sessions() as s, s.begin():
            row = s.get(DutyShift, shift_id)
            if row is None or row.site != site:
                raise NotFound(f"no shift {shift_id} at site {site!r}")
            u = s.get(User, row.user_id)
            gone = _shift(row, u.username if u else "?")
            s.delete(row)
            return gone

    def on_duty(self, site: str, at_ms: int) -> list[ShiftInfo]:
        with self._sessions() as s:
            return on_duty(s, site, at_ms)

    def on_call(self, site: str, at_ms: int) -> list[OnCall]:
        with self._sessions() as s:
            return on_call(s, site, at_ms)
