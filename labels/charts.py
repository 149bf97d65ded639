"""Altair chart builders: DataFrames in, charts out (no Streamlit here)."""

from __future__ import annotations

import altair as alt
import pandas as pd


def interval_bars(frame: pd.DataFrame, value: str, low: str, high: str, by: str) -> alt.LayerChart:
    """Point estimates with their confidence intervals, one row per `by`."""
    base = alt.Chart(frame).encode(y=alt.Y(f"{by}:N", title=None))
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X(f"{low}:Q", scale=alt.Scale(domain=[-0.2, 1.0]), title=value), x2=f"{high}:Q"
    )
    point = base.mark_point(filled=True, size=80).encode(x=f"{value}:Q")
    marks = pd.DataFrame({"x": [0.667, 0.8]})
    lines = alt.Chart(marks).mark_rule(strokeDash=[4, 4], color="gray").encode(x="x:Q")
    chart: alt.LayerChart = (rule + point + lines).properties(height=40 * max(len(frame), 1) + 20)
    return chart


def over_time(frame: pd.DataFrame, x: str, y: str, color: str) -> alt.Chart:
    """A line per `color` over `x`."""
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(x=alt.X(f"{x}:T"), y=alt.Y(f"{y}:Q"), color=f"{color}:N")
        .properties(height=220)
    )
    return chart
