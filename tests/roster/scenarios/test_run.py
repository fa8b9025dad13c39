"""Scenarios re-planned through the pipeline: each overlay changes exactly what it says."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from roster.pipeline.stages import forecast_stage
from roster.scenarios.run import ScenarioTask, run_scenario
from roster.scenarios.spec import BASELINE, parse_scenarios
from roster.staffing.erlang import service_level, teams_needed
from scenario_city import MONDAY, city_inputs


@pytest.fixture(scope="module")
def base():
    return city_inputs()


@pytest.fixture(scope="module")
def forecast(base):
    return forecast_stage(base.calls, base.config, MONDAY)


@pytest.fixture(scope="module")
def baseline(base, forecast):
    out = run_scenario(ScenarioTask(BASELINE, base, forecast))
    assert out.status == "optimal", out.message
    return out


def scenario(text: str):
    return parse_scenarios(text, "s.yaml")[0]


def test_wage_rise_with_the_roster_pinned_costs_four_percent_of_that_roles_wages(base, forecast, baseline):
    roster = baseline.files["roster.csv"]
    pins = baseline_rows(base, forecast)
    pinned = dataclasses.replace(base, pinned=pins, config=base.config.model_copy(
        update={"rules": {"pinned_shifts": {"hard": True}}}))
    out = run_scenario(ScenarioTask(scenario('- name: w\n  set: {roles.clinician.hourly_rate: "+4%"}\n'), pinned, forecast))
    assert out.status == "optimal", out.message
    after = out.files["roster.csv"]
    key = ["staff_id", "date", "shift", "district"]
    assert after[key].sort_values(key).reset_index(drop=True).equals(roster[key].sort_values(key).reset_index(drop=True))
    clinician_wages = float(roster.loc[roster["role"] == "clinician", "cost"].sum())
    others = float(roster.loc[roster["role"] != "clinician", "cost"].sum())
    assert clinician_wages > 0 and others > 0
    assert out.row["total_cost"] == pytest.approx(baseline.row["total_cost"] + 0.04 * clinician_wages, abs=0.02)
    assert float(after.loc[after["role"] != "clinician", "cost"].sum()) == pytest.approx(others, abs=0.01)


def baseline_rows(base, forecast) -> pd.DataFrame:
    """The baseline's solved roster with tz-aware times, as a published roster to pin."""
    from roster.pipeline.stages import evaluate_stage, problem_stage, requirements_stage, solve_stage

    req, _ = requirements_stage(forecast.table, base)
    pp = problem_stage(base, req)
    plan = evaluate_stage(pp, solve_stage(pp), forecast, req)
    return plan.roster[["staff_id", "district", "date", "shift", "start", "end"]].reset_index(drop=True)


def test_twenty_percent_more_demand_raises_requirements_as_erlang_c_says(base, forecast, baseline):
    out = run_scenario(ScenarioTask(scenario("- name: d\n  demand: [{factor: 1.2}]\n"), base, forecast))
    assert out.status == "optimal", out.message
    before, after = baseline.files["requirements.csv"], out.files["requirements.csv"]
    assert np.allclose(after["arrival_rate"], 1.2 * before["arrival_rate"])
    s = base.config.service
    first = after.drop_duplicates(["district", "hour_start"])
    for rate, teams in zip(first["arrival_rate"], first["teams"]):
        expect = max(teams_needed(rate, s.busy_minutes, s.target_minutes, s.target_share), s.min_teams_per_district)
        assert teams == expect
        assert service_level(teams, rate, s.busy_minutes, s.target_minutes) >= s.target_share - 1e-9 or rate == 0
        if teams > s.min_teams_per_district:
            assert service_level(teams - 1, rate, s.busy_minutes, s.target_minutes) < s.target_share
    assert (after["required"] >= before["required"]).all()
    assert (after["required"] > before["required"]).any()  # the rise crosses an Erlang C step somewhere
    calls = lambda o: o.districts.set_index("district")["calls"]  # noqa: E731
    assert np.allclose(calls(out), 1.2 * calls(baseline), atol=0.02)


def test_removed_staff_are_not_rostered_and_added_staff_can_be(base, forecast, baseline):
    supervisors = set(base.staff.loc[base.staff["supervisor"], "staff_id"])
    used = baseline.files["roster.csv"]["staff_id"].value_counts()
    busiest = [s for s in used.index if s not in supervisors][:2]
    text = f"""
- name: s
  staff:
    remove: [{{ids: {busiest}}}]
    add: [{{count: 2, role: peer_supporter, district: North}}]
"""
    out = run_scenario(ScenarioTask(scenario(text), base, forecast))
    assert out.status == "optimal", out.message
    roster = out.files["roster.csv"]
    assert not roster["staff_id"].isin(busiest).any()
    assert roster["staff_id"].str.startswith("NEW-peer_supporter-").any()
    head = out.headcount.set_index("role")["people_available"]
    peers = base.staff["role"] == "peer_supporter"
    assert head["peer_supporter"] == peers.sum() - base.staff.loc[peers, "staff_id"].isin(busiest).sum() + 2
    assert out.files["summary.json"]["staff_total"] == len(base.staff)


def test_a_budget_cap_is_never_exceeded_and_says_what_it_cost(base, forecast, baseline):
    cap = round(0.8 * baseline.row["total_cost"])
    out = run_scenario(ScenarioTask(scenario(f"- name: c\n  budget_cap: {cap}\n  relative_gap: 0.02\n"), base, forecast,
                                    time_limit=10))
    assert out.status in ("optimal", "feasible"), out.message
    assert out.row["total_cost"] <= cap + 0.01
    assert float(out.files["roster.csv"]["cost"].sum()) <= cap + 0.01
    assert out.row["shortfall_hours"] > baseline.row["shortfall_hours"]


def test_a_cap_below_the_hard_rules_cost_names_the_cheapest_lawful_roster(base, forecast):
    out = run_scenario(ScenarioTask(scenario("- name: c\n  budget_cap: 500\n"), base, forecast, time_limit=20))
    assert out.status == "infeasible"
    assert "the cheapest lawful roster costs" in out.message and "500.00" in out.message
    assert out.row["total_cost"] is None and out.files is None


def test_unservable_demand_fails_its_own_row(base, forecast):
    out = run_scenario(ScenarioTask(scenario("- name: x\n  demand: [{factor: 5000}]\n"), base, forecast))
    assert out.status == "failed" and "no staffing of at most" in out.message
