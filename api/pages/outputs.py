"""The pond page's relay outputs: each aerator's confirmed state and its pending command,
and a switch button (a form with a confirmation box, no script needed) for those who may
switch (``api.routes.outputs.may_switch``). A switch from the page is the same command as
``POST /api/v1/sites/{site}/ponds/{pond}/outputs/{device}/{output}`` (for a loop's output,
manual for the time chosen), "back to automatic" the same as ``…/{output}/auto``. The
kiosk's aerator card (``_kiosk_outputs.html``) posts here too, with ``back=kiosk``."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import ConfigDep
from api.pages.render import templates
from api.pages.session import PageUser, check_csrf
from api.routes.outputs import (
    DEFAULT_EXPIRES_S,
    AutoIn,
    OutputPublic,
    SwitchIn,
    may_switch,
    pond_outputs,
    send_auto,
    send_switch,
)
from kolam.errors import InvalidRecord
from kolam.security.auth import Forbidden

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def _outputs_for_page(request: Request, site: str, pond: str) -> list[OutputPublic]:
    try:
        return pond_outputs(request, site, pond)
    except Exception:  # the rest of the pond page is worth more than this card
        log.exception("the outputs of %s/%s could not be read", site, pond)
        return []


def _may_switch(request: Request, site: str) -> bool:
    # A template global (the pond page's outputs card calls it with the request), not a
    # route: there is no route parameter to take the config from.
    user = getattr(request.state, "user", None)
    return may_switch(user, site, request.app.state.config)


templates.env.globals.update(pond_outputs=_outputs_for_page, may_switch_outputs=_may_switch)


MANUAL_MINUTES = (30, 60, 120, 240)
"""The manual times the page offers (the API takes any 1 min–1 day)."""


def _back(site: str, pond: str, back: str, switched: bool) -> Response:
    where = f"/kiosk/{site}" if back == "kiosk" else f"/sites/{site}/ponds/{pond}"
    return RedirectResponse(f"{where}?switched={int(switched)}#outputs", status_code=303)


@router.post("/sites/{site}/ponds/{pond}/outputs/{device}/{output}")
def switch_from_page(request: Request, site: str, pond: str, device: str, output: str,
                     user: PageUser, config: ConfigDep, csrf: Annotated[str, Form()] = "",
                     on: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
                     manual_min: Annotated[int, Form()] = 60,
                     back: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    if not may_switch(user, site, config):
        raise Forbidden(f"user {user.username!r} may not switch outputs of site {site!r}")
    if on not in ("0", "1"):
        raise InvalidRecord("on must be 1 or 0")
    if manual_min not in MANUAL_MINUTES:
        raise InvalidRecord(f"manual_min must be one of {MANUAL_MINUTES}")
    if confirm != "1":
        return _back(site, pond, back, False)
    body = SwitchIn(on=on == "1", reason="manual", expires_s=DEFAULT_EXPIRES_S,
                    manual_s=manual_min * 60)
    send_switch(request, user, site, pond, device, output, body)
    return _back(site, pond, back, True)


@router.post("/sites/{site}/ponds/{pond}/outputs/{device}/{output}/auto")
def auto_from_page(request: Request, site: str, pond: str, device: str, output: str,
                   user: PageUser, config: ConfigDep, csrf: Annotated[str, Form()] = "",
                   confirm: Annotated[str, Form()] = "",
                   back: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    if not may_switch(user, site, config):
        raise Forbidden(f"user {user.username!r} may not switch outputs of site {site!r}")
    if confirm != "1":
        return _back(site, pond, back, False)
    send_auto(request, user, site, pond, device, output, AutoIn(expires_s=DEFAULT_EXPIRES_S))
    return _back(site, pond, back, True)
