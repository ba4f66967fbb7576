"""``kolam gateway``: the pond-side store-and-forward gateway, until SIGTERM/SIGINT.

Start-up, in order: outbox, alarm state, control loops (seeded with the relay
states last seen and the problems still raised), uplink client with its
subscription to the centre's commands (connects in the background: the site
must keep working while the link is down), forwarder thread, control thread,
local client and receiver thread, ready file. Shut-down is the reverse:
stop taking local messages (the batch in hand is committed and acked), give
messages in flight a moment to be acknowledged, say ``online: false`` on both
brokers, disconnect, close the outbox.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from gateway.alarms import AlarmChange, AlarmTracker, Change, describe
from gateway.control import Loop, Problem
from gateway.controller import Controller
from gateway.downlink import Downlink, downlink_filter
from gateway.forwarder import Forwarder
from gateway.kiosk_site import LocalSite
from gateway.messages import (
    AeratorAlarm,
    alarm_topic,
    describe_aerator,
    encode_aerator_change,
    encode_alarm,
    encode_health,
)
from gateway.outbox import Outbox
from gateway.receiver import Receiver
from gateway.sms import Modem, SmsAlarms
from kolam.config import KolamConfig
from kolam.control import AeratorProblem, problem_topic
from kolam.errors import ConfigError, KolamError, ProtocolError
from kolam.kiosk import SiteSource, log_topic
from kolam.mqtt import MqttClient, Will
from kolam.protocol import (
    GatewayStatus,
    PondRef,
    decode_state,
    encode_gateway_status,
    gateway_status_topic,
    site_filter,
)
from kolam.runtime.shutdown import stop_on_signals
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

SHUTDOWN_ACK_WAIT_S = 3.0


class Gateway:
    """One gateway: a local (sensor-side) and an uplink (central) connection."""

    def __init__(self, config: KolamConfig, clock: Callable[[], int] = now_ms) -> None:
        """``clock``: the control loops' time (epoch ms); a simulation running a night in
        minutes passes its own."""
        if config.site is None or config.gateway_id is None:
            raise ConfigError("the gateway needs its identity: set KOLAM_SITE and "
                              "KOLAM_GATEWAY_ID (or site/gateway_id in the config file)")
        self.config = config
        self.cfg = config.gateway
        self.site = config.site
        self.gateway_id = config.gateway_id
        self.client_id = f"kolam-gateway-{self.site}-{self.gateway_id}"
        self.status_topic = gateway_status_topic(self.site, self.gateway_id)
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        path = config.data_dir / self.cfg.outbox_file
        self._outboxes = [self._open(path), self._open(path), self._open(path)]
        self.receiver_outbox, self.forwarder_outbox, downlink_outbox = self._outboxes
        self.boot = self.forwarder_outbox.next_boot()
        self.alarms = AlarmTracker(int(self.cfg.alarm_min_duration_s * 1000),
                                   int(self.cfg.alarm_max_age_s * 1000))
        self.alarms.restore(self.receiver_outbox.active_alarms())
        offline = encode_gateway_status(GatewayStatus(online=False))
        # Persistent: the central broker queues the centre's commands while the link is down.
        self.uplink = MqttClient(config.mqtt, f"{self.client_id}-up", clean_session=False,
                                 will=Will(self.status_topic, offline))
        self.local = MqttClient(config.local_mqtt, self.client_id, clean_session=False,
                                manual_ack=True, will=Will(self.status_topic, offline))
        self.forwarder = Forwarder(self.cfg, self.forwarder_outbox, self.uplink, boot=self.boot,
                                   health_topic=self.status_topic,
                                   publish_local=self._publish_local_health,
                                   alarms_active=self._alarms_active)
        self.receiver = Receiver(self.cfg, self.site, self.receiver_outbox, self.local.ack,
                                 self.alarms, self._publish_alarm, self.forwarder.wake.set)
        self.receiver.own_status_topic = self.status_topic
        self.controller = Controller(self.cfg, self.site, self._publish_control, clock=clock)
        self._aerator_alarms: dict[PondRef, dict[tuple[str, str, str], AeratorAlarm]] = {}
        self._alarm_lock = threading.Lock()
        self.controller.on_problem = self._aerator_problem
        self._outboxes.append(self._open(path))
        self.problem_outbox = self._outboxes[-1]
        """The control thread's: each problem raised or cleared, kept for the centre."""
        self._restore_problems()
        self.sms = (SmsAlarms(Modem(self.cfg.sms_port, self.cfg.sms_baud), self.cfg.sms_numbers)
                    if self.cfg.sms_port and self.cfg.sms_numbers else None)
        self._seed_control()
        self.receiver.controller = self.controller
        self.downlink = Downlink(self.site, self._relay_command, self.controller, clock,
                                 downlink_outbox, on_ack=self.forwarder.wake.set)
        self.receiver.on_presence = self.downlink.presence
        self._outboxes.append(self._open(path))
        self.kiosk_site = LocalSite(self.site, self.cfg, self._outboxes[-1], self.alarms,
                                    self.controller, self.forwarder.wake.set, clock)
        """The kiosk page's view of the site (``gateway.kiosk.listen``)."""
        self.forwarder.log_topic = log_topic(self.site, self.gateway_id)
        self.forwarder.problem_topic = problem_topic(self.site, self.gateway_id)
        self.receiver.on_batch = self.kiosk_site.observe

    def _restore_problems(self) -> None:
        """The problems raised before a restart and not cleared: the loops hold them again
        (cleared by their own rules, the centre told) and the siren's alarm lists them."""
        active = [p for p in self.problem_outbox.active_problems()
                  if any((c.pond, c.device, c.output_name) == (p.pond, p.device, p.output)
                         for c in self.cfg.control)]
        self.controller.restore_problems([(p.pond, p.device, p.output, p.problem)
                                          for p in active])
        for p in active:
            self._aerator_alarms.setdefault(PondRef(self.site, p.pond), {})[
                (p.device, p.output, p.problem)] = AeratorAlarm(p.device, p.output, p.problem,
                                                                p.t)

    def _seed_control(self) -> None:
        """The relay states last seen, until the local broker's retained ones arrive."""
        if not self.controller.enabled:
            return
        seen = []
        for ref, payload in self.receiver_outbox.relay_states():
            try:
                seen.append((ref, decode_state(payload)))
            except ProtocolError:
                continue
        self.controller.observe([], [], seen, [])

    def _open(self, path: Path) -> Outbox:
        return Outbox(path, max_bytes=int(self.cfg.max_outbox_mb * 1024 * 1024),
                      thin_resolutions_s=self.cfg.thin_resolutions_s,
                      max_dead_letters=self.cfg.max_dead_letters)

    # ------------------------------------------------------------ publishing locally

    def _publish_local_health(self, payload: bytes) -> None:
        if self.local.connected:
            try:
                self.local.publish(self.status_topic, payload, qos=1, retain=True)
            except KolamError as exc:
                log.warning("could not publish the gateway status locally: %s", exc)

    def _relay_command(self, topic: str, payload: bytes) -> None:
        self.local.publish(topic, payload, qos=1)

    def _publish_control(self, topic: str, payload: bytes, retain: bool) -> None:
        self.local.publish(topic, payload, qos=1, retain=retain)

    def _alarms_active(self) -> int:
        with self._alarm_lock:
            aerators = sum(len(a) for a in self._aerator_alarms.values())
        return len(self.alarms.active()) + aerators

    def _aerators(self, pond: PondRef) -> list[AeratorAlarm]:
        with self._alarm_lock:
            return list(self._aerator_alarms.get(pond, {}).values())

    def _publish_alarm(self, change: AlarmChange) -> None:
        alarm = change.alarm
        if self.sms is not None and change.change is Change.RAISED and alarm.metric == "do_mgl":
            self.sms.notify(f"water:{alarm.ref.pond}:{alarm.ref.device}:{alarm.metric}",
                            f"KOLAM {self.site}: {describe(alarm)}")
        pond = change.alarm.ref.pond_ref
        active = [a for a in self.alarms.active() if a.ref.pond_ref == pond]
        self._publish_pond_alarm(pond, encode_alarm(pond, active, change, self._aerators(pond)))

    def _aerator_problem(self, pond_slug: str, loop: Loop, problem: Problem,
                         raised: bool) -> None:
        """An 'aerator not working' change: on the pond's local alarm topic (the siren),
        and kept in the outbox for the centre (``kolam.control.problems``)."""
        pond = PondRef(self.site, pond_slug)
        now = self.controller.clock()
        self._keep_problem(pond_slug, loop, problem, raised, now)
        alarm = AeratorAlarm(loop.cfg.device, loop.output, problem.value, now)
        key = (alarm.device, alarm.output, alarm.problem)
        with self._alarm_lock:
            current = self._aerator_alarms.setdefault(pond, {})
            if raised:
                current[key] = alarm
            else:
                alarm = current.pop(key, alarm)
        if self.sms is not None and raised:
            self.sms.notify(f"aerator:{pond_slug}:{loop.cfg.output}:{problem.value}",
                            f"KOLAM {self.site}: {describe_aerator(pond_slug, alarm)}")
        active = [a for a in self.alarms.active() if a.ref.pond_ref == pond]
        self._publish_pond_alarm(pond, encode_aerator_change(
            pond, active, self._aerators(pond), alarm, raised, now))

    def _keep_problem(self, pond: str, loop: Loop, problem: Problem, raised: bool,
                      now: int) -> None:
        on = loop.switched_on
        pending = loop.pending
        event = AeratorProblem(
            uuid.uuid4().hex, pond, loop.cfg.device, loop.output, problem.value, raised, now,
            loop.do_mgl, on[0] if on else None, on[1] if on else None,
            pending.on if pending is not None else None)
        try:
            self.problem_outbox.add_problem(event)
        except KolamError as exc:
            log.error("could not keep the problem for the centre: %s", exc)

    def _publish_pond_alarm(self, pond: PondRef, payload: bytes) -> None:
        try:
            self.local.publish(alarm_topic(pond), payload, qos=1, retain=True)
        except KolamError as exc:
            log.error("could not publish the local alarm: %s", exc)
        self.forwarder.wake.set()

    # ------------------------------------------------------------ lifecycle

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def start(self, timeout_s: float = 30.0) -> None:
        log.info("gateway %s of site %s (boot %d): local %s, uplink %s", self.gateway_id,
                 self.site, self.boot, self.config.local_mqtt.redacted(),
                 self.config.mqtt.redacted())
        self.uplink.subscribe([downlink_filter(self.site)], self.downlink.on_message, qos=1)
        self.uplink.connect(wait=False)
        self._thread("forwarder", self.forwarder.run)
        if self.sms is not None:
            self._thread("sms", self.sms.run)
        if self.controller.enabled:
            self._thread("control", self.controller.run)
            log.info("%d control loop(s): %s", len(self.controller.loops), ", ".join(
                f"{loop.cfg.pond} {loop.cfg.output}" for loop in self.controller.loops))
        self.local.on_connect(self.receiver.on_connect)
        self.local.on_connect(self._on_local_connect)
        self.local.subscribe([site_filter(self.site)], self.receiver.enqueue, qos=1)
        self._thread("receiver", self.receiver.run)
        self.local.connect(wait=False)
        if not self.receiver.subscribed.wait(timeout_s):
            log.warning("local broker %s not reachable yet; retrying in the background",
                        self.config.local_mqtt.redacted())
        elif self.config.ready_file is not None:
            self.config.ready_file.touch()

    def _on_local_connect(self, session_present: bool) -> None:
        # Our SUBSCRIBE went out before this; the broker handles one client's packets in
        # order, so when this status comes back to us the subscription is in force.
        uplink = "up" if self.uplink.connected else "down"
        self._publish_local_health(self.forwarder.last_health or encode_gateway_status(
            GatewayStatus(online=True, uplink=uplink)))
        self.forwarder.wake.set()

    def stop(self) -> None:
        self._stop.set()

    def wait(self) -> None:
        self._stop.wait()

    def close(self) -> None:
        self.receiver.stop()
        self.controller.stop()
        if self.sms is not None:
            self.sms.stop()
        self.forwarder.stop()
        for thread in reversed(self._threads):
            thread.join(10)
        self.forwarder.drain_acks(SHUTDOWN_ACK_WAIT_S)
        payload = encode_health(self.forwarder.health(online=False))
        for client in (self.local, self.uplink):
            if client.connected:
                try:
                    client.publish(self.status_topic, payload, qos=1, retain=True, wait_s=2.0)
                except KolamError as exc:
                    log.warning("could not say offline on %s: %s", client.url.redacted(), exc)
            client.close()
        for outbox in self._outboxes:
            outbox.close()
        log.info("gateway stopped")


ServeKiosk = Callable[[SiteSource], Callable[[], None]]
"""Starts the kiosk page's server on a site's data and returns how to stop it: given by the
command line (``kolam gateway``), which owns the page code; the gateway does not import it."""


def run(config: KolamConfig, serve_kiosk: ServeKiosk | None = None) -> None:
    gateway = Gateway(config)

    stop_on_signals(gateway.stop)
    gateway.start()
    stop_kiosk = serve_kiosk(gateway.kiosk_site) if serve_kiosk is not None else None
    try:
        gateway.wait()
    finally:
        if stop_kiosk is not None:
            stop_kiosk()
        gateway.close()
