"""Dependencies shared by the routers and the pages: the config, store, registry, record
stores, alerts and the signing key (what ``api.app.create_app`` puts on ``app.state``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.live_streams import MAX_STREAM_S, POLL_S, LiveTimes, StreamSlots
from kolam.config import KolamConfig
from kolam.registry.ack_links import AckLinks
from kolam.registry.alerts import Alerts
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.maintenance import Maintenance
from kolam.registry.people import People
from kolam.registry.places import Places
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.registry.users import Users
from kolam.store.base import TimeSeriesReader


def _config(request: Request) -> KolamConfig:
    return request.app.state.config  # type: ignore[no-any-return]


def _store(request: Request) -> TimeSeriesReader:
    return request.app.state.store  # type: ignore[no-any-return]


def _registry(request: Request) -> Registry:
    return request.app.state.registry  # type: ignore[no-any-return]


ConfigDep = Annotated[KolamConfig, Depends(_config)]
StoreDep = Annotated[TimeSeriesReader, Depends(_store)]
RegistryDep = Annotated[Registry, Depends(_registry)]


def _users(request: Request) -> Users:
    return request.app.state.users  # type: ignore[no-any-return]


def _teams(request: Request) -> Teams:
    return request.app.state.teams  # type: ignore[no-any-return]


def _cycles(request: Request) -> Cycles:
    return request.app.state.cycles  # type: ignore[no-any-return]


def _entries(request: Request) -> Entries:
    return request.app.state.entries  # type: ignore[no-any-return]


def _corrections(request: Request) -> Corrections:
    return request.app.state.corrections  # type: ignore[no-any-return]


UsersDep = Annotated[Users, Depends(_users)]
TeamsDep = Annotated[Teams, Depends(_teams)]
CyclesDep = Annotated[Cycles, Depends(_cycles)]
EntriesDep = Annotated[Entries, Depends(_entries)]


def _alerts(request: Request) -> Alerts:
    return request.app.state.alerts  # type: ignore[no-any-return]


def _secret_key(request: Request) -> str:
    return request.app.state.secret_key  # type: ignore[no-any-return]


AlertsDep = Annotated[Alerts, Depends(_alerts)]
SecretKeyDep = Annotated[str, Depends(_secret_key)]
CorrectionsDep = Annotated[Corrections, Depends(_corrections)]


def _places(registry: RegistryDep) -> Places:
    return Places(registry.engine)


PlacesDep = Annotated[Places, Depends(_places)]


def _live_slots(request: Request) -> StreamSlots:
    return request.app.state.live_slots  # type: ignore[no-any-return]


def _live_times(request: Request) -> LiveTimes:
    # Tests shorten the live streams by setting ``app.state.live_poll_s`` and
    # ``live_max_stream_s``; the service keeps the defaults.
    state = request.app.state
    return LiveTimes(getattr(state, "live_poll_s", POLL_S),
                     getattr(state, "live_max_stream_s", MAX_STREAM_S))


LiveSlotsDep = Annotated[StreamSlots, Depends(_live_slots)]
LiveTimesDep = Annotated[LiveTimes, Depends(_live_times)]


# --- probe care (#17 item 5) ---
def _maintenance(registry: RegistryDep) -> Maintenance:
    return Maintenance(registry.engine)


MaintenanceDep = Annotated[Maintenance, Depends(_maintenance)]
# --- roster (#21): people on call and one-time acknowledgement links ---
def _people(registry: RegistryDep) -> People:
    return People(registry.engine)


def _ack_links(registry: RegistryDep) -> AckLinks:
    return AckLinks(registry.engine)


PeopleDep = Annotated[People, Depends(_people)]
AckLinksDep = Annotated[AckLinks, Depends(_ack_links)]
# --- umkm (issue #20): the teams' cash books and stock cards ---
from kolam.registry.cashbook import Business  # noqa: E402


def _business(registry: RegistryDep) -> Business:
    return Business(registry.engine)


BusinessDep = Annotated[Business, Depends(_business)]
