"""Channels that reach a phone: the Telegram Bot API, the WhatsApp Business Cloud API and a
generic HTTP SMS gateway (docs/alerts.md#telegram-whatsapp-and-sms).

Each ``send`` returns the service's receipt (its message id, for the attempt's record) or
raises :class:`ChannelError`, reading the answer the way ``kolam.runtime.retry.http_transient``
does: a timeout, a 5xx or a 429 is transient (retried, after the wait the service asked
for: Telegram's ``parameters.retry_after``, HTTP ``Retry-After``); an unknown chat or
number, an expired or wrong token, a refused template is :class:`PermanentChannelError`.
Secrets (the bot token is part of Telegram's URL) never appear in an error message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx

from kolam.config import KolamConfig
from kolam.errors import ChannelError, PermanentChannelError
from kolam.registry.ack_links import CALLBACK_PREFIX
from kolam.runtime.retry import http_transient, retry_after_s

TELEGRAM_MAX_CHARS = 4096
"""sendMessage's limit on ``text`` (Bot API: 1-4096 characters after entities parsing)."""
WHATSAPP_HEADLINE_CHARS = 200
WHATSAPP_DETAILS_CHARS = 700
"""The two body parameters stay well under the 1024 characters of a template body."""
WHATSAPP_PAIR_WAIT_S = 6.0
"""Cloud API pair rate limit (131056): about one message per 6 s to the same number."""
WHATSAPP_TRANSIENT = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004})
"""Graph API / Cloud API codes that mean "try again later": unknown or temporary errors,
throttling (4, 80007), throughput (130429), pair rate (131056), service unavailable."""
WHATSAPP_PERMANENT = frozenset({0, 3, 10, 100, 190, 200, 368, 131008, 131009, 131026, 131030,
                                131031, 131047, 131051, 132000, 132001, 132005, 132007,
                                132012, 132015, 132016, 133010})
"""Codes no retry fixes: authentication and permissions (0, 3, 10, 190 token expired,
200), bad parameters (100, 131008, 131009), undeliverable or not allowed recipient (131026,
131030, 133010), account locked (131031, 368), template missing, paused or mismatched
(132xxx)."""
_WS = re.compile(r"\s+")
_GSM_REPLACE = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                              "…": "...", "·": "-", "×": "x", "≥": ">=", "≤": "<=",
                              "°": "", "\u00a0": " "})
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _json(r: httpx.Response) -> dict[str, Any]:
    try:
        data = r.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _wait(r: httpx.Response, said: object = None) -> float | None:
    if isinstance(said, int | float) and not isinstance(said, bool) and said >= 0:
        return float(said)
    return retry_after_s(r.headers.get("Retry-After"))


class _HttpChannel:
    name = "http"

    def __init__(self, timeout_s: float, secrets: tuple[str, ...]) -> None:
        self.timeout_s = timeout_s
        self._secrets = tuple(s for s in secrets if s)
        self.client = httpx.Client(timeout=timeout_s, follow_redirects=False,
                                   headers={"User-Agent": "kolam-alerts/1"})

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _post(self, what: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise ChannelError(f"{what}: no answer within {self.timeout_s:g} s "
                               f"({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise ChannelError(self._redact(f"{what}: {type(exc).__name__}: {exc}")) from exc

    def close(self) -> None:
        self.client.close()


class TelegramChannel(_HttpChannel):
    """``sendMessage`` of plain text (no ``parse_mode``: a value like ``do_mgl`` or a
    device id with ``_`` must not be read as Markdown) to one chat id."""

    name = "telegram"

    def __init__(self, api_url: str, token: str, timeout_s: float,
                 buttons: bool = False) -> None:
        super().__init__(timeout_s, (token,))
        self.url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self.buttons = buttons
        """Whether an acknowledgement token becomes an inline "Tanggapi" button (its taps
        reach ``/api/v1/webhooks/telegram``, so only with ``telegram_webhook_secret``)."""

    def send(self, chat_id: str, text: str, ack_token: str | None = None,
             lang: str = "id") -> str:
        what = f"telegram chat {chat_id}"
        body: dict[str, Any] = {"chat_id": chat_id, "text": clip(text, TELEGRAM_MAX_CHARS)}
        if ack_token and self.buttons:
            label = "Acknowledge" if lang == "en" else "Tanggapi"
            body["reply_markup"] = {"inline_keyboard": [[
                {"text": label, "callback_data": f"{CALLBACK_PREFIX}{ack_token}"}]]}
        r = self._post(what, self.url, json=body)
        data = _json(r)
        if r.status_code == 200 and data.get("ok") is True:
            result = data.get("result")
            message_id = result.get("message_id") if isinstance(result, dict) else None
            return f"telegram message_id {message_id}"
        code = data.get("error_code", r.status_code)
        status = code if isinstance(code, int) else r.status_code
        detail = self._redact(str(data.get("description") or f"HTTP {r.status_code}"))[:300]
        params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
        assert isinstance(params, dict)
        message = f"{what}: {status} {detail}"
        if params.get("migrate_to_chat_id"):
            message += f" (the group is now chat {params['migrate_to_chat_id']}: use that id)"
        if not http_transient(status):
            raise PermanentChannelError(message)
        raise ChannelError(message, retry_after_s=_wait(r, params.get("retry_after")))


class WhatsAppChannel(_HttpChannel):
    """Template messages through the Cloud API (a business may not open a conversation
    with free text): ``POST {api}/{version}/{phone_id}/messages``. The approved template
    has two body parameters, ``{{1}}`` the headline and ``{{2}}`` the details; parameters
    may not hold new lines, tabs or runs of spaces, so both are flattened."""

    name = "whatsapp"

    def __init__(self, api_url: str, version: str, phone_id: str, token: str, template: str,
                 language: str | None, timeout_s: float) -> None:
        super().__init__(timeout_s, (token,))
        self.url = f"{api_url.rstrip('/')}/{version}/{phone_id}/messages"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.template, self.language = template, language

    def request(self, to: str, headline: str, details: str, lang: str) -> dict[str, Any]:
        params = [clip(_WS.sub(" ", text).strip() or "-", limit)
                  for text, limit in ((headline, WHATSAPP_HEADLINE_CHARS),
                                      (details, WHATSAPP_DETAILS_CHARS))]
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                "type": "template",
                "template": {"name": self.template, "language": {"code": self.language or lang},
                             "components": [{"type": "body", "parameters": [
                                 {"type": "text", "text": p} for p in params]}]}}

    def send(self, to: str, headline: str, details: str, lang: str) -> str:
        what = f"whatsapp to {to}"
        r = self._post(what, self.url, json=self.request(to, headline, details, lang),
                       headers=self.headers)
        data = _json(r)
        if 200 <= r.status_code < 300:
            messages = data.get("messages")
            if isinstance(messages, list) and messages and isinstance(messages[0], dict):
                return f"whatsapp {messages[0].get('id')}"
            return f"whatsapp HTTP {r.status_code}"
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        assert isinstance(error, dict)
        code = error.get("code")
        if isinstance(code, str) and code.isdigit():
            code = int(code)  # some proxies of the Cloud API pass it on as text
        data_ = error.get("error_data")
        why = data_.get("details") if isinstance(data_, dict) else None
        message = self._redact(f"{what}: HTTP {r.status_code} code {code}: "
                               f"{error.get('message') or ''} {why or ''}".strip())[:400]
        if code in WHATSAPP_TRANSIENT or (code not in WHATSAPP_PERMANENT
                                          and http_transient(r.status_code)):
            wait = _wait(r)
            if code == 131056:
                wait = max(wait or 0.0, WHATSAPP_PAIR_WAIT_S)
            raise ChannelError(message, retry_after_s=wait)
        raise PermanentChannelError(message)


def gsm_text(text: str, max_chars: int) -> str:
    """``text`` for one SMS: typographic characters replaced by their GSM-7 plain forms
    (one outside GSM-7 makes the whole SMS UCS-2, 70 characters a segment), white space
    collapsed, cut to ``max_chars`` (``max_chars * 70 / 160`` when it must stay UCS-2)."""
    text = _WS.sub(" ", text.translate(_GSM_REPLACE)).strip()
    limit = max_chars if set(text) <= _GSM7 else max_chars * 70 // 160
    return text if len(text) <= limit else text[:limit - 3] + "..."


class SmsChannel(_HttpChannel):
    """One POST per SMS to a gateway: ``{to_field: number, text_field: text, **fields}``,
    form-encoded or JSON, with an optional authentication header. Any 2xx is accepted."""

    name = "sms"

    def __init__(self, url: str, *, fmt: str, to_field: str, text_field: str,
                 fields: Mapping[str, str], auth_header: str, auth_value: str | None,
                 max_chars: int, timeout_s: float, id_field: str | None = None) -> None:
        super().__init__(timeout_s, (auth_value or "", *fields.values()))
        self.url, self.fmt = url, fmt
        self.to_field, self.text_field, self.fields = to_field, text_field, dict(fields)
        self.headers = {auth_header: auth_value} if auth_value else {}
        self.max_chars = max_chars
        self.id_field = id_field

    def send(self, to: str, text: str) -> str:
        what = f"sms to {to}"
        body = {**self.fields, self.to_field: to,
                self.text_field: gsm_text(text, self.max_chars)}
        payload = {"json": body} if self.fmt == "json" else {"data": body}
        r = self._post(what, self.url, headers=self.headers, **payload)
        answer = self._redact(_WS.sub(" ", r.text)[:200]).strip()
        if 200 <= r.status_code < 300:
            message_id = _json(r).get(self.id_field) if self.id_field else None
            if isinstance(message_id, str | int) and not isinstance(message_id, bool):
                return f"sms {message_id}"  # what the gateway's delivery reports name
            return f"sms HTTP {r.status_code} {answer}".strip()
        message = f"{what}: HTTP {r.status_code} {answer}".strip()
        if not http_transient(r.status_code):
            raise PermanentChannelError(message)
        raise ChannelError(message, retry_after_s=_wait(r))


def phone_channels(config: KolamConfig) -> tuple[TelegramChannel | None, WhatsAppChannel | None,
                                                  SmsChannel | None]:
    """The configured phone channels (None for each one that is not)."""
    timeout_s = config.alerts.send_timeout_s
    telegram = whatsapp = sms = None
    if config.telegram_bot_token is not None:
        telegram = TelegramChannel(config.telegram_api_url,
                                   config.telegram_bot_token.get_secret_value(), timeout_s,
                                   buttons=config.telegram_webhook_secret is not None)
    if config.whatsapp_token and config.whatsapp_phone_id and config.whatsapp_template:
        whatsapp = WhatsAppChannel(config.whatsapp_api_url, config.whatsapp_api_version,
                                   config.whatsapp_phone_id,
                                   config.whatsapp_token.get_secret_value(),
                                   config.whatsapp_template, config.whatsapp_language,
                                   timeout_s)
    if config.sms_url:
        auth = config.sms_auth_value.get_secret_value() if config.sms_auth_value else None
        sms = SmsChannel(config.sms_url, fmt=config.sms_format, to_field=config.sms_to_field,
                         text_field=config.sms_text_field, fields=config.sms_fields,
                         auth_header=config.sms_auth_header, auth_value=auth,
                         max_chars=config.sms_max_chars, timeout_s=timeout_s,
                         id_field=config.sms_id_field)
    return telegram, whatsapp, sms
