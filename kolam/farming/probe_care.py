"""Probe care: what each maintenance kind is, how often it is due, and the arithmetic of a
pH two-point calibration and of a drift check against a manual reading.

Pure functions: the registry (``kolam.registry.maintenance``) stores the entries, the API
and the pages call these to check and explain them.

Sources, next to each number below: DOMAIN.md ("Sensors and their faults"); the pH
electrode checks of Onset's technical note "Why do I always have to calibrate in pH 7.00
and then at least one other buffer?" (offset ±30 mV, slope 85–100 %) and the common
"how to calculate offset and slope" procedure (150–186 mV between pH 7.01 and 4.01 at
25 °C, i.e. 85–105 % slope, offset ±30 mV); Oakton DO 700 manual §7 (deposits on the
membrane are a barrier to oxygen: rinse after each use).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from kolam.errors import InvalidRecord
from kolam.farming.kpi import DAY_MS


class Kind(StrEnum):
    DO_MEMBRANE_CHECK = "do_membrane_check"
    PH_CALIBRATION = "ph_calibration"
    PROBE_CLEANING = "probe_cleaning"
    DRIFT_CHECK = "drift_check"


INTERVAL_DAYS: dict[Kind, int] = {
    # Galvanic DO: membrane fouling drifts the reading up to ~20 % in two weeks in dirty
    # water, calibrate every 1–2 weeks (DOMAIN.md): rinse and check it weekly.
    Kind.DO_MEMBRANE_CHECK: 7,
    # pH: two-point calibration weekly to monthly (DOMAIN.md; DFRobot SEN0161): every 2
    # weeks, the middle of that range, in pond water that coats the bulb.
    Kind.PH_CALIBRATION: 14,
    # A fouled probe reads wrong before it looks dirty (DOMAIN.md: ~20 % in two weeks):
    # a full cleaning every 2 weeks, and at once after a failed drift check.
    Kind.PROBE_CLEANING: 14,
    # Slow drift against manual measurements is a fault worth detecting (DOMAIN.md): one
    # manual reading a week, with the test kit or a handheld meter.
    Kind.DRIFT_CHECK: 7,
}

KINDS_OF_METRIC: dict[str, tuple[Kind, ...]] = {
    "do_mgl": (Kind.DO_MEMBRANE_CHECK, Kind.DRIFT_CHECK, Kind.PROBE_CLEANING),
    "ph": (Kind.PH_CALIBRATION, Kind.DRIFT_CHECK, Kind.PROBE_CLEANING),
}
"""What a device that reports the metric needs (a relay or a thermometer needs none)."""

DRIFT_TOLERANCE: dict[str, float] = {
    # Two instruments compared: the node's galvanic probe and a handheld meter or test kit,
    # each typically within ±0.2–0.3 mg/L; beyond ±0.5 mg/L one of them is wrong.
    "do_mgl": 0.5,
    # DFRobot SEN0161 is ±0.1 pH (DOMAIN.md), a handheld meter about the same: ±0.2.
    "ph": 0.2,
}
DRIFT_WINDOW_MS = 15 * 60_000
"""The probe's reading compared is the one nearest the manual one within 15 min."""

# pH buffers sold for calibration (NIST 4.01, 6.86, 9.18; "technical" 4.00, 7.00, 10.00,
# 10.01): a typed buffer must be one of them, to 0.02, or it is a typo.
BUFFERS = (4.00, 4.01, 6.86, 7.00, 9.18, 10.00, 10.01)
BUFFER_TOLERANCE = 0.02
NEUTRAL = (6.86, 7.00)
"""The first buffer: the zero point, always pH 7 first (DOMAIN.md, Onset)."""
SLOPE_PCT = (85.0, 105.0)
"""A healthy electrode's slope, in % of Nernst (85–105 %); below, clean or replace it."""
OFFSET_MV = 30.0
"""The electrode's output at pH 7 within ±30 mV; beyond, the bulb is coated: clean it."""
READING_MV = 600.0
"""pH 0–14 at 60 mV/pH is ±420 mV around pH 7: a reading beyond ±600 mV is a typo."""
_NERNST_MV_PER_K = 8.314462618 * math.log(10) / 96485.33212 * 1000  # 2.303·R/F in mV/K


@dataclass(frozen=True, slots=True)
class Calibration:
    """A two-point calibration worked out: E = offset − slope·(pH − 7)."""

    slope_mv: float
    """mV per pH unit (positive: the electrode's mV falls as pH rises)."""
    slope_pct: float
    """% of the Nernst slope at the buffers' temperature."""
    offset_mv: float
    """The electrode's output at pH 7.00."""
    ok: bool
    """Slope and offset both within the healthy ranges above."""
    problems: tuple[str, ...]
    """``slope_low``, ``slope_high``, ``offset``: what is out of range (for the page)."""


def nernst_mv(temp_c: float) -> float:
    """The ideal electrode's mV per pH unit: 59.16 at 25 °C."""
    return _NERNST_MV_PER_K * (temp_c + 273.15)


def _buffer(value: float, field: str) -> float:
    if not any(abs(value - b) <= BUFFER_TOLERANCE for b in BUFFERS):
        raise InvalidRecord(f"{field}: {value} is not a calibration buffer "
                            f"({', '.join(f'{b:.2f}' for b in BUFFERS)})",
                            key="not_a_buffer", field=f"f_{field}", value=value)
    return value


def calibrate(buffer1: float, reading1_mv: float, buffer2: float, reading2_mv: float,
              temp_c: float = 25.0) -> Calibration:
    """Slope and offset from two buffers and the electrode's mV in each.

    Raises ``InvalidRecord`` for numbers that cannot be a calibration (not a buffer, the
    first not pH 7, the same buffer twice, a reading beyond ±600 mV, mV rising with pH);
    returns ``ok=False`` for a real calibration of an electrode that needs care."""
    _buffer(buffer1, "buffer1")
    _buffer(buffer2, "buffer2")
    if not any(abs(buffer1 - b) <= BUFFER_TOLERANCE for b in NEUTRAL):
        raise InvalidRecord("buffer1: the first buffer is pH 7 (6.86 or 7.00)",
                            key="buffer1_neutral")
    if abs(buffer2 - buffer1) < 2:
        raise InvalidRecord("buffer2: the second buffer is pH 4 or pH 10",
                            key="buffer2_far")
    for field, mv in (("reading1", reading1_mv), ("reading2", reading2_mv)):
        if not math.isfinite(mv) or abs(mv) > READING_MV:
            raise InvalidRecord(f"{field}: {mv} mV is beyond ±{READING_MV:.0f} mV",
                                key="reading_mv", field=f"f_{field}", value=mv)
    if not 0 <= temp_c <= 50:
        raise InvalidRecord(f"temp_c: {temp_c} °C is not a buffer's temperature",
                            key="buffer_temp", value=temp_c)
    slope = (reading1_mv - reading2_mv) / (buffer2 - buffer1)
    if slope <= 0:
        raise InvalidRecord("the readings rise with pH: buffers swapped or the probe is "
                            "not connected", key="slope_sign")
    offset = reading1_mv + slope * (buffer1 - 7.0)
    pct = 100 * slope / nernst_mv(temp_c)
    problems = tuple(p for p, bad in (("slope_low", pct < SLOPE_PCT[0]),
                                      ("slope_high", pct > SLOPE_PCT[1]),
                                      ("offset", abs(offset) > OFFSET_MV)) if bad)
    return Calibration(slope, pct, offset, not problems, problems)


@dataclass(frozen=True, slots=True)
class Drift:
    metric: str
    manual: float
    probe: float | None
    """The probe's reading nearest the manual one (None: it sent none within 15 min)."""
    probe_at: int | None
    tolerance: float

    @property
    def difference(self) -> float | None:
        return None if self.probe is None else round(self.probe - self.manual, 3)

    @property
    def ok(self) -> bool | None:
        d = self.difference
        return None if d is None else abs(d) <= self.tolerance + 1e-9


def drift(metric: str, manual: float, at: int,
          readings: list[tuple[int, float]]) -> Drift:
    """Compare a manual reading with the probe's nearest one (``readings``: (t, value)
    of that device and metric around ``at``)."""
    if metric not in DRIFT_TOLERANCE:
        raise InvalidRecord(f"metric: drift checks are for {', '.join(DRIFT_TOLERANCE)}",
                            key="drift_metric", metric=metric)
    near = [(abs(t - at), t, v) for t, v in readings if abs(t - at) <= DRIFT_WINDOW_MS]
    if not near:
        return Drift(metric, manual, None, None, DRIFT_TOLERANCE[metric])
    _, t, v = min(near)
    return Drift(metric, manual, v, t, DRIFT_TOLERANCE[metric])


@dataclass(frozen=True, slots=True)
class Due:
    """When one kind of care of one device is next due."""

    device: str
    kind: Kind
    last_at: int | None
    """The newest entry of this kind (None: never recorded)."""
    due_at: int
    overdue: bool
    """Past its due date (a device never cared for is due, not yet overdue)."""


def due(device: str, kind: Kind, last_at: int | None, since: int, now: int,
        *, failed_drift_at: int | None = None) -> Due:
    """Next due date: the last entry (or ``since``, when the device was added, for a
    first one) plus the kind's interval. A device never calibrated is due at once: a
    probe out of the box is calibrated before use. A failed drift check after the last
    cleaning makes a cleaning due at once."""
    if last_at is None:
        late = since + INTERVAL_DAYS[kind] * DAY_MS < now or (
            kind is Kind.PROBE_CLEANING and failed_drift_at is not None
            and failed_drift_at + DAY_MS < now)
        return Due(device, kind, None, since, late)
    at = last_at + INTERVAL_DAYS[kind] * DAY_MS
    if kind is Kind.PROBE_CLEANING and failed_drift_at is not None \
            and failed_drift_at > last_at and failed_drift_at < at:
        # Clean today; left a day longer, it is overdue.
        return Due(device, kind, last_at, failed_drift_at, failed_drift_at + DAY_MS < now)
    return Due(device, kind, last_at, at, at < now)
