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
from typer.core import TyperGroup

from kolam.cli_places import ponds_app, sites_app
from kolam.config import KolamConfig, load_config, redact_url
from kolam.errors import ConfigError, KolamError
from kolam.runtime.logs import exit_with_parent, setup_logging
from kolam.security.files import private_umask, warn_if_exposed
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
    exit_with_parent(config.parent_pid)
    warn_if_exposed(config.data_dir)
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
    for key in ("database_url", "smtp_url", "webhook_url", "sms_url"):
        data[key] = redact_url(data.get(key))
    # Constant SMS gateway fields often carry the account's key.
    data["sms_fields"] = dict.fromkeys(data.get("sms_fields") or {}, "***")
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
def gateway(config: ConfigOpt = None) -> None:
    """Pond-side gateway: local broker → durable outbox → central broker (until SIGTERM)."""
    from gateway.main import run

    loaded = _load(config, "gateway")
    if loaded.gateway.kiosk.listen is None:
        run(loaded)
        return
    # The kiosk page is the API's code; the gateway does not import it, the command wires it.
    from api.site_kiosk import serve

    run(loaded, lambda source: serve(source, loaded))


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
    relays: Annotated[bool, typer.Option(
        "--relays", help="Also a relay node relay-N per pond (output aerator-1)")] = False,
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
        relays=relays,
    )
    run(cfg, options)


@app.command()
def broker(
    host: Annotated[str, typer.Option(help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 1883,
    users: Annotated[Path | None, typer.Option(
        help="username:password file (default ./mqtt-users when no --passwd)")] = None,
    passwd: Annotated[Path | None, typer.Option(
        help="Mosquitto password file (kolam broker-config)")] = None,
    acl: Annotated[Path | None, typer.Option(
        help="Mosquitto ACL file (kolam broker-config): enforce it")] = None,
) -> None:
    """The embedded MQTT broker (amqtt) for one-machine installations.

    A file that cannot be read or parsed, or a port that is taken, is one line of error
    and exit code 1.
    """
    from kolam.broker import passwd as broker_passwd
    from kolam.broker.acl import parse_acl
    from kolam.broker.embedded import BrokerAuth, parse_users, run_broker

    setup_logging("INFO", "broker")
    exit_with_parent(_load(None, "broker").parent_pid)
    if users is None and passwd is None:
        users = Path("mqtt-users")
    plain = _broker_file(users, "--users", parse_users) or {}
    _broker_file(passwd, "--passwd", broker_passwd.parse_passwd)
    _broker_file(acl, "--acl", parse_acl)
    run_broker(host, port, BrokerAuth(plain, passwd, acl))


def _broker_file(path: Path | None, option: str, parse: Any) -> Any:
    """``parse`` of the file's text, or a one-line ``ConfigError`` naming the option."""
    if path is None:
        return None
    try:
        return parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{option} {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"{option} {path}: {exc}") from exc


@app.command()
def demo(
    http_port: Annotated[int, typer.Option(help="Dashboard/API port")] = 8000,
    mqtt_port: Annotated[int, typer.Option(help="Embedded broker port")] = 1884,
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its files")] = Path(
        ".kolam-demo"),
    ponds: Annotated[int, typer.Option(help="Simulated ponds")] = 4,
    backfill: Annotated[str, typer.Option(
        help="History to simulate at start; a day arrives in seconds, a week takes about "
             "a minute (the kiosk says \"loading history\" meanwhile)")] = "1d",
) -> None:
    """Run everything on this machine: broker, ingest, API and a simulated site."""
    from kolam.demo import Demo

    setup_logging("INFO", "demo")
    Demo(data_dir, http_port, mqtt_port, ponds, parse_duration_s(backfill)).run()


users_app = typer.Typer(no_args_is_help=True, help="Users of the API and their roles.")
app.add_typer(users_app, name="users")
PASSWORD_ENV = "KOLAM_USER_PASSWORD"  # noqa: S105 - the name of a variable


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="admin | officer | dinas | kiosk | trainer")],
    site: Annotated[list[str] | None, typer.Option(
        help="A site the user may see; repeat for several (admin/dinas: none = all)")] = None,
    password: Annotated[str | None, typer.Option(
        help="Visible to every local user in the process list: prefer standard input, "
             f"--password-file or {PASSWORD_ENV}")] = None,
    password_file: Annotated[Path | None, typer.Option(
        help="Read the password from the first line of this file", exists=True,
        dir_okay=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """Create a user, or change an existing user's role, sites and password.

    Every --site must exist already (a mistyped one is refused).

    The password comes from --password-file, else --password, else the
    KOLAM_USER_PASSWORD variable, else standard input (asked twice on a terminal). At
    least 12 characters, not a common password; a new password ends the user's logins.
    """
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users
    from kolam.security.auth import Role

    try:
        role_value = Role(role)
    except ValueError as exc:
        raise typer.BadParameter(f"role must be one of {', '.join(Role)}") from exc
    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        _check_sites(registry, site or [])  # before asking for a password
        secret = _password(password, password_file)
        user = Users(registry.engine).add(username, role_value, site or [], secret)
    finally:
        registry.close()
    sites = ", ".join(sorted(user.sites)) or "every site"
    typer.echo(f"user {user.username}: {user.role.value} of {sites}")


def _check_sites(registry: Any, sites: list[str]) -> None:
    """A user's sites must exist: a mistyped slug would give a login that sees nothing."""
    from kolam.errors import NotFound

    known = [x.slug for x in registry.sites()]
    unknown = sorted(set(sites) - set(known))
    if unknown:
        raise NotFound(f"no site {', '.join(unknown)} (known: {', '.join(known) or 'none'}); "
                       "nothing changed. Create the site first (`kolam sites add`)")


def _password(flag: str | None, path: Path | None) -> str:
    import os

    if path is not None:
        lines = path.read_text("utf-8").splitlines()
        return lines[0] if lines else ""
    if flag is not None:
        typer.echo(f"warning: --password shows the password to every local user (ps); use "
                   f"standard input, --password-file or {PASSWORD_ENV} instead", err=True)
        return flag
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return _read_password()


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            typer.echo("the passwords differ", err=True)
            raise typer.Exit(2)
        return first
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("list")
def users_list(config: ConfigOpt = None) -> None:
    """Every active user with role and sites."""
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users

    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        for u in Users(registry.engine).all():
            typer.echo(f"{u.username}\t{u.role.value}\t{','.join(sorted(u.sites)) or '*'}")
    finally:
        registry.close()


class _KeyCommands(TyperGroup):
    """``kolam users key USERNAME`` (the documented form) still makes a key: a first word
    that is not one of the subcommands is the username for ``key add``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's own click Context
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["add", *args]
        return super().parse_args(ctx, args)


key_app = typer.Typer(cls=_KeyCommands, no_args_is_help=True,
                      help="API keys (X-API-Key header): make, list, revoke.")
users_app.add_typer(key_app, name="key")


@key_app.command("add")
def users_key(username: Annotated[str, typer.Argument(help="The user the key acts as")],
              name: Annotated[str, typer.Option(help="What the key is for")] = "integration",
              config: ConfigOpt = None) -> None:
    """Make an API key acting as a user; printed once (also: kolam users key USERNAME)."""
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users

    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        record, key = Users(registry.engine).create_api_key(username, name)
    finally:
        registry.close()
    typer.echo(key)
    typer.echo(f"key {record.id} ({name}); revoke it with `kolam users key revoke "
               f"{username} {record.id}`", err=True)


@key_app.command("list")
def users_key_list(username: Annotated[str, typer.Argument()],
                   config: ConfigOpt = None) -> None:
    """A user's API keys: id, name, when made, and whether revoked (never the keys)."""
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users
    from kolam.timeutil import iso

    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        for k in Users(registry.engine).api_keys(username):
            state = "revoked" if k.revoked else "active"
            typer.echo(f"{k.id}\t{k.name}\t{iso(k.created_at)}\t{state}")
    finally:
        registry.close()


@key_app.command("revoke")
def users_key_revoke(username: Annotated[str, typer.Argument()],
                     key_id: Annotated[int, typer.Argument(help="From `kolam users key list`")],
                     config: ConfigOpt = None) -> None:
    """Revoke an API key: it stops working at once."""
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users

    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        users = Users(registry.engine)
        k = users.revoke_api_key(username, key_id)
        users.audit("cli", "revoke", "api_key", k.id, None, f"{k.name} of {username}")
    finally:
        registry.close()
    typer.echo(f"key {k.id} ({k.name}) of {username} revoked")


@users_app.command("logout")
def users_logout(username: Annotated[str, typer.Argument()], config: ConfigOpt = None) -> None:
    """End every login of a user (tokens and page sessions); API keys stay."""
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users

    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        Users(registry.engine).end_all_logins(username)
    finally:
        registry.close()
    typer.echo(f"every login of {username} ended")


@users_app.command("remove")
def users_remove(username: Annotated[str, typer.Argument()], config: ConfigOpt = None) -> None:
    """Remove a user: their logins end and their API keys are deleted, at once.

    A user added later under the same name is a new account with nothing of this one's.
    """
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users

    cfg = _load(config, "users")
    registry = Registry(cfg.registry_url)
    try:
        Users(registry.engine).deactivate(username)
    finally:
        registry.close()
    typer.echo(f"user {username} removed")


StateOpt = Annotated[Path | None, typer.Option(
    "--state", help="Checkpoint file (default: data_dir/export-state.json or import-state.json)")]
RestartOpt = Annotated[bool, typer.Option("--restart", help="Ignore the checkpoint; copy all")]
ChunkOpt = Annotated[int, typer.Option("--chunk-size", min=1, help="Points per write")]


@app.command("export")
def export_history(config: ConfigOpt = None, state: StateOpt = None, restart: RestartOpt = False,
                   chunk_size: ChunkOpt = 10_000) -> None:
    """Copy the SQLite time series (data_dir/samples.sqlite) into InfluxDB; resumable."""
    from kolam.store.transfer import run_transfer

    run_transfer(_load(config, "export"), "to-influxdb", state, restart=restart,
                 chunk_size=chunk_size, echo=typer.echo)


@app.command("import")
def import_history(config: ConfigOpt = None, state: StateOpt = None, restart: RestartOpt = False,
                   chunk_size: ChunkOpt = 10_000) -> None:
    """Copy the InfluxDB time series into data_dir/samples.sqlite; resumable."""
    from kolam.store.transfer import run_transfer

    run_transfer(_load(config, "import"), "to-sqlite", state, restart=restart,
                 chunk_size=chunk_size, echo=typer.echo)


devices_app = typer.Typer(no_args_is_help=True,
                          help="Devices' and services' broker logins (docs/security.md).")
app.add_typer(devices_app, name="devices")
JsonOpt = Annotated[bool, typer.Option("--json", help='Print {"username": ..., "password": ...}')]


def _show_login(creds: Any, as_json: bool, what: str) -> None:
    if as_json:
        typer.echo(json.dumps({"username": creds.username, "password": creds.password}))
        return
    typer.echo(f"{what}\n  username: {creds.username}\n  password: {creds.password}\n"
               "The password is shown only now. Run `kolam broker-config` to update the broker.")


def _logins(config: Path | None, name: str) -> Any:
    from kolam.registry.devices import BrokerLogins
    from kolam.registry.repo import Registry

    return BrokerLogins(Registry(_load(config, name).registry_url))


@devices_app.command("add")
def devices_add(site: Annotated[str, typer.Argument()], pond: Annotated[str, typer.Argument()],
                device: Annotated[str, typer.Argument()], as_json: JsonOpt = False,
                rotate: Annotated[bool, typer.Option(
                    "--rotate", help="The device exists: give it a new password")] = False,
                config: ConfigOpt = None) -> None:
    """Register a device with its own broker login (creates the site and pond if new).

    A device that already has a login is refused, so that a second `add` never locks the
    node out by surprise; with --rotate its password is replaced (as `kolam devices rotate`).
    """
    logins = _logins(config, "devices")
    try:
        new_places = logins.missing_places(site, pond)
        replaced = logins.has_login(site, device)
        creds = logins.add_device(site, pond, device, rotate=rotate)
    finally:
        logins.close()
    for place in new_places:
        typer.echo(f"new {place} (check the spelling: `kolam ponds remove` undoes a pond)",
                   err=True)
    if replaced:
        typer.echo(f"device {device} of {site} already had a login: its password is replaced "
                   "(the old one works until the broker reloads)", err=True)
    _show_login(creds, as_json, f"device {device} in {site}/{pond}")


@devices_app.command("rotate")
def devices_rotate(site: Annotated[str, typer.Argument()],
                   device: Annotated[str, typer.Argument()], as_json: JsonOpt = False,
                   config: ConfigOpt = None) -> None:
    """Give a device a new password (the old one works until the broker reloads)."""
    logins = _logins(config, "devices")
    try:
        creds = logins.rotate_device(site, device)
    finally:
        logins.close()
    _show_login(creds, as_json, f"device {device} of {site}: new password")


def _set_enabled(site: str, device: str, enabled: bool, config: Path | None) -> None:
    logins = _logins(config, "devices")
    try:
        logins.set_device_enabled(site, device, enabled)
    finally:
        logins.close()
    typer.echo(f"device {device} of {site} {'enabled' if enabled else 'disabled'}; "
               "run `kolam broker-config` to update the broker")


@devices_app.command("disable")
def devices_disable(site: Annotated[str, typer.Argument()],
                    device: Annotated[str, typer.Argument()], config: ConfigOpt = None) -> None:
    """Refuse a device: ingest drops its data at once, the broker after the next reload."""
    _set_enabled(site, device, False, config)


@devices_app.command("enable")
def devices_enable(site: Annotated[str, typer.Argument()],
                   device: Annotated[str, typer.Argument()], config: ConfigOpt = None) -> None:
    """Accept a disabled device again."""
    _set_enabled(site, device, True, config)


@devices_app.command("list")
def devices_list(site: Annotated[str | None, typer.Argument()] = None,
                 as_json: Annotated[bool, typer.Option("--json")] = False,
                 config: ConfigOpt = None) -> None:
    """Devices with their login name, state and when their password was set."""
    from kolam.timeutil import from_ms

    logins = _logins(config, "devices")
    try:
        rows = logins.devices(site)
    finally:
        logins.close()
    if as_json:
        typer.echo(json.dumps([{"site": d.site, "pond": d.pond, "device": d.device,
                                "username": d.username, "enabled": d.enabled,
                                "has_credentials": d.has_credentials,
                                "credentials_at": d.credentials_at} for d in rows]))
        return
    for d in rows:
        since = from_ms(d.credentials_at).isoformat() if d.credentials_at else "no login"
        state = "enabled" if d.enabled else "disabled"
        typer.echo(f"{d.site}\t{d.pond}\t{d.device}\t{d.username}\t{state}\t{since}")


@devices_app.command("service")
def devices_service(
    username: Annotated[str, typer.Argument(help="Login name, a slug (e.g. ingest, gw-serang)")],
    role: Annotated[str, typer.Option(help="ingest | api | gateway | sim | observer")],
    site: Annotated[str | None, typer.Option(help="Limit to one site (gateway, sim: required)")
                    ] = None,
    as_json: JsonOpt = False, config: ConfigOpt = None,
) -> None:
    """Create a service's broker login, or give it a new password."""
    from kolam.broker.acl import ServiceRole

    try:
        role_value = ServiceRole(role)
    except ValueError as exc:
        raise typer.BadParameter(f"role must be one of {', '.join(ServiceRole)}") from exc
    logins = _logins(config, "devices")
    try:
        creds = logins.set_service(username, role_value, site)
    finally:
        logins.close()
    _show_login(creds, as_json, f"{role_value.value} service {username} of {site or 'all sites'}")


def ponds_remove(
    site: Annotated[str, typer.Argument()], pond: Annotated[str, typer.Argument()],
    force: Annotated[bool, typer.Option(
        "--force", help="Remove it even though it has readings (they stay in the store)")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Remove a pond that has no cycles (e.g. a mistyped slug), with its devices.

    A pond with farming records (a cycle) is always refused. One with readings is refused
    unless --force: the readings stay in the time-series store, shown again if a pond of
    the same slug is added later. Open alerts of the pond are resolved.
    """
    from kolam.registry.pond_removal import remove_pond
    from kolam.registry.repo import Registry
    from kolam.store import open_store

    cfg = _load(config, "ponds")
    registry = Registry(cfg.registry_url)
    try:
        registry.pond(site, pond)  # NotFound first, before opening the store
        store = open_store(cfg)
        try:
            series = store.series(site, pond)
        finally:
            store.close()
        if series and not force:
            typer.echo(f"error: pond {site}/{pond} has readings ({len(series)} series); "
                       "nothing changed. With --force it is removed and its readings stay "
                       "in the time-series store, unseen unless a pond of that slug is added "
                       "again", err=True)
            raise typer.Exit(1)
        removed = remove_pond(registry, site, pond)
    finally:
        registry.close()
    typer.echo(f"pond {site}/{pond} removed")
    if removed.devices:
        typer.echo(f"  with its devices {', '.join(removed.devices)}: run `kolam broker-config`"
                   " to drop their broker logins")
    if removed.alerts_resolved:
        typer.echo(f"  {removed.alerts_resolved} open alert(s) resolved")
    if series:
        typer.echo(f"  its readings ({len(series)} series) stay in the time-series store")


ponds_app.command("remove")(ponds_remove)


@app.command("broker-config")
def broker_config_cmd(
    out: Annotated[Path, typer.Option("--out", help="Directory for passwd and acl",
                                      file_okay=False)],
    pid_file: Annotated[Path | None, typer.Option(
        "--pid-file", help="Mosquitto's pid file: send it SIGHUP after writing")] = None,
    reload_pid: Annotated[int | None, typer.Option(
        "--reload-pid", help="Send SIGHUP to this broker process after writing")] = None,
    device_listener: Annotated[str, typer.Option(
        help="Devices' listener in mosquitto.conf: PORT or ADDRESS:PORT")] = "1883",
    service_listener: Annotated[str, typer.Option(
        help="Services' listener in mosquitto.conf: PORT or ADDRESS:PORT")] = "1884",
    cafile: Annotated[Path | None, typer.Option(help="TLS on both listeners: CA file")] = None,
    certfile: Annotated[Path | None, typer.Option(help="TLS: the broker's certificate")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS: the broker's key")] = None,
    config: ConfigOpt = None,
) -> None:
    """Write Mosquitto's password, ACL and listener files from the registry, then reload
    the broker."""
    from kolam.broker.mosquitto import (
        Listener,
        Listeners,
        Tls,
        read_pid_file,
        reload_broker,
        write_broker_files,
    )

    tls_files = (cafile, certfile, keyfile)
    if any(tls_files) and not all(tls_files):
        raise typer.BadParameter("TLS needs --cafile, --certfile and --keyfile together")
    try:
        listeners = Listeners(Listener.parse(device_listener), Listener.parse(service_listener),
                              Tls(cafile, certfile, keyfile) if cafile and certfile and keyfile
                              else None)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    logins = _logins(config, "broker-config")
    try:
        files = write_broker_files(logins.broker_entries(), out, listeners)
    finally:
        logins.close()
    typer.echo(f"wrote {files.passwd}, {files.acl} and {files.conf} ({files.accounts} logins)")
    pid = read_pid_file(pid_file) if pid_file is not None else reload_pid
    if pid is not None:
        reload_broker(pid)
        typer.echo(f"broker {pid} reloaded")
    else:
        typer.echo("reload the broker to apply them (systemctl reload mosquitto)")


app.add_typer(sites_app, name="sites")
app.add_typer(ponds_app, name="ponds")

retention_app = typer.Typer(no_args_is_help=True,
                            help="Raw-value retention, roll-ups and bounded logs.")
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run(config: ConfigOpt = None,
                  json_out: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
                  ) -> None:
    """Run one retention pass now: prune raw values past `retention.raw_days` (roll-ups are
    kept), drop old dead letters and audit entries. Safe while ingest runs."""
    import dataclasses

    from ingest.retention import run_pass
    from kolam.registry.repo import Registry
    from kolam.store import open_store

    cfg = _load(config, "retention")
    store = open_store(cfg)
    registry = Registry(cfg.registry_url)
    try:
        report = run_pass(cfg.retention, store, registry.engine)
    finally:
        registry.close()
        store.close()
    if json_out:
        typer.echo(json.dumps(dataclasses.asdict(report)))
        return
    dead = ", ".join(f"{r} {n}" for r, n in sorted(report.dead_letters_dropped.items()))
    n = report.raw_transactions
    typer.echo(f"5-minute buckets rolled up: {report.rolled_up_buckets}; "
               f"raw values pruned: {report.raw_deleted} in {n} "
               f"transaction{'' if n == 1 else 's'} (older than {cfg.retention.raw_days} days"
               f"{', per-site overrides' if cfg.retention.sites else ''}); "
               f"dead letters dropped: {dead or 'none'}; audit entries dropped: "
               f"{report.audit_dropped} ({report.seconds:.1f} s)")


@users_app.command("hash-password")
def users_hash_password(
    username: Annotated[str, typer.Option(help="The login the password is for")] = "kiosk",
    password_file: Annotated[Path | None, typer.Option(
        help="Read the password from the first line of this file", exists=True,
        dir_okay=False)] = None,
) -> None:
    """Print the Argon2id hash of a password (the format the registry keeps), for a login
    that lives outside the registry: ``gateway.kiosk.password_hash``, the kiosk page the
    gateway serves at the pond (docs/gateway.md). The password is read as for ``users add``
    and must pass the same checks."""
    from kolam.security.auth import hash_password
    from kolam.security.strength import WeakPassword, check_password

    secret = _password(None, password_file)
    try:
        check_password(secret, username)
    except WeakPassword as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(hash_password(secret))


def main() -> None:
    private_umask()  # what a kolam process creates is its user's only (kolam.security.files)
    try:
        app()
    except KolamError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
