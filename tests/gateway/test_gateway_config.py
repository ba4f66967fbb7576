"""The gateway's identity and section of the one config model."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway.main import Gateway
from kolam.config import KolamConfig
from kolam.errors import ConfigError


def test_gateway_needs_its_identity(make_config: Callable[..., KolamConfig]) -> None:
    with pytest.raises(ConfigError, match="KOLAM_SITE and KOLAM_GATEWAY_ID"):
        Gateway(make_config(site="serang"))


def test_gateway_section_from_the_environment(
        make_config: Callable[..., KolamConfig], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLAM_GATEWAY__MAX_OUTBOX_MB", "64")
    monkeypatch.setenv("KOLAM_GATEWAY__DRAIN_RATE_SAMPLES_S", "500")
    config = make_config()
    assert (config.gateway.max_outbox_mb, config.gateway.drain_rate_samples_s) == (64, 500)
    with pytest.raises(ConfigError, match=r"gateway\.samples_per_message"):
        make_config(gateway={"samples_per_message": 0})


def test_kiosk_at_the_pond_is_off_by_default_and_needs_its_login(
        make_config: Callable[..., KolamConfig]) -> None:
    assert make_config().gateway.kiosk.listen is None
    with pytest.raises(ConfigError, match=r"gateway\.kiosk.*password_hash"):
        make_config(gateway={"kiosk": {"listen": "0.0.0.0:8080"}})
    with pytest.raises(ConfigError, match=r"gateway\.kiosk\.listen.*host:port"):
        make_config(gateway={"kiosk": {"listen": "8080", "password_hash": "x"}})
    kiosk = make_config(gateway={"kiosk": {"listen": "[::]:8080", "password_hash": "x",
                                           "ponds": {"kolam-1": "Kolam 1"}}}).gateway.kiosk
    assert (kiosk.host_port, kiosk.username, kiosk.ponds) == (("::", 8080), "kiosk",
                                                              {"kolam-1": "Kolam 1"})
