"""One-time acknowledgement links in alert messages (docs/alerts.md#acknowledging-from-the-message).

The notifier makes one link per message that may be acknowledged: 16 random bytes
(URL-safe base64, 22 characters, short enough for an SMS), of which only the SHA-256
digest is kept, with the alert, the recipient it acknowledges as and an expiry. Opening
the link shows the alert; confirming it acknowledges the alert as that recipient, once:
the link is used up, expired or unknown afterwards, and each use is audited. No login is
needed: holding the message is the authority, as it is for the person it was sent to.
A random token kept as a digest needs no key shared between ingest and the API (which may
run on separate machines over one PostgreSQL) and can be refused after one use, which a
signature alone cannot.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kolam.errors import InvalidRecord, NotFound, RegistryError
from kolam.registry.alert_models import AlertRow
from kolam.registry.alerts import AlertInfo
from kolam.registry.db import session_factory
from kolam.registry.fields import from_row
from kolam.registry.people_models import AckLink
from kolam.registry.user_models import AuditEntry

TOKEN_BYTES = 16
LINK_PATH = "/a/"
"""Short, for an SMS: ``{public_url}/a/{token}``."""
CALLBACK_PREFIX = "ack:"
"""``callback_data`` of Telegram's acknowledgement button: ``ack:{token}`` (at most 64
bytes)."""


def _info(r: AlertRow) -> AlertInfo:
    return from_row(AlertInfo, r, key=r.rule_key)  # as kolam.registry.alerts lists it


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(s: Session, *, notification_id: int, alert_id: int, username: str, now: int,
              ttl_s: float) -> str:
    """A new link's token, recorded in ``s`` (the caller commits)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    s.add(AckLink(digest=_digest(token), notification_id=notification_id, alert_id=alert_id,
                  username=username[:64], created_at=now, expires_at=now + int(ttl_s * 1000)))
    return token


@dataclass(frozen=True, slots=True)
class LinkView:
    """What a link's page shows: the alert, who acknowledges, and whether it still can."""

    alert: AlertInfo
    username: str
    expires_at: int
    used_at: int | None

    def usable(self, now: int) -> bool:
        return self.used_at is None and now < self.expires_at and self.alert.state == "open"


class AckLinks:
    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def _find(self, s: Session, token: str, lock: bool = False) -> tuple[AckLink, AlertRow]:
        link = s.get(AckLink, _digest(token), with_for_update=lock) if 10 <= len(
            token) <= 64 else None
        alert = s.get(AlertRow, link.alert_id, with_for_update=lock) if link else None
        if link is None or alert is None:
            raise NotFound("this acknowledgement link is not known")
        return link, alert

    def view(self, token: str) -> LinkView:
        with self._sessions() as s:
            link, alert = self._find(s, token)
            return LinkView(_info(alert), link.username, link.expires_at, link.used_at)

    def use(self, token: str, now: int, *, client: str = "") -> AlertInfo:
        """Acknowledge the link's alert as its recipient, once; ``InvalidRecord`` (with a
        ``key`` for the page) when the link is used, expired, or the alert is no longer
        open. The use is written to the audit log in the same transaction."""
        try:
            with self._sessions() as s, s.begin():
                link, alert = self._find(s, token, lock=True)
                if link.used_at is not None:
                    raise InvalidRecord("this link was used already", key="ack_link_used")
                if now >= link.expires_at:
                    raise InvalidRecord("this link has expired", key="ack_link_expired")
                if alert.state != "open":
                    raise InvalidRecord(f"alert {alert.id} is {alert.state} already",
                                        key="ack_link_done", field=alert.state)
                link.used_at = now
                alert.state, alert.acked_at, alert.acked_by = "acknowledged", now, link.username
                alert.updated_at = now
                s.add(AuditEntry(at=now, username=link.username, action="ack", entity="alert",
                                 entity_id=alert.id, site=alert.site,
                                 detail=f"one-time link of notification {link.notification_id}"
                                        f"{f' from {client}' if client else ''}"[:300]))
                s.flush()
                return _info(alert)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot acknowledge through a link: {exc}") from exc
