"""The simulated ponds run through the alert engine in-process, as ingest would see them.

``run_scenario`` steps ``firmware_sim.pond.PondSim`` and sends each node's readings the
way the node and ingest do: rounded as the node sends them (NaN = nothing read), encoded
as a protocol-v1 telemetry message of ``batch_samples`` readings, decoded and validated by
``kolam.protocol.decode_telemetry`` (sentinels and out-of-range values become dead
letters), NH3 and DO saturation derived by ``kolam.science.derive`` — and hands each batch to
``AlertEngine.evaluate``, with the nodes' retained status first and ``tick`` after every
batch. ``tamper`` rewrites one node's reading before it is sent (a faulty probe).

``backfill=True`` reproduces ``kolam sim --backfill``: the history arrives as fast as the
broker takes it, so the wall clock (``now``) is the end of the run for every batch.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from firmware_sim.pond import METRICS, PondSim
from firmware_sim.pond.scenarios import Scenario
from firmware_sim.runner import device_refs
from ingest.alerts.engine import AlertEngine
from kolam.alerts.model import Change, Transition
from kolam.config import AlertsConfig
from kolam.protocol import Sample, Status, Telemetry, decode_telemetry, encode_telemetry
from kolam.protocol import telemetry_topic as topic_of
from kolam.registry.repo import DeadLetterIn
from kolam.science.derive import derived_values
from kolam.store.base import Row, SeriesKey

Tamper = Callable[[int, int, dict[str, float]], dict[str, float]]
"""(pond index, t ms, reading) → what the node sends instead."""

SITE = "serang"
START = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # 00:00 WIB


@dataclass
class RunResult:
    transitions: list[Transition] = field(default_factory=list)
    days: float = 0.0
    n_ponds: int = 0

    @property
    def raised(self) -> list[Transition]:
        """Alerts raised (and upgraded: a warning that turns critical pages again)."""
        return [t for t in self.transitions if t.change in (Change.RAISED, Change.UPGRADED)]

    def counts(self) -> Counter[tuple[str, str]]:
        """(rule, severity) → how many times it was raised or upgraded."""
        return Counter((t.rule, t.severity.value) for t in self.raised)


def run_scenario(scenario: str | Scenario = "normal", days: float = 30.0, n_ponds: int = 4,
                 interval_s: float = 300.0, seed: int = 1, start: datetime = START,
                 backfill: bool = True, batch_samples: int = 60,
                 config: AlertsConfig | None = None,
                 engine: AlertEngine | None = None, tamper: Tamper | None = None,
                 on_batch: Callable[[AlertEngine, int], None] | None = None) -> RunResult:
    """Run ``scenario`` for ``days`` through a fresh engine and collect its transitions."""
    sim = PondSim(n_ponds, start, interval_s, scenario, seed)
    engine = engine or AlertEngine(config or AlertsConfig())
    refs = device_refs(SITE, n_ponds)
    keys = [{m: SeriesKey(SITE, r.pond, r.device, m) for m in (*METRICS, "nh3_mgl",
                                                              "do_sat_pct")} for r in refs]
    n_steps = int(days * 86400 / interval_s)
    end_ms = sim.t_ms + int(n_steps * interval_s * 1000)
    result = RunResult(days=days, n_ponds=n_ponds)
    out = result.transitions
    status = Status(online=True, fw="sim-1.0", boot=1, interval_s=interval_s)
    first_now = end_ms if backfill else sim.t_ms
    out += engine.evaluate([], [(r, status, first_now) for r in refs], [], first_now)
    done = 0
    seq = [0] * n_ponds
    while done < n_steps:
        frames = sim.run(min(batch_samples, n_steps - done))
        done += len(frames.t_ms)
        obs = np.stack([frames.observed[m] for m in METRICS])  # metrics × steps × ponds
        now = end_ms if backfill else int(frames.t_ms[-1])
        rows: list[Row] = []
        dead: list[DeadLetterIn] = []
        for p in range(n_ponds):
            samples = []
            for i, t in enumerate(frames.t_ms.tolist()):
                values = {m: round(float(x), 3) for m, x in zip(METRICS, obs[:, i, p],
                                                                 strict=True)
                          if not math.isnan(x)}
                if tamper is not None:
                    values = tamper(p, t, values)
                if values:
                    samples.append(Sample(t, values))
            if not samples:
                continue
            seq[p] += 1
            decoded = decode_telemetry(encode_telemetry(Telemetry(seq[p], 1, tuple(samples))),
                                       now + 60_000)
            topic = topic_of(refs[p])
            dead += [DeadLetterIn(topic, r.reason, r.detail, r.fragment, now)
                     for r in decoded.rejected]
            for t, values in decoded.samples:
                if "temp_c" in values:
                    values = {**values, **derived_values(values)}
                rows += [(keys[p][m], t, v) for m, v in values.items()]
        out += engine.evaluate(rows, [], dead, now)
        out += engine.tick(now)
        if on_batch is not None:
            on_batch(engine, now)
    return result
