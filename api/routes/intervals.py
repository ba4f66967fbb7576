"""A node's reading interval from the centre: ``set_interval`` down the chain.

``POST /api/v1/sites/{site}/ponds/{pond}/devices/{device}/interval`` publishes
``{"v":1,"cmd":"set_interval","interval_s":…,"expires_t":…,"by":…,"id":…}`` on the
device's ``cmd`` topic of the central broker; the site's gateway relays it to the node at
once, or holds it (in its outbox) for a node that is offline until the node is back or the
command expires (docs/gateway.md, "Commands down the chain"). The command is *pending*
until the node's status reports the new ``interval_s`` (*confirmed*), or *expired*. Every
command is in the audit log (action ``set_interval``).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from api.auth import WRITERS, SiteUser, site_access
from api.deps import RegistryDep
from api.routes.outputs import DEFAULT_EXPIRES_S, publish_command
from kolam.errors import NotFound
from kolam.farming import bounds
from kolam.protocol import Command, DeviceRef, encode_command
from kolam.registry.outputs import IntervalCommand, IntervalCommands
from kolam.registry.repo import DeviceInfo, Registry
from kolam.security.auth import Principal
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites/{site}/ponds/{pond}/devices/{device}/interval",
                   tags=["devices"])
Writer = Annotated[Principal, Depends(site_access(WRITERS))]
IntervalStatus = Literal["pending", "confirmed", "expired"]


def commands_of(request: Request) -> IntervalCommands:
    state = request.app.state
    found: IntervalCommands | None = getattr(state, "interval_commands", None)
    if found is None:
        found = state.interval_commands = IntervalCommands(state.registry.engine)
    return found


CommandsDep = Annotated[IntervalCommands, Depends(commands_of)]


class IntervalIn(BaseModel):
    model_config = {"extra": "forbid"}

    interval_s: float = Field(ge=bounds.INTERVAL_MIN_S, le=bounds.INTERVAL_S.high, strict=True,
                              allow_inf_nan=False,
                              description=f"Seconds between readings, "
                                          f"{bounds.INTERVAL_MIN_S:g}–"
                                          f"{bounds.INTERVAL_S.high:g}")
    expires_s: int = Field(DEFAULT_EXPIRES_S, ge=10, le=86_400,
                           description="How long the command may wait for a node that is "
                                       "offline (the gateway holds it)")


class IntervalCommandPublic(BaseModel):
    id: str
    interval_s: float
    by: str
    at: str = Field(description="When the centre sent it (ISO 8601 UTC)")
    at_ms: int
    expires_t: int = Field(description="Not obeyed after this (epoch ms)")
    status: IntervalStatus


class IntervalPublic(BaseModel):
    device: str
    online: bool | None
    interval_s: float | None = Field(description="As the node's status last reported it")
    command: IntervalCommandPublic | None = Field(description="The newest set_interval sent")


def interval_status(cmd: IntervalCommand, device: DeviceInfo, now: int) -> IntervalStatus:
    if (device.online and device.interval_s == cmd.interval_s
            and device.status_at is not None and device.status_at >= cmd.at):
        return "confirmed"
    return "expired" if now >= cmd.expires_t else "pending"


def _device(registry: Registry, site: str, pond: str, device: str) -> DeviceInfo:
    registry.pond(site, pond)
    for d in registry.devices(site, pond):
        if d.slug == device:
            return d
    raise NotFound(f"no device {device!r} in pond {site}/{pond}")


def _public(device: DeviceInfo, cmd: IntervalCommand | None, now: int) -> IntervalPublic:
    command = None if cmd is None else IntervalCommandPublic(
        id=cmd.id, interval_s=cmd.interval_s, by=cmd.by, at=iso(cmd.at), at_ms=cmd.at,
        expires_t=cmd.expires_t, status=interval_status(cmd, device, now))
    return IntervalPublic(device=device.slug, online=device.online,
                          interval_s=device.interval_s, command=command)


@router.get("", response_model=IntervalPublic,
            summary="A node's reading interval and the newest set_interval sent to it")
def get_interval(site: str, pond: str, device: str, _: SiteUser, registry: RegistryDep,
                 commands: CommandsDep) -> IntervalPublic:
    info = _device(registry, site, pond, device)
    return _public(info, commands.newest(DeviceRef(site, pond, device)), now_ms())


@router.post("", response_model=IntervalPublic, status_code=202,
             summary="Set a node's reading interval (set_interval, via the gateway)")
def set_interval(request: Request, site: str, pond: str, device: str, body: IntervalIn,
                 user: Writer, registry: RegistryDep, commands: CommandsDep) -> IntervalPublic:
    info = _device(registry, site, pond, device)
    now, ref = now_ms(), DeviceRef(site, pond, device)
    by, command_id = f"user:{user.username}"[:64], secrets.token_hex(8)
    expires_t = now + body.expires_s * 1000
    publish_command(request, ref, encode_command(Command("set_interval", body.interval_s,
                                                         expires_t, by, command_id)))
    cmd = commands.record(ref, body.interval_s, by, now, command_id=command_id,
                          expires_t=expires_t)
    return _public(info, cmd, now)
