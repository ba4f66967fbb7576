from __future__ import annotations

from pathlib import Path

import pytest

from kolam.config import MqttUrl, load_config
from kolam.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)


def test_defaults_need_no_setup() -> None:
    cfg = load_config()
    assert cfg.store == "sqlite"
    assert cfg.mqtt.port == 1883
    assert cfg.registry_url.endswith("registry.sqlite")


def test_yaml_then_env_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "kolam.yaml"
    f.write_text("http_port: 9000\ningest:\n  batch_size: 50\n  flush_interval_ms: 100\n"
                 "mqtt_url: mqtt://a:b@broker:1999\n")
    cfg = load_config(f)
    assert (cfg.http_port, cfg.ingest.batch_size, cfg.mqtt.host) == (9000, 50, "broker")
    monkeypatch.setenv("KOLAM_HTTP_PORT", "9100")
    monkeypatch.setenv("KOLAM_INGEST__BATCH_SIZE", "70")
    cfg = load_config(f)
    assert (cfg.http_port, cfg.ingest.batch_size, cfg.ingest.flush_interval_ms) == (9100, 70, 100)
    cfg = load_config(f, http_port=9200, ingest={"batch_size": 90})
    assert (cfg.http_port, cfg.ingest.batch_size) == (9200, 90)


def test_errors_name_the_key(tmp_path: Path) -> None:
    f = tmp_path / "kolam.yaml"
    f.write_text("ingest:\n  batch_size: 0\n  bogus: 1\nstore: mongodb\n")
    with pytest.raises(ConfigError) as err:
        load_config(f)
    text = str(err.value)
    assert "ingest.batch_size" in text and "ingest.bogus" in text and "store" in text


def test_bad_yaml_and_bad_url(tmp_path: Path) -> None:
    f = tmp_path / "kolam.yaml"
    f.write_text("a: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(f)
    with pytest.raises(ConfigError, match="mqtt_url"):
        load_config(None, mqtt_url="http://x")


def test_mqtt_url() -> None:
    u = MqttUrl.parse("mqtts://dev%40x:p%3Aw@h.example:8884")
    assert (u.username, u.password, u.host, u.port, u.tls) == ("dev@x", "p:w", "h.example",
                                                               8884, True)
    assert "p:w" not in u.redacted()
