"""Kolam's exceptions, all of them. Lower-level errors (paho, sqlite3, SQLAlchemy,
influxdb, httpx, smtplib) are translated at the boundary with ``raise ... from exc``.

KolamError
├── ConfigError          invalid configuration (message carries the key path)
├── ProtocolError        a message that violates wire protocol v1 (has a Reason)
├── StoreError           the time-series store failed
│   ├── StoreUnavailable a transient failure: retry later, do not ack
│   └── OutboxError      the gateway's outbox file could not be read or written
├── RegistryError        the registry database failed
│   └── NotFound         no such site, pond, device, ...              (HTTP 404)
├── InvalidRecord        a farming record that cannot be true         (HTTP 422)
│   └── Implausible      ... or probably is a typo: resend confirmed  (HTTP 422)
├── MqttError            the broker could not be reached or refused us
├── AuthError            credentials missing, wrong or expired        (HTTP 401)
├── Forbidden            a known user who may not do this             (HTTP 403)
├── TooManyLogins        too many failed logins: wait retry_after_s   (HTTP 429)
├── HashingBusy          too many password checks at once             (HTTP 503)
├── ChannelError         an alert channel did not accept a message
│   ├── PermanentChannelError  ... and never will (bad config, HTTP 4xx): not retried
│   └── SmsError     the gateway's GSM modem did not take an alarm SMS
├── ReloadError          the broker could not be told to reload
└── Abandoned            ingest stopping while the store is down: leave the batch unacked

Which errors are worth retrying is decided by ``kolam.runtime.retry`` callers, by class:
``StoreUnavailable``, ``RegistryError`` and plain ``ChannelError`` are transient;
``PermanentChannelError`` is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kolam.protocol import Reason


class KolamError(Exception):
    """Base of every error Kolam raises on purpose."""


class ConfigError(KolamError):
    """The configuration is invalid; the message names the offending keys."""


class ProtocolError(KolamError):
    """A message failed protocol v1 validation."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


class StoreError(KolamError):
    """The time-series store failed."""


class StoreUnavailable(StoreError):
    """The store is temporarily unavailable (locked, down, throttled): retry."""


class OutboxError(StoreError):
    """The gateway's outbox file could not be read or written."""


class RegistryError(KolamError):
    """The registry database failed."""


class NotFound(RegistryError):
    """The requested record does not exist."""


class InvalidRecord(KolamError):
    """A record that cannot be true (more fish harvested than alive, a log outside its
    cycle, a second active cycle on a pond, ...). The message says what and why.

    ``key`` and ``fill`` let a page say the same in the user's language (``api.i18n``
    phrase ``err_{key}`` filled with ``fill``); the message stays English for the API.
    """

    def __init__(self, message: str, *, key: str | None = None, **fill: object) -> None:
        super().__init__(message)
        self.key = key
        self.fill = fill


class Implausible(InvalidRecord):
    """A record that could be true but probably is a typo (500 kg of feed for 41 kg of
    fish, a price of Rp 22/kg): stored only when the person confirms it (HTTP 422)."""


class MqttError(KolamError):
    """The MQTT broker could not be reached, or refused the request."""


class AuthError(KolamError):
    """Credentials are missing, wrong or expired (HTTP 401)."""


class Forbidden(KolamError):
    """The user is known but may not do this (HTTP 403)."""


class TooManyLogins(KolamError):
    """Too many failed logins for this address or user (HTTP 429)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins: try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class HashingBusy(KolamError):
    """Too many password checks at once (HTTP 503): retry in ``retry_after_s``."""

    def __init__(self, retry_after_s: int = 1) -> None:
        super().__init__("too many logins at once: try again in a moment")
        self.retry_after_s = retry_after_s


class ChannelError(KolamError):
    """A channel did not accept a message; the notifier retries later, after
    ``retry_after_s`` when the service said how long to wait (HTTP 429 ``Retry-After``,
    Telegram's ``parameters.retry_after``)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentChannelError(ChannelError):
    """A channel refused a message in a way a retry cannot fix (channel switched off or
    not configured, HTTP 4xx other than 408/429, an unknown recipient, an expired token):
    the notification is marked failed."""


class SmsError(ChannelError):
    """The gateway's GSM modem did not take a message (no answer, ``ERROR``, no modem)."""


class ReloadError(KolamError):
    """The broker could not be told to reload (no such process, not ours, bad pid file)."""


class Abandoned(KolamError):
    """Shutting down while the store is unavailable: leave the batch unacknowledged."""
