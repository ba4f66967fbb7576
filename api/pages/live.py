"""Server-Sent Events for the kiosk and pond pages.

Each stream polls the store every ``POLL_S`` seconds on the server, re-renders the page's
live fragments (kiosk tiles; a pond's readings and devices) and sends only those that
changed, and a ``beat`` event every ``HEARTBEAT_S`` so the page can tell a quiet pond from
a lost connection (``static/js/live.js`` then says so, and ``/live/ping`` tells it whether
the login expired). Streams are bounded: at most ``MAX_STREAMS`` at once per process, and
of those at most ``MAX_STREAMS_PER_USER`` for one login and ``MAX_STREAMS_PER_ADDRESS``
from one client address, so one kiosk login cannot take every slot (issue #15). Each stream is
closed after ``MAX_STREAM_S`` (the browser's EventSource reconnects by itself), and
re-checks the login on every poll so a removed user stops receiving at once.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.i18n import lang_of
from api.pages.kiosk import tiles
from api.pages.ponds import pond_card
from api.pages.render import fragment
from api.pages.session import LoginRequired, PageSessions, PageUser, SessionsDep, SiteViewer
from api.pond_view import PondViewsDep
from api.ratelimit import address_key, client_address
from kolam.security.auth import Principal
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
POLL_S = 3.0
HEARTBEAT_S = 15.0
MAX_STREAM_S = 600.0
MAX_STREAMS = 200
# A browser holds at most 6 connections to one host over HTTP/1.1, and a page opens one
# stream; ten leaves room for a kiosk login on a few tablets, or an officer's tabs.
MAX_STREAMS_PER_USER = 10
# A whole site may reach the central API from one public address (the rutan's NAT): its
# kiosk tablets and officers' screens together, still well short of all 200.
MAX_STREAMS_PER_ADDRESS = 30
RETRY_MS = 3000

Fragments = Callable[[], dict[str, str]]


class StreamSlots:
    """Open live streams: in all, per user and per client address; thread-safe."""

    def __init__(self, total: int = MAX_STREAMS, per_user: int = MAX_STREAMS_PER_USER,
                 per_address: int = MAX_STREAMS_PER_ADDRESS) -> None:
        self.total, self.per_user, self.per_address = total, per_user, per_address
        self._lock = threading.Lock()
        self._users: Counter[str] = Counter()
        self._addresses: Counter[str] = Counter()
        self.open = 0

    def acquire(self, user: str, address: str) -> Callable[[], None]:
        """Take a slot, or ``HTTPException`` 429 (this user's/address's) / 503 (all full).

        Returns the release function; calling it more than once releases once.
        """
        addr = address_key(address)
        with self._lock:
            if self._users[user] >= self.per_user or self._addresses[addr] >= self.per_address:
                raise HTTPException(429, "too many live pages open for this login or "
                                         "device; close some", headers={"Retry-After": "30"})
            if self.open >= self.total:
                raise HTTPException(503, "too many live pages open; reload later",
                                    headers={"Retry-After": "30"})
            self._users[user] += 1
            self._addresses[addr] += 1
            self.open += 1
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                self.open -= 1
                for table, key in ((self._users, user), (self._addresses, addr)):
                    table[key] -= 1
                    if table[key] <= 0:
                        del table[key]

        return release


def _limits(request: Request) -> tuple[float, float]:
    """(poll interval, stream lifetime) in seconds; tests shorten them via app.state."""
    state = request.app.state
    return (getattr(state, "live_poll_s", POLL_S), getattr(state, "live_max_stream_s",
                                                            MAX_STREAM_S))


async def _events(request: Request, sessions: PageSessions, render: Fragments,
                  release: Callable[[], None]) -> AsyncIterator[str]:
    poll_s, max_s = _limits(request)
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


def _stream(request: Request, user: Principal, sessions: PageSessions,
            render: Fragments) -> StreamingResponse:
    slots: StreamSlots = request.app.state.live_slots
    release = slots.acquire(user.username, client_address(request))
    events = _events(request, sessions, render, release)
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
              sessions: SessionsDep) -> StreamingResponse:
    """The kiosk's pond tiles."""
    views.registry.site(site)
    lang = lang_of(request)

    def render() -> dict[str, str]:
        return {f"tile-{x.card.pond.slug}": fragment(request, "_tile.html", tile=x)
                for x in tiles(views, site, now_ms(), lang)}

    return _stream(request, user, sessions, render)


@router.get("/live/sites/{site}/ponds/{pond}")
def live_pond(request: Request, site: str, pond: str, user: SiteViewer,
              views: PondViewsDep, sessions: SessionsDep) -> StreamingResponse:
    """A pond page's latest readings and device health."""
    p = views.registry.pond(site, pond)

    def render() -> dict[str, str]:
        card = pond_card(views, p, now_ms(), with_cycle=False)
        return {"readings": fragment(request, "_readings.html", card=card),
                "devices": fragment(request, "_devices.html", card=card)}

    return _stream(request, user, sessions, render)
