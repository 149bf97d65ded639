"""Agreement: how far raters agree, per dimension and over time, with uncertainty."""

import streamlit as st

from labels import charts, ui
from labels.ui import cached

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

key = cached.version(ws)
figures = cached.on_page(cached.agreement, ws, key, what="agreement figures")
result = figures.report
if not result.any_pairs():
    st.info("No item has two labels yet.")
    st.stop()

table = result.table()
for name, d in result.dimensions.items():
    if d.ci_note:
        st.caption(f"{name}: no interval. {d.ci_note}.")
st.altair_chart(charts.agreement_intervals(table), width="stretch")
FIGURES = [
    *("alpha", "alpha_low", "alpha_high", "percent_agreement"),
    *("fleiss_kappa", "fleiss_kappa_low", "fleiss_kappa_high", "gwet_ac1"),
    *("mean_cohen_kappa", "mean_cohen_kappa_low", "mean_cohen_kappa_high"),
]
ui.dataframe(
    table[["dimension", "level", "items", "raters", *FIGURES, "reading"]],
    hide_index=True,
    formats=dict.fromkeys(FIGURES, "%.3f"),
    column_config={
        "alpha": st.column_config.NumberColumn("α", format="%.3f"),
        "alpha_low": st.column_config.NumberColumn("α low", format="%.3f"),
        "alpha_high": st.column_config.NumberColumn("α high", format="%.3f"),
        "percent_agreement": st.column_config.NumberColumn("agreement", format="percent"),
        "fleiss_kappa": st.column_config.NumberColumn("Fleiss κ", format="%.3f"),
        "fleiss_kappa_low": st.column_config.NumberColumn("Fleiss κ low", format="%.3f"),
        "fleiss_kappa_high": st.column_config.NumberColumn("Fleiss κ high", format="%.3f"),
        "gwet_ac1": st.column_config.NumberColumn("Gwet's AC1", format="%.3f"),
        "mean_cohen_kappa": st.column_config.NumberColumn(
            "mean Cohen's κ (unweighted)", format="%.3f"
        ),
        "mean_cohen_kappa_low": st.column_config.NumberColumn("κ (unweighted) low", format="%.3f"),
        "mean_cohen_kappa_high": st.column_config.NumberColumn(
            "κ (unweighted) high", format="%.3f"
        ),
    },
)

st.page_link(
    "pages/raters.py",
    label="Each rater's agreement with the others and with gold is on the Raters page.",
    icon=":material/groups:",
)

st.subheader("Over time")
st.caption(
    "α on every label made up to the end of each day (each rater's latest label then), with "
    "how many items had two or more ratings that day. Hover a point for its numbers."
)
trend = figures.over_time
if trend.empty:
    st.caption("No labels yet.")
else:
    st.altair_chart(charts.agreement_over_time(trend), width="stretch")
