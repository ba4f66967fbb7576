"""``kolam retention run`` and ``KOLAM_RETENTION__RAW_DAYS``: the contract names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kolam.cli import app
from kolam.config import load_config
from kolam.registry.repo import DeadLetterIn, Registry
from kolam.store import SeriesKey, SqliteStore
from kolam.store.rollup import HOUR_MS
from kolam.timeutil import now_ms

DAY = 86_400_000
SERANG = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
JAYAPURA = SeriesKey("jayapura", "kolam-1", "node-1", "do_mgl")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    return tmp_path / "data"


def test_the_env_var_sets_the_raw_window(monkeypatch: pytest.MonkeyPatch,
                                         data_dir: Path) -> None:
    assert load_config(None, data_dir=data_dir).retention.raw_days == 90
    monkeypatch.setenv("KOLAM_RETENTION__RAW_DAYS", "30")
    assert load_config(None, data_dir=data_dir).retention.raw_days == 30
    monkeypatch.setenv("KOLAM_RETENTION__RAW_DAYS", "0")
    with pytest.raises(Exception, match="raw_days"):
        load_config(None, data_dir=data_dir)


def test_retention_run_prunes_now_with_per_site_windows(data_dir: Path, tmp_path: Path) -> None:
    now = now_ms()
    start = now - 20 * DAY
    cfg = load_config(None, data_dir=data_dir)
    store = SqliteStore(cfg.samples_path)
    rows = [(k, t, 5.0 + (t // HOUR_MS) % 7) for k in (SERANG, JAYAPURA)
            for t in range(start, now, 600_000)]
    store.write(rows)
    hourly = store.downsample("serang", "kolam-1", "do_mgl", start, now, HOUR_MS)
    store.close()
    registry = Registry(cfg.registry_url)
    registry.add_dead_letters([DeadLetterIn("t", "bad_json", "", "{}", now - 200 * DAY)])
    registry.close()
    config = tmp_path / "kolam.yaml"
    config.write_text("retention:\n  sites:\n    jayapura:\n      raw_days: 14\n")

    result = CliRunner().invoke(
        app, ["retention", "run", "--config", str(config), "--json"],
        env={"KOLAM_DATA_DIR": str(data_dir), "KOLAM_RETENTION__RAW_DAYS": "7"})
    assert result.exit_code == 0, (result.output, result.exception)
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["dead_letters_dropped"] == {"bad_json": 1}

    store = SqliteStore(cfg.samples_path)
    try:
        for key, days in ((SERANG, 7), (JAYAPURA, 14)):
            kept = store.raw(key.site, key.pond, key.metric, 0, now + 1)
            # Pruned to the whole hour at or before the cutoff.
            assert min(p.t for p in kept) >= (now - days * DAY) // HOUR_MS * HOUR_MS
            assert min(p.t for p in kept) <= now - days * DAY + 600_000
        assert report["raw_deleted"] == len(rows) - sum(
            len(store.raw(k.site, k.pond, k.metric, 0, now + 1)) for k in (SERANG, JAYAPURA))
        # The 20-day hourly chart is unchanged: its roll-ups outlive the raw values (the
        # ragged first hour, whose raw values are gone, comes from its roll-up whole).
        assert store.downsample("serang", "kolam-1", "do_mgl", start, now, HOUR_MS) == hourly
    finally:
        store.close()

    text = CliRunner().invoke(app, ["retention", "run"], env={"KOLAM_DATA_DIR": str(data_dir)})
    assert text.exit_code == 0 and "raw values pruned: 0" in text.output
