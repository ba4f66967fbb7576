"""Server-Sent Events for the kiosk and pond pages.

Each stream polls the store every ``POLL_S`` seconds on the server, re-renders the page's
live fragments (kiosk tiles; a pond's readings and devices) and sends only those that
changed, and a ``beat`` event every ``HEARTBEAT_S`` so the page can tell a quiet pond from
a lost connection (``static/js/live.js`` then says so, and ``/live/ping`` tells it whether
the login expired). Streams are bounded (the limits are in ``api.live_streams``): at
most ``MAX_STREAMS`` at once per process, and of those at most ``MAX_STREAMS_PER_USER``
for one login and ``MAX_STREAMS_PER_ADDRESS`` from one client address, so one kiosk login
cannot take every slot (issue #15). Each stream is closed after ``MAX_STREAM_S`` (the
browser's EventSource reconnects by itself), and re-checks the login on every poll so a
removed user stops receiving at once.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import LiveSlotsDep, LiveTimesDep
from api.i18n import lang_of
from api.live_streams import LiveTimes, StreamSlots
from api.pages.kiosk import tiles
from api.pages.ponds import pond_card
from api.pages.render import fragment
from api.pages.session import LoginRequired, PageSessions, PageUser, SessionsDep, SiteViewer
from api.pond_view import PondViewsDep
from api.ratelimit import client_address
from api.routes.outputs import OutputsDep
from kolam.security.auth import Principal
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
HEARTBEAT_S = 15.0
RETRY_MS = 3000

Fragments = Callable[[], dict[str, str]]


async def _events(request: Request, sessions: PageSessions, render: Fragments,
                  release: Callable[[], None], times: LiveTimes) -> AsyncIterator[str]:
    poll_s, max_s = times.poll_s, times.max_stream_s
    sent: dict[str, str] = {}
    started = last_beat = time.monotonic()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        while time.monotonic() - started < max_s:
            try:
                await run_in_threadpool(sessions.user, request)
                current = await run_in_threadpool(render)
            except LoginRequired:
                yield "event: logout\ndata: {}\n\n"
                return
            for key, html in current.items():
                if sent.get(key) != html:
                    sent[key] = html
                    yield f"event: fragment\ndata: {json.dumps({'id': key, 'html': html})}\n\n"
            if time.monotonic() - last_beat >= HEARTBEAT_S:
                last_beat = time.monotonic()
                yield "event: beat\ndata: {}\n\n"  # an event, not a comment: the page sees it
            deadline = time.monotonic() + poll_s
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    return
                await asyncio.sleep(min(0.5, poll_s))
    finally:
        release()


def _stream(request: Request, user: Principal, sessions: PageSessions, slots: StreamSlots,
            times: LiveTimes, render: Fragments) -> StreamingResponse:
    release = slots.acquire(user.username, client_address(request))
    events = _events(request, sessions, render, release, times)
    # A client gone before the stream starts leaves the generator unstarted, so its
    # ``finally`` never runs: release the slot when the generator is collected too.
    weakref.finalize(events, release)
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/live/ping", status_code=204)
def ping(_: PageUser) -> Response:
    """204 while the page's login holds, 401 once it has expired: how a live page whose
    stream was refused tells an expired login from a lost connection."""
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.get("/live/sites/{site}")
def live_site(request: Request, site: str, user: SiteViewer, views: PondViewsDep,
              sessions: SessionsDep, slots: LiveSlotsDep,
              times: LiveTimesDep, outputs: OutputsDep) -> StreamingResponse:
    """The kiosk's pond tiles."""
    views.registry.site(site)
    lang = lang_of(request)

    def render() -> dict[str, str]:
        return {f"tile-{x.card.pond.slug}": fragment(request, "_tile.html", tile=x)
                for x in tiles(views, site, now_ms(), lang, outputs)}

    return _stream(request, user, sessions, slots, times, render)


@router.get("/live/sites/{site}/ponds/{pond}")
def live_pond(request: Request, site: str, pond: str, user: SiteViewer,
              views: PondViewsDep, sessions: SessionsDep, slots: LiveSlotsDep,
              times: LiveTimesDep) -> StreamingResponse:
    """A pond page's latest readings and device health."""
    p = views.registry.pond(site, pond)

    def render() -> dict[str, str]:
        card = pond_card(views, p, now_ms(), with_cycle=False)
        return {"readings": fragment(request, "_readings.html", card=card),
                "devices": fragment(request, "_devices.html", card=card)}

    return _stream(request, user, sessions, slots, times, render)
