"""Kolam's exceptions. Lower-level errors (paho, sqlite3, SQLAlchemy, influxdb)
are translated at the boundary with ``raise ... from exc``.

KolamError
├── ConfigError          invalid configuration (message carries the key path)
├── ProtocolError        a message that violates wire protocol v1 (has a Reason)
├── StoreError           the time-series store failed
│   └── StoreUnavailable a transient failure: retry later, do not ack
├── RegistryError        the registry database failed
│   └── NotFound         no such site, pond, device, ...
└── MqttError            the broker could not be reached or refused us
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


class RegistryError(KolamError):
    """The registry database failed."""


class NotFound(RegistryError):
    """The requested record does not exist."""


class MqttError(KolamError):
    """The MQTT broker could not be reached, or refused the request."""
