"""Cut credentials out of error text before it is shown or logged.

A driver's error often repeats what it was given: an InfluxDB client error carries the
URL with ``user:password@``, a DSN error its password, an HTTP error an
``Authorization`` header. ``redact`` removes those shapes and, literally, every secret the
configuration holds (``config_secrets``), so an unusual message does not slip through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from kolam.config import KolamConfig

MASK = "***"
_URL_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")
_KEY_VALUE = re.compile(
    r"(?i)\b(password|passwd|pwd|token|secret|api[_-]?key|authorization|auth)"
    r"(\"?'?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)")
_SCHEME_TOKEN = re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
MIN_SECRET = 4
"""Shorter configured values are not replaced literally: "ab" would mangle every word."""


def config_secrets(config: KolamConfig) -> list[str]:
    """Every credential the configuration holds, as text to cut out of messages."""
    found: list[str] = []
    for value in (config.secret_key, config.alerts.webhook_secret, config.telegram_bot_token,
                  config.whatsapp_token, config.whatsapp_app_secret,
                  config.whatsapp_verify_token, config.sms_auth_value,
                  config.telegram_webhook_secret, config.sms_webhook_secret):
        if value is not None:
            text = value.get_secret_value()
            found += [text, *text.split()[-1:]]  # "Bearer KEY": the key alone too
    if config.influx_token:
        found += [config.influx_token, *config.influx_token.split(":", 1)]
    for url in (config.database_url, config.influx_url, config.smtp_url, config.webhook_url,
                config.mqtt_url, config.local_mqtt_url, config.sms_url):
        if url:
            parts = urlsplit(url)
            if parts.password:
                found.append(parts.password)
    return [s for s in found if len(s) >= MIN_SECRET]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without URL user info, ``key=value`` credentials or the given secrets."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(rf"\1{MASK}@", text)
    text = _SCHEME_TOKEN.sub(rf"\1 {MASK}", text)  # before key=value: "auth: Bearer x"
    return _KEY_VALUE.sub(rf"\1\2{MASK}", text)
