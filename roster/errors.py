"""Errors a user can fix.

Every problem with the user's own input (config, CSV files, command options) is
raised as :class:`InputError` with a message that names the file, the row or key,
and what to do.  The CLI prints the message and exits with code 2; it never shows
a traceback for such a mistake.
"""

from __future__ import annotations


class InputError(ValueError):
    """A problem with the user's input, explained in plain words."""


class InfeasibleError(RuntimeError):
    """No roster satisfies the hard rules; ``diagnosis`` says which rule failed where."""

    def __init__(self, diagnosis: str):
        super().__init__(diagnosis)
        self.diagnosis = diagnosis
