"""Each scenario against the baseline: the changes, and in words what a change buys.

Pure functions of the outcomes (no printing): :func:`changes` gives one row per
scenario with each figure and its change from the baseline; :func:`findings` says
where a change buys nothing (cost up, service not) and which change buys the most
service per dollar, and what a budget cap cost in service.
"""

from __future__ import annotations

from roster.scenarios.run import ScenarioOutcome
from roster.scenarios.spec import Scenario

FIGURES = [("total_cost", "cost/week", "{cur}{:,.0f}"), ("share_within_target", "within target", "{:.1%}"),
           ("worst_district_share", "worst district", "{:.1%}"), ("shortfall_hours", "shortfall h", "{:,.0f}"),
           ("p90_minutes_to_contact", "p90 min", "{:,.1f}"), ("staff_used", "staff", "{:,.0f}"),
           ("overtime_hours", "OT h", "{:,.0f}")]


def _ok(o: ScenarioOutcome) -> bool:
    return o.status in ("optimal", "feasible")


def _delta(key: str, value: float, base: float) -> str:
    d = value - base
    if abs(d) < 1e-9:
        return "="
    if key in ("share_within_target", "worst_district_share"):
        return f"{100 * d:+.1f} pts"
    if key == "total_cost":
        return f"{d:+,.0f} ({d / base:+.1%})" if base else f"{d:+,.0f}"
    return f"{d:+,.1f}" if isinstance(value, float) and not float(value).is_integer() else f"{d:+,.0f}"


def changes(outcomes: list[ScenarioOutcome], cur: str = "$") -> list[dict]:
    """Per scenario: status, every figure formatted with its change from the baseline, and the annual cost
    (amounts after ``cur``, the currency's prefix)."""
    base = outcomes[0] if outcomes and _ok(outcomes[0]) else None
    rows = []
    for o in outcomes:
        row = {"scenario": o.name, "status": o.status}
        for key, label, fmt in FIGURES:
            value = o.row.get(key)
            if value is None:
                row[label] = "—"
                continue
            text = fmt.format(value, cur=cur)
            if base is not None and o is not base:
                text += f" ({_delta(key, value, base.row[key])})" if key != "total_cost" else f" {_delta(key, value, base.row[key])}"
            row[label] = text
        row["cost/year"] = f"{cur}{o.annual_cost:,.0f}" if o.annual_cost is not None else "—"
        rows.append(row)
    return rows


def _short_roles(o: ScenarioOutcome) -> dict[str, float]:
    summary = (o.files or {}).get("summary.json", {})
    return summary.get("shortfall_hours", {}).get("by_role", {})


PAY_KEYS = ("hourly_rate", "overtime_multiplier")


def _money(d: float, cur: str) -> str:
    return f"{'+' if d >= 0 else '-'}{cur}{abs(d):,.0f}"


def _only_demand(sc: Scenario) -> bool:
    return bool(sc.demand) and not (sc.set or sc.add or sc.remove or sc.rates) and sc.mutual_aid is None and sc.float_pool is None


def _only_pay(sc: Scenario) -> bool:
    pay_keys = all(k.endswith(PAY_KEYS) or k.startswith("pay.") for k in sc.set)
    return bool(sc.rates or sc.set) and pay_keys and not (sc.demand or sc.add or sc.remove) \
        and sc.mutual_aid is None and sc.float_pool is None


def _buys_nothing(o: ScenarioOutcome, sc: Scenario, base: ScenarioOutcome, team: dict[str, float], cur: str) -> str | None:
    d_cost = o.row["total_cost"] - base.row["total_cost"]
    d_share = o.row["share_within_target"] - base.row["share_within_target"]
    d_short = o.row["shortfall_hours"] - base.row["shortfall_hours"]
    if d_cost <= 1.0 or d_share >= 0.001 or d_short < -0.5:
        return None
    text = f"{o.name} costs {cur}{d_cost:,.0f} a week more and buys no better service ({100 * d_share:+.1f} pts within target)"
    added = {a.role for a in sc.add}
    short = {r: h for r, h in _short_roles(base).items() if h > 0}
    others = sorted(r for r in short if r not in added and team.get(r, 0) > 0)
    if added and others:
        text += (f": the added {', '.join(sorted(added))} form no extra team, because a team also needs "
                 f"{', '.join(others)} ({', '.join(f'{short[r]:,.0f}' for r in others)} staff-hours short in the baseline)")
    elif added:
        text += f": the added {', '.join(sorted(added))} fill hours the baseline already covered"
    return text + "."


def _hiring(o: ScenarioOutcome) -> str:
    if o.headcount is None:
        return ""
    hire = [(r.role, int(r.gap)) for r in o.headcount.itertuples() if r.gap > 0]
    if not hire:
        return ""
    text = " To staff it on contract hours, hire " + ", ".join(f"{n} {role}" for role, n in hire) + "."
    supervising = [r for r in o.headcount.itertuples() if r.gap > 0 and getattr(r, "supervision_hours", 0) > 0]
    if supervising:
        text += (" The " + ", ".join(r.role for r in supervising) + " count includes "
                 + ", ".join(f"{r.supervision_hours:,.0f}" for r in supervising)
                 + " staff-hours a week of clinical supervision for the non-clinical staff (the supervision ratio).")
    return text


def _describe(o: ScenarioOutcome, sc: Scenario, base: ScenarioOutcome, team: dict[str, float], value: list,
              cur: str) -> str | None:
    """One sentence on a solved scenario, or None when it joins the ranking by service per dollar."""
    d_cost = o.row["total_cost"] - base.row["total_cost"]
    d_share = o.row["share_within_target"] - base.row["share_within_target"]
    pct = d_cost / base.row["total_cost"] if base.row["total_cost"] else 0.0
    if sc.budget_cap is not None:
        return (f"{o.name}: the cap of {cur}{sc.budget_cap:,.0f} a week saves {cur}{-d_cost:,.0f} a week and costs "
                f"{-100 * d_share:.1f} pts of calls reached within target (worst district "
                f"{100 * base.row['worst_district_share']:.1f} % → {100 * o.row['worst_district_share']:.1f} %).")
    if _only_demand(sc):
        return (f"{o.name}: meeting the changed demand costs {_money(d_cost, cur)} a week ({pct:+.1%}); "
                f"{100 * o.row['share_within_target']:.1f} % of calls within target ({100 * d_share:+.1f} pts), "
                f"worst district {100 * o.row['worst_district_share']:.1f} %.{_hiring(o)}")
    if _only_pay(sc):
        yearly = (o.annual_cost or 0.0) - (base.annual_cost or 0.0)
        return f"{o.name} costs {_money(d_cost, cur)} a week ({pct:+.1%}), {_money(yearly, cur)} a year, for the same kind of roster."
    nothing = _buys_nothing(o, sc, base, team, cur)
    if nothing:
        return nothing
    if abs(d_cost) <= 1.0 and abs(d_share) < 0.001:
        return f"{o.name} changes neither the cost nor the service: it does not bind in this week."
    if d_cost > 0 and d_share >= 0.001:
        value.append((d_share / d_cost * 1000, o.name, d_cost, d_share))
        return None
    return (f"{o.name}: {_money(d_cost, cur)} a week ({pct:+.1%}), {100 * d_share:+.1f} pts of calls within target."
            f"{_hiring(o)}")


def findings(outcomes: list[ScenarioOutcome], scenarios: list[Scenario], team: dict[str, float],
             cur: str = "$") -> list[str]:
    """Sentences on the scenarios against the baseline (``outcomes[0]``, ``scenarios`` in the same order)."""
    if not outcomes or not _ok(outcomes[0]):
        return ["The baseline has no roster, so no scenario can be compared with it."]
    base, lines, value = outcomes[0], [], []
    for o, sc in zip(outcomes[1:], scenarios[1:]):
        if not _ok(o):
            lines.append(f"{o.name}: {o.status} — {o.message.splitlines()[0] if o.message else 'no roster'}")
            continue
        line = _describe(o, sc, base, team, value, cur)
        if line:
            lines.append(line)
    if value:
        value.sort(reverse=True)
        best = value[0]
        lines.append(f"The next dollar buys most in {best[1]}: {100 * best[3]:+.1f} pts within target for "
                     f"{cur}{best[2]:,.0f} a week ({100 * best[0]:.2f} pts per {cur}1,000 a week).")
        for v in value[1:]:
            lines.append(f"  then {v[1]}: {100 * v[0]:.2f} pts per {cur}1,000 a week.")
    return lines
