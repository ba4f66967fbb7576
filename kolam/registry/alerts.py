"""Alerts as the API sees them: list, filter, acknowledge, silence.

The ingest process writes alerts (``ingest.alerts.outbox``); the API reads them and records
acknowledgements and silences in the same tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from kolam.errors import NotFound, RegistryError
from kolam.registry.alert_models import AlertRow, AttemptRow, NotificationRow, SilenceRow
from kolam.registry.fields import Shown, from_row
from kolam.registry.records import InvalidRecord


@dataclass(frozen=True, slots=True)
class AlertInfo:
    id: int
    site: str
    pond: str
    rule: str
    key: Annotated[str, Shown("Rule id, plus device and metric for sensor-health rules")]
    device: str | None
    metric: str | None
    severity: Annotated[str, Shown("info | warning | critical")]
    state: Annotated[str, Shown("open | acknowledged | resolved")]
    value: float | None
    unit: str
    threshold: float | None
    detail: str
    since_t: Annotated[int, Shown("When the breach began (sample time, ISO UTC)", "since")]
    last_t: Annotated[int, Shown(name="last")]
    resolved_t: Annotated[int | None, Shown(name="resolved")]
    late: Annotated[bool, Shown("Raised from data that arrived late (catch-up)")]
    silenced: bool
    reopen_count: int
    escalation_level: int
    acked_at: Annotated[int | None, Shown(name="acknowledged_at")]
    acked_by: Annotated[str | None, Shown(name="acknowledged_by")]
    resolved_by: Annotated[str | None, Shown(hidden=True)]


@dataclass(frozen=True, slots=True)
class SilenceInfo:
    id: int
    site: str
    pond: str | None
    device: str | None
    rule: str | None
    starts_at: int
    ends_at: int
    reason: str
    created_by: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """A delivery status reported by a service after it accepted a message."""

    message_ref: str
    """As the accepted attempt recorded it, e.g. ``whatsapp wamid.HBgL...``."""
    status: str
    at: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class NotificationInfo:
    id: int
    event: str
    channel: str
    recipient: str
    status: str
    attempts: int
    created_at: int
    sent_at: int | None
    last_error: str
    outcomes: tuple[str, ...]
    details: Annotated[tuple[str, ...], Shown(hidden=True)] = ()
    """Per attempt, as ``outcomes``: the error, or what the service confirmed."""

    @property
    def confirmed(self) -> str | None:
        """The furthest the service reported the message got: ``read``, ``delivered``."""
        return next((o for o in ("read", "delivered") if o in self.outcomes), None)

    @property
    def receipt(self) -> str | None:
        """What the channel confirmed on delivery (e.g. its message id), if it said."""
        return next((d for o, d in zip(reversed(self.outcomes), reversed(self.details),
                                       strict=True) if o == "ok" and d), None)


def _info(r: AlertRow) -> AlertInfo:
    return from_row(AlertInfo, r, key=r.rule_key)


def _silence(r: SilenceRow) -> SilenceInfo:
    return from_row(SilenceInfo, r)


class Alerts:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def find(self, sites: Iterable[str] | None, *, pond: str | None = None,
             states: Iterable[str] = (), severity: str | None = None, rule: str | None = None,
             since: int | None = None, until: int | None = None, limit: int = 100,
             offset: int = 0) -> list[AlertInfo]:
        """Newest first; ``sites=None`` means every site."""
        q = select(AlertRow).order_by(AlertRow.since_t.desc(), AlertRow.id.desc())
        if sites is not None:
            q = q.where(AlertRow.site.in_(list(sites)))
        if pond is not None:
            q = q.where(AlertRow.pond == pond)
        if states := list(states):
            q = q.where(AlertRow.state.in_(states))
        if severity is not None:
            q = q.where(AlertRow.severity == severity)
        if rule is not None:
            q = q.where(AlertRow.rule == rule)
        if since is not None:
            q = q.where(AlertRow.since_t >= since)
        if until is not None:
            q = q.where(AlertRow.since_t < until)
        with self._sessions() as s:
            return [_info(r) for r in s.scalars(q.limit(limit).offset(offset))]

    def active(self, site: str, pond: str) -> list[AlertInfo]:
        return self.find([site], pond=pond, states=("open", "acknowledged"), limit=1000)

    def count_since(self, site: str, since: int) -> int:
        with self._sessions() as s:
            return int(s.scalar(select(func.count()).select_from(AlertRow).where(
                AlertRow.site == site, AlertRow.since_t >= since)) or 0)

    def count_between(self, site: str, start: int, end: int) -> int:
        """Alerts of a site that began in [start, end) (for the monthly report)."""
        with self._sessions() as s:
            return int(s.scalar(select(func.count()).select_from(AlertRow).where(
                AlertRow.site == site, AlertRow.since_t >= start,
                AlertRow.since_t < end)) or 0)

    def get(self, alert_id: int) -> AlertInfo:
        with self._sessions() as s:
            row = s.get(AlertRow, alert_id)
            if row is None:
                raise NotFound(f"no alert {alert_id}")
            return _info(row)

    def acknowledge(self, alert_id: int, by: str, now: int) -> AlertInfo:
        """Someone is on it: escalation and reminders stop. Resolved alerts stay resolved."""
        try:
            with self._sessions() as s, s.begin():
                row = s.get(AlertRow, alert_id, with_for_update=True)
                if row is None:
                    raise NotFound(f"no alert {alert_id}")
                if row.state == "resolved":
                    raise InvalidRecord(f"alert {alert_id} is already resolved")
                if row.state == "open":
                    row.state, row.acked_at, row.acked_by = "acknowledged", now, by
                    row.updated_at = now
                return _info(row)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot acknowledge alert {alert_id}: {exc}") from exc

    def notifications(self, alert_id: int) -> list[NotificationInfo]:
        return self.deliveries([alert_id]).get(alert_id, [])

    def deliveries(self, alert_ids: Sequence[int]) -> dict[int, list[NotificationInfo]]:
        """The notifications of many alerts (for the alerts page), by alert id."""
        out: dict[int, list[NotificationInfo]] = {}
        for n_alert, info in self._notifications(alert_ids):
            out.setdefault(n_alert, []).append(info)
        return out

    def _notifications(self, alert_ids: Sequence[int]) -> list[tuple[int, NotificationInfo]]:
        if not alert_ids:
            return []
        with self._sessions() as s:
            rows = list(s.scalars(select(NotificationRow).where(
                NotificationRow.alert_id.in_(list(alert_ids))).order_by(NotificationRow.id)))
            outcomes: dict[int, list[str]] = {}
            details: dict[int, list[str]] = {}
            for a in s.scalars(select(AttemptRow).where(AttemptRow.notification_id.in_(
                    [r.id for r in rows])).order_by(AttemptRow.id)):
                outcomes.setdefault(a.notification_id, []).append(a.outcome)
                details.setdefault(a.notification_id, []).append(a.detail)
            return [(r.alert_id or 0, from_row(NotificationInfo, r,
                                               outcomes=tuple(outcomes.get(r.id, ())),
                                               details=tuple(details.get(r.id, ()))))
                    for r in rows]

    def record_receipts(self, receipts: Sequence[Receipt]) -> int:
        """Delivery statuses a service reported later (WhatsApp's ``delivered``, ``read``,
        ``failed``), as attempts of the notification whose accepted attempt recorded that
        message id. A ``failed`` one also marks the notification failed with the reason.
        Returns how many matched a notification; unknown ids are not Kolam's and are
        ignored."""
        matched = 0
        try:
            with self._sessions() as s, s.begin():
                for r in receipts:
                    nid = s.scalar(select(AttemptRow.notification_id).where(
                        AttemptRow.outcome == "ok", AttemptRow.detail == r.message_ref).limit(1))
                    if nid is None:
                        continue
                    matched += 1
                    s.add(AttemptRow(notification_id=nid, at=r.at, outcome=r.status[:16],
                                     detail=r.detail[:500]))
                    if r.status == "failed":
                        s.execute(update(NotificationRow).where(NotificationRow.id == nid)
                                  .values(status="failed", last_error=r.detail[:500]))
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot record delivery receipts: {exc}") from exc
        return matched

    def add_silence(self, site: str, *, pond: str | None, device: str | None,
                    rule: str | None, starts_at: int, ends_at: int, reason: str, by: str,
                    now: int) -> SilenceInfo:
        if ends_at <= starts_at:
            raise InvalidRecord("a silence must end after it starts")
        with self._sessions() as s, s.begin():
            row = SilenceRow(site=site, pond=pond, device=device, rule=rule,
                             starts_at=starts_at, ends_at=ends_at, reason=reason[:200],
                             created_by=by, created_at=now)
            s.add(row)
            s.flush()
            return _silence(row)

    def silences(self, site: str, *, active_at: int | None = None) -> list[SilenceInfo]:
        q = select(SilenceRow).where(SilenceRow.site == site).order_by(SilenceRow.starts_at)
        if active_at is not None:
            q = q.where(SilenceRow.starts_at <= active_at, SilenceRow.ends_at >= active_at)
        with self._sessions() as s:
            return [_silence(r) for r in s.scalars(q)]

    def delete_silence(self, site: str, silence_id: int) -> None:
        with self._sessions() as s, s.begin():
            row = s.get(SilenceRow, silence_id)
            if row is None or row.site != site:
                raise NotFound(f"no silence {silence_id} at site {site!r}")
            s.delete(row)
