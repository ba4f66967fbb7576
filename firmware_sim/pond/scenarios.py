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
    sensor_faults: bool = False
    # Night aeration schedule (WIB): the rutan runs its blowers when DO falls, to save power.
    aerator_on_h: float = 22.0
    aerator_off_h: float = 6.0


def hours_since_start(day: int, hour: float) -> float:
    """Hours from 00:00 WIB of day 0 to (day, hour)."""
    return day * 24.0 + hour


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("normal", "Fair weather, healthy green water, aerators on at night."),
        Scenario(
            "cloudy-crash",
            "Day 2 is overcast: photosynthesis stalls and a third of the bloom dies; the next "
            "night DO crashes below 2 mg/L before dawn despite the aerators.",
            weather=WeatherSpec(overcast_days=(2,)),
            die_offs=(DieOff(day=2, hour=12.0, share=0.35),),
        ),
        Scenario(
            "aerator-failure",
            "An intensively stocked site (twice the normal density) that lives on its "
            "blowers: a power cut from 21:00 on day 2 to 07:00 on day 3 stops every aerator "
            "and DO falls below 2 mg/L before dawn.",
            stocking_factor=2.0,
            aerator_factor=3.0,
            aerator_outages=(AeratorOutage(day=2, start_h=21.0, duration_h=10.0),),
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
            "Overfeeding, a weak nitrifier population and a thin bloom: TAN climbs over the "
            "week and afternoon NH3-N passes the 0.1 mg/L warning.",
            feed_factor=1.6,
            nitrif_factor=0.1,
            uptake_factor=0.4,
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
