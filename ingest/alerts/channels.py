"""Delivery channels: MQTT, webhook (signed JSON POST) and e-mail over SMTP.

Each ``send`` returns when the other side accepted the message, or raises
:class:`ChannelError`; the notifier decides about retries.

Webhook signature: ``X-Kolam-Signature: sha256=HEX`` where HEX is
HMAC-SHA256(secret, ``X-Kolam-Timestamp`` + "." + body); receivers should check it and
reject old timestamps. ``X-Kolam-Delivery`` identifies the notification, so a receiver can
drop the rare duplicate (a crash between sending and recording the delivery).

httpx, smtplib and the e-mail package are imported on the first send, not at start-up:
ingest loads this module whether or not an alert is ever delivered, and httpx with its TLS
context alone is several megabytes of ingest's resident memory.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from kolam.config import KolamConfig
from kolam.errors import ChannelError as ChannelError
from kolam.errors import MqttError, PermanentChannelError
from kolam.mqtt import MqttClient
from kolam.runtime.retry import http_transient, retry_after_s
from kolam.security.files import private_dir, write_atomic

if TYPE_CHECKING:
    import httpx

SIGNATURE_HEADER = "X-Kolam-Signature"
TIMESTAMP_HEADER = "X-Kolam-Timestamp"
DELIVERY_HEADER = "X-Kolam-Delivery"


def webhook_secret(config: KolamConfig) -> bytes:
    """The configured HMAC key, else one generated once and kept in the data dir."""
    if config.alerts.webhook_secret is not None:
        return config.alerts.webhook_secret.get_secret_value().encode()
    path = Path(config.data_dir) / "webhook_secret"
    if not path.exists():
        private_dir(path.parent)
        write_atomic(path, secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body,
                                hashlib.sha256).hexdigest()


class WebhookChannel:
    def __init__(self, secret: bytes, timeout_s: float) -> None:
        self.secret = secret
        self.timeout_s = timeout_s
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """The HTTP client, opened on first use."""
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=self.timeout_s, follow_redirects=False)
        return self._client

    def send(self, url: str, body: bytes, delivery_id: str) -> None:
        import httpx

        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8",
                   SIGNATURE_HEADER: sign(self.secret, ts, body), TIMESTAMP_HEADER: ts,
                   DELIVERY_HEADER: delivery_id, "User-Agent": "kolam-alerts/1"}
        try:
            r = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ChannelError(f"webhook {url}: {type(exc).__name__}: {exc}") from exc
        if not 200 <= r.status_code < 300:
            # 4xx is the endpoint refusing this request (bad URL, auth, payload): a retry
            # sends the same request.
            if not http_transient(r.status_code):
                raise PermanentChannelError(f"webhook {url}: HTTP {r.status_code}")
            raise ChannelError(f"webhook {url}: HTTP {r.status_code}",
                               retry_after_s=retry_after_s(r.headers.get("Retry-After")))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class EmailChannel:
    """``smtp://[user:pass@]host[:port][?starttls=1]`` or ``smtps://`` (implicit TLS)."""

    def __init__(self, url: str, sender: str, timeout_s: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL must start with smtp:// or smtps://, got {url!r}")
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true")
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender, self.timeout_s = sender, timeout_s

    def send(self, to: str, subject: str, body: str, delivery_id: str) -> None:
        import smtplib
        import ssl
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg["X-Kolam-Delivery"] = delivery_id
        msg.set_content(body)
        try:
            cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
            with cls(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(msg)
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError) as exc:
            # Wrong credentials, an address the server refuses, no STARTTLS: the same
            # message will be refused again, so it is not retried.
            raise PermanentChannelError(f"e-mail to {to}: {type(exc).__name__}: "
                                        f"{exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"e-mail to {to}: {type(exc).__name__}: {exc}") from exc


class MqttChannel:
    def __init__(self, client: MqttClient, timeout_s: float) -> None:
        self.client, self.timeout_s = client, timeout_s

    def send(self, topic: str, body: bytes) -> None:
        if not self.client.connected:
            raise ChannelError("MQTT broker not connected")
        try:
            self.client.publish(topic, body, qos=1, wait_s=self.timeout_s)
        except MqttError as exc:
            raise ChannelError(str(exc)) from exc
