"""Altair chart builders: DataFrames in, charts out (no Streamlit here)."""

from __future__ import annotations

import altair as alt
import pandas as pd

READINGS = pd.DataFrame(
    {"x": [0.667, 0.8], "label": ["0.667: tentative above", "0.800: reliable above"]}
)
"""Krippendorff's reading of alpha, drawn as labelled dashed lines."""


def fitted(
    values: pd.Series | list[float], also: tuple[float, ...] = (), pad: float = 0.05
) -> alt.Scale:
    """An x or y scale from just below the smallest to just above the largest of `values`
    and `also` (reference lines that must show), within [-1, 1]."""
    finite = [float(v) for v in [*values, *also] if pd.notna(v)]
    if not finite:
        return alt.Scale(domain=[0.0, 1.0])
    low, high = max(-1.0, min(finite) - pad), min(1.0, max(finite) + pad)
    return alt.Scale(domain=[round(low, 2), round(high, 2)], nice=False)


def agreement_intervals(table: pd.DataFrame) -> alt.LayerChart:
    """Krippendorff's alpha per dimension with its 95% interval, in the table's order, on a
    scale fitted to the figures, with the 0.667 and 0.800 readings labelled.

    `table` has columns dimension, items, alpha, alpha_low, alpha_high.
    """
    order = table["dimension"].tolist()
    x = fitted(pd.concat([table["alpha"], table["alpha_low"], table["alpha_high"]]), (0.667, 0.8))
    base = alt.Chart(table).encode(
        y=alt.Y("dimension:N", title="dimension", sort=order),
        tooltip=[
            alt.Tooltip("dimension:N"),
            alt.Tooltip("items:Q", title="items with two or more ratings"),
            alt.Tooltip("alpha:Q", title="α", format=".3f"),
            alt.Tooltip("alpha_low:Q", title="95% CI low", format=".3f"),
            alt.Tooltip("alpha_high:Q", title="95% CI high", format=".3f"),
        ],
    )
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("alpha_low:Q", scale=x, title="Krippendorff's α with its 95% interval"),
        x2="alpha_high:Q",
    )
    point = base.mark_point(filled=True, size=80).encode(x=alt.X("alpha:Q", scale=x))
    chart: alt.LayerChart = (rule + point + _reading_lines(x)).properties(
        height=40 * max(len(table), 1) + 40
    )
    return chart


def _reading_lines(x: alt.Scale) -> alt.LayerChart:
    lines = alt.Chart(READINGS).encode(x=alt.X("x:Q", scale=x))
    dashed = lines.mark_rule(strokeDash=[4, 4], color="gray")
    text = lines.mark_text(align="left", dx=3, dy=-4, color="gray", baseline="bottom").encode(
        text="label:N", y=alt.value(0)
    )
    layered: alt.LayerChart = dashed + text
    return layered


def agreement_over_time(trend: pd.DataFrame) -> alt.LayerChart:
    """Alpha per dimension at the end of each day, with its 95% interval (where there is
    one) and how many items it rests on.

    `trend` has columns period, dimension, items, alpha, alpha_low, alpha_high.
    """
    y = fitted(pd.concat([trend["alpha"], trend["alpha_low"], trend["alpha_high"]]))
    base = alt.Chart(trend).encode(
        x=alt.X("period:T", title="day (labels up to its end)"),
        color=alt.Color("dimension:N", title="dimension"),
        tooltip=[
            alt.Tooltip("period:T", title="day"),
            alt.Tooltip("dimension:N"),
            alt.Tooltip("items:Q", title="items with two or more ratings"),
            alt.Tooltip("alpha:Q", title="α", format=".3f"),
            alt.Tooltip("alpha_low:Q", title="95% CI low", format=".3f"),
            alt.Tooltip("alpha_high:Q", title="95% CI high", format=".3f"),
        ],
    )
    line = base.mark_line(point=True).encode(
        y=alt.Y("alpha:Q", scale=y, title="Krippendorff's α (95% interval)")
    )
    bars = base.mark_errorbar(ticks=True).encode(
        y=alt.Y("alpha_low:Q", scale=y, title="Krippendorff's α (95% interval)"), y2="alpha_high:Q"
    )
    counts = base.mark_text(dy=-12, fontSize=10).encode(
        y=alt.Y("alpha:Q", scale=y), text=alt.Text("items:Q", format=",")
    )
    chart: alt.LayerChart = (bars + line + counts).properties(height=260)
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
        y=alt.Y("label:N", title="grader · dimension", sort=None, axis=alt.Axis(labelLimit=360))
    )
    scale = fitted(
        pd.concat([frame["kappa"], frame["kappa_low"], frame["kappa_high"], frame["human_kappa"]])
    )
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("kappa_low:Q", scale=scale, title="Cohen's κ against the reference"),
        x2="kappa_high:Q",
    )
    point = base.mark_point(filled=True, size=80).encode(
        x=alt.X("kappa:Q", scale=scale),
        tooltip=["label:N", "kappa:Q", "kappa_low:Q", "kappa_high:Q"],
    )
    humans = base.mark_tick(color="#d62728", thickness=3, size=22).encode(
        x=alt.X("human_kappa:Q", scale=scale),
        tooltip=[alt.Tooltip("human_kappa:Q", title="raters among themselves")],
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
