"""Agreement: how far raters agree, per dimension and per rater, with uncertainty."""

import pandas as pd
import streamlit as st

from labels import agreement_report, charts, ui

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "adjudicator")
st.title("Inter-rater agreement")
st.caption(
    "Krippendorff's alpha at each dimension's level, Fleiss' kappa and mean pairwise Cohen's "
    "kappa (unweighted: any two different values disagree fully), each "
    "with a 95% BCa bootstrap interval (1,000 resamples of items); with fewer than 12 ratings "
    "outside the most common value no interval is shown (none held its 95% in simulation). "
    "Reading: α ≥ 0.800 reliable; 0.667–0.800 tentative conclusions only; "
    "below 0.667 not reliable. Not-applicable ratings are set aside."
)


@st.cache_data(ttl=30, show_spinner="Computing agreement…")
def figures(labels_seen: int) -> agreement_report.AgreementReport:
    return agreement_report.report(ui.workspace())


result = figures(ws.store.counts()["labels"])
if not result.any_pairs():
    st.info("No item has two labels yet.")
    st.stop()

table = result.table()
for name, d in result.dimensions.items():
    if d.ci_note:
        st.caption(f"{name}: no interval. {d.ci_note}.")
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
            "fleiss_kappa_low",
            "fleiss_kappa_high",
            "gwet_ac1",
            "mean_cohen_kappa",
            "mean_cohen_kappa_low",
            "mean_cohen_kappa_high",
            "reading",
        ]
    ],
    hide_index=True,
    column_config={
        **{
            c: st.column_config.NumberColumn(format="%.3f")
            for c in (
                "alpha",
                "alpha_low",
                "alpha_high",
                "percent_agreement",
                "fleiss_kappa",
                "fleiss_kappa_low",
                "fleiss_kappa_high",
                "gwet_ac1",
            )
        },
        "mean_cohen_kappa": st.column_config.NumberColumn(
            "mean Cohen's κ (unweighted)", format="%.3f"
        ),
        "mean_cohen_kappa_low": st.column_config.NumberColumn("κ (unweighted) low", format="%.3f"),
        "mean_cohen_kappa_high": st.column_config.NumberColumn(
            "κ (unweighted) high", format="%.3f"
        ),
    },
)

st.subheader("Per rater")
st.caption(
    "Each rater's mean Cohen's kappa with every other rater: linear weights on ordinal scales "
    "(a neighbouring value counts as partial agreement, so it reads higher than the unweighted "
    "mean Cohen's κ above), unweighted on nominal ones."
)
for col, dim in zip(st.columns(len(ws.schema.dimensions)), ws.schema.dimensions, strict=True):
    col.markdown(f"**{dim.title}**")
    col.dataframe(
        agreement_report.per_rater(ws, dim),
        hide_index=True,
        column_config={
            "mean_kappa_with_others": st.column_config.NumberColumn(
                "κ with others (linear weights)"
                if dim.level == "ordinal"
                else "κ with others (unweighted)",
                format="%.2f",
            )
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
