"""Probe care on the pages: the round's care tasks (``care_tasks``, on the kiosk and the pond
page), the pond's care page ``/sites/{site}/ponds/{pond}/care`` (what is due, the form that
records an entry, the history with each calibration's slope and each drift check's
difference) and the guided procedures ``/procedures/{kind}``.

An entry from the form is the same as ``POST /api/v1/sites/{site}/ponds/{pond}/maintenance``
(``api.routes.maintenance``): the kiosk records it too, the trainees tap who did it.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.advice import Task
from api.deps import CyclesDep, MaintenanceDep, RegistryDep, StoreDep, TeamsDep, UsersDep
from api.forms import parse_number
from api.i18n import error_text, lang_of, num, reading, t
from api.pages.procedures import PROCEDURES, text
from api.pages.render import page
from api.pages.session import PageUser, SiteLoggerPage, SiteViewer, check_csrf
from api.pages.team_records import member_ids
from api.routes.maintenance import device_metrics, probe_reading
from kolam.errors import InvalidRecord, NotFound
from kolam.farming.probe_care import DRIFT_TOLERANCE, INTERVAL_DAYS, Due, Kind
from kolam.registry.maintenance import Maintenance, MaintenanceInfo, NewMaintenance
from kolam.registry.records import MemberStatus
from kolam.security.auth import Role
from kolam.store.base import TimeSeriesReader
from kolam.timeutil import local_day_start_ms, now_ms

router = APIRouter(include_in_schema=False)

KIND_AT_MIN = {Kind.DO_MEMBRANE_CHECK: 7 * 60, Kind.PROBE_CLEANING: 7 * 60 + 10,
               Kind.PH_CALIBRATION: 7 * 60 + 20, Kind.DRIFT_CHECK: 7 * 60 + 40}
"""The morning round after the dead-fish check: rinse the DO membrane, clean what is
fouled, calibrate pH on a clean probe, then compare with a manual reading."""
BUFFERS1 = (7.00, 6.86)
BUFFERS2 = (4.01, 4.00, 10.01, 10.00, 9.18)
RECENT = 20
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
"""A site, pond or device slug in a procedure's link back (nothing else is linked)."""


def pond_dues(care: Maintenance, store: TimeSeriesReader, site: str, pond: str,
              now: int) -> list[Due]:
    return care.due(site, pond, device_metrics(store, site, pond), now)


def care_url(site: str, pond: str, kind: Kind | None = None, device: str | None = None) -> str:
    query = urlencode({k: v for k, v in (("kind", kind.value if kind else None),
                                         ("device", device)) if v})
    return f"/sites/{site}/ponds/{pond}/care{'?' + query if query else ''}#care-form"


def care_tasks(dues: list[Due], site: str, pond: str, now: int, lang: str,
               tz: tzinfo) -> list[Task]:
    """Today's probe care of a pond: what is due (late ones marked), and what was done
    today (ticked)."""
    today = local_day_start_ms(now, tz)
    out = []
    for d in dues:
        words = t(lang, f"care_task_{d.kind.value}", device=d.device)
        guide = f"/procedures/{d.kind.value}?site={site}&pond={pond}&device={d.device}"
        done = d.last_at is not None and d.last_at >= today
        if done or d.due_at <= now:
            out.append(Task(words, done, KIND_AT_MIN[d.kind], guide, d.overdue and not done,
                            care_url(site, pond, d.kind, d.device)))
    return out


def signed(raw: str, field: str, lang: str, *, required: bool = False) -> float | None:
    """A typed number that may be negative (an electrode's mV), the Indonesian way."""
    value = raw.strip()
    if not value:
        if required:
            raise InvalidRecord(f"{t('en', field)}: required", key="required", field=field)
        return None
    minus = value[0] in "-−–"
    try:
        number = parse_number(value[1:] if minus else value, lang)
    except ValueError as exc:
        raise InvalidRecord(f"{t('en', field)}: {raw!r} is not a number", key="not_number",
                            field=field, raw=raw) from exc
    return -number if minus else number


def echo(e: MaintenanceInfo, lang: str) -> tuple[str, str]:
    """What was saved, in a line, and its colour: a calibration's slope and offset, a
    drift check's difference, and what they mean."""
    what = t(lang, f"care_{e.kind.value}")
    c = e.calibration
    if c is not None:
        line = t(lang, "care_saved_ph", device=e.device, slope=num(c.slope_mv, 1, lang),
                 pct=num(c.slope_pct, 0, lang), offset=num(c.offset_mv, 1, lang))
        verdict = "care_ph_ok" if c.ok else f"care_ph_{c.problems[0]}"
        return f"{line} {t(lang, verdict)}", "ok" if c.ok else "warning"
    if e.kind is Kind.DRIFT_CHECK and e.metric is not None:
        manual = reading(e.metric, e.manual_value, lang)
        if e.difference is None:
            return t(lang, "care_saved_drift_none", device=e.device, manual=manual), "warning"
        diff = ("+" if e.difference > 0 else "") + reading(e.metric, e.difference, lang)
        line = t(lang, "care_saved_drift", device=e.device, manual=manual,
                 probe=reading(e.metric, e.probe_value, lang), diff=diff)
        tol = reading(e.metric, DRIFT_TOLERANCE[e.metric], lang)
        if e.drift_ok:
            return f"{line} {t(lang, 'care_drift_ok', tol=tol)}", "ok"
        return f"{line} {t(lang, 'care_drift_bad', tol=tol)}", "warning"
    return t(lang, "care_saved", what=what, device=e.device), "ok"


def short(e: MaintenanceInfo, lang: str) -> str:
    """An entry's result in a few words, for the history table."""
    c = e.calibration
    if c is not None:
        return (f"{num(c.slope_mv, 1, lang)} mV/pH · {num(c.slope_pct, 0, lang)} % · "
                f"{num(c.offset_mv, 1, lang)} mV")
    if e.kind is Kind.DRIFT_CHECK and e.metric is not None:
        if e.difference is None:
            return f"{reading(e.metric, e.manual_value, lang)} · —"
        sign = "+" if e.difference > 0 else ""
        return (f"{reading(e.metric, e.manual_value, lang)} · Δ {sign}"
                f"{reading(e.metric, e.difference, lang)}")
    return e.note or ""


def _members(cycles: CyclesDep, teams: TeamsDep, site: str, pond: str) -> list[object]:
    cycle = cycles.active_cycle(site, pond)
    if cycle is None:
        return []
    return [m for m in teams.members(site, cycle.team_id) if m.status is MemberStatus.ACTIVE]


def _care_page(request: Request, site: str, pond: str, registry: RegistryDep,
               care: Maintenance, store: TimeSeriesReader, cycles: CyclesDep,
               teams: TeamsDep, status_code: int = 200, **extra: object) -> Response:
    now = now_ms()
    info = registry.pond(site, pond)
    dues = pond_dues(care, store, site, pond, now)
    devices = sorted({d.device for d in dues}) or [d.slug for d in registry.devices(site, pond)]
    entries = care.entries(site, pond, limit=RECENT)
    user = request.state.user
    return page(request, "care.html", status_code=status_code, site=site, pond=info,
                site_name=registry.site(site).name, dues=dues, devices=devices,
                entries=entries, echo=echo, short=short, kinds=list(Kind), every=INTERVAL_DAYS,
                buffers1=BUFFERS1, buffers2=BUFFERS2,
                members=_members(cycles, teams, site, pond),
                may_record=user is not None and user.role in (Role.ADMIN, Role.OFFICER,
                                                              Role.KIOSK),
                **extra)


@router.get("/sites/{site}/ponds/{pond}/care")
def care_page(request: Request, site: str, pond: str, _: SiteViewer, registry: RegistryDep,
              care: MaintenanceDep, store: StoreDep, cycles: CyclesDep, teams: TeamsDep,
              kind: str = "", device: str = "", saved: int = 0) -> Response:
    shown = None
    if saved > 0:
        try:
            shown = care.entry(site, saved)
        except NotFound:
            shown = None
    form = {"kind": kind if kind in {k.value for k in Kind} else "", "device": device}
    return _care_page(request, site, pond, registry, care, store, cycles, teams,
                      saved=shown, form=form)


@router.post("/sites/{site}/ponds/{pond}/care")
def record_care(request: Request, site: str, pond: str, user: SiteLoggerPage,
                registry: RegistryDep, care: MaintenanceDep, store: StoreDep,
                cycles: CyclesDep, teams: TeamsDep, users: UsersDep,
                csrf: Annotated[str, Form()] = "", device: Annotated[str, Form()] = "",
                kind: Annotated[str, Form()] = "", buffer1: Annotated[str, Form()] = "",
                reading1: Annotated[str, Form()] = "", buffer2: Annotated[str, Form()] = "",
                reading2: Annotated[str, Form()] = "", temp_c: Annotated[str, Form()] = "",
                metric: Annotated[str, Form()] = "", manual_value: Annotated[str, Form()] = "",
                note: Annotated[str, Form()] = "",
                members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    lang = lang_of(request)
    form = {"kind": kind, "device": device, "buffer1": buffer1, "reading1": reading1,
            "buffer2": buffer2, "reading2": reading2, "temp_c": temp_c, "metric": metric,
            "manual_value": manual_value, "note": note, "members": tuple(members or ())}
    try:
        try:
            care_kind = Kind(kind)
        except ValueError as exc:
            raise InvalidRecord(f"unknown kind {kind!r}", key="unknown_kind",
                                kind=kind) from exc
        at = now_ms()
        new = NewMaintenance(care_kind, at, member_ids(tuple(members or ())), note=note[:500])
        if care_kind is Kind.PH_CALIBRATION:
            new = NewMaintenance(
                care_kind, at, new.member_ids,
                signed(buffer1, "f_buffer1", lang, required=True),
                signed(reading1, "f_reading1", lang, required=True),
                signed(buffer2, "f_buffer2", lang, required=True),
                signed(reading2, "f_reading2", lang, required=True),
                signed(temp_c, "f_buffer_temp_c", lang), note=new.note)
        elif care_kind is Kind.DRIFT_CHECK:
            value = signed(manual_value, "f_manual_value", lang, required=True)
            if metric not in DRIFT_TOLERANCE:
                raise InvalidRecord(f"metric: {metric!r}", key="drift_metric", metric=metric)
            probe, probe_at = probe_reading(store, site, pond, device, metric, at)
            new = NewMaintenance(care_kind, at, new.member_ids, metric=metric,
                                 manual_value=value, probe_value=probe, probe_at=probe_at,
                                 note=new.note)
        saved = care.add(site, pond, device, new, user.username)
    except (InvalidRecord, NotFound) as exc:
        return _care_page(request, site, pond, registry, care, store, cycles, teams,
                          status_code=422, error=error_text(exc, lang), form=form)
    users.audit(user.username, "add", "maintenance", saved.id, site,
                f"{saved.kind.value} of {pond}/{saved.device} (page)")
    return RedirectResponse(f"/sites/{site}/ponds/{pond}/care?saved={saved.id}#saved",
                            status_code=303)


@router.get("/procedures/{kind}")
def procedure(request: Request, kind: str, _: PageUser, site: str = "", pond: str = "",
              device: str = "") -> Response:
    try:
        p = PROCEDURES[Kind(kind)]
    except ValueError as exc:
        raise NotFound(f"no procedure {kind!r}") from exc
    lang = lang_of(request)
    slugs = all(SLUG.fullmatch(x) for x in (site, pond, device) if x)
    back = care_url(site, pond, p.kind, device or None) if site and pond and slugs else None
    return page(request, "procedure.html", p=p, lang_text=lambda pair: text(pair, lang),
                title=text(p.title, lang), record_href=back,
                others=[k for k in Kind if k is not p.kind], every=INTERVAL_DAYS[p.kind])
