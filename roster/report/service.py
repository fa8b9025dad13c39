"""What residents get: the simulated share of calls reached within the target and the minutes to
first contact per district, against the target and the Erlang C prediction, and the equity gap in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from roster.report.frames import PlanFrames
from roster.report.style import BLACK, BLUE, ORANGE, SKY, VERMILLION, base_layout, compact


def districts_of(simulation: pd.DataFrame) -> pd.DataFrame:
    return simulation[simulation["district"].astype(str) != "ALL"].reset_index(drop=True)


def target_of(summary: dict) -> tuple[float | None, float | None]:
    """(target minutes, target share) from summary.json's ``service_target``, or Nones."""
    t = summary.get("service_target") or {}
    return t.get("target_minutes"), t.get("target_share")


def service_figure(frames: PlanFrames) -> go.Figure:
    """Left: share within target (simulated, with its interval, and Erlang C's prediction); right: minutes to contact."""
    sim = districts_of(frames.simulation)
    minutes, share = target_of(frames.summary)
    erlang = frames.summary.get("erlang_expected_service_level") or {}
    names = sim["district"].astype(str).tolist()
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("share of calls reached within the target", "minutes to first contact"))
    err = None
    if {"share_ci_low", "share_ci_high"} <= set(sim.columns):
        err = dict(type="data", symmetric=False, array=compact(sim["share_ci_high"] - sim["share_within_target"]),
                   arrayminus=compact(sim["share_within_target"] - sim["share_ci_low"]), color=BLACK, thickness=1)
    fig.add_trace(go.Bar(x=names, y=compact(sim["share_within_target"]), error_y=err, name="simulated", marker_color=BLUE,
                         hovertemplate="%{x}: %{y:.1%} simulated<extra></extra>"), row=1, col=1)
    predicted = [erlang.get(d) for d in names]
    if any(p is not None for p in predicted):
        fig.add_trace(go.Scatter(x=names, y=[np.nan if p is None else p for p in predicted], mode="markers",
                                 name="Erlang C prediction", marker=dict(symbol="diamond", size=11, color=ORANGE,
                                                                          line=dict(color=BLACK, width=1)),
                                 hovertemplate="%{x}: %{y:.1%} Erlang C<extra></extra>"), row=1, col=1)
    if share is not None:
        fig.add_hline(y=share, line=dict(color=VERMILLION, dash="dash", width=2), row=1, col=1,
                      annotation_text=f"target {share:.0%}", annotation_position="bottom right")
    fig.add_trace(go.Bar(x=names, y=compact(sim["mean_minutes_to_contact"]), name="mean minutes", marker_color=SKY,
                         hovertemplate="%{x}: mean %{y:.1f} min<extra></extra>"), row=1, col=2)
    if "p90_minutes_to_contact" in sim:
        fig.add_trace(go.Bar(x=names, y=compact(sim["p90_minutes_to_contact"]), name="90th percentile minutes",
                             marker_color=BLUE, marker_pattern_shape=".",
                             hovertemplate="%{x}: 90 % reached within %{y:.1f} min<extra></extra>"), row=1, col=2)
    if minutes is not None:
        fig.add_hline(y=minutes, line=dict(color=VERMILLION, dash="dash", width=2), row=1, col=2,
                      annotation_text=f"target {minutes:g} min", annotation_position="top right")
    low = min(0.5, float(sim["share_within_target"].min()) - 0.05) if len(sim) else 0.5
    base_layout(fig, height=400)
    fig.update_layout(barmode="group", legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
                      margin=dict(b=80))
    fig.update_yaxes(range=[low, 1.0], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", title_text="minutes", row=1, col=2)
    return fig


def equity_words(frames: PlanFrames) -> str:
    """The gap between the best- and worst-served district, in one or two sentences."""
    sim = districts_of(frames.simulation)
    if sim.empty:
        return "The simulation has no district rows."
    minutes, share = target_of(frames.summary)
    within = f"within {minutes:g} minutes" if minutes is not None else "within the target"
    best = sim.loc[sim["share_within_target"].idxmax()]
    worst = sim.loc[sim["share_within_target"].idxmin()]
    gap = 100 * (best["share_within_target"] - worst["share_within_target"])
    text = (f"{best['district']} is best served: {best['share_within_target']:.1%} of its calls get a team {within}. "
            f"{worst['district']} is served worst: {worst['share_within_target']:.1%}, "
            f"a gap of {gap:.1f} percentage points between districts.")
    if share is not None:
        below = sim[sim["share_within_target"] < share]["district"].astype(str).tolist()
        text += (f" Every district meets the target of {share:.0%}." if not below else
                 f" Below the target of {share:.0%}: {', '.join(below)}.")
    return text


def cost_per_call(frames: PlanFrames) -> pd.DataFrame:
    """Cost of the shifts worked in each district per call expected there (forecast mean, else simulated calls)."""
    cost = frames.roster.groupby("district")["cost"].sum()
    if frames.forecast is not None and "mean" in frames.forecast:
        calls, source = frames.forecast.groupby("district")["mean"].sum(), "forecast"
    elif frames.simulation is not None:
        sim = districts_of(frames.simulation)
        calls, source = sim.set_index("district")["calls"], "simulated"
    else:
        return pd.DataFrame()
    out = pd.DataFrame({"cost": cost, "calls": calls}).fillna(0.0)
    out.loc["ALL"] = out.sum()
    out["per_call"] = np.where(out["calls"] > 0, out["cost"] / out["calls"].where(out["calls"] > 0, 1), np.nan)
    out.attrs["source"] = source
    return out
