"""One configuration model for every Kolam service.

Read once from an optional YAML file (``--config`` or ``KOLAM_CONFIG``), then
overridden by environment variables with the prefix ``KOLAM_`` (nested keys use
``__``: ``KOLAM_INGEST__BATCH_SIZE=500``). Services receive the resulting
object; they never read the environment themselves.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from kolam.alerts.defaults import DEFAULT_RULES
from kolam.errors import ConfigError
from kolam.protocol import SLUG_RE
from kolam.security.strength import check_secret_key

_ADDRESS_RE = re.compile(r"-?\d{1,20}|@\w{5,32}|\+?\d{6,16}")


def _check_address(item: str) -> None:
    # Chat ids are integers (negative for groups) or @channelname; phone numbers are
    # digits with an optional +: a typo is said now, not at 03:00 by a failed send.
    if item and not _ADDRESS_RE.fullmatch(item):
        raise ValueError(f"{item!r} is not a chat id or phone number")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MqttUrl(_Section):
    """A parsed ``mqtt://user:pass@host:port`` (``mqtts://`` for TLS)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str | None = None
    """CA bundle that verifies the broker (mqtts); from ``mqtt_ca_file``, not the URL."""

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
        default_factory=lambda: ["kolam/v1/+/+/+/telemetry", "kolam/v1/+/+/+/status",
                                 "kolam/v1/+/gateway/+/log",
                                 "kolam/v1/+/gateway/+/problem",
                                 "kolam/v1/+/+/+/state"],
        description="Topic filters this worker owns; narrow by site to partition work",
    )
    shared_group: str | None = Field(
        None, description="Join $share/{group}/ subscriptions (stateless write-only workers)")
    batch_size: int = Field(500, ge=1, le=100_000, description="Messages per batch")
    flush_interval_ms: int = Field(200, ge=1, description="Flush a partial batch after this")
    max_queued_messages: int = Field(
        2_000, ge=10, description="Received but uncommitted messages held in memory")
    max_queued_bytes: int = Field(
        16 * 1024 * 1024, ge=1024 * 1024, description="...and their payload bytes at most")
    shutdown_grace_s: float = Field(
        10.0, ge=0, description="On SIGTERM, keep retrying a failing commit this long")
    max_payload_bytes: int = Field(256 * 1024, ge=1024)
    max_samples_per_message: int = Field(10_000, ge=1)
    max_future_s: float = Field(300.0, ge=0, description="Reject timestamps further ahead")
    retry_max_s: float = Field(30.0, gt=0, description="Longest back-off between store retries")
    metrics_port: int | None = Field(None, description="Serve Prometheus metrics on this port")
    device_cache_s: float = Field(
        60.0, ge=0, description="Trust a device check this long; disabling takes effect after it")


class SimConfig(_Section):
    site: str = "serang"
    ponds: int = Field(4, ge=1, le=10_000)
    interval_s: float = Field(60.0, gt=0)
    scenario: str = Field(
        "normal", description="Pond scenario (firmware_sim.pond.SCENARIOS) or 'simple'")
    seed: int = 1
    history_step_s: float = Field(
        60.0, gt=0, description="Spacing of a --backfill's readings (live ones: interval_s); "
                                "kolam demo uses 300 so its history arrives in seconds")


def _clock_minutes(text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"{text.strip()!r} is not a time HH:MM")
    return int(hours) * 60 + int(minutes)


def parse_window(text: str) -> tuple[int, int]:
    """``"22:00-06:00"`` → minutes of the day (start, end); the window may cross midnight."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not a window HH:MM-HH:MM")
    first, last = _clock_minutes(start), _clock_minutes(end)
    if first == last:
        raise ValueError(f"{text!r} is empty: start and end are the same")
    return first, last


class ControlLoop(_Section):
    """One aerator (or pump) loop at the gateway: hysteresis on the pond's dissolved oxygen,
    with guards (docs/gateway.md#aerator-control). Defaults follow DOMAIN.md: DO below
    3 mg/L is the warning band, 4 mg/L and more is optimal for lele."""

    pond: str = Field(..., description="Pond slug whose DO readings drive the loop")
    output: str = Field(..., description="device/output of a relay node on that pond, "
                                         "e.g. relay-1/aerator-1")
    do_on_mgl: float = Field(3.0, ge=0, le=25, description="Switch on below this DO")
    do_off_mgl: float = Field(5.0, ge=0, le=25, description="Switch off above this DO")
    stale_after_s: float = Field(
        600.0, gt=0, description="No valid DO reading this long: switch on (fail-safe)")
    min_on_s: float = Field(600.0, ge=0, description="Motor protection: stay on this long")
    min_off_s: float = Field(300.0, ge=0, description="...and off this long")
    keep_on: str | None = Field(
        None, description="Never switched off in this window of site time, e.g. 22:00-06:00")
    min_amps: float = Field(
        0.2, ge=0, description="On but drawing less current than this: 'aerator not working'")
    forecast: bool = Field(
        True, description="Switch on ahead of a dawn forecast below do_on_mgl")

    @field_validator("pond")
    @classmethod
    def _pond_slug(cls, value: str) -> str:
        if not SLUG_RE.fullmatch(value):
            raise ValueError("must be a slug of [a-z0-9-], 1–32 characters")
        return value

    @field_validator("output")
    @classmethod
    def _device_output(cls, value: str) -> str:
        device, sep, output = value.partition("/")
        if not (sep and SLUG_RE.fullmatch(device) and SLUG_RE.fullmatch(output)):
            raise ValueError("must be DEVICE/OUTPUT, two slugs, e.g. relay-1/aerator-1")
        return value

    @field_validator("keep_on")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @model_validator(mode="after")
    def _hysteresis(self) -> ControlLoop:
        if self.do_on_mgl >= self.do_off_mgl:
            raise ValueError(f"do_on_mgl ({self.do_on_mgl:g}) must be below do_off_mgl "
                             f"({self.do_off_mgl:g}): the gap is the loop's hysteresis")
        return self

    @property
    def device(self) -> str:
        return self.output.partition("/")[0]

    @property
    def output_name(self) -> str:
        return self.output.partition("/")[2]

    @property
    def window(self) -> tuple[int, int] | None:
        return parse_window(self.keep_on) if self.keep_on else None


_PHONE_RE = re.compile(r"\+?[0-9]{6,15}")
_BAUDS = (9600, 19200, 38400, 57600, 115200)


class GatewayKioskConfig(_Section):
    """The kiosk page served by the gateway to tablets at the pond (docs/gateway.md)."""

    listen: str | None = Field(
        None, description="host:port of the kiosk page on the site network; unset: off")
    username: str = Field("kiosk", min_length=1, max_length=64,
                          description="The login of the kiosk page at the pond")
    password_hash: str | None = Field(
        None, description="Argon2id hash of its password (as kolam users stores it; "
                          "kolam users hash-password makes one)")
    site_name: str | None = Field(None, max_length=100, description="Shown as the title")
    ponds: dict[str, str] = Field(default_factory=dict,
                                  description="Pond names by slug (default: the slug)")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="How long a login lasts")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, sep, port = value.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{value!r} is not host:port (e.g. 0.0.0.0:8080)")
        return value

    @model_validator(mode="after")
    def _login_when_on(self) -> GatewayKioskConfig:
        if self.listen is not None and not self.password_hash:
            raise ValueError("listen needs password_hash: the kiosk at the pond has a login")
        return self

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = (self.listen or "").rpartition(":")
        return host.strip("[]"), int(port)


class GatewayConfig(_Section):
    """The pond-side gateway (``kolam gateway``); see docs/gateway.md."""

    outbox_file: str = Field("gateway-outbox.sqlite",
                             description="SQLite outbox, relative to data_dir")
    max_outbox_mb: float = Field(
        512.0, gt=0, description="Disk cap of the outbox; beyond it the oldest samples are thinned")
    thin_resolutions_s: list[int] = Field(
        default_factory=lambda: [600, 3600, 21600],
        description="Coarser and coarser resolutions the oldest samples are thinned to")
    batch_size: int = Field(500, ge=1, le=100_000, description="Local messages per outbox commit")
    flush_interval_ms: int = Field(100, ge=1, description="Commit a partial batch after this")
    samples_per_message: int = Field(500, ge=1, le=10_000,
                                     description="Samples per uplink telemetry message")
    max_inflight_messages: int = Field(16, ge=1, le=1000,
                                       description="Uplink messages awaiting PUBACK at once")
    drain_rate_samples_s: float = Field(
        2000.0, gt=0, description="Backlog (history) samples sent per second after an outage")
    status_interval_s: float = Field(30.0, gt=0, description="Republish the gateway status")
    alarm_min_duration_s: float = Field(
        120.0, ge=0, description="A critical reading must last this long to raise (or clear)")
    alarm_max_age_s: float = Field(
        900.0, gt=0, description="Older samples (catch-up, history) never raise alarms")
    max_dead_letters: int = Field(10_000, ge=10, description="Dead letters kept in the outbox")
    max_outbox_age_days: float = Field(
        90.0, gt=0, description="Buffered samples older than this are dropped (counted as "
                                "expired); the centre keeps raw values as long by default")
    dead_letter_max_age_days: float = Field(
        30.0, gt=0, description="Dead letters older than this are dropped from the outbox")
    control: list[ControlLoop] = Field(
        default_factory=list, description="Aerator control loops, one per relay output")
    timezone: str = Field("Asia/Jakarta", description="Site time zone (IANA) of keep_on")
    max_outputs_on: int | None = Field(
        None, ge=1, description="Site power budget: at most this many loop outputs on at once")
    sms_port: str | None = Field(
        None, description="Serial port of a GSM modem for alarm SMS, e.g. /dev/ttyUSB2")
    sms_baud: int = Field(115200, description="The modem's serial speed")
    sms_numbers: list[str] = Field(
        default_factory=list, description="Who gets critical DO and 'aerator not working' SMS")
    kiosk: GatewayKioskConfig = Field(
        default_factory=GatewayKioskConfig, description="The kiosk page served at the pond")  # type: ignore[arg-type]

    @field_validator("sms_numbers")
    @classmethod
    def _phone_numbers(cls, value: list[str]) -> list[str]:
        bad = [n for n in value if not _PHONE_RE.fullmatch(n)]
        if bad:
            raise ValueError(f"not a phone number (+62812…, digits only): {', '.join(bad)}")
        return value

    @field_validator("sms_baud")
    @classmethod
    def _baud(cls, value: int) -> int:
        if value not in _BAUDS:
            raise ValueError(f"must be one of {', '.join(map(str, _BAUDS))}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta)") from exc
        return value

    @model_validator(mode="after")
    def _one_loop_per_output(self) -> GatewayConfig:
        seen: dict[tuple[str, str], int] = {}
        for i, loop in enumerate(self.control):
            key = (loop.pond, loop.output)
            if key in seen:
                raise ValueError(f"control.{i}: {loop.pond} {loop.output} is already driven "
                                 f"by control.{seen[key]}")
            seen[key] = i
        return self


AlertSeverity = Literal["info", "warning", "critical"]
_NOTIFIED: tuple[AlertSeverity, ...] = ("warning", "critical")


class RuleOverride(_Section):
    """Changes to one alert rule (see docs/alerts.md for the rule ids and defaults)."""

    enabled: bool | None = Field(None, description="Switch the rule off (or back on)")
    warning: float | None = Field(None, description="Warning threshold, in the rule's unit")
    critical: float | None = Field(None, description="Critical threshold, in the rule's unit")
    hysteresis: float | None = Field(
        None, ge=0, description="How far past the threshold a value must recover to clear")
    min_duration_s: float | None = Field(
        None, ge=0, description="A breach (and a recovery) must last this long")


class AlertContact(_Section):
    """Someone (or something) that receives alert notifications."""

    name: str = Field(..., min_length=1, max_length=100)
    email: str | None = Field(None, description="E-mail address (needs smtp_url)")
    webhook: str | None = Field(None, description="URL receiving a signed JSON POST")
    telegram: str | None = Field(None, description="Telegram chat id (needs the bot token)")
    whatsapp: str | None = Field(
        None, description="Phone number for WhatsApp template messages (needs whatsapp_*)")
    sms: str | None = Field(None, description="Phone number for SMS (needs sms_url)")
    level: int = Field(0, ge=0, le=5, description="0: notified at once; n: after n escalations")
    severities: list[AlertSeverity] = Field(
        default_factory=lambda: list(_NOTIFIED), description="What this contact gets")
    language: Literal["id", "en"] = "id"

    @field_validator("telegram", "whatsapp", "sms")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None:
            _check_address(value.strip())
        return value


class SiteAlerts(_Section):
    rules: dict[str, RuleOverride] = Field(default_factory=dict,
                                           description="Rule overrides for the whole site")
    ponds: dict[str, dict[str, RuleOverride]] = Field(
        default_factory=dict, description="Rule overrides per pond: {pond: {rule: override}}")
    contacts: list[AlertContact] = Field(default_factory=list)
    latitude_deg: float | None = Field(None, ge=-90, le=90, description="For sunrise")
    longitude_deg: float | None = Field(None, ge=-180, le=180)


class AlertsConfig(_Section):
    """The alert engine and notifier in ingest (docs/alerts.md)."""

    enabled: bool = True
    rules: dict[str, RuleOverride] = Field(default_factory=dict,
                                           description="Rule overrides for every site")
    sites: dict[str, SiteAlerts] = Field(default_factory=dict)
    contacts: list[AlertContact] = Field(
        default_factory=list, description="Contacts of every site (besides the site's own)")
    escalation_after_s: float = Field(
        900.0, gt=0, description="Escalate an unacknowledged critical alert after this")
    reminder_interval_s: float = Field(
        3600.0, gt=0, description="Remind while an alert stays open and unacknowledged")
    rate_limit_per_hour: int = Field(
        20, ge=1, description="Messages per recipient per hour; the rest go out as a digest")
    late_after_s: float = Field(
        300.0, ge=0, description="An alert whose samples are this far behind now is marked late")
    max_age_s: float = Field(
        3600.0, ge=0, description="Older (late) alerts are recorded and summarised, not sent")
    reopen_window_s: float = Field(
        1800.0, ge=0, description="A breach within this of a resolution reopens that alert")
    mqtt: bool = Field(True, description="Publish alert events on kolam/v1/{site}/{pond}/alerts")
    webhook_secret: SecretStr | None = Field(
        None, description="HMAC key of X-Kolam-Signature; default data_dir/webhook_secret")
    smtp_from: str = "kolam@localhost"
    send_timeout_s: float = Field(10.0, gt=0)
    retry_max_s: float = Field(300.0, gt=0, description="Longest back-off between retries")
    max_attempts: int = Field(
        200, ge=1, description="After this many failed tries a notification is dead, not retried")
    warning_digest_hour: int | None = Field(
        None, ge=0, le=23,
        description="Hold warnings for people (e-mail, Telegram, WhatsApp, SMS) and send them "
                    "as one digest a day at this hour of each site's own day (its record's "
                    "timezone: 7 is 07:00 WIT at a WIT site); unset: each at once")
    tick_s: float = Field(5.0, gt=0, description="How often silence, escalation are checked")
    replay_s: float = Field(
        3 * 3600.0, ge=0,
        description="On start, run this much of each series' history through the rules")
    dinas_may_acknowledge: bool = Field(
        False, description="Whether a Dinas login may acknowledge alerts; off: the staff on "
                           "site (admin, officer) do, so escalation to them is never stopped "
                           "from afar")
    public_url: str | None = Field(
        None, max_length=60,
        description="The dashboard's address as people's phones reach it "
                    "(https://kolam.example.id): messages to people on the duty roster carry "
                    "a one-time acknowledgement link {public_url}/a/{token}; unset: no link")
    ack_link_ttl_s: float = Field(
        12 * 3600.0, gt=0, le=7 * 86400, description="How long an acknowledgement link works")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"public_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _known_rules(self) -> AlertsConfig:
        paths = [f"rules.{r}" for r in self.rules]
        for site, cfg in self.sites.items():
            paths += [f"sites.{site}.rules.{r}" for r in cfg.rules]
            paths += [f"sites.{site}.ponds.{pond}.{r}" for pond, rules in cfg.ponds.items()
                      for r in rules]
        unknown = [p for p in paths if p.rpartition(".")[2] not in DEFAULT_RULES]
        if unknown:
            raise ValueError(f"unknown alert rule(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(DEFAULT_RULES))}")
        return self


class SiteRetention(_Section):
    raw_days: int = Field(..., ge=1, le=36_500,
                          description="Days of raw values kept for this site")


class RetentionConfig(_Section):
    """How long data is kept (docs/storage.md#retention-and-roll-ups)."""

    raw_days: int = Field(90, ge=1, le=36_500,
                          description="Days of raw values kept; roll-ups are kept for ever")
    sites: dict[str, SiteRetention] = Field(
        default_factory=dict, description="Per-site raw window: {site: {raw_days: N}}")
    interval_s: float = Field(3600.0, gt=0, description="Ingest runs a retention pass this often")
    rollup_interval_s: float = Field(
        60.0, gt=0, description="Ingest rolls up the newest raw values this often (SQLite)")
    batch_rows: int = Field(5000, ge=100, le=1_000_000,
                            description="Rows deleted per transaction while pruning")
    pause_ms: int = Field(20, ge=0, le=10_000,
                          description="Pause between pruning transactions (ingest writes then)")
    dead_letter_days: int = Field(90, ge=1, description="Dead letters older than this are dropped")
    dead_letters_per_reason: int = Field(
        100_000, ge=100, description="Newest dead letters kept per reason")
    audit_days: int = Field(3 * 365, ge=30, description="Audit log entries older are dropped")
    audit_max_rows: int = Field(1_000_000, ge=1000, description="Newest audit entries kept")

    def raw_days_of(self, site: str) -> int:
        override = self.sites.get(site)
        return override.raw_days if override else self.raw_days


class KolamConfig(BaseSettings):
    """Settings for every Kolam service (see docs/configuration.md)."""

    model_config = SettingsConfigDict(
        env_prefix="KOLAM_", env_nested_delimiter="__", extra="forbid", frozen=True)

    data_dir: Path = Field(Path("data"), description="Where every service keeps its files")
    mqtt_url: str = Field("mqtt://localhost:1883", description="Central broker")
    local_mqtt_url: str = Field("mqtt://localhost:1883", description="Gateway's sensor broker")
    mqtt_ca_file: Path | None = Field(
        None, description="CA certificate(s) that signed the central broker's (mqtts://); "
                          "default the system's trusted CAs")
    local_mqtt_ca_file: Path | None = Field(
        None, description="CA certificate(s) of the gateway's sensor broker (mqtts://)")
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
    telegram_bot_token: SecretStr | None = Field(
        None, min_length=1, description="Telegram bot token from @BotFather (docs/alerts.md)")
    telegram_chat_ids: str | None = Field(
        None, description="Comma-separated chat ids, each a level 0 contact for warnings "
                          "and critical alerts of every site")
    telegram_api_url: str = Field("https://api.telegram.org",
                                  description="Bot API endpoint (a local Bot API server)")
    telegram_webhook_secret: SecretStr | None = Field(
        None, min_length=1, max_length=256,
        description="The secret_token given to setWebhook for {public_url}/api/v1/webhooks/"
                    "telegram: messages with an acknowledgement link also get a 'Tanggapi' "
                    "button, and its taps acknowledge there; unset: no button, no route")
    whatsapp_token: SecretStr | None = Field(
        None, min_length=1, description="WhatsApp Cloud API access token (a system user's token)")
    whatsapp_phone_id: str | None = Field(None, description="Sender's phone number id")
    whatsapp_to: str | None = Field(
        None, description="Comma-separated phone numbers (country code, digits), each a "
                          "level 0 contact for warnings and critical alerts of every site")
    whatsapp_template: str | None = Field(
        None, description="Approved template with two body parameters: {{1}} headline, "
                          "{{2}} details")
    whatsapp_api_url: str = Field("https://graph.facebook.com",
                                  description="Graph API endpoint")
    whatsapp_api_version: str = Field("v23.0", pattern=r"^v\d+\.\d+$",
                                      description="Graph API version in the request path")
    whatsapp_app_secret: SecretStr | None = Field(
        None, min_length=1, description="The Meta app's secret: checks X-Hub-Signature-256 of "
                                        "the delivery-status webhook")
    whatsapp_verify_token: SecretStr | None = Field(
        None, min_length=1, description="Token Meta echoes when the webhook is subscribed")
    whatsapp_language: str | None = Field(
        None, description="Template language code for every recipient (e.g. id, en_US); "
                          "default the recipient's language, id or en")
    sms_url: str | None = Field(None, description="HTTP SMS gateway receiving a POST per SMS")
    sms_to: str | None = Field(
        None, description="Comma-separated phone numbers, each a level 0 contact for "
                          "warnings and critical alerts of every site")
    sms_format: Literal["form", "json"] = Field(
        "form", description="Body of the POST: form-encoded or a JSON object")
    sms_to_field: str = Field("to", min_length=1, description="Field name of the recipient")
    sms_text_field: str = Field("text", min_length=1, description="Field name of the text")
    sms_fields: dict[str, str] = Field(
        default_factory=dict, description="Constant fields added to every POST (sender id, "
                                          "account); JSON in the environment")
    sms_auth_header: str = Field("Authorization", min_length=1,
                                 description="Header carrying sms_auth_value")
    sms_auth_value: SecretStr | None = Field(
        None, min_length=1,
        description="Value of sms_auth_header, e.g. 'Bearer KEY'; unset: no header")
    sms_max_chars: int = Field(160, ge=70, le=1530,
                               description="Longest SMS text; 160 is one GSM-7 segment")
    sms_id_field: str | None = Field(
        None, min_length=1, max_length=64,
        description="Field of the gateway's JSON answer holding its message id (e.g. 'id'): "
                    "the receipt becomes 'sms {id}', which delivery reports name")
    sms_webhook_secret: SecretStr | None = Field(
        None, min_length=8, max_length=256,
        description="Key of /api/v1/webhooks/sms (header X-Kolam-Key or ?key=), where the "
                    "gateway posts delivery reports; unset: no route")
    sms_report_id_field: str = Field("id", min_length=1, max_length=64,
                                     description="Field of a delivery report naming the message")
    sms_report_status_field: str = Field(
        "status", min_length=1, max_length=64, description="Field of a delivery report's status")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ready_file: Path | None = Field(
        None, description="Touched once the service is connected and serving (for supervisors)")
    secret_key: SecretStr | None = Field(
        None, min_length=32,
        description="Signs login tokens; default a random key kept in data_dir/secret_key")
    token_ttl_s: int = Field(12 * 3600, ge=60, le=30 * 86400,
                             description="Lifetime of a login token (one shift by default)")
    kiosk_switch_sites: list[str] = Field(
        default_factory=list,
        description="Sites whose kiosk login may switch relay outputs (aerators) from the API")
    kiosk_sale_sites: list[str] = Field(
        default_factory=list,
        description="Sites whose kiosk may record a sale in a team's cash book (issue #20)")
    parent_pid: int | None = Field(
        None, gt=0, description="Process plumbing, set by `kolam demo` for its children: "
                                "stop when this process is gone")
    ingest: IngestConfig = Field(default_factory=IngestConfig)  # type: ignore[arg-type]
    sim: SimConfig = Field(default_factory=SimConfig)  # type: ignore[arg-type]
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)  # type: ignore[arg-type]
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)  # type: ignore[arg-type]
    retention: RetentionConfig = Field(default_factory=RetentionConfig)  # type: ignore[arg-type]

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

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("smtp", "smtps"):
            raise ValueError("must start with smtp:// or smtps://")
        return value

    @field_validator("telegram_api_url", "whatsapp_api_url", "sms_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and (urlsplit(value).scheme not in ("http", "https")
                                  or not urlsplit(value).hostname):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value is not None else value

    @field_validator("telegram_chat_ids", "whatsapp_to", "sms_to")
    @classmethod
    def _address_list(cls, value: str | None) -> str | None:
        for item in (value or "").split(","):
            _check_address(item.strip())
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        # The same check ``kolam api`` makes before it signs anything.
        if value is not None:
            try:
                check_secret_key(value.get_secret_value())
            except ConfigError as exc:
                raise ValueError(str(exc).removeprefix("secret_key ")) from exc
        return value

    @model_validator(mode="after")
    def _influx_settings(self) -> KolamConfig:
        # What kolam.store.influx refuses at start-up, said here so check-config says it too.
        problem = influx_settings_problem(self) if self.store == "influxdb" else None
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _phone_channels(self) -> KolamConfig:
        # Recipients without the means to reach them would fail every send, for good.
        needs: dict[str, list[tuple[str, object]]] = {
            "telegram_chat_ids": [("telegram_bot_token", self.telegram_bot_token)],
            "whatsapp_to": [("whatsapp_token", self.whatsapp_token),
                            ("whatsapp_phone_id", self.whatsapp_phone_id),
                            ("whatsapp_template", self.whatsapp_template)],
            "sms_to": [("sms_url", self.sms_url)]}
        for key, required in needs.items():
            missing = [name for name, value in required if not value]
            if getattr(self, key) and missing:
                raise ValueError(f"{key}: needs {' and '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _gateway_identity(self) -> KolamConfig:
        # The gateway needs both; either one alone is a half-configured gateway.
        if (self.site is None) != (self.gateway_id is None):
            missing = "gateway_id" if self.gateway_id is None else "site"
            other = "site" if missing == "gateway_id" else "gateway_id"
            raise ValueError(f"{missing}: required with {other}: a gateway needs its "
                             "identity, KOLAM_SITE and KOLAM_GATEWAY_ID")
        return self

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
        url = MqttUrl.parse(self.mqtt_url)
        if self.mqtt_ca_file is None:
            return url
        return url.model_copy(update={"ca_file": str(self.mqtt_ca_file)})

    @property
    def local_mqtt(self) -> MqttUrl:
        url = MqttUrl.parse(self.local_mqtt_url)
        if self.local_mqtt_ca_file is None:
            return url
        return url.model_copy(update={"ca_file": str(self.local_mqtt_ca_file)})

    @property
    def registry_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'registry.sqlite'}"

    @property
    def samples_path(self) -> Path:
        return self.data_dir / "samples.sqlite"


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        # A cross-field rule (model_validator) names its own keys: "influx_url: required".
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"  {path}: {msg}" if path else f"  {msg}")
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


def influx_settings_problem(config: KolamConfig) -> str | None:
    """Why these InfluxDB settings cannot work, or None: the one rule that both
    ``check-config`` (the model's validator) and the InfluxDB store's start-up apply."""
    missing = [name for name, value in (
        ("influx_url", config.influx_url),
        ("influx_bucket (or influx_database)", config.influx_bucket or config.influx_database))
        if not value]
    if missing:
        return (f"store is influxdb but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set")
    if (config.influx_bucket and config.influx_database
            and config.influx_bucket != config.influx_database):
        return "influx_bucket and influx_database name different places: set one of them"
    return None
