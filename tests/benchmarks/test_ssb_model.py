"""The benchmark mapping (benchmarks/ssb/model.py): instances solved through the normal path, scored by the evaluator."""

from __future__ import annotations

import pytest

from benchmarks.ssb.instance import parse_instance, read_instance
from benchmarks.ssb.evaluate import evaluate
from benchmarks.ssb.model import roster_to_assignment, solve_instance, ssb_config, ssb_problem, ssb_rules
from ssb_helpers import MINI_TEXT, ssb_dir


def test_instance1_solves_to_its_known_optimum():
    inst = read_instance(ssb_dir() / "Instance1.txt")
    res, assignment = solve_instance(inst, time_limit=60)
    ev = evaluate(inst, assignment)
    assert ev.feasible, ev.summary()
    assert ev.objective == 607
    assert res.status == "optimal" and res.objective == pytest.approx(607) and res.bound == pytest.approx(607)


def test_mini_instance_mip_and_evaluator_agree():
    inst = parse_instance(MINI_TEXT, source="mini.txt", name="mini")
    res, assignment = solve_instance(inst, time_limit=30)
    ev = evaluate(inst, assignment)
    assert ev.feasible, ev.summary()
    assert res.status == "optimal" and ev.objective == pytest.approx(res.objective)


def test_mapping_uses_general_rules():
    inst = parse_instance(MINI_TEXT, source="mini.txt", name="mini")
    cfg = ssb_config(inst)
    names = {r.name for r in ssb_rules(cfg)}
    assert {"min_consecutive_days", "max_consecutive_days_per_person", "min_consecutive_days_off", "max_weekends",
            "total_hours", "forbidden_successions", "max_shifts_of_type", "shift_requests", "shift_cover",
            "approved_leave", "one_shift_per_day"} <= names
    assert cfg.rules["forbidden_successions"]["pairs"] == [["L", "E"]]
    p = ssb_problem(inst, cfg)
    q = p.staff.set_index("staff_id").loc["Q"]
    assert (q["max_consecutive_days"], q["min_consecutive_days_off"], q["max_weekends"], q["max_total_hours"]) == (5, 3, 0, 64)
    assert len(p.leave) == 2 and set(p.requests["kind"]) == {"on", "off"} and len(p.shift_requirements) == 28
    # a roster maps back to benchmark days
    import pandas as pd
    back = roster_to_assignment(pd.DataFrame({"staff_id": ["P"], "date": [p.monday + pd.Timedelta(days=3).to_pytimedelta()], "shift": ["E"]}))
    assert back.to_dict("records") == [{"staff_id": "P", "day": 3, "shift": "E"}]
