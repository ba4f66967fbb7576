"""An open alert with one notification and its one-time acknowledgement link, made
straight in the registry (for the tests of the pages and webhooks that use links)."""

from __future__ import annotations

from sqlalchemy import Engine

from kolam.registry.ack_links import make_link
from kolam.registry.alert_models import AlertRow, NotificationRow
from kolam.registry.db import session_factory
from kolam.timeutil import now_ms


def open_alert(engine: Engine, site: str, pond: str, username: str,
               ttl_s: float = 3600) -> tuple[int, str]:
    """(alert id, token) of a new open critical ``do_low`` alert told to ``username``."""
    now = now_ms()
    with session_factory(engine)() as s, s.begin():
        a = AlertRow(site=site, pond=pond, rule_key="do_low", rule="do_low", metric="do_mgl",
                     severity="critical", state="open", value=1.2, unit="mg/L", since_t=now,
                     last_t=now, created_at=now, updated_at=now, notified_at=now)
        s.add(a)
        s.flush()
        n = NotificationRow(alert_id=a.id, site=site, pond=pond, event="opened",
                            channel="telegram", recipient="5550001", payload="{}",
                            next_attempt_at=now, created_at=now, username=username)
        s.add(n)
        s.flush()
        return a.id, make_link(s, notification_id=n.id, alert_id=a.id, username=username,
                               now=now, ttl_s=ttl_s)
