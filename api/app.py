"""The FastAPI application factory."""

from __future__ import annotations

import logging
import uuid
from traceback import format_tb

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry

from api.docs import install as install_docs
from api.inputs import StrictJson, validation_error
from api.live_streams import StreamSlots
from api.pages import install as install_pages
from api.pages.render import page
from api.ratelimit import LoginLimiter, login_abandoned
from api.routes import (
    alerts,
    auth,
    cycles,
    deadletters,
    forecast,
    health,
    intervals,
    kpis,
    members,
    national,
    outputs,
    people,
    places,
    records,
    reports,
    series,
    sites,
    sms,
    teams,
    telegram,
    users,
    whatsapp,
)
from api.routes import cashbook as cashbook_routes  # umkm (issue #20)
from api.routes import maintenance as care_routes
from api.routes.health import RegistryCollector
from api.security import BodyLimit, SecurityHeaders, check_secret_key
from kolam.config import KolamConfig
from kolam.errors import (
    AuthError,
    Forbidden,
    HashingBusy,
    Implausible,
    InvalidRecord,
    KolamError,
    NotFound,
    StoreUnavailable,
    TooManyLogins,
)
from kolam.registry.alerts import Alerts
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.registry.users import Users
from kolam.security.auth import secret_key
from kolam.security.redact import config_secrets, redact
from kolam.store.base import TimeSeriesReader

log = logging.getLogger(__name__)


def create_app(config: KolamConfig, store: TimeSeriesReader, registry: Registry) -> FastAPI:
    """Build the API over an open store and registry (the caller closes them)."""
    app = FastAPI(title="Kolam", version="1", docs_url=None, redoc_url=None,
                  description="Pond water quality for the lele training programme.")
    app.state.config = config
    app.state.store = store
    app.state.registry = registry
    app.state.users = Users(registry.engine)
    app.state.teams = Teams(registry.engine)
    app.state.cycles = Cycles(registry.engine)
    app.state.entries = Entries(registry.engine)
    app.state.corrections = Corrections(registry.engine)
    app.state.alerts = Alerts(registry.engine)
    app.state.secret_key = secret_key(config)
    check_secret_key(app.state.secret_key)  # refuse to start with a guessable key
    app.state.login_limiter = LoginLimiter()
    app.state.live_slots = StreamSlots()
    metrics = CollectorRegistry()
    metrics.register(RegistryCollector(registry))
    app.state.metrics = metrics

    app.add_exception_handler(RequestValidationError, validation_error)
    secrets = config_secrets(config)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(AuthError)
    async def _unauthorized(request: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(InvalidRecord)
    async def _invalid(request: Request, exc: InvalidRecord) -> JSONResponse:
        if isinstance(exc, Implausible):  # the client may resend it with "confirm": true
            return JSONResponse({"detail": str(exc), "needs_confirmation": True,
                                 "check": exc.key}, status_code=422)
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(StoreUnavailable)
    async def _busy(request: Request, exc: StoreUnavailable) -> JSONResponse:
        # The store's error (which may carry its URL with user:password) goes to the
        # log under the request id, never into the body.
        rid = _log_failure(request, exc, secrets, traceback=False)
        return JSONResponse({"detail": "storage busy, retry", "request_id": rid},
                            status_code=503,
                            headers={"Retry-After": "1", REQUEST_ID_HEADER: rid})

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        # An id or count beyond 64 bits reaches the database driver, which cannot bind it
        # (found by tests/api/test_schema_fuzz.py): the client's number, not our fault.
        return JSONResponse({"detail": "a number in the request is out of range"},
                            status_code=422)

    @app.exception_handler(TooManyLogins)
    async def _too_many(request: Request, exc: TooManyLogins) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=429,
                            headers={"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(HashingBusy)
    async def _hashing_busy(request: Request, exc: HashingBusy) -> Response:
        login_abandoned(request)  # the password was never checked: not a failure
        retry = {"Retry-After": str(exc.retry_after_s)}
        if request.url.path == "/login":  # the page, not a JSON error, on the kiosk tablet
            busy = page(request, "login.html", status_code=503, next="/", error="login_busy")
            busy.headers.update(retry)
            return busy
        return JSONResponse({"detail": BUSY_HASHING}, status_code=503, headers=retry)

    @app.exception_handler(KolamError)
    async def _kolam(request: Request, exc: KolamError) -> JSONResponse:
        return _internal(request, exc, secrets)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc, secrets)

    for module in (health, auth, users, sites, places, series, forecast, deadletters, teams,
                   members, cycles, records, kpis, reports, alerts, whatsapp, outputs,
                   national, intervals, people, telegram, sms):
        app.include_router(module.router)
    app.include_router(care_routes.router)
    app.include_router(cashbook_routes.router)
    install_pages(app)
    install_docs(app)
    # Added last, so outermost: the size limit runs before anything reads a body (the
    # JSON check included), and the headers reach every response, error pages included.
    app.add_middleware(StrictJson)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


REQUEST_ID_HEADER = "X-Request-ID"
BUSY_HASHING = "too many logins at once: try again in a moment"


def _internal(request: Request, exc: Exception, secrets: list[str]) -> JSONResponse:
    """A 500 that says only "internal error" and the id under which the log has the rest."""
    rid = _log_failure(request, exc, secrets, traceback=True)
    return JSONResponse({"detail": "internal error", "request_id": rid}, status_code=500,
                        headers={REQUEST_ID_HEADER: rid})


def _log_failure(request: Request, exc: Exception, secrets: list[str], *,
                 traceback: bool) -> str:
    """Log a failed request with a new id; the text is redacted like everything shown."""
    rid = uuid.uuid4().hex[:16]
    # Frames only: the exception's own text is logged once, redacted (a driver's error
    # may repeat the credentials it was given).
    frames = "".join(format_tb(exc.__traceback__)) if traceback else ""
    log.error("request %s %s %s failed: %s: %s%s", rid, request.method, request.url.path,
              type(exc).__name__, redact(str(exc), secrets), "\n" + frames if frames else "")
    return rid
