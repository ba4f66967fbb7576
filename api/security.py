"""HTTP hardening: security headers on every response, a request body limit, key checks.

Both middlewares are plain ASGI (not Starlette's ``BaseHTTPMiddleware``) so that the
live pages' server-sent event streams pass through unbuffered.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kolam.security.strength import KNOWN_WEAK as KNOWN_WEAK
from kolam.security.strength import MIN_SECRET_KEY_BITS as MIN_SECRET_KEY_BITS
from kolam.security.strength import check_secret_key as check_secret_key

# Scripts only from this server's /static: an injected <script> or on*= attribute does not
# run. Inline styles stay allowed (the printable reports carry a <style> block and uPlot
# sizes its elements); a style injection cannot run code. frame-ancestors 'none' is the
# CSP form of X-Frame-Options: DENY (clickjacking on the acknowledge and record forms).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# The interactive docs (api/docs.py) start the vendored Swagger UI with an inline script.
# They show the API's description only, never data, so they get a looser policy of their
# own rather than loosening everyone's; still nothing from outside this server.
DOCS_PATHS = ("/docs",)
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
            "frame-ancestors 'none'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# Members' names and records are on the API and the pages: not in the browser's or a
# proxy's cache, nor shown again by the back button on the kiosk tablet after logout.
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE = ("/static/",)
HSTS = (b"strict-transport-security", b"max-age=31536000")

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body accepted: the biggest real one (a form, a JSON record) is a
few kilobytes; 1 MiB leaves room and keeps one request from holding much memory."""


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        docs = path.startswith(DOCS_PATHS)
        extra = [(b"content-security-policy", (DOCS_CSP if docs else CSP).encode()), *HEADERS]
        if not path.startswith(CACHEABLE):
            extra.append(NO_STORE)
        if scope.get("scheme") == "https":
            extra.append(HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in extra if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, before the app reads them.

    A declared ``Content-Length`` over the limit is refused at once; a chunked body is
    counted as it is read and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope["headers"])
        if declared is not None and declared > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # FastAPI re-raises an HTTPException from body parsing as it is.
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(send, self.max_bytes)


def _content_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"detail":"request body larger than %d bytes"}' % limit
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
