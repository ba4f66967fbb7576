"""The dawn dissolved-oxygen forecast shown on the pond page.

The same forecast as the alert and ``GET .../forecast``: ``forecast_at`` replays
``kolam.alerts.forecast.DawnForecast`` over tonight's stored readings up to now, at the
site's coordinates as the API route takes them, so the page, the route and the alert agree
on the number, and on when there is none (``unreliable``, with the reason in the reader's
language).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.i18n import num, t
from kolam.alerts.forecast import DawnEstimate
from kolam.alerts.forecast_replay import forecast_at, site_place
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store.base import TimeSeriesReader


@dataclass(frozen=True, slots=True)
class Dawn:
    state: str
    """``forecast``, ``day`` (no night to forecast), ``wait`` (too few readings yet) or
    ``unreliable`` (``reason`` says why, in the page's language)."""
    do_mgl: float | None = None
    sunrise_ms: int | None = None
    reason: str | None = None


def dawn_forecast(store: TimeSeriesReader, config: KolamConfig, registry: Registry, site: str,
                  pond: str, now: int, lang: str) -> Dawn:
    """Tonight's forecast as the alert engine sees it at ``now``."""
    lat, lon = site_place(config, registry, site)
    est = forecast_at(store, site, pond, now, lat, lon)
    reason = why_text(est, lang) if est.state == "unreliable" else None
    return Dawn(est.state, est.do_mgl, est.sunrise_ms if est.state != "day" else None, reason)


def why_text(est: DawnEstimate, lang: str) -> str:
    """The estimate's ``unreliable`` reason in ``lang`` (its English text if uncoded)."""
    if est.why is None:
        return est.reason or ""
    code, v = est.why

    def mgl(key: str) -> str:
        return f"{num(v[key], 1, lang)} mg/L"

    if code == "erratic":
        return t(lang, "dawn_why_erratic", scatter=mgl("scatter_mgl"))
    if code == "jump":
        return t(lang, "dawn_why_drop" if v["drop"] else "dawn_why_rise",
                 size=mgl("size_mgl"), min=int(v["within_min"]))
    if code == "mixing":
        return t(lang, "dawn_why_mixing", rate=f"{num(v['rate_mgl_h'], 1, lang)} mg/L",
                 hours=num(v["hours"], 1, lang))
    if code == "stray":
        return t(lang, "dawn_why_stray", rms=mgl("rms_mgl"))
    if code == "silent":
        return t(lang, "dawn_why_silent", n=int(v["minutes"]))
    return est.reason or code
