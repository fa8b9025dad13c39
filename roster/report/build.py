"""The report as one self-contained HTML text: built from a plan's frames, with Plotly's JavaScript
embedded once, so the file opens anywhere with no network."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from roster.io.pseudonyms import pseudonyms
from roster.report import charts, scenario_charts, service, shortfalls, tables
from roster.report.frames import PSEUDONYM, Period, PlanFrames, ScenarioFrames
from roster.report.style import CSS
from roster.report.tables import esc

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
MAIN_CHART_ID = "chart-coverage"


# Each hour's label on the local clock is made in the browser from the period's start and zone, so
# hundreds of hour labels per chart need not be embedded; charts.HOUR_LABELS marks the traces that show them.
HOUR_LABEL_SCRIPT = """
window.rosterDecode = function (v) {
  if (!v || !v.bdata) { return v; }
  var bin = atob(v.bdata), bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
  var types = {i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
               f4: Float32Array, f8: Float64Array};
  return new types[v.dtype](bytes.buffer);
};
window.rosterShiftTips = function (gd, t, start, day, clock) {
  var m = t.meta, code = rosterDecode(m.code), ot = rosterDecode(m.overtime), t0 = rosterDecode(m.t0);
  var len = rosterDecode(m.len), rows = rosterDecode(t.y), kinds = gd.layout.meta.shift_kinds;
  var names = gd.layout.yaxis.ticktext, out = [];
  for (var i = 0; i < code.length; i++) {
    var a = new Date(start + t0[i] * 3600000), b = new Date(start + (t0[i] + len[i]) * 3600000);
    out.push(names[rows[i]] + '<br>' + kinds[code[i]] + ', ' + day.format(a).replace(/,/g, '') + '\u2013' +
             clock.format(b) + (ot[i] > 0 ? ', ' + Math.round(ot[i] * 100) / 100 + ' h overtime' : ''));
  }
  return out;
};
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('.js-plotly-plot').forEach(function (gd) { Plotly.Plots.resize(gd); });
});
window.addEventListener('afterprint', function () {
  document.querySelectorAll('.js-plotly-plot').forEach(function (gd) { Plotly.Plots.resize(gd); });
});
window.rosterHourLabels = function (gd, start, hours, zone) {
  var opts = {weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'};
  var tz = zone;
  try { new Intl.DateTimeFormat('en-GB', {timeZone: tz}); } catch (e) { tz = 'UTC'; }
  var fmt = new Intl.DateTimeFormat('en-GB', Object.assign({timeZone: tz, timeZoneName: 'shortOffset'}, opts));
  var day = new Intl.DateTimeFormat('en-GB', Object.assign({timeZone: tz}, opts));
  var clock = new Intl.DateTimeFormat('en-GB', {timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});
  var labels = [];
  for (var i = 0; i < hours; i++) { labels.push(fmt.format(new Date(start + i * 3600000)).replace(/,/g, '')); }
  var idx = [], data = [];
  gd.data.forEach(function (t, i) {
    if (t.meta === '%s') {
      idx.push(i);
      data.push(t.type === 'heatmap' ? t.y.map(function () { return labels; }) : labels);
    } else if (t.meta && t.meta.kind === '%s') {
      idx.push(i);
      data.push(rosterShiftTips(gd, t, start, day, clock));
    }
  });
  if (idx.length) { return Plotly.restyle(gd, {customdata: data}, idx); }
};
""" % (charts.HOUR_LABELS, charts.SHIFT_TIPS)


class _Charts:
    """Turns figures into HTML, inlining plotly.js with the first one only."""

    def __init__(self, period: Period, zone: str | None) -> None:
        self.count = 0
        start_ms = int(period.start.tz_convert("UTC").timestamp() * 1000)
        self.post = (f"window.rosterHourLabels(document.getElementById('{{plot_id}}'), {start_ms}, {len(period.hours)}, "
                     f"{json.dumps(zone or 'UTC')});")

    def __call__(self, fig: go.Figure, div_id: str) -> str:
        self.count += 1
        body = fig.to_html(full_html=False, include_plotlyjs=self.count == 1, config=PLOT_CONFIG, div_id=div_id,
                           post_script=self.post)
        return f'<div class="chart">{body}</div>'


def display_names(roster: pd.DataFrame, pseudonym_key: bytes | None, others=()) -> tuple[pd.Series, bool]:
    """staff_id → the name the report shows (for the rostered and ``others``), and whether names are pseudonyms.

    Someone in ``others`` but not rostered is shown by pseudonym with the key, by staff id in a report with names,
    and as "(not rostered)" in a pseudonymised plan read without the key (their id could identify them).
    """
    people = roster.drop_duplicates("staff_id").set_index("staff_id")
    ids = pd.Index(people.index.astype(str)).union(pd.Index(others).astype(str)).to_series()
    if pseudonym_key is not None:
        return pd.Series(pseudonyms(ids, pseudonym_key).to_numpy(), index=ids.index), True
    names = people["name"].astype(object) if "name" in people else pd.Series(dtype=object)
    names.index = names.index.astype(str)
    names = names.dropna().astype(str)
    pseudonymised = bool(len(names)) and bool(names.str.match(PSEUDONYM).all())
    missing = ids.index.difference(names.index)
    fill = pd.Series("(not rostered)" if pseudonymised else missing.to_numpy(), index=missing, dtype=object)
    return pd.concat([names, fill]), pseudonymised


def build_report(frames: PlanFrames, *, scenarios: ScenarioFrames | None = None, currency: str = "$",
                 pseudonym_key: bytes | None = None, title: str = "Crisis team roster") -> str:
    """The whole report as HTML text; ``pseudonym_key`` replaces every name by its keyed pseudonym."""
    period = Period.of(frames)
    others = frames.explain["staff_id"].astype(str) if frames.explain is not None else ()
    names, pseudonymised = display_names(frames.roster, pseudonym_key, others)
    chart = _Charts(period, frames.summary.get("timezone"))
    sections = [_plan_sections(frames, period, names, currency, chart)]
    if scenarios is not None and not scenarios.empty():
        sections.append(_scenario_sections(scenarios, currency, chart))
    privacy = ("Names are keyed pseudonyms." if pseudonymised else
               "This report names staff: share it as you would the roster (roster report --pseudonymise for a copy without names).")
    zone = frames.summary.get("timezone") or "the offsets shown"
    head = (f"<header><h1>{esc(title)}</h1><p class=\"meta\">{esc(period.describe())} · local time in {esc(zone)} · "
            f"{esc(privacy)}</p></header>")
    links = [("overview", "Overview"), ("coverage", "Coverage"), ("roster", "Roster"), ("shortfall", "Shortfall"),
             ("cost", "Cost"), ("service", "Service"), ("solver", "Solver"), ("explain", "Explanations")]
    if scenarios is not None and not scenarios.empty():
        links.append(("scenarios", "Scenarios"))
    body = "".join(sections)
    nav = "<nav>" + "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in links if f'id="{a}"' in body) + "</nav>"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)} · {esc(period.describe())}</title><style>{CSS}</style>"
            f"<script>{HOUR_LABEL_SCRIPT}</script></head><body>"
            f"{head}{nav}{body}</body></html>\n")


def _section(anchor: str, heading: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(heading)}</h2>{"".join(parts)}</section>'


def _plan_sections(frames: PlanFrames, period: Period, names: pd.Series, currency: str, chart: _Charts) -> str:
    out = [_section("overview", "Overview", tables.cards(frames, currency))]
    out.append(_section("coverage", "Forecast and coverage per district",
                        '<p class="note">Staff required (black) and scheduled (orange) each hour, summed over roles; '
                        "the shaded band is the forecast's range of calls per hour (right axis).</p>",
                        chart(charts.coverage_figure(frames, period), MAIN_CHART_ID)))
    if not frames.roster.empty:
        out.append(_section("roster", "The roster, person by person",
                            '<p class="note">One row per person, grouped by the district of most of their hours and their '
                            "role. Night shifts are dark; shifts with overtime are hatched.</p>",
                            chart(charts.gantt_figure(frames, period, names), "chart-roster")))
    out.append(_section("shortfall", "Shortfall by district and hour",
                        chart(charts.shortfall_heatmap(frames, period), "chart-shortfall")))
    cost = [chart(charts.cost_figure(frames, currency), "chart-cost")]
    per_call = service.cost_per_call(frames)
    if not per_call.empty:
        cost += ["<h3>Cost per call</h3>", tables.cost_per_call_table(per_call, currency)]
    out.append(_section("cost", "Cost by role", *cost))
    if frames.simulation is not None and not frames.simulation.empty:
        out.append(_section("service", "Service residents get",
                            f'<p class="words">{esc(service.equity_words(frames))}</p>',
                            chart(service.service_figure(frames), "chart-service"),
                            '<p class="note">Simulated over the roster with its interval; the diamond is the share Erlang C '
                            "predicted when the staffing was set.</p>"))
    solver = [tables.solver_table(frames.summary)]
    if frames.penalties is not None and not frames.penalties.empty:
        solver += ["<h3>The rules that cost the most</h3>", tables.penalties_table(frames.penalties, names)]
    out.append(_section("solver", "Solver", *solver))
    explain = shortfalls.shortfall_explanations(frames, tables.shortfall_words(frames, period))
    if frames.explain is not None and not frames.explain.empty:
        explain += ["<h3>Who the roster asks most of</h3>", tables.people_table(frames.explain, names)]
    out.append(_section("explain", "Explanations", *explain))
    return "".join(out)


def _scenario_sections(scen: ScenarioFrames, currency: str, chart: _Charts) -> str:
    parts = []
    if (scen.findings or "").strip():
        parts += ["<h3>Findings</h3>", "".join(f'<p class="words">{esc(line)}</p>' for line in scen.findings.splitlines()
                                               if line.strip())]
    if scen.scenarios is not None and not scen.scenarios.empty:
        parts += ["<h3>Cost against service per scenario</h3>",
                  chart(scenario_charts.scenario_figure(scen.scenarios, currency), "chart-scenarios"),
                  tables.table(scen.scenarios, {c: ",.2f" for c in scen.scenarios.columns if "cost" in c}
                               | {c: ".1%" for c in scen.scenarios.columns if "share" in c})]
    if scen.districts is not None and not scen.districts.empty:
        parts += ["<h3>Per district</h3>", chart(scenario_charts.scenario_district_figure(scen.districts, currency),
                                                  "chart-scenario-districts")]
    if scen.headcount is not None and not scen.headcount.empty:
        parts += ["<h3>Hiring plan</h3>", '<p class="note">People each seat needs for the week\'s required staff-hours '
                  "(the clinical seat's including the supervision its ratio needs for the non-clinical staff) "
                  "at its staff's mean contract hours; a gap above zero is people to hire.</p>",
                  tables.table(scen.headcount, {c: "g" for c in ("people_needed", "people_available", "gap")})]
    if scen.frontier is not None and not scen.frontier.empty:
        front = scen.frontier
        if not scenario_charts.frontier_points(front).empty:
            parts += ["<h3>Budget frontier</h3>", chart(scenario_charts.frontier_figure(front, currency), "chart-frontier")]
        else:
            parts += ["<h3>Budget frontier</h3>", '<p class="words">No point of the sweep has a roster.</p>']
        cols = [c for c in scenario_charts.FRONTIER_TABLE if c in front.columns]
        parts.append(tables.table(front[cols], {c: ",.0f" for c in cols if "cost" in c or c == "budget_cap"}
                                  | {c: ".1%" for c in cols if "share" in c} | {"shortfall_hours": "g"}))
    return _section("scenarios", "Scenarios", *parts)
