"""Words and numbers for the pages: Bahasa Indonesia by default, English on request.

The language is the ``lang`` cookie (``id`` or ``en``), set by the switch on every page.
Times are shown in the site's zone (WIB); numbers follow the language (``5,2`` in
Indonesian, ``5.2`` in English) and always carry their unit. The writing of numbers, money
and dates is ``api.fmt``'s; the helpers here are its older names.

An English phrase with a plural form gives both, ``"{n} cycle|{n} cycles"`` (``tn``):
Indonesian nouns do not change with the count.
"""

from __future__ import annotations

from datetime import tzinfo
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
    # h10-sites: the sites and ponds admin page (/admin/sites)
    "sites_admin": ("Lokasi dan kolam", "Sites and ponds"),
    "new_site": ("Daftarkan lokasi", "Register a site"),
    "new_pond": ("Daftarkan kolam", "Register a pond"),
    "slug": ("Kode (a-z, 0-9, -)", "Code (a-z, 0-9, -)"),
    "site_kind": ("Jenis UPT", "Kind of unit"),
    "pond_kind": ("Jenis kolam", "Kind of pond"),
    "province": ("Provinsi", "Province"),
    "regency": ("Kabupaten/kota", "Regency/city"),
    "lat": ("Lintang (°)", "Latitude (°)"),
    "lon": ("Bujur (°)", "Longitude (°)"),
    "timezone": ("Zona waktu", "Time zone"),
    "altitude": ("Ketinggian (m dpl)", "Altitude (m a.s.l.)"),
    "area_m2": ("Luas (m²)", "Area (m²)"),
    "depth_cm": ("Kedalaman (cm)", "Depth (cm)"),
    "min_level_cm": ("Tinggi air minimum (cm)", "Minimum level (cm)"),
    "in_use": ("Dipakai", "In use"),
    "blank_keeps": ("Kolom kosong tidak mengubah nilai.", "A blank field keeps its value."),
    # h8-forms (issue #17): form fields, validation errors, plausibility, echo, corrections.
    "f_feed_kg": ("Pakan", "Feed"),
    "f_dead_count": ("Ikan mati", "Dead fish"),
    "f_sample_count": ("Jumlah ikan ditimbang", "Fish weighed"),
    "f_sample_weight_g": ("Berat total", "Total weight"),
    "f_exchange_pct": ("Air diganti", "Water exchanged"),
    "f_seed_count": ("Jumlah benih", "Seed count"),
    "f_seed_weight_g": ("Berat benih", "Seed weight"),
    "f_stocked_at": ("Tanggal tebar", "Stocked on"),
    "f_harvest_kg": ("Berat panen", "Harvest weight"),
    "f_count": ("Jumlah ekor", "Count"),
    "f_price": ("Harga per kg", "Price per kg"),
    "f_date": ("Tanggal", "Date"),
    "f_hours": ("Jam", "Hours"),
    "f_pond": ("Kolam", "Pond"),
    "f_kind": ("Jenis", "Kind"),
    "f_note": ("Catatan", "Note"),
    "f_reason": ("Alasan", "Reason"),
    "f_members": ("Anggota", "Members"),
    "err_required": ("{field}: wajib diisi", "{field}: required"),
    "err_not_number": ("{field}: {raw} bukan angka", "{field}: {raw} is not a number"),
    "err_unusable": ("{field}: {raw} bukan angka yang bisa dipakai (harus lebih dari 0)",
                     "{field}: {raw} is not a usable number (must be more than 0)"),
    "err_positive": ("{field}: harus lebih dari 0", "{field}: must be more than 0"),
    "err_whole": ("{field}: harus bilangan bulat", "{field}: must be a whole number"),
    "err_at_most": ("{field}: paling banyak {high} {unit}", "{field}: at most {high} {unit}"),
    "err_date_range": ("{field}: dari tahun {low} sampai sebelum {high}",
                       "{field}: from {low} to before {high}"),
    "err_not_date": ("{field}: {raw} bukan tanggal (TTTT-BB-HH)",
                     "{field}: {raw} is not a date (YYYY-MM-DD)"),
    "err_unknown_kind": ("Jenis catatan tidak dikenal: {kind}", "Unknown kind of log: {kind}"),
    "err_kiosk_kinds": ("Kios hanya mencatat pakan atau ikan mati.",
                        "The kiosk records feeding or dead fish only."),
    "err_no_cycle": ("{pond}: kolam ini belum ditebar benih.", "{pond}: this pond is not stocked."),
    "err_no_pond": ("Pilih kolam.", "Choose a pond."),
    "err_more_dead_than_alive": (
        "{dead} ikan mati lebih banyak dari {alive} ikan yang hidup (ditebar {stocked}, "
        "{died} mati, {harvested} dipanen)",
        "{dead} dead is more than the {alive} fish alive (stocked {stocked}, {died} dead, "
        "{harvested} harvested)"),
    "err_outside_cycle": ("Tanggal {at} di luar siklus (ditebar {stocked}, sampai {until}).",
                          "The date {at} is outside the cycle (stocked {stocked}, until "
                          "{until})."),
    "err_cycle_ended": ("Siklus ini sudah selesai: tidak bisa menambah panen.",
                        "This cycle has ended: no more harvests on it."),
    "err_not_team_members": ("Anggota {ids} bukan anggota kelompok ini.",
                             "Members {ids} are not in this team."),
    "err_harvest_too_many": (
        "Panen {count} ekor lebih banyak dari {alive} ekor yang hidup: isi jumlah ekor.",
        "A harvest of {count} fish is more than the {alive} alive: give the count."),
    "err_active_cycle": ("Kolam ini masih punya siklus aktif: panen akhir dulu.",
                         "This pond still has an active cycle: finish it with a final "
                         "harvest first."),
    "err_team_name": ("Kelompok perlu nama.", "A team needs a name."),
    "err_feed_high": ("{kg} kg pakan membuat {day} kg hari ini, {pct} % dari ±{biomass} kg "
                      "ikan di kolam (paling masuk akal ±{limit} kg sehari). Periksa angkanya.",
                      "{kg} kg of feed makes {day} kg today, {pct} % of the pond's ~{biomass} "
                      "kg of fish (the most plausible is ~{limit} kg a day). Check the number."),
    "err_dead_many": ("{dead} ikan mati adalah {pct} % dari {alive} ikan yang hidup. "
                      "Periksa angkanya.", "{dead} dead is {pct} % of the {alive} fish alive. "
                      "Check the number."),
    "err_sample_too_many": ("{count} ekor ditimbang lebih banyak dari {alive} ikan yang hidup.",
                            "{count} fish weighed is more than the {alive} alive."),
    "err_abw_impossible": (
        "{count} ekor dengan berat total {total} g berarti {abw} g per ekor, kurang dari "
        "seperlima dari {prev} g sebelumnya. Isi BERAT TOTAL semua ikan yang ditimbang (jika "
        "sampling sebelumnya salah, perbaiki dulu).",
        "{count} fish weighing {total} g in all is {abw} g a fish, under a fifth of the "
        "{prev} g before. Enter the TOTAL weight of the fish weighed (if the earlier sampling "
        "is wrong, correct it first)."),
    "err_abw_fell": ("{abw} g per ekor kurang dari setengah {prev} g sebelumnya: ikan tidak "
                     "menyusut. Periksa angkanya.", "{abw} g a fish is less than half the "
                     "{prev} g before: fish do not shrink. Check the number."),
    "err_abw_rose": ("{abw} g per ekor setelah {prev} g {days} hari sebelumnya berarti tumbuh "
                     "{sgr} % sehari (lele paling cepat ±8 % sehari). Periksa angkanya.",
                     "{abw} g a fish after {prev} g {days} days before is {sgr} %/day of "
                     "growth (lele grow at most ~8 %/day). Check the number."),
    "err_exchange_high": ("Ganti air {pct} % lebih dari setengah kolam. Periksa angkanya.",
                          "Exchanging {pct} % of the water is more than half the pond. "
                          "Check the number."),
    "err_price_odd": ("Harga Rp {price}/kg di luar Rp {low}–{high}/kg (harga di kolam "
                      "Rp 18.000–25.000/kg). Periksa angkanya.",
                      "Rp {price}/kg is outside Rp {low}–{high}/kg (farm gate is "
                      "Rp 18,000–25,000/kg). Check the number."),
    "err_harvest_heavy": ("{kg} kg lebih dari dua kali ±{biomass} kg ikan yang diperkirakan "
                          "di kolam. Periksa angkanya.", "{kg} kg is more than twice the "
                          "~{biomass} kg of fish estimated in the pond. Check the number."),
    "confirm_yes": ("Ya, angkanya benar: simpan", "Yes, the number is right: save"),
    "saved_echo": ("Tersimpan: {what}, {time}", "Saved: {what}, {time}"),
    "echo_sampling": ("sampling {n}, total {total} g → {abw} g/ekor",
                      "sampling {n}, total {total} g → {abw} g/fish"),
    "final_short": ("panen akhir", "final"),
    "undo": ("Batalkan", "Undo"),
    "correct": ("Perbaiki", "Correct"),
    "undo_reason": ("dibatalkan segera setelah dicatat", "undone right after saving"),
    "undone_echo": ("Dibatalkan: {what}", "Undone: {what}"),
    "err_undo_too_late": ("Catatan ini tidak bisa dibatalkan di sini lagi: minta petugas "
                          "memperbaikinya.", "This log can no longer be undone here: ask an "
                          "officer to correct it."),
    "err_reason_required": ("Alasan perbaikan wajib diisi.", "A correction needs a reason."),
    "err_already_voided": ("Catatan ini sudah dibatalkan.", "This record was already voided."),
    "err_kind_changed": ("Perbaikan tidak bisa mengubah jenis catatan: batalkan lalu catat "
                         "yang baru.", "A correction keeps the kind: void it and add a new "
                         "one."),
    "err_pond_restocked": ("Kolam sudah ditebar lagi setelah panen akhir ini: tidak bisa "
                           "dibatalkan.", "The pond was stocked again after this final "
                           "harvest: it cannot be voided."),
    "records": ("Semua catatan siklus", "All records of the cycle"),
    "voided": ("dibatalkan", "voided"),
    "correct_title": ("Perbaiki catatan", "Correct a record"),
    "correct_save": ("Simpan perbaikan", "Save the correction"),
    "void_title": ("Batalkan catatan ini", "Void this record"),
    "void_save": ("Batalkan catatan", "Void the record"),
    "reason_hint": ("Alasan (wajib, tercatat di riwayat)", "Reason (required, kept in the "
                    "history)"),
    "replaces": ("menggantikan #{id}", "replaces #{id}"),
    "recorded_by": ("Dicatat oleh", "Recorded by"),
    "margin": ("Laba kotor", "Margin"),
    "released": ("bebas", "released"),
    "transferred": ("dipindahkan", "transferred"),
    "lele_growout": ("Pembesaran lele", "Lele grow-out"),
    "entrepreneurship": ("Kewirausahaan (UMKM)", "Entrepreneurship (UMKM)"),
    "monthly_report": ("Laporan bulanan (cetak)", "Monthly report (print)"),
    "who_did_it": ("Siapa yang mengerjakan?", "Who did it?"),
    "l_sample_count": ("Jumlah ikan ditimbang (ekor)", "Fish weighed (count)"),
    "l_sample_weight_g": ("Berat total (g)", "Total weight (g)"),
    "l_sample_weight_hint": (" semua ikan yang ditimbang, bukan per ekor",
                             " of all the fish weighed, not per fish"),
    "echo_sampling_preview": ("{n} ekor, total {total} g → {abw} g/ekor",
                              "{n} fish, total {total} g → {abw} g/fish"),
    "l_exchange_pct": ("Air diganti (% volume kolam)", "Water exchanged (% of the pond)"),
    "l_when": ("Tanggal dan jam (kosong: sekarang)", "Date and time (empty: now)"),
    "err_team_exists": ("Sudah ada kelompok bernama {name}.",
                        "There is already a team named {name}."),
    # h9-control2 (#18): relay outputs on the pond page
    "outputs": ("Aerator dan pompa", "Aerators and pumps"),
    "output": ("Keluaran", "Output"),
    "output_since": ("Sejak", "Since"),
    "output_by": ("Oleh", "By"),
    "output_on": ("menyala", "on"),
    "output_off": ("mati", "off"),
    "output_cmd_pending": ("menunggu konfirmasi: {state}", "waiting for confirmation: {state}"),
    "output_cmd_expired": ("perintah {state} kedaluwarsa, tidak dikonfirmasi",
                           "command {state} expired, not confirmed"),
    "output_confirm": ("Ya, saya yakin", "Yes, I am sure"),
    "output_switch_on": ("Nyalakan", "Switch on"),
    "output_switch_off": ("Matikan", "Switch off"),
    # h12-newcomer: a pond whose device is back and whose history is still arriving.
    "st_loading": ("Memuat riwayat…", "Loading history…"),
    "loading_do": ("Data lama sedang dimuat; angka terbaru muncul sebentar lagi.",
                   "Older data is loading; the latest readings appear shortly."),
    # h11-pages (issue #17 items 6, 7): names for the values pages showed raw, counts with
    # plurals, chart legends, the Dinas overview, who may acknowledge.
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
    # --- national view (issue #19 item 3) ---
    "national": ("Nasional", "National"),
    "national_report": ("Laporan nasional", "National report"),
    "worst_pond": ("Kolam terberat", "Worst pond"),
    "no_province": ("Tanpa provinsi", "No province"),
    "all": ("Semua", "All"),
    "filter": ("Saring", "Filter"),
    "uk_rutan": ("Rutan", "Rutan (remand prison)"),
    "uk_lapas": ("Lapas", "Lapas (prison)"),
    "uk_lpka": ("LPKA", "LPKA (juvenile unit)"),
    "uk_other": ("Lainnya", "Other"),
    # --- outputs2 (#18 items 3, 4: kiosk aerators, chart bands, back to automatic) ---
    "output_mode_auto": ("otomatis", "automatic"),
    "output_mode_manual": ("manual sampai {time}", "manual until {time}"),
    "output_back_auto": ("Kembali ke otomatis", "Back to automatic"),
    "output_cmd_auto_pending": ("menunggu konfirmasi: kembali ke otomatis",
                                "waiting for confirmation: back to automatic"),
    "output_cmd_auto_expired": ("perintah kembali ke otomatis kedaluwarsa, tidak dikonfirmasi",
                                "back to automatic expired, not confirmed"),
    "output_manual_for": ("Manual selama", "Manual for"),
    "output_minutes": ("{n} menit", "{n} min"),
    "output_hours": ("{n} jam", "{n} h"),
    "output_switched": ("Perintah terkirim; menunggu konfirmasi dari kolam.",
                        "Command sent; waiting for confirmation from the pond."),
    "output_not_switched": ("Belum dikirim: centang “Ya, saya yakin” dulu.",
                            "Not sent: tick “Yes, I am sure” first."),
    "kiosk_aerators": ("Aerator", "Aerators"),
    "chart_output_on": ("{output} menyala", "{output} on"),
    # --- round (#17 item 5: the daily round and probe care) ---
    "care_title": ("Perawatan sensor", "Sensor care"),
    "care_due_h": ("Jadwal perawatan", "Care schedule"),
    "care_record": ("Catat perawatan", "Record the care"),
    "care_record_short": ("Catat", "Record"),
    "care_record_this": ("Sudah selesai? Catat di sini", "Done? Record it here"),
    "care_kind": ("Jenis", "Kind"),
    "care_device": ("Alat", "Device"),
    "care_no_devices": ("Belum ada sensor DO atau pH di kolam ini.",
                        "No DO or pH sensor in this pond yet."),
    "care_buffers": ("Kalibrasi pH: buffer dan mV", "pH calibration: buffers and mV"),
    "care_ph_hint": ("Buffer pertama pH 7. Tulis mV yang tampil setelah angkanya diam.",
                     "The first buffer is pH 7. Write the mV shown once it settles."),
    "care_manual": ("Cek penyimpangan: angka alat tangan", "Drift check: the handheld reading"),
    "care_drift_hint": ("Isi dalam 15 menit setelah mengukur: Kolam membandingkan dengan angka "
                        "sensor saat itu.",
                        "Enter it within 15 minutes of measuring: Kolam compares it with the "
                        "probe's reading of that moment."),
    "care_note": ("Catatan", "Note"),
    "care_history": ("Riwayat perawatan", "Care history"),
    "care_result": ("Hasil", "Result"),
    "care_by": ("Dicatat oleh", "Recorded by"),
    "care_ok": ("Baik", "Good"),
    "care_check": ("Periksa", "Check"),
    "care_last": ("Terakhir", "Last"),
    "care_next": ("Berikutnya", "Next"),
    "care_never": ("Belum pernah", "Never"),
    "care_overdue": ("Terlambat", "Overdue"),
    "care_due_now": ("Hari ini", "Due now"),
    "care_n_overdue": ("{n} terlambat", "{n} overdue"),
    "care_open": ("Buka perawatan sensor", "Open sensor care"),
    "care_every": ("Tiap {n} hari", "Every {n} days"),
    "care_needs": ("Yang dibutuhkan", "What you need"),
    "care_steps": ("Langkah-langkah", "Steps"),
    "care_safety": ("Keselamatan", "Safety"),
    "care_other": ("Prosedur lain", "Other procedures"),
    "care_do_membrane_check": ("Cek membran DO", "DO membrane check"),
    "care_ph_calibration": ("Kalibrasi pH", "pH calibration"),
    "care_probe_cleaning": ("Bersihkan sensor", "Probe cleaning"),
    "care_drift_check": ("Cek penyimpangan", "Drift check"),
    "care_task_do_membrane_check": ("Bilas dan periksa membran DO ({device})",
                                    "Rinse and check the DO membrane ({device})"),
    "care_task_ph_calibration": ("Kalibrasi pH dua titik ({device})",
                                 "pH two-point calibration ({device})"),
    "care_task_probe_cleaning": ("Bersihkan sensor yang kotor ({device})",
                                 "Clean the fouled probe ({device})"),
    "care_task_drift_check": ("Cek sensor dengan alat tangan ({device})",
                              "Check the probe against a handheld reading ({device})"),
    "care_saved": ("Tersimpan: {what}, {device}.", "Saved: {what}, {device}."),
    "care_saved_ph": ("Tersimpan: kalibrasi pH {device}: kemiringan {slope} mV/pH ({pct} % "
                      "Nernst), offset {offset} mV.",
                      "Saved: pH calibration of {device}: slope {slope} mV/pH ({pct} % of "
                      "Nernst), offset {offset} mV."),
    "care_ph_ok": ("Sensor baik.", "The probe is fine."),
    "care_ph_slope_low": ("Kemiringan di bawah 85 %: bersihkan sensor dan ulangi; masih rendah, "
                          "sensor perlu diganti.",
                          "Slope below 85 %: clean the probe and repeat; still low, the probe "
                          "needs replacing."),
    "care_ph_slope_high": ("Kemiringan di atas 105 %: periksa buffer (baru? tertukar?) dan "
                           "ulangi.",
                           "Slope above 105 %: check the buffers (fresh? swapped?) and repeat."),
    "care_ph_offset": ("Offset lebih dari ±30 mV: ujung kaca kotor, bersihkan lalu ulangi.",
                       "Offset beyond ±30 mV: the glass tip is coated, clean it and repeat."),
    "care_saved_drift": ("Tersimpan: cek {device}: alat tangan {manual}, sensor {probe}, "
                         "selisih {diff}.",
                         "Saved: check of {device}: handheld {manual}, probe {probe}, "
                         "difference {diff}."),
    "care_saved_drift_none": ("Tersimpan: cek {device}: alat tangan {manual}, tetapi sensor tidak "
                              "mengirim angka dalam 15 menit itu.",
                              "Saved: check of {device}: handheld {manual}, but the probe sent "
                              "no reading within those 15 minutes."),
    "care_drift_ok": ("Dalam batas ±{tol}: sensor baik.", "Within ±{tol}: the probe is fine."),
    "care_drift_bad": ("Lebih dari ±{tol}: bersihkan sensor hari ini, lalu cek lagi.",
                       "Beyond ±{tol}: clean the probe today, then check again."),
    "f_buffer1": ("Buffer 1", "Buffer 1"),
    "f_reading1": ("mV di buffer 1", "mV in buffer 1"),
    "f_buffer2": ("Buffer 2", "Buffer 2"),
    "f_reading2": ("mV di buffer 2", "mV in buffer 2"),
    "f_buffer_temp_c": ("Suhu buffer", "Buffer temperature"),
    "f_manual_value": ("Angka alat tangan", "Handheld reading"),
    "err_not_a_buffer": ("{field}: {value} bukan buffer kalibrasi (4,01, 7,00, 10,01…)",
                         "{field}: {value} is not a calibration buffer (4.01, 7.00, 10.01…)"),
    "err_buffer1_neutral": ("Buffer pertama harus pH 7 (7,00 atau 6,86).",
                            "The first buffer must be pH 7 (7.00 or 6.86)."),
    "err_buffer2_far": ("Buffer kedua harus pH 4 atau pH 10.",
                        "The second buffer must be pH 4 or pH 10."),
    "err_reading_mv": ("{field}: {value} mV tidak mungkin (batas ±600 mV)",
                       "{field}: {value} mV cannot be (at most ±600 mV)"),
    "err_buffer_temp": ("Suhu buffer {value} °C tidak masuk akal.",
                        "A buffer temperature of {value} °C is not plausible."),
    "err_slope_sign": ("mV naik bersama pH: buffer tertukar atau sensor tidak tersambung.",
                       "The mV rise with the pH: buffers swapped or the probe is not "
                       "connected."),
    "err_drift_metric": ("Cek penyimpangan hanya untuk DO dan pH.",
                         "Drift checks are for DO and pH only."),
    "err_manual_range": ("Angka alat tangan {value} di luar {low}–{high}.",
                         "The handheld reading {value} is outside {low}–{high}."),
    "err_not_site_members": ("Anggota {ids} bukan anggota lokasi ini.",
                             "Members {ids} are not members of this site."),
    "ev_probe_care": ("{n} perawatan sensor", "{n} sensor care entry|{n} sensor care entries"),
    "ev_calibration": ("{n} kalibrasi/cek sensor", "{n} calibration or check|{n} calibrations "
                                                   "or checks"),
    # --- roster (#21): contacts, duty roster, one-time acknowledgement links ---
    "roster": ("Jadwal piket", "Duty roster"),
    "roster_intro": ("Peringatan bahaya sampai dulu ke petugas piket (tingkat 1), lalu ke "
                     "tingkat berikutnya bila belum ditangani.",
                     "Critical alerts reach the officer on duty (level 1) first, then the "
                     "next level while nobody acknowledges."),
    "roster_now": ("Sekarang {time} ({zone})", "Now {time} ({zone})"),
    "level": ("Tingkat", "Level"),
    "level_0": ("1 · piket", "1 · on duty"),
    "level_1": ("2 · cadangan", "2 · backup"),
    "level_2": ("3 · Dinas/atasan", "3 · Dinas/head"),
    "weekdays": ("Hari", "Days"),
    "every_day": ("Setiap hari", "Every day"),
    "wd_0": ("Sen", "Mon"), "wd_1": ("Sel", "Tue"), "wd_2": ("Rab", "Wed"),
    "wd_3": ("Kam", "Thu"), "wd_4": ("Jum", "Fri"), "wd_5": ("Sab", "Sat"),
    "wd_6": ("Min", "Sun"),
    "starts": ("Mulai", "Starts"),
    "ends": ("Selesai", "Ends"),
    "next_day": ("hari berikutnya", "next day"),
    "all_day": ("24 jam", "24 hours"),
    "on_duty": ("Sedang piket", "On duty"),
    "new_shift": ("Tambah giliran piket", "Add a shift"),
    "remove": ("Hapus", "Remove"),
    "my_contacts": ("Kontak saya", "My contacts"),
    "contacts_intro": ("Ke mana peringatan dikirim saat Anda piket, dan lewat saluran apa "
                       "untuk tiap tingkat.",
                       "Where alerts reach you while you are on duty, and on which "
                       "channels for each severity."),
    "phone": ("Nomor HP (WhatsApp/SMS)", "Phone (WhatsApp/SMS)"),
    "telegram": ("Chat ID Telegram", "Telegram chat id"),
    "email": ("E-mail", "E-mail"),
    "language": ("Bahasa", "Language"),
    "channels_for_critical": ("Saluran untuk peringatan bahaya", "Channels for critical alerts"),
    "channels_for_warning": ("Saluran untuk peringatan waspada", "Channels for warnings"),
    "ch_telegram": ("Telegram", "Telegram"),
    "ch_whatsapp": ("WhatsApp", "WhatsApp"),
    "ch_sms": ("SMS", "SMS"),
    "ch_email": ("E-mail", "E-mail"),
    "ack_title": ("Tanggapi peringatan", "Acknowledge an alert"),
    "ack_as": ("Anda menanggapi sebagai {name}: eskalasi berhenti.",
               "You acknowledge as {name}: escalation stops."),
    "ack_done": ("Ditangani oleh {name}. Terima kasih; tidak ada pesan eskalasi lagi.",
                 "Acknowledged by {name}. Thank you; no more escalation messages."),
    "ack_link_unknown": ("Tautan ini tidak dikenal.", "This link is not known."),
    "err_ack_link_used": ("Tautan ini sudah dipakai.", "This link was used already."),
    "err_ack_link_expired": ("Tautan ini sudah kedaluwarsa.", "This link has expired."),
    "err_ack_link_done": ("Peringatan ini sudah {field}.", "This alert is {field} already."),
    "err_bad_time": ("{field}: jam sebagai JJ:MM, 00:00–23:59",
                     "{field}: a time as HH:MM, 00:00–23:59"),
    "err_bad_phone": ("{field}: 8–15 angka, mis. 6281234567890",
                      "{field}: 8–15 digits, e.g. 6281234567890"),
    "err_bad_chat": ("{field}: chat ID (angka) atau @nama", "{field}: a chat id (digits) or @name"),
    "err_bad_email": ("{field}: bukan alamat e-mail", "{field}: not an e-mail address"),
    "err_channel_needs": ("{channel} perlu {field} lebih dulu", "{channel} needs {field} first"),
    "err_no_user": ("Tidak ada pengguna {name}", "No user {name}"),
    "err_not_staff": ("{name} bukan petugas lokasi ini", "{name} is not staff of this site"),
    "err_bad_weekdays": ("{field}: pilih minimal satu hari", "{field}: choose at least one day"),
    "err_bad_level": ("{field}: bilangan bulat", "{field}: a whole number"),
    # --- gateway kiosk (#18 item 4) ---
    "gw_kiosk_at_pond": ("di kolam, tanpa internet pun jalan", "at the pond, works offline"),
    "gw_output_manual": ("manual", "manual"),
    "gw_problem_not_confirmed": ("aerator tidak menjawab", "aerator not answering"),
    "gw_problem_no_current": ("aerator tidak bekerja (arus nol)",
                              "aerator not working (no current)"),
    "gw_problem_do_still_falling": ("oksigen masih turun: periksa aerator",
                                    "oxygen still falling: check the aerator"),
    "gw_saved_offline": ("Tersimpan di kolam: {what}. Dikirim ke pusat saat internet ada.",
                         "Saved at the pond: {what}. Sent to the centre when the internet is up."),
    "gw_feed_what": ("pakan {kg} kg, {pond}", "feed {kg} kg, {pond}"),
    "gw_dead_what": ("{n} ekor mati, {pond}", "{n} dead fish, {pond}"),
    "gw_form_expired": ("Formulir kedaluwarsa: muat ulang halaman lalu coba lagi.",
                        "The form expired: reload the page and try again."),
    # --- forms (issue #17 item 4: members, costs, manual measurements, stocking;
    # issue #19 item 1: stocking density) ---
    "member_add": ("Tambah anggota", "Add a member"),
    "member_edit": ("Ubah anggota", "Edit a member"),
    "edit": ("Ubah", "Edit"),
    "l_registration_no": ("Nomor registrasi", "Registration number"),
    "l_alias": ("Nama panggilan (tampil di kiosk)", "Alias (shown on the kiosk)"),
    "l_full_name": ("Nama lengkap (opsional, hanya petugas yang melihat)",
                    "Full name (optional, only officers see it)"),
    "l_joined_at": ("Tanggal bergabung (kosong: hari ini)", "Joined on (empty: today)"),
    "l_status": ("Status", "Status"),
    "l_left_at": ("Tanggal keluar, bila bebas atau dipindahkan (kosong: hari ini)",
                  "Left on, if released or transferred (empty: today)"),
    "f_registration_no": ("Nomor registrasi", "Registration number"),
    "f_alias": ("Nama panggilan", "Alias"),
    "f_joined_at": ("Tanggal bergabung", "Joined on"),
    "f_left_at": ("Tanggal keluar", "Left on"),
    "echo_member": ("anggota {alias} ({status})", "member {alias} ({status})"),
    "err_alias_length": ("Nama panggilan: 1 sampai {high} huruf.",
                         "Alias: 1 to {high} characters."),
    "err_alias_taken": ("Sudah ada anggota aktif bernama {alias} di kelompok ini: di kiosk "
                        "keduanya tampak sama. Yakin?",
                        "An active member of this team is already called {alias}: on the "
                        "kiosk both look the same. Are you sure?"),
    "err_member_exists": ("Nomor registrasi {reg} sudah ada di kelompok ini.",
                          "Registration number {reg} is already in this team."),
    "costs": ("Biaya", "Costs"),
    "cost_add": ("Catat biaya", "Record a cost"),
    "l_cost_category": ("Jenis biaya", "Category"),
    "cost_seed": ("benih", "seed"),
    "cost_feed": ("pakan", "feed"),
    "cost_other": ("lain-lain", "other"),
    "l_amount_rp": ("Jumlah (Rp)", "Amount (Rp)"),
    "l_description": ("Keterangan", "Description"),
    "f_amount": ("Jumlah biaya", "Amount"),
    "echo_cost": ("biaya {category} {amount}", "cost: {category} {amount}"),
    "note_cost": ("Mencatat biaya {category} {amount}", "Recorded a cost: {category} {amount}"),
    "err_cost_low": ("Rp {amount} kurang dari Rp 1.000: maksudnya Rp {meant}? Periksa "
                     "angkanya.", "Rp {amount} is less than Rp 1,000: did you mean "
                     "Rp {meant}? Check the number."),
    "err_cost_high": ("Rp {amount} lebih dari nilai seluruh panen {count} ekor (±Rp {worth})."
                      " Periksa angkanya.", "Rp {amount} is more than the whole harvest of "
                      "{count} fish could sell for (~Rp {worth}). Check the number."),
    "err_seed_cost_odd": ("Rp {cost} untuk {count} ekor = Rp {each} per ekor (benih biasanya "
                          "±Rp {usual} per ekor). Periksa angkanya.",
                          "Rp {cost} for {count} fish is Rp {each} a fish (seed is about "
                          "Rp {usual} a fish). Check the number."),
    "err_unknown_category": ("Jenis biaya tidak dikenal: {kind}", "Unknown category: {kind}"),
    "measure_add": ("Ukur manual (test kit)", "Manual measurement (test kit)"),
    "measure_hint": ("Isi yang diukur saja; kosongkan yang lain.",
                     "Fill in what was measured; leave the rest empty."),
    "l_tan_as": ("Hasil kit amonia dinyatakan sebagai", "The ammonia kit reports"),
    "tan_as_N": ("N (TAN-N, mg/L N)", "N (TAN-N, mg/L N)"),
    "tan_as_NH3": ("NH3 (mg/L NH3)", "NH3 (mg/L NH3)"),
    "tan_as_NH4": ("NH4 (mg/L NH4+)", "NH4 (mg/L NH4+)"),
    "f_do_mgl": ("Oksigen terlarut (DO)", "Dissolved oxygen (DO)"),
    "f_ph": ("pH", "pH"),
    "f_temp_c": ("Suhu air", "Water temperature"),
    "f_tan_mgl": ("Amonia total (TAN)", "Total ammonia (TAN)"),
    "err_no_reading": ("Isi paling sedikit satu hasil ukur.", "Fill in at least one reading."),
    "err_reading_range": ("{field}: harus {low} sampai {high}", "{field}: must be {low} to "
                          "{high}"),
    "err_reading_odd": ("{field} {value} di luar {low}–{high}, lebih dari yang terjadi di "
                        "kolam. Periksa angkanya.", "{field} {value} is outside {low}–{high}, "
                        "more than a pond shows. Check the number."),
    "l_seed_cost": ("Harga seluruh benih (Rp, opsional)", "Seed cost, all of it (Rp, optional)"),
    "f_seed_cost": ("Harga benih", "Seed cost"),
    "echo_stock": ("tebar {n}, {abw} g/ekor{more} di {pond}",
                   "stocked {n}, {abw} g/fish{more} in {pond}"),
    "note_stocked": ("Menebar benih {n} di {pond}", "Stocked {n} in {pond}"),
    "err_density_odd": ("{count} ekor di kolam {area} m² = {density} ekor/{per}; kolam ini "
                        "biasanya ditebar {low}–{high} ekor/{per}. Periksa angkanya.",
                        "{count} fish in {area} m² is {density} fish/{per}; such a pond is "
                        "stocked at {low}–{high} fish/{per}. Check the number."),
    "density": ("Kepadatan", "Stocking density"),
    "fish_per_m2": ("ekor/m²", "fish/m²"),
    "err_joined_before_team": ("Kelompok {team} dimulai lebih lambat: anggota tidak bisa "
                               "bergabung sebelum itu.", "Team {team} started later: a member "
                               "cannot join before that."),
    "err_left_before_joined": ("{alias} bergabung lebih lambat dari tanggal keluar itu.",
                               "{alias} joined after that date of leaving."),
    # --- umkm (issue #20): the team's cash book (buku kas) and stock card ---
    "cashbook": ("Buku kas", "Cash book"),
    "stock_card": ("Kartu stok", "Stock card"),
    "month": ("Bulan", "Month"),
    "month_summary": ("Ringkasan bulan", "Month summary"),
    "opening": ("Saldo awal", "Opening balance"),
    "money_in": ("Uang masuk", "Money in"),
    "money_out": ("Uang keluar", "Money out"),
    "closing": ("Saldo akhir", "Closing balance"),
    "profit": ("Laba / rugi", "Profit / loss"),
    "category": ("Kategori", "Category"),
    "description": ("Uraian", "Description"),
    "balance": ("Saldo", "Balance"),
    "reversed_by": ("dibatalkan oleh entri {n}", "reversed by entry {n}"),
    "reverse": ("Batalkan entri ini", "Reverse this entry"),
    "book_derived_hint": ("Penjualan panen, biaya siklus dan biaya benih masuk otomatis dari "
                          "catatan budidaya; jangan dicatat dua kali. Entri yang salah "
                          "dibatalkan dengan entri baru, tidak dihapus.",
                          "Harvest sales, cycle costs and seed costs come in from the farm "
                          "records by themselves; do not enter them twice. A wrong entry is "
                          "reversed by a new one, never erased."),
    "pnl_cycles": ("Laba / rugi per siklus", "Profit and loss per cycle"),
    "add_entry": ("Catat uang masuk / keluar", "Record money in / out"),
    "direction": ("Arah", "Direction"),
    "f_amount_rp": ("Jumlah (Rp)", "Amount (Rp)"),
    "f_quantity": ("Banyaknya", "Quantity"),
    "f_protein_pct": ("Protein (%)", "Protein (%)"),
    "f_paid_rp": ("Dibayar (Rp, opsional)", "Paid (Rp, optional)"),
    "counterparty": ("Dari / kepada", "From / to"),
    "cat_fish_sales": ("Penjualan ikan", "Fish sales"),
    "cat_product_sales": ("Penjualan produk olahan", "Product sales"),
    "cat_seed": ("Benih", "Seed"),
    "cat_feed": ("Pakan", "Feed"),
    "cat_medicine": ("Obat dan probiotik", "Medicine and probiotics"),
    "cat_equipment": ("Peralatan", "Equipment"),
    "cat_electricity": ("Listrik", "Electricity"),
    "cat_transport": ("Transportasi", "Transport"),
    "cat_other": ("Lain-lain", "Other"),
    "src_book": ("buku kas", "cash book"),
    "src_harvest": ("dari panen", "from a harvest"),
    "src_cost": ("dari biaya siklus", "from a cycle cost"),
    "src_stocking": ("dari tebar benih", "from a stocking"),
    "src_feeding": ("dari catatan pakan", "from a feeding log"),
    "on_hand": ("Stok ada", "On hand"),
    "item": ("Barang", "Item"),
    "item_kind": ("Jenis barang", "Kind of item"),
    "delivered": ("Masuk", "In"),
    "used": ("Terpakai", "Used"),
    "adjusted": ("Selisih hitung", "Count difference"),
    "adjustment": ("selisih", "difference"),
    "last_count": ("Hitung terakhir", "Last count"),
    "protein": ("protein", "protein"),
    "n_sacks": ("{n} sak @ {kg} kg", "{n} sacks of {kg} kg"),
    "stock_feed_hint": ("Pakan terpakai dihitung dari catatan pakan; hitung stok mengoreksi "
                        "kartu.", "Feed used is read from the feeding logs; a count "
                        "corrects the card."),
    "stock_moves": ("Mutasi stok", "Stock moves"),
    "add_move": ("Catat barang masuk, keluar atau hitung stok",
                 "Record a delivery, a use or a count"),
    "mk_delivery": ("masuk", "delivery"),
    "mk_use": ("keluar", "use"),
    "mk_count": ("hitung stok", "count"),
    "sk_feed": ("Pakan", "Feed"),
    "sk_seed": ("Benih", "Seed fish"),
    "sk_medicine": ("Obat / probiotik", "Medicine / probiotics"),
    "sk_packaging": ("Kemasan", "Packaging"),
    "sk_product": ("Produk olahan", "Processed product"),
    "feed_left": ("Pakan tersisa {kg} kg: cukup {days} hari dengan pakan hari ini "
                  "{ration} kg/hari.", "Feed left {kg} kg: {days} days at today's ration "
                  "of {ration} kg/day."),
    "feed_left_warn": ("Kurang dari seminggu: pesan pakan sekarang.",
                       "Less than a week: order feed now."),
    "feed_left_team": ("Pakan {team}", "Feed of {team}"),
    "err_amount_small": ("Rp {amount} sangat kecil: maksudnya Rp {meant}? Tekan "
                         "“ya” bila benar.", "Rp {amount} is very little: did you mean "
                         "Rp {meant}? Press “yes” if it is right."),
    "err_amount_large": ("Rp {amount} lebih besar dari usaha kelompok biasanya. Tekan "
                         "“ya” bila benar.", "Rp {amount} is more than a team's business "
                         "moves at once. Press “yes” if it is right."),
    "err_in_as_cost": ("Uang masuk sebagai {category}: apakah uang keluar? Tekan “ya” bila "
                       "pengembalian uang.", "Money in as {category}: is it money out? "
                       "Press “yes” if it is a refund."),
    "err_feed_price_odd": ("Harga pakan Rp {price}/{unit} tidak wajar (satu sak 30 kg "
                           "sekitar Rp 380.000). Periksa angkanya.",
                           "Feed at Rp {price}/{unit} looks wrong (a 30 kg sack is about "
                           "Rp 380,000). Check the number."),
    "err_reverse_reversal": ("Entri ini sendiri sebuah koreksi: catat entri baru.",
                             "This entry is itself a correction: add a new entry."),
    "err_already_reversed": ("Entri ini sudah dibatalkan oleh entri {entry}.",
                             "This entry was already reversed by entry {entry}."),
    "err_in_future": ("Tanggalnya di masa depan.", "The date is in the future."),
    "err_before_team": ("Tanggalnya sebelum kelompok dibentuk.",
                        "The date is before the team was formed."),
    "err_not_team_cycle": ("Siklus {cycle} bukan siklus kelompok ini.",
                           "Cycle {cycle} is not this team's."),
    "err_item_required": ("Nama barang wajib diisi.", "The item needs a name."),
    "err_feed_unit": ("Pakan dihitung dalam kg atau sak, bukan {unit}.",
                      "Feed is counted in kg or sacks, not {unit}."),
    "err_paid_not_delivery": ("Hanya barang masuk yang dibayar.",
                              "Only a delivery is paid for."),
    "trainer": ("Pendamping UMKM", "UMKM trainer"),
    "unit": ("Satuan", "Unit"),
    "record_sale": ("Catat penjualan", "Record a sale"),
    "ev_processing": ("{n} produksi olahan", "{n} product batch|{n} product batches"),
    "business_month": ("Usaha bulan ini", "Business this month"),
    "business_line": ("masuk {money_in}, laba {profit}", "in {money_in}, profit {profit}"),
    "sale_what": ("Yang dijual", "What was sold"),
    "f_price_unit": ("Harga per kg / pak (Rp)", "Price per kg / pack (Rp)"),
    "sold_at_kiosk": ("dijual, dicatat di kios", "sold, recorded at the kiosk"),
    "sale_saved": ("Tersimpan: penjualan {amount}.", "Saved: a sale of {amount}."),
    "ev_bookkeeping": ("{n} entri buku kas", "{n} cash book entry|{n} cash book entries"),
    "ev_selling": ("{n} penjualan", "{n} sale|{n} sales"),
    "ev_stock": ("{n} hitung stok", "{n} stock count|{n} stock counts"),
    "ev_month_close": ("{n} bulan tutup buku", "{n} month of books closed|{n} months of "
                       "books closed"),
    # --- overview at national scale (#19 item 4) ---
    "ponds_shown": ("Menampilkan {n} kolam paling bermasalah dari {total}.",
                    "Showing the {n} most troubled ponds of {total}."),
    # --- products page (#20) ---
    "products_page": ("Produk olahan", "Processed products"),
    "f_product": ("Produk", "Product"),
    "n_batches": ("Batch", "Batches"),
    "batches": ("Batch produksi", "Production batches"),
    "fish_used_kg": ("Ikan (kg)", "Fish (kg)"),
    "yield_per_kg": ("Hasil (pak/kg ikan)", "Yield (packs/kg of fish)"),
    "packs_made": ("Pak dibuat", "Packs made"),
    "packs_sold": ("Pak terjual", "Packs sold"),
    "packs_left": ("Pak sisa", "Packs left"),
    "cost_per_pack": ("Biaya per pak", "Cost per pack"),
    "product_sales": ("Penjualan", "Sales"),
    "fish_value": ("Nilai ikan", "Fish value"),
    "inputs_value": ("Bahan lain", "Other inputs"),
    "products_hint": ("Biaya per pak = (nilai ikan + bahan lain) ÷ pak; nilai ikan = kg × "
                      "harga panennya. Laba kotor = penjualan − pak terjual × biaya per "
                      "pak. Penjualan dihitung dari entri buku kas penjualan produk yang "
                      "menyebut produknya.",
                      "Cost per pack = (fish value + other inputs) ÷ packs; the fish is "
                      "valued at kg × its harvest's price. Margin = sales − packs sold × "
                      "cost per pack. Sales are the book's product sales that name the "
                      "product."),
    "add_batch": ("Catat produksi olahan", "Record a production batch"),
    "f_harvest_from": ("Ikan dari panen", "Fish from the harvest"),
    "f_fish_kg": ("Ikan dipakai (kg)", "Fish used (kg)"),
    "f_packs": ("Pak dihasilkan", "Packs made"),
    "f_inputs_rp": ("Bahan lain (Rp: tepung, minyak, bumbu, kemasan)",
                    "Other inputs (Rp: flour, oil, spices, packs)"),
    "f_inputs_paid": ("Bahan dibeli sekarang: catat di buku kas sebagai uang keluar",
                      "Inputs bought now: write them in the cash book as money out"),
    "kg_left": ("sisa {kg} kg", "{kg} kg left"),
    "no_harvest_yet": ("Kelompok ini belum panen. Ikan untuk produksi diambil dari panen: "
                       "catat panennya dulu.", "This team has no harvest yet. A batch takes "
                       "its fish from a harvest: record the harvest first."),
    "batch_saved": ("Tersimpan: {packs} pak {product} dari {kg} kg ikan, {cost} per pak.",
                    "Saved: {packs} packs of {product} from {kg} kg of fish, {cost} a pack."),
    "products_link": ("Produk olahan", "Products"),
    "sell_packs": ("Catat penjualan produk", "Record packs sold"),
    "f_packs_sold": ("Pak terjual", "Packs sold"),
    "f_price_pack": ("Harga per pak (Rp)", "Price per pack (Rp)"),
    "packs_n_left": ("sisa {n} pak", "{n} packs left"),
    "err_product_required": ("Nama produk wajib diisi.", "The product needs a name."),
    "err_batch_harvest": ("Pilih panen kelompok ini asal ikannya.",
                          "Choose the team's harvest the fish came from."),
    "err_batch_fish_over": ("{kg} kg lebih dari sisa ikan panen itu ({left} kg dari "
                            "{harvest_kg} kg).", "{kg} kg is more than that harvest has "
                            "left ({left} of {harvest_kg} kg)."),
    "err_batch_yield_odd": ("{per_kg} pak per kg ikan tidak biasa untuk {product} "
                            "(biasanya {low}–{high}). Periksa angkanya; tekan “ya” bila "
                            "benar.", "{per_kg} packs per kg of fish is unusual for "
                            "{product} (usually {low}–{high}). Check the numbers; press "
                            "“yes” if it is right."),
    # --- bizstock (#20 items 2-4): seed off the stock card at stocking, sales naming the
    # product ---
    "echo_seed_taken": ("{n} diambil dari kartu stok ({item}): sisa {left}.",
                        "{n} taken off the stock card ({item}): {left} left."),
    "seed_card_negative": ("Kartu stok {item} kini minus ({n}): ditebar lebih banyak "
                           "benih daripada yang tercatat. Hitung benih yang ada dan catat "
                           "hitungannya di kartu stok.",
                           "The stock card's {item} is now below zero ({n}): more "
                           "seed was stocked than it held. Count the seed there is and "
                           "record the count on the stock card."),
    "needs_count": ("perlu dihitung", "needs a count"),
    "f_product_sold": ("Produk yang dijual", "Product sold"),
    "product_sale_hint": ("Untuk penjualan produk olahan: pilih produknya; jumlah = pak.",
                          "For a sale of processed products: choose the product; "
                          "quantity = packs."),
    "no_products_yet": ("Belum ada produk olahan: catat produksinya dulu di halaman Produk "
                        "olahan.", "No processed products yet: record a batch on the "
                        "Products page first."),
    "err_sale_product": ("Pilih produk yang dijual (produk kelompok ini).",
                         "Choose the product sold (one of this team's)."),
    "err_sale_packs": ("Isi berapa pak {product} yang dijual.",
                       "Fill in how many packs of {product} were sold."),
    "err_sale_over_stock": ("{packs} pak {product} dijual, padahal kartu stok mencatat "
                            "{left} pak. Tekan “ya” bila benar, lalu hitung pak yang ada.",
                            "{packs} packs of {product} sold, but the stock card holds "
                            "{left}. Press “yes” if it is right, then count the packs."),
    # biznat (#20 item 6): the teams' business on the national view
    "products_month": ("Produk olahan bulan ini", "Processed products this month"),
    "packs_made_sold": ("{made} pak dibuat, {sold} terjual", "{made} packs made, {sold} sold"),
    # lead (#14): the pond page's forecast told the aerators
    "dawn_aerated_on": ("aerator menyala sejak {since}; tanpa aerator subuh {without}",
                        "aerator on since {since}; without it dawn would be {without}"),
    "dawn_aerated_plan": ("aerator dijadwalkan menyala {start}–{end} (gateway); tanpa "
                          "aerator subuh {without}",
                          "aerator scheduled on {start}–{end} (gateway); without it dawn "
                          "would be {without}"),
    "dawn_aerated_loop": ("gateway menyalakan aerator bila DO di bawah {on}; tanpa aerator "
                          "subuh {without}",
                          "the gateway switches the aerator on below {on}; without it dawn "
                          "would be {without}"),
}

UNITS_ID: Final = {"fish": "ekor", "kg per log": "kg per catatan", "Rp/kg": "Rp/kg",
                   "%": "%", "g": "g", "kg": "kg", "h": "jam"}
"""Units in error messages, as the Indonesian pages write them."""

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


def wib(t_ms: int | None, lang: str = "id", tz: tzinfo | None = None) -> str:
    """Epoch ms as the site's wall-clock text, zone named: ``24/11/2026 14:25 WIB`` (the
    zone ``tz``, WIB when not given; pages use the template global of the site's zone)."""
    return fmt.datetime(t_ms, lang, tz)


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


def _filled(value: object, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or value == int(value):
        return num(value, 0, lang)
    return num(value, 2, lang).rstrip("0").rstrip(",." if lang == "id" else ".")


def error_text(exc: Exception, lang: str) -> str:
    """An ``InvalidRecord`` in the page's language: its ``err_{key}`` phrase with the
    numbers written the language's way and the field named; the message otherwise."""
    key = getattr(exc, "key", None)
    if key is None or f"err_{key}" not in WORDS:
        return str(exc)
    fill: dict[str, str] = {}
    for name, value in getattr(exc, "fill", {}).items():
        if name == "field":
            fill[name] = t(lang, str(value))
        elif name == "unit":
            fill[name] = str(value) if lang == "en" else UNITS_ID.get(str(value), str(value))
        elif name == "raw":
            fill[name] = f"“{value}”"
        else:
            fill[name] = _filled(value, lang)
    pair = WORDS[f"err_{key}"]
    try:
        return (pair[1] if lang == "en" else pair[0]).format(**fill)
    except (KeyError, IndexError):  # a field the phrase needs is missing: say it as raised
        return str(exc)


def rupiah(value: float | None) -> str:
    return "—" if value is None else "Rp " + f"{value:,.0f}".replace(",", ".")
