"""Is a farming record plausible for this pond? Typos caught before they become KPIs.

``kolam.farming.bounds`` refuses what no farm could type (1e308 kg); this module asks about what
is possible somewhere but not in *this* pond: 500 kg of feed into a pond of 41 kg of fish
left FCR at 15.1, a sampling's total weight taken as the per-fish weight dropped ABW from
18.5 to 0.6 g, a price of "22.000" read as Rp 22/kg (issue #17). Each check returns an
``Implausible`` (stored only when the person confirms) or, for what cannot be true, an
``InvalidRecord``; ``None`` when the value is plausible. Pure functions: the registry
passes what it knows about the pond (``kolam.registry.entries``).

Limits, from DOMAIN.md ("Production"):
- feed: the daily ration is 2–10 % of body weight (8–10 % under 5 g, 2 % over 100 g);
  a day's feed above 1.5× the table rate, and never less than 10 % of the biomass, is
  asked about.
- growth: SGR is ~6–8 %/day at first, falling to ~3 %/day; a sampling implying more than
  15 %/day since the previous one is asked about. Fish do not shrink: an ABW below half
  the previous one is asked about, below a fifth (the total typed as per-fish weight, or
  the other way round) refused.
- mortality: a log of more than 10 % of the fish alive in one go (a crash) is asked about.
- price: farm gate Rp 18,000–25,000/kg; outside Rp 5,000–60,000/kg is asked about.
- harvest: more than twice the estimated standing biomass is asked about.
"""

from __future__ import annotations

import math

from kolam.errors import Implausible, InvalidRecord

FEED_MIN_DAY_PCT = 10.0
FEED_TABLE_FACTOR = 1.5
SGR_MAX_PCT_DAY = 15.0
ABW_FALL_ASK = 0.5
ABW_FALL_REFUSE = 0.2
DEAD_ASK_FRACTION = 0.10
PRICE_LOW_RP, PRICE_HIGH_RP = 5_000.0, 60_000.0
HARVEST_BIOMASS_FACTOR = 2.0
EXCHANGE_ASK_PCT = 50.0


def feed_day_limit_kg(biomass_kg: float, table_rate_pct: float) -> float:
    """The most feed a day that is not asked about, for this biomass and table rate."""
    return biomass_kg * max(FEED_MIN_DAY_PCT, FEED_TABLE_FACTOR * table_rate_pct) / 100


def check_feed(feed_kg: float, day_kg_before: float, biomass_kg: float,
               table_rate_pct: float) -> Implausible | None:
    day = day_kg_before + feed_kg
    limit = feed_day_limit_kg(biomass_kg, table_rate_pct)
    if day <= limit or biomass_kg <= 0:
        return None
    pct = 100 * day / biomass_kg
    return Implausible(
        f"{feed_kg:g} kg of feed makes {day:g} kg today, {pct:.0f} % of the pond's "
        f"~{biomass_kg:.1f} kg of fish (the most plausible is ~{limit:.1f} kg a day): "
        "resend confirmed if it is right", key="feed_high", kg=round(feed_kg, 2),
        day=round(day, 2), pct=round(pct), biomass=round(biomass_kg, 1),
        limit=round(limit, 1))


def check_sampling(count: int, total_g: float, alive: int, prev_abw_g: float,
                   days: float) -> InvalidRecord | None:
    if count > alive:
        return InvalidRecord(f"{count} fish weighed is more than the {alive} alive",
                             key="sample_too_many", count=count, alive=alive)
    abw = total_g / count
    ratio = abw / prev_abw_g
    if ratio < ABW_FALL_REFUSE:
        return InvalidRecord(
            f"{count} fish weighing {total_g:g} g in all is {abw:.1f} g a fish, under a fifth "
            f"of the {prev_abw_g:.1f} g before: the weight is the TOTAL of the fish weighed "
            "(if the earlier sampling is wrong, correct it first)", key="abw_impossible",
            count=count, total=round(total_g, 1), abw=round(abw, 1),
            prev=round(prev_abw_g, 1))
    if ratio < ABW_FALL_ASK:
        return Implausible(
            f"{abw:.1f} g a fish is less than half the {prev_abw_g:.1f} g before: fish do "
            "not shrink; resend confirmed if it is right", key="abw_fell",
            abw=round(abw, 1), prev=round(prev_abw_g, 1))
    sgr = 100 * math.log(ratio) / max(days, 1.0)
    if sgr > SGR_MAX_PCT_DAY:
        return Implausible(
            f"{abw:.1f} g a fish after {prev_abw_g:.1f} g {days:.0f} days before is "
            f"{sgr:.0f} %/day of growth (lele grow at most ~8 %/day): resend confirmed if "
            "it is right", key="abw_rose", abw=round(abw, 1), prev=round(prev_abw_g, 1),
            days=round(days), sgr=round(sgr))
    return None


def check_mortality(dead: int, alive: int) -> Implausible | None:
    if alive <= 0 or dead <= DEAD_ASK_FRACTION * alive:
        return None
    return Implausible(f"{dead} dead is {100 * dead / alive:.0f} % of the {alive} fish alive: "
                       "resend confirmed if it is right", key="dead_many", dead=dead,
                       alive=alive, pct=round(100 * dead / alive))


def check_exchange(pct: float) -> Implausible | None:
    if pct <= EXCHANGE_ASK_PCT:
        return None
    return Implausible(f"exchanging {pct:g} % of the water is more than half the pond: "
                       "resend confirmed if it is right", key="exchange_high", pct=pct)


def check_price(price_per_kg_rp: float) -> Implausible | None:
    if price_per_kg_rp == 0 or PRICE_LOW_RP <= price_per_kg_rp <= PRICE_HIGH_RP:
        return None
    return Implausible(
        f"Rp {price_per_kg_rp:,.0f}/kg is outside Rp {PRICE_LOW_RP:,.0f}–{PRICE_HIGH_RP:,.0f}"
        "/kg (farm gate is Rp 18,000–25,000/kg): resend confirmed if it is right",
        key="price_odd", price=price_per_kg_rp, low=PRICE_LOW_RP, high=PRICE_HIGH_RP)


def check_harvest_kg(kg: float, biomass_kg: float) -> Implausible | None:
    if biomass_kg <= 0 or kg <= HARVEST_BIOMASS_FACTOR * biomass_kg:
        return None
    return Implausible(f"{kg:g} kg is more than twice the ~{biomass_kg:.1f} kg of fish "
                       "estimated in the pond: resend confirmed if it is right",
                       key="harvest_heavy", kg=kg, biomass=round(biomass_kg, 1))
