"""Fixtures of the report's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_plans import synthetic_plan
from roster.io.writers import write_outputs


@pytest.fixture
def plan_dir(tmp_path) -> Path:
    """A folder holding the outputs of a small synthetic plan, as ``roster plan`` writes them."""
    out = tmp_path / "plan"
    write_outputs(out, synthetic_plan())
    return out
