"""Errors a user can fix, and the plan that has no roster.

:class:`InputError` comes from :mod:`forecast.errors`, the one hierarchy every package
shares; the CLI maps it to exit code 2 and :class:`InfeasibleError` to exit code 3.
"""

from __future__ import annotations

from forecast.errors import CrisisRosterError, ForecastInputError, InputError


class InfeasibleError(CrisisRosterError, RuntimeError):
    """No roster satisfies the hard rules; ``diagnosis`` says which rule failed where."""

    def __init__(self, diagnosis: str):
        super().__init__(diagnosis)
        self.diagnosis = diagnosis


__all__ = ["CrisisRosterError", "ForecastInputError", "InfeasibleError", "InputError"]
