"""The notifier: a thread in the ingest process that drains the durable outbox.

Woken by ingest whenever a commit queued notifications (and every half second anyway), it
sends what is due, one worker per recipient so a slow endpoint delays only itself, and
records the outcome of every attempt (with the service's receipt when it gave one).
Transient failures (``ChannelError``: endpoint down or timing out, HTTP 5xx/408/429, SMTP
unreachable) back off exponentially with jitter up to ``retry_max_s``
(``kolam.runtime.retry.RetryOptions``), or wait as long as the service asked (``retry_after_s``),
and are retried up to ``max_attempts`` tries, then the notification is ``dead``: a crash or
an endpoint down for hours delays a notification, never loses it. A permanent failure
(``PermanentChannelError``: channel switched off or not configured, HTTP 4xx, an unknown
chat or number, an expired token, SMTP authentication or address refused) marks the
notification ``failed`` with the reason. Human channels are limited to
``rate_limit_per_hour`` per recipient; what exceeds it waits and then goes out as one digest.
Warnings held for the daily digest (``alerts.warning_digest_hour``, see the outbox) go out
together as one message per recipient. A single message to a person on the duty roster who
may acknowledge carries a one-time acknowledgement link (``alerts.public_url``), made when
it is sent (``AlertOutbox.ack_link``).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ingest.alerts.channels import ChannelError, EmailChannel, MqttChannel, WebhookChannel
from ingest.alerts.outbox import DIGEST_KEY, AlertOutbox, Pending
from ingest.alerts.phone_channels import SmsChannel, TelegramChannel, WhatsAppChannel
from kolam.alerts.messages import ack_line, short_text
from kolam.errors import KolamError, PermanentChannelError
from kolam.registry.ack_links import LINK_PATH
from kolam.runtime.retry import RetryOptions
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)
_HOUR_MS = 3_600_000
LOOP_RETRY = RetryOptions(initial_delay_s=1.0, max_delay_s=30.0)
"""The drain loop's back-off while the registry fails: 1 s, 2 s, ... up to 30 s."""


def _held(p: Pending) -> bool:
    """Held for the daily digest (``alerts.warning_digest_hour``)?"""
    return f'"{DIGEST_KEY}": true' in p.payload and json.loads(p.payload).get(DIGEST_KEY) is True


class Notifier:
    def __init__(self, outbox: AlertOutbox, wake: threading.Event, *, mqtt: MqttChannel | None,
                 webhook: WebhookChannel, email: EmailChannel | None, rate_limit_per_hour: int,
                 retry_max_s: float, tick_s: float, telegram: TelegramChannel | None = None,
                 whatsapp: WhatsAppChannel | None = None, sms: SmsChannel | None = None,
                 max_attempts: int = 200) -> None:
        self.outbox, self.wake = outbox, wake
        self.mqtt, self.webhook, self.email = mqtt, webhook, email
        self.telegram, self.whatsapp, self.sms = telegram, whatsapp, sms
        self.max_attempts = max_attempts
        self.limit, self.retry_max_s, self.tick_s = rate_limit_per_hour, retry_max_s, tick_s
        # Attempts are minutes or hours apart, so the wait is scheduled in the outbox
        # (``next_attempt_at``) rather than slept: the first retry after 2 s.
        self._retry = RetryOptions(initial_delay_s=min(2.0, retry_max_s), max_delay_s=retry_max_s)
        self._sent: dict[str, deque[int]] = defaultdict(deque)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(8, thread_name_prefix="notify")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="notifier", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for channel in (self.webhook, self.telegram, self.whatsapp, self.sms):
            if channel is not None:
                channel.close()

    def _run(self) -> None:
        next_followup = 0.0
        failures = 0  # in a row: the registry down, the back-off grows to LOOP_RETRY's cap
        while not self._stop.is_set():
            self.wake.wait(0.5)
            self.wake.clear()
            try:
                if time.monotonic() >= next_followup:
                    next_followup = time.monotonic() + self.tick_s
                    self.outbox.followups(now_ms())
                if self.drain() >= 200:
                    self.wake.set()
                failures = 0
            except Exception as exc:
                # The thread must outlive any error, or no notification goes out again.
                failures += 1
                wait_s = LOOP_RETRY.delay_s(failures, random.random())
                if isinstance(exc, KolamError):
                    log.warning("notifier: %s (retrying in %.1f s)", exc, wait_s)
                else:
                    log.exception("notifier: unexpected error (retrying in %.1f s)", wait_s)
                self._stop.wait(wait_s)

    def drain(self) -> int:
        """Send everything due now; return how many notifications were due."""
        due = self.outbox.due(now_ms())
        groups: dict[tuple[str, str], list[Pending]] = defaultdict(list)
        for p in due:
            groups[(p.channel, p.recipient)].append(p)
        for future in [self._pool.submit(self._deliver, g) for g in groups.values()]:
            future.result()
        return len(due)

    def _deliver(self, group: list[Pending]) -> None:
        channel = group[0].channel
        if channel == "mqtt":
            for p in group:
                self._attempt([p], partial(self._send_mqtt, p))
            return
        sent, now = self._sent[group[0].recipient], now_ms()
        while sent and sent[0] < now - _HOUR_MS:
            sent.popleft()
        room = self.limit - len(sent)
        if room <= 0:
            self.outbox.deferred([p.id for p in group], now, sent[0] + _HOUR_MS)
            return
        # One message each, but what was held for the daily digest goes as one, and past
        # the hourly limit the rest goes as one digest too.
        held = [p for p in group if _held(p)]
        batches = [[p] for p in group if not _held(p)]
        if held:
            batches.insert(0, held)
        if len(batches) > room:
            batches = [*batches[:room - 1], [p for b in batches[room - 1:] for p in b]]
        for batch in batches:
            if not self._attempt(batch, partial(self._send_human, channel, batch[0].recipient,
                                                batch)):
                return
            sent.append(now_ms())

    def _attempt(self, ps: list[Pending], send: Callable[[], str | None]) -> bool:
        ids = [p.id for p in ps]
        try:
            receipt = send()
        except PermanentChannelError as exc:
            log.error("notification %s failed for good, not retried: %s", ids, exc)
            self.outbox.given_up(ids, now_ms(), str(exc))
            return False
        except ChannelError as exc:
            attempts = max(p.attempts for p in ps) + 1
            if attempts >= self.max_attempts:
                log.error("notification %s dead after %d attempts: %s", ids, attempts, exc)
                self.outbox.given_up(ids, now_ms(), str(exc), status="dead")
                return False
            backoff = self._retry.delay_s(attempts, random.random())
            if exc.retry_after_s is not None:
                backoff = exc.retry_after_s  # the service said how long: no sooner, no later
            log.warning("notification %s failed (attempt %d, retry in %.0f s): %s", ids,
                        attempts, backoff, exc)
            detail = str(exc) if exc.retry_after_s is None else (
                f"{exc} [retry after {exc.retry_after_s:g} s]")
            self.outbox.failed(ids, now_ms(), detail, now_ms() + int(backoff * 1000))
            return False
        self.outbox.delivered(ids, now_ms(), receipt or "")
        return True

    def _send_mqtt(self, p: Pending) -> None:
        if self.mqtt is None:
            raise PermanentChannelError("MQTT alerts are switched off")
        self.mqtt.send(p.recipient, p.payload.encode())

    def _ack_link(self, p: Pending) -> str | None:
        base = self.outbox.cfg.public_url
        if base is None:
            return None
        token = self.outbox.ack_link(p, now_ms())
        return None if token is None else f"{base}{LINK_PATH}{token}"

    def _send_human(self, channel: str, recipient: str, ps: list[Pending]) -> str | None:
        payloads = [json.loads(p.payload) for p in ps]
        lang = ps[0].language
        delivery = str(ps[0].id) if len(ps) == 1 else f"digest-{ps[0].id}-{ps[-1].id}"
        if len(ps) == 1:
            body = payloads[0]
        elif all(x.get(DIGEST_KEY) for x in payloads):
            # The daily digest: the newest event of each alert (opened then resolved reads
            # "resolved"; hourly reminders collapse into one line).
            latest = list({x.get("id"): x for x in payloads}.values())
            words = "Daily digest: {} warnings" if lang == "en" else \
                "Ringkasan harian: {} peringatan"
            body = {"v": 1, "event": "daily_digest", "count": len(latest), "items": latest,
                    "subject": f"[Kolam] {words.format(len(latest))}",
                    "message": "\n".join(str(x.get("message", "")).split("\n")[0]
                                         for x in latest)}
        else:
            words = "alert messages" if lang == "en" else "pesan peringatan"
            body = {"v": 1, "event": "digest", "count": len(ps), "items": payloads,
                    "subject": f"[Kolam] {len(ps)} {words}",
                    "message": "\n\n".join(str(x.get("message", "")) for x in payloads)}
        subject, message = str(body["subject"]), str(body["message"])
        link = self._ack_link(ps[0]) if len(ps) == 1 and channel != "webhook" else None
        if link:
            message = f"{message}\n{ack_line(link, lang)}"
        if channel == "webhook":
            self.webhook.send(recipient, json.dumps(body).encode(), delivery)
        elif channel == "email":
            if self.email is None:
                raise PermanentChannelError("no smtp_url configured")
            self.email.send(recipient, subject, message, delivery)
        elif channel == "telegram":
            if self.telegram is None:
                raise PermanentChannelError("no telegram_bot_token configured")
            token = link.rpartition("/")[2] if link else None
            return self.telegram.send(recipient, f"{subject}\n{message}", token, lang)
        elif channel == "whatsapp":
            if self.whatsapp is None:
                raise PermanentChannelError("WhatsApp is not configured (whatsapp_*)")
            return self.whatsapp.send(recipient, subject, message, lang)
        elif channel == "sms":
            if self.sms is None:
                raise PermanentChannelError("no sms_url configured")
            items = body.get("items", payloads)
            text = (short_text(body, lang, link) if len(ps) == 1 else
                    " | ".join([subject, *(short_text(x, lang) for x in items)]))
            return self.sms.send(recipient, text)
        else:
            raise PermanentChannelError(f"unknown channel {channel!r}")
        return None
