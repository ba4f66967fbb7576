"""Time helpers: Kolam stores UTC epoch milliseconds and shows each site's own zone (its
record's ``timezone``, ``kolam.places.site_zone``); ``WIB`` (UTC+7) is the default."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo

WIB = timezone(timedelta(hours=7), "WIB")


def now_ms() -> int:
    """Current time as integer epoch milliseconds (UTC)."""
    return time.time_ns() // 1_000_000


def to_ms(dt: datetime) -> int:
    """An aware datetime as epoch milliseconds; naive datetimes are taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def from_ms(t_ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return datetime.fromtimestamp(t_ms / 1000, tz=UTC)


def iso(t_ms: int) -> str:
    """Epoch milliseconds as an ISO 8601 UTC string with millisecond precision."""
    return from_ms(t_ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def zone_name(tz: tzinfo | None = None, at_ms: int | None = None) -> str:
    """What ``tz`` (WIB by default) is called at that moment (now by default): ``WIB``,
    ``WITA``, ``WIT``; its UTC offset for a zone without a name."""
    at = from_ms(at_ms if at_ms is not None else now_ms()).astimezone(tz or WIB)
    return at.tzname() or "UTC"


def clock_named(t_ms: int, tz: tzinfo | None = None, pattern: str = "%H:%M") -> str:
    """``t_ms`` as ``pattern`` in ``tz`` followed by the zone's name: ``06:10 WIT``
    (alert messages and details: every time a reader sees names its zone)."""
    return f"{from_ms(t_ms).astimezone(tz or WIB).strftime(pattern)} {zone_name(tz, t_ms)}"


def parse_duration_s(text: str) -> float:
    """Parse '90', '90s', '15m', '6h', '7d' into seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    text = text.strip().lower()
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def local_day_start_ms(t_ms: int, tz: tzinfo) -> int:
    """00:00 in ``tz`` (a site's zone) of the local day containing ``t_ms``."""
    local = from_ms(t_ms).astimezone(tz)
    return to_ms(local.replace(hour=0, minute=0, second=0, microsecond=0))


def local_month(t_ms: int, tz: tzinfo) -> str:
    """The ``YYYY-MM`` month in ``tz`` that contains ``t_ms``."""
    return from_ms(t_ms).astimezone(tz).strftime("%Y-%m")
