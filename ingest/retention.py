"""The retention pass: bring the roll-ups up to date, prune raw values past each
site's window, bound the dead letters and the audit log. Ingest runs one every
``retention.interval_s`` in its own thread (and a roll-up every minute); ``kolam retention
run`` runs one now (docs/storage.md#retention-and-roll-ups).

Each pass deletes in small transactions with a pause between them, so ingest's commits
(which need the same write lock on SQLite) wait at most one small delete.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from ingest.metrics import IngestMetrics
from kolam.config import RetentionConfig
from kolam.errors import KolamError
from kolam.registry.retention import prune_audit, prune_dead_letters
from kolam.store.base import RawPruner
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
FIRST_PASS_AFTER_S = 60.0
"""Ingest's first pass waits this long: a restart is busy draining the broker's backlog."""


@dataclass(frozen=True, slots=True)
class RetentionReport:
    rolled_up_buckets: int
    raw_deleted: int
    raw_transactions: int
    dead_letters_dropped: dict[str, int] = field(default_factory=dict)
    audit_dropped: int = 0
    seconds: float = 0.0


def run_pass(cfg: RetentionConfig, store: object, engine: Engine | None, *,
             now: int | None = None, stop: threading.Event | None = None,
             metrics: IngestMetrics | None = None) -> RetentionReport:
    """One pass over the store (if it can prune) and the registry (if given)."""
    started = time.perf_counter()
    now = now_ms() if now is None else now
    pause_s = cfg.pause_ms / 1000

    def pause() -> None:
        if pause_s:
            (stop.wait if stop is not None else time.sleep)(pause_s)

    rolled = store.roll_up(now, stop, pause_s) if isinstance(store, RawPruner) else 0
    raw = (store.prune_raw(lambda site: now - cfg.raw_days_of(site) * DAY_MS,
                           batch_rows=cfg.batch_rows, pause_s=pause_s, stop=stop)
           if isinstance(store, RawPruner) else None)
    dead: dict[str, int] = {}
    audit = 0
    if engine is not None and not (stop is not None and stop.is_set()):
        dead = prune_dead_letters(engine, older_than_ms=now - cfg.dead_letter_days * DAY_MS,
                                  keep_per_reason=cfg.dead_letters_per_reason, pause=pause)
        audit = prune_audit(engine, older_than_ms=now - cfg.audit_days * DAY_MS,
                            keep_rows=cfg.audit_max_rows, pause=pause)
    report = RetentionReport(rolled, raw.deleted if raw else 0, raw.transactions if raw else 0,
                             dead, audit, time.perf_counter() - started)
    if metrics is not None:
        metrics.retention_passes.inc()
        metrics.raw_pruned.inc(report.raw_deleted)
        for reason, n in dead.items():
            metrics.dead_letters_dropped.labels(reason).inc(n)
        metrics.audit_dropped.inc(audit)
        metrics.retention_seconds.set(report.seconds)
    return report


class RetentionThread:
    """Beside the ingest worker, until ``stop()``: rolls up the newest raw values every
    ``rollup_interval_s`` and runs a whole pass every ``interval_s``."""

    def __init__(self, cfg: RetentionConfig, store: object, engine: Engine | None,
                 metrics: IngestMetrics | None = None,
                 first_after_s: float = FIRST_PASS_AFTER_S) -> None:
        self.cfg = cfg
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self.first_after_s = first_after_s
        self.reports: list[RetentionReport] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop between two transactions; a pass in progress resumes next time."""
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        next_pass = time.monotonic() + self.first_after_s
        while not self._stop.wait(min(self.cfg.rollup_interval_s,
                                      max(0.0, next_pass - time.monotonic()))):
            try:
                if time.monotonic() < next_pass:
                    if isinstance(self.store, RawPruner):
                        self.store.roll_up(now_ms(), self._stop, self.cfg.pause_ms / 1000)
                    continue
                next_pass = time.monotonic() + self.cfg.interval_s
                report = run_pass(self.cfg, self.store, self.engine, stop=self._stop,
                                  metrics=self.metrics)
            except KolamError as exc:  # the store or registry is away: next time
                log.warning("retention failed, trying again later: %s", exc)
                continue
            self.reports = [*self.reports[-9:], report]
            log.info("retention: %d raw values pruned in %d transactions, dead letters "
                     "dropped %s, audit entries dropped %d (%.1f s)", report.raw_deleted,
                     report.raw_transactions, report.dead_letters_dropped or "none",
                     report.audit_dropped, report.seconds)
