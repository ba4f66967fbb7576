"""The ``kolam`` command line: one program, a subcommand per service or task.

Service packages are imported inside their commands so that ``kolam sim`` on a
pond-side box does not load FastAPI, and ``kolam api`` does not load paho.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from kolam.config import KolamConfig, load_config, redact_url
from kolam.errors import ConfigError, KolamError
from kolam.logs import exit_with_parent, setup_logging
from kolam.timeutil import parse_duration_s, to_ms

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Kolam: pond water-quality monitoring.")

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", envvar="KOLAM_CONFIG",
                                                help="YAML config file", exists=True,
                                                dir_okay=False)]


def _load(path: Path | None, name: str, **overrides: Any) -> KolamConfig:
    try:
        config = load_config(path, **overrides)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    setup_logging(config.log_level, name)
    exit_with_parent()
    return config


@app.command("check-config")
def check_config(config: ConfigOpt = None) -> None:
    """Validate the configuration and print it (secrets hidden)."""
    cfg = _load(config, "check-config")
    data = cfg.model_dump(mode="json")
    for key in ("influx_token",):
        if data.get(key):
            data[key] = "***"
    data["mqtt_url"] = cfg.mqtt.redacted()
    data["local_mqtt_url"] = cfg.local_mqtt.redacted()
    for key in ("database_url", "smtp_url", "webhook_url"):
        data[key] = redact_url(data.get(key))
    typer.echo(json.dumps(data, indent=2))


@app.command()
def migrate(config: ConfigOpt = None) -> None:
    """Create or upgrade the registry database schema."""
    from kolam.registry.repo import Registry

    cfg = _load(config, "migrate")
    Registry(cfg.registry_url).close()
    typer.echo(f"registry at {redact_url(cfg.registry_url)} is up to date")


@app.command()
def ingest(config: ConfigOpt = None) -> None:
    """Consume telemetry from the broker into the store (until SIGTERM)."""
    from ingest.main import run

    run(_load(config, "ingest"))


@app.command()
def api(config: ConfigOpt = None,
        host: Annotated[str | None, typer.Option(help="Bind address")] = None,
        port: Annotated[int | None, typer.Option(help="Default KOLAM_HTTP_PORT, else 8000")] = None,
        ) -> None:
    """Serve the REST API and dashboard."""
    from api.main import run

    cfg = _load(config, "api")
    run(cfg, host or cfg.http_host, port or cfg.http_port)


@app.command()
def sim(
    config: ConfigOpt = None,
    ponds: Annotated[int | None, typer.Option(help="Number of ponds")] = None,
    interval: Annotated[float | None, typer.Option(help="Seconds between readings")] = None,
    scenario: Annotated[str | None, typer.Option(help="Scenario name")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed")] = None,
    site: Annotated[str | None, typer.Option(help="Site slug")] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per wall second")] = 1.0,
    backfill: Annotated[str | None, typer.Option(help="History first, e.g. 7d")] = None,
    start: Annotated[datetime | None, typer.Option(help="Simulated start (ISO)")] = None,
    duration: Annotated[str | None, typer.Option(help="Stop after this simulated span")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print JSON lines, no broker")] = False,
) -> None:
    """Simulated sensor nodes, one per pond, publishing protocol v1."""
    from firmware_sim.main import SimOptions, run

    overrides = {"sim": {"ponds": ponds, "interval_s": interval, "scenario": scenario,
                         "seed": seed, "site": site}}
    cfg = _load(config, "sim", **overrides)
    options = SimOptions(
        speed=speed,
        backfill_s=parse_duration_s(backfill) if backfill else 0.0,
        start_ms=to_ms(start) if start else None,
        duration_s=parse_duration_s(duration) if duration else None,
        dry_run=dry_run,
    )
    run(cfg, options)


@app.command()
def broker(
    host: Annotated[str, typer.Option(help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 1883,
    users: Annotated[Path, typer.Option(help="username:password file", exists=True)] = Path(
        "mqtt-users"),
) -> None:
    """The embedded MQTT broker (amqtt) for one-machine installations."""
    from kolam.broker import read_users, run_broker

    setup_logging("INFO", "broker")
    exit_with_parent()
    run_broker(host, port, read_users(users))


@app.command()
def demo(
    http_port: Annotated[int, typer.Option(help="Dashboard/API port")] = 8000,
    mqtt_port: Annotated[int, typer.Option(help="Embedded broker port")] = 1884,
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its files")] = Path(
        ".kolam-demo"),
    ponds: Annotated[int, typer.Option(help="Simulated ponds")] = 4,
    backfill: Annotated[str, typer.Option(help="History to simulate at start")] = "7d",
) -> None:
    """Run everything on this machine: broker, ingest, API and a simulated site."""
    from kolam.demo import Demo

    setup_logging("INFO", "demo")
    Demo(data_dir, http_port, mqtt_port, ponds, parse_duration_s(backfill)).run()


StateOpt = Annotated[Path | None, typer.Option(
    "--state", help="Checkpoint file (default: data_dir/export-state.json or import-state.json)")]
RestartOpt = Annotated[bool, typer.Option("--restart", help="Ignore the checkpoint; copy all")]
ChunkOpt = Annotated[int, typer.Option("--chunk-size", min=1, help="Points per write")]


@app.command("export")
def export_history(config: ConfigOpt = None, state: StateOpt = None, restart: RestartOpt = False,
                   chunk_size: ChunkOpt = 10_000) -> None:
    """Copy the SQLite time series (data_dir/samples.sqlite) into InfluxDB; resumable."""
    from kolam.transfer import run_transfer

    run_transfer(_load(config, "export"), "to-influxdb", state, restart=restart,
                 chunk_size=chunk_size, echo=typer.echo)


@app.command("import")
def import_history(config: ConfigOpt = None, state: StateOpt = None, restart: RestartOpt = False,
                   chunk_size: ChunkOpt = 10_000) -> None:
    """Copy the InfluxDB time series into data_dir/samples.sqlite; resumable."""
    from kolam.transfer import run_transfer

    run_transfer(_load(config, "import"), "to-sqlite", state, restart=restart,
                 chunk_size=chunk_size, echo=typer.echo)


def main() -> None:
    try:
        app()
    except KolamError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
