"""Alert state and the notification outbox in the registry database.

``apply`` commits a batch's alert transitions *and* the notifications they cause in one
transaction, before ingest acknowledges the batch: a crash loses neither. The notifier
reads the outbox (``due``) and records every attempt (``delivered``, ``failed``,
``deferred``); a notification leaves the outbox only once a channel accepted it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ingest.alerts.routing import Recipient, Router
from ingest.alerts.zones import SiteZones, timezone_in
from kolam.alerts.messages import AlertView, event_payload, summary_text
from kolam.alerts.model import ActiveAlert, AlertKey, AlertState, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.errors import RegistryError
from kolam.protocol import PondRef, alerts_topic
from kolam.registry.ack_links import make_link
from kolam.registry.alert_models import AlertRow, AttemptRow, NotificationRow, SilenceRow
from kolam.registry.people import OnCall, on_call
from kolam.registry.user_models import User
from kolam.timeutil import WIB, from_ms, to_ms

DIGEST_CHANNELS = frozenset({"email", "telegram", "whatsapp", "sms"})
"""Channels read by people, whose warnings wait for the daily digest when one is set."""
DIGEST_KEY = "digest"
"""Set (true) in the payload of a notification held for the daily digest."""
ACK_EVENTS = frozenset({"opened", "upgraded", "escalated", "reminder"})
"""Messages that carry a one-time acknowledgement link (to people who may acknowledge)."""


class _Duty:
    """Who is on call per site at ``now``, read once per transaction."""

    def __init__(self, s: Session, now: int) -> None:
        self.s, self.now = s, now
        self._sites: dict[str, list[OnCall]] = {}

    def at(self, site: str) -> list[OnCall]:
        if site not in self._sites:
            self._sites[site] = on_call(self.s, site, self.now)
        return self._sites[site]


@dataclass(frozen=True, slots=True)
class Pending:
    """A notification waiting in the outbox."""

    id: int
    alert_id: int | None
    channel: str
    recipient: str
    language: str
    event: str
    payload: str
    attempts: int
    username: str | None = None


def view(row: AlertRow, t: int | None = None, tz: tzinfo = WIB) -> AlertView:
    """The facts of ``row`` for a message, its times in ``tz`` (the site's zone)."""
    return AlertView(row.id, row.site, row.pond, row.rule, row.rule_key, row.severity,
                     row.state, row.metric, row.device, row.value, row.unit, row.threshold,
                     row.since_t, t if t is not None else row.last_t, row.detail, row.late, tz)


class AlertOutbox:
    def __init__(self, engine: Engine, config: KolamConfig, router: Router,
                 zones: SiteZones | None = None) -> None:
        """``zones`` gives each site's zone (its record's, read from ``engine`` when not
        given): the messages' times and the digest's hour are the site's."""
        self.cfg = config.alerts
        self.router = router
        self.zones = zones or SiteZones(timezone_in(engine))
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # ------------------------------------------------------------ engine state

    def active(self) -> list[ActiveAlert]:
        with self._sessions() as s:
            rows = s.scalars(select(AlertRow).where(AlertRow.state != AlertState.RESOLVED))
            return [ActiveAlert(AlertKey(r.site, r.pond, r.rule_key), r.rule,
                                Severity(r.severity), r.since_t, r.last_t) for r in rows]

    def apply(self, transitions: Sequence[Transition], now: int) -> int:
        """Commit transitions and their notifications; return how many were queued."""
        if not transitions:
            return 0
        try:
            with self._sessions() as s, s.begin():
                queued: list[NotificationRow] = []
                late: dict[str, list[AlertRow]] = {}
                duty = _Duty(s, now)
                for tr in transitions:
                    self._one(s, tr, now, queued, late, duty)
                for site, rows in late.items():
                    queued += self._summary(site, rows, now, duty)
                s.add_all(queued)
                return len(queued)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot commit alerts: {exc}") from exc

    def _find(self, s: Session, a: AlertKey) -> AlertRow | None:
        return s.scalar(select(AlertRow).where(
            AlertRow.site == a.site, AlertRow.pond == a.pond, AlertRow.rule_key == a.key,
            AlertRow.state != AlertState.RESOLVED))

    def _reopen(self, s: Session, tr: Transition) -> AlertRow | None:
        a = tr.alert
        row = s.scalar(select(AlertRow).where(
            AlertRow.site == a.site, AlertRow.pond == a.pond, AlertRow.rule_key == a.key,
            AlertRow.state == AlertState.RESOLVED,
            AlertRow.resolved_t >= tr.since - int(self.cfg.reopen_window_s * 1000))
            .order_by(AlertRow.resolved_t.desc()).limit(1))
        if row is not None:
            row.state, row.reopen_count = AlertState.OPEN, row.reopen_count + 1
            row.resolved_t = row.resolved_at = row.acked_at = None
            row.resolved_by = row.acked_by = None
        return row

    def _silenced(self, s: Session, tr: Transition) -> bool:
        a = tr.alert
        found = s.scalar(select(SilenceRow.id).where(
            SilenceRow.site == a.site, SilenceRow.starts_at <= tr.t, SilenceRow.ends_at >= tr.t,
            (SilenceRow.pond.is_(None)) | (SilenceRow.pond == a.pond),
            (SilenceRow.device.is_(None)) | (SilenceRow.device == tr.device),
            (SilenceRow.rule.is_(None)) | (SilenceRow.rule == tr.rule)).limit(1))
        return found is not None

    def _one(self, s: Session, tr: Transition, now: int, queued: list[NotificationRow],
             late: dict[str, list[AlertRow]], duty: _Duty) -> None:
        a = tr.alert
        row = self._find(s, a)
        if tr.change in (Change.RAISED, Change.UPGRADED):
            event = "upgraded"
            if row is None:
                row = self._reopen(s, tr)
            if row is None:
                event = "opened"
                age_ms = now - tr.t
                row = AlertRow(site=a.site, pond=a.pond, rule_key=a.key, rule=tr.rule,
                               device=tr.device, metric=tr.metric, state=AlertState.OPEN,
                               since_t=tr.since, created_at=now, unit=tr.unit,
                               late=age_ms > self.cfg.late_after_s * 1000,
                               summarised=age_ms > self.cfg.max_age_s * 1000,
                               reopen_count=0, escalation_level=0)
                s.add(row)
            self._update(row, tr, now)
            row.silenced = self._silenced(s, tr)
            s.flush()
            notified = row.notified_severity
            if row.summarised and not row.silenced:
                if notified is None:
                    row.notified_severity = row.severity
                    late.setdefault(a.site, []).append(row)
                return
            queued += self._mqtt(row, "opened" if notified is None else event, tr.t, now)
            if row.silenced or (notified and Severity(notified).rank >= tr.severity.rank):
                return
            queued += self._humans(duty, row, "opened" if notified is None else event,
                                   range(row.escalation_level + 1), now, tr.t)
            row.notified_at = row.notified_at or now
            row.notified_severity = row.severity
            return
        if row is None:
            return
        self._update(row, tr, now)
        if tr.change is Change.RESOLVED:
            row.state, row.resolved_t, row.resolved_at = AlertState.RESOLVED, tr.t, now
            row.resolved_by = "auto"
        queued += self._mqtt(row, tr.change.value, tr.t, now) if not row.summarised else []
        if (tr.change is Change.RESOLVED and row.notified_at and not row.silenced
                and not self._told_resolved(s, row.id, queued)):
            queued += self._humans(duty, row, "resolved", range(row.escalation_level + 1), now,
                                   tr.t, severity=row.notified_severity)

    @staticmethod
    def _told_resolved(s: Session, alert_id: int, queued: list[NotificationRow]) -> bool:
        """Whether the last thing people heard of this alert is that it resolved: an alert
        that reopens and resolves again (a flapping breach) is not news each time. They
        hear of it again when it stays open (a reminder) or gets worse."""
        mine = [n.event for n in queued if n.alert_id == alert_id and n.channel != "mqtt"]
        if mine:
            return mine[-1] == "resolved"
        last = s.scalar(select(NotificationRow.event).where(
            NotificationRow.alert_id == alert_id, NotificationRow.channel != "mqtt")
            .order_by(NotificationRow.id.desc()).limit(1))
        return last == "resolved"

    @staticmethod
    def _update(row: AlertRow, tr: Transition, now: int) -> None:
        if tr.change is not Change.RESOLVED:
            row.severity = tr.severity
            row.threshold = tr.threshold
            row.value = tr.value
        if tr.detail:
            row.detail = tr.detail[:200]
        row.last_t, row.updated_at = max(row.last_t or 0, tr.t), now

    # ------------------------------------------------------------ notifications

    def _row(self, row: AlertRow | None, site: str, pond: str | None, event: str,
             r: Recipient, payload: dict[str, Any], now: int) -> NotificationRow:
        return NotificationRow(alert_id=row.id if row else None, site=site, pond=pond,
                               event=event, channel=r.channel, recipient=r.address[:300],
                               language=r.language, payload=json.dumps(payload),
                               status="pending", attempts=0, next_attempt_at=now,
                               created_at=now, last_error="", username=r.user)

    def _mqtt(self, row: AlertRow, event: str, t: int, now: int) -> list[NotificationRow]:
        if not self.cfg.mqtt:
            return []
        topic = alerts_topic(PondRef(row.site, row.pond))
        payload = event_payload(view(row, t, self.zones(row.site)), event, "id", now)
        return [self._row(row, row.site, row.pond, event, Recipient("mqtt", topic), payload,
                          now)]

    def _humans(self, duty: _Duty, row: AlertRow, event: str, levels: range, now: int,
                t: int | None = None, severity: str | None = None) -> list[NotificationRow]:
        out = []
        severity = severity or row.severity
        tz = self.zones(row.site)
        digest_at = self._digest_at(now, tz) if severity == Severity.WARNING else None
        for r in self.router.recipients(row.site, severity, levels, duty.at(row.site)):
            payload = event_payload(view(row, t, tz), event, r.language, now)
            n = self._row(row, row.site, row.pond, event, r, payload, now)
            if digest_at is not None and r.channel in DIGEST_CHANNELS:
                # Held for the daily digest: the notifier sends what is held for a
                # recipient as one message, the newest event of each alert.
                payload[DIGEST_KEY] = True
                n.payload, n.next_attempt_at = json.dumps(payload), digest_at
            out.append(n)
        return out

    def _digest_at(self, now: int, tz: tzinfo = WIB) -> int | None:
        """The next daily digest after ``now``, or None: ``warning_digest_hour`` of the
        local day in ``tz``, the site's zone (07:00 WIT at a WIT site is 05:00 WIB)."""
        hour = self.cfg.warning_digest_hour
        if hour is None:
            return None
        local = from_ms(now).astimezone(tz)
        at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        if at <= local:
            at += timedelta(days=1)
        return to_ms(at)

    def _summary(self, site: str, rows: list[AlertRow], now: int,
                 duty: _Duty) -> list[NotificationRow]:
        tz = self.zones(site)
        views = [view(r, tz=tz) for r in rows]
        out = []
        people = duty.at(site)
        for r in self.router.recipients(site, "info", range(1), people) + \
                self.router.recipients(site, "warning", range(1), people):
            subject, message = summary_text(views, r.language)
            payload = {"v": 1, "event": "summary", "site": site, "subject": subject,
                       "message": message, "alerts": [v.id for v in views], "sent_ms": now}
            out.append(self._row(None, site, None, "summary", r, payload, now))
        return list({(n.channel, n.recipient): n for n in out}.values())

    # ------------------------------------------------------------ escalation, reminders

    def followups(self, now: int) -> int:
        """Escalate unacknowledged critical alerts and remind about open ones; return how
        many notifications were queued."""
        esc_ms, remind_ms = self.cfg.escalation_after_s * 1000, self.cfg.reminder_interval_s * 1000
        try:
            with self._sessions() as s, s.begin():
                queued: list[NotificationRow] = []
                duty = _Duty(s, now)
                rows = s.scalars(select(AlertRow).where(
                    AlertRow.state == AlertState.OPEN, AlertRow.notified_at.is_not(None),
                    AlertRow.silenced.is_(False), AlertRow.summarised.is_(False)))
                for row in rows:
                    assert row.notified_at is not None
                    level = row.escalation_level
                    if (row.severity == Severity.CRITICAL
                            and level < self.router.max_level(row.site, duty.at(row.site))
                            and now >= row.notified_at + (level + 1) * esc_ms):
                        row.escalation_level = level + 1
                        queued += self._humans(duty, row, "escalated",
                                               range(level + 1, level + 2), now)
                    if now >= (row.reminded_at or row.notified_at) + remind_ms:
                        row.reminded_at = now
                        queued += self._humans(duty, row, "reminder",
                                               range(row.escalation_level + 1), now)
                s.add_all(queued)
                return len(queued)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot schedule alert follow-ups: {exc}") from exc

    # ------------------------------------------------------------ the notifier's side

    def due(self, now: int, limit: int = 200) -> list[Pending]:
        with self._sessions() as s:
            rows = s.scalars(select(NotificationRow).where(
                NotificationRow.status == "pending", NotificationRow.next_attempt_at <= now)
                .order_by(NotificationRow.id).limit(limit))
            return [Pending(n.id, n.alert_id, n.channel, n.recipient, n.language, n.event,
                            n.payload, n.attempts, n.username) for n in rows]

    def ack_link(self, p: Pending, now: int) -> str | None:
        """A new one-time acknowledgement token for the message ``p``, or None when it
        carries none: not about an open alert, not for a roster user, or for one whose
        role may not acknowledge (the Dinas, unless ``alerts.dinas_may_acknowledge``)."""
        if p.alert_id is None or p.username is None or p.event not in ACK_EVENTS:
            return None
        may = {"admin", "officer"} | ({"dinas"} if self.cfg.dinas_may_acknowledge else set())
        try:
            with self._sessions() as s, s.begin():
                role = s.scalar(select(User.role).where(User.username == p.username,
                                                        User.active))
                state = s.scalar(select(AlertRow.state).where(AlertRow.id == p.alert_id))
                if role not in may or state != AlertState.OPEN:
                    return None
                return make_link(s, notification_id=p.id, alert_id=p.alert_id,
                                 username=p.username, now=now, ttl_s=self.cfg.ack_link_ttl_s)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot make an acknowledgement link: {exc}") from exc

    def _finish(self, ids: Sequence[int], now: int, outcome: str, detail: str,
                values: dict[str, Any]) -> None:
        with self._sessions() as s, s.begin():
            s.execute(update(NotificationRow).where(NotificationRow.id.in_(ids)).values(
                **values))
            s.add_all([AttemptRow(notification_id=i, at=now, outcome=outcome,
                                  detail=detail[:500]) for i in ids])

    def delivered(self, ids: Sequence[int], now: int, detail: str = "") -> None:
        self._finish(ids, now, "ok", detail, {"status": "sent", "sent_at": now,
                                             "attempts": NotificationRow.attempts + 1})

    def failed(self, ids: Sequence[int], now: int, error: str, retry_at: int) -> None:
        self._finish(ids, now, "error", error, {"next_attempt_at": retry_at,
                                                "last_error": error[:500],
                                                "attempts": NotificationRow.attempts + 1})

    def given_up(self, ids: Sequence[int], now: int, error: str,
                 status: str = "failed") -> None:
        """The notifications leave the queue: ``failed`` (a permanent failure) or ``dead``
        (transient failures until ``max_attempts``)."""
        self._finish(ids, now, "error", error, {"status": status,
                                                "last_error": error[:500],
                                                "attempts": NotificationRow.attempts + 1})

    def deferred(self, ids: Sequence[int], now: int, until: int) -> None:
        self._finish(ids, now, "rate_limited", "recipient over its hourly limit",
                     {"next_attempt_at": until})
