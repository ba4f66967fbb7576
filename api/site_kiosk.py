"""The kiosk page served by the gateway at the pond (``gateway.kiosk.listen``).

The same page as ``/kiosk/{site}`` (``pages/kiosk.html``, tiles by ``api.kiosk_view``), from
the gateway's own data (``kolam.kiosk.SiteSource``), for the tablets on the site network
while the internet is down. ``kolam gateway`` starts it in the gateway's process
(:func:`serve`); this module loads neither the registry nor the store, so the box stays
small.

Login: the kiosk account's name and Argon2id hash from ``gateway.kiosk`` (the centre cannot
be asked while offline), a signed session cookie as the API's pages use (``kolam_session``,
a JWT from ``kolam.security.auth.issue_token``) and the same CSRF scheme. Changing the hash
ends every login. A log saved here goes into the gateway's outbox with a fresh client id
and reaches the centre once (docs/gateway.md, "The kiosk at the pond").
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api import fmt, i18n
from api.forms import number
from api.kiosk_view import local_tiles
from kolam.config import GatewayKioskConfig, KolamConfig
from kolam.errors import HashingBusy, KolamError
from kolam.farming import bounds
from kolam.kiosk import KIOSK_LOG_KINDS, KioskLog, SiteSource
from kolam.registry.records import InvalidRecord
from kolam.security.auth import AuthError, Principal, Role, TokenClaims, issue_token, read_token
from kolam.security.auth import secret_key as read_secret_key
from kolam.security.hashing import verify_password
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

SESSION_COOKIE = "kolam_session"
LOGIN_COOKIE = "kolam_login"
_HERE = Path(__file__).parent


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=_HERE / "templates")
    templates.env.globals.update(num=i18n.num, reading=i18n.reading, label=i18n.label,
                                 wib=i18n.wib, ago=i18n.ago, rupiah=fmt.rupiah)
    fmt.install(templates.env)
    return templates


class SiteKiosk:
    """The routes' state: the site's data, the login and the signing key."""

    def __init__(self, source: SiteSource, cfg: GatewayKioskConfig, secret: str,
                 offline_after_intervals: float) -> None:
        self.source, self.cfg, self.secret = source, cfg, secret
        self.offline_after_intervals = offline_after_intervals
        self.templates = _templates()
        # A login version from the hash: a new hash ends every cookie signed before it.
        self.uid = hashlib.sha256((cfg.password_hash or "").encode()).hexdigest()[:16]

    # ------------------------------------------------------------ sessions

    def _hmac(self, purpose: bytes, value: str) -> str:
        return hmac.new(self.secret.encode(), purpose + value.encode(),
                        hashlib.sha256).hexdigest()[:32]

    def csrf(self, request: Request) -> str:
        return self._hmac(b"csrf:", request.cookies.get(SESSION_COOKIE, ""))

    def user(self, request: Request) -> Principal | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            claims = read_token(token, self.secret)
        except AuthError:
            return None
        if claims.username != self.cfg.username or claims.uid != self.uid:
            return None
        return Principal(claims.username, Role.KIOSK, frozenset({self.source.site}),
                         via="session", uid=claims.uid)

    def check_login(self, username: str, password: str) -> bool:
        stored = self.cfg.password_hash or ""
        name_ok = hmac.compare_digest(username.encode(), self.cfg.username.encode())
        return verify_password(stored, password) and name_ok

    def start(self, request: Request, response: Response) -> None:
        ttl_s = int(self.cfg.session_hours * 3600)
        claims = TokenClaims(self.cfg.username, self.uid, 0, secrets.token_urlsafe(12))
        response.set_cookie(SESSION_COOKIE, issue_token(claims, self.secret, ttl_s,
                                                        int(time.time())),
                            max_age=ttl_s, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")

    # ------------------------------------------------------------ rendering

    def render(self, request: Request, name: str, status_code: int = 200,
               **extra: Any) -> HTMLResponse:
        lang = i18n.lang_of(request)
        user = self.user(request)
        ctx = {"lang": lang, "user": user, "user_sites": [], "_": partial(i18n.t, lang),
               "_n": partial(i18n.tn, lang), "now": now_ms(), "local": True,
               "csrf": self.csrf(request) if request.cookies.get(SESSION_COOKIE) else "",
               "path": request.url.path, "month": "", "names": fmt.Names(None), **extra}
        return self.templates.TemplateResponse(request, f"pages/{name}", ctx,
                                               status_code=status_code)

    def kiosk(self, request: Request, status_code: int = 200, **extra: Any) -> HTMLResponse:
        lang = i18n.lang_of(request)
        tiles = local_tiles(self.source, now_ms(), lang, self.offline_after_intervals)
        extra.setdefault("crews", {})
        return self.render(request, "kiosk.html", status_code, site=self.source.site,
                           site_name=self.source.site_name(), tiles=tiles, **extra)


class _Echo:
    """The saved log under the form (no undo at the pond: the log may be on its way)."""

    def __init__(self, text: str) -> None:
        self.text, self.id = text, None


def _echo(log: KioskLog, names: dict[str, str], lang: str) -> _Echo:
    pond = names.get(log.pond, log.pond)
    what = (i18n.t(lang, "gw_feed_what", kg=i18n.num(log.feed_kg, 1, lang), pond=pond)
            if log.kind == "feeding"
            else i18n.t(lang, "gw_dead_what", n=log.dead_count, pond=pond))
    return _Echo(i18n.t(lang, "gw_saved_offline", what=what))


def create_app(kiosk: SiteKiosk) -> FastAPI:
    """The page's app: ``/login``, ``/kiosk/{site}`` and its log form, ``/static``."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    site = kiosk.source.site
    home = f"/kiosk/{site}"

    def login_redirect(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.get("/healthz")
    def healthz() -> Response:
        return PlainTextResponse("ok")

    @app.get("/")
    def root() -> Response:
        return RedirectResponse(home, status_code=303)

    @app.get("/login")
    def login_form(request: Request, next: str = home) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        response = kiosk.render(request, "login.html", next=_safe(next, home),
                                login_csrf=kiosk._hmac(b"login:", nonce))
        response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="lax",
                            path="/login")
        return response

    @app.post("/login")
    def login(request: Request, username: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "",
              next: Annotated[str, Form()] = home) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE)
        fresh = nonce is not None and hmac.compare_digest(kiosk._hmac(b"login:", nonce), csrf)
        try:
            ok = fresh and kiosk.check_login(username, password)
        except HashingBusy:
            ok = False
        if not ok:
            return kiosk.render(request, "login.html", status_code=401, next=_safe(next, home),
                                error="login_failed", username=username,
                                login_csrf=kiosk._hmac(b"login:", nonce or ""))
        response = RedirectResponse(_safe(next, home), status_code=303)
        kiosk.start(request, response)
        return response

    @app.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/lang/{lang}")
    def switch_language(lang: str, next: str = home) -> Response:
        response = RedirectResponse(_safe(next, home), status_code=303)
        if lang in i18n.LANGS:
            response.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax",
                                path="/")
        return response

    @app.get("/kiosk/{slug}")
    def page(request: Request, slug: str, saved: str = "") -> Response:
        if kiosk.user(request) is None:
            return login_redirect(request)
        if slug != site:
            return RedirectResponse(home, status_code=303)
        lang = i18n.lang_of(request)
        echo = None
        if saved:
            ponds = kiosk.source.ponds()
            names = {p.slug: p.name for p in ponds}
            echo = next((_echo(x, names, lang) for p in ponds for x in p.logs
                         if x.client_id == saved), None)
        return kiosk.kiosk(request, saved=echo)

    @app.post("/kiosk/{slug}/logs")
    def add_log(request: Request, slug: str, csrf: Annotated[str, Form()] = "",
                pond: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
                amount: Annotated[str, Form()] = "") -> Response:
        if kiosk.user(request) is None:
            return login_redirect(request)
        if slug != site or not hmac.compare_digest(kiosk.csrf(request), csrf):
            return kiosk.kiosk(request, status_code=403,
                               error=i18n.t(i18n.lang_of(request), "gw_form_expired"))
        lang = i18n.lang_of(request)
        form = {"pond": pond, "kind": kind, "amount": amount, "members": ()}
        try:
            if kind not in KIOSK_LOG_KINDS:
                raise InvalidRecord("the kiosk records feeding or dead fish only",
                                    key="kiosk_kinds")
            if pond not in {p.slug for p in kiosk.source.ponds()}:
                raise InvalidRecord("pond: required", key="no_pond")
            if kind == "feeding":
                entry = KioskLog(uuid.uuid4().hex, pond, kind, now_ms(), feed_kg=number(
                    amount, "f_feed_kg", lang, bound=bounds.FEED_KG), by=kiosk.cfg.username)
            else:
                entry = KioskLog(uuid.uuid4().hex, pond, kind, now_ms(), dead_count=int(
                    number(amount, "f_dead_count", lang, integer=True, bound=bounds.FISH)
                    or 0), by=kiosk.cfg.username)
        except InvalidRecord as exc:
            return kiosk.kiosk(request, status_code=422, error=i18n.error_text(exc, lang),
                               form=form)
        try:
            kiosk.source.add_log(entry)
        except KolamError as exc:
            log.error("could not keep a kiosk log: %s", exc)
            return kiosk.kiosk(request, status_code=503, error=str(exc), form=form)
        return RedirectResponse(f"{home}?saved={entry.client_id}#log", status_code=303)

    return app


def _safe(target: str | None, default: str) -> str:
    """Only a path on this server (no ``//host`` or ``http:`` redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def serve(source: SiteSource, config: KolamConfig) -> Callable[[], None]:
    """Serve the page on ``gateway.kiosk.listen`` from a thread; returns how to stop it."""
    cfg = config.gateway.kiosk
    host, port = cfg.host_port
    kiosk = SiteKiosk(source, cfg, read_secret_key(config), config.offline_after_intervals)
    server = uvicorn.Server(uvicorn.Config(create_app(kiosk), host=host, port=port,
                                           log_level="warning", lifespan="off",
                                           access_log=False))
    thread = threading.Thread(target=server.run, name="kiosk", daemon=True)
    thread.start()
    log.info("kiosk page at http://%s:%d/kiosk/%s", host, port, source.site)

    def stop() -> None:
        server.should_exit = True
        thread.join(5.0)
    return stop
