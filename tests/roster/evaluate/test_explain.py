"""explain.csv / penalties.csv from a finished roster, and diagnosis.txt on an infeasible plan."""


import pytest

from cities import ROOT, person
from roster.evaluate.explain import explain, summary_lines
from roster.io.schemas import EXPLAIN_COLUMNS, PENALTY_COLUMNS
from roster.evaluate.pay import price
from rule_helpers import MONDAY, cfg_with, check, make_problem, requirements, rows, solve


def _case():
    c = cfg_with({"fair_nights": {"weight": 10}, "float_cost": {"per_hour": 5}})
    staff = [
        person("C1", "clinician", "North", floats=["South"], contract=16, cfg=c),
        person("C2", "clinician", "South", cfg=c),
    ]
    p = make_problem(c, staff, requirements(c, []))
    r = rows(c, [("C1", "South", 0, "night"), ("C1", "North", 1, "night"), ("C1", "North", 5, "early"), ("C2", "South", 2, "early")])
    return c, p, r


def test_person_table_counts_from_the_rows():
    c, p, r = _case()
    priced = price(r, p.staff, c, MONDAY)
    per, pen = explain(p, priced, {"wage_cost: pay at the hourly rate": 100.0, "float_cost: hours outside the home district": 40.0}, check(p, r))
    assert list(per.columns) == EXPLAIN_COLUMNS and list(pen.columns) == PENALTY_COLUMNS
    c1 = per.set_index("staff_id").loc["C1"]
    assert c1["shifts"] == 3 and c1["hours"] == 24 and c1["overtime_hours"] == 8
    assert c1["nights"] == 2 and c1["weekend_shifts"] == 1 and c1["hours_away_from_home"] == 8
    assert c1["districts"] == "North;South"
    assert "float_cost" in c1["soft_rules_broken"] and "fair_nights" in c1["soft_rules_broken"]
    assert per.set_index("staff_id").loc["C2", "soft_rules_broken"] == ""
    assert "name" not in per.columns  # ids only, never names
    row = pen.set_index("rule").loc["float_cost"]
    assert row["penalty"] == 40.0 and row["places"] == 1 and "C1" in row["where"]
    assert pen.iloc[0]["rule"] == "wage_cost"  # sorted by penalty
    assert any("float_cost" in line for line in summary_lines(pen))


def test_penalties_match_the_solver_objective():
    c = cfg_with({"float_cost": {"per_hour": 5}})
    staff = [person("C1", "clinician", "North", cfg=c)]
    p = make_problem(c, staff, requirements(c, [("North", "clinician", [0], 7, 15), ("North", "clinician", [1], 7, 9)]))
    r, res = solve(p)
    _, pen = explain(p, price(r, p.staff, c, MONDAY), res.penalties, check(p, r))
    assert pen["penalty"].sum() == pytest.approx(res.objective, rel=1e-6)


@pytest.mark.slow
def test_infeasible_plan_writes_diagnosis_txt(tmp_path):
    from typer.testing import CliRunner

    from roster.cli import app

    text = (ROOT / "roster.toml").read_text()
    text = text.replace('min_supervisors_citywide = 1', 'min_supervisors_citywide = 12')
    text = text.replace('= "examples/', f'= "{ROOT}/examples/')  # every data path, absolute
    cfg = tmp_path / "roster.toml"
    cfg.write_text(text)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["plan", "--config", str(cfg), "--out", str(out), "--quiet"])
    assert res.exit_code == 3, res.output
    diag = (out / "diagnosis.txt").read_text()
    assert "citywide_supervisor" in diag and "supervisor-flagged" in diag
    assert not (out / "roster.csv").exists()
