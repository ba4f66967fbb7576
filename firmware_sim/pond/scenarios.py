"""Named scenarios: what the weather, the aerators, the farmer and the probes do.

Days count WIB calendar days from the simulation's first day (day 0); hours are WIB.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware_sim.pond.weather import Storm, WeatherSpec


@dataclass(frozen=True, slots=True)
class AeratorOutage:
    """Aerators off (power cut or motor failure); ponds=None means every pond."""

    day: int
    start_h: float
    duration_h: float
    ponds: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Leak:
    """A leak in one pond (a torn liner or an open outlet), in cm of level per hour."""

    day: int
    start_h: float
    duration_h: float
    cm_per_h: float
    pond: int = 0


@dataclass(frozen=True, slots=True)
class DieOff:
    """Part of the plankton bloom dies at once; its decay then consumes oxygen."""

    day: int
    hour: float
    share: float


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything that distinguishes one simulated week from another."""

    name: str
    description: str
    weather: WeatherSpec = field(default_factory=WeatherSpec)
    aerator_outages: tuple[AeratorOutage, ...] = ()
    leaks: tuple[Leak, ...] = ()
    die_offs: tuple[DieOff, ...] = ()
    feed_factor: float = 1.0
    nitrif_factor: float = 1.0
    uptake_factor: float = 1.0
    stocking_factor: float = 1.0
    aerator_factor: float = 1.0
    bloom_factor: float = 1.0  # multiplies the bloom's capacity (chl-a)
    variants: bool = True  # False: every pond typical (no dense, clear or heavy-bloom ones)
    sensor_faults: bool = False
    biofloc: bool = False
    # Days into the grow-out cycle at the start (each pond draws one in the range); None
    # uses params.CYCLE_DAY_AT_START. Crash scenarios need the biomass of a late cycle.
    cycle_days: tuple[float, float] | None = None
    # Aeration schedule (WIB): on from aerator_on_h to aerator_off_h. The rutan's blowers run
    # day and night (on at 00:00, never off), as dense tarpaulin ponds need.
    aerator_on_h: float = 0.0
    aerator_off_h: float = 0.0


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("normal", "Fair weather, healthy dense ponds 10–40 days into grow-out, "
                 "blowers day and night."),
        Scenario(
            "biofloc",
            "Round biofloc tanks at 300–500 fish/m³, aerated day and night, almost no water "
            "exchange: pH drifts down over the weeks as nitrification eats alkalinity.",
            biofloc=True,
        ),
        Scenario(
            "cloudy-crash",
            "A month into grow-out (day 30–32), thick green ponds (bloom capacity 5.5× the "
            "usual) that live on their bloom, sharing an undersized blower (37 % of the usual "
            "transfer). Day 2 is overcast and at 18:00 the starved bloom dies; its decay "
            "takes DO below 2 mg/L before dawn on night 2 (day 2 to day 3) despite the blower.",
            weather=WeatherSpec(overcast_days=(2,)),
            die_offs=(DieOff(day=2, hour=18.0, share=0.98),),
            aerator_factor=0.37,
            bloom_factor=5.5,
            cycle_days=(30.0, 32.0),
            variants=False,
        ),
        Scenario(
            "aerator-failure",
            "Late in the cycle (day 55–70 of grow-out), a power cut stops every blower from "
            "23:00 on day 2 to 07:00 on day 3: at that biomass DO falls below 2 mg/L within "
            "hours, before dawn on night 2.",
            aerator_outages=(AeratorOutage(day=2, start_h=23.0, duration_h=8.0),),
            cycle_days=(55.0, 70.0),
        ),
        Scenario(
            "rain",
            "Wet-season week: afternoon storms cool the water, lower pH and TDS, raise the "
            "level and muddy the water.",
            weather=WeatherSpec(climate="seasonal", storms=(
                Storm(day=1, start_h=15.0, duration_h=2.0, mm_h=20.0),
                Storm(day=3, start_h=14.0, duration_h=3.0, mm_h=12.0),
                Storm(day=5, start_h=17.0, duration_h=1.5, mm_h=25.0),
            )),
        ),
        Scenario(
            "ammonia-build-up",
            "Overfeeding, a weak nitrifier population and a thin bloom from day 0: TAN climbs "
            "and NH3-N passes the 0.1 mg/L warning by day 3.",
            feed_factor=1.6,
            nitrif_factor=0.1,
            uptake_factor=0.4,
            cycle_days=(30.0, 45.0),
        ),
        Scenario(
            "sensor-faults",
            "Normal ponds, faulty devices: sentinels, unplugged probes, spikes, flatlines, "
            "membrane fouling, pH drift, dropouts, clock skew and a dying battery.",
            sensor_faults=True,
        ),
        Scenario(
            "leak",
            "Pond 0 springs a leak at 02:00 on day 2 losing ~1 cm/h until it is patched the "
            "next morning; the farmer's top-ups cannot keep up.",
            leaks=(Leak(day=2, start_h=2.0, duration_h=32.0, cm_per_h=1.0, pond=0),),
        ),
    )
}
