"""The report's look: a colour-blind-safe palette (Okabe-Ito), one small Plotly layout, and the page's CSS."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency and in greyscale.
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK]
GRID = "#dddddd"
# Shortfall: white where none, through orange to vermillion and near-black at the worst hour.
SHORTFALL_SCALE = [[0.0, "#ffffff"], [1e-9, "#fbe3c4"], [0.5, ORANGE], [0.85, VERMILLION], [1.0, "#3b1200"]]


def base_layout(fig: go.Figure, *, height: int, title: str | None = None) -> go.Figure:
    """No Plotly template (it would be copied into every chart); fonts, grid and colours set once here."""
    # ticklabeloverflow="allow": Plotly then skips checking each tick label against the plot's edge, which
    # costs more than drawing the roster's hundred names.
    axis = dict(gridcolor=GRID, linecolor="#888888", zeroline=False, ticks="outside", tickcolor="#888888",
                ticklabeloverflow="allow")
    fig.update_layout(template="none", height=height, colorway=PALETTE, paper_bgcolor="white", plot_bgcolor="white",
                      font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=12, color="#222222"),
                      margin=dict(l=70, r=30, t=40 if title else 20, b=50), title=title,
                      legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
                      hoverlabel=dict(font_size=12))
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    return fig


def compact(values, dtype=np.float32) -> np.ndarray:
    """A numeric column as a small typed array (Plotly embeds it base64-encoded, not as decimal text)."""
    return np.asarray(values, dtype=dtype)


CSS = """
:root { --ink: #222; --muted: #555; --rule: #ddd; --accent: #0072B2; --warn: #D55E00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1280px; padding: 0 24px 48px; }
header { border-bottom: 3px solid var(--accent); padding: 18px 0 10px; margin-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 6px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 15px; margin: 18px 0 4px; }
.meta { color: var(--muted); margin: 0; }
nav { position: sticky; top: 0; background: #fff; padding: 6px 0; border-bottom: 1px solid var(--rule); z-index: 5; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; white-space: nowrap; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card b { display: block; font-size: 20px; } .card span { color: var(--muted); font-size: 12px; }
.card.warn { border-color: var(--warn); } .card.warn b { color: var(--warn); }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; padding-right: 14px; font-variant-numeric: tabular-nums; }
p.words { max-width: 60em; } .note { color: var(--muted); font-size: 12px; max-width: 60em; }
ul.explain { max-width: 70em; padding-left: 18px; } ul.explain li { margin: 2px 0; }
.chart { width: 100%; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 11px; }
  nav, .modebar-container { display: none !important; }
  section { break-inside: avoid-page; } h2 { break-after: avoid; }
  .chart { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
