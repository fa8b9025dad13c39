"""Scenario files: what parses, and every bad input named by scenario and key."""

from __future__ import annotations

import pytest

from roster.errors import InputError
from roster.scenarios.spec import Relative, parse_scenarios


def one(text: str):
    return parse_scenarios(text, "s.yaml")[0]


def test_set_shortcuts_and_relative_values():
    sc = one("""
- name: mix
  set: {roles.clinician.hourly_rate: "+4%", service.busy_minutes: "x1.1", solver.seed: 3}
  supervision_ratio: 4
  budget_cap: 150000
  shrinkage: 0.12
  staffing_basis: p90
  team: {clinician: 1, peer_supporter: 2}
  mutual_aid: false
  float_pool: false
  time_limit: 30
""")
    assert sc.set["roles.clinician.hourly_rate"] == Relative("+4%", 1.04)
    assert sc.set["service.busy_minutes"].factor == pytest.approx(1.1)
    assert sc.set["solver.seed"] == 3
    assert sc.set["supervision.max_non_clinical_per_clinician"] == 4
    assert sc.set["service.team"] == {"clinician": 1, "peer_supporter": 2}
    assert sc.budget_cap == 150000
    assert sc.mutual_aid is False and sc.float_pool is False
    assert sc.set["solver.time_limit_seconds"] == 30


def test_demand_kinds():
    sc = one("""
- name: d
  demand:
    - factor: 1.2
    - {district: Downtown, factor: "+50%"}
    - {hours: "18:00-06:00", days: [friday, saturday], factor: x1.3}
    - {district: [Downtown, Harbor], from: "saturday 18:00", to: "sunday 06:00", factor: 3}
""")
    a, b, c, d = sc.demand
    assert a.factor == 1.2 and a.districts is None
    assert b.districts == ("Downtown",) and b.factor == pytest.approx(1.5)
    assert c.hours == (18, 6) and c.days == (4, 5)
    assert d.window == ("saturday 18:00", "sunday 06:00") and d.districts == ("Downtown", "Harbor")


def test_staff_overlays():
    sc = one("""
- name: s
  staff:
    add: [{count: 3, role: peer_supporter, district: Harbor, contract_hours: 32, hourly_rate: 30}]
    remove: [{ids: [S001]}, {count: 1, role: clinician, district: Downtown}]
    rate: [{role: clinician, district: Harbor, rate: "+3%"}]
""")
    assert sc.add[0].count == 3 and sc.add[0].contract_hours == 32
    assert sc.remove[0].ids == ("S001",) and sc.remove[1].count == 1
    assert sc.rates[0].rate.factor == pytest.approx(1.03)


@pytest.mark.parametrize("text,match", [
    ("- name: a\n  set: {x: 1\n", r"s\.yaml is not valid YAML at line \d+, column \d+"),
    ("- name: a\n  sett: {}\n", r"scenario 'a': sett: unknown key"),
    ("- name: a\n  demand: [{factor: 0}]\n", r"scenario 'a': demand\[0\]\.factor: a demand multiplier must be above zero"),
    ("- name: a\n  demand: [{factor: \"-100%\"}]\n", r"demand\[0\]\.factor: a demand multiplier must be above zero"),
    ("- name: a\n  demand: [{factor: high}]\n", r"demand\[0\]\.factor: must be a multiplier"),
    ("- name: a\n  demand: [{factor: 2, from: 'saturday 18:00'}]\n", r"demand\[0\]\.to: is missing"),
    ("- name: a\n  demand: [{factor: 2, hours: '18-6'}]\n", r"demand\[0\]\.hours"),
    ("- name: a\n  demand: [{factor: 2, days: [someday]}]\n", r"demand\[0\]\.days"),
    ("- name: a\n  staff: {add: [{count: 0, role: clinician, district: X}]}\n", r"staff\.add\[0\]\.count: must be at least 1"),
    ("- name: a\n  staff: {add: [{count: 2, role: clinician}]}\n", r"staff\.add\[0\]\.district: is missing"),
    ("- name: a\n  staff: {remove: [{count: 2}]}\n", r"staff\.remove\[0\]: give ids, or count"),
    ("- name: a\n  staff: {hire: []}\n", r"staff\.hire: unknown key"),
    ("- name: a\n  budget_cap: cheap\n", r"budget_cap: must be a number"),
    ("- name: a\n  mutual_aid: maybe\n", r"mutual_aid: must be true or false"),
    ("- name: a\n- name: a\n", r"scenario 'a': the name is used twice"),
    ("- name: baseline\n", r"the name is used twice \(or is 'baseline'"),
    ("- name: ../x\n", r"item 1: name must be"),
    ("name: a\n", r"must be a list of scenarios"),
    ("- name: a\n  supervision_ratio: 4\n  set: {supervision.max_non_clinical_per_clinician: 3}\n", r"give it once"),
])
def test_bad_files_name_scenario_and_key(text, match):
    with pytest.raises(InputError, match=match):
        parse_scenarios(text, "s.yaml")
