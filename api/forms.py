"""Reading numbers and dates from page forms, the way the person typed them.

Indonesians write ``2,5`` for two and a half and ``22.000`` for twenty-two thousand; the
English pages take ``2.5`` and ``22,000``. ``parse_number`` reads both conventions by the
page's language: the language's decimal mark is always a decimal mark; its thousands mark
is one only where it groups three digits (``22.000``, ``1.234.567``), else it is read as a
decimal mark too (trainees type ``2.5`` as often as ``2,5``). With both marks present the
last one is the decimal mark (``1.234,5``, ``1,234.5``).

Quantities are checked against the same plausible upper bounds as the API's request
models (``kolam.farming.bounds``). Errors carry an i18n key (``InvalidRecord.key``), so the page
shows them in the user's language (``api.i18n.error_text``).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, tzinfo

from api.i18n import t
from kolam.farming.bounds import EARLIEST, LATEST, Bound
from kolam.registry.records import InvalidRecord
from kolam.timeutil import WIB, to_ms

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _grouped(text: str, sep: str) -> bool:
    """``text`` is digits grouped by three with ``sep`` (``1.234.567``), not led by 0."""
    grouped = r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+"
    return re.fullmatch(grouped, text) is not None and not text.startswith("0")


def parse_number(raw: str, lang: str = "id") -> float:
    """The number in ``raw`` as written in ``lang`` (see the module docstring).

    Raises ``ValueError`` when it is not a number; infinities and NaN pass (the caller
    refuses them with its own message).
    """
    text = _SPACES.sub("", raw)
    if text[:2].lower() == "rp":
        text = text[2:]
    decimal, thousands = (".", ",") if lang == "en" else (",", ".")
    if "," in text and "." in text:
        last = max(text.rfind(","), text.rfind("."))
        decimal = text[last]
        thousands = "," if decimal == "." else "."
        whole, frac = text[:last], text[last + 1:]
        sign = whole[:1] if whole[:1] in "+-" else ""
        if not _grouped(whole[len(sign):], thousands) or not frac.isdigit():
            raise ValueError(raw)
        return float(f"{sign}{whole[len(sign):].replace(thousands, '')}.{frac}")
    body = text[1:] if text[:1] in "+-" else text
    if thousands in text and _grouped(body, thousands):
        return float(text.replace(thousands, ""))
    if text.count(",") + text.count(".") > 1:
        raise ValueError(raw)
    return float(text.replace(",", "."))


def number(raw: str | None, field: str, lang: str = "id", *, integer: bool = False,
           required: bool = True, bound: Bound | None = None) -> float | None:
    """A positive finite number (at most ``bound.high``), or ``InvalidRecord`` naming the
    form field (``field`` is the field's i18n key)."""
    text, what = (raw or "").strip(), t("en", field)
    if not text:
        if required:
            raise InvalidRecord(f"{what}: required", key="required", field=field)
        return None
    try:
        value = parse_number(text, lang)
    except ValueError as exc:
        raise InvalidRecord(f"{what}: {raw!r} is not a number", key="not_number",
                            field=field, raw=raw) from exc
    if not math.isfinite(value):  # "1e999", "inf", "nan": float() takes them all
        raise InvalidRecord(f"{what}: {raw!r} is not a usable number (must be more than 0)",
                            key="unusable", field=field, raw=raw)
    if value <= 0:
        raise InvalidRecord(f"{what}: must be more than 0", key="positive", field=field)
    if integer and value != int(value):
        raise InvalidRecord(f"{what}: must be a whole number", key="whole", field=field)
    if bound is not None and value > bound.high:
        raise InvalidRecord(f"{what}: at most {bound.high:,.0f} {bound.unit}",
                            key="at_most", field=field, high=int(bound.high), unit=bound.unit)
    return value


def date_wib(raw: str | None, field: str, default_ms: int, tz: tzinfo = WIB) -> int:
    """A ``YYYY-MM-DD`` (or ``YYYY-MM-DDTHH:MM``) date in the site's zone ``tz`` (WIB),
    else the default."""
    text, what = (raw or "").strip(), t("en", field)
    if not text:
        return default_ms
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            when = datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
        if not EARLIEST <= when < LATEST:
            raise InvalidRecord(f"{what}: from {EARLIEST.year} to before {LATEST.year}",
                                key="date_range", field=field, low=str(EARLIEST.year),
                                high=str(LATEST.year))
        return to_ms(when)
    raise InvalidRecord(f"{what}: {raw!r} is not a date (YYYY-MM-DD)", key="not_date",
                        field=field, raw=raw)
