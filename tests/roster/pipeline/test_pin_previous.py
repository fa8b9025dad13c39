"""Pinning a published week (a sick call mid-week) and carrying last week over the boundary."""

import datetime as dt
import json
import tomllib

import pandas as pd
import pytest

from cities import ROOT, person
from constraints.pinning import pin_changes, pin_summary
from forecast.timegrid import local_midnight
from pin_helpers import ALL, WED, day_leave, pin_staff, pinned_rules, published_week
from rule_helpers import MONDAY, cfg_with, check, make_problem, requirements, rows, solve


def test_sick_call_on_wednesday_gives_the_smallest_change():
    c = cfg_with()
    req, published = published_week(c)
    sick = published[published["date"] == WED]["staff_id"].iloc[0]
    p = make_problem(c, pin_staff(c), req, leave=day_leave(c, sick, WED), pinned=published)
    rules = pinned_rules(c)
    r, res = solve(p, rules)
    ch = pin_changes(p, r, rules)
    assert (ch["change"] == "kept").sum() == 6
    rel = ch[ch["change"] == "forced"]
    assert len(rel) == 1 and rel["staff_id"].iloc[0] == sick and "approved leave" in rel["reason"].iloc[0]
    added = ch[ch["change"] == "added"]
    assert len(added) == 1 and added["date"].iloc[0] == WED and added["staff_id"].iloc[0] != sick
    assert not [v for v in check(p, r, rules) if v.hard]
    s = pin_summary(ch)
    assert s["published"] == 7 and s["kept"] == 6 and s["added"] == 1 and s["forced"][0]["staff_id"] == sick


def test_without_pinning_the_replan_moves_more_shifts():
    """The pin rule binds: shifts are reshuffled freely when nothing is pinned but cost differs."""
    c = cfg_with()
    req, published = published_week(c)
    # Make the published people dearer: an unpinned replan would hand their shifts to C3.
    staff = pin_staff(c)
    for s in staff:
        s["hourly_rate"] = 30.0 if s["staff_id"] == "C3" else 60.0
    p_free = make_problem(c, staff, req)
    r_free, _ = solve(p_free)
    p_pin = make_problem(c, staff, req, pinned=published)
    rules = pinned_rules(c)
    r_pin, _ = solve(p_pin, rules)
    kept_free = (pin_changes(p_pin, r_free, rules)["change"] == "kept").sum()
    kept_pin = (pin_changes(p_pin, r_pin, rules)["change"] == "kept").sum()
    assert kept_pin == 7 and kept_free < 7
    # The check names every published shift the free replan dropped.
    hit = [v for v in check(p_pin, r_free, rules) if v.rule == "pinned_shifts"]
    assert len(hit) == 7 - kept_free and "published" in hit[0].message


def test_freeze_before_keeps_the_past_as_published():
    c = cfg_with()
    req, published = published_week(c)
    mon = published[published["date"] == MONDAY]["staff_id"].iloc[0]
    p = make_problem(c, pin_staff(c), req, leave=day_leave(c, mon, MONDAY), pinned=published)
    rules = pinned_rules(c, freeze_before=WED)
    r, _ = solve(p, rules)
    ch = pin_changes(p, r, rules)
    assert not ((ch["change"] == "added") & (ch["date"] < WED)).any()  # nothing is added in the past
    assert ch[(ch["change"] == "forced")]["date"].tolist() == [MONDAY]


def test_published_shift_breaking_a_hard_rule_is_released_and_hard_pins_are_diagnosed():
    c = cfg_with()
    req = requirements(c, [("North", "clinician", ALL, 7, 15)])
    published = rows(c, [("C1", "North", d, "early") for d in range(6)] + [("C2", "North", 6, "early")])
    p = make_problem(c, pin_staff(c), req, pinned=published)
    rules = pinned_rules(c)
    r, _ = solve(p, rules)
    ch = pin_changes(p, r, rules)
    rel = ch[ch["change"] == "forced"]
    assert len(rel) == 1 and "min_days_off" in rel["reason"].iloc[0]
    assert (ch["change"] == "kept").sum() == 6

    from roster.solve.diagnose import diagnose
    from roster.solve.model import solve as model_solve

    hard = pinned_rules(c, hard=True)
    assert model_solve(p, hard, time_limit=20).status == "infeasible"
    text = diagnose(p, hard, time_limit=20)
    assert "pinned_shifts" in text or "min_days_off" in text


def test_previous_week_rest_carries_over_the_boundary():
    c = cfg_with()
    staff = [person("C1", "clinician", "North", rate=30, cfg=c), person("C2", "clinician", "North", rate=50, cfg=c)]
    req = requirements(c, [("North", "clinician", [0], 7, 15)])
    r0, _ = solve(make_problem(c, staff, req))
    assert list(r0["staff_id"]) == ["C1"]
    last_week = rows(c, [("C1", "North", 6, "late")], monday=MONDAY - dt.timedelta(days=7))  # Sunday 15:00–23:00
    p = make_problem(c, staff, req, previous=last_week)
    r1, _ = solve(p)
    assert list(r1["staff_id"]) == ["C2"]  # C1 would rest only 8 h
    hit = [v for v in check(p, r0) if v.rule == "min_rest"]
    assert hit and hit[0].staff_id == "C1"


def test_previous_week_night_covers_monday_morning():
    c = cfg_with()
    staff = [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    req = requirements(c, [("North", "clinician", [0], 0, 7)])
    last_week = rows(c, [("C1", "North", 6, "night")], monday=MONDAY - dt.timedelta(days=7))  # Sun 23:00 – Mon 07:00
    p = make_problem(c, staff, req, previous=last_week)
    r, _ = solve(p)
    # last week's night shift already covers Monday 00:00–07:00; the one shift planned is this week's
    # Sunday night, for the next Monday's 00:00–07:00 (assumed to ask what this Monday asks)
    assert len(r) == 1 and r["shift"].iloc[0] == "night" and r["date"].iloc[0] == MONDAY + dt.timedelta(days=6)
    assert not [v for v in check(p, r) if v.rule == "coverage"]


# -- end to end on the example city -----------------------------------------------------

def _write_toml(path, raw):
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
        return json.dumps(str(v))

    lines = []

    def table(prefix, d):
        scalars = {k: v for k, v in d.items() if not isinstance(v, dict)}
        subs = {k: v for k, v in d.items() if isinstance(v, dict)}
        if prefix and scalars:
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{json.dumps(k) if not k.replace('_', '').isalnum() else k} = {val(v)}")
        for k, v in subs.items():
            table(f"{prefix}.{k}" if prefix else k, v)

    table("", raw)
    path.write_text("\n".join(lines) + "\n")


def _example_config(tmp_path, extra_leave=None):
    raw = tomllib.loads((ROOT / "roster.toml").read_text())
    tof = pd.read_csv(ROOT / "examples/metro/time_off.csv", dtype=str)
    if extra_leave is not None:
        tof = pd.concat([tof, pd.DataFrame([extra_leave])], ignore_index=True)
    tof.to_csv(tmp_path / "time_off.csv", index=False)
    raw["data"] = {"calls": str(ROOT / "examples/metro/calls.csv"), "staff": str(ROOT / "examples/metro/staff.csv"),
                   "time_off": str(tmp_path / "time_off.csv")}
    path = tmp_path / "roster.toml"
    _write_toml(path, raw)
    return path


@pytest.mark.slow
def test_example_sick_call_pin_and_next_week_with_previous(tmp_path):
    from typer.testing import CliRunner

    from roster.cli import app

    runner = CliRunner()
    base = _example_config(tmp_path)
    out1 = tmp_path / "published"
    res = runner.invoke(app, ["plan", "--config", str(base), "--out", str(out1), "--quiet"])
    assert res.exit_code == 0, res.output
    published = pd.read_csv(out1 / "roster.csv")
    assert (out1 / "explain.csv").is_file() and (out1 / "penalties.csv").is_file()

    # Wednesday sick call: the person is put on leave, the week is pinned and re-planned.
    wed = published[published["date"] == "2026-11-04"]
    sick = wed["staff_id"].iloc[0]
    sick_cfg_dir = tmp_path / "sick"
    sick_cfg_dir.mkdir()
    cfg2 = _example_config(sick_cfg_dir, {"staff_id": sick, "start": "2026-11-04", "end": "2026-11-04"})
    out2 = tmp_path / "replanned"
    res = runner.invoke(app, ["plan", "--config", str(cfg2), "--out", str(out2), "--quiet", "--pin", str(out1 / "roster.csv"),
                              "--freeze-before", "2026-11-04"])
    assert res.exit_code == 0, res.output
    assert "forced off" in res.output
    summary = json.loads((out2 / "summary.json").read_text())
    pins = summary["pins"]
    assert pins["published"] == len(published)
    assert [r["staff_id"] for r in pins["forced"]] == [sick] and "approved leave" in pins["forced"][0]["reason"]
    assert pins["kept"] >= 0.95 * pins["published"]
    changes = pd.read_csv(out2 / "changes.csv")
    assert set(changes["change"]) <= {"kept", "forced", "moved", "dropped", "added"}
    assert not ((changes["change"] == "added") & (changes["date"] < "2026-11-04")).any()
    check = runner.invoke(app, ["check", str(out2 / "roster.csv"), "--config", str(cfg2)])
    assert check.exit_code == 0, check.output

    # The next week, planned with this week's roster as --previous, passes check with --previous.
    out3 = tmp_path / "next"
    res = runner.invoke(app, ["plan", "--config", str(cfg2), "--out", str(out3), "--quiet", "--week", "2026-11-09",
                              "--previous", str(out2 / "roster.csv")])
    assert res.exit_code == 0, res.output
    assert json.loads((out3 / "summary.json").read_text())["planned_as_repeating_week"] is False
    check = runner.invoke(app, ["check", str(out3 / "roster.csv"), "--config", str(cfg2), "--previous", str(out2 / "roster.csv")])
    assert check.exit_code == 0, check.output


def test_multi_week_horizon_wraps_the_last_sunday_night_to_the_first_monday():
    """Over 14 days, the last night's hours past the horizon cover day 0's early hours (not day 7's)."""
    from constraints.problem import covered_hours
    from forecast.timegrid import local_hours

    c = cfg_with()
    hours = local_hours(MONDAY, 14, c.timezone)
    start = pd.Series([local_midnight(MONDAY + dt.timedelta(days=13), c.timezone) + pd.Timedelta(hours=23)])
    end = start + pd.Timedelta(hours=8)
    cov = covered_hours(start, end, hours, wrap=True)
    assert set(cov["hour"]) == {len(hours) - 1, *range(0, 7)}
