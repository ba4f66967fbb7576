"""People on call, as pages: ``/sites/{site}/roster`` (the duty roster: the staff read it,
admins and officers change it), ``/me/contacts`` (my phone, Telegram chat, e-mail and
which channels I want per severity) and ``/a/{token}`` (the one-time acknowledgement page
a message links to; no login).

The same checks as the API (``api.routes.people``, ``kolam.registry.people``); an
``InvalidRecord`` is shown beside the form in the page's language.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.advice import alert_advice, alert_title
from api.auth import STAFF, WRITERS
from api.deps import AckLinksDep, PeopleDep, RegistryDep, UsersDep
from api.i18n import error_text, lang_of
from api.pages.render import page
from api.pages.session import PageUser, SiteStaffPage, SiteWriterPage, check_csrf, check_role
from kolam.errors import InvalidRecord, NotFound
from kolam.places import site_zone
from kolam.registry.people import CHANNELS, MAX_LEVEL, ContactInfo, People
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.security.auth import Principal, Role
from kolam.timeutil import from_ms, now_ms

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]


def _roster(request: Request, site: str, user: Principal, registry: Registry, people: People,
            users: Users, status_code: int = 200, **extra: Any) -> Response:
    now = now_ms()
    on = {x.id for x in people.on_duty(site, now)}
    zone = site_zone(registry.site(site).timezone)
    staff = [u.username for u in users.all()
             if u.role in STAFF and u.role != Role.KIOSK and u.can_see(site)]
    return page(request, "roster.html", status_code=status_code, site=site,
                shifts=people.roster(site), on_duty=on, staff=staff, levels=range(MAX_LEVEL + 1),
                local_now=from_ms(now).astimezone(zone).strftime("%H:%M"), zone=str(zone),
                can_edit=user.role in WRITERS, **extra)


@router.get("/roster")
def roster_index(user: PageUser, registry: RegistryDep) -> Response:
    check_role(user, STAFF)
    only = None if user.all_sites else user.sites
    sites = registry.sites(only)
    if not sites:
        raise NotFound("no site to show a roster of")
    return RedirectResponse(f"/sites/{sites[0].slug}/roster", status_code=303)


@router.get("/sites/{site}/roster")
def roster_page(request: Request, site: str, user: SiteStaffPage, registry: RegistryDep,
                people: PeopleDep, users: UsersDep, saved: int = 0) -> Response:
    return _roster(request, site, user, registry, people, users, saved=bool(saved))


@router.post("/sites/{site}/roster")
def add_shift(request: Request, site: str, user: SiteWriterPage, registry: RegistryDep,
              people: PeopleDep, users: UsersDep, csrf: FormText = "",
              username: FormText = "", level: FormText = "0",
              weekdays: FormList = [], starts: FormText = "",  # noqa: B006 (FastAPI form)
              ends: FormText = "", note: FormText = "") -> Response:
    check_csrf(request, csrf)
    try:
        if not level.strip().isdigit():
            raise InvalidRecord("level: a whole number", key="bad_level", field="level")
        x = people.add_shift(site, username.strip(), level=int(level),
                             weekdays=[int(d) for d in weekdays if d.isdigit()],
                             starts=starts, ends=ends, note=note, by=user.username)
    except InvalidRecord as exc:
        return _roster(request, site, user, registry, people, users, 422,
                       error=error_text(exc, lang_of(request)))
    users.audit(user.username, "create", "shift", x.id, site,
                f"{x.username} level {x.level} {x.weekdays} {x.starts}-{x.ends} (page)")
    return RedirectResponse(f"/sites/{site}/roster?saved=1", status_code=303)


@router.post("/sites/{site}/roster/{shift}/delete")
def delete_shift(request: Request, site: str, shift: int, user: SiteWriterPage,
                 people: PeopleDep, users: UsersDep, csrf: FormText = "") -> Response:
    check_csrf(request, csrf)
    x = people.delete_shift(site, shift)
    users.audit(user.username, "delete", "shift", x.id, site,
                f"{x.username} level {x.level} {x.weekdays} {x.starts}-{x.ends} (page)")
    return RedirectResponse(f"/sites/{site}/roster?saved=1", status_code=303)


def _contacts(request: Request, contact: ContactInfo, status_code: int = 200,
              **extra: Any) -> Response:
    return page(request, "contacts.html", status_code=status_code, contact=contact,
                channels=CHANNELS, **extra)


@router.get("/me/contacts")
def contacts_page(request: Request, user: PageUser, people: PeopleDep,
                  saved: int = 0) -> Response:
    check_role(user, STAFF)
    return _contacts(request, people.contact(user.username), saved=bool(saved))


@router.post("/me/contacts")
def save_contacts(request: Request, user: PageUser, people: PeopleDep, users: UsersDep,
                  csrf: FormText = "", phone: FormText = "", telegram: FormText = "",
                  email: FormText = "", language: FormText = "id",
                  critical: FormList = [], warning: FormList = []  # noqa: B006
                  ) -> Response:
    check_role(user, STAFF)
    check_csrf(request, csrf)
    wanted = ContactInfo(user.username, phone or None, telegram or None, email or None,
                         language, tuple(critical), tuple(warning))
    try:
        people.set_contact(wanted)
    except InvalidRecord as exc:
        return _contacts(request, wanted, 422, error=error_text(exc, lang_of(request)))
    users.audit(user.username, "update", "contact", None, None, f"{user.username} (page)")
    return RedirectResponse("/me/contacts?saved=1", status_code=303)


def _ack(request: Request, token: str, links: Any, status_code: int = 200,
         **extra: Any) -> Response:
    try:
        link = links.view(token)
    except NotFound:
        return page(request, "ack.html", status_code=404, link=None, token="",
                    alert_title=alert_title, alert_advice=alert_advice, **extra)
    return page(request, "ack.html", status_code=status_code, link=link, token=token,
                usable=link.usable(now_ms()), alert_title=alert_title,
                alert_advice=alert_advice, **extra)


@router.get("/a/{token}")
def ack_page(request: Request, token: str, links: AckLinksDep) -> Response:
    """Shows the alert and a button: opening the link acknowledges nothing, since
    messengers fetch links for their previews."""
    return _ack(request, token, links)


@router.post("/a/{token}")
def ack_with_link(request: Request, token: str, links: AckLinksDep) -> Response:
    client = request.client.host if request.client else ""
    try:
        links.use(token, now_ms(), client=client)
    except InvalidRecord as exc:
        return _ack(request, token, links, 409, error=error_text(exc, lang_of(request)))
    except NotFound:
        return _ack(request, token, links)
    return _ack(request, token, links, done=True)
