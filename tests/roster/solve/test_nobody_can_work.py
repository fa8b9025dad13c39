"""A week in which nobody can work any shift (everyone on leave, nobody eligible) ends as an infeasible plan
with the reason in plain words (exit 3), not a crash and not an empty roster passed off as a plan."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cities import person, problem, small_config
from constraints import default_rules
from roster.errors import InfeasibleError
from roster.pipeline.stages import PlanProblem, solve_stage
from roster.solve.diagnose import diagnose
from roster.solve.model import build, extract_roster, solve

MONDAY = dt.date(2026, 11, 2)


def _city(supervisors: int = 1):
    """Two districts, four people; supervision city-wide set by ``supervisors`` (0: no hard cover rule)."""
    cfg = small_config(rules={}, **{"supervision.min_supervisors_citywide": supervisors})
    staff = [person("A1", "clinician", "North", supervisor=True, cfg=cfg),
             person("A2", "clinician", "South", supervisor=True, cfg=cfg),
             person("B1", "peer_supporter", "North", cfg=cfg),
             person("B2", "peer_supporter", "South", cfg=cfg)]
    return cfg, staff


def _all_on_leave(cfg, staff) -> pd.DataFrame:
    tz = cfg.timezone
    return pd.DataFrame({"staff_id": [s["staff_id"] for s in staff],
                         "start": [pd.Timestamp("2026-10-30", tz=tz)] * len(staff),
                         "end": [pd.Timestamp("2026-11-12", tz=tz)] * len(staff)})


def test_extract_roster_of_a_model_without_candidates_is_an_empty_roster():
    cfg, staff = _city(supervisors=0)
    p = problem(cfg, staff, leave=_all_on_leave(cfg, staff))
    m = build(p, default_rules(cfg))
    assert len(m.assign) == 0
    roster = extract_roster(m)
    assert roster.empty
    assert list(roster.columns) == ["staff_id", "role", "district", "date", "shift", "start", "end", "paid_hours"]


@pytest.mark.parametrize("supervisors", [0, 1])
def test_everyone_on_leave_is_infeasible_with_the_leave_named(supervisors):
    cfg, staff = _city(supervisors)
    p = problem(cfg, staff, leave=_all_on_leave(cfg, staff))
    rules = default_rules(cfg)
    result = solve(p, rules, time_limit=5)
    assert result.status == "infeasible" and result.roster.empty
    text = diagnose(p, rules, time_limit=5)
    assert text.startswith("Nobody can work any shift from Mon 2026-11-02")
    assert "approved_leave" in text and "A1, A2, B1, B2" in text and "approve fewer overlapping leaves" in text
    with pytest.raises(InfeasibleError) as exc:
        solve_stage(PlanProblem(p, rules))
    assert "Nobody can work" in exc.value.diagnosis


def test_nobody_eligible_names_each_rule_and_its_people():
    """Only night shifts, half the team on leave and the other half not working nights: both causes named."""
    cfg = small_config(rules={}, **{"supervision.min_supervisors_citywide": 0,
                                    "shifts": {"night": {"start": "23:00", "hours": 8, "night": True}}})
    staff = [person("N1", "clinician", "North", supervisor=True, nights=False, cfg=cfg),
             person("N2", "peer_supporter", "South", nights=False, cfg=cfg),
             person("L1", "clinician", "South", supervisor=True, cfg=cfg)]
    leave = _all_on_leave(cfg, staff[2:])
    p = problem(cfg, staff, leave=leave)
    text = diagnose(p, default_rules(cfg), time_limit=5)
    assert "approved_leave" in text and "1 people: L1" in text
    assert "night_work" in text and "N1, N2" in text and "works_nights" in text


def test_someone_who_can_work_gets_no_such_explanation():
    cfg, staff = _city(supervisors=0)
    p = problem(cfg, staff, leave=_all_on_leave(cfg, staff[1:]))
    assert "Nobody can work" not in (diagnose(p, default_rules(cfg), time_limit=5) or "")
