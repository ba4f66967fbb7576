"""Alert messages in Bahasa Indonesia and English: what, where, value with unit, since
when, and what to do. The advice follows DOMAIN.md (e.g. cut feeding by half below 25 °C or
when DO < 3 mg/L; low DO with high ammonia is worse than either)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from kolam.catalogue import METRICS
from kolam.timeutil import WIB, clock_named, from_ms, iso

#: rule → (title id, title en, advice id, advice en); {metric} and {device} are filled in.
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "do_low": ("Oksigen terlarut rendah", "Low dissolved oxygen",
               "Nyalakan aerator dan kurangi pakan; tambahkan air baru bila bisa.",
               "Switch on the aerators and cut feeding; add fresh water if you can."),
    "do_forecast": ("Oksigen diperkirakan turun sebelum subuh", "Low oxygen forecast before dawn",
                    "Nyalakan aerator malam ini dan jangan beri pakan malam; siapkan air baru.",
                    "Run the aerators tonight and skip the evening feed; have fresh water ready."),
    "do_nh3": ("Oksigen rendah dan amonia (TAN-N) tinggi", "Low oxygen with high ammonia (TAN-N)",
               "Nyalakan aerator, jangan beri pakan, dan ganti 20–30% air sebelum siang: "
               "saat pH naik, amonia ini menjadi racun.",
               "Switch on the aerators, do not feed, and exchange 20–30% of the water before "
               "midday: when the pH rises this ammonia turns toxic."),
    "temp_low": ("Suhu air rendah", "Low water temperature",
                 "Kurangi pakan setengahnya; ikan kurang makan di bawah 25 °C.",
                 "Halve the feed: lele eat less below 25 °C."),
    "temp_high": ("Suhu air tinggi", "High water temperature",
                  "Tambahkan air baru, pasang peneduh dan kurangi pakan.",
                  "Add fresh water, shade the pond and cut feeding."),
    "temp_drop": ("Suhu air turun cepat (hujan)", "Water temperature falling fast (rain)",
                  "Kurangi pakan; periksa pH dan kekeruhan setelah hujan.",
                  "Cut feeding; check pH and turbidity after the rain."),
    "ph_low": ("pH rendah", "Low pH", "Tebarkan kapur dolomit dan periksa alkalinitas.",
               "Spread dolomite lime and check the alkalinity."),
    "ph_high": ("pH tinggi", "High pH",
                "Kurangi pakan dan ganti sebagian air; jangan menebar kapur.",
                "Cut feeding and exchange some water; do not add lime."),
    "nh3_high": ("Amonia bebas (NH3-N) tinggi", "High un-ionized ammonia (NH3-N)",
                 "Hentikan pakan sementara, ganti 20–30% air dan periksa pH.",
                 "Pause feeding, exchange 20–30% of the water and check pH."),
    "no2_high": ("Nitrit (NO2-N) tinggi", "High nitrite (NO2-N)",
                 "Kurangi pakan, ganti sebagian air dan nyalakan aerator.",
                 "Cut feeding, exchange some water and run the aerators."),
    "tds_high": ("TDS tinggi", "High TDS", "Ganti sebagian air dengan air bersih.",
                 "Exchange part of the water with clean water."),
    "level_low": ("Air kolam terlalu dangkal", "Water level too low",
                  "Tambahkan air dan periksa kebocoran.", "Add water and look for leaks."),
    "level_leak": ("Air kolam turun cepat (bocor?)", "Water level falling fast (leak?)",
                   "Periksa pematang, terpal dan pipa pembuangan; tambahkan air.",
                   "Check the banks, the liner and the outlet pipe; top up the water."),
    "offline": ("Perangkat {device} tidak mengirim data", "Device {device} is offline",
                "Periksa daya, baterai dan sinyal perangkat {device}.",
                "Check the power, battery and signal of device {device}."),
    "flatline": ("Sensor {metric} membeku", "Sensor {metric} is stuck",
                 "Bersihkan dan periksa probe {metric}, lalu kalibrasi.",
                 "Clean and check the {metric} probe, then calibrate it."),
    "spikes": ("Pembacaan {metric} meloncat-loncat", "Erratic {metric} readings",
               "Periksa kabel dan probe {metric}.", "Check the {metric} cable and probe."),
    "sentinel": ("Probe {metric} terputus atau rusak", "Probe {metric} disconnected or broken",
                 "Periksa kabel dan sambungan probe {metric}.",
                 "Check the {metric} probe's cable and connector."),
    "aerator_failed": ("Aerator {device} mati", "Aerator {device} has stopped",
                       "Periksa listrik dan motor aerator {device}, nyalakan aerator "
                       "cadangan, jangan beri pakan dan siapkan air baru: tanpa aerator "
                       "oksigen kolam padat habis dalam beberapa jam.",
                       "Check the power and the motor of aerator {device}, start a spare "
                       "aerator, do not feed and have fresh water ready: without aeration "
                       "a dense pond runs out of oxygen within hours."),
    "drift": ("Sensor {metric} menyimpang dari pengukuran manual",
              "Sensor {metric} disagrees with the manual measurement",
              "Kalibrasi ulang sensor {metric}.", "Recalibrate the {metric} sensor."),
}
SMS_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "do_low": ("Oksigen rendah", "Low oxygen", "Nyalakan aerator, kurangi pakan.",
               "Run the aerators, cut feed."),
    "do_forecast": ("DO turun sblm subuh", "Low DO due by dawn",
                    "Aerator malam ini, tanpa pakan malam.", "Aerators tonight, no evening feed."),
    "do_nh3": ("DO rendah, amonia tinggi", "Low DO, high ammonia",
               "Aerator, stop pakan, ganti 20-30% air.", "Aerators, no feed, swap 20-30% water."),
    "temp_low": ("Suhu air rendah", "Low water temp", "Kurangi pakan setengah.",
                 "Halve the feed."),
    "temp_high": ("Suhu air tinggi", "High water temp", "Tambah air baru, beri peneduh.",
                  "Add fresh water, shade the pond."),
    "temp_drop": ("Suhu turun cepat (hujan)", "Temp falling fast (rain)",
                  "Kurangi pakan, cek pH.", "Cut feed, check pH."),
    "ph_low": ("pH rendah", "Low pH", "Tebar kapur dolomit.", "Spread dolomite lime."),
    "ph_high": ("pH tinggi", "High pH", "Kurangi pakan, ganti sebagian air.",
                "Cut feed, change some water."),
    "nh3_high": ("Amonia bebas tinggi", "High free ammonia", "Stop pakan, ganti 20-30% air.",
                 "Stop feed, change 20-30% water."),
    "no2_high": ("Nitrit tinggi", "High nitrite", "Kurangi pakan, ganti air, aerator nyala.",
                 "Cut feed, change water, run aerators."),
    "tds_high": ("TDS tinggi", "High TDS", "Ganti sebagian air.", "Change some water."),
    "level_low": ("Air terlalu dangkal", "Water too low", "Tambah air, cek bocor.",
                  "Add water, look for leaks."),
    "level_leak": ("Air turun cepat (bocor?)", "Level falling fast (leak?)",
                   "Cek pematang, terpal, pipa.", "Check banks, liner, pipe."),
    "offline": ("Alat {device} mati", "Device {device} offline", "Cek daya, baterai, sinyal.",
                "Check power, battery, signal."),
    "flatline": ("Sensor {metric} macet", "Sensor {metric} stuck", "Bersihkan, kalibrasi probe.",
                 "Clean, calibrate the probe."),
    "spikes": ("Bacaan {metric} loncat", "Erratic {metric}", "Cek kabel dan probe.",
               "Check cable and probe."),
    "sentinel": ("Probe {metric} putus/rusak", "Probe {metric} broken",
                 "Cek kabel dan konektor.", "Check cable and connector."),
    "drift": ("Sensor {metric} menyimpang", "Sensor {metric} drifts", "Kalibrasi ulang sensor.",
              "Recalibrate the sensor."),
    "aerator_failed": ("Aerator {device} mati", "Aerator {device} stopped",
                       "Cek listrik/motor, pakai cadangan.", "Check power/motor, use a spare."),
}
"""Shorter texts for one SMS (160 GSM-7 characters with the acknowledgement link):
(title id, title en, advice id, advice en), the same advice as ``TEXTS`` in fewer words."""
WHY_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "do_still_falling": ("DO masih turun 20 menit setelah aerator menyala",
                         "DO still falling 20 minutes after the aerator started",
                         "DO msh turun 20 mnt stlh nyala", "DO still falling 20 min after start"),
    "no_current": ("aerator menyala tetapi tidak menarik arus", "on but drawing no current",
                   "nyala tanpa arus", "on, no current"),
    "no current": ("aerator menyala tetapi tidak menarik arus", "on but drawing no current",
                   "nyala tanpa arus", "on, no current"),
    "not_confirmed": ("relai tidak mengonfirmasi perintah dalam 60 detik",
                      "the relay did not confirm the command within 60 s",
                      "perintah tak dikonfirmasi", "command unconfirmed"),
    "power cut": ("listrik padam", "power cut", "listrik padam", "power cut"),
}
"""Why an aerator is ``aerator_failed`` (the alert's detail, ``code`` or ``code: numbers``,
several joined by "; "): (id, en, SMS id, SMS en). ``do_still_falling``, ``no_current``
and ``not_confirmed`` are the gateway's problems (kolam.control.problems); ``power cut``
and ``no current`` the relay's own report (kolam.alerts.aerators.failure)."""
RUNNING_WHY = frozenset({"do_still_falling", "not_confirmed"})
"""Whys of an aerator that may well be running: its title says "not working", not "stopped"."""
NOT_WORKING = ("Aerator {device} tidak bekerja", "Aerator {device} is not working")
SMS_CHARS = 160
SMS_METRIC = {"temp_c": "suhu", "do_mgl": "DO", "tan_mgl": "TAN", "no2_mgl": "NO2",
              "nh3_mgl": "NH3", "level_cm": "level", "turbidity_ntu": "kekeruhan",
              "do_sat_pct": "DO%"}
"""Metric names inside an SMS title (the catalogue's labels are longer)."""
ACK_WORDS = {"id": "Tanggapi", "en": "Ack"}
NO_VALUE = frozenset({"offline", "aerator_failed"})
"""Rules whose signal is a state code, not a reading worth printing."""
SEVERITY_WORDS = {"id": {"info": "INFO", "warning": "PERINGATAN", "critical": "KRITIS"},
                  "en": {"info": "INFO", "warning": "WARNING", "critical": "CRITICAL"}}
EVENT_WORDS = {
    "id": {"opened": "", "upgraded": "Memburuk: ", "downgraded": "Membaik: ",
           "resolved": "Pulih: ", "reminder": "Pengingat: ", "escalated": "Belum ditanggapi: "},
    "en": {"opened": "", "upgraded": "Worse: ", "downgraded": "Better: ",
           "resolved": "Resolved: ", "reminder": "Reminder: ", "escalated": "Unanswered: "},
}


@dataclass(frozen=True, slots=True)
class AlertView:
    """The facts a message is written from."""

    id: int
    site: str
    pond: str
    rule: str
    key: str
    severity: str
    state: str
    metric: str | None
    device: str | None
    value: float | None
    unit: str
    threshold: float | None
    since_t: int
    t: int
    detail: str
    late: bool
    tz: tzinfo = WIB
    """The site's zone (its record's ``timezone``, ``kolam.places.display_zone``): times
    are written in it and named by it (``04:10 WIB``, ``06:10 WIT``)."""


def _num(x: float, metric: str | None) -> str:
    m = METRICS.get(metric or "")
    return f"{x:.{m.decimals}f}" if m is not None else f"{x:.3g}"


def local_time(t_ms: int, tz: tzinfo = WIB) -> str:
    """``06:10 WIT 28/11/2025``: a message's time in its site's zone, named."""
    return f"{clock_named(t_ms, tz)} {from_ms(t_ms).astimezone(tz).strftime('%d/%m/%Y')}"


def why(detail: str, lang: str, sms: bool = False) -> str | None:
    """The detail of an ``aerator_failed`` alert in words (``WHY_TEXTS``), numbers kept;
    None when no part of it is a known code."""
    words, known = [], False
    for part in (x.strip() for x in detail.split(";")):
        code, sep, rest = part.partition(":")
        texts = WHY_TEXTS.get(code.strip())
        if texts is None:
            words.append(part)
            continue
        known = True
        text = texts[(2 if sms else 0) + (1 if lang == "en" else 0)]
        words.append(f"{text}{sep}{rest}" if rest and not sms else text)
    return "; ".join(words) if known else None


def render(a: AlertView, event: str, lang: str) -> tuple[str, str]:
    """(subject, body) of one message in ``lang`` ("id" or "en")."""
    en = lang == "en"
    metric_label = ""
    if a.metric in METRICS:
        metric_label = METRICS[a.metric].label_en if en else METRICS[a.metric].label_id
    fill = {"metric": metric_label or (a.metric or ""), "device": a.device or ""}
    title_id, title_en, advice_id, advice_en = TEXTS.get(a.rule, (a.rule, a.rule, "", ""))
    if a.rule == "aerator_failed" and RUNNING_WHY & {
            x.partition(":")[0].strip() for x in a.detail.split(";")}:
        title_id, title_en = NOT_WORKING
    title = (title_en if en else title_id).format(**fill)
    advice = (advice_en if en else advice_id).format(**fill)
    where = f"{a.pond} ({a.site})"
    subject = (f"[{SEVERITY_WORDS[lang][a.severity]}] {EVENT_WORDS[lang].get(event, '')}"
               f"{title} — {where}")
    body = f"{EVENT_WORDS[lang].get(event, '')}{title}, {'pond' if en else 'kolam'} {where}"
    if a.value is not None and a.rule not in NO_VALUE:
        same_unit = a.metric in METRICS and METRICS[a.metric].unit == a.unit
        unit = f" {a.unit}" if a.unit else ""
        word = "limit" if en else "batas"
        limit = "" if a.threshold is None else f" ({word} {a.threshold:g}{unit})"
        body += f": {_num(a.value, a.metric if same_unit else None)}{unit}{limit}"
    body += f", {'since' if en else 'sejak'} {local_time(a.since_t, a.tz)}."
    if a.detail:
        said = why(a.detail, lang) if a.rule == "aerator_failed" else None
        body += f" [{a.detail}]" if said is None else \
            f" {'Why' if en else 'Sebab'}: {said}."
    if a.late:
        body += " (late data)" if en else " (data terlambat)"
    if event == "resolved":
        back = "Back to normal at" if en else "Normal kembali pada"
        body += f"\n{back} {local_time(a.t, a.tz)}."
    elif advice:
        body += f"\n{'Action' if en else 'Tindakan'}: {advice}"
    return subject, body


def event_payload(a: AlertView, event: str, lang: str, now: int) -> dict[str, Any]:
    """The JSON sent on MQTT and to webhooks: the facts, plus the text in both languages
    (``message`` and ``subject`` in the recipient's language)."""
    sub_id, body_id = render(a, event, "id")
    sub_en, body_en = render(a, event, "en")
    subject, message = (sub_en, body_en) if lang == "en" else (sub_id, body_id)
    return {
        "v": 1, "event": event, "id": a.id, "site": a.site, "pond": a.pond, "rule": a.rule,
        "key": a.key, "severity": a.severity, "state": a.state, "metric": a.metric,
        "device": a.device, "value": a.value, "unit": a.unit, "threshold": a.threshold,
        "since": iso(a.since_t), "since_ms": a.since_t, "t_ms": a.t, "late": a.late,
        "detail": a.detail, "sent_ms": now, "subject": subject, "message": message,
        "text": {"id": body_id, "en": body_en}, "subject_text": {"id": sub_id, "en": sub_en},
    }


def summary_text(views: list[AlertView], lang: str) -> tuple[str, str]:
    """One message for many late alerts (recorded from catch-up data, not sent singly)."""
    en = lang == "en"
    head = (f"{len(views)} alerts from late (catch-up) data were recorded" if en else
            f"{len(views)} peringatan dari data susulan (terlambat) telah dicatat")
    lines = [render(v, "opened", lang)[0] + f" — {local_time(v.since_t, v.tz)}"
             for v in views[:50]]
    if len(views) > 50:
        lines.append(f"... +{len(views) - 50}")
    return f"[{'SUMMARY' if en else 'RINGKASAN'}] {head}", "\n".join([head + ":", *lines])


def ack_line(link: str, lang: str) -> str:
    """The line with the one-time acknowledgement link, for Telegram and WhatsApp."""
    words = "Acknowledge (one-time link)" if lang == "en" else "Tanggapi (tautan sekali pakai)"
    return f"{words}: {link}"


def short_text(payload: dict[str, Any], lang: str, link: str | None = None) -> str:
    """An alert event as one SMS, Bahasa Indonesia first: severity, pond, what, value,
    what to do now, and the acknowledgement link, in at most ``SMS_CHARS`` GSM-7
    characters (the advice, then the title, give way to the link; never the link).
    A digest or summary (no rule) falls back to its subject."""
    rule = payload.get("rule")
    en = lang == "en"
    tail = f" {ACK_WORDS['en' if en else 'id']}: {link}" if link else ""
    if rule not in TEXTS:
        return _fit(str(payload.get("subject", "")), "", "", tail)
    metric, event = payload.get("metric"), str(payload.get("event", ""))
    label = SMS_METRIC.get(str(metric), str(metric or "")) if metric else ""
    fill = {"metric": label, "device": payload.get("device") or ""}
    title_id, title_en, advice_id, advice_en = SMS_TEXTS.get(str(rule), TEXTS[str(rule)])
    title = (title_en if en else title_id).format(**fill)
    advice = (advice_en if en else advice_id).format(**fill)
    said = why(str(payload.get("detail") or ""), lang, sms=True) \
        if rule == "aerator_failed" else None
    if said is not None:
        title = f"Aerator {fill['device']}: {said}"
    value = payload.get("value")
    reading = ""
    if isinstance(value, int | float) and rule not in NO_VALUE:
        unit = str(payload.get("unit") or "").replace("°", "")
        same_unit = metric in METRICS and METRICS[str(metric)].unit.replace("°", "") == unit
        number = _num(value, str(metric) if same_unit else None)
        reading = f" {number if en else number.replace('.', ',')}{f' {unit}' if unit else ''}"
    if event == "resolved":
        advice = "Back to normal." if en else "Sudah normal kembali."
    severity = SEVERITY_WORDS[lang].get(str(payload.get("severity")), "")
    head = f"{severity} {payload.get('pond', '')}: {EVENT_WORDS[lang].get(event, '')}"
    return _fit(head, f"{title}{reading}.", advice, tail)


def _fit(head: str, what: str, advice: str, tail: str) -> str:
    """``head what advice tail`` in ``SMS_CHARS``: the advice is cut first, then what."""
    text = f"{head}{what} {advice}".strip() + tail
    if len(text) <= SMS_CHARS:
        return text
    room = SMS_CHARS - len(tail) - len(f"{head}{what} ")
    if room >= 10:
        return f"{head}{what} {advice[:room - 2].rstrip()}..".strip() + tail
    room = SMS_CHARS - len(tail) - len(head)
    return (f"{head}{what}"[:len(head) + max(room - 2, 0)].rstrip() + ".." + tail)[:SMS_CHARS]
