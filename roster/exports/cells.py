"""Formula-injection defence for every spreadsheet cell the tool writes (OWASP "CSV Injection").

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula, and tab, carriage return and NUL can hide one; staff names and free
text come from people.  A text cell that starts with one of these gets a leading
apostrophe, which spreadsheets show as text.  Numbers stay numbers: numeric columns are
never touched, and a text cell that is a plain number (``-2.5``, as read back from a CSV)
is left as it is, because a spreadsheet reads it as that number and runs nothing.
"""

from __future__ import annotations

import re

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """``value`` made safe to open in a spreadsheet; anything but risky text is returned unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every risky text cell neutralised (numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        kind = out[col].dtype
        if not (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind)
                or pd.api.types.is_datetime64_any_dtype(kind)):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out
