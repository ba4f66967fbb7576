"""Competencies a trainee's records evidence, for the skill record they take on release.

The list follows the grow-out tasks of the programme (feeding, health, growth sampling,
water, harvest, a whole cycle, record keeping). Thresholds are deliberately modest: the
record states what the logs show, it does not grade the person.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kolam.registry.records import LogKind


@dataclass(frozen=True, slots=True)
class Competency:
    code: str
    label_id: str
    label_en: str
    kinds: tuple[LogKind, ...]
    """Log kinds that count as evidence; empty for those evidenced otherwise."""
    at_least: int


@dataclass(frozen=True, slots=True)
class Evidenced:
    competency: Competency
    evidence: str
    count: int
    """How many records (harvests, cycles) evidence it: the pages say it in their language."""


COMPETENCIES = (
    Competency("feeding", "Pemberian pakan sesuai tabel dan cuaca",
               "Feeding by the ration table and the weather", (LogKind.FEEDING,), 10),
    Competency("health", "Pengamatan dan pencatatan kematian ikan",
               "Observing and recording fish mortality", (LogKind.MORTALITY,), 3),
    Competency("sampling", "Sampling pertumbuhan (berat rata-rata)",
               "Growth sampling (average body weight)", (LogKind.SAMPLING,), 2),
    Competency("water", "Pengelolaan kualitas air", "Water-quality management",
               (LogKind.WATER_EXCHANGE, LogKind.MEASUREMENT), 2),
    Competency("treatment", "Penanganan ikan sakit", "Treating sick fish",
               (LogKind.TREATMENT,), 1),
    Competency("harvest", "Panen dan penjualan hasil", "Harvesting and selling", (), 1),
    Competency("cycle", "Satu siklus pembesaran penuh", "A complete grow-out cycle", (), 1),
    Competency("records", "Pencatatan usaha budidaya", "Keeping the farm's records",
               tuple(LogKind), 30),
    # Probe care (issue #17 item 5), evidenced by the devices' maintenance entries
    # (``kolam.registry.maintenance``), not by logs: ``CARE_KINDS`` says which.
    Competency("probe_care", "Perawatan sensor (membran DO, pembersihan probe)",
               "Sensor care (DO membrane, probe cleaning)", (), 2),
    Competency("calibration", "Kalibrasi pH dan cek penyimpangan sensor",
               "pH calibration and sensor drift checks", (), 2),
    # The business half of the programme (issue #20): what the UMKM trainers teach.
    Competency("bookkeeping", "Pencatatan buku kas usaha", "Keeping a business's cash book",
               (), 10),
    Competency("selling", "Penjualan hasil dan produk", "Selling the harvest and products",
               (), 3),
    Competency("stock", "Pengelolaan kartu stok", "Keeping a stock card", (), 2),
    Competency("month_close", "Tutup buku bulanan", "Closing a month's books", (), 1),
    Competency("processing", "Pengolahan produk lele", "Making lele products", (), 1),
)
CARE_KINDS: dict[str, tuple[str, ...]] = {
    "probe_care": ("do_membrane_check", "probe_cleaning"),
    "calibration": ("ph_calibration", "drift_check"),
}
"""Maintenance kinds (``kolam.farming.probe_care.Kind`` values) evidencing a competency."""


@dataclass(frozen=True, slots=True)
class BusinessWork:
    """A member's part in the team's business (``kolam.registry.cashbook``)."""

    entries: int
    """Book entries taken part in (neither reversed nor a reversal)."""
    sales: int
    """Money in from fish or product sales taken part in, and harvests sold."""
    counts: int
    """Stock counts done."""
    months: int
    """Past months of the book in which they kept it (an entry or a count)."""
    batches: int = 0
    """Product batches made."""


NO_BUSINESS = BusinessWork(0, 0, 0, 0)
_BUSINESS_WHAT = {"bookkeeping": ("entries", "cash book entries"),
                  "selling": ("sales", "sales"), "stock": ("counts", "stock counts"),
                  "month_close": ("months", "months of books closed"),
                  "processing": ("batches", "product batches")}


def evidenced(log_kinds: Counter[LogKind], harvests: int, completed_cycles: int,
              care: Counter[str] | None = None,
              business: BusinessWork = NO_BUSINESS) -> list[Evidenced]:
    """The competencies these counts evidence, each with a sentence saying how
    (``care``: maintenance entries taken part in, by kind; ``business``: the member's part
    in the team's cash book and stock card)."""
    out = []
    for c in COMPETENCIES:
        if c.code in CARE_KINDS:
            n = sum((care or Counter())[k] for k in CARE_KINDS[c.code])
            what = "/".join(k.replace("_", " ") for k in CARE_KINDS[c.code]) + " entries"
        elif c.code in _BUSINESS_WHAT:
            field, what = _BUSINESS_WHAT[c.code]
            n = getattr(business, field)
        elif c.code == "harvest":
            n, what = harvests, "harvests taken part in"
        elif c.code == "cycle":
            n, what = completed_cycles, "cycles completed"
        else:
            n = sum(log_kinds[k] for k in c.kinds)
            what = "records" if c.code == "records" else \
                "/".join(k.value.replace("_", " ") for k in c.kinds) + " logs"
        if n >= c.at_least:
            out.append(Evidenced(c, f"{n} {what}", n))
    return out
