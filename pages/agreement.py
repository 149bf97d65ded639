"""Agreement: how far raters agree, per dimension and per rater, with uncertainty."""

import pandas as pd
import streamlit as st

from labels import agreement_report, charts, ui

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "adjudicator")
st.title("Inter-rater agreement")
st.caption(
    "Krippendorff's alpha at each dimension's level with a 95% bootstrap interval (1,000 "
    "resamples of items). Reading: α ≥ 0.800 reliable; 0.667–0.800 tentative conclusions only; "
    "below 0.667 not reliable. Not-applicable ratings are set aside."
)


@st.cache_data(ttl=30, show_spinner="Computing agreement…")
def figures(labels_seen: int) -> dict:
    return agreement_report.report(ui.workspace())["dimensions"]


dims = figures(ws.store.counts()["labels"])
if not any(d["items"] for d in dims.values()):
    st.info("No item has two labels yet.")
    st.stop()

table = pd.DataFrame(
    [
        {
            "dimension": name,
            **{k: v for k, v in d.items() if k != "alpha_ci"},
            "alpha_low": d["alpha_ci"][0],
            "alpha_high": d["alpha_ci"][1],
        }
        for name, d in dims.items()
    ]
)
st.altair_chart(
    charts.interval_bars(table, "alpha", "alpha_low", "alpha_high", "dimension"),
    width="stretch",
)
st.dataframe(
    table[
        [
            "dimension",
            "level",
            "items",
            "raters",
            "alpha",
            "alpha_low",
            "alpha_high",
            "percent_agreement",
            "fleiss_kappa",
            "gwet_ac1",
            "mean_cohen_kappa",
            "reading",
        ]
    ],
    hide_index=True,
    column_config={
        c: st.column_config.NumberColumn(format="%.3f")
        for c in (
            "alpha",
            "alpha_low",
            "alpha_high",
            "percent_agreement",
            "fleiss_kappa",
            "gwet_ac1",
            "mean_cohen_kappa",
        )
    },
)

st.subheader("Per rater")
st.caption(
    "Each rater's mean Cohen's kappa (linear weights on ordinal scales) with every other rater."
)
for col, dim in zip(st.columns(len(ws.schema.dimensions)), ws.schema.dimensions, strict=True):
    col.markdown(f"**{dim.title}**")
    col.dataframe(
        agreement_report.per_rater(ws, dim),
        hide_index=True,
        column_config={
            "mean_kappa_with_others": st.column_config.NumberColumn("κ with others", format="%.2f")
        },
    )

st.subheader("Over time")
st.caption("Alpha on every label made up to the end of each day (latest label per rater).")
trend = pd.concat(
    [agreement_report.over_time(ws, dim).assign(dimension=dim.name) for dim in ws.schema.dimensions]
)
if trend.empty:
    st.caption("No labels yet.")
else:
    st.altair_chart(charts.over_time(trend, "period", "alpha", "dimension"), width="stretch")
