"""Words and numbers for the pages: Bahasa Indonesia by default, English on request.

The language is the ``lang`` cookie (``id`` or ``en``), set by the switch on every page.
Times are shown in the site's zone (WIB); numbers follow the language (``5,2`` in
Indonesian, ``5.2`` in English) and always carry their unit. The writing of numbers, money
and dates is ``api.fmt``'s; the helpers here are its older names.

An English phrase with a plural form gives both, ``"{n} cycle|{n} cycles"`` (``tn``):
Indonesian nouns do not change with the count.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request

from api import fmt
from kolam.catalogue import METRICS

LANGS: Final = ("id", "en")
DEFAULT_LANG: Final = "id"
LANG_COOKIE: Final = "lang"

# key → (Bahasa Indonesia, English). Keep the phrases short and plain: trainees read them
# on a tablet beside the pond.
WORDS: dict[str, tuple[str, str]] = {
    "app": ("Kolam", "Kolam"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "login_failed": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "login_locked": ("Terlalu banyak percobaan gagal. Coba lagi nanti.",
                     "Too many failed attempts. Try again later."),
    "login_busy": ("Server sedang sibuk. Coba lagi sebentar lagi.",
                   "The server is busy. Try again in a moment."),
    "login_expired": ("Formulir kedaluwarsa. Silakan masuk lagi.",
                      "The form expired. Please log in again."),
    "logout_all": ("Keluar dari semua perangkat", "Log out everywhere"),
    "overview": ("Ringkasan", "Overview"),
    "alerts": ("Peringatan", "Alerts"),
    "teams": ("Kelompok", "Teams"),
    "kiosk": ("Kios", "Kiosk"),
    "site": ("Lokasi", "Site"),
    "pond": ("Kolam", "Pond"),
    "ponds": ("Kolam", "Ponds"),
    "status": ("Status", "Status"),
    "st_ok": ("Aman", "OK"),
    "st_info": ("Info", "Info"),
    "st_warning": ("Waspada", "Warning"),
    "st_critical": ("Bahaya", "Critical"),
    "st_offline": ("Tidak ada data", "No data"),
    "updated": ("diperbarui", "updated"),
    "no_data": ("belum ada data", "no data yet"),
    "now_do": ("Yang harus dilakukan sekarang", "What to do now"),
    "all_good": ("Air baik. Lanjutkan jadwal pakan dan pengamatan.",
                 "Water is fine. Keep to the feeding schedule and keep watching."),
    "offline_do": ("Sensor tidak mengirim data: periksa daya, baterai dan sinyal.",
                   "The sensor sends nothing: check its power, battery and signal."),
    "feed_do": ("Beri pakan {kg} per makan ({per_day} sehari, {meals}×).",
                "Feed {kg} per meal ({per_day} a day, {meals}×)."),
    "feed_cut": ("Pakan dikurangi setengah: {why}.", "Feed halved: {why}."),
    "tasks": ("Tugas hari ini", "Today's tasks"),
    "task_feed": ("Beri pakan {meal}", "Feed ({meal})"),
    "meal_1": ("pagi", "morning"), "meal_2": ("siang", "midday"), "meal_3": ("sore", "evening"),
    "task_dead": ("Periksa dan catat ikan mati", "Check for and record dead fish"),
    "task_sample": ("Sampling berat ikan (30 ekor)", "Weigh a sample of fish (30)"),
    "task_water": ("Ganti air 20%", "Exchange 20% of the water"),
    "done": ("selesai", "done"),
    "log_form": ("Catat pakan atau ikan mati", "Record feeding or dead fish"),
    "kind": ("Jenis", "Kind"),
    "feeding": ("Pakan", "Feeding"),
    "mortality": ("Ikan mati", "Dead fish"),
    "sampling": ("Sampling", "Sampling"),
    "water_exchange": ("Ganti air", "Water exchange"),
    "treatment": ("Pengobatan", "Treatment"),
    "measurement": ("Ukur manual", "Manual measurement"),
    "note": ("Catatan", "Note"),
    "feed_kg": ("Pakan (kg)", "Feed (kg)"),
    "dead_count": ("Jumlah ikan mati (ekor)", "Dead fish (count)"),
    "amount": ("Jumlah", "Amount"),
    "save": ("Simpan", "Save"),
    "saved": ("Tersimpan.", "Saved."),
    "no_cycle": ("Kolam ini belum ditebar benih.", "This pond is not stocked."),
    "day_n": ("hari ke-{n}", "day {n}"),
    "readings": ("Bacaan terakhir", "Latest readings"),
    "charts": ("Grafik", "Charts"),
    "optimal": ("rentang optimal", "optimal range"),
    "dawn_do": ("Perkiraan oksigen saat subuh", "Dawn oxygen forecast"),
    "dawn_day": ("Siang hari: perkiraan dibuat setelah matahari terbenam.",
                 "Daytime: the forecast is made after sunset."),
    "dawn_wait": ("Belum cukup bacaan malam ini.", "Not enough readings tonight yet."),
    "dawn_unreliable": ("Perkiraan tidak bisa dipercaya: {reason}.",
                        "Forecast unreliable: {reason}."),
    "dawn_why_erratic": ("probe tidak stabil, bacaan melompat {scatter} dari satu ke "
                         "berikutnya", "erratic probe: readings scatter by {scatter} from "
                         "one to the next"),
    "dawn_why_drop": ("turun mendadak {size} dalam {min} menit: gangguan probe, bukan "
                      "oksigen kolam", "sudden drop of {size} within {min} min: a probe "
                      "artefact, not the pond's oxygen"),
    "dawn_why_rise": ("naik mendadak {size} dalam {min} menit: gangguan probe, bukan "
                      "oksigen kolam", "sudden rise of {size} within {min} min: a probe "
                      "artefact, not the pond's oxygen"),
    "dawn_why_mixing": ("DO naik {rate} per jam, {hours} jam setelah matahari terbenam: air "
                        "sedang teraduk (kolam berlapis?), bukan malam yang menurun",
                        "DO rising {rate} an hour {hours} h after dusk: the water is "
                        "mixing (stratified pond?), not a falling night"),
    "dawn_why_stray": ("bacaan menyimpang {rms} dari model malam",
                       "readings stray {rms} from the night model"),
    "dawn_why_silent": ("tidak ada bacaan DO selama {n} menit: probe atau nodenya diam",
                        "no DO reading for {n} min: the probe or its node is silent"),
    "devices": ("Perangkat", "Devices"),
    "battery": ("Baterai", "Battery"),
    "signal": ("Sinyal", "Signal"),
    "last_seen": ("Terakhir terlihat", "Last seen"),
    "online": ("daring", "online"),
    "offline": ("luring", "offline"),
    "cycle": ("Siklus", "Cycle"),
    "cycles": ("Siklus", "Cycles"),
    "kpis": ("Kinerja siklus", "Cycle KPIs"),
    "live_count": ("Ikan hidup", "Live fish"),
    "abw": ("Berat rata-rata", "Average weight"),
    "biomass": ("Biomassa", "Biomass"),
    "survival": ("Kelulushidupan", "Survival"),
    "fcr": ("FCR", "FCR"),
    "sgr": ("SGR", "SGR"),
    "feed_total": ("Pakan total", "Feed total"),
    "projected": ("Perkiraan panen", "Projected harvest"),
    "production_month": ("Produksi bulan ini", "Production this month"),
    "uptime": ("Sensor aktif (24 jam)", "Sensor uptime (24 h)"),
    "open_alerts": ("Peringatan aktif", "Open alerts"),
    "none": ("Tidak ada.", "None."),
    "acknowledge": ("Tangani", "Acknowledge"),
    "acknowledged": ("ditangani", "acknowledged"),
    "open": ("terbuka", "open"),
    "resolved": ("selesai", "resolved"),
    "silence": ("Senyapkan", "Silence"),
    "silences": ("Senyap (perawatan)", "Silences (maintenance)"),
    "hours": ("Jam", "Hours"),
    "reason": ("Alasan", "Reason"),
    "all_ponds": ("semua kolam", "all ponds"),
    "since": ("sejak", "since"),
    "until": ("sampai", "until"),
    "severity": ("Tingkat", "Severity"),
    "value": ("Nilai", "Value"),
    "team": ("Kelompok", "Team"),
    "members": ("Anggota", "Members"),
    "new_team": ("Kelompok baru", "New team"),
    "name": ("Nama", "Name"),
    "programme": ("Program", "Programme"),
    "stock": ("Tebar benih (mulai siklus)", "Stock a pond (start a cycle)"),
    "seed_count": ("Jumlah benih (ekor)", "Seed count (fish)"),
    "seed_weight_g": ("Berat benih (g/ekor)", "Seed weight (g/fish)"),
    "stocked_at": ("Tanggal tebar", "Stocked on"),
    "harvest": ("Panen", "Harvest"),
    "harvests": ("Panen", "Harvests"),
    "harvest_kg": ("Berat panen (kg)", "Harvest weight (kg)"),
    "final": ("Panen akhir (menutup siklus)", "Final harvest (ends the cycle)"),
    "price_kg": ("Harga (Rp/kg)", "Price (Rp/kg)"),
    "log": ("Catatan harian", "Daily log"),
    "skills": ("Catatan keterampilan", "Skill record"),
    "active": ("aktif", "active"),
    "ended": ("selesai", "ended"),
    "error": ("Kesalahan", "Error"),
    "forbidden": ("Anda tidak boleh membuka halaman ini.", "You may not open this page."),
    "not_found": ("Tidak ditemukan.", "Not found."),
    "invalid": ("Data tidak valid", "Invalid data"),
    "range_24h": ("24 jam", "24 h"), "range_7d": ("7 hari", "7 d"),
    "range_30d": ("30 hari", "30 d"),
    "live": ("langsung", "live"),
    "back": ("Kembali", "Back"),
    "time": ("Waktu", "Time"),
    "events": ("Peristiwa", "Events"),
    # h7-channels: what each notification channel confirmed, on the alerts page
    "deliveries": ("Pengiriman", "Deliveries"),
    "dl_pending": ("menunggu", "waiting"),
    "dl_sent": ("terkirim", "sent"),
    "dl_failed": ("gagal", "failed"),
    "dl_dead": ("gagal setelah banyak percobaan", "gave up after many tries"),
    "dl_delivered": ("diterima", "delivered"),
    "dl_read": ("dibaca", "read"),
    # h4-pondstatus: a pond whose readings stopped, and a page whose live updates stopped.
    "st_stale": ("Data terhenti", "Data stopped"),
    "last_data": ("data terakhir {time}", "last data {time}"),
    "live_lost": ("Koneksi terputus — data terakhir {time}",
                  "Connection lost — last data {time}"),
    "live_expired": ("Login kedaluwarsa — silakan masuk lagi",
                     "Login expired — please log in again"),
    # h11-pages (issue #17 items 6, 7): names for the values pages showed raw, counts with
    # plurals, chart legends, the Dinas overview, who may acknowledge.
    "margin": ("Margin", "Margin"),
    "per_day": ("hari", "day"),
    "show": ("Tampilkan", "Show"),
    "mean": ("rata-rata", "mean"),
    "min": ("min", "min"),
    "max": ("maks", "max"),
    "n_fish": ("{n} ekor", "{n} fish|{n} fish"),
    "n_cycles_ended": ("{n} selesai", "{n} ended|{n} ended"),
    "n_ponds": ("{n} kolam", "{n} pond|{n} ponds"),
    "n_alerts": ("{n} peringatan", "{n} alert|{n} alerts"),
    "prog_lele_growout": ("Pembesaran lele", "Catfish grow-out"),
    "prog_entrepreneurship": ("Kewirausahaan", "Entrepreneurship"),
    "ms_active": ("aktif", "active"),
    "ms_released": ("bebas", "released"),
    "ms_transferred": ("dipindahkan", "transferred"),
    "ev_feeding": ("{n} catatan pakan", "{n} feeding log|{n} feeding logs"),
    "ev_health": ("{n} catatan ikan mati", "{n} mortality log|{n} mortality logs"),
    "ev_sampling": ("{n} catatan sampling", "{n} sampling log|{n} sampling logs"),
    "ev_water": ("{n} catatan ganti air/ukur manual",
                 "{n} water exchange/measurement log|{n} water exchange/measurement logs"),
    "ev_treatment": ("{n} catatan pengobatan", "{n} treatment log|{n} treatment logs"),
    "ev_harvest": ("ikut {n} panen", "{n} harvest taken part in|{n} harvests taken part in"),
    "ev_cycle": ("{n} siklus selesai", "{n} cycle completed|{n} cycles completed"),
    "ev_records": ("{n} catatan", "{n} record|{n} records"),
    "sites": ("Lokasi", "Sites"),
    "worst_alert": ("Peringatan terberat", "Worst alert"),
    "ranked_by_trouble": ("Kolam, yang paling bermasalah di atas",
                          "Ponds, the most troubled first"),
    "alerts_by_severity": ("{crit} bahaya · {warn} waspada", "{crit} critical · {warn} warning"),
    "ack_not_allowed": ("Dinas hanya memantau: peringatan ditangani oleh petugas di lokasi.",
                        "The Dinas watches only: alerts are handled by the staff on site."),
    "last_data_h": ("Data terakhir", "Last data"),
    "print": ("Cetak", "Print"),
    "printed_at": ("Dicetak {time}", "Printed {time}"),
}

_UNITS_AGO = {"id": ("detik", "menit", "jam", "hari", "{n} {u} lalu", "baru saja"),
              "en": ("s", "min", "h", "d", "{n} {u} ago", "just now")}


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


MISSING: set[str] = set()
"""Keys asked for that ``WORDS`` lacks (shown as the bare key): tests/api/test_i18n.py
renders every page in both languages and fails when this is not empty."""


def t(lang: str, key: str, **fill: object) -> str:
    """The phrase ``key`` in ``lang`` with ``{name}`` fields filled in."""
    pair = WORDS.get(key)
    if pair is None:
        MISSING.add(key)
        return key
    text = pair[1] if lang == "en" else pair[0]
    if "|" in text:
        text = text.partition("|")[0]
    return text.format(**fill) if fill else text


def tn(lang: str, key: str, n: int, **fill: object) -> str:
    """The phrase ``key`` for a count ``n`` (``{n}`` filled, written the language's way):
    English takes its plural form (after ``|``) unless ``n`` is 1."""
    pair = WORDS.get(key)
    if pair is None:
        MISSING.add(key)
        return f"{n} {key}"
    text = pair[1] if lang == "en" else pair[0]
    one, _, many = text.partition("|")
    text = many if many and n != 1 else one
    return text.format(n=fmt.number(n, 0, lang), **fill)


def num(value: float | None, decimals: int, lang: str) -> str:
    """``1234.5`` → ``1.234,5`` (id) or ``1,234.5`` (en); ``—`` for no value."""
    return fmt.number(value, decimals, lang)


def reading(metric: str, value: float | None, lang: str) -> str:
    """A reading with its unit and the catalogue's precision: ``5,21 mg/L``."""
    m = METRICS.get(metric)
    if m is None:
        return num(value, 2, lang)
    if value is None:
        return "—"
    if m.unit == "pH":  # unitless: the label beside it already says pH
        return num(value, m.decimals, lang)
    return f"{num(value, m.decimals, lang)} {m.unit}"


def label(metric: str, lang: str) -> str:
    m = METRICS.get(metric)
    if m is None:
        return metric
    return m.label_en if lang == "en" else m.label_id


def wib(t_ms: int | None, lang: str = "id") -> str:
    """Epoch ms as the site's wall-clock text, zone named: ``24/11/2026 14:25 WIB``."""
    return fmt.datetime(t_ms, lang)


def ago(now_ms: int, t_ms: int | None, lang: str) -> str:
    """How long ago, in words a trainee reads at a glance: ``2 menit lalu``."""
    if t_ms is None:
        return t(lang, "no_data")
    s, mn, h, d, pattern, just = _UNITS_AGO["en" if lang == "en" else "id"]
    age = max(0, (now_ms - t_ms) // 1000)
    if age < 10:
        return just
    for limit, size, unit in ((60, 1, s), (3600, 60, mn), (86400, 3600, h)):
        if age < limit:
            return pattern.format(n=age // size, u=unit)
    return pattern.format(n=age // 86400, u=d)


def rupiah(value: float | None) -> str:
    return "—" if value is None else "Rp " + f"{value:,.0f}".replace(",", ".")
