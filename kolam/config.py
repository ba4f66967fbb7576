"""One configuration model for every Kolam service.

Read once from an optional YAML file (``--config`` or ``KOLAM_CONFIG``), then
overridden by environment variables with the prefix ``KOLAM_`` (nested keys use
``__``: ``KOLAM_INGEST__BATCH_SIZE=500``). Services receive the resulting
object; they never read the environment themselves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from kolam.errors import ConfigError
from kolam.protocol import SLUG_RE


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MqttUrl(_Section):
    """A parsed ``mqtt://user:pass@host:port`` (``mqtts://`` for TLS)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> MqttUrl:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"MQTT URL must start with mqtt:// or mqtts://, got {url!r}")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )

    def redacted(self) -> str:
        user = f"{self.username}:***@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


class IngestConfig(_Section):
    client_id: str = Field("kolam-ingest", description="Fixed MQTT client id (persistent session)")
    topics: list[str] = Field(
        default_factory=lambda: ["kolam/v1/+/+/+/telemetry", "kolam/v1/+/+/+/status"],
        description="Topic filters this worker owns; narrow by site to partition work",
    )
    shared_group: str | None = Field(
        None, description="Join $share/{group}/ subscriptions (stateless write-only workers)")
    batch_size: int = Field(500, ge=1, le=100_000, description="Messages per batch")
    flush_interval_ms: int = Field(200, ge=1, description="Flush a partial batch after this")
    max_queued_messages: int = Field(
        5_000, ge=10, description="Received but uncommitted messages held in memory")
    max_queued_bytes: int = Field(
        32 * 1024 * 1024, ge=1024 * 1024, description="...and their payload bytes at most")
    shutdown_grace_s: float = Field(
        10.0, ge=0, description="On SIGTERM, keep retrying a failing commit this long")
    max_payload_bytes: int = Field(256 * 1024, ge=1024)
    max_samples_per_message: int = Field(10_000, ge=1)
    max_future_s: float = Field(300.0, ge=0, description="Reject timestamps further ahead")
    retry_max_s: float = Field(30.0, gt=0, description="Longest back-off between store retries")
    metrics_port: int | None = Field(None, description="Serve Prometheus metrics on this port")


class SimConfig(_Section):
    site: str = "serang"
    ponds: int = Field(4, ge=1, le=10_000)
    interval_s: float = Field(60.0, gt=0)
    scenario: str = Field(
        "normal", description="Pond scenario (firmware_sim.pond.SCENARIOS) or 'simple'")
    seed: int = 1


class KolamConfig(BaseSettings):
    """Settings for every Kolam service (see docs/configuration.md)."""

    model_config = SettingsConfigDict(
        env_prefix="KOLAM_", env_nested_delimiter="__", extra="forbid", frozen=True)

    data_dir: Path = Field(Path("data"), description="Where every service keeps its files")
    mqtt_url: str = Field("mqtt://localhost:1883", description="Central broker")
    local_mqtt_url: str = Field("mqtt://localhost:1883", description="Gateway's sensor broker")
    store: Literal["sqlite", "influxdb"] = "sqlite"
    database_url: str | None = Field(
        None, description="Registry database (SQLAlchemy URL); default SQLite in data_dir")
    influx_url: str | None = Field(
        None, description="InfluxDB base URL, e.g. http://influx:8086 (store: influxdb)")
    influx_token: str | None = Field(
        None, description="API token (2.x, 3.x) or 'user:password' (1.8 with auth)")
    influx_org: str | None = Field(None, description="Organisation (InfluxDB 2.x only)")
    influx_bucket: str | None = Field(
        None, description="2.x bucket, or 'db/rp' on 1.8 (e.g. kolam/autogen)")
    influx_database: str | None = Field(
        None, description="InfluxDB 3.x database (instead of influx_bucket)")
    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    site: str | None = Field(None, description="This gateway's site")
    gateway_id: str | None = None
    auto_provision: bool = Field(True, description="Register unknown devices on first message")
    offline_after_intervals: float = Field(3.0, gt=0)
    webhook_url: str | None = None
    smtp_url: str | None = None
    alert_emails: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ready_file: Path | None = Field(
        None, description="Touched once the service is connected and serving (for supervisors)")
    ingest: IngestConfig = Field(default_factory=IngestConfig)  # type: ignore[arg-type]
    sim: SimConfig = Field(default_factory=SimConfig)  # type: ignore[arg-type]

    @field_validator("mqtt_url", "local_mqtt_url")
    @classmethod
    def _valid_mqtt_url(cls, value: str) -> str:
        MqttUrl.parse(value)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("site", "gateway_id")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_RE.fullmatch(value):
            raise ValueError("must be a slug of [a-z0-9-], 1–32 characters")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the YAML file, which arrives as init kwargs.
        return env_settings, init_settings

    @property
    def mqtt(self) -> MqttUrl:
        return MqttUrl.parse(self.mqtt_url)

    @property
    def local_mqtt(self) -> MqttUrl:
        return MqttUrl.parse(self.local_mqtt_url)

    @property
    def registry_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'registry.sqlite'}"

    @property
    def samples_path(self) -> Path:
        return self.data_dir / "samples.sqlite"


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"  {path}: {err['msg']}")
    return "invalid configuration:\n" + "\n".join(lines)


def load_config(path: str | Path | None = None, **overrides: Any) -> KolamConfig:
    """Load the YAML file (if any), apply ``KOLAM_*`` variables, then ``overrides``.

    Raises ``ConfigError`` listing every invalid key with its path.
    """
    path = path or os.environ.get("KOLAM_CONFIG")
    data: dict[str, Any] = {}
    if path:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"config file {path} must hold a mapping at the top level")
        data = loaded or {}
    try:
        config = KolamConfig(**data)
        if overrides:
            # Command-line flags beat the environment: re-validate without it.
            config = _FlagsWin(**_deep_merge(config.model_dump(), overrides))
    except ValidationError as exc:
        raise ConfigError(_format(exc)) from exc
    except SettingsError as exc:
        # e.g. a list-valued variable that is not JSON: KOLAM_INGEST__TOPICS='["a/#"]'
        raise ConfigError(f"invalid configuration: {exc}") from exc
    return config


def redact_url(url: str | None) -> str | None:
    """A URL with its password replaced by ***, for logs and ``check-config``."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


class _FlagsWin(KolamConfig):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        elif value is not None:
            out[key] = value
    return out
