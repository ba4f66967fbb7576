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
