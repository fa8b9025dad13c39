"""Shared by the tests of the shift-scheduling benchmark code: where its data is, and a tiny instance.

Benchmark data is never copied into the repo: tests that need it read it from the
directory named by ``CRISIS_ROSTER_SSB_DIR`` or from
``<repo>/../shared/data/shift-scheduling-benchmark`` and are skipped when neither
holds the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENV_VAR = "CRISIS_ROSTER_SSB_DIR"


def ssb_dir() -> Path:
    """Directory with Instance1..24.txt and best_known.csv, or ``pytest.skip``."""
    tried: list[str] = []
    env = os.environ.get(ENV_VAR)
    candidates = ([Path(env)] if env else []) + [REPO / ".." / "shared" / "data" / "shift-scheduling-benchmark"]
    for c in candidates:
        if (c / "Instance1.txt").is_file():
            return c.resolve()
        tried.append(str(c))
    pytest.skip(
        "Shift Scheduling Benchmark data not found (set "
        f"{ENV_VAR} to the directory holding Instance1.txt ... Instance24.txt); tried: {', '.join(tried)}"
    )


MINI_TEXT = "\n".join(
    [
        "# hand-written test instance",
        "SECTION_HORIZON",
        "# days",
        "14",
        "",
        "SECTION_SHIFTS",
        "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated",
        "E,480,",
        "L,600,E",
        "",
        "SECTION_STAFF",
        "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts,"
        " MinConsecutiveDaysOff, MaxWeekends",
        "P,E=14|L=3,5400,2400,4,2,2,2",
        "Q,E=14|L=0,3840,3840,5,2,3,0",
        "",
        "SECTION_DAYS_OFF",
        "P,0",
        "Q,6",
        "",
        "SECTION_SHIFT_ON_REQUESTS",
        "P,1,E,2",
        "",
        "SECTION_SHIFT_OFF_REQUESTS",
        "Q,2,E,3",
        "",
        "SECTION_COVER",
        *[f"{d},E,1,100,1" for d in range(14)],
        *[f"{d},L,0,100,1" for d in range(14)],
        "",
    ]
)


