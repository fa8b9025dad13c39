"""The ``xlsx`` export: one workbook with the grid, the shifts, hours per person and coverage (openpyxl).

Every sheet has a frozen, bold header row and columns about as wide as their content;
text cells are written as text (``data_type = "s"``, never a formula) and neutralised
(:mod:`roster.exports.cells`), numbers as numbers.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from roster.exports.cells import neutralise

SHEETS = ("Grid", "Shifts", "Hours", "Coverage")


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame) -> None:
    ws = wb.create_sheet(title)
    ws.append([neutralise(str(c)) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in frame.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and v != v) else (v.item() if hasattr(v, "item") else v)
                   for v in values])
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = neutralise(cell.value)
                cell.data_type = "s"  # text stays text, even when it looks like a formula
    ws.freeze_panes = "A2"
    for i, col in enumerate(frame.columns, start=1):
        width = max([len(str(col)), *(len(str(v)) for v in frame[col].head(500))]) if len(frame) else len(str(col))
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)


def workbook_bytes(grid: pd.DataFrame, shifts: pd.DataFrame, hours: pd.DataFrame, coverage: pd.DataFrame) -> bytes:
    """The workbook's bytes: sheets Grid, Shifts (the csv-long table), Hours and Coverage."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in zip(SHEETS, (grid, shifts, hours, coverage)):
        _sheet(wb, title, frame)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
