"""Plain instructions for the kiosk: what to do now, and today's tasks.

"What to do now" comes from the pond's open alerts (the advice texts of
``kolam.alerts.messages``, most severe first) and from today's feed ration
(``kolam.farming.kpi.feed_advice``, already halved in cold or low-oxygen water) — never from one
reading. The alert rules already know that a green-water pond passes pH 8.5 on a sunny
afternoon, or that a probe flickers; a single reading does not. So a healthy pond on a
healthy afternoon is told it is fine, whatever its newest pH. Tasks follow the
programme's daily routine (DOMAIN.md: 2–3 meals a day, weekly sampling, a partial water
exchange every ~10 days) and are ticked off by the logs recorded today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import TYPE_CHECKING, Protocol

from api.i18n import label, num, t
from api.status import AlertFacts, rank
from kolam.alerts.messages import TEXTS
from kolam.farming.routine import DAY_MS, FEED_CUT_FACTOR, MEALS_PER_DAY
from kolam.registry.records import LogKind
from kolam.timeutil import WIB, local_day_start_ms

if TYPE_CHECKING:  # the gateway's kiosk builds tiles without the KPI machinery (numpy)
    from kolam.farming.kpi import FeedAdvice

STOP_FEEDING_RULES = frozenset({"do_low", "do_nh3", "nh3_high", "do_forecast", "aerator_failed"})
"""Their advice already says to cut or stop feeding: no ration line beside it."""
CUT_FEEDING_RULES = frozenset({"temp_low", "temp_high", "temp_drop", "ph_high", "no2_high"})
"""Their advice says to cut feeding: the ration shown beside it is the cut one (halved, as
``kolam.farming.kpi.feed_advice`` halves it in cold or low-oxygen water, DOMAIN.md), never the full
ration under "kurangi pakan"."""
SAMPLING_EVERY_DAYS = 7
EXCHANGE_EVERY_DAYS = 10
_WIB_MS = 7 * 3_600_000


class AlertText(AlertFacts, Protocol):
    """What the advice reads of an alert (``AlertInfo``, ``kolam.kiosk.LocalAlarm``)."""

    @property
    def rule(self) -> str: ...
    @property
    def metric(self) -> str | None: ...
    @property
    def device(self) -> str | None: ...


class DoneWork(Protocol):
    """What today's tasks read of a log (``LogInfo``; a log kept at the gateway)."""

    @property
    def kind(self) -> LogKind: ...
    @property
    def at(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Advice:
    text: str
    severity: str
    """critical | warning | info | ok: the colour of the line."""


@dataclass(frozen=True, slots=True)
class Task:
    text: str
    done: bool
    at_min: int = 0
    """When in the day it is done, minutes after local midnight (the round's order)."""
    href: str | None = None
    """A guide to doing it (``/procedures/{kind}``), or the form that records it."""
    late: bool = False
    """Past its due date (probe care)."""
    record_href: str | None = None


TASK_AT_MIN = {"task_dead": 6 * 60 + 30, "task_sample": 7 * 60 + 50, "meal_1": 8 * 60,
               "meal_2": 12 * 60, "task_water": 15 * 60, "meal_3": 17 * 60}
"""The morning round first (dead fish at first light, probe care, sampling before the
first meal, fish weighed unfed), then the meals of DOMAIN.md's 2–3 a day; the water
exchange in the afternoon."""


def alert_title(a: AlertText, lang: str) -> str:
    title_id, title_en, _, _ = TEXTS.get(a.rule, (a.rule, a.rule, "", ""))
    fill = {"metric": label(a.metric or "", lang), "device": a.device or ""}
    return (title_en if lang == "en" else title_id).format(**fill)


def alert_advice(a: AlertText, lang: str) -> str:
    _, _, advice_id, advice_en = TEXTS.get(a.rule, ("", "", "", ""))
    fill = {"metric": label(a.metric or "", lang), "device": a.device or ""}
    return (advice_en if lang == "en" else advice_id).format(**fill)


def what_to_do(status: str, alerts: Sequence[AlertText], feed: FeedAdvice | None,
               lang: str) -> list[Advice]:
    """What the trainees do now: the open alerts' advice, most severe first, then today's
    ration; when no alert is open and the ration is the full one, first that all is well.

    One message per cause: a pond without data is told to check its sensor once, by the
    device-offline alert naming the device when there is one, else by a general line."""
    out: list[Advice] = []
    if status == "offline" and not any(a.rule == "offline" for a in alerts):
        out.append(Advice(t(lang, "offline_do"), "warning"))
    seen: set[str] = set()
    for a in sorted(alerts, key=lambda a: -rank(a.severity)):
        text = f"{alert_title(a, lang)}: {alert_advice(a, lang)}"
        if text not in seen:
            seen.add(text)
            out.append(Advice(text, a.severity))
    if status != "offline" and not alerts and not (feed is not None and feed.reduced):
        out.append(Advice(t(lang, "all_good"), "ok"))
    stop = any(a.rule in STOP_FEEDING_RULES for a in alerts)
    if feed is not None and not feed.reduced and any(a.rule in CUT_FEEDING_RULES
                                                     for a in alerts):
        # The alert's own advice says why: no second "feed halved" line for the same cause.
        feed = replace(feed, kg_per_day=feed.kg_per_day * FEED_CUT_FACTOR,
                       kg_per_meal=feed.kg_per_meal * FEED_CUT_FACTOR, reduced=True,
                       reason=None)
    if feed is not None and not stop:
        out.append(Advice(t(lang, "feed_do", kg=f"{num(feed.kg_per_meal, 1, lang)} kg",
                            per_day=f"{num(feed.kg_per_day, 1, lang)} kg",
                            meals=MEALS_PER_DAY), "info"))
        if feed.reduced and feed.reason:
            out.append(Advice(t(lang, "feed_cut", why=feed.reason), "warning"))
    return out


def wib_day_start(now_ms: int) -> int:
    """00:00 WIB of the day containing ``now_ms``."""
    return (now_ms + _WIB_MS) // DAY_MS * DAY_MS - _WIB_MS


def todays_tasks(logs: Sequence[DoneWork], stocked_at: int | None, now_ms: int,
                 lang: str, tz: tzinfo = WIB) -> list[Task]:
    """Today's tasks of a pond; "today" is the local day in ``tz``, the site's zone.

    Without the stocking date (the gateway's kiosk knows only the logs entered there) the
    weekly sampling and the water exchange are left out: when they are due is not known."""
    today = local_day_start_ms(now_ms, tz)
    todays = [e for e in logs if e.at >= today]
    feedings = sum(e.kind is LogKind.FEEDING for e in todays)
    tasks = [Task(t(lang, "task_feed", meal=t(lang, f"meal_{i}")), feedings >= i,
                  TASK_AT_MIN[f"meal_{i}"]) for i in range(1, MEALS_PER_DAY + 1)]
    tasks.append(Task(t(lang, "task_dead"), any(e.kind is LogKind.MORTALITY for e in todays),
                      TASK_AT_MIN["task_dead"]))

    if stocked_at is None:
        return tasks

    def last(kind: LogKind, stocked_at: int = stocked_at) -> int:
        return max((e.at for e in logs if e.kind is kind), default=stocked_at)

    for kind, every, key in ((LogKind.SAMPLING, SAMPLING_EVERY_DAYS, "task_sample"),
                             (LogKind.WATER_EXCHANGE, EXCHANGE_EVERY_DAYS, "task_water")):
        newest = last(kind)
        if newest >= today:
            tasks.append(Task(t(lang, key), True, TASK_AT_MIN[key]))
        elif now_ms - newest >= every * DAY_MS:
            tasks.append(Task(t(lang, key), False, TASK_AT_MIN[key]))
    return tasks


def in_order(tasks: list[Task]) -> list[Task]:
    """The day's round in the order it is walked (``Task.at_min``)."""
    return sorted(tasks, key=lambda x: x.at_min)
