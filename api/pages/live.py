"""Server-Sent Events for the kiosk and pond pages.

Each stream polls the store every ``POLL_S`` seconds on the server, re-renders the page's
live fragments (kiosk tiles; a pond's readings and devices) and sends only those that
changed. Streams are bounded: at most ``MAX_STREAMS`` at once per process, each closed
after ``MAX_STREAM_S`` (the browser's EventSource reconnects by itself), and each
re-checks the login on every poll so a removed user stops receiving at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.pages.kiosk import tiles
from api.pages.ponds import pond_card
from api.pages.render import fragment
from api.pages.session import LoginRequired, SiteViewer, page_user
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
POLL_S = 3.0
HEARTBEAT_S = 15.0
MAX_STREAM_S = 600.0
MAX_STREAMS = 200
RETRY_MS = 3000

Fragments = Callable[[], dict[str, str]]


def _limits(request: Request) -> tuple[float, float]:
    """(poll interval, stream lifetime) in seconds; tests shorten them via app.state."""
    state = request.app.state
    return (getattr(state, "live_poll_s", POLL_S), getattr(state, "live_max_stream_s",
                                                            MAX_STREAM_S))


async def _events(request: Request, render: Fragments) -> AsyncIterator[str]:
    poll_s, max_s = _limits(request)
    state = request.app.state
    state.live_streams = getattr(state, "live_streams", 0) + 1
    sent: dict[str, str] = {}
    started = last_beat = time.monotonic()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        while time.monotonic() - started < max_s:
            try:
                await run_in_threadpool(page_user, request)
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
                yield ": keep-alive\n\n"
            deadline = time.monotonic() + poll_s
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    return
                await asyncio.sleep(min(0.5, poll_s))
    finally:
        state.live_streams -= 1


def _stream(request: Request, render: Fragments) -> StreamingResponse:
    if getattr(request.app.state, "live_streams", 0) >= MAX_STREAMS:
        raise HTTPException(503, "too many live pages open; reload later",
                            headers={"Retry-After": "30"})
    return StreamingResponse(_events(request, render), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/live/sites/{site}")
def live_site(request: Request, site: str, _: SiteViewer) -> StreamingResponse:
    """The kiosk's pond tiles."""
    request.app.state.registry.site(site)

    def render() -> dict[str, str]:
        return {f"tile-{x.card.pond.slug}": fragment(request, "_tile.html", tile=x)
                for x in tiles(request, site, now_ms())}

    return _stream(request, render)


@router.get("/live/sites/{site}/ponds/{pond}")
def live_pond(request: Request, site: str, pond: str, _: SiteViewer) -> StreamingResponse:
    """A pond page's latest readings and device health."""
    p = request.app.state.registry.pond(site, pond)

    def render() -> dict[str, str]:
        card = pond_card(request, p, now_ms(), with_cycle=False)
        return {"readings": fragment(request, "_readings.html", card=card),
                "devices": fragment(request, "_devices.html", card=card)}

    return _stream(request, render)
