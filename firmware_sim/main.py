"""``kolam sim``: simulated sensor nodes, one per pond."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from typing import TextIO

from firmware_sim.node import JsonLinesLink, MqttLink, SimNode
from firmware_sim.relay import RelayNode
from firmware_sim.runner import PondModel, SimClock, SimRunner, device_refs, relay_refs
from firmware_sim.simple import SimpleModel
from kolam.config import KolamConfig
from kolam.runtime.shutdown import stop_on_signals
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SimOptions:
    speed: float = 1.0
    backfill_s: float = 0.0
    start_ms: int | None = None
    duration_s: float | None = None
    dry_run: bool = False
    relays: bool = False
    """Give every pond a relay node ``relay-N`` whose output ``aerator-1`` runs its aerator
    (on at start, as the scenarios' blowers run day and night)."""


def make_model(config: KolamConfig, start_ms: int) -> PondModel:
    """The physical pond model for ``sim.scenario``, or the light diurnal one for
    ``simple`` (cheap, for tests and very large simulated fleets)."""
    sim = config.sim
    if sim.scenario == "simple":
        return SimpleModel(sim.ponds, sim.seed)
    from firmware_sim.physical import PhysicalModel

    return PhysicalModel(sim.ponds, start_ms, sim.interval_s, sim.scenario, sim.seed)


def run(config: KolamConfig, options: SimOptions, out: TextIO = sys.stdout,
        stop: threading.Event | None = None) -> None:
    """Run until ``stop`` (or SIGINT/SIGTERM), or until ``duration_s`` of simulated time."""
    sim = config.sim
    stop = stop or threading.Event()
    now = now_ms()
    if options.start_ms is not None:
        start = options.start_ms
    else:
        start = now - int(options.backfill_s * 1000)
    clock = SimClock(start, options.speed, backfill=options.backfill_s > 0 and
                     options.start_ms is None, virtual=options.dry_run)
    end = start + int(options.duration_s * 1000) if options.duration_s else None
    if options.dry_run and end is None:
        end = start + (3600 * 1000)
    nodes = [SimNode(ref, sim.interval_s) for ref in device_refs(sim.site, sim.ponds)]
    relays = [RelayNode(ref, ["aerator-1"], start, on=True)
              for ref in relay_refs(sim.site, sim.ponds)] if options.relays else []
    links: list[MqttLink] = []
    if options.dry_run:
        lock = threading.Lock()
        for node in nodes:
            node.attach(JsonLinesLink(out, lock))
            node.announce()
        for relay in relays:
            relay.attach(JsonLinesLink(out, lock))
            relay.on_connect(False)
    else:
        for node in nodes:
            link = MqttLink(config.mqtt, node.ref, node.handle_command)
            link.on_connect(node.on_connect)
            node.attach(link)
            link.connect(wait=False)
            links.append(link)
        for relay in relays:
            link = MqttLink(config.mqtt, relay.ref, relay.handle_command, persistent=True)
            link.on_connect(relay.on_connect)
            relay.attach(link)
            link.connect(wait=False)
            links.append(link)
    if not options.dry_run:
        stop_on_signals(stop.set)
    log.info("simulating %d ponds at %s every %g s", sim.ponds, sim.site, sim.interval_s)
    try:
        SimRunner(nodes, make_model(config, start), clock, end,
                  history_until_ms=now if clock.backfill else None,
                  history_step_s=sim.history_step_s,
                  relays=list(enumerate(relays))).run(stop)
    finally:
        for link in links:
            link.close()
        out.flush()
