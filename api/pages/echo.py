"""What a page says back after saving: "Tersimpan: pakan 2,5 kg, 07:30" (issue #17).

Every value a person typed is shown as it was stored, with its unit, the time in the
site's zone and the pond, so a typo is seen at once and can be undone or corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo

from api import fmt
from api.i18n import label, num, reading, rupiah, t
from kolam.registry.records import CostInfo, CycleInfo, HarvestInfo, LogInfo, LogKind, MemberInfo
from kolam.timeutil import WIB, from_ms, now_ms


@dataclass(frozen=True, slots=True)
class Saved:
    """What a page says back, and which record (``log``/``harvest``) to undo or correct."""

    text: str
    kind: str = ""
    id: int = 0
    warn: str = ""
    """What needs doing after it (the stock card's seed below 0: count it)."""


def when(t_ms: int, lang: str, now: int | None = None, tz: tzinfo = WIB) -> str:
    """``07:30`` today, ``24/11/2026 07:30`` another day (in the site's zone ``tz``)."""
    at = from_ms(t_ms).astimezone(tz)
    today = from_ms(now if now is not None else now_ms()).astimezone(tz).date()
    return at.strftime("%H:%M" if at.date() == today else "%d/%m/%Y %H:%M")


def fish(n: int, lang: str) -> str:
    return f"{num(n, 0, lang)} {'fish' if lang == 'en' else 'ekor'}"


def per_fish_g(log: LogInfo) -> float | None:
    if log.sample_count and log.sample_weight_g:
        return log.sample_weight_g / log.sample_count
    return None


def log_values(log: LogInfo, lang: str) -> str:
    """The values of a log with units: ``pakan 2,5 kg``, ``30 ekor, total 537 g → 17,9 g/ekor``."""
    kind = t(lang, log.kind.value).lower()
    if log.kind is LogKind.FEEDING and log.feed_kg is not None:
        return f"{kind} {num(log.feed_kg, 2, lang).rstrip('0').rstrip(',.')} kg"
    if log.kind is LogKind.MORTALITY and log.dead_count is not None:
        return f"{kind} {fish(log.dead_count, lang)}"
    abw = per_fish_g(log)
    if log.kind is LogKind.SAMPLING and abw is not None and log.sample_count:
        return t(lang, "echo_sampling", n=fish(log.sample_count, lang),
                 total=num(log.sample_weight_g, 1, lang), abw=num(abw, 1, lang))
    if log.kind is LogKind.WATER_EXCHANGE and log.exchange_pct is not None:
        return f"{kind} {num(log.exchange_pct, 0, lang)} %"
    if log.kind is LogKind.MEASUREMENT and log.metric:
        return f"{kind} {label(log.metric, lang)} {reading(log.metric, log.value, lang)}"
    if log.kind is LogKind.TREATMENT:
        return f"{kind} {log.treatment or ''} {log.dose or ''}".strip()
    return f"{kind}: {log.note}"


def log_echo(log: LogInfo, lang: str, pond_name: str = "", tz: tzinfo = WIB) -> str:
    where = f" · {pond_name}" if pond_name else ""
    return t(lang, "saved_echo", what=log_values(log, lang),
             time=when(log.at, lang, tz=tz)) + where


def harvest_values(h: HarvestInfo, lang: str) -> str:
    parts = [f"{t(lang, 'harvest').lower()} {num(h.kg, 1, lang)} kg", fish(h.count, lang)]
    if h.price_per_kg_rp:
        parts.append(f"{rupiah(h.price_per_kg_rp)}/kg")
    if h.final:
        parts.append(t(lang, "final_short"))
    return ", ".join(parts)


def harvest_echo(h: HarvestInfo, lang: str, tz: tzinfo = WIB) -> str:
    return t(lang, "saved_echo", what=harvest_values(h, lang), time=when(h.at, lang, tz=tz))


def member_echo(m: MemberInfo, lang: str) -> str:
    """``anggota Budi (aktif)``: what the team page says back after saving."""
    return t(lang, "echo_member", alias=m.alias, status=t(lang, m.status.value))


def stock_echo(c: CycleInfo, pond_name: str, lang: str, per_m2: float | None) -> str:
    """``tebar 1.000 ekor, 1,5 g/ekor, Rp 300.000, 200 ekor/m² di Kolam 4``."""
    more = ""
    if c.seed_cost_rp:
        more += f", {fmt.rupiah(c.seed_cost_rp, lang)}"
    if per_m2 is not None:
        more += f", {fmt.number(per_m2, 0, lang)} {t(lang, 'fish_per_m2')}"
    return t(lang, "echo_stock", n=fish(c.seed_count, lang),
             abw=fmt.number(c.seed_weight_g, 1, lang), more=more, pond=pond_name)


def cost_values(c: CostInfo, lang: str) -> str:
    """``biaya pakan Rp 380.000``."""
    return t(lang, "echo_cost", category=t(lang, f"cost_{c.category.value}"),
             amount=fmt.rupiah(c.amount_rp, lang))


_KIT_NOTE = re.compile(r"^test kit: ([0-9.eE+-]+) mg/L as (NH3|NH4|NO2)")


def measure_values(logs: list[LogInfo], lang: str) -> str:
    """``ukur manual: DO 4,20 mg/L, pH 7,5, TAN 1,64 mg/L (kit 2 mg/L NH3)``."""
    parts = []
    for e in logs:
        if e.metric is None:
            continue
        text = f"{label(e.metric, lang)} {reading(e.metric, e.value, lang)}"
        kit = _KIT_NOTE.match(e.note)
        if kit:
            typed = fmt.number(float(kit.group(1)), 2, lang).rstrip("0").rstrip(",.")
            text += f" (kit {typed} mg/L {kit.group(2)})"
        parts.append(text)
    return f"{t(lang, 'measurement').lower()}: {', '.join(parts)}"
