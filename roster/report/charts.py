"""The plan's charts, each a pure function of the plan's frames: coverage against the forecast, the
roster as a timeline, shortfall by district and hour, cost, and the service residents get."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from roster.report.frames import Period, PlanFrames, local_times, zone_of
from roster.report.style import BLUE, GRID, ORANGE, SHORTFALL_SCALE, VERMILLION, base_layout, compact

# Traces whose customdata the page fills with each hour's local label (see build.HOUR_LABEL_SCRIPT).
HOUR_LABELS = "hour-labels"
# Gantt traces whose hover text the page makes from their meta (codes into layout.meta.shift_kinds, times).
SHIFT_TIPS = "shift-tips"


def _time_axis(fig: go.Figure, period: Period, **where) -> None:
    vals, text = period.day_ticks()
    fig.update_xaxes(tickvals=vals, ticktext=text, range=[0, period.length_hours], showgrid=True, gridcolor=GRID,
                     **where)


def coverage_by_district(frames: PlanFrames, period: Period) -> pd.DataFrame:
    """Required and scheduled staff summed over roles, per district and hour, with the hour's position."""
    cov = frames.coverage.copy()
    cov["t"] = period.elapsed(local_times(cov["hour_start"], zone_of(frames.summary)))
    return cov.groupby(["district", "t"], sort=True)[["required", "scheduled", "shortfall"]].sum().reset_index()


def _quantile_columns(forecast: pd.DataFrame) -> tuple[str, str] | None:
    qs = sorted((int(c[1:]), c) for c in forecast.columns if c[:1] == "p" and c[1:].isdigit())
    return (qs[0][1], qs[-1][1]) if len(qs) >= 2 else None


def _hourly(frame: pd.DataFrame, column: str, hours: int, dtype) -> np.ndarray:
    """One value per hour of the period (by position ``t``), so a trace needs no x values (x0=0, dx=1)."""
    out = np.zeros(hours, dtype=dtype)
    pos = np.round(frame["t"].to_numpy()).astype(int)
    keep = (pos >= 0) & (pos < hours)
    out[pos[keep]] = frame[column].to_numpy()[keep]
    return out


def coverage_figure(frames: PlanFrames, period: Period) -> go.Figure:
    """Per district: required vs scheduled staff by hour, and the forecast calls' band on a second axis."""
    cov = coverage_by_district(frames, period)
    districts = list(dict.fromkeys(cov["district"]))
    fc = frames.forecast
    band = _quantile_columns(fc) if fc is not None else None
    n = len(period.hours)
    fig = make_subplots(rows=len(districts), cols=1, shared_xaxes=True, vertical_spacing=0.035,
                        subplot_titles=districts, specs=[[{"secondary_y": True}]] * len(districts))
    step = dict(x0=0, dx=1, mode="lines")
    for i, d in enumerate(districts, start=1):
        g = cov[cov["district"] == d]
        first = i == 1
        if fc is not None and band is not None:
            f = fc[fc["district"] == d].copy()
            f["t"] = period.elapsed(local_times(f["hour_start"], zone_of(frames.summary)))
            lo, hi = band
            fig.add_trace(go.Scatter(y=_hourly(f, lo, n, np.int16), line=dict(width=0, shape="hv"), hoverinfo="skip",
                                     showlegend=False, legendgroup="band", **step), row=i, col=1, secondary_y=True)
            fig.add_trace(go.Scatter(y=_hourly(f, hi, n, np.int16), fill="tonexty", fillcolor="rgba(86,180,233,0.22)",
                                     line=dict(width=0, shape="hv"), name=f"forecast calls {lo}–{hi}", legendgroup="band",
                                     showlegend=first, hovertemplate=f"{hi} %{{y}} calls<extra></extra>", **step),
                          row=i, col=1, secondary_y=True)
            if "mean" in f:
                fig.add_trace(go.Scatter(y=_hourly(f, "mean", n, np.float32), line=dict(color=BLUE, width=1, dash="dot",
                                                                                        shape="hv"),
                                         name="forecast calls (mean)", legendgroup="mean", showlegend=first,
                                         hovertemplate="mean %{y:.1f} calls<extra></extra>", **step),
                              row=i, col=1, secondary_y=True)
        fig.add_trace(go.Scatter(y=_hourly(g, "required", n, np.int16), name="required staff", meta=HOUR_LABELS,
                                 line=dict(color="#000000", width=1.5, shape="hv"), legendgroup="req", showlegend=first,
                                 hovertemplate=f"{d} · %{{customdata}}<br>required %{{y}}<extra></extra>", **step),
                      row=i, col=1)
        fig.add_trace(go.Scatter(y=_hourly(g, "scheduled", n, np.int16), name="scheduled staff",
                                 line=dict(color=ORANGE, width=2, shape="hv"), legendgroup="sch", showlegend=first,
                                 hovertemplate="scheduled %{y}<extra></extra>", **step), row=i, col=1)
        fig.update_yaxes(title_text="staff", row=i, col=1, secondary_y=False, rangemode="tozero")
        if fc is not None and band is not None:  # the band fills at most the lower half: the staff lines stay in view
            top = float(fc.loc[fc["district"] == d, band[1]].max()) if (fc["district"] == d).any() else 1.0
            fig.update_yaxes(range=[0, 2 * max(top, 0.5)], dtick=max(1, int(np.ceil(top / 2))), row=i, col=1,
                             secondary_y=True)
        fig.update_yaxes(title_text="calls", row=i, col=1, secondary_y=True, showgrid=False, rangemode="tozero")
    height = 190 * len(districts) + 110
    base_layout(fig, height=height)
    fig.update_layout(hovermode="x", margin=dict(t=80), legend=dict(y=1 + 45 / height))
    _time_axis(fig, period)
    return fig


def _main_place(roster: pd.DataFrame) -> pd.DataFrame:
    """Each person's group: the district of most of their hours, and their role."""
    hours = roster.groupby(["staff_id", "district"])["paid_hours"].sum().reset_index()
    main = hours.sort_values(["staff_id", "paid_hours", "district"], ascending=[True, False, True]).drop_duplicates("staff_id")
    return main.set_index("staff_id")["district"]


def is_night(frames: PlanFrames, roster: pd.DataFrame, start: pd.Series, end: pd.Series) -> np.ndarray:
    """Night shifts as roster.toml marks them (summary.json ``night_shifts``), else shifts mostly between 22:00 and 06:00."""
    named = frames.summary.get("night_shifts")
    if named is not None:
        return roster["shift"].isin(set(named)).to_numpy()
    mid = start + (end - start) / 2
    return ((mid.dt.hour >= 22) | (mid.dt.hour < 6)).to_numpy()


def _rows(r: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, int, int]]]:
    """People in order of group and name, and each group's first and last row."""
    people = r.drop_duplicates("staff_id")[["staff_id", "group", "who"]].sort_values(["group", "who", "staff_id"])
    people["row"] = np.arange(len(people))
    spans = [(grp, int(g["row"].min()), int(g["row"].max())) for grp, g in people.groupby("group", sort=True)]
    return people.set_index("staff_id"), spans


def gantt_figure(frames: PlanFrames, period: Period, names: pd.Series) -> go.Figure:
    """One row per person, grouped by their main district and role; nights and overtime marked."""
    r = frames.roster.copy()
    zone = zone_of(frames.summary)
    start, end = local_times(r["start"], zone), local_times(r["end"], zone)
    r["t0"], r["len"] = period.elapsed(start), (end - start).dt.total_seconds().to_numpy() / 3600
    r["night"] = is_night(frames, r, start, end)
    r["group"] = r["staff_id"].map(_main_place(r)) + " · " + r["role"].astype(str)
    r["who"] = r["staff_id"].map(names).fillna(r["staff_id"]).map(lambda s: html.escape(str(s)))
    people, spans = _rows(r)
    r["row"] = r["staff_id"].map(people["row"])
    # Hover text is made in the page from compact codes (SHIFT_TIPS): a few bytes per shift, not a sentence.
    r["what"] = r["shift"].map(lambda x: html.escape(str(x))) + " in " + r["district"].map(lambda x: html.escape(str(x)))
    kinds = sorted(r["what"].unique())
    r["code"] = r["what"].map({k: i for i, k in enumerate(kinds)})
    fig = go.Figure()
    for night, colour, label in ((False, BLUE, "day or evening shift"), (True, "#444444", "night shift")):
        g = r[r["night"] == night]
        fig.add_trace(go.Bar(orientation="h", base=np.round(g["t0"].to_numpy(), 2), x=compact(g["len"]),
                             y=compact(g["row"], np.int16), width=0.72, name=label,
                             meta={"kind": SHIFT_TIPS, "code": compact(g["code"], np.int16),
                                   "overtime": compact(g["overtime_hours"]), "t0": compact(g["t0"]),
                                   "len": compact(g["len"])},
                             hovertemplate="%{customdata}<extra></extra>",
                             marker=dict(color=colour, line=dict(width=0),
                                         pattern=dict(shape=np.where(g["overtime_hours"] > 0, "x", "").tolist(),
                                                      fgcolor=ORANGE, size=5, solidity=0.6, fillmode="overlay"))))
    fig.add_trace(go.Bar(orientation="h", x=[None], y=[None], name="with overtime (hatched)",
                         marker=dict(color=BLUE, pattern=dict(shape="x", fgcolor=ORANGE, size=5, solidity=0.6, fillmode="overlay"),
                                     line=dict(color=ORANGE, width=1))))
    for k, (grp, lo, hi) in enumerate(spans):
        fig.add_shape(type="rect", xref="paper", x0=0, x1=1, y0=lo - 0.5, y1=hi + 0.5, line_width=0, layer="below",
                      fillcolor="rgba(0,0,0,0.045)" if k % 2 == 0 else "rgba(0,0,0,0)")
        fig.add_annotation(xref="paper", x=1.005, y=(lo + hi) / 2, text=html.escape(grp).replace(" · ", "<br>"), showarrow=False,
                           xanchor="left", font=dict(size=11))
    base_layout(fig, height=int(13 * len(people) + 130))
    fig.update_layout(barmode="overlay", bargap=0.2, margin=dict(l=170, r=170), meta={"shift_kinds": kinds})
    fig.update_yaxes(autorange=False, showgrid=False, tickmode="array", tickvals=people["row"].tolist(),
                     ticktext=people["who"].tolist(), tickfont=dict(size=9), range=[len(people) - 0.5, -0.5])
    _time_axis(fig, period)
    return fig


def shortfall_heatmap(frames: PlanFrames, period: Period) -> go.Figure:
    """Uncovered staff-hours per district (rows) and hour of the period (columns)."""
    cov = coverage_by_district(frames, period)
    districts = list(dict.fromkeys(cov["district"]))
    n = len(period.hours)
    z = np.stack([_hourly(cov[cov["district"] == d], "shortfall", n, np.int16) for d in districts]) if districts else \
        np.zeros((0, n), dtype=np.int16)
    fig = go.Figure(go.Heatmap(z=z, x0=0.5, dx=1, y=districts, colorscale=SHORTFALL_SCALE, zmin=0,
                               zmax=max(1, int(z.max()) if z.size else 1), ygap=2, meta=HOUR_LABELS,
                               colorbar=dict(title="staff short", thickness=12),
                               hovertemplate="%{y} · %{customdata}<br>%{z} staff short<extra></extra>"))
    base_layout(fig, height=70 + 34 * len(districts))
    fig.update_layout(margin=dict(l=100))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    _time_axis(fig, period)
    return fig


def cost_figure(frames: PlanFrames, currency: str) -> go.Figure:
    """Cost by role, regular against overtime (from summary.json's split; the roster's totals when it has none)."""
    by_role = cost_by_role(frames)
    split = not by_role["overtime"].isna().all()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=by_role.index.tolist(), y=compact(by_role["regular"]), name="regular" if split else "total",
                         marker_color=BLUE, hovertemplate=f"%{{x}}: {currency}%{{y:,.0f}}<extra></extra>"))
    if split:
        fig.add_trace(go.Bar(x=by_role.index.tolist(), y=compact(by_role["overtime"]), name="overtime", marker_color=VERMILLION,
                             marker_pattern_shape="/", hovertemplate=f"%{{x}}: {currency}%{{y:,.0f}} overtime<extra></extra>"))
    base_layout(fig, height=340)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text=f"cost ({currency})", tickprefix=currency, tickformat=",.0f")
    return fig


def cost_by_role(frames: PlanFrames) -> pd.DataFrame:
    split = frames.summary.get("cost_by_role")
    if split:
        return pd.DataFrame({r: {"regular": v["regular_cost"], "overtime": v["overtime_cost"]} for r, v in split.items()}).T
    total = frames.roster.groupby("role")["cost"].sum()
    return pd.DataFrame({"regular": total, "overtime": np.nan * total})
