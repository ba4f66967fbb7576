"""The InfluxDB backend beyond the shared contract: configuration and error mapping."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kolam.config import KolamConfig
from kolam.errors import ConfigError, StoreError, StoreUnavailable
from kolam.store import SeriesKey, open_store
from kolam.store.influx import InfluxSettings, InfluxStore
from tests.utils.influx import InfluxServer
from tests.utils.net import free_port

T0 = 1_764_288_000_000
DO = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")


@pytest.fixture
def answering() -> Iterator[Callable[[int], str]]:
    """A server that answers every request with a given HTTP status (a proxy in trouble,
    a throttling cloud instance, a wrong token)."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = b'{"error":"nope","message":"nope"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "error"), [
    (503, StoreUnavailable), (502, StoreUnavailable), (429, StoreUnavailable),
    (500, StoreUnavailable), (401, StoreError), (400, StoreError), (404, StoreError)])
def test_http_errors_are_mapped(answering: Callable[[int], str], status: int,
                                error: type[StoreError]) -> None:
    store = InfluxStore(InfluxSettings(answering(status), "kolam/autogen", timeout_s=5))
    try:
        with pytest.raises(error) as caught:
            store.write([(DO, T0, 5.0)])
        assert type(caught.value) is error
        with pytest.raises(error) as caught:
            store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 1)
        assert type(caught.value) is error
        unchecked = InfluxStore(store.settings, check_existing=False)
        with pytest.raises(error) as caught:
            unchecked.write([(DO, T0, 5.0)])
        assert type(caught.value) is error
        unchecked.close()
    finally:
        store.close()


def test_nothing_listening_is_transient() -> None:
    store = InfluxStore(InfluxSettings(f"http://127.0.0.1:{free_port()}", "kolam/autogen"),
                        check_existing=False)
    with pytest.raises(StoreUnavailable, match="unreachable"):
        store.write([(DO, T0, 5.0)])
    with pytest.raises(StoreUnavailable, match="unreachable"):
        store.latest("serang", "kolam-1")
    store.close()


def test_missing_database_is_not_transient(influx_server: InfluxServer) -> None:
    store = InfluxStore(InfluxSettings(influx_server.url, "nowhere/autogen"))
    with pytest.raises(StoreError, match="database not found") as caught:
        store.write([(DO, T0, 5.0)])
    assert not isinstance(caught.value, StoreUnavailable)
    store.close()


def test_quotes_in_names_are_stored_and_found(influx_server: InfluxServer, influx_db: str) -> None:
    store = InfluxStore(InfluxSettings(influx_server.url, f"{influx_db}/autogen"))
    odd = SeriesKey("o'site", 'p"ond', "dev ice,=x", "do_mgl")
    store.write([(odd, T0, 5.0), (DO, T0, 6.0)])
    assert store.series("o'site") == [odd]
    assert [p.value for p in store.raw("o'site", 'p"ond', "do_mgl", T0, T0 + 1)] == [5.0]
    assert store.raw("o' OR ''='", 'p"ond', "do_mgl", T0, T0 + 1) == []
    store.close()


def test_open_store_reads_the_config(make_config: Callable[..., KolamConfig],
                                     influx_server: InfluxServer, influx_db: str) -> None:
    config = make_config(store="influxdb", influx_url=influx_server.url + "/",
                         influx_bucket=f"{influx_db}/autogen", influx_token="u:p")
    store = open_store(config)
    assert isinstance(store, InfluxStore)
    assert (store.settings.url, store.settings.database, store.settings.retention_policy) == (
        influx_server.url, influx_db, "autogen")
    assert store.write([(DO, T0, 5.0)]).written == 1
    store.close()
    v3 = InfluxSettings.from_config(make_config(store="influxdb", influx_url="http://x:8181",
                                                influx_database="kolam", influx_token="apiv3_t"))
    assert (v3.bucket, v3.database, v3.retention_policy) == ("kolam", "kolam", None)


@pytest.mark.parametrize(("overrides", "message"), [
    ({}, "influx_url and influx_bucket"),
    ({"influx_url": "http://x:8086"}, "influx_bucket .or influx_database. is not set"),
    ({"influx_url": "http://x:8086", "influx_bucket": "a", "influx_database": "b"},
     "different places"),
])
def test_incomplete_config_is_refused(make_config: Callable[..., KolamConfig],
                                      overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_store(make_config(store="influxdb", **overrides))
