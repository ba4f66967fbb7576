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


# Stocking densities (DOMAIN.md, "Production"): a tarpaulin pond holds 100–300 fish/m²,
# an earthen (semi-intensive) pond 50–150 fish/m³, a biofloc tank ~300–500 fish/m³.
# Concrete tanks and ponds whose kind is not recorded are judged by area like tarpaulin
# ponds, the only per-area figure there: a missing or extra zero is 10x either way.
DENSITY_PER_M2 = (100.0, 300.0)
DENSITY_PER_M3 = {"earthen": (50.0, 150.0), "biofloc": (300.0, 500.0)}
# Seed is about Rp 300 a fish (DOMAIN.md): a seed cost under a tenth or over ten times that
# per fish stocked is asked about.
SEED_RP_EACH = 300.0
SEED_RP_FACTOR = 10.0
COST_LOW_RP = 1_000.0
"""No purchase for a pond costs under Rp 1,000: "22" is most likely "22.000" typed short."""
MARKET_KG_EACH = 1 / 7
"""A market-size fish: 7–10 fish/kg (DOMAIN.md), the heaviest end."""
PRICE_TOP_RP = 25_000.0
"""The top of the Rp 18,000–25,000/kg farm-gate price (DOMAIN.md)."""


def check_density(count: int, area_m2: float | None, depth_cm: float | None,
                  kind: str | None) -> Implausible | None:
    """``count`` fish stocked in a pond of this shape, against DOMAIN.md's densities;
    ``None`` when the record has no area (nothing to judge by) or it is typical."""
    if not area_m2 or area_m2 <= 0:
        return None
    if kind in DENSITY_PER_M3:
        if not depth_cm or depth_cm <= 0:
            return None
        low, high = DENSITY_PER_M3[kind]
        density, unit = count / (area_m2 * depth_cm / 100), "fish/m³"
    else:
        low, high = DENSITY_PER_M2
        density, unit = count / area_m2, "fish/m²"
    if low <= density <= high:
        return None
    return Implausible(
        f"{count} fish in {area_m2:g} m² is {density:,.0f} {unit}; a {kind or 'tarpaulin'} "
        f"pond is stocked at {low:g}–{high:g} {unit}: resend confirmed if it is right",
        key="density_odd", count=count, area=area_m2, density=round(density),
        per=unit.removeprefix("fish/"), low=low, high=high)


def check_seed_cost(cost_rp: float, count: int) -> Implausible | None:
    """A seed cost for ``count`` fish, against about Rp 300 a fish."""
    if cost_rp <= 0 or count <= 0:
        return None
    each = cost_rp / count
    if SEED_RP_EACH / SEED_RP_FACTOR <= each <= SEED_RP_EACH * SEED_RP_FACTOR:
        return None
    return Implausible(
        f"Rp {cost_rp:,.0f} for {count} fish is Rp {each:,.0f} a fish (seed is about "
        f"Rp {SEED_RP_EACH:,.0f}): resend confirmed if it is right", key="seed_cost_odd",
        cost=cost_rp, count=count, each=round(each), usual=SEED_RP_EACH)


def check_cost(amount_rp: float, category: str, seed_count: int) -> Implausible | None:
    """A cost of a cycle stocked with ``seed_count`` fish: under Rp 1,000, a seed cost far
    from Rp 300 a fish, or more than the whole harvest could sell for, is asked about."""
    if amount_rp < COST_LOW_RP:
        return Implausible(
            f"Rp {amount_rp:,.0f} is less than Rp {COST_LOW_RP:,.0f}: did you mean "
            f"Rp {amount_rp * 1000:,.0f}? Resend confirmed if it is right", key="cost_low",
            amount=amount_rp, meant=amount_rp * 1000)
    if category == "seed":
        return check_seed_cost(amount_rp, seed_count)
    worth = seed_count * MARKET_KG_EACH * PRICE_TOP_RP
    if seed_count > 0 and amount_rp > worth:
        return Implausible(
            f"Rp {amount_rp:,.0f} is more than the whole harvest of {seed_count} fish could "
            f"sell for (~Rp {worth:,.0f}): resend confirmed if it is right", key="cost_high",
            amount=amount_rp, worth=round(worth), count=seed_count)
    return None


# Manual readings a pond does not show (DOMAIN.md, water quality and daily cycles):
# green water exceeds saturation up to ~15 mg/L DO; pH beyond 4–11 and water outside
# 15–40 °C are not a lele pond's; TAN beyond 10 mg/L N is far past every alarm. Inside the
# catalogue's possible range, so a typo (a misplaced comma) is asked about, not refused.
READING_ASK = {"do_mgl": (0.0, 20.0), "ph": (4.0, 11.0), "temp_c": (15.0, 40.0),
               "tan_mgl": (0.0, 10.0)}


def check_reading(metric: str, value: float) -> Implausible | None:
    band = READING_ASK.get(metric)
    if band is None or band[0] <= value <= band[1]:
        return None
    return Implausible(
        f"{metric} {value:g} is outside {band[0]:g}–{band[1]:g}, more than a pond shows: "
        "resend confirmed if it is right", key="reading_odd", field=f"f_{metric}",
        value=value, low=band[0], high=band[1])
