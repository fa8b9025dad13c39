"""Scenario results: cost against service per scenario and per district, and the budget frontier."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from roster.report.style import BLUE, ORANGE, PALETTE, VERMILLION, base_layout, compact

FRONTIER_KEYS = ("budget", "total_cost", "share_within_target", "worst_district_share")


def scenario_figure(scen: pd.DataFrame, currency: str) -> go.Figure:
    """Each scenario as a point: total cost against the share within target (all calls and the worst district)."""
    s = scen.dropna(subset=["total_cost", "share_within_target"])
    labels = [html.escape(str(x)) for x in s["scenario"]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=compact(s["total_cost"]), y=compact(s["share_within_target"]), mode="markers+text",
                             text=labels, textposition="top center", name="all calls",
                             marker=dict(size=11, color=BLUE, symbol="circle"),
                             hovertemplate=f"%{{text}}<br>{currency}%{{x:,.0f}}<br>%{{y:.1%}} within target<extra></extra>"))
    if "worst_district_share" in s:
        fig.add_trace(go.Scatter(x=compact(s["total_cost"]), y=compact(s["worst_district_share"]), mode="markers",
                                 text=labels, name="worst-served district",
                                 marker=dict(size=10, color=VERMILLION, symbol="triangle-down"),
                                 hovertemplate="%{text}<br>worst district %{y:.1%}<extra></extra>"))
    base_layout(fig, height=420)
    fig.update_xaxes(title_text=f"total cost ({currency})", tickprefix=currency, tickformat=",.0f")
    fig.update_yaxes(title_text="share within target", tickformat=".0%")
    return fig


def scenario_district_figure(dist: pd.DataFrame, currency: str) -> go.Figure:
    """Per district, one bar per scenario: the share within target and, when the file has it, the cost."""
    with_cost = "cost" in dist.columns and dist["cost"].notna().any()
    fig = make_subplots(rows=1, cols=2 if with_cost else 1, horizontal_spacing=0.1,
                        subplot_titles=("share within target", f"cost ({currency})") if with_cost else None)
    for i, (name, g) in enumerate(dist.groupby("scenario", sort=False)):
        label, colour = html.escape(str(name)), PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Bar(x=g["district"].astype(str).tolist(), y=compact(g["share_within_target"]), name=label,
                             marker_color=colour, legendgroup=label,
                             hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>"), row=1, col=1)
        if with_cost:
            fig.add_trace(go.Bar(x=g["district"].astype(str).tolist(), y=compact(g["cost"]), name=label, showlegend=False,
                                 marker_color=colour, legendgroup=label,
                                 hovertemplate=f"%{{x}}: {currency}%{{y:,.0f}}<extra>{label}</extra>"), row=1, col=2)
    base_layout(fig, height=400)
    fig.update_layout(barmode="group")
    low = max(0.0, float(dist["share_within_target"].min()) - 0.05) if len(dist) else 0.0
    fig.update_yaxes(tickformat=".0%", range=[low, 1.0], row=1, col=1)
    if with_cost:
        fig.update_yaxes(tickprefix=currency, tickformat=",.0f", rangemode="tozero", row=1, col=2)
    return fig


def frontier_figure(front: pd.DataFrame, currency: str) -> go.Figure:
    """Service bought at each budget: the share within target, overall and in the worst district."""
    f = front.sort_values("budget")
    params = [c for c in f.columns if c not in FRONTIER_KEYS]
    tips = [" · ".join(f"{html.escape(str(c))} {html.escape(str(v))}" for c, v in zip(params, row)) for row in
            f[params].itertuples(index=False)] if params else [""] * len(f)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=compact(f["budget"]), y=compact(f["share_within_target"]), mode="lines+markers",
                             name="all calls", line=dict(color=BLUE, width=2), customdata=tips,
                             hovertemplate=f"budget {currency}%{{x:,.0f}}<br>%{{y:.1%}} within target<br>%{{customdata}}"
                                           "<extra></extra>"))
    fig.add_trace(go.Scatter(x=compact(f["budget"]), y=compact(f["worst_district_share"]), mode="lines+markers",
                             name="worst-served district", line=dict(color=ORANGE, width=2, dash="dash"),
                             marker=dict(symbol="triangle-down"),
                             hovertemplate="worst district %{y:.1%}<extra></extra>"))
    base_layout(fig, height=380)
    fig.update_xaxes(title_text=f"budget ({currency})", tickprefix=currency, tickformat=",.0f")
    fig.update_yaxes(title_text="share within target", tickformat=".0%")
    return fig
