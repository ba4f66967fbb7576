"""Reading numbers from page forms: trainees type ``2,5`` as often as ``2.5``.

Quantities are checked against the same plausible upper bounds as the API's request
models (``kolam.bounds``).
"""

from __future__ import annotations

import math
from datetime import datetime

from kolam.bounds import EARLIEST, LATEST, Bound
from kolam.registry.records import InvalidRecord
from kolam.timeutil import WIB, to_ms


def number(raw: str | None, what: str, *, integer: bool = False,
           required: bool = True, bound: Bound | None = None) -> float | None:
    """A positive finite number (at most ``bound.high``), or ``InvalidRecord`` naming it."""
    text = (raw or "").strip().replace(" ", "")
    if not text:
        if required:
            raise InvalidRecord(f"{what}: required")
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError as exc:
        raise InvalidRecord(f"{what}: {raw!r} is not a number") from exc
    if not math.isfinite(value):  # "1e999", "inf", "nan": float() takes them all
        raise InvalidRecord(f"{what}: {raw!r} is not a usable number (must be more than 0)")
    if value <= 0:
        raise InvalidRecord(f"{what}: must be more than 0")
    if integer and value != int(value):
        raise InvalidRecord(f"{what}: must be a whole number")
    if bound is not None and value > bound.high:
        raise InvalidRecord(f"{what}: at most {bound.high:,.0f} {bound.unit}")
    return value


def date_wib(raw: str | None, what: str, default_ms: int) -> int:
    """A ``YYYY-MM-DD`` (or ``YYYY-MM-DDTHH:MM``) date in WIB, else the default."""
    text = (raw or "").strip()
    if not text:
        return default_ms
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            when = datetime.strptime(text, fmt).replace(tzinfo=WIB)
        except ValueError:
            continue
        if not EARLIEST <= when < LATEST:
            raise InvalidRecord(f"{what}: from {EARLIEST.year} to before {LATEST.year}")
        return to_ms(when)
    raise InvalidRecord(f"{what}: {raw!r} is not a date (YYYY-MM-DD)")
