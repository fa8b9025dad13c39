"""Errors raised for mistakes in user-supplied forecast inputs."""

from __future__ import annotations


class ForecastInputError(ValueError):
    """A problem with the user's input files or options.

    The message is one paragraph meant for an operations user: it names the
    file, the row (1-based data row number as a spreadsheet shows it, with the
    header as row 1) or the column, and says what to do about it.
    """


def row_number(position: int) -> int:
    """Spreadsheet row number of the data row at 0-based ``position`` (header is row 1)."""
    return int(position) + 2
