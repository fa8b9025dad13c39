"""The example scenario files parse, apply to the example city, and cover every overlay kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from cities import ROOT
from roster.config import load_config
from roster.pipeline.load import load_inputs
from roster.scenarios.overlay import overlay_inputs
from roster.scenarios.spec import load_scenarios

FILES = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(load_config(ROOT / "roster.toml"))


def test_every_example_applies_to_the_example_city(inputs):
    names = []
    for f in FILES:
        for sc in load_scenarios(Path(f)):
            overlay_inputs(inputs, sc)
            names.append(sc.name)
    assert len(names) >= 6 and len(set(names)) == len(names)


def test_the_examples_cover_every_overlay_kind():
    scs = [sc for f in FILES for sc in load_scenarios(Path(f))]
    keys = {k for sc in scs for k in sc.set}
    demand = [d for sc in scs for d in sc.demand]
    assert any(sc.budget_cap for sc in scs)
    assert {"service.staffing_basis", "service.shrinkage", "supervision.max_non_clinical_per_clinician",
            "service.target_minutes", "solver.time_limit_seconds", "roles.clinician.hourly_rate", "service.team"} <= keys
    assert any(d.window for d in demand) and any(d.hours for d in demand)
    assert any(d.districts for d in demand) and any(d.districts is None and d.window is None and d.hours is None for d in demand)
    assert any(sc.add for sc in scs) and any(sc.remove for sc in scs) and any(sc.rates for sc in scs)
    assert any(sc.mutual_aid is False for sc in scs) and any(sc.float_pool is False for sc in scs)
    budget = load_scenarios(ROOT / "examples" / "scenarios" / "budget.yaml")
    assert len(budget) == 6
