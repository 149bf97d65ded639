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


def reliability_diagram(frame: pd.DataFrame) -> alt.LayerChart:
    """Mean grader score against the observed share of `yes` per score bin, sized by items,
    with the diagonal a perfectly calibrated grader would sit on.

    `frame` has columns mean_score, observed, items (`calibration.reliability_table`).
    """
    unit = alt.Scale(domain=[0.0, 1.0])
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x=alt.X("x:Q", scale=unit), y=alt.Y("y:Q", scale=unit))
    )
    base = alt.Chart(frame).encode(
        x=alt.X("mean_score:Q", scale=unit, title="grader score (normalised 0–1), bin mean"),
        y=alt.Y("observed:Q", scale=unit, title="share the humans call yes"),
        tooltip=["mean_score:Q", "observed:Q", "items:Q"],
    )
    line = base.mark_line()
    points = base.mark_circle().encode(size=alt.Size("items:Q", title="items"))
    chart: alt.LayerChart = (diagonal + line + points).properties(height=260)
    return chart


def kappa_beside_humans(frame: pd.DataFrame) -> alt.LayerChart:
    """Each grader's kappa with its 95% CI (bars) and the raters' own mean pairwise kappa
    on the same dimension (a tick): is the grader within human noise?

    `frame` has columns label, kappa, kappa_low, kappa_high, human_kappa.
    """
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    )
    scale = alt.Scale(domain=[-0.2, 1.0])
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("kappa_low:Q", scale=scale, title="Cohen's κ against the reference"),
        x2="kappa_high:Q",
    )
    point = base.mark_point(filled=True, size=80).encode(
        x="kappa:Q", tooltip=["label:N", "kappa:Q", "kappa_low:Q", "kappa_high:Q"]
    )
    humans = base.mark_tick(color="#d62728", thickness=3, size=22).encode(
        x="human_kappa:Q", tooltip=[alt.Tooltip("human_kappa:Q", title="raters among themselves")]
    )
    chart: alt.LayerChart = (rule + point + humans).properties(height=34 * max(len(frame), 1) + 30)
    return chart


def rater_days(frame: pd.DataFrame, y: str, title: str) -> alt.Chart:
    """A line per rater over UTC days (`raters.RatersReport.days`), with the items behind
    each point in the tooltip."""
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title="day (UTC)", axis=alt.Axis(format="%b %d", tickCount="day")),
            y=alt.Y(f"{y}:Q", title=title),
            color=alt.Color("rater:N", title="rater"),
            tooltip=[
                alt.Tooltip("rater:N"),
                alt.Tooltip("day:T", title="day"),
                alt.Tooltip("items:Q", title="items labeled"),
                alt.Tooltip(f"{y}:Q", title=title, format=".2f"),
            ],
        )
        .properties(height=220)
    )
    return chart


def gold_share_days(frame: pd.DataFrame) -> alt.LayerChart:
    """Each rater's daily share agreeing with gold, with its 95% interval and count."""
    base = alt.Chart(frame).encode(
        x=alt.X("day:T", title="day (UTC)", axis=alt.Axis(format="%b %d", tickCount="day")),
        color=alt.Color("rater:N", title="rater"),
    )
    rule = base.mark_rule().encode(
        y=alt.Y(
            "gold_low:Q",
            title="share of labels agreeing with gold",
            scale=alt.Scale(domain=[0.0, 1.0]),
        ),
        y2="gold_high:Q",
    )
    points = base.mark_point(filled=True).encode(
        y="gold_agreement:Q",
        size=alt.Size("gold_compared:Q", title="labels compared"),
        tooltip=[
            "rater:N",
            "day:T",
            "gold_compared:Q",
            alt.Tooltip("gold_agreement:Q", format=".0%"),
        ],
    )
    chart: alt.LayerChart = (rule + points).properties(height=220)
    return chart


def corrected_rates(frame: pd.DataFrame) -> alt.LayerChart:
    """Per group: the grader's raw rate (red diamond) and the corrected rate with its 95% CI
    (blue dot and bar), with the number of human labels behind it at the right.

    `frame` has columns group, grader rate, corrected, low, high, human labels
    (`rates.table`).
    """
    data = frame.assign(
        labels_text=[f"n = {n}" for n in frame["human labels"]],
        grader_rate=frame["grader rate"],
    )
    unit = alt.Scale(domain=[0.0, 1.0])
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    )
    tips = ["group:N", "grader rate:Q", "corrected:Q", "low:Q", "high:Q", "human labels:Q"]
    bar = base.mark_rule(strokeWidth=3, color="#1f77b4").encode(
        x=alt.X(
            "low:Q",
            scale=unit,
            title="corrected rate ● with its 95% CI · the grader's raw rate ◇ · n human labels",
            axis=alt.Axis(format="%"),
        ),
        x2="high:Q",
        tooltip=tips,
    )
    dot = base.mark_point(filled=True, size=90, color="#1f77b4", opacity=1).encode(
        x="corrected:Q", tooltip=tips
    )
    raw = base.mark_point(shape="diamond", size=110, color="#d62728", strokeWidth=2).encode(
        x="grader_rate:Q", tooltip=tips
    )
    text = base.mark_text(align="left", dx=12, color="gray").encode(
        x=alt.datum(1.0), text="labels_text:N"
    )
    chart: alt.LayerChart = (bar + dot + raw + text).properties(
        height=30 * max(len(frame), 1) + 40, padding={"left": 10, "right": 60}
    )
    return chart
