"""The gateway's site as its kiosk page sees it (``kolam.kiosk.SiteSource``).

Built from what the gateway itself receives, so it works with the uplink down: the newest
reading per device and metric and each device's status (kept from every committed batch),
the critical alarms the gateway raises, the aerator loops' state (or, for outputs no loop
drives, the relays' confirmed state), and the logs entered at this kiosk (the outbox's
``kiosk_logs``, which also carries them to the centre). Readings are kept in memory: after
a restart a pond shows "no data" until its next reading (a minute at the default interval).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gateway.alarms import AlarmTracker
from gateway.controller import Controller
from gateway.outbox import Outbox
from gateway.receiver import Batch
from kolam.config import GatewayConfig
from kolam.errors import ProtocolError
from kolam.kiosk import KioskLog, LocalAlarm, LocalDevice, LocalOutput, LocalPond
from kolam.protocol import DeviceRef, OutputState, decode_status
from kolam.store.base import Latest, SeriesKey
from kolam.timeutil import now_ms

RECENT_LOGS_MS = 36 * 3_600_000
"""Kiosk logs shown for today's tasks: today in any zone, plus a margin."""


def alarm_rule(metric: str, value: float) -> str:
    """The central rule whose advice fits a gateway alarm (critical bands, DOMAIN.md)."""
    if metric == "do_mgl":
        return "do_low"
    if metric == "temp_c":
        return "temp_low" if value < 27.0 else "temp_high"
    if metric == "ph":
        return "ph_low" if value < 7.0 else "ph_high"
    return metric


class LocalSite:
    """The site's state for the kiosk; fed by the receiver's committed batches."""

    def __init__(self, site: str, cfg: GatewayConfig, outbox: Outbox, alarms: AlarmTracker,
                 controller: Controller, on_log: Callable[[], None],
                 clock: Callable[[], int] = now_ms) -> None:
        self.site = site
        self.timezone = cfg.timezone
        self.cfg = cfg.kiosk
        self._outbox = outbox
        self._alarms = alarms
        self._controller = controller
        self._on_log = on_log
        self._clock = clock
        self._lock = threading.Lock()
        self._outbox_lock = threading.Lock()
        """One outbox connection, used by the page's request threads one at a time."""
        self._latest: dict[SeriesKey, Latest] = {}
        self._devices: dict[DeviceRef, LocalDevice] = {}
        self._relays: dict[DeviceRef, dict[str, OutputState]] = {}

    # ------------------------------------------------------------ fed by the receiver

    def observe(self, batch: Batch) -> None:
        with self._lock:
            for ref, sample in batch.samples:
                for metric, value in sample.values.items():
                    key = SeriesKey(ref.site, ref.pond, ref.device, metric)
                    old = self._latest.get(key)
                    if old is None or old.t <= sample.t:
                        self._latest[key] = Latest(key, sample.t, value)
            now = self._clock()
            for ref, payload in batch.statuses:
                try:
                    status = decode_status(payload)
                except ProtocolError:
                    continue
                self._devices[ref] = LocalDevice(ref.device, status.online, now,
                                                 status.interval_s)
            for ref, state in batch.relay_states:
                self._relays[ref] = dict(state.outputs)

    # ------------------------------------------------------------ the SiteSource

    def site_name(self) -> str:
        return self.cfg.site_name or self.site

    def ponds(self) -> list[LocalPond]:
        with self._lock:
            latest = list(self._latest.values())
            devices = dict(self._devices)
            relays = {ref: dict(outs) for ref, outs in self._relays.items()}
        slugs = ({x.key.pond for x in latest} | {r.pond for r in devices} | {r.pond for r in relays}
                 | {loop.pond for loop in self._controller.cfg.control} | set(self.cfg.ponds))
        since = self._clock() - RECENT_LOGS_MS
        with self._outbox_lock:
            logs = self._outbox.kiosk_logs(since)
        alarms = self._alarms.active()
        out = []
        for pond in sorted(slugs):
            out.append(LocalPond(
                self.site, pond, self.cfg.ponds.get(pond, pond),
                tuple(x for x in latest if x.key.pond == pond),
                tuple(d for r, d in devices.items() if r.pond == pond),
                tuple(LocalAlarm(alarm_rule(a.metric, a.value), a.metric, a.ref.device, a.since)
                      for a in alarms if a.ref.pond == pond),
                self._outputs(pond, relays),
                tuple(x for x in logs if x.pond == pond)))
        return out

    def _outputs(self, pond: str,
                 relays: dict[DeviceRef, dict[str, OutputState]]) -> tuple[LocalOutput, ...]:
        out: dict[str, LocalOutput] = {}
        for ref, outputs in relays.items():
            if ref.pond == pond:
                for name, s in outputs.items():
                    out[f"{ref.device}/{name}"] = LocalOutput(
                        ref.device, name, s.on, s.since, s.amps, s.by, s.reason)
        if self._controller.enabled and pond in {c.pond for c in self._controller.cfg.control}:
            for loop in self._controller.snapshot(pond)["loops"]:
                device, _, name = str(loop["output"]).partition("/")
                seen = out.get(loop["output"])
                out[loop["output"]] = LocalOutput(
                    device, name, loop["on"], loop["since"], loop["amps"],
                    seen.by if seen else None, loop["reason"], loop["mode"],
                    tuple(loop["problems"]))
        return tuple(out[k] for k in sorted(out))

    def add_log(self, log: KioskLog) -> None:
        with self._outbox_lock:
            self._outbox.add_kiosk_log(log)
        self._on_log()
