"""The kiosk page's tiles, built from the central store and registry or from a gateway's
own data: one view, served from two places (``/kiosk/{site}`` of the API, and the gateway
at the pond, ``api.site_kiosk``).

Both sides hand ``tile`` the same facts (latest readings, open alerts or the gateway's
alarms, devices, today's logs, the outputs) and render the same template
(``pages/kiosk.html``). Light on purpose: nothing here loads the registry or the store, so
the gateway box serves the page in its own process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING

from api.advice import Advice, AlertText, DoneWork, Task, todays_tasks, what_to_do
from api.i18n import t
from api.readings import Reading, readings
from api.status import Status, pond_status
from kolam.kiosk import LocalOutput, LocalPond, SiteSource
from kolam.places import site_zone
from kolam.registry.records import LogKind

if TYPE_CHECKING:
    from api.pages.ponds import PondCard
    from kolam.farming.kpi import FeedAdvice

KEY_METRICS = ("do_mgl", "temp_c", "ph", "nh3_mgl")
"""What the kiosk tile shows: oxygen first, it kills fastest (DOMAIN.md)."""


@dataclass(frozen=True, slots=True)
class Tile:
    card: PondCard | LocalCard
    advice: list[Advice]
    tasks: list[Task]
    outputs: tuple[LocalOutput, ...] = ()
    """The pond's aerators and pumps, on or off (the gateway's loops and relays)."""
    loggable: bool = True
    """In the log form and the tasks: a stocked pond (centrally), any pond at the gateway
    (the centre applies the log to the pond's cycle)."""


def tile(card: PondCard | LocalCard, alerts: Sequence[AlertText], feed: FeedAdvice | None,
         logs: Sequence[DoneWork], stocked_at: int | None, now: int, lang: str, zone: tzinfo,
         *, outputs: tuple[LocalOutput, ...] = (), loggable: bool = True,
         loading: bool = False) -> Tile:
    """One pond's tile: what to do now from its alerts and ration, today's tasks."""
    advice = ([Advice(t(lang, "loading_do"), "info")] if loading
              else what_to_do(card.status, alerts, feed, lang))
    tasks = todays_tasks(logs, stocked_at, now, lang, zone) if loggable else []
    return Tile(card, advice, tasks, outputs, loggable)


# ---------------------------------------------------------------- the gateway's side


@dataclass(frozen=True, slots=True)
class PondName:
    site: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class LocalCard:
    """What a tile shows of a pond, from the gateway's own data (``PondCard`` centrally)."""

    pond: PondName
    status: Status
    word_key: str
    fresh: bool
    readings: dict[str, Reading]
    last_t: int | None
    cycle: None = None

    @property
    def key_readings(self) -> list[Reading]:
        return [self.readings[k] for k in KEY_METRICS if k in self.readings]


@dataclass(frozen=True, slots=True)
class _Done:
    kind: LogKind
    at: int


def local_tile(p: LocalPond, now: int, lang: str, zone: tzinfo,
               offline_after_intervals: float) -> Tile:
    status = pond_status(p.latest, p.alarms, p.devices, now, offline_after_intervals)
    card = LocalCard(PondName(p.site, p.slug, p.name), status.value, status.word_key,
                     status.fresh, readings(p.latest, p.alarms), status.last_t)
    done = [_Done(LogKind(x.kind), x.t) for x in p.logs]
    return tile(card, p.alarms, None, done, None, now, lang, zone, outputs=p.outputs,
                loading=status.loading)


def local_tiles(source: SiteSource, now: int, lang: str,
                offline_after_intervals: float) -> list[Tile]:
    zone = site_zone(source.timezone)
    return [local_tile(p, now, lang, zone, offline_after_intervals) for p in source.ponds()]
