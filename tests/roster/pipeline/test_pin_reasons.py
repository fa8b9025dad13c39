"""Pin change reasons: forced (leave or a hard rule, named) vs moved or dropped by choice, in one set of words."""

import datetime as dt

import pandas as pd
import pytest

from cities import person
from constraints import default_rules
from constraints.pinning import CHANGES, PinnedShifts, pin_changes, pin_summary
from forecast.timegrid import local_midnight
from roster.cli.pins import pin_lines
from roster.evaluate.explain import penalty_table
from rule_helpers import MONDAY, cfg_with, check, make_problem, requirements, rows, solve

TUE = MONDAY + dt.timedelta(days=1)


def _staff(c, ids=("C1",)):
    return [person(s, "clinician", "North", rate=30, cfg=c) for s in ids]


def test_a_shift_the_solver_moves_is_moved_by_choice_not_forced():
    """Tuesday's need moved from the late hours to the early ones: the solver moves C1's published late shift."""
    c = cfg_with()
    published = rows(c, [("C1", "North", 1, "late")])
    req = requirements(c, [("North", "clinician", [1], 7, 15)])
    p = make_problem(c, _staff(c), req, pinned=published)
    rules = default_rules(c) + [PinnedShifts(PinnedShifts.Params())]
    r, res = solve(p, rules)
    assert list(r["shift"]) == ["early"]
    ch = pin_changes(p, r, rules).set_index("shift")
    assert ch.loc["late", "change"] == "moved"  # keeping it alongside the early shift would break one_shift_per_day
    reason = ch.loc["late", "reason"]
    assert reason.startswith("moved by choice") and "+8 uncovered staff-hours" in reason and "$3,200" in reason
    assert "charged 2,000" in reason
    assert ch.loc["early", "change"] == "added"
    # One word for one thing: the summary, penalties.csv and the printed lines count the same shift.
    s = pin_summary(pin_changes(p, r, rules))
    assert s["kept"] == 0 and [x["shift"] for x in s["moved"]] == ["late"] and s["not_kept"] == 1 and not s["forced"]
    pen = penalty_table(res.penalties, check(p, r, rules))
    row = pen[(pen["rule"] == "pinned_shifts") & (pen["label"] == "published shifts not kept")].iloc[0]
    assert row["places"] == 1 and row["penalty"] == 2000
    lines = "\n".join(pin_lines(s, pen))
    assert "1 moved by choice" in lines and "0 dropped" in lines and "1 published shift(s) not kept = 2,000" in lines


def test_a_shift_dropped_to_save_pay_says_what_it_saved():
    c = cfg_with()
    published = rows(c, [("C1", "North", 2, "early")])
    p = make_problem(c, _staff(c), requirements(c, []), pinned=published)
    rules = default_rules(c) + [PinnedShifts(PinnedShifts.Params(remove_weight=100))]
    r, _ = solve(p, rules)
    assert r.empty
    ch = pin_changes(p, r, rules)
    assert list(ch["change"]) == ["dropped"]
    assert ch["reason"].iloc[0].startswith("dropped by choice") and "+$240.00 pay" in ch["reason"].iloc[0]


def test_forced_by_leave_and_moved_to_cover_it():
    """C2 is off sick on Sunday: that shift is forced off; C1 moves two published days to cover Sunday by choice."""
    c = cfg_with()
    staff = _staff(c, ("C1", "C2"))
    req = requirements(c, [("North", "clinician", range(7), 7, 15)])
    published = rows(c, [("C1", "North", d, "early") for d in range(5)] + [("C2", "North", d, "early") for d in (5, 6)])
    sunday = MONDAY + dt.timedelta(days=6)
    leave = pd.DataFrame([{"staff_id": "C2", "start": local_midnight(sunday, c.timezone),
                           "end": local_midnight(sunday + dt.timedelta(days=1), c.timezone)}])
    p = make_problem(c, staff, req, leave=leave, pinned=published)
    rules = default_rules(c) + [PinnedShifts(PinnedShifts.Params())]
    r, _ = solve(p, rules)
    ch = pin_changes(p, r, rules)
    assert set(ch["change"]) <= set(CHANGES)
    forced = ch[ch["change"] == "forced"]
    assert list(forced["staff_id"]) == ["C2"] and forced["reason"].iloc[0] == "it falls in approved leave"
    moved = ch[ch["change"] == "moved"]
    assert set(moved["staff_id"]) == {"C1"} and len(moved) >= 1
    assert moved["reason"].str.contains("uncovered staff-hours").all()  # keeping it leaves Sunday uncovered
    assert not ch["reason"].str.contains("keeping it breaks").any()


@pytest.mark.parametrize("currency, moved_cost, dropped_pay", [("EUR", "+€3,200", "+€240.00 pay"),
                                                               ("CHF", "+CHF 3,200", "+CHF 240.00 pay")])
def test_pin_reasons_print_amounts_in_the_citys_currency(currency, moved_cost, dropped_pay):
    """A city that pays in euros or francs reads its pin reasons in them, never in dollars."""
    c = cfg_with(**{"city.currency": currency})
    rules = default_rules(c) + [PinnedShifts(PinnedShifts.Params())]
    moved_p = make_problem(c, _staff(c), requirements(c, [("North", "clinician", [1], 7, 15)]),
                           pinned=rows(c, [("C1", "North", 1, "late")]))
    moved = pin_changes(moved_p, solve(moved_p, rules)[0], rules).set_index("shift").loc["late", "reason"]
    assert moved.startswith("moved by choice") and f"({moved_cost} at the shortfall price)" in moved
    dropped_p = make_problem(c, _staff(c), requirements(c, []), pinned=rows(c, [("C1", "North", 2, "early")]))
    cheap = default_rules(c) + [PinnedShifts(PinnedShifts.Params(remove_weight=100))]
    dropped = pin_changes(dropped_p, solve(dropped_p, cheap)[0], cheap)["reason"].iloc[0]
    assert dropped.startswith("dropped by choice") and dropped_pay in dropped
    assert "$" not in moved + dropped
