"""The HTML report: self-contained, drawn over the period the data covers (DST weeks, four weeks),
nights and overtime marked, shortfalls and equity in words, names pseudonymised on request."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from report_plans import REAL_NAMES, frontier_frame, synthetic_plan
from roster.io.pseudonyms import pseudonym
from roster.report import PlanFrames, ScenarioFrames, build_report
from roster.report import charts, scenario_charts, service, shortfalls, tables
from roster.report.build import MAIN_CHART_ID
from roster.report.frames import Period

KEY = b"a-test-key-of-enough-length-0123"
SPRING, FALL = dt.date(2026, 3, 2), dt.date(2026, 10, 26)


def frames(monday=dt.date(2026, 11, 2), days=7) -> PlanFrames:
    return PlanFrames.from_files(synthetic_plan(monday, days))


def figure_json(html_text: str, div_id: str) -> str:
    start = html_text.index(f'Plotly.newPlot(                        "{div_id}"')
    return html_text[start: html_text.index("</script>", start)]


def test_report_is_one_self_contained_file_with_plotly_once():
    text = build_report(frames())
    js = get_plotlyjs()
    assert text.count(js[:200]) == 1  # the library is inlined exactly once
    assert text.count("Plotly.newPlot(") == 5
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(https?:", text)
    for anchor in ("overview", "coverage", "roster", "shortfall", "cost", "service", "solver", "explain"):
        assert f'id="{anchor}"' in text
    assert f'id="{MAIN_CHART_ID}"' in text
    assert "@media print" in text
    assert 'id="scenarios"' not in text


@pytest.mark.parametrize("monday,hours,label", [(dt.date(2026, 11, 2), 168, None), (SPRING, 167, "(23 h)"),
                                                (FALL, 169, "(25 h)")])
def test_period_and_charts_follow_the_data_through_dst(monday, hours, label):
    f = frames(monday)
    period = Period.of(f)
    assert len(period.hours) == hours and period.length_hours == hours
    vals, text = period.day_ticks()
    assert len(vals) == 7 and vals[0] == 0
    assert (label in text[-1]) if label else all("h)" not in t for t in text)
    heat = charts.shortfall_heatmap(f, period).data[0]
    assert np.asarray(heat.z).shape == (2, hours)
    cov = charts.coverage_figure(f, period)
    required = [t for t in cov.data if t.name == "required staff"]
    assert [len(t.y) for t in required] == [hours, hours]
    # the heat map's total is the coverage file's total shortfall
    assert int(np.asarray(heat.z).sum()) == int(f.coverage["shortfall"].sum())


def test_four_week_period_is_taken_from_the_data():
    f = frames(days=28)
    period = Period.of(f)
    assert len(period.hours) == 28 * 24
    assert len(period.day_ticks()[0]) == 28
    assert "28 days, 672 hours" in build_report(f)


def test_gantt_marks_nights_and_overtime_per_person():
    f = frames()
    period = Period.of(f)
    names = f.roster.drop_duplicates("staff_id").set_index("staff_id")["name"]
    fig = charts.gantt_figure(f, period, names)
    day, night = fig.data[0], fig.data[1]
    assert len(night.x) == int((f.roster["shift"] == "night").sum())
    assert len(day.x) + len(night.x) == len(f.roster)
    hatched = sum(s == "x" for t in (day, night) for s in t.marker.pattern.shape)
    assert hatched == int((f.roster["overtime_hours"] > 0).sum()) == 1
    assert list(fig.layout.yaxis.ticktext) == sorted(fig.layout.yaxis.ticktext, key=lambda n: (
        {"Alice Realname": 0, "Chiara Ownname": 1, "Bogdan Truename": 2, "Dmitri Givenname": 3, "Farid Legalname": 4,
         "Esther Actualname": 5}[n]))  # grouped by district, then role
    # a bar starts at its shift's real elapsed hour: Monday's early shift of N1 at hour 7
    first = f.roster[(f.roster["staff_id"] == "N1")].iloc[0]
    assert first["start"].startswith("2026-11-02T07:00") and 7.0 in list(day.base)


def test_night_shifts_from_the_clock_when_the_summary_has_no_list():
    f = frames()
    del f.summary["night_shifts"]
    fig = charts.gantt_figure(f, Period.of(f), f.roster.drop_duplicates("staff_id").set_index("staff_id")["name"])
    assert len(fig.data[1].x) == int((f.roster["shift"] == "night").sum())


def test_shortfall_runs_are_merged_and_said_in_words():
    f = frames()
    period = Period.of(f)
    runs = tables.shortfall_runs(f, period)
    assert sum(r["staff_hours"] for r in runs) == f.coverage["shortfall"].sum()
    # 09:00-11:00 needs two clinicians and one is on the early shift: one two-hour run per district and day
    morning = [r for r in runs if r["start"].hour == 9 and r["role"] == "clinician"]
    assert morning and all(r["hours"] == 2 and r["end"].hour == 11 for r in morning)
    words = tables.shortfall_words(f, period)
    assert "<b>North</b>, clinician: 1 short Mon 02 Nov 09:00–Mon 11:00" in words
    assert "coverage penalty" in words


def test_equity_gap_in_words_names_best_and_worst_district():
    words = service.equity_words(frames())
    assert "North is best served: 95.0%" in words and "South is served worst: 82.0%" in words
    assert "gap of 13.0 percentage points" in words and "Below the target of 90%: South" in words


def test_service_chart_has_target_lines_and_erlang_beside_the_simulation():
    fig = service.service_figure(frames())
    names = [t.name for t in fig.data]
    assert names[:2] == ["simulated", "Erlang C prediction"]
    assert list(fig.data[1].y) == [0.96, 0.91]
    lines = sorted(s.y0 for s in fig.layout.shapes)
    assert lines == [0.9, 60.0]


def test_cost_by_role_splits_regular_and_overtime_and_cost_per_call_adds_up():
    f = frames()
    fig = charts.cost_figure(f, "€")
    regular, overtime = fig.data
    assert float(np.sum(regular.y) + np.sum(overtime.y)) == pytest.approx(f.roster["cost"].sum())
    assert float(np.sum(overtime.y)) == pytest.approx(f.summary["overtime_cost"])
    assert fig.layout.yaxis.tickprefix == "€"
    per_call = service.cost_per_call(f)
    assert per_call.loc["ALL", "cost"] == pytest.approx(f.roster["cost"].sum())
    assert per_call.loc["ALL", "per_call"] == pytest.approx(f.roster["cost"].sum() / f.forecast["mean"].sum())
    assert "€" in build_report(f, currency="€")


def test_pseudonymised_report_carries_no_real_name_and_no_staff_id():
    text = build_report(frames(), pseudonym_key=KEY)
    for sid, name in REAL_NAMES.items():
        assert name not in text
        assert pseudonym(sid, KEY) in text
        assert not re.search(rf"(?<![\w-]){sid}(?![\w-])", text.replace(get_plotlyjs(), "")), sid
    assert "Names are keyed pseudonyms." in text


def test_a_plan_already_pseudonymised_is_reported_as_such():
    files = synthetic_plan()
    files["roster.csv"]["name"] = files["roster.csv"]["staff_id"].map(lambda s: pseudonym(s, KEY))
    files["explain.csv"] = pd.concat([files["explain.csv"], pd.DataFrame([{"staff_id": "X9", "role": "clinician",
                                                                           "shifts": 0, "hours": 0.0}])])
    files["penalties.csv"].loc[2, "where"] = "X9 2026-11-03; S2 2026-11-04"
    text = build_report(PlanFrames.from_files(files)).replace(get_plotlyjs(), "")
    assert "Names are keyed pseudonyms." in text and "Alice Realname" not in text
    assert "X9" not in text and "S2 " not in text and f"{pseudonym('S2', KEY)} 2026-11-04" in text


def test_names_are_escaped():
    files = synthetic_plan()
    files["roster.csv"].loc[files["roster.csv"]["staff_id"] == "N1", "name"] = "</script><script>alert(1)</script>"
    text = build_report(PlanFrames.from_files(files))
    assert "<script>alert(1)" not in text


def test_hour_labels_are_left_to_the_page_and_every_hour_trace_is_marked():
    text = build_report(frames(FALL))
    assert "window.rosterHourLabels" in text
    coverage = figure_json(text, MAIN_CHART_ID)
    assert coverage.count('"meta":"hour-labels"') == 2  # one "required" trace per district
    assert "window.rosterHourLabels(document.getElementById('chart-coverage'), " in text
    assert '"America/New_York"' in text


def test_sections_appear_for_the_scenario_files_present():
    scen = pd.DataFrame({"scenario": ["base", "wage+5%", "peers+4"], "status": ["optimal"] * 3,
                         "total_cost": [100.0, 105.0, 110.0], "share_within_target": [0.9, 0.9, 0.94],
                         "worst_district_share": [0.8, 0.8, 0.88]})
    front = frontier_frame()
    only_front = build_report(frames(), scenarios=ScenarioFrames(frontier=front))
    assert 'id="chart-frontier"' in only_front and 'id="chart-scenarios"' not in only_front
    fig = json.loads(scenario_charts.frontier_figure(front, "$").to_json())["data"]
    # the points with a roster, cheapest first; each says its cap, status and worst district
    assert [len(t["customdata"]) for t in fig] == [3, 3]
    assert fig[0]["customdata"][0] == "budget_02 (feasible)<br>cap $90<br>worst: South"
    assert "budget_01" in only_front and "below what the hard rules alone cost" in only_front  # its row in the table
    dist = pd.DataFrame({"scenario": ["base", "base", "peers+4", "peers+4"], "district": ["North", "South"] * 2,
                         "share_within_target": [0.95, 0.82, 0.96, 0.9], "cost": [60.0, 40.0, 66.0, 44.0]})
    full = build_report(frames(), scenarios=ScenarioFrames(scenarios=scen, districts=dist, frontier=front))
    for div in ("chart-scenarios", "chart-scenario-districts", "chart-frontier"):
        assert f'id="{div}"' in full
    assert full.count(get_plotlyjs()[:200]) == 1
    districts = figure_json(full, "chart-scenario-districts")
    assert districts.count('"type":"bar"') == 4 and "cost ($)" in districts
    assert 'href="#scenarios"' in full


def test_the_figures_embed_typed_arrays_not_decimal_text():
    f = frames()
    data = json.loads(charts.coverage_figure(f, Period.of(f)).to_json())["data"]
    assert all(isinstance(t["y"], dict) and "bdata" in t["y"] for t in data)
    assert all("x" not in t for t in data)  # x0/dx: the hour is the position


def test_empty_roster_still_reports():
    files = synthetic_plan()
    files["roster.csv"] = files["roster.csv"].iloc[0:0]
    text = build_report(PlanFrames.from_files(files))
    assert 'id="chart-roster"' not in text and f'id="{MAIN_CHART_ID}"' in text
    assert 'href="#roster"' not in text and 'href="#coverage"' in text


def test_the_report_from_files_read_back_equals_the_report_from_memory(tmp_path):
    from roster.io.writers import write_outputs
    from roster.report.read import read_plan

    files = synthetic_plan(FALL)
    write_outputs(tmp_path, files)
    assert build_report(read_plan(tmp_path)) == build_report(PlanFrames.from_files(files))


def test_shortfalls_csv_gives_each_place_its_reason_and_the_sizing_hints():
    files = synthetic_plan()
    text = build_report(PlanFrames.from_files(files))
    explain = text[text.index('<section id="explain"'):]
    assert "Shortfalls and why" in explain and "How many more people would cover them" in explain
    # staff-hours by reason from summary.json, in words, each with its share
    half = files["summary.json"]["shortfall_reasons"]["no_one_free"]
    assert f"<b>{half:g} staff-hours</b> (50%): no one of the seat is free" in explain
    assert "a free person could cover them, but the shift costs more than the shortfall price" in explain
    # the largest places first, said in words, with the file's detail; the rest left to shortfalls.csv
    s = files["shortfalls.csv"]
    places = tables_of(shortfalls.places_table(PlanFrames.from_files(files)))[0]
    hours = [float(r[4]) for r in places]
    assert len(places) == shortfalls.TOP_PLACES and hours == sorted(hours, reverse=True)
    assert hours[0] == s["uncovered_staff_hours"].max()
    assert {r[5] for r in places} <= {"no one free", "too costly"}
    assert f"The {shortfalls.TOP_PLACES} largest of {len(s)} runs of uncovered hours" in explain
    assert "already work a shift that day (one_shift_per_day)" in explain
    # a run past midnight names both days; one within a day names it once
    assert all(re.fullmatch(r"\w{3} \d\d \w{3} \d\d:\d\d–(\w{3} )?\d\d:\d\d", r[2]) for r in places)
    # sizing: one row per short seat, the largest first, and each hint's own sentence
    sizing = tables_of(shortfalls.sizing_table(PlanFrames.from_files(files)))[0]
    assert len(sizing) == len(files["summary.json"]["sizing"]) and sizing[0][1] == "peer_supporter"
    assert [float(r[5]) for r in sizing] == sorted((float(r[5]) for r in sizing), reverse=True)
    assert "about 3 more peer_supporters in North (40 h a week each) would cover 120 of the 120" in explain


def tables_of(html_text: str) -> list[list[list[str]]]:
    """Each table's body rows as cell texts."""
    out = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", html_text, flags=re.S):
        out.append([[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                    for row in re.findall(r"<tr>(.*?)</tr>", body)])
    return out


def test_reasons_are_summed_from_shortfalls_csv_when_the_summary_lacks_them_and_detail_is_escaped():
    files = synthetic_plan()
    del files["summary.json"]["shortfall_reasons"], files["summary.json"]["sizing"]
    files["shortfalls.csv"] = files["shortfalls.csv"].assign(detail="<script>alert(1)</script>")
    text = build_report(PlanFrames.from_files(files))
    total = files["shortfalls.csv"]["uncovered_staff_hours"].sum()
    assert f"<b>{total / 2:g} staff-hours</b> (50%)" in text
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    assert "How many more people would cover them" not in text


def test_an_older_plan_without_shortfalls_csv_explains_its_runs_of_uncovered_hours():
    files = synthetic_plan()
    del files["shortfalls.csv"], files["summary.json"]["shortfall_reasons"], files["summary.json"]["sizing"]
    text = build_report(PlanFrames.from_files(files))
    assert "Shortfalls and why" not in text and "<h3>Shortfalls</h3>" in text
    assert "<b>North</b>, clinician: 1 short Mon 02 Nov 09:00–Mon 11:00" in text


def test_a_plan_with_every_hour_covered_says_so():
    files = synthetic_plan()
    files["coverage.csv"] = files["coverage.csv"].assign(shortfall=0)
    files["shortfalls.csv"] = files["shortfalls.csv"].iloc[0:0]
    files["summary.json"].update(shortfall_reasons={r: 0.0 for r in shortfalls.SHORT_WORDS}, sizing=[])
    text = build_report(PlanFrames.from_files(files))
    assert "Every required staff-hour is covered." in text and "Shortfalls and why" not in text


def test_a_target_share_sweep_is_drawn_by_the_cost_of_each_point():
    front = frontier_frame().assign(sweep="target", budget_cap=None, target_share=[0.6, 0.7, 0.8, 0.9],
                                    point=["target_01", "target_02", "target_03", "target_04"])
    front.loc[0, ["status", "note"]] = ["failed", "demand no staffing can serve"]
    data = json.loads(scenario_charts.frontier_figure(front, "€").to_json())["data"]
    assert data[0]["customdata"] == ["target_02 (feasible)<br>target share 70%<br>worst: South",
                                     "target_03 (optimal)<br>target share 80%<br>worst: South",
                                     "target_04 (optimal)<br>target share 90%<br>worst: North"]
    text = build_report(frames(), scenarios=ScenarioFrames(frontier=front), currency="€")
    assert "demand no staffing can serve" in text and 'id="chart-frontier"' in text
    layout = json.loads(scenario_charts.frontier_figure(front, "€").to_json())["layout"]
    assert layout["xaxis"]["title"]["text"] == "cost of the week's roster (€)" and layout["xaxis"]["tickprefix"] == "€"
