"""The largest plausible value of every quantity a person types, and the dates accepted.

A kiosk once logged ``feed_kg`` 1e308 and a price of ``1e999`` was stored as infinity
(issue #15): FCR became null and the CSV showed ``inf``. Each bound below is a generous
multiple of the largest real value, worked out from DOMAIN.md ("Production") and
explained in docs/security.md ("Limits and input checks"), so a typo of a few extra zeros
or a crafted number is refused while no real farm is. Every number is also finite.

The API's request models use the ``Annotated`` types here (pydantic ``Field`` limits and
``allow_inf_nan=False``: 422 with the field's path, and the limits in the OpenAPI schema);
the page forms check the same ``Bound`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field


@dataclass(frozen=True, slots=True)
class Bound:
    """At most ``high`` ``unit``; ``why`` says where the number comes from."""

    high: float
    unit: str
    why: str


# The largest pond a Kolam site plausibly has: a 100 m² tarpaulin pond at 300 fish/m², or a
# 1,000 m² earthen pond at 1 m and 150 fish/m³ (DOMAIN.md stocking densities): at most
# ~150,000 fish. Harvests at Rutan Serang are 25–30 kg.
FISH = Bound(1_000_000, "fish", "over 6x the 150,000 fish of the largest plausible pond")
FISH_PER_KG = Bound(1_000, "fish/kg", "1 g fish: the smallest seed sold by weight")
SEED_WEIGHT_G = Bound(500, "g", "seed is 1–2 g (5–7 cm) or ~10 g (8–9 cm); 500 g is 4x a "
                                "market-size fish")
SEED_LENGTH_CM = Bound(50, "cm", "seed is 5–9 cm; 50 cm is a broodstock-size lele")
FEED_KG = Bound(500, "kg per log", "the largest plausible daily ration: 30,000 fish x 125 g "
                                   "x 3 %/day ≈ 110 kg; ~4.5x that, 17 sacks of 30 kg")
SAMPLE_FISH = Bound(10_000, "fish", "a sampling weighs 30–100 fish")
SAMPLE_WEIGHT_G = Bound(1_000_000, "g", "the largest sampling (10,000 fish) at 100 g each")
HARVEST_KG = Bound(20_000, "kg", "the whole correctional system's simultaneous harvest on "
                                 "15 Jan 2026 was 19,608 kg")
PRICE_PER_KG_RP = Bound(250_000, "Rp/kg", "10x the Rp 18,000–25,000/kg farm-gate price")
AMOUNT_RP = Bound(500_000_000, "Rp", "the 19,608 kg national harvest at Rp 25,000/kg was "
                                     "worth ~Rp 490 M; feed is Rp 380,000 per 30 kg sack")
PERCENT = Bound(100, "%", "a share of the whole")
MAX_ID = 2**63 - 1
"""Record ids are 64-bit integers in the database."""

# Timestamps: epoch milliseconds from 1970 (nothing Kolam records is older) to 2200, inside
# InfluxDB's range (1677–2262, int64 nanoseconds) and well inside Python's datetime.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _in_range(value: datetime) -> datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        inside = EARLIEST <= aware < LATEST
    except OverflowError:  # year 1 at +14:00 is before year 1 in UTC
        inside = False
    if not inside:
        raise ValueError(f"dates must be from {EARLIEST.year} to before {LATEST.year}")
    return value


def _at_most(bound: Bound, *, gt: float | None = None, ge: float | None = None) -> object:
    return Field(gt=gt, ge=ge, le=bound.high, allow_inf_nan=False,
                 description=f"At most {bound.high:,.0f} {bound.unit}")


Instant = Annotated[datetime, AfterValidator(_in_range)]
"""An ISO 8601 time (naive means UTC) from 1970 to before 2200."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
FishCount = Annotated[int, _at_most(FISH, ge=1)]
FishPerKg = Annotated[float, _at_most(FISH_PER_KG, gt=0)]
SeedWeightG = Annotated[float, _at_most(SEED_WEIGHT_G, gt=0)]
SeedLengthCm = Annotated[float, _at_most(SEED_LENGTH_CM, gt=0)]
FeedKg = Annotated[float, _at_most(FEED_KG, ge=0)]
SampleFish = Annotated[int, _at_most(SAMPLE_FISH, ge=1)]
SampleWeightG = Annotated[float, _at_most(SAMPLE_WEIGHT_G, gt=0)]
HarvestKg = Annotated[float, _at_most(HARVEST_KG, gt=0)]
PricePerKgRp = Annotated[float, _at_most(PRICE_PER_KG_RP, ge=0)]
AmountRp = Annotated[float, _at_most(AMOUNT_RP, gt=0)]
CostRp = Annotated[float, _at_most(AMOUNT_RP, ge=0)]
Percent = Annotated[float, _at_most(PERCENT, ge=0)]
Finite = Annotated[float, Field(allow_inf_nan=False)]

# A node's reading interval, set from the API (``set_interval``, issue #18). The protocol
# takes 1 s–1 day; a person setting it is held to what keeps the pond watched: the gateway's
# control loop switches an aerator on as fail-safe after ``stale_after_s`` (600 s default)
# without a DO reading, and DO in a dense lele pond can fall from 4 to below 2 mg/L in well
# under an hour at night (DOMAIN.md: DO < 3 warning, < 2 critical), so one reading every
# 10 minutes is the longest that still catches it; below 10 s a battery node's radio and a
# galvanic probe's readings gain nothing (the demo and the simulator use 60 s).
INTERVAL_S = Bound(600, "s", "the control loop's default stale_after_s: a longer interval "
                             "makes every gap look like a silent probe")
INTERVAL_MIN_S = 10.0
# --- the team's business (issue #20) ---
QUANTITY = Bound(1_000_000, "units", "the most of anything a team's book or stock counts: "
                                     "1,000,000 seed fish is over 6x the largest pond")
Quantity = Annotated[float, _at_most(QUANTITY, ge=0)]
SackKg = Annotated[float, _at_most(FEED_KG, gt=0)]
"""kg per sack of feed (30 kg usually)."""
