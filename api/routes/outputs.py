"""Relay outputs of a pond (aerators, pumps, valves): their confirmed state, switching
them from the centre, and the switch history.

A switch from here is a ``set_output`` on the relay's ``cmd`` topic of the central broker
(``by`` ``user:NAME``, a fresh ``id``, ``expires_t``, ``until_t`` for a loop's manual
override); the pond's gateway relays it to the node (docs/gateway.md). The command is
*pending* until the relay's retained ``state``, recorded by ingest, says the output is as
asked (*confirmed*); a command nobody confirmed by its ``expires_t`` is *expired*; one
followed by a different switch (the gateway's loop, the relay's own) is *superseded*.
"Back to automatic" (``…/{device}/{output}/auto``) is a ``set_auto``: pending until the
gateway answers it (its forwarded state carries ``"ack": id``), then *confirmed*.
Every command, every answer and every confirmed switch is in the audit log.

Who may switch: admins and officers of the site; the site's kiosk too where the site is
in ``kiosk_switch_sites``.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, StrictBool

from api.auth import WRITERS, SiteUser, site_access
from api.commands import CommandPublisher
from api.deps import ConfigDep, RegistryDep
from kolam.config import KolamConfig
from kolam.errors import MqttError, NotFound
from kolam.protocol import DeviceRef, SetAuto, SetOutput, cmd_topic, encode_command
from kolam.registry.outputs import ACK, AUTO, COMMAND, SWITCH, Latest, OutputEvent, Outputs
from kolam.security.auth import Forbidden, Principal, Role
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites/{site}/ponds/{pond}/outputs", tags=["outputs"])

DEFAULT_EXPIRES_S = 1800
"""A command waits this long for a node that is offline (then the gateway drops it)."""
DEFAULT_MANUAL_S = 3600
"""A loop's output switched by hand stays so this long, then the loop takes over (the
gateway's default, docs/gateway.md)."""

CommandStatus = Literal["none", "pending", "confirmed", "expired", "superseded"]


def outputs_of(request: Request) -> Outputs:
    state = request.app.state
    found: Outputs | None = getattr(state, "outputs", None)
    if found is None:
        found = state.outputs = Outputs(state.registry.engine)
    return found


def publisher_of(request: Request) -> CommandPublisher:
    state = request.app.state
    found: CommandPublisher | None = getattr(state, "command_publisher", None)
    if found is None:
        found = state.command_publisher = CommandPublisher(state.config)
    return found


OutputsDep = Annotated[Outputs, Depends(outputs_of)]
_switchers = site_access(WRITERS | {Role.KIOSK})


def site_switcher(site: str, user: Annotated[Principal, Depends(_switchers)],
                  config: ConfigDep) -> Principal:
    """An admin or officer of the site; its kiosk where ``kiosk_switch_sites`` names it
    (a dependency, so the refusal comes before the body is looked at)."""
    if not may_switch(user, site, config):
        raise Forbidden(f"the kiosk of site {site!r} may not switch outputs "
                        "(kiosk_switch_sites)")
    return user


SiteSwitcher = Annotated[Principal, Depends(site_switcher)]


class CommandPublic(BaseModel):
    id: str | None = Field(description="The command's id, as sent to the node")
    kind: Literal["switch", "auto"] = Field(
        "switch", description="switch: a set_output; auto: back to automatic (set_auto)")
    on: bool
    by: str = Field(description="Who sent it: user:NAME")
    at: str = Field(description="When the centre sent it (ISO 8601 UTC)")
    at_ms: int
    expires_t: int | None = Field(description="Not obeyed after this (epoch ms)")
    until_t: int | None = Field(description="A loop's output: manual until then (epoch ms)")
    reason: str | None = None
    status: CommandStatus


class OutputPublic(BaseModel):
    device: str
    output: str
    on: bool | None = Field(description="Confirmed state (null: not known yet)")
    since: int | None = Field(description="Confirmed on/off since (epoch ms)")
    amps: float | None = Field(None, description="Motor current at the switch, where measured")
    by: str | None = Field(None, description="Who made the confirmed switch")
    reason: str | None = None
    command: CommandPublic | None = Field(
        None, description="The newest command sent from the centre, and where it stands")
    mode: Literal["auto", "manual"] | None = Field(
        None, description="For an output a gateway loop drives, as the gateway last said: "
                          "auto, or manual until manual_until (null: no loop known)")
    manual_until: int | None = Field(None, description="manual: automatic again then "
                                                       "(epoch ms)")


class SwitchIn(BaseModel):
    model_config = {"extra": "forbid"}

    on: StrictBool
    reason: str = Field("manual", min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    expires_s: int = Field(DEFAULT_EXPIRES_S, ge=10, le=86_400,
                           description="How long the command may wait for an offline node")
    manual_s: int = Field(DEFAULT_MANUAL_S, ge=60, le=86_400,
                          description="For an output a gateway loop drives: how long it "
                                      "stays as switched before the loop takes over again")


class AutoIn(BaseModel):
    model_config = {"extra": "forbid"}

    expires_s: int = Field(DEFAULT_EXPIRES_S, ge=10, le=86_400,
                           description="How long the command may wait for a gateway whose "
                                       "uplink is down")


class SwitchEvent(BaseModel):
    kind: Literal["switch", "command", "ack"]
    device: str
    output: str
    on: bool
    by: str
    reason: str | None
    at: str = Field(description="When the centre recorded it (ISO 8601 UTC)")
    since: int | None = Field(description="switch: when the relay switched (epoch ms)")
    amps: float | None
    id: str | None = Field(description="command: its id; ack: the command answered")
    expires_t: int | None
    until_t: int | None
    mode: str | None = Field(None, description="ack: the loop's mode after the command; "
                                               "command: auto for a set_auto")


def command_status(command: OutputEvent, switch: OutputEvent | None, now: int,
                   acked: frozenset[str | None] = frozenset()) -> CommandStatus:
    if command.mode == AUTO:
        if command.id in acked:
            return "confirmed"
        if command.expires_t is not None and now >= command.expires_t:
            return "expired"
        return "pending"
    if switch is not None and switch.on == command.on:
        return "confirmed"
    if switch is not None and switch.at > command.at:
        return "superseded"
    if command.expires_t is not None and now >= command.expires_t:
        return "expired"
    return "pending"


def _command(command: OutputEvent, found: Latest, now: int) -> CommandPublic:
    return CommandPublic(id=command.id, kind="auto" if command.mode == AUTO else "switch",
                         on=command.on, by=command.by, at=iso(command.at),
                         at_ms=command.at, expires_t=command.expires_t,
                         until_t=command.until_t, reason=command.reason,
                         status=command_status(command, found.switch, now, found.acked))


def _output(device: str, output: str, found: Latest, now: int) -> OutputPublic:
    switch, command, ack = found.switch, found.command, found.ack
    mode: Literal["auto", "manual"] | None = None
    until = None
    if ack is not None:
        manual = ack.mode == "manual" and ack.until_t is not None and ack.until_t > now
        mode, until = ("manual", ack.until_t) if manual else ("auto", None)
    return OutputPublic(
        device=device, output=output, on=switch.on if switch else None,
        since=switch.since if switch else None, amps=switch.amps if switch else None,
        by=switch.by if switch else None, reason=switch.reason if switch else None,
        command=_command(command, found, now) if command else None, mode=mode,
        manual_until=until)


@router.get("", response_model=list[OutputPublic],
            summary="The pond's relay outputs: confirmed state and pending command")
def list_outputs(request: Request, site: str, pond: str, _: SiteUser,
                 registry: RegistryDep) -> list[OutputPublic]:
    registry.pond(site, pond)
    return pond_outputs(request, site, pond)


@router.get("/history", response_model=list[SwitchEvent],
            summary="The pond's switches and commands, newest first (audit)")
def history(site: str, pond: str, _: SiteUser, registry: RegistryDep, outputs: OutputsDep,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100,
            kind: Annotated[Literal["switch", "command", "ack"] | None, Query()] = None,
            ) -> list[SwitchEvent]:
    registry.pond(site, pond)
    kinds = (kind,) if kind else (SWITCH, COMMAND, ACK)
    return [SwitchEvent(kind=e.kind, device=e.device, output=e.output,  # type: ignore[arg-type]
                        on=e.on, by=e.by, reason=e.reason, at=iso(e.at), since=e.since,
                        amps=e.amps, id=e.id, expires_t=e.expires_t, until_t=e.until_t,
                        mode=e.mode)
            for e in outputs.events(site, pond, kinds=kinds, limit=limit)]


def _known(request: Request, site: str, pond: str, device: str, output: str) -> Latest:
    registry = request.app.state.registry
    registry.pond(site, pond)
    if device not in {d.slug for d in registry.devices(site, pond)}:
        raise NotFound(f"no device {device!r} in pond {site}/{pond}")
    found = outputs_of(request).latest(site, pond).get((device, output))
    if found is None or found.switch is None:
        raise NotFound(f"relay {device!r} has reported no output {output!r}")
    return found


def publish_command(request: Request, ref: DeviceRef, payload: bytes) -> None:
    """Publish a command on the central broker (503 if it cannot be sent)."""
    try:
        publisher_of(request).publish(cmd_topic(ref), payload)
    except MqttError as exc:
        raise HTTPException(503, f"the command could not be sent: {exc}",
                            headers={"Retry-After": "5"}) from exc


def send_switch(request: Request, user: Principal, site: str, pond: str, device: str,
                output: str, body: SwitchIn) -> OutputPublic:
    """Publish and record one ``set_output`` (the API route's and the pond page's)."""
    found = _known(request, site, pond, device, output)
    now = now_ms()
    ref = DeviceRef(site, pond, device)
    by, command_id = f"user:{user.username}"[:64], secrets.token_hex(8)
    expires_t, until_t = now + body.expires_s * 1000, now + body.manual_s * 1000
    cmd = SetOutput(output, body.on, by, body.reason, command_id, expires_t, until_t)
    publish_command(request, ref, encode_command(cmd))
    event = outputs_of(request).record_command(
        ref, output, body.on, by, now, command_id=command_id, expires_t=expires_t,
        until_t=until_t, reason=body.reason)
    return _output(device, output, replace(found, command=event), now)


def send_auto(request: Request, user: Principal, site: str, pond: str, device: str,
              output: str, body: AutoIn) -> OutputPublic:
    """Publish and record one ``set_auto`` (the API route's and the pond page's)."""
    found = _known(request, site, pond, device, output)
    assert found.switch is not None
    now = now_ms()
    ref = DeviceRef(site, pond, device)
    by, command_id = f"user:{user.username}"[:64], secrets.token_hex(8)
    expires_t = now + body.expires_s * 1000
    publish_command(request, ref,
                    encode_command(SetAuto(output, by, "auto", command_id, expires_t)))
    event = outputs_of(request).record_command(
        ref, output, found.switch.on, by, now, command_id=command_id, expires_t=expires_t,
        until_t=None, reason="auto", kind=AUTO)
    return _output(device, output, replace(found, command=event), now)


def pond_outputs(request: Request, site: str, pond: str) -> list[OutputPublic]:
    """Each output of a pond and its newest command (for the pages)."""
    now = now_ms()
    return [_output(device, output, found, now)
            for (device, output), found in sorted(outputs_of(request).latest(site, pond).items())
            if found.switch is not None]


def may_switch(user: Principal | None, site: str, config: KolamConfig) -> bool:
    if user is None or not user.can_see(site):
        return False
    return user.role in WRITERS or (user.role is Role.KIOSK and site in config.kiosk_switch_sites)


@router.post("/{device}/{output}", response_model=OutputPublic, status_code=202,
             summary="Switch an output on or off (a command to the relay, via the gateway)")
def switch_output(request: Request, site: str, pond: str, device: str, output: str,
                  body: SwitchIn, user: SiteSwitcher) -> OutputPublic:
    return send_switch(request, user, site, pond, device, output, body)


@router.post("/{device}/{output}/auto", response_model=OutputPublic, status_code=202,
             summary="Back to automatic: end a manual override of a gateway loop's output")
def back_to_auto(request: Request, site: str, pond: str, device: str, output: str,
                 user: SiteSwitcher, body: AutoIn | None = None) -> OutputPublic:
    """A ``set_auto`` to the pond's gateway: the loop driving this output takes over at
    once. Pending until the gateway answers (then ``mode`` is ``auto``)."""
    return send_auto(request, user, site, pond, device, output,
                     body or AutoIn(expires_s=DEFAULT_EXPIRES_S))
