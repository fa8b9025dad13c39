"""The project's one error hierarchy.

``forecast`` is the bottom layer (``constraints`` and ``roster`` import it, it imports
neither), so the hierarchy lives here and every package imports it from here or from
:mod:`roster.errors`, which re-exports it.

* :class:`InputError` — a problem with the user's own input (config, CSV files,
  command options).  The message names the file, the row or key, and what to do; the
  CLI prints it and exits with code 2, never with a traceback.
* :class:`ForecastInputError` — the same, raised while reading call history.
* ``roster.errors.InfeasibleError`` — no roster meets the hard rules (exit code 3).
"""

from __future__ import annotations


class CrisisRosterError(Exception):
    """Base of every error the project raises on purpose."""


class InputError(CrisisRosterError, ValueError):
    """A problem with the user's input, explained in plain words."""


class ForecastInputError(InputError):
    """A problem with the call history or forecast options.

    The message is one paragraph meant for an operations user: it names the
    file, the row (1-based data row number as a spreadsheet shows it, with the
    header as row 1) or the column, and says what to do about it.
    """


def row_number(position: int) -> int:
    """Spreadsheet row number of the data row at 0-based ``position`` (header is row 1)."""
    return int(position) + 2
