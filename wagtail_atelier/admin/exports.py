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
