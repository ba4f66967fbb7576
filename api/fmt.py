"""How the pages and the printable reports write numbers, money, dates and times.

One module, registered as Jinja filters on both template environments (``install``), so
every page writes ``1.234,5``, ``Rp 3.980.000``, ``24/11/2026 14:25 WIB`` in Indonesian and
``1,234.5``, ``Rp 3,980,000``, ``24 Nov 2026 14:25 WIB`` in English (DESIGN.md, "Time and
place"). Times are 24-hour, in the site's time zone (``zone``: WIB for every site for now).
The filters read ``lang`` from the template's context; the printable reports have none
and are Indonesian.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from kolam.errors import NotFound
from kolam.timeutil import WIB, from_ms

if TYPE_CHECKING:  # the gateway's kiosk renders with these filters, without the registry
    from kolam.registry.repo import Registry

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def zone(site: str | None = None) -> tzinfo:
    """The time zone a site's times are shown in: WIB (Asia/Jakarta) for every site for now;
    the one place to change when sites carry their own (WITA, WIT)."""
    return WIB


def zone_name(site: str | None = None) -> str:
    return str(zone(site).tzname(None))


def zone_iana(site: str | None = None) -> str:
    """The zone's IANA name, for the browser's ``Intl`` (charts, live banner)."""
    return "Asia/Jakarta"


def number(value: float | None, decimals: int = 1, lang: str = "id") -> str:
    """``1234.5`` → ``1.234,5`` (id) or ``1,234.5`` (en); ``—`` for no value."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # no "-0,0"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def rupiah(value: float | None, lang: str = "id") -> str:
    """``Rp 3.980.000`` (id) or ``Rp 3,980,000`` (en)."""
    return "—" if value is None else "Rp " + number(value, 0, lang)


def percent(value: float | None, decimals: int = 1, lang: str = "id") -> str:
    return "—" if value is None else f"{number(value, decimals, lang)} %"


def date(t_ms: int | None, lang: str = "id", site: str | None = None) -> str:
    """``24/11/2026`` (id) or ``24 Nov 2026`` (en), in the site's zone."""
    if t_ms is None:
        return "—"
    d = from_ms(t_ms).astimezone(zone(site))
    return d.strftime("%d/%m/%Y") if lang != "en" else f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def day(t_ms: int | None, lang: str = "id", site: str | None = None) -> str:
    """The date without the year: ``24/11`` (id) or ``24 Nov`` (en)."""
    if t_ms is None:
        return "—"
    d = from_ms(t_ms).astimezone(zone(site))
    return d.strftime("%d/%m") if lang != "en" else f"{d.day} {_MONTHS_EN[d.month - 1]}"


def clock(t_ms: int | None, site: str | None = None, *, named: bool = True) -> str:
    """``14:25 WIB``: 24-hour time in the site's zone, named unless ``named=False``."""
    if t_ms is None:
        return "—"
    text = from_ms(t_ms).astimezone(zone(site)).strftime("%H:%M")
    return f"{text} {zone_name(site)}" if named else text


def datetime(t_ms: int | None, lang: str = "id", site: str | None = None, *,
             year: bool = True) -> str:
    """``24/11/2026 14:25 WIB``; ``24/11 14:25 WIB`` with ``year=False``."""
    if t_ms is None:
        return "—"
    when = date(t_ms, lang, site) if year else day(t_ms, lang, site)
    return f"{when} {clock(t_ms, site)}"


class Names:
    """Sites' and ponds' names for the slugs a page holds: pages show names, never slugs.
    Each site's ponds are read once per page; an unknown slug is shown as it is."""

    def __init__(self, registry: Registry | None) -> None:
        self._registry = registry
        self._sites: dict[str, str] = {}
        self._ponds: dict[str, dict[str, str]] = {}

    def site(self, slug: str) -> str:
        if slug not in self._sites:
            try:
                self._sites[slug] = self._registry.site(slug).name if self._registry else slug
            except NotFound:
                self._sites[slug] = slug
        return self._sites[slug] or slug

    def pond(self, site: str, slug: str) -> str:
        if site not in self._ponds:
            try:
                ponds = self._registry.ponds(site) if self._registry else []
            except NotFound:
                ponds = []
            self._ponds[site] = {p.slug: p.name for p in ponds}
        return self._ponds[site].get(slug) or slug


def _lang(ctx: Context) -> str:
    return "en" if ctx.get("lang") == "en" else "id"


@pass_context
def _num_f(ctx: Context, value: float | None, decimals: int = 1) -> str:
    return number(value, decimals, _lang(ctx))


@pass_context
def _int_f(ctx: Context, value: float | None) -> str:
    return number(value, 0, _lang(ctx))


@pass_context
def _rupiah_f(ctx: Context, value: float | None) -> str:
    return rupiah(value, _lang(ctx))


@pass_context
def _pct_f(ctx: Context, value: float | None, decimals: int = 1) -> str:
    return percent(value, decimals, _lang(ctx))


@pass_context
def _date_f(ctx: Context, t_ms: int | None) -> str:
    return date(t_ms, _lang(ctx), ctx.get("site"))


@pass_context
def _day_f(ctx: Context, t_ms: int | None) -> str:
    return day(t_ms, _lang(ctx), ctx.get("site"))


@pass_context
def _clock_f(ctx: Context, t_ms: int | None) -> str:
    return clock(t_ms, ctx.get("site"))


@pass_context
def _datetime_f(ctx: Context, t_ms: int | None, year: bool = True) -> str:
    return datetime(t_ms, _lang(ctx), ctx.get("site"), year=year)


FILTERS: dict[str, Any] = {
    "num": _num_f, "whole": _int_f, "rupiah": _rupiah_f, "pct": _pct_f, "date": _date_f,
    "day": _day_f, "clock": _clock_f, "datetime": _datetime_f,
    # The printable reports' older names.
    "wib_date": _date_f,
}


def install(env: Environment) -> None:
    """Register the filters (``{{ x|num(2) }}``, ``{{ t|datetime }}``...) on ``env``."""
    env.filters.update(FILTERS)
    env.globals.update(tz_name=zone_name(), tz_iana=zone_iana())
