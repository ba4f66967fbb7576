"""The guided procedures of probe care, in plain Indonesian and English: numbered steps, what
to watch for, and safety notes. Shown at ``/procedures/{kind}`` beside a small drawing
(``api/templates/pages/procedures/{kind}.svg``), linked from the kiosk's daily round.

Written for a trainee at the pond with the node in one hand: one action per step, the
numbers they will see on the form, and why it matters in one line. The steps follow the
probe makers' care instructions (DFRobot SEN0161 pH kit; galvanic DO probe manuals such as
Oakton DO 700 §7: rinse after use, deposits on the membrane block oxygen) and the checks of
``kolam.farming.probe_care``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kolam.farming.probe_care import Kind

Text = tuple[str, str]
"""(Bahasa Indonesia, English)."""


@dataclass(frozen=True, slots=True)
class Procedure:
    kind: Kind
    title: Text
    why: Text
    needs: tuple[Text, ...]
    steps: tuple[Text, ...]
    safety: tuple[Text, ...]


PROCEDURES: dict[Kind, Procedure] = {p.kind: p for p in (
    Procedure(
        Kind.DO_MEMBRANE_CHECK,
        ("Bilas dan periksa membran sensor oksigen (DO)",
         "Rinse and check the oxygen (DO) probe's membrane"),
        ("Kotoran di membran menghalangi oksigen: sensor membaca terlalu rendah, sampai 20 % "
         "dalam dua minggu di air kotor. Lakukan seminggu sekali.",
         "Dirt on the membrane blocks oxygen: the probe reads low, up to 20 % in two weeks in "
         "dirty water. Do it once a week."),
        (("Botol semprot berisi air bersih", "A squeeze bottle of clean water"),
         ("Tisu lembut atau kain bersih", "Soft tissue or a clean cloth"),
         ("Ember kecil berisi air kolam", "A small bucket of pond water")),
        (("Angkat sensor DO pelan-pelan dari kolam. Jangan tarik kabelnya.",
          "Lift the DO probe gently out of the pond. Do not pull it by the cable."),
         ("Semprot ujung sensor dengan air bersih sampai lumpur dan lendir hilang.",
          "Spray the tip with clean water until mud and slime are gone."),
         ("Lihat membran (lapisan tipis di ujung): harus rata, tidak sobek, tidak keriput, "
          "tanpa gelembung di baliknya.",
          "Look at the membrane (the thin film at the tip): it must be flat, not torn, not "
          "wrinkled, with no bubble behind it."),
         ("Kalau ada lapisan licin, usap sangat pelan dengan tisu basah. Jangan digosok keras.",
          "If it feels slimy, wipe very gently with a wet tissue. Never scrub it."),
         ("Membran sobek atau ada gelembung? Jangan dipasang lagi: lapor ke petugas untuk "
          "ganti membran.",
          "Membrane torn or a bubble behind it? Do not put it back: tell the officer, it "
          "needs a new membrane."),
         ("Pasang lagi sensor di tempatnya, di air yang mengalir atau dekat kincir: sensor "
          "galvanik butuh air bergerak.",
          "Put the probe back in its place, in moving water or near the aerator: a galvanic "
          "probe needs water flowing past it."),
         ("Tunggu 10 menit, lihat angka DO di kiosk naik kembali ke angka biasa, lalu catat "
          "di formulir.",
          "Wait 10 minutes, see the DO on the kiosk come back to its usual value, then record "
          "it on the form.")),
        (("Jangan sentuh membran dengan kuku atau benda tajam.",
          "Never touch the membrane with a fingernail or anything sharp."),
         ("Cairan di dalam sensor (elektrolit) bersifat basa: kalau kena kulit atau mata, "
          "bilas dengan banyak air.",
          "The liquid inside the probe (electrolyte) is caustic: if it touches skin or eyes, "
          "rinse with plenty of water."),
         ("Jangan masuk ke kolam sendirian; jauhkan kabel listrik kincir dari air.",
          "Never go into the pond alone; keep the aerator's power cable out of the water.")),
    ),
    Procedure(
        Kind.PH_CALIBRATION,
        ("Kalibrasi pH dua titik (pH 7, lalu pH 4 atau 10)",
         "pH two-point calibration (pH 7, then pH 4 or 10)"),
        ("Sensor pH bergeser pelan-pelan. Kalibrasi tiap 2 minggu (atau saat kiosk bilang "
         "sudah waktunya) menjaga angka pH tetap benar.",
         "A pH probe drifts slowly. Calibrating every 2 weeks (or when the kiosk says it is "
         "due) keeps the pH right."),
        (("Cairan penyangga (buffer) pH 7,00 dan pH 4,01 (atau 10,01), masih baru",
          "Fresh buffer solutions pH 7.00 and pH 4.01 (or 10.01)"),
         ("Dua gelas kecil bersih dan botol semprot air bersih",
          "Two small clean cups and a squeeze bottle of clean water"),
         ("Node sensor dalam mode kalibrasi yang menampilkan mV",
          "The sensor node in calibration mode, showing mV")),
        (("Tuang sedikit buffer pH 7 ke gelas 1 dan buffer pH 4 (atau 10) ke gelas 2. Tulis "
          "angkanya di gelas.",
          "Pour a little pH 7 buffer into cup 1 and pH 4 (or 10) into cup 2. Write the "
          "number on each cup."),
         ("Angkat sensor pH dari kolam dan bilas ujungnya dengan air bersih.",
          "Lift the pH probe out of the pond and rinse its tip with clean water."),
         ("Celupkan ke gelas 1 (pH 7). Tunggu sampai angka mV diam (sekitar 1 menit). Catat "
          "mV-nya, misalnya −8.",
          "Dip it in cup 1 (pH 7). Wait until the mV stops moving (about 1 minute). Write "
          "down the mV, for example −8."),
         ("Bilas lagi dengan air bersih. Jangan celupkan dari gelas ke gelas tanpa dibilas.",
          "Rinse again with clean water. Never go from cup to cup without rinsing."),
         ("Celupkan ke gelas 2 (pH 4 atau 10). Tunggu angka mV diam dan catat, misalnya 165.",
          "Dip it in cup 2 (pH 4 or 10). Wait for the mV to settle and write it down, for "
          "example 165."),
         ("Isi formulir: buffer dan mV masing-masing. Kolam menghitung kemiringan (slope) dan "
          "offset: kemiringan harus 85–105 %, offset dalam ±30 mV.",
          "Fill in the form: each buffer and its mV. Kolam works out the slope and offset: "
          "the slope must be 85–105 %, the offset within ±30 mV."),
         ("Hasil di luar batas? Bersihkan sensor (lihat prosedur pembersihan) lalu ulangi. "
          "Masih di luar? Sensor sudah tua: lapor ke petugas.",
          "Out of range? Clean the probe (see the cleaning procedure) and repeat. Still out? "
          "The probe is worn out: tell the officer."),
         ("Bilas sensor dan pasang lagi di kolam. Buang buffer bekas, jangan dituang balik ke "
          "botolnya.",
          "Rinse the probe and put it back in the pond. Throw the used buffer away, never "
          "back into its bottle.")),
        (("Buffer pH 4 bersifat asam dan pH 10 basa: jangan sampai kena mata, cuci tangan "
          "sesudahnya.",
          "pH 4 buffer is acid and pH 10 alkaline: keep them from your eyes and wash your "
          "hands afterwards."),
         ("Ujung sensor pH dari kaca tipis: jangan diketuk atau dilap kering dengan keras.",
          "The pH probe's tip is thin glass: do not knock it or rub it dry."),
         ("Buffer yang sudah lewat tanggal atau keruh memberi kalibrasi salah: pakai yang baru.",
          "Buffer past its date or cloudy gives a wrong calibration: use fresh buffer.")),
    ),
    Procedure(
        Kind.PROBE_CLEANING,
        ("Membersihkan sensor yang kotor", "Cleaning a fouled probe"),
        ("Lumut, lendir dan lumpur di sensor membuat angka salah sebelum terlihat kotor. "
         "Bersihkan tiap 2 minggu, dan hari itu juga kalau cek penyimpangan gagal.",
         "Algae, slime and mud on a probe make its numbers wrong before it looks dirty. Clean "
         "it every 2 weeks, and the same day when a drift check fails."),
        (("Ember air bersih dan sedikit sabun cuci piring", "A bucket of clean water and a drop "
                                                           "of dish soap"),
         ("Sikat gigi lembut bekas (untuk badan sensor saja)",
          "A soft old toothbrush (for the probe's body only)"),
         ("Tisu lembut", "Soft tissue")),
        (("Angkat sensor dari kolam. Kalau node punya tombol, matikan dulu.",
          "Lift the probe out of the pond. If the node has a switch, turn it off first."),
         ("Semprot atau celup di air bersih untuk membuang lumpur.",
          "Spray it or dip it in clean water to wash off the mud."),
         ("Sikat badan sensor dan pelindungnya dengan sikat lembut dan air sabun.",
          "Brush the probe's body and guard with the soft brush and soapy water."),
         ("Ujungnya (kaca pH atau membran DO) jangan disikat: celup dan goyang di air sabun, "
          "lalu usap sangat pelan dengan tisu.",
          "Do not brush the tip (pH glass or DO membrane): dip and swirl it in soapy water, "
          "then dab very gently with tissue."),
         ("Bilas bersih dengan air sampai tidak ada sabun.",
          "Rinse well with clean water until no soap is left."),
         ("Pasang lagi di kolam. Sensor pH sebaiknya dikalibrasi sesudah dibersihkan; sensor "
          "DO: tunggu 10 menit, lalu lakukan cek penyimpangan.",
          "Put it back in the pond. Calibrate a pH probe after cleaning it; for a DO probe, "
          "wait 10 minutes, then do a drift check."),
         ("Catat pembersihan di formulir, dengan nama yang ikut mengerjakan.",
          "Record the cleaning on the form, with the names of who did it.")),
        (("Jangan pakai sabun keras, pemutih atau bensin: merusak sensor.",
          "Never use strong detergent, bleach or petrol: they ruin the probe."),
         ("Pakai sarung tangan kalau ada luka di tangan: air kolam membawa kuman.",
          "Wear gloves if your hands have cuts: pond water carries germs."),
         ("Jangan masuk ke kolam sendirian; jauhkan kabel listrik dari air.",
          "Never go into the pond alone; keep power cables out of the water.")),
    ),
    Procedure(
        Kind.DRIFT_CHECK,
        ("Cek penyimpangan: bandingkan sensor dengan alat ukur tangan",
         "Drift check: compare the probe with a handheld reading"),
        ("Sensor bisa bergeser pelan tanpa tanda. Seminggu sekali, ukur air di samping sensor "
         "dengan alat tangan atau test kit, lalu bandingkan.",
         "A probe can drift slowly with no sign. Once a week, measure the water beside it "
         "with a handheld meter or test kit, and compare."),
        (("Alat ukur DO atau pH genggam yang sudah dikalibrasi, atau test kit pH",
          "A calibrated handheld DO or pH meter, or a pH test kit"),
         ("Jam atau HP untuk mencatat waktu", "A watch or phone to note the time")),
        (("Ukur tepat di samping sensor, pada kedalaman yang sama.",
          "Measure right beside the probe, at the same depth."),
         ("Tunggu angka alat tangan diam, lalu catat angkanya dan jamnya.",
          "Wait for the handheld to settle, then note its value and the time."),
         ("Isi formulir cek penyimpangan segera (dalam 15 menit): Kolam mengambil angka "
          "sensor pada waktu yang sama dan menunjukkan selisihnya.",
          "Fill in the drift check form at once (within 15 minutes): Kolam takes the probe's "
          "reading of that moment and shows the difference."),
         ("Selisih DO sampai ±0,5 mg/L atau pH sampai ±0,2: sensor baik.",
          "A difference up to ±0.5 mg/L of DO or ±0.2 pH: the probe is fine."),
         ("Selisih lebih besar: bersihkan sensor hari ini (kiosk menambah tugas itu), lalu "
          "ulangi cek. pH masih beda: kalibrasi ulang.",
          "A bigger difference: clean the probe today (the kiosk adds that task), then check "
          "again. pH still off: calibrate it again.")),
        (("Alat tangan juga perlu dirawat: simpan ujungnya basah sesuai petunjuknya.",
          "The handheld needs care too: keep its tip wet as its instructions say."),
         ("Jangan bersandar di pinggir kolam yang licin.",
          "Do not lean over a slippery pond edge.")),
    ),
)}


def text(pair: Text, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]
