"""Alerting inside ingest: evaluate each committed batch, commit the alerts before the ack,
and run the notifier thread that drains the outbox.

Start-up order: restore the active alerts, remember each device's newest sample (so
silence is detected across a restart), start the notifier; shut down in reverse.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from ingest.alerts.aerators import AeratorWatch
from ingest.alerts.channels import EmailChannel, MqttChannel, WebhookChannel, webhook_secret
from ingest.alerts.engine import AlertEngine
from ingest.alerts.manual import ManualChecks
from ingest.alerts.notifier import Notifier
from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.phone_channels import phone_channels
from ingest.alerts.routing import Router
from ingest.alerts.zones import SiteZones, timezone_in
from kolam.alerts.model import Transition
from kolam.config import KolamConfig
from kolam.control import AeratorProblem
from kolam.errors import KolamError
from kolam.mqtt import MqttClient
from kolam.protocol import DeviceRef, RelayState, Status
from kolam.registry.repo import DeadLetterIn, Registry
from kolam.store.base import Row, SeriesKey, TimeSeriesReader
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

REPLAY_MAX_POINTS = 20_000
"""Per series: a reading a second for over five hours."""


def site_coordinates(registry: Registry, site: str) -> tuple[float, float] | None:
    """The site record's latitude and longitude, if recorded (None also when the registry
    cannot be read: the forecast falls back to the config's place, it never stops)."""
    try:
        info = registry.site(site)
    except KolamError as exc:
        log.warning("alerts: no coordinates for site %s: %s", site, exc)
        return None
    return (info.lat, info.lon) if info.lat is not None and info.lon is not None else None


def pond_min_level(registry: Registry, site: str, pond: str) -> float | None:
    """The pond record's minimum water level (cm), if recorded (None also when the registry
    cannot be read: ``level_low`` keeps the config's thresholds)."""
    try:
        return next((p.min_level_cm for p in registry.ponds(site) if p.slug == pond), None)
    except KolamError as exc:
        log.warning("alerts: no minimum level for pond %s/%s: %s", site, pond, exc)
        return None


class AlertPipeline:
    def __init__(self, config: KolamConfig, registry: Registry,
                 reader: TimeSeriesReader | None = None) -> None:
        self.config = config
        self.cfg = config.alerts
        # Each site's zone, read from its record once and kept (ingest.alerts.zones):
        # the forecast's dawn time, the messages' times and the digest hour are the site's.
        zones = SiteZones(timezone_in(registry.engine))
        self.engine = AlertEngine(
            config.alerts, config.offline_after_intervals,
            lambda site: site_coordinates(registry, site),
            lambda site, pond: pond_min_level(registry, site, pond),
            AeratorWatch(config.gateway.control, config.gateway.timezone, config.site), zones)
        self.outbox = AlertOutbox(registry.engine, config, Router(config), zones)
        self.manual = ManualChecks(registry.engine, reader)
        self.wake = threading.Event()
        self.errors = 0
        self._pending: list[Transition] = []
        self._pending_for: object = None
        self._tick_pending: list[Transition] = []
        self._next_tick = 0.0
        self._mqtt: MqttClient | None = None
        self.notifier: Notifier | None = None
        if reader is not None and self.cfg.replay_s > 0:
            self._replay(reader, now_ms())
        self.engine.restore(self.outbox.active())
        if reader is not None:
            self._seed(registry, reader)

    def _replay(self, reader: TimeSeriesReader, now: int) -> None:
        """The last ``replay_s`` of every series, pond by pond, through the rules."""
        since = now - int(self.cfg.replay_s * 1000)
        ponds: dict[tuple[str, str], list[SeriesKey]] = {}
        for key in reader.series():
            ponds.setdefault((key.site, key.pond), []).append(key)
        replayed = 0
        for keys in ponds.values():
            rows: list[Row] = [(key, p.t, p.value) for key in keys
                               for p in reader.points(key, since, REPLAY_MAX_POINTS)]
            self.engine.replay(rows, now)
            replayed += len(rows)
        if replayed:
            log.info("alerts: replayed %d stored values of %d ponds", replayed, len(ponds))

    def _seed(self, registry: Registry, reader: TimeSeriesReader) -> None:
        for site in registry.sites():
            intervals = {d.slug: d.interval_s for d in registry.devices(site.slug)}
            for pond in registry.ponds(site.slug):
                for x in reader.latest(site.slug, pond.slug):
                    self.engine.health.seed(site.slug, pond.slug, x.key.device, x.t,
                                            intervals.get(x.key.device))

    # ------------------------------------------------------------ ingest's hooks

    def commit(self, batch: object, rows: Sequence[Row],
               statuses: Sequence[tuple[DeviceRef, Status, int]],
               dead: Sequence[DeadLetterIn],
               states: Sequence[tuple[DeviceRef, RelayState, int]] = (),
               problems: Sequence[tuple[str, AeratorProblem, int]] = ()) -> None:
        """Evaluate ``batch`` (once, however often the commit is retried) and commit its
        transitions; relay ``states`` and the gateways' ``problems`` first (the forecast
        learns its aerators before the batch's readings). Raises ``RegistryError`` when
        the commit fails: ingest retries."""
        now = now_ms()
        if batch is not self._pending_for:
            self._pending_for = batch
            try:
                self._pending = self.engine.outputs(states)
                self._pending += self.engine.problems(problems)
                self._pending += self.engine.evaluate(rows, statuses, dead, now)
            except Exception:
                # A bug in a rule must not stop ingest storing readings.
                self.errors += 1
                log.exception("alert evaluation failed for a batch of %d rows", len(rows))
                self._pending = []
        if self._pending and self.outbox.apply(self._pending, now):
            self.wake.set()
        # Committed: let the batch go before the next one is decoded (its rows are the
        # largest thing ingest holds; keeping them would double its peak memory).
        self._pending, self._pending_for = [], None

    def maybe_tick(self) -> None:
        """Wall-clock rules (silence, manual-measurement drift), every ``tick_s``."""
        if time.monotonic() < self._next_tick:
            return
        self._next_tick = time.monotonic() + self.cfg.tick_s
        now = now_ms()
        try:
            self._tick_pending += self.engine.tick(now)
            for m in self.manual.new_checks(now):
                self._tick_pending += self.engine.manual_check(*m)
            if self._tick_pending and self.outbox.apply(self._tick_pending, now):
                self.wake.set()
            self._tick_pending = []
        except KolamError as exc:
            log.warning("alert tick failed (retrying): %s", exc)
        except Exception:
            self.errors += 1
            log.exception("alert tick failed")

    # ------------------------------------------------------------ the notifier

    def start_notifier(self) -> None:
        cfg = self.cfg
        mqtt_channel = None
        if cfg.mqtt:
            self._mqtt = MqttClient(self.config.mqtt, f"{self.config.ingest.client_id}-alerts")
            self._mqtt.connect(wait=False)
            mqtt_channel = MqttChannel(self._mqtt, cfg.send_timeout_s)
        email = None
        if self.config.smtp_url:
            email = EmailChannel(self.config.smtp_url, cfg.smtp_from, cfg.send_timeout_s)
        telegram, whatsapp, sms = phone_channels(self.config)
        self.notifier = Notifier(
            self.outbox, self.wake, mqtt=mqtt_channel,
            webhook=WebhookChannel(webhook_secret(self.config), cfg.send_timeout_s),
            email=email, rate_limit_per_hour=cfg.rate_limit_per_hour,
            retry_max_s=cfg.retry_max_s, tick_s=cfg.tick_s, telegram=telegram,
            whatsapp=whatsapp, sms=sms, max_attempts=cfg.max_attempts)
        self.notifier.start()

    def stop_notifier(self) -> None:
        if self.notifier is not None:
            self.notifier.stop()
            self.notifier = None
        if self._mqtt is not None:
            self._mqtt.close()
            self._mqtt = None
