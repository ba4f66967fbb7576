"""The dawn dissolved-oxygen forecast shown on the pond page.

The same forecast as the alert and ``GET .../forecast``: ``forecast_at`` replays
``kolam.alerts.forecast.DawnForecast`` over tonight's stored readings up to now, at the
site's coordinates as the API route takes them, so the page, the route and the alert agree
on the number, and on when there is none (``unreliable``, with the reason in the reader's
language).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from api.fmt import zone
from api.i18n import num, t
from kolam.alerts.aerators import hhmm
from kolam.alerts.forecast import DawnEstimate
from kolam.alerts.forecast_replay import aerator_signal, forecast_at, site_place
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store.base import TimeSeriesReader


@dataclass(frozen=True, slots=True)
class Dawn:
    state: str
    """``forecast``, ``day`` (no night to forecast), ``wait`` (too few readings yet),
    ``unreliable`` (``reason`` says why, in the page's language) or ``aerated`` (an aerator
    runs or is scheduled to: ``do_mgl`` is the night with it, ``reason`` says which and
    what dawn would be without it)."""
    do_mgl: float | None = None
    sunrise_ms: int | None = None
    reason: str | None = None


def dawn_forecast(store: TimeSeriesReader, config: KolamConfig, registry: Registry, site: str,
                  pond: str, now: int, lang: str) -> Dawn:
    """Tonight's forecast as the alert engine sees it at ``now``, told the pond's recorded
    aerator switches and the gateway's plan as ``GET …/forecast`` and ingest are."""
    lat, lon = site_place(config, registry, site)
    aerators, plan = aerator_signal(config, registry, site, pond)
    est = forecast_at(store, site, pond, now, lat, lon, aerators, plan)
    tz = zone(registry.site(site).timezone)
    reason = why_text(est, lang, tz) if est.state in ("unreliable", "aerated") else None
    return Dawn(est.state, est.do_mgl, est.sunrise_ms if est.state != "day" else None, reason)


def why_text(est: DawnEstimate, lang: str, tz: tzinfo | None = None) -> str:
    """The estimate's ``unreliable`` or ``aerated`` reason in ``lang`` (its English text
    if uncoded); clock times in ``tz``, the site's."""
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
    if code == "aerated":
        return _aerated_text(v, lang, tz or zone())
    return est.reason or code


def _aerated_text(v: dict[str, float], lang: str, tz: tzinfo) -> str:
    without = f"{num(v['unaerated_mgl'], 1, lang)} mg/L"
    if v.get("running"):
        since = "?" if "since_ms" not in v else hhmm(int(v["since_ms"]), tz)
        return t(lang, "dawn_aerated_on", since=since, without=without)
    if "start_min" in v:
        start, end = (f"{int(v[k]) // 60:02d}:{int(v[k]) % 60:02d}"
                      for k in ("start_min", "end_min"))
        return t(lang, "dawn_aerated_plan", start=start, end=end, without=without)
    return t(lang, "dawn_aerated_loop", on=f"{num(v.get('do_on_mgl', 0.0), 1, lang)} mg/L",
             without=without)
