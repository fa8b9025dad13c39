"""The report's words and tables: headline figures, solver status, the costliest rules, shortfalls in
plain words, the people the roster asks most of, cost per call, and scenario tables."""

from __future__ import annotations

import html
import math
import re

import pandas as pd

from roster.report.frames import Period, PlanFrames, local_times, zone_of


def esc(value) -> str:
    return html.escape(str(value))


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """A frame as an HTML table; numeric columns right-aligned, ``formats`` maps column → format spec."""
    formats = formats or {}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f'<th class="num">{esc(c)}</th>' if c in numeric else f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for c, v in zip(frame.columns, row):
            missing = v is None or v == "" or (isinstance(v, float) and math.isnan(v))
            text = "" if missing else format(v, formats[c]) if c in formats else str(v)
            cells.append(f'<td class="num">{esc(text)}</td>' if c in numeric else f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def money(value, currency: str) -> str:
    return "–" if value is None else f"{currency}{value:,.0f}"


def cards(frames: PlanFrames, currency: str) -> str:
    """The headline numbers of the plan."""
    s = frames.summary
    short = (s.get("shortfall_hours") or {}).get("total", 0.0) or 0.0
    sim = frames.simulation
    overall = None
    if sim is not None and (sim["district"].astype(str) == "ALL").any():
        overall = float(sim.loc[sim["district"].astype(str) == "ALL", "share_within_target"].iloc[0])
    items = [
        (money(s.get("total_cost"), currency), "total cost", False),
        (money(s.get("overtime_cost"), currency), "of which overtime", False),
        (f"{s.get('staff_used', '–')} of {s.get('staff_total', '–')}", "people rostered", False),
        (f"{s.get('shifts', len(frames.roster))}", "shifts", False),
        (f"{short:g}", "staff-hours short", short > 0),
        *([(f"{overall:.1%}", "calls reached within target (simulated)", False)] if overall is not None else []),
        (_status(s), "solver", s.get("status") not in ("optimal", "feasible")),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card{" warn" if warn else ""}"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k, warn in items
    ) + "</div>"


def _status(summary: dict) -> str:
    status, gap = str(summary.get("status", "unknown")), summary.get("gap")
    return status if gap is None or status != "feasible" else f"{status}, gap {100 * gap:.2f} %"


def solver_table(summary: dict) -> str:
    gap = summary.get("gap")
    rows = [("status", summary.get("status")), ("solver", summary.get("solver")),
            ("objective", summary.get("objective")), ("best bound", summary.get("bound")),
            ("gap", None if gap is None else f"{100 * gap:.2f} %"),
            ("solve time", None if summary.get("solve_seconds") is None else f"{summary['solve_seconds']:.1f} s"),
            ("model built in", None if summary.get("build_seconds") is None else f"{summary['build_seconds']:.1f} s")]
    size = summary.get("model_size") or {}
    rows += [(f"model {k}", f"{v:,}" if isinstance(v, int) else v) for k, v in size.items()]
    frame = pd.DataFrame([(k, "–" if v is None else str(v)) for k, v in rows], columns=["", "value"])
    return table(frame)


def penalties_table(penalties: pd.DataFrame, names: pd.Series, top: int = 10) -> str:
    """The costliest objective terms; staff ids in ``where`` are shown as the names the report uses."""
    p = penalties.sort_values("penalty", ascending=False, kind="stable").head(top).copy()
    if "where" in p and len(names):
        ids = re.compile(r"(?<![\w-])(" + "|".join(re.escape(str(i)) for i in sorted(names.index, key=len, reverse=True))
                         + r")(?![\w-])")
        p["where"] = p["where"].fillna("").astype(str).map(lambda w: ids.sub(lambda m: str(names[m.group(1)]), w))
    cols = [c for c in ("rule", "label", "penalty", "places", "where") if c in p.columns]
    return table(p[cols], {"penalty": ",.2f"})


def shortfall_runs(frames: PlanFrames, period: Period) -> list[dict]:
    """Consecutive hours short of the same seat in a district, merged into one run each."""
    cov = frames.coverage[frames.coverage["shortfall"] > 0].copy()
    if cov.empty:
        return []
    cov["ts"] = local_times(cov["hour_start"], zone_of(frames.summary))
    cov["t"] = period.elapsed(cov["ts"])
    runs = []
    for (district, role), g in cov.sort_values("t").groupby(["district", "role"], sort=True):
        block = (g["t"].diff().fillna(1) != 1).cumsum()
        for _, b in g.groupby(block):
            runs.append({"district": district, "role": role, "start": b["ts"].iloc[0],
                         "end": b["ts"].iloc[-1] + pd.Timedelta(hours=1), "hours": len(b),
                         "short": int(b["shortfall"].max()), "staff_hours": float(b["shortfall"].sum()),
                         "required": int(b["required"].max()), "scheduled": int(b["scheduled"].min())})
    return sorted(runs, key=lambda r: (r["start"], r["district"], r["role"]))


def shortfall_words(frames: PlanFrames, period: Period) -> str:
    runs = shortfall_runs(frames, period)
    if not runs:
        return '<p class="words">Every required staff-hour is covered.</p>'
    items = [f"<li><b>{esc(r['district'])}</b>, {esc(r['role'])}: {r['short']} short "
             f"{r['start']:%a %d %b %H:%M}–{r['end']:%a %H:%M} ({r['hours']} h, {r['staff_hours']:g} staff-hours; "
             f"up to {r['required']} required, {r['scheduled']} on duty).</li>" for r in runs]
    return f'<ul class="explain">{"".join(items)}</ul>{_why(frames)}'


def _why(frames: PlanFrames) -> str:
    """What the coverage rule's penalty says about these hours, if penalties.csv is there."""
    p = frames.penalties
    if p is None or p.empty:
        return ""
    rows = p[p["rule"].astype(str) == "coverage"]
    if rows.empty or float(rows["penalty"].sum()) <= 0:
        return ""
    because = ("covering any of them would have broken a hard rule (rest, hours, leave, eligibility) or cost more in "
               "the objective than the shortfall does" if frames.summary.get("status") == "optimal" else
               "the solver found no cheaper roster that covers them in its time limit (the plan is not proven optimal)")
    return (f'<p class="words">The solver left these hours uncovered and paid the coverage penalty of '
            f"{float(rows['penalty'].sum()):,.0f} in its objective ({esc(rows['label'].iloc[0])}): {because}.</p>")


def people_table(explain: pd.DataFrame, names: pd.Series, top: int = 12) -> str:
    """The people the roster asks most of: overtime, nights and soft rules broken (names as shown elsewhere)."""
    e = explain.copy()
    e.insert(0, "person", e["staff_id"].astype(str).map(names).astype(object).fillna("(not rostered)"))
    keys = [c for c in ("overtime_hours", "nights", "hours") if c in e.columns]
    e = e.sort_values(keys, ascending=False, kind="stable").head(top)
    cols = [c for c in ("person", "role", "home_district", "contract_hours", "shifts", "hours", "overtime_hours", "nights",
                        "weekend_shifts", "hours_away_from_home", "soft_rules_broken") if c in e.columns]
    return table(e[cols], {"contract_hours": "g", "hours": "g", "overtime_hours": "g",
                                      "hours_away_from_home": "g"})


def cost_per_call_table(per_call: pd.DataFrame, currency: str) -> str:
    out = per_call.reset_index(names="district")
    out = out.rename(columns={"cost": f"cost ({currency})", "calls": f"{per_call.attrs.get('source', '')} calls",
                              "per_call": f"cost per call ({currency})"})
    return table(out, {f"cost ({currency})": ",.0f", out.columns[2]: ",.1f", f"cost per call ({currency})": ",.2f"})
