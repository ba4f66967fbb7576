"""Telegram, WhatsApp and SMS through the real outbox and notifier, against local servers
that implement each service's documented requests and answers (tests/utils/phone_services)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ingest.alerts.channels import WebhookChannel
from ingest.alerts.engine import AlertEngine
from ingest.alerts.notifier import Notifier
from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.phone_channels import (
    TELEGRAM_MAX_CHARS,
    WhatsAppChannel,
    gsm_text,
    phone_channels,
)
from ingest.alerts.pipeline import AlertPipeline
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.errors import ConfigError
from kolam.registry.alerts import Alerts, NotificationInfo
from kolam.registry.repo import Registry
from kolam.store.base import SeriesKey
from kolam.timeutil import now_ms
from tests.utils.net import wait_for
from tests.utils.phone_services import (
    TELEGRAM_TOKEN,
    WHATSAPP_TOKEN,
    FakeSmsGateway,
    FakeTelegram,
    FakeWhatsApp,
    _Service,
)

GOOD = {"telegram": "5550001", "whatsapp": "6281200000001", "sms": "6281200000002"}
BAD = {"telegram": "5559999", "whatsapp": "6281299999999", "sms": "6281299999998"}
KINDS = ["telegram", "whatsapp", "sms"]
TEMPLATE = "kolam_alert"


@contextmanager
def service(kind: str) -> Iterator[tuple[_Service, dict[str, Any]]]:
    """A local stand-in for ``kind`` and the settings pointing Kolam at it."""
    server: _Service
    if kind == "telegram":
        server = FakeTelegram({GOOD["telegram"]})
        settings: dict[str, Any] = {"telegram_bot_token": TELEGRAM_TOKEN,
                                    "telegram_api_url": server.url}
    elif kind == "whatsapp":
        server = FakeWhatsApp("1098765", {GOOD["whatsapp"]}, {TEMPLATE: ({"id", "en"}, 2)})
        settings = {"whatsapp_token": WHATSAPP_TOKEN, "whatsapp_phone_id": "1098765",
                    "whatsapp_template": TEMPLATE, "whatsapp_api_url": server.url}
    else:
        server = FakeSmsGateway({GOOD["sms"]})
        settings = {"sms_url": server.url + "/api/send", "sms_to_field": "msisdn",
                    "sms_text_field": "message", "sms_fields": {"sender": "KOLAM"},
                    "sms_auth_header": "X-Api-Key", "sms_auth_value": "sms-key-1"}
    with server:
        yield server, settings


def to(kind: str, address: str) -> dict[str, str]:
    return {{"telegram": "telegram_chat_ids", "whatsapp": "whatsapp_to",
             "sms": "sms_to"}[kind]: address}


def make(config: KolamConfig, limit: int = 20) -> tuple[AlertOutbox, Notifier, Alerts]:
    registry = Registry(config.registry_url)
    outbox = AlertOutbox(registry.engine, config, Router(config))
    telegram, whatsapp, sms = phone_channels(config)  # what the ingest pipeline builds
    notifier = Notifier(outbox, threading.Event(), mqtt=None, webhook=WebhookChannel(b"k", 5),
                        email=None, rate_limit_per_hour=limit, retry_max_s=0.2, tick_s=60,
                        telegram=telegram, whatsapp=whatsapp, sms=sms,
                        max_attempts=config.alerts.max_attempts)
    return outbox, notifier, Alerts(registry.engine)


def raise_do(outbox: AlertOutbox, pond: str = "kolam-1") -> None:
    now = now_ms()
    outbox.apply([Transition(Change.RAISED, AlertKey("serang", pond, "do_low"), "do_low",
                             Severity.CRITICAL, now, now, 1.4, "mg/L", 2.0, "do_mgl")], now)


def notifications(alerts: Alerts) -> list[NotificationInfo]:
    return [n for a in alerts.find(None) for n in alerts.notifications(a.id)]


def the_one(alerts: Alerts) -> NotificationInfo:
    (n,) = notifications(alerts)
    return n


def settle(notifier: Notifier, alerts: Alerts, timeout_s: float = 15) -> NotificationInfo:
    """Drain until the notification leaves the queue (sent, failed or dead)."""
    wait_for(lambda: notifier.drain() >= 0 and the_one(alerts).status != "pending",
             timeout_s, 0.05, what="the notification to settle")
    return the_one(alerts)


def config_for(make_config: Callable[..., KolamConfig], settings: dict[str, Any],
               **more: Any) -> KolamConfig:
    alerts = {"mqtt": False, **more.pop("alerts", {})}
    return make_config(**settings, **more, alerts=alerts)


# ------------------------------------------------------------------ every service


@pytest.mark.parametrize("kind", KINDS)
def test_delivered_with_the_services_receipt(kind: str,
                                             make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings, **to(kind,
                                                                               GOOD[kind])))
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert (n.channel, n.recipient, n.status, n.outcomes) == (kind, GOOD[kind], "sent",
                                                                   ("ok",))
        assert len(server.accepted) == 1 and len(server.requests) == 1
        expected = {"telegram": "telegram message_id 1", "whatsapp": "whatsapp wamid.TEST000001",
                    "sms": "sms HTTP 200"}[kind]
        assert n.receipt is not None and n.receipt.startswith(expected)


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_recipient_fails_for_good(kind: str,
                                        make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings, **to(kind, BAD[kind])))
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.status == "failed" and n.outcomes == ("error",) and n.attempts == 1
        assert {"telegram": "400 Bad Request: chat not found",
                "whatsapp": "HTTP 400 code 131026",
                "sms": f"HTTP 400 {{\"status\": \"error\", \"error\": \"invalid number "
                       f"{BAD['sms']}\"}}"}[kind] in n.last_error
        notifier.drain()
        assert not outbox.due(now_ms() + 10**9) and len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_token_fails_for_good_and_is_not_logged(
        kind: str, make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings, **to(kind,
                                                                               GOOD[kind])))
        if isinstance(server, FakeSmsGateway):
            server.key = "rotated-key"
        else:
            server.token = "rotated-token"  # ours is no longer valid
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.status == "failed" and n.attempts == 1
        assert {"telegram": "401 Unauthorized", "whatsapp": "HTTP 401 code 190",
                "sms": "HTTP 401"}[kind] in n.last_error
        for secret in (TELEGRAM_TOKEN, WHATSAPP_TOKEN, "sms-key-1"):
            assert secret not in n.last_error


@pytest.mark.parametrize("kind", KINDS)
def test_a_rate_limit_waits_as_long_as_the_service_asks(
        kind: str, make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings, **to(kind,
                                                                               GOOD[kind])))
        server.script = ["rate_limit"]
        raise_do(outbox)
        notifier.drain()
        n = the_one(alerts)
        assert n.status == "pending" and n.outcomes == ("error",)
        assert ("429" in n.last_error) and ("130429" in n.last_error or kind != "whatsapp")
        if kind == "whatsapp":
            # The Cloud API gives no wait: exponential back-off (retry_max_s 0.2 here).
            assert "retry after" not in n.details[0]
        else:
            # Telegram's parameters.retry_after, the gateway's Retry-After: 1 s, not less.
            assert "[retry after 1 s]" in n.details[0]
            assert not outbox.due(now_ms() + 800) and outbox.due(now_ms() + 1100)
        n = settle(notifier, alerts)
        assert n.status == "sent" and n.outcomes == ("error", "ok")
        gap = server.requests[1].at - server.requests[0].at
        assert gap >= (0.9 if kind != "whatsapp" else 0.0)


@pytest.mark.parametrize("kind", KINDS)
def test_a_timeout_is_retried(kind: str, make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        config = config_for(make_config, settings, **to(kind, GOOD[kind]),
                            alerts={"send_timeout_s": 0.4})
        outbox, notifier, alerts = make(config)
        server.slow_s = 1.2  # longer than the client waits
        server.script = ["slow"]
        raise_do(outbox)
        started = time.monotonic()
        notifier.drain()
        assert time.monotonic() - started < 1.1  # the client gave up at its timeout
        n = the_one(alerts)
        assert n.status == "pending" and "no answer within 0.4 s" in n.last_error
        n = settle(notifier, alerts)
        assert n.status == "sent" and n.outcomes == ("error", "ok")


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_error_is_retried(kind: str, make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings, **to(kind,
                                                                               GOOD[kind])))
        server.script = ["down", "down"]
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.status == "sent" and n.outcomes == ("error", "error", "ok")
        assert {"telegram": "502", "whatsapp": "HTTP 503", "sms": "HTTP 503"}[kind] in (
            n.details[0])
        assert len(server.requests) == 3 and len(server.accepted) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_dead_after_max_attempts(kind: str, make_config: Callable[..., KolamConfig]) -> None:
    with service(kind) as (server, settings):
        config = config_for(make_config, settings, **to(kind, GOOD[kind]),
                            alerts={"max_attempts": 3})
        outbox, notifier, alerts = make(config)
        server.script = ["down"] * 10
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.status == "dead" and n.outcomes == ("error",) * 3 and n.attempts == 3
        assert len(server.requests) == 3 and not outbox.due(now_ms() + 10**9)


# ------------------------------------------------------------------ one service at a time


def test_telegram_text_is_plain_and_complete(make_config: Callable[..., KolamConfig]) -> None:
    with service("telegram") as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings,
                                                   telegram_chat_ids=GOOD["telegram"]))
        raise_do(outbox)
        settle(notifier, alerts)
        (request,) = server.accepted
        assert set(request.body) == {"chat_id", "text"}  # no parse_mode: plain text
        text = request.body["text"]
        assert text.startswith("[KRITIS] Oksigen terlarut rendah — kolam-1 (serang)\n")
        assert "1.40 mg/L (batas 2 mg/L)" in text and "Tindakan: Nyalakan aerator" in text


def test_a_long_telegram_digest_is_cut_to_the_limit(
        make_config: Callable[..., KolamConfig]) -> None:
    with service("telegram") as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings,
                                                   telegram_chat_ids=GOOD["telegram"]), limit=1)
        for i in range(40):
            raise_do(outbox, f"kolam-{i}")
        notifier.drain()
        (text,) = server.texts()  # one digest, which Telegram accepted
        assert text.startswith("[Kolam] 40 pesan peringatan\n")
        assert len(text) == TELEGRAM_MAX_CHARS and text.endswith("…")
        assert {n.status for n in notifications(alerts)} == {"sent"}


def test_telegram_groups_and_several_chats(make_config: Callable[..., KolamConfig]) -> None:
    with service("telegram") as (server, settings):
        assert isinstance(server, FakeTelegram)
        server.chats |= {"-1001234567890"}
        outbox, notifier, _ = make(config_for(
            make_config, settings, telegram_chat_ids=f"{GOOD['telegram']}, -1001234567890"))
        raise_do(outbox)
        notifier.drain()
        assert sorted(r.body["chat_id"] for r in server.accepted) == ["-1001234567890",
                                                                      GOOD["telegram"]]


def test_whatsapp_sends_the_template_with_flat_parameters(
        make_config: Callable[..., KolamConfig]) -> None:
    with service("whatsapp") as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings,
                                                   whatsapp_to="+" + GOOD["whatsapp"]))
        raise_do(outbox)
        assert settle(notifier, alerts).status == "sent"
        (request,) = server.accepted
        assert request.path == "/v23.0/1098765/messages"
        body = request.body
        assert (body["messaging_product"], body["type"], body["to"]) == (
            "whatsapp", "template", "+" + GOOD["whatsapp"])
        assert body["template"]["name"] == TEMPLATE
        assert body["template"]["language"] == {"code": "id"}
        headline, details = body["template"]["components"][0]["parameters"]
        assert headline == {"type": "text",
                            "text": "[KRITIS] Oksigen terlarut rendah — kolam-1 (serang)"}
        assert "\n" not in details["text"] and "Tindakan: Nyalakan aerator" in details["text"]


def test_whatsapp_pair_rate_limit_waits_six_seconds(
        make_config: Callable[..., KolamConfig]) -> None:
    with service("whatsapp") as (server, settings):
        assert isinstance(server, FakeWhatsApp)
        server.rate_limit_code = 131056  # a 400 that means "later"
        server.script = ["rate_limit"]
        outbox, notifier, alerts = make(config_for(make_config, settings,
                                                   whatsapp_to=GOOD["whatsapp"]))
        raise_do(outbox)
        notifier.drain()
        n = the_one(alerts)
        assert n.status == "pending" and "code 131056" in n.last_error
        assert not outbox.due(now_ms() + 5_500) and outbox.due(now_ms() + 6_500)


def test_whatsapp_unknown_template_fails_for_good(
        make_config: Callable[..., KolamConfig]) -> None:
    with service("whatsapp") as (_, settings):
        settings["whatsapp_template"] = "kolam_alrt"
        outbox, notifier, alerts = make(config_for(make_config, settings,
                                                   whatsapp_to=GOOD["whatsapp"]))
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.status == "failed" and "code 132001" in n.last_error


def test_whatsapp_parameters_never_hold_new_lines() -> None:
    channel = WhatsAppChannel("http://x", "v23.0", "1", "t", "tpl", None, 1)
    body = channel.request("62", "a\tb", "line 1\nline 2      end" + "x" * 2000, "en")
    params = [p["text"] for p in body["template"]["components"][0]["parameters"]]
    assert params[0] == "a b" and params[1].startswith("line 1 line 2 end")
    assert len(params[1]) == 700 and body["template"]["language"] == {"code": "en"}
    channel.close()


@pytest.mark.parametrize("fmt", ["form", "json"])
def test_sms_is_short_plain_and_in_the_gateways_fields(
        fmt: str, make_config: Callable[..., KolamConfig]) -> None:
    with service("sms") as (server, settings):
        outbox, notifier, alerts = make(config_for(make_config, settings, sms_to=GOOD["sms"],
                                                   sms_format=fmt))
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.status == "sent" and n.receipt == 'sms HTTP 200 {"id": "sms-1", "status": ' \
                                                    '"queued"}'
        (request,) = server.accepted
        assert request.headers["Content-Type"].startswith(
            "application/json" if fmt == "json" else "application/x-www-form-urlencoded")
        assert request.body["msisdn"] == GOOD["sms"] and request.body["sender"] == "KOLAM"
        text = request.body["message"]
        assert text.startswith("KRITIS kolam-1: Oksigen rendah 1,40 mg/L.")
        assert "Nyalakan aerator" in text and len(text) <= 160 and text.isascii()


def test_gsm_text() -> None:
    assert gsm_text("Suhu 24 °C — turun…\n ok", 160) == "Suhu 24 C - turun... ok"
    assert gsm_text("a" * 200, 160) == "a" * 157 + "..."
    assert len(gsm_text("ikan 🐟 " * 40, 160)) == 70  # outside GSM-7: one UCS-2 segment


# ------------------------------------------------------------------ wiring and settings


def test_the_ingest_pipeline_sends_to_telegram(make_config: Callable[..., KolamConfig]) -> None:
    with service("telegram") as (server, settings):
        config = config_for(make_config, settings, telegram_chat_ids=GOOD["telegram"])
        registry = Registry(config.registry_url)
        pipeline = AlertPipeline(config, registry)
        pipeline.start_notifier()
        try:
            raise_do(pipeline.outbox)
            pipeline.wake.set()
            wait_for(lambda: server.accepted, 10, what="the Telegram message")
        finally:
            pipeline.stop_notifier()
            registry.close()
        assert "Nyalakan aerator" in server.texts()[0]


def test_contacts_reach_phones_at_their_level(make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(
        telegram_bot_token=TELEGRAM_TOKEN, sms_url="http://sms.example/send",
        alerts={"contacts": [
            {"name": "petugas", "telegram": "111", "sms": "+628111", "whatsapp": "62812"},
            {"name": "dinas", "telegram": "222", "level": 1}]})
    router = Router(config)
    now = [(r.channel, r.address) for r in router.recipients("serang", "critical", range(1))]
    assert now == [("telegram", "111"), ("sms", "+628111")]  # WhatsApp is not configured
    later = [(r.channel, r.address) for r in router.recipients("serang", "critical",
                                                               range(1, 2))]
    assert later == [("telegram", "222")]


@pytest.mark.parametrize(("settings", "message"), [
    ({"telegram_chat_ids": "123"}, "telegram_chat_ids: needs telegram_bot_token"),
    ({"whatsapp_to": "6281", "whatsapp_token": "t"},
     "whatsapp_to: needs whatsapp_phone_id and whatsapp_template"),
    ({"sms_to": "6281234"}, "sms_to: needs sms_url"),
    ({"telegram_bot_token": "t", "telegram_chat_ids": "12,bob"}, "'bob' is not a chat id"),
    ({"sms_url": "ftp://x"}, "sms_url: must be an http:// or https:// URL"),
    ({"alerts": {"contacts": [{"name": "x", "sms": "0812-34"}]}}, "is not a chat id or phone"),
])
def test_half_configured_channels_are_refused(settings: dict[str, Any], message: str,
                                              make_config: Callable[..., KolamConfig]) -> None:
    with pytest.raises(ConfigError, match=message):
        make_config(**settings)


def test_the_environment_names(monkeypatch: pytest.MonkeyPatch,
                               make_config: Callable[..., KolamConfig]) -> None:
    env = {"KOLAM_TELEGRAM_BOT_TOKEN": "1:x", "KOLAM_TELEGRAM_CHAT_IDS": "1,2",
           "KOLAM_TELEGRAM_API_URL": "http://tg.local/", "KOLAM_WHATSAPP_TOKEN": "w",
           "KOLAM_WHATSAPP_PHONE_ID": "99", "KOLAM_WHATSAPP_TO": "628123456",
           "KOLAM_WHATSAPP_TEMPLATE": "kolam_alert", "KOLAM_WHATSAPP_API_URL": "http://wa.local",
           "KOLAM_SMS_URL": "http://sms.local/send", "KOLAM_SMS_TO": "628123457",
           "KOLAM_SMS_FIELDS": '{"sender": "KOLAM"}', "KOLAM_SMS_AUTH_VALUE": "Bearer k"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = make_config()
    assert config.telegram_api_url == "http://tg.local"
    assert config.telegram_chat_ids == "1,2" and config.whatsapp_template == "kolam_alert"
    assert config.sms_fields == {"sender": "KOLAM"}
    assert make_config().telegram_bot_token is not None
    channels = [(r.channel, r.address) for r in Router(config).recipients("s", "warning",
                                                                          range(1))]
    assert channels == [("telegram", "1"), ("telegram", "2"), ("whatsapp", "628123456"),
                        ("sms", "628123457")]
    assert all(c is not None for c in phone_channels(config))


def test_warnings_wait_for_the_daily_digest_critical_goes_at_once(
        make_config: Callable[..., KolamConfig], monkeypatch: pytest.MonkeyPatch) -> None:
    with service("telegram") as (server, settings):
        config = config_for(make_config, settings, telegram_chat_ids=GOOD["telegram"],
                            alerts={"warning_digest_hour": 7})
        outbox, notifier, alerts = make(config)
        now = now_ms()
        for pond in ("kolam-1", "kolam-2", "kolam-3"):
            outbox.apply([Transition(Change.RAISED, AlertKey("serang", pond, "temp_high"),
                                     "temp_high", Severity.WARNING, now, now, 32.6, "°C", 32.0,
                                     "temp_c")], now)
        outbox.apply([Transition(Change.RESOLVED, AlertKey("serang", "kolam-3", "temp_high"),
                                 "temp_high", Severity.WARNING, now + 1, now, 31.0, "°C", 32.0,
                                 "temp_c")], now + 1)
        raise_do(outbox, "kolam-4")
        notifier.drain()
        (critical,) = server.texts()
        assert critical.startswith("[KRITIS] Oksigen terlarut rendah — kolam-4")
        held = outbox.due(now + 10**9)
        assert len(held) == 4  # three opened, one resolved
        digest_ms = outbox._digest_at(now)  # the next 07:00 WIB
        assert digest_ms is not None and not outbox.due(digest_ms - 1)
        assert (digest_ms // 1000 + 7 * 3600) % 86400 == 7 * 3600
        assert 0 < digest_ms - now <= 86_400_000
        monkeypatch.setattr("ingest.alerts.notifier.now_ms", lambda: digest_ms + 1)
        notifier.drain()
        texts = server.texts()
        assert len(texts) == 2  # one digest for the three warnings
        lines = texts[1].split("\n")
        assert lines[0] == "[Kolam] Ringkasan harian: 3 peringatan"
        assert [line.split(",")[0] for line in lines[1:]] == [
            "Suhu air tinggi", "Suhu air tinggi", "Pulih: Suhu air tinggi"]
        assert "kolam kolam-3" in lines[3]
        assert {n.status for n in notifications(alerts)} == {"sent"}


def test_a_flood_of_breaches_is_two_messages(make_config: Callable[..., KolamConfig]) -> None:
    """200 breaches of do_low on one pond, each long enough to raise and to resolve: one
    alert that reopens, so people hear "opened" once and "resolved" once (issue #21)."""
    with service("telegram") as (server, settings):
        config = config_for(make_config, settings, telegram_chat_ids=GOOD["telegram"],
                            alerts={"rules": {"do_low": {"min_duration_s": 60}},
                                    "late_after_s": 10**6, "max_age_s": 10**6})
        outbox, notifier, alerts = make(config)
        engine = AlertEngine(config.alerts, config.offline_after_intervals)
        key = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
        step, cycle = 10_000, [2.5] * 8 + [5.0] * 8  # 80 s low, 80 s back to normal
        start = now_ms() - 200 * len(cycle) * step
        rows = [(key, start + i * step, v) for i, v in enumerate(cycle * 200)]
        transitions = 0
        for i in range(0, len(rows), 400):
            out = engine.evaluate(rows[i:i + 400], [], [], now_ms())
            transitions += len(out)
            outbox.apply(out, now_ms())
            notifier.drain()
        assert transitions == 400  # every breach raised and resolved
        (alert,) = alerts.find(None)
        assert alert.reopen_count == 199 and alert.state == "resolved"
        texts = server.texts()
        assert len(texts) == 2, texts
        assert texts[0].startswith("[PERINGATAN] Oksigen terlarut rendah — kolam-1")
        assert texts[1].startswith("[PERINGATAN] Pulih: Oksigen terlarut rendah — kolam-1")
