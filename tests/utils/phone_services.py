"""Local stand-ins for the phone services, each a real HTTP server on a free port in a thread
of the test process: the Telegram Bot API (``sendMessage``), the WhatsApp Business Cloud API
(template messages) and a generic HTTP SMS gateway.

Each validates requests the way the service documents it and answers with the service's
own success and error bodies. ``script`` lists what the next requests meet, one entry per
request, then ``"ok"``: ``"rate_limit"`` (429, with the service's retry hint), ``"slow"``
(sleeps ``slow_s`` before answering, past the client's timeout), ``"down"`` (a 5xx from a
proxy in front of the service, not JSON).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.utils.net import free_port

TELEGRAM_TOKEN = "123456:TEST-bot-token_abcdefghijklmnop"
WHATSAPP_TOKEN = "EAAtest-whatsapp-system-user-token"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class _Service:
    """The HTTP plumbing: records every request, answers with ``handle``."""

    slow_s = 1.5

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[Request] = []
        self.accepted: list[Request] = []
        self.script: list[str] = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                kind = self.headers.get("Content-Type", "")
                try:
                    if kind.startswith("application/json"):
                        body = json.loads(raw)
                    else:
                        body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                except (ValueError, UnicodeDecodeError):
                    body = {"_unreadable": raw.decode(errors="replace")}
                request = Request(self.path, dict(self.headers), body)
                with service.lock:
                    service.requests.append(request)
                    step = service.script.pop(0) if service.script else "ok"
                if step == "slow":
                    time.sleep(service.slow_s)
                answer = service.handle(step, request)
                if 200 <= answer.status < 300:
                    with service.lock:
                        service.accepted.append(request)
                data = (answer.body if isinstance(answer.body, str)
                        else json.dumps(answer.body)).encode()
                try:
                    self.send_response(answer.status)
                    ctype = "text/html" if isinstance(answer.body, str) else "application/json"
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the "slow" step)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, step: str, request: Request) -> Answer:
        raise NotImplementedError

    def __enter__(self) -> _Service:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeTelegram(_Service):
    """The Bot API: ``POST /bot<token>/sendMessage`` with ``chat_id`` and ``text``. Answers
    ``{"ok": true, "result": Message}`` or ``{"ok": false, "error_code", "description",
    "parameters"?}`` with the same HTTP status as ``error_code``."""

    retry_after = 1

    def __init__(self, chats: set[str], token: str = TELEGRAM_TOKEN) -> None:
        super().__init__()
        self.chats, self.token = chats, token
        self.blocked: set[str] = set()
        self.message_id = 0

    def __enter__(self) -> FakeTelegram:
        super().__enter__()
        return self

    @staticmethod
    def _error(code: int, description: str, **parameters: Any) -> Answer:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return Answer(code, body)

    def handle(self, step: str, request: Request) -> Answer:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path)
        if match is None:
            return self._error(404, "Not Found")
        if match.group(1) != self.token:
            return self._error(401, "Unauthorized")
        if match.group(2).lower() != "sendmessage":
            return self._error(404, "Not Found: method not found")
        if step == "down":
            return Answer(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
        if step == "rate_limit":
            wait = self.retry_after
            return self._error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        b = request.body
        chat, text = str(b.get("chat_id", "")), b.get("text")
        if not chat:
            return self._error(400, "Bad Request: chat_id is empty")
        if not isinstance(text, str) or not text.strip():
            return self._error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self._error(400, "Bad Request: message is too long")
        if "parse_mode" in b and b["parse_mode"] not in ("MarkdownV2", "HTML", "Markdown"):
            return self._error(400, f"Bad Request: unsupported parse_mode {b['parse_mode']}")
        if chat in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        if chat not in self.chats:
            return self._error(400, "Bad Request: chat not found")
        with self.lock:
            self.message_id += 1
            mid = self.message_id
        return Answer(200, {"ok": True, "result": {
            "message_id": mid, "date": int(time.time()), "text": text,
            "chat": {"id": int(chat), "type": "private" if int(chat) > 0 else "group"}}})

    def texts(self) -> list[str]:
        with self.lock:
            return [str(r.body["text"]) for r in self.accepted]


_BAD_PARAM = re.compile(r"[\n\t]| {5,}")


class FakeWhatsApp(_Service):
    """The Cloud API: ``POST /{version}/{phone_id}/messages`` with a bearer token; template
    messages only (``templates``: name → (languages, body parameter count)). Errors are
    Graph API error objects ``{"error": {"message", "type", "code", "error_data",
    "fbtrace_id"}}``."""

    def __init__(self, phone_id: str, numbers: set[str],
                 templates: dict[str, tuple[set[str], int]],
                 token: str = WHATSAPP_TOKEN, version: str = "v23.0") -> None:
        super().__init__()
        self.phone_id, self.numbers, self.templates = phone_id, numbers, templates
        self.token, self.version = token, version
        self.rate_limit_code = 130429
        self.count = 0

    def __enter__(self) -> FakeWhatsApp:
        super().__enter__()
        return self

    @staticmethod
    def _error(status: int, code: int, message: str, details: str = "",
               kind: str = "OAuthException", **extra: Any) -> Answer:
        error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                                 "fbtrace_id": "AbCdEfGhIjK", **extra}
        if details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        return Answer(status, {"error": error})

    def handle(self, step: str, request: Request) -> Answer:
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.token}":
            return self._error(401, 190, "Error validating access token: Session has expired "
                               "on Tuesday, 01-Dec-26 02:00:00 PST.", error_subcode=463)
        if request.path != f"/{self.version}/{self.phone_id}/messages":
            return self._error(400, 100, "Unsupported post request. Object with ID does not "
                               "exist, cannot be loaded due to missing permissions, or does "
                               "not support this operation", kind="GraphMethodException",
                               error_subcode=33)
        if step == "down":
            return Answer(503, "<html><body>Service Unavailable</body></html>")
        if step == "rate_limit":
            if self.rate_limit_code == 131056:
                return self._error(400, 131056, "(#131056) (Business Account, Consumer "
                                   "Account) pair rate limit hit", "Message failed to send "
                                   "because there were too many messages sent from this "
                                   "phone number to the same phone number in a short period")
            return self._error(429, 130429, "(#130429) Rate limit hit", "Cloud API message "
                               "throughput has been reached.")
        b = request.body
        if b.get("messaging_product") != "whatsapp":
            return self._error(400, 100, "(#100) The parameter messaging_product is required.")
        if b.get("type") != "template":
            return self._error(400, 131047, "Re-engagement message", "Message failed to send "
                               "because more than 24 hours have passed since the customer "
                               "last replied to this number.")
        t = b.get("template") or {}
        name, code = t.get("name"), (t.get("language") or {}).get("code")
        if name not in self.templates or code not in self.templates[name][0]:
            return self._error(404, 132001, "(#132001) Template name does not exist in the "
                               "translation", f"template name ({name}) does not exist in "
                               f"{code}")
        params = [p for c in t.get("components") or [] if c.get("type") == "body"
                  for p in c.get("parameters") or []]
        if len(params) != self.templates[name][1]:
            return self._error(400, 132000, "(#132000) Number of parameters does not match "
                               "the expected number of params")
        for p in params:
            text = p.get("text") if p.get("type") == "text" else None
            if not isinstance(text, str) or not text or len(text) > 1024:
                return self._error(400, 100, "(#100) Invalid parameter")
            if _BAD_PARAM.search(text):
                return self._error(400, 100, "(#100) Invalid parameter", "Param text cannot "
                                   "have new-line/tab characters or more than 4 consecutive "
                                   "spaces")
        to = str(b.get("to", "")).lstrip("+")
        if to not in self.numbers:
            return self._error(400, 131026, "(#131026) Message Undeliverable", "Unable to "
                               "deliver message: the number is not a WhatsApp user")
        with self.lock:
            self.count += 1
            wamid = f"wamid.TEST{self.count:06d}"
        return Answer(200, {"messaging_product": "whatsapp",
                            "contacts": [{"input": b["to"], "wa_id": to}],
                            "messages": [{"id": wamid, "message_status": "accepted"}]})

    def parameters(self) -> list[list[str]]:
        with self.lock:
            return [[p["text"] for p in r.body["template"]["components"][0]["parameters"]]
                    for r in self.accepted]


class FakeSmsGateway(_Service):
    """A typical HTTP SMS gateway: an API key header, the recipient and the text in named
    fields (form or JSON), a sender id; ``{"id", "status": "queued"}`` on success."""

    def __init__(self, numbers: set[str], *, key: str = "sms-key-1", to_field: str = "msisdn",
                 text_field: str = "message") -> None:
        super().__init__()
        self.numbers, self.key = numbers, key
        self.to_field, self.text_field = to_field, text_field
        self.count = 0

    def __enter__(self) -> FakeSmsGateway:
        super().__enter__()
        return self

    def handle(self, step: str, request: Request) -> Answer:
        if request.headers.get("X-Api-Key") != self.key:
            return Answer(401, {"status": "error", "error": "invalid api key"})
        if step == "down":
            return Answer(503, "<html><body>503 Service Unavailable</body></html>")
        if step == "rate_limit":
            return Answer(429, {"status": "error", "error": "too many requests"},
                          {"Retry-After": "1"})
        b = request.body
        to, text = str(b.get(self.to_field, "")), b.get(self.text_field)
        if not isinstance(text, str) or not text or len(text) > 160:
            return Answer(400, {"status": "error", "error": "text must be 1-160 characters"})
        if b.get("sender") != "KOLAM":
            return Answer(400, {"status": "error", "error": "unknown sender id"})
        if to not in self.numbers:
            return Answer(400, {"status": "error", "error": f"invalid number {to}"})
        with self.lock:
            self.count += 1
            sid = f"sms-{self.count}"
        return Answer(200, {"id": sid, "status": "queued"})

    def texts(self) -> list[str]:
        with self.lock:
            return [str(r.body[self.text_field]) for r in self.accepted]
