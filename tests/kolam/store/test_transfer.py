"""``kolam export`` / ``kolam import``: SQLite history into a real InfluxDB and back,
resuming after an interruption."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kolam.errors import KolamError, StoreUnavailable
from kolam.store import SeriesKey, SqliteStore
from kolam.store.influx import InfluxSettings, InfluxStore
from kolam.store.transfer import Progress, TransferState, copy_history
from tests.utils.influx import InfluxServer

T0 = 1_764_288_000_000
MIN = 60_000
KEYS = [SeriesKey("serang", "kolam-1", "node-1", "do_mgl"),
        SeriesKey("serang", "kolam-1", "node-1", "ph"),
        SeriesKey("serang", "kolam-2", "node-2", "do_mgl")]
N = 2_500


def _history(path: Path) -> SqliteStore:
    store = SqliteStore(path)
    store.write([(k, T0 + i * MIN, round(i * 0.01 + j, 2))
                 for j, k in enumerate(KEYS) for i in range(N)])
    return store


def _everything(store: SqliteStore | InfluxStore) -> dict[SeriesKey, list[tuple[int, float]]]:
    return {k: [(p.t, p.value) for p in store.points(k, -1, 10 * N)] for k in store.series()}


def _kolam(*args: str, data_dir: Path, server: InfluxServer, db: str
           ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")} | {
        "KOLAM_DATA_DIR": str(data_dir), "KOLAM_INFLUX_URL": server.url,
        "KOLAM_INFLUX_BUCKET": f"{db}/autogen"}
    return subprocess.run([sys.executable, "-m", "kolam", *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def test_export_then_import_round_trips(tmp_path: Path, influx_server: InfluxServer,
                                        influx_db: str) -> None:
    source = _history(tmp_path / "a" / "samples.sqlite")
    want = _everything(source)
    source.close()

    out = _kolam("export", "--chunk-size", "1000", data_dir=tmp_path / "a",
                 server=influx_server, db=influx_db)
    assert out.returncode == 0, out.stderr
    assert "[3/3] serang/kolam-2/node-2/do_mgl  7,500/7,500 points (100%)" in out.stdout
    assert "done: 7,500 points read, 7,500 new in the target" in out.stdout
    influx = InfluxStore(InfluxSettings(influx_server.url, f"{influx_db}/autogen"))
    assert _everything(influx) == want
    influx.close()

    again = _kolam("export", data_dir=tmp_path / "a", server=influx_server, db=influx_db)
    assert "done: 0 points read, 0 new in the target, 7,500 copied by an earlier run" in (
        again.stdout)

    back = _kolam("import", data_dir=tmp_path / "b", server=influx_server, db=influx_db)
    assert back.returncode == 0, back.stderr
    restored = SqliteStore(tmp_path / "b" / "samples.sqlite")
    assert _everything(restored) == want
    restored.close()
    state = json.loads((tmp_path / "b" / "import-state.json").read_text())
    assert state["series"]["serang/kolam-1/node-1/ph"] == [T0 + (N - 1) * MIN, N]


def test_an_interrupted_export_resumes_where_it_stopped(tmp_path: Path) -> None:
    source = _history(tmp_path / "samples.sqlite")
    server = InfluxServer(tmp_path / "influxdb").start()
    try:
        server.create_database("kolam")
        target = InfluxStore(InfluxSettings(server.url, "kolam/autogen"))
        state_path = tmp_path / "state.json"
        seen: list[Progress] = []

        def stop_influx_after_four_chunks(p: Progress) -> None:
            seen.append(p)
            if len(seen) == 4:
                server.stop()

        state = TransferState.load(state_path, "a", "b", restart=False)
        with pytest.raises(StoreUnavailable):
            copy_history(source, target, state, chunk_size=1000,
                         progress=stop_influx_after_four_chunks)
        assert seen[-1].copied == 3500  # chunks of 1000, 1000, 500, then 1000

        server.start()
        state = TransferState.load(state_path, "a", "b", restart=False)
        final = copy_history(source, target, state, chunk_size=1000)
        assert final is not None
        assert (final.resumed, final.copied, final.written) == (3500, 3 * N - 3500, 3 * N - 3500)
        assert _everything(target) == _everything(source)
        target.close()
    finally:
        server.stop()
        source.close()


def test_a_checkpoint_of_another_copy_is_refused(tmp_path: Path) -> None:
    state = TransferState(tmp_path / "state.json", "sqlite:/a", "influxdb:http://x/k")
    state.checkpoint(KEYS[0], T0, 1)
    with pytest.raises(KolamError, match="--restart"):
        TransferState.load(state.path, "sqlite:/a", "influxdb:http://y/k", restart=False)
    assert TransferState.load(state.path, "sqlite:/a", "influxdb:http://y/k",
                              restart=True).done == {}
    (tmp_path / "state.json").write_text("{nope")
    with pytest.raises(KolamError, match="cannot read"):
        TransferState.load(state.path, "sqlite:/a", "influxdb:http://x/k", restart=False)


def test_exporting_nothing_says_so(tmp_path: Path, influx_server: InfluxServer,
                                   influx_db: str) -> None:
    out = _kolam("export", data_dir=tmp_path, server=influx_server, db=influx_db)
    assert out.returncode == 1
    assert "no SQLite history to export" in out.stderr
