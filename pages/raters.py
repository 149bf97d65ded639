"""Raters: per person, what they have done and how far they agree with the others and gold."""

import streamlit as st

from labels import charts, raters, ui
from labels.ui import cached

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "adjudicator")
st.title("Raters")
threshold = ws.schema.project.gold_agreement_min
st.caption(
    "Items each person labeled, the median time they took per item (from their first label "
    "on it), items skipped and flagged for discussion. **Agreement with gold**: the share of "
    "their labels that match gold, with a 95% Clopper–Pearson interval, counted only where "
    "their own label did not make the gold: adjudicated and audit gold, and gold that stood "
    "before they labeled (gold checks); a consensus they voted in is left out. "
    f"A rater is flagged when they agree with gold on less than {threshold:.0%} of at least "
    f"{raters.MIN_GOLD} labels (the project's `gold_agreement_min` under `[project]` in "
    "data/schema.toml; the default is 80%). **Gold checks**: items with gold sent, blind, to "
    "raters who never had them (waiting: not given out yet); an admin sends more on the Admin "
    "page (Gold checks) or with `python -m labels gold-check --per-rater N`."
)


result = cached.on_page(cached.raters, ws, ws.store.activity_version(), what="raters' figures")
if not result.raters:
    st.info("No one has labeled anything yet.")
    st.stop()
for person in result.flagged():
    st.warning(raters.flag_sentence(person, threshold), icon=":material/flag:")
st.dataframe(raters.summary(result), hide_index=True)

st.subheader("Agreement with the other raters")
st.caption(
    "Each rater's mean Cohen's kappa (unweighted: any two different values disagree fully) "
    "with each other rater on the items they share, with a 95% BCa interval over items; with "
    "fewer than 12 ratings outside the most common value, or fewer than 30 shared items, "
    "there is no interval (none held its 95% in simulation)."
)
st.dataframe(raters.kappa_table(result, ws.schema.names), hide_index=True)

st.subheader("Over time")
if result.days.empty:
    st.caption("No labels yet.")
else:
    st.altair_chart(
        charts.rater_days(result.days, "items", "items labeled that day"), width="stretch"
    )
    st.altair_chart(
        charts.rater_days(result.days, "median_seconds", "median seconds per item"),
        width="stretch",
    )
    gold_days = result.days[result.days["gold_compared"] > 0]
    if gold_days.empty:
        st.caption("No labels beside gold they did not make yet, so no agreement with gold by day.")
    else:
        st.altair_chart(charts.gold_share_days(gold_days), width="stretch")
