"""The notifier against real endpoints: a local HTTP receiver and an aiosmtpd server."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ingest.alerts.channels import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    EmailChannel,
    WebhookChannel,
    sign,
)
from ingest.alerts.notifier import Notifier
from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.registry.alerts import Alerts
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms
from tests.utils.net import wait_for
from tests.utils.receivers import SmtpReceiver, WebhookReceiver

SECRET = b"s3cret"


def raise_do(outbox: AlertOutbox, pond: str = "kolam-1") -> None:
    now = now_ms()
    outbox.apply([Transition(Change.RAISED, AlertKey("serang", pond, "do_low"), "do_low",
                             Severity.CRITICAL, now, now, 1.4, "mg/L", 2.0, "do_mgl")], now)


def make(config: KolamConfig, limit: int = 20) -> tuple[AlertOutbox, Notifier, Registry]:
    registry = Registry(config.registry_url)
    outbox = AlertOutbox(registry.engine, config, Router(config))
    email = EmailChannel(config.smtp_url, "kolam@test", 5) if config.smtp_url else None
    notifier = Notifier(outbox, threading.Event(), mqtt=None,
                        webhook=WebhookChannel(SECRET, 5), email=email,
                        rate_limit_per_hour=limit, retry_max_s=0.2, tick_s=60)
    return outbox, notifier, registry


def test_webhook_is_signed_and_email_is_sent(make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook, SmtpReceiver() as smtp:
        config = make_config(webhook_url=hook.url, smtp_url=smtp.url, alert_emails="dinas@x.id",
                             alerts={"mqtt": False})
        outbox, notifier, registry = make(config)
        raise_do(outbox)
        assert notifier.drain() == 2
        (got,) = hook.received
        ts = got.headers[TIMESTAMP_HEADER]
        assert got.headers[SIGNATURE_HEADER] == sign(SECRET, ts, got.raw)
        assert got.headers[DELIVERY_HEADER].isdigit()
        assert got.body["severity"] == "critical" and got.body["value"] == 1.4
        assert "Nyalakan aerator dan kurangi pakan" in got.body["message"]
        assert "Switch on the aerators" in got.body["text"]["en"]
        (mail,) = smtp.messages
        assert mail["To"] == "dinas@x.id" and "[KRITIS]" in mail["Subject"]
        assert "Nyalakan aerator" in mail.get_payload()
        registry.close()


def test_a_failing_endpoint_is_retried_with_every_attempt_recorded(
        make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook:
        config = make_config(webhook_url=hook.url, alerts={"mqtt": False})
        outbox, notifier, registry = make(config)
        hook.status = 500
        raise_do(outbox)
        notifier.drain()
        wait_for(lambda: notifier.drain() >= 0 and hook.attempts >= 3, 10, 0.05,
                 what="three failed attempts")
        hook.status = 200
        wait_for(lambda: notifier.drain() >= 0 and hook.received, 10, 0.05, what="delivery")
        (n,) = Alerts(registry.engine).notifications(Alerts(registry.engine).find(None)[0].id)
        assert n.status == "sent" and n.outcomes[-1] == "ok"
        assert n.outcomes.count("error") >= 3 and "HTTP 500" in n.last_error
        assert len(hook.received) == 1
        registry.close()


def test_rate_limit_sends_the_rest_as_one_digest(make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook:
        config = make_config(webhook_url=hook.url, alerts={"mqtt": False})
        outbox, notifier, registry = make(config, limit=3)
        for i in range(6):
            raise_do(outbox, f"kolam-{i}")
        notifier.drain()
        bodies = hook.bodies()
        assert [b["event"] for b in bodies] == ["opened", "opened", "digest"]
        assert bodies[2]["count"] == 4
        raise_do(outbox, "kolam-9")
        notifier.drain()
        assert len(hook.bodies()) == 3  # over the limit: waits for the hour to pass
        assert outbox.due(now_ms() + 3_600_001)
        registry.close()


def test_a_refusing_endpoint_fails_for_good_with_its_reason(
        make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook:
        config = make_config(webhook_url=hook.url, alerts={"mqtt": False})
        outbox, notifier, registry = make(config)
        hook.status = 404  # wrong URL: the same request will be refused again
        raise_do(outbox)
        notifier.drain()
        assert not outbox.due(now_ms() + 10**9)  # out of the queue, not rescheduled
        hook.status = 200
        notifier.drain()
        assert hook.attempts == 1 and not hook.received
        (n,) = Alerts(registry.engine).notifications(Alerts(registry.engine).find(None)[0].id)
        assert n.status == "failed" and list(n.outcomes) == ["error"]
        assert "HTTP 404" in n.last_error
        registry.close()


def test_a_switched_off_channel_fails_for_good(make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(alerts={"mqtt": True})
    outbox, notifier, registry = make(config)  # the notifier has no MQTT channel
    raise_do(outbox)
    notifier.drain()
    assert not outbox.due(now_ms() + 10**9)
    ns = Alerts(registry.engine).notifications(Alerts(registry.engine).find(None)[0].id)
    assert ns and all(n.status == "failed" and n.channel == "mqtt" for n in ns)
    assert all("MQTT alerts are switched off" in n.last_error for n in ns)
    registry.close()


def test_too_many_requests_is_retried(make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook:
        config = make_config(webhook_url=hook.url, alerts={"mqtt": False})
        outbox, notifier, registry = make(config)
        hook.status = 429  # "come back later" (RFC 6585): transient
        raise_do(outbox)
        notifier.drain()
        assert outbox.due(now_ms() + 10**9)
        registry.close()
