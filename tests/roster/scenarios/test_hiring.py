"""The hiring plan counts the clinicians the supervision ratio needs for the non-clinical staff."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from forecast.timegrid import week_hours
from roster.pipeline.stages import forecast_stage
from roster.scenarios.hiring import supervision_hours
from roster.scenarios.run import HEADCOUNT_COLUMNS, ScenarioTask, headcount, run_scenario
from roster.scenarios.spec import parse_scenarios
from scenario_city import MONDAY, city_config, city_inputs, city_staff


def _requirements(cfg, peers_at):
    """One clinician every hour in North; ``peers_at(hour_of_day)`` peer supporters."""
    rows = []
    for ts in week_hours(MONDAY, cfg.timezone):
        rows.append({"district": "North", "hour_start": ts, "role": "clinician", "required": 1})
        rows.append({"district": "North", "hour_start": ts, "role": "peer_supporter", "required": peers_at(ts.hour)})
    return pd.DataFrame(rows)


def _plan(cfg, req):
    staff = city_staff(cfg)
    staff["seat"] = [cfg.roles[r].seat(r) for r in staff["role"]]
    return SimpleNamespace(problem=SimpleNamespace(config=cfg, hours=week_hours(MONDAY, cfg.timezone), staff=staff),
                           requirements=req)


@pytest.mark.parametrize("ratio,peers,extra_per_hour", [(3, 1, 0), (1, 1, 0), (1, 2, 1), (0.5, 1, 1), (0.5, 3, 5),
                                                         (2, 3, 1)])
def test_supervision_hours_are_the_clinicians_the_ratio_needs_beyond_the_requirement(ratio, peers, extra_per_hour):
    cfg = city_config(**{"supervision.max_non_clinical_per_clinician": ratio})
    req = _requirements(cfg, lambda h: peers)
    assert supervision_hours(cfg, req) == 168 * extra_per_hour


def test_only_the_hours_with_non_clinical_staff_need_supervision():
    cfg = city_config(**{"supervision.max_non_clinical_per_clinician": 1})
    req = _requirements(cfg, lambda h: 2 if 8 <= h < 20 else 0)  # two peers by day, none at night
    assert supervision_hours(cfg, req) == 7 * 12
    south = req.assign(district="South", role="clinician", required=0)
    assert supervision_hours(cfg, pd.concat([req, south], ignore_index=True)) == 7 * 12  # no peers in South


def test_the_hiring_plan_adds_the_supervising_clinicians_and_says_why():
    cfg = city_config(**{"supervision.max_non_clinical_per_clinician": 0.5})
    table = headcount("tight", _plan(cfg, _requirements(cfg, lambda h: 1)))
    assert list(table.columns) == HEADCOUNT_COLUMNS
    head = table.set_index("role")
    clin, peer = head.loc["clinician"], head.loc["peer_supporter"]
    # 168 required clinician-hours plus 168 so that each peer has the two clinicians a ratio of 0.5 asks for.
    assert clin["required_hours"] == 168 and clin["supervision_hours"] == 168
    assert clin["people_needed"] == math.ceil(336 / 40) and clin["gap"] == clin["people_needed"] - 8
    assert "supervising the non-clinical staff" in clin["reason"] and "4 more than the hours alone need" in clin["reason"]
    assert peer["supervision_hours"] == 0 and peer["people_needed"] == math.ceil(168 / 40)
    assert "supervising" not in peer["reason"]


def test_a_scenario_short_only_of_peer_supporters_hires_the_clinicians_to_supervise_them():
    """More peer supporters per team and a tight ratio: the hours alone would hire peers only."""
    base = city_inputs()
    forecast = forecast_stage(base.calls, base.config, MONDAY)
    text = """
- name: peers
  team: {clinician: 1, peer_supporter: 2}
  supervision_ratio: 1
  staff:
    add: [{count: 4, role: clinician, district: North}, {count: 4, role: clinician, district: South}]
  relative_gap: 0.05
"""
    sc = parse_scenarios(text, "s.yaml")[0]
    out = run_scenario(ScenarioTask(sc, base, forecast, time_limit=20))
    assert out.status in ("optimal", "feasible"), out.message
    head = out.headcount.set_index("role")
    req = out.files["requirements.csv"]
    clin_hours = float(req.loc[req["role"] == "clinician", "required"].sum())
    peer_hours = float(req.loc[req["role"] == "peer_supporter", "required"].sum())
    assert peer_hours == 2 * clin_hours  # two peers to every clinician in every team
    clin = head.loc["clinician"]
    # Without supervision the clinicians on hand would do: the need is non-clinical only.
    assert math.ceil(clin_hours / 40) <= clin["people_available"] == 16
    assert head.loc["peer_supporter", "gap"] > 0
    # A ratio of 1 needs one clinician per peer on duty: as many clinician-hours again as the teams' own.
    assert clin["supervision_hours"] == pytest.approx(peer_hours - clin_hours)
    assert clin["people_needed"] == math.ceil(peer_hours / 40) and clin["gap"] > 0
    from roster.scenarios.compare import _hiring

    said = _hiring(out)
    assert "To staff it on contract hours, hire" in said and f"{int(clin['gap'])} clinician" in said
    assert f"includes {clin['supervision_hours']:,.0f} staff-hours a week of clinical supervision" in said
