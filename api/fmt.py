"""How the pages and the printable reports write numbers, money, dates and times.

One module, registered as Jinja filters on both template environments (``install``), so
every page writes ``1.234,5``, ``Rp 3.980.000``, ``24/11/2026 14:25 WIB`` in Indonesian and
``1,234.5``, ``Rp 3,980,000``, ``24 Nov 2026 14:25 WIB`` in English (DESIGN.md, "Time and
place"). Times are 24-hour, in the site's time zone: its record's ``timezone`` (WIB
Asia/Jakarta, WITA Asia/Makassar, WIT Asia/Jayapura; ``zone``). The filters read ``lang``
and the zone from the template's context (``tz``, else the zone of its ``site`` through
``names``; a filter may name another site, ``t|datetime(site=a.site)``); the printable
reports have no ``lang`` and are Indonesian.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from kolam.errors import NotFound
from kolam.places import DEFAULT_TIMEZONE, display_zone
from kolam.timeutil import WIB, from_ms
from kolam.timeutil import zone_name as zone_name  # the pages' fmt.zone_name

if TYPE_CHECKING:  # the gateway's kiosk renders with these filters, without the registry
    from kolam.registry.repo import Registry, SiteInfo

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


zone = display_zone
"""The zone a site's times are shown in (``kolam.places.display_zone``, which the alert
messages share): WIB for no record or the default, else the record's zone."""


def zone_iana(tz: tzinfo | None = None) -> str:
    """The zone's IANA name, for the browser's ``Intl`` (charts, live banner, kiosk clock)."""
    return str(getattr(tz, "key", DEFAULT_TIMEZONE))


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


def date(t_ms: int | None, lang: str = "id", tz: tzinfo | None = None) -> str:
    """``24/11/2026`` (id) or ``24 Nov 2026`` (en), in the site's zone ``tz`` (WIB)."""
    if t_ms is None:
        return "—"
    d = from_ms(t_ms).astimezone(tz or WIB)
    return d.strftime("%d/%m/%Y") if lang != "en" else f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def day(t_ms: int | None, lang: str = "id", tz: tzinfo | None = None) -> str:
    """The date without the year: ``24/11`` (id) or ``24 Nov`` (en)."""
    if t_ms is None:
        return "—"
    d = from_ms(t_ms).astimezone(tz or WIB)
    return d.strftime("%d/%m") if lang != "en" else f"{d.day} {_MONTHS_EN[d.month - 1]}"


def clock(t_ms: int | None, tz: tzinfo | None = None, *, named: bool = True) -> str:
    """``14:25 WIB``: 24-hour time in the site's zone, named unless ``named=False``."""
    if t_ms is None:
        return "—"
    text = from_ms(t_ms).astimezone(tz or WIB).strftime("%H:%M")
    return f"{text} {zone_name(tz, t_ms)}" if named else text


def datetime(t_ms: int | None, lang: str = "id", tz: tzinfo | None = None, *,
             year: bool = True) -> str:
    """``24/11/2026 14:25 WIB``; ``24/11 14:25 WIT`` with ``year=False`` at a WIT site."""
    if t_ms is None:
        return "—"
    when = date(t_ms, lang, tz) if year else day(t_ms, lang, tz)
    return f"{when} {clock(t_ms, tz)}"


class Names:
    """Sites' and ponds' names for the slugs a page holds: pages show names, never slugs.
    Each site's ponds are read once per page; an unknown slug is shown as it is."""

    def __init__(self, registry: Registry | None) -> None:
        self._registry = registry
        self._sites: dict[str, SiteInfo | None] = {}
        self._ponds: dict[str, dict[str, str]] = {}

    def _site(self, slug: str) -> SiteInfo | None:
        if slug not in self._sites:
            try:
                self._sites[slug] = self._registry.site(slug) if self._registry else None
            except NotFound:
                self._sites[slug] = None
        return self._sites[slug]

    def site(self, slug: str) -> str:
        info = self._site(slug)
        return (info.name if info else "") or slug

    def zone(self, slug: str) -> tzinfo:
        """The site's time zone (its record's; WIB for an unknown site)."""
        info = self._site(slug)
        return zone(info.timezone if info else None)

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


def zone_of(ctx: Context | Mapping[str, Any], site: str | None = None) -> tzinfo:
    """The zone a template writes times in: ``site``'s when named, else the context's
    ``tz``, else its ``site``'s (through ``names``), else WIB."""
    if site is None:
        tz = ctx.get("tz")
        if isinstance(tz, tzinfo):
            return tz
        here = ctx.get("site")
        site = here if isinstance(here, str) else getattr(here, "slug", None)
    names = ctx.get("names")
    if site and isinstance(names, Names):
        return names.zone(site)
    return WIB


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
def _date_f(ctx: Context, t_ms: int | None, site: str | None = None) -> str:
    return date(t_ms, _lang(ctx), zone_of(ctx, site))


@pass_context
def _day_f(ctx: Context, t_ms: int | None, site: str | None = None) -> str:
    return day(t_ms, _lang(ctx), zone_of(ctx, site))


@pass_context
def _clock_f(ctx: Context, t_ms: int | None, site: str | None = None) -> str:
    return clock(t_ms, zone_of(ctx, site))


@pass_context
def _datetime_f(ctx: Context, t_ms: int | None, year: bool = True,
                site: str | None = None) -> str:
    return datetime(t_ms, _lang(ctx), zone_of(ctx, site), year=year)


@pass_context
def _wib_g(ctx: Context, t_ms: int | None, lang: str | None = None) -> str:
    """The pages' ``wib(t)``: date and time in the page's site's zone (named for its
    first use, WIB; it writes WITA and WIT too)."""
    return datetime(t_ms, lang or _lang(ctx), zone_of(ctx))


FILTERS: dict[str, Any] = {
    "num": _num_f, "whole": _int_f, "rupiah": _rupiah_f, "pct": _pct_f, "date": _date_f,
    "day": _day_f, "clock": _clock_f, "datetime": _datetime_f,
    # The printable reports' older names.
    "wib_date": _date_f,
}


def install(env: Environment) -> None:
    """Register the filters (``{{ x|num(2) }}``, ``{{ t|datetime }}``...) on ``env``."""
    env.filters.update(FILTERS)
    env.globals.update(tz_name=zone_name(), tz_iana=zone_iana(), wib=_wib_g)
