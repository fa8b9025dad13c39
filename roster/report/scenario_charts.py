"""Scenario results: cost against service per scenario and per district, and the budget frontier."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from roster.report.style import BLUE, ORANGE, PALETTE, VERMILLION, base_layout, compact

FRONTIER_TABLE = ("point", "sweep", "budget_cap", "target_share", "status", "total_cost", "share_within_target",
                  "worst_district", "worst_district_share", "shortfall_hours", "note")


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
    if with_cost:  # the legend above the two subplot titles, not over them
        fig.update_layout(margin=dict(t=75), legend=dict(y=1.09))
    low = max(0.0, float(dist["share_within_target"].min()) - 0.05) if len(dist) else 0.0
    fig.update_yaxes(tickformat=".0%", range=[low, 1.0], row=1, col=1)
    if with_cost:
        fig.update_yaxes(tickprefix=currency, tickformat=",.0f", rangemode="tozero", row=1, col=2)
    return fig


def _frontier_tip(row: pd.Series, currency: str) -> str:
    what = (f"cap {currency}{row['budget_cap']:,.0f}" if pd.notna(row.get("budget_cap")) else
            f"target share {row['target_share']:.0%}" if pd.notna(row.get("target_share")) else "")
    worst = f"<br>worst: {html.escape(str(row['worst_district']))}" if pd.notna(row.get("worst_district")) else ""
    status = f" ({html.escape(str(row['status']))})" if pd.notna(row.get("status")) else ""
    return f"{html.escape(str(row.get('point', '')))}{status}<br>{html.escape(what)}{worst}"


def frontier_points(front: pd.DataFrame) -> pd.DataFrame:
    """The points with a roster (cost and service known), cheapest first."""
    ok = front.dropna(subset=["total_cost", "share_within_target"])
    return ok.sort_values(["total_cost", "share_within_target"], kind="stable")


def frontier_figure(front: pd.DataFrame, currency: str) -> go.Figure:
    """What each point of the sweep costs against the service it buys, city-wide and in the worst district."""
    f = frontier_points(front)
    tips = [_frontier_tip(row, currency) for _, row in f.iterrows()]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=compact(f["total_cost"]), y=compact(f["share_within_target"]), mode="lines+markers",
                             name="all calls", line=dict(color=BLUE, width=2), customdata=tips,
                             hovertemplate=f"%{{customdata}}<br>costs {currency}%{{x:,.0f}}<br>%{{y:.1%}} within target"
                                           "<extra></extra>"))
    fig.add_trace(go.Scatter(x=compact(f["total_cost"]), y=compact(f["worst_district_share"]), mode="lines+markers",
                             name="worst-served district", line=dict(color=ORANGE, width=2, dash="dash"),
                             marker=dict(symbol="triangle-down"), customdata=tips,
                             hovertemplate="%{customdata}<br>worst district %{y:.1%}<extra></extra>"))
    base_layout(fig, height=380)
    fig.update_xaxes(title_text=f"cost of the week's roster ({currency})", tickprefix=currency, tickformat=",.0f")
    fig.update_yaxes(title_text="share within target", tickformat=".0%")
    return fig
