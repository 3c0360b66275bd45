"""Helpers shared by the package's CSV and spreadsheet exports."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

# Spreadsheet programs run a cell that starts like a formula; people type anything
# into the public form. Phone-like values (+41 79 ...) are left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"^[+-][\d\s()./-]*$")


def neutralise_formula(value: str) -> str:
    if value.startswith(_FORMULA_START) and not _PHONE_LIKE.match(value):
        return "'" + value
    return value


def export_cell(value, *, xlsx: bool = False):
    """A value as the package's exports write it (CSV and XLSX alike): text that a
    spreadsheet program would run as a formula is neutralised, and in XLSX the
    control characters it cannot store are dropped (openpyxl would otherwise store a
    text starting with "=" as a formula). Anything but text is returned as it is."""
    if not isinstance(value, str):
        return value
    value = neutralise_formula(value)
    if xlsx:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What a CSV export starts with: Excel reads a CSV without it in the system's
#: legacy code page, and umlauts ("Zürich") come out garbled.
CSV_BOM = "\ufeff".encode()

# What a worksheet's name may not hold, and its length (Excel's limits).
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
_SHEET_TITLE_MAX_LENGTH = 31


def sheet_title(title: str) -> str:
    """``title`` as a valid worksheet name (Excel refuses some characters and more
    than 31 of them)."""
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).strip()
    return title[:_SHEET_TITLE_MAX_LENGTH].strip() or "Sheet1"


def write_xlsx(
    output,
    headings: list,
    rows: Iterable[list],
    *,
    date_format=None,
    title: str = "Sheet1",
):
    """Write a one-sheet workbook to the file ``output``: ``headings``, then each
    of ``rows`` (lists of values as :func:`export_cell` gave them) as it comes. The
    sheet is called ``title`` (translated by the caller: what the rows are).

    openpyxl's write-only mode keeps no row in memory, so ``rows`` can be a
    generator over a queryset read in chunks. Empty cells are left out, datetimes
    get ``date_format``, and no text is stored as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True, iso_dates=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.append(headings)
    for row in rows:
        cells = []
        for value in row:
            if value == "":
                value = None
            elif isinstance(value, str):
                if value.startswith("="):
                    # export_cell() neutralised these already: never a formula.
                    value = WriteOnlyCell(sheet, value)
                    value.data_type = "s"
            elif date_format and isinstance(value, datetime.datetime):
                value = WriteOnlyCell(sheet, value)
                value.number_format = date_format
            cells.append(value)
        sheet.append(cells)
    workbook.save(output)
