"""The comparison in words: what buys nothing, what the next dollar buys best, what a cap costs."""

from __future__ import annotations

import pandas as pd

from roster.scenarios.compare import changes, findings
from roster.scenarios.run import ScenarioOutcome
from roster.scenarios.spec import BASELINE, parse_scenarios

TEAM = {"clinician": 1, "peer_supporter": 1}


def outcome(name, cost, share, short, worst=None, gap=0, by_role=None):
    row = {"scenario": name, "status": "optimal", "total_cost": cost, "regular_cost": cost, "overtime_cost": 0.0,
           "cost_per_call": 1.0, "shortfall_hours": short, "share_within_target": share,
           "worst_district_share": worst if worst is not None else share - 0.02, "p90_minutes_to_contact": 30.0,
           "staff_used": 10, "overtime_hours": 0.0}
    head = pd.DataFrame([{"scenario": name, "role": "clinician", "people_needed": 10 + gap, "people_available": 10, "gap": gap}])
    files = {"summary.json": {"shortfall_hours": {"by_role": by_role or {}}}}
    return ScenarioOutcome(name, "optimal", row=row, headcount=head, files=files, annual_cost=cost * 52)


SCENARIOS = parse_scenarios("""
- name: peers
  staff: {add: [{count: 3, role: peer_supporter, district: North}]}
- name: clinicians
  staff: {add: [{count: 1, role: clinician, district: North}]}
- name: nights
  staff: {add: [{count: 2, role: clinician, district: South}]}
- name: cap
  budget_cap: 9000
- name: demand
  demand: [{factor: 1.2}]
- name: ratio
  supervision_ratio: 4
- name: wage
  set: {roles.clinician.hourly_rate: "+4%"}
""", "s.yaml")


def test_findings():
    base = outcome("baseline", 10000, 0.80, 50, by_role={"clinician": 40, "peer_supporter": 10})
    outs = [base,
            outcome("peers", 10900, 0.80, 50),
            outcome("clinicians", 10500, 0.84, 30),
            outcome("nights", 11000, 0.85, 25),
            outcome("cap", 9000, 0.70, 90, worst=0.6),
            outcome("demand", 10800, 0.79, 55, gap=2),
            outcome("ratio", 10000, 0.80, 50),
            outcome("wage", 10400, 0.80, 50)]
    lines = findings(outs, [BASELINE, *SCENARIOS], TEAM)
    text = "\n".join(lines)
    assert ("peers costs $900 a week more and buys no better service (+0.0 pts within target): the added peer_supporter "
            "form no extra team, because a team also needs clinician (40 staff-hours short in the baseline).") in text
    assert "The next dollar buys most in clinicians: +4.0 pts within target for $500 a week (8.00 pts per $1,000 a week)." in text
    assert "  then nights: 5.00 pts per $1,000 a week." in text
    assert ("cap: the cap of $9,000 a week saves $1,000 a week and costs 10.0 pts of calls reached within target "
            "(worst district 78.0 % → 60.0 %).") in text
    assert "demand: meeting the changed demand costs +$800 a week (+8.0%)" in text and "hire 2 clinician" in text
    assert "ratio changes neither the cost nor the service" in text
    assert "wage costs +$400 a week (+4.0%), +$20,800 a year" in text


def test_failed_rows_and_a_failed_baseline():
    base = outcome("baseline", 10000, 0.8, 50)
    failed = ScenarioOutcome("cap", "infeasible", "the cheapest lawful roster costs 9,152.00 a week", row={"scenario": "cap"})
    assert findings([base, failed], [BASELINE, SCENARIOS[3]], TEAM) == \
        ["cap: infeasible — the cheapest lawful roster costs 9,152.00 a week"]
    assert "no scenario can be compared" in findings([failed], [BASELINE], TEAM)[0]


def test_change_table_shows_each_figure_against_the_baseline():
    rows = changes([outcome("baseline", 10000, 0.80, 50), outcome("clinicians", 10500, 0.84, 30)])
    assert rows[0]["cost/week"] == "$10,000" and rows[0]["cost/year"] == "$520,000"
    assert rows[1]["cost/week"] == "$10,500 +500 (+5.0%)"
    assert rows[1]["within target"] == "84.0% (+4.0 pts)"
    assert rows[1]["shortfall h"] == "30 (-20)"


def test_amounts_are_in_the_city_currency():
    base = outcome("baseline", 10000, 0.80, 50)
    outs = [base, outcome("clinicians", 10500, 0.84, 30), outcome("wage", 10400, 0.80, 50)]
    rows = changes(outs[:2], "€")
    assert rows[0]["cost/week"] == "€10,000" and rows[0]["cost/year"] == "€520,000"
    text = "\n".join(findings(outs, [BASELINE, SCENARIOS[1], SCENARIOS[6]], TEAM, "CHF "))
    assert "$" not in text and "CHF 500 a week (8.00 pts per CHF 1,000 a week)" in text
