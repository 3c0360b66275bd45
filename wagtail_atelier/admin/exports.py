"""Helpers shared by the package's CSV and spreadsheet exports."""

from __future__ import annotations

import re

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
