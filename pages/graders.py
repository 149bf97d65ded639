"""Graders: how far each automated grader is from gold, where it goes wrong, and audits."""

import pandas as pd
import streamlit as st

from labels import charts, render, ui
from labels.graders import audit, calibration, rates
from labels.graders import map as grader_map
from labels.graders import views as grader_views
from labels.graders.map import GraderMap
from labels.graders.views import fmt
from labels.ui import cached

ws = ui.workspace()
me = st.session_state["rater"]
ui.require_role(me, "adjudicator")
st.title("Graders against gold")
st.caption(
    "Reference per item: its gold value (or, if you choose, gold where it exists, else the "
    "raters' strict majority, ties left out). Ordinal dimensions are compared as yes/no "
    "through the schema's projection (harmful = yes) and, where the grader gives a value of "
    "the scale, on the full scale too. Precision, recall and F1: exact (Clopper–Pearson) 95% "
    "intervals; κ and AC1: 95% BCa bootstrap intervals over items (1,000 resamples), none "
    "when either side says yes fewer than 5 times (AC1: or below 100 items)."
)

runs = ws.store.graders()
if runs.empty:
    st.info("No grader verdicts yet. They arrive with ingest or `python -m labels import-grader`.")
    st.stop()

try:
    gmap = ws.grader_map
except ValueError as exc:
    st.warning(
        render.escape_markdown(f"{grader_map.path()} could not be read, so defaults apply: {exc}")
    )
    gmap = GraderMap()


reference = st.segmented_control(
    "Reference",
    list(calibration.REFERENCES),
    default="gold",
    format_func=lambda r: "gold, else raters' majority" if r == "gold+majority" else str(r),
    key="reference",
)
version, gmap_text = cached.version(ws), grader_map.dumps(gmap)
table, comp = cached.on_page(
    cached.graders, ws, version, gmap_text, reference or "gold", what="grader figures"
)
if table.empty:
    st.info("No grader verdict answers a dimension of the schema yet; see the Mapping tab.")

summary_tab, detail_tab, browse_tab, audit_tab, map_tab, rates_tab = st.tabs(
    ["Summary", "One grader", "Disagreements", "Audits", "Mapping", "Rates"],
    key="graders-tab",
    on_change="rerun",
)

with summary_tab:
    if summary_tab.open:  # only the tab shown runs (st.tabs on_change="rerun")
        view = grader_views.summary_view(table)
        ui.dataframe(
            view,
            hide_index=True,
            formats={
                c: "percent" if c.endswith("say yes") or c.endswith("says yes") else "%.3f"
                for c in view.columns
                if c not in ("grader", "dimension", "items", "reference", "scale items")
            },
        )
        st.caption(
            "κ: Cohen's kappa against the reference on yes/no (unweighted); humans κ: the raters' "
            "mean pairwise Cohen's kappa on the same dimension (yes/no, unweighted). AC1: Gwet's "
            "AC1. Says yes: how often each side says yes (leniency). Best threshold: the score cut "
            "with the highest κ, on the grader's own scale. Scale κ and humans scale κ: kappa on "
            "the full scale, linear weights on ordinal dimensions, unweighted on nominal ones."
        )
        rows = grader_views.kappa_rows(table)
        if not rows.empty:
            st.markdown("**Is the grader within human noise?**")
            st.caption(
                "Dot and bar: the grader's κ with its 95% CI. Red tick: raters among themselves."
            )
            st.altair_chart(charts.kappa_beside_humans(rows), width="stretch")

pairs = list(zip(table.get("grader", []), table.get("dimension", []), strict=True))
graders = sorted({p[0] for p in pairs})

with detail_tab:
    if detail_tab.open:  # only the tab shown runs (st.tabs on_change="rerun")
        if not pairs:
            st.caption("Nothing to show yet.")
        else:
            grader, dim_name = st.selectbox(
                "Grader and dimension", pairs, format_func=lambda p: f"{p[0]} · {p[1]}", key="pair"
            )
            dim = ws.schema.dimension(dim_name)
            row = grader_views.pair_row(table, grader, dim_name)
            if row is None:
                st.stop()
            yn, scale, scored = row.figures.binary, row.figures.scale, row.figures.scored
            left, right = st.columns(2, gap="large")
            with left:
                if yn.n:
                    st.markdown(f"**Confusion matrix** ({yn.n} items)")
                    ui.dataframe(calibration.confusion_table(yn.tp, yn.fp, yn.fn, yn.tn))
                    a, b, c = st.columns(3)
                    for col, name, value, ci in (
                        (a, "Precision", yn.precision, yn.precision_ci),
                        (b, "Recall", yn.recall, yn.recall_ci),
                        (c, "F1", yn.f1, yn.f1_ci),
                    ):
                        col.metric(name, fmt(value, ".2f"))
                        col.caption(grader_views.ci_text(ci))
                    a, b = st.columns(2)
                    a.metric(
                        "Grader says yes",
                        fmt(yn.grader_positive_rate, ".0%"),
                        delta=f"{fmt(yn.leniency, '+.0%')} vs humans",
                        delta_color="off",
                    )
                    b.metric("Humans say yes", fmt(yn.reference_positive_rate, ".0%"))
                if scale.scale_n:
                    st.markdown(f"**Full scale** ({scale.scale_n} items, {scale.scale_weights} κ)")
                    ui.dataframe(calibration.scale_table(comp, grader, dim))
            with right:
                if yn.n:
                    low, high = (fmt(x, ".3f") for x in yn.kappa_ci)
                    a, b = st.columns(2)
                    a.metric("Cohen's κ", fmt(yn.kappa, ".3f"), help=f"95% CI {low} to {high}")
                    b.metric("Gwet's AC1", fmt(yn.ac1, ".3f"))
                    st.caption(
                        (
                            f"No κ interval: {yn.kappa_ci_note}."
                            if yn.kappa_ci_note
                            else f"κ 95% CI {low} – {high}."
                        )
                        + f" The raters among themselves: κ {fmt(row.human_kappa, '.3f')}."
                    )
                if scored.present:
                    a, b, c = st.columns(3)
                    a.metric("ROC-AUC", fmt(scored.roc_auc, ".3f"))
                    b.metric("Brier", fmt(scored.brier, ".3f"))
                    c.metric("ECE", fmt(scored.ece, ".3f"))
                    st.caption(
                        "Best threshold (highest κ): "
                        f"{fmt(scored.best_threshold_raw, '.3g')} on the "
                        f"grader's scale (κ {fmt(scored.best_threshold_kappa, '.3f')}). "
                        "Set it in the Mapping tab."
                    )
                    st.altair_chart(
                        charts.reliability_diagram(
                            calibration.reliability_table(comp, grader, dim_name)
                        ),
                        width="stretch",
                    )
            by = st.segmented_control(
                "Break down by", list(calibration.BREAKDOWNS), default="condition", key="by"
            )
            if by and yn.n:
                ui.dataframe(
                    grader_views.breakdown_view(comp, by, grader, dim_name),
                    hide_index=True,
                    formats={
                        **dict.fromkeys(
                            ("precision", "recall", "F1", "κ", "κ low", "κ high"), "%.3f"
                        ),
                        **dict.fromkeys(("grader says yes", "humans say yes"), "percent"),
                    },
                )

with browse_tab:
    if browse_tab.open:  # only the tab shown runs (st.tabs on_change="rerun")
        a, b, c = st.columns(3)
        pick_grader = a.selectbox("Grader", [None, *graders], format_func=lambda g: g or "All")
        pick_dim = b.selectbox(
            "Dimension", [None, *ws.schema.names], format_func=lambda d: d or "All"
        )
        conditions = sorted(c for c in comp["condition"].dropna().unique()) if len(comp) else []
        pick_cond = c.selectbox("Condition", [None, *conditions], format_func=lambda c: c or "All")
        found = grader_views.disagreements(comp, ws.schema, pick_grader, pick_dim, pick_cond)
        st.caption(
            f"{len(found)} disagreements (yes/no; on the scale for dimensions without a yes/no "
            "projection, gap = scale steps apart). Pick one to see both sides."
        )
        event = ui.dataframe(
            found,
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            key="disagreements",
            height=260,
            formats={"score": "%.2f"},
        )
        if len(found):
            item = found.iloc[event.selection.rows[0] if event.selection.rows else 0]
            st.markdown(
                f"**{render.escape_markdown(str(item['transcript_id']))}** · "
                f"{render.escape_markdown(str(item['dimension']))}"
            )
            verdicts, humans = grader_views.item_detail(
                ws, str(item["transcript_id"]), str(item["grader"]), str(item["dimension"]), gmap
            )
            left, right = st.columns(2, gap="large")
            with left:
                st.markdown(f"**{render.escape_markdown(str(item['grader']))}** said")
                for v in verdicts.to_dict("records"):
                    score = "" if pd.isna(v["score"]) else f" (score {float(v['score']):g})"
                    with st.container(border=True):
                        st.text(f"{v['field']}: {v['value']}{score}")
                        ui.text_block(str(v["explanation"] or "(no explanation)"))
            with right:
                st.markdown("**The raters** said")
                for h in humans.itertuples():
                    with st.container(border=True):
                        st.text(f"{h.rater}: {h.value}")
                        ui.text_block(str(h.rationale) or "(no rationale)")
                        if h.evidence:
                            st.text(f"Evidence: {h.evidence!s}")
            t = ws.store.get_transcript(str(item["transcript_id"]))
            if t is not None:
                with st.expander("Transcript"):
                    st.caption(ui.conditions(t))
                    ui.transcript(t)

with audit_tab:
    if audit_tab.open:  # only the tab shown runs (st.tabs on_change="rerun")
        st.caption(
            "Draw a sample of the grader's verdicts, stratified by what the grader said × "
            "condition (at least two per stratum, the rest by Neyman allocation towards the "
            "strata where the grader disagrees with the raters most). Drawn items go to the "
            "front of the raters' queues, blind; "
            "once two or more raters settle one by strict majority, it becomes gold (method audit) "
            "and the estimates below weight each audited item by its inclusion probability."
        )
        a, b = st.columns(2)
        who = a.selectbox("Grader", sorted(runs["grader"]), key="audit-grader")
        width = b.slider("Target width of the error-rate interval", 0.02, 0.5, 0.1, 0.01)
        items = cached.on_page(
            cached.audit_items, ws, version, gmap_text, who, what="audit strata", stop=False
        )
        suggested = audit.suggested_size(ws, who, width, gmap, items) if items is not None else 0
        if items is not None:
            st.caption(
                f"Suggested sample for a 95% interval about {width:.2f} wide: {suggested} items."
            )
        with st.form("draw"):
            b, right_col = st.columns(2)
            n = b.number_input("Items", min_value=1, max_value=5000, value=max(1, suggested))
            seed = right_col.number_input("Seed", min_value=0, value=0)
            drawn = st.form_submit_button(
                "Draw audit sample", type="primary", disabled=not ui.has_role(me, "adjudicator")
            )
        if drawn:
            try:
                current = cached.audit_items.current(ws, version, gmap_text, who)
                d = audit.sample(ws, who, int(n), int(seed), me.id, gmap, current)
            except ValueError as exc:
                st.warning(render.escape_markdown(str(exc)))
            else:
                links = [ui.browse_link(str(t)) for t in d.items["transcript_id"]]
                st.session_state["audit_drawn"] = (d.id, d.frame, d.items.assign(browse=links))
        if last_draw := st.session_state.get("audit_drawn"):  # stays while the page is used
            draw_id, frame_size, drawn_items = last_draw
            st.success(
                f"Drew {len(drawn_items)} of {frame_size} transcripts (draw {draw_id}); they are "
                "now first in the raters' queues."
            )
            st.dataframe(
                drawn_items,
                hide_index=True,
                column_order=["browse", "transcript_id", "stratum", "status", "inclusion_prob"],
                column_config={
                    "transcript_id": st.column_config.TextColumn("transcript"),
                    "inclusion_prob": st.column_config.NumberColumn(
                        "inclusion probability", format="%.3f"
                    ),
                    "browse": st.column_config.LinkColumn("read it", display_text="open on Browse"),
                },
            )
        if st.button("Turn settled audit items into gold"):
            st.success(f"{len(audit.resolve(ws, me.id))} gold row(s) written with method audit.")
        draws = ws.store.audit_draws()
        if draws.empty:
            st.caption("No audit drawn yet.")
        else:
            ui.dataframe(draws.drop(columns=["strata"]), hide_index=True)
            st.markdown(
                "**Estimated error rates on the whole population** (latest draw per grader)"
            )
            st.caption(
                "Each rate with its 95% interval (Hájek estimate weighted by 1/inclusion "
                "probability; Wilson interval on the effective sample size). Reference error: the "
                "plain disagreement with today's reference, for contrast."
            )
            ui.dataframe(
                audit.estimates(ws, None, gmap, comp),
                hide_index=True,
                formats=dict.fromkeys(audit.RATE_COLUMNS, "percent"),
            )

with map_tab:
    if map_tab.open:  # only the tab shown runs (st.tabs on_change="rerun")
        st.caption(
            f"Which grader field answers which dimension, and how scores become yes/no. Saved to "
            f"{grader_map.path().name}; unlisted fields keep the defaults (a field named like a "
            "dimension answers it; otherwise the dimension recorded at ingest). Threshold: on the "
            "0–1 scale, score ≥ threshold is yes; empty means the grader's own verdict decides."
        )
        fields = grader_map.fields_table(gmap, ws.store.verdict_fields(), ws.schema)
        settings = grader_map.settings_table(gmap, sorted(runs["grader"]))
        edited_settings = st.data_editor(
            settings,
            hide_index=True,
            disabled=["grader"],
            key="map-settings",
            column_config={"threshold": st.column_config.TextColumn("threshold (empty: none)")},
        )
        edited_fields = st.data_editor(
            fields,
            hide_index=True,
            disabled=["grader", "field", "stored", "stored_on"],
            column_config={
                "stored": st.column_config.TextColumn("stored at ingest"),
                "stored_on": st.column_config.TextColumn("on"),
                "answers": st.column_config.SelectboxColumn(options=["", *ws.schema.names]),
            },
            key="map-fields",
        )
        if st.button("Save mapping", type="primary"):
            try:
                new = grader_map.from_tables(edited_settings, edited_fields, ws.schema, gmap)
            except ValueError as exc:
                st.warning(render.escape_markdown(str(exc)))
            else:
                grader_map.save(new)
                st.toast(f"Saved {grader_map.path().name}.")
                st.rerun()


with rates_tab:
    if rates_tab.open:  # only the tab shown runs (st.tabs on_change="rerun")
        st.caption(
            "How often each thing happened per group, with the grader's errors taken out: "
            "prediction-powered inference (PPI++) uses the grader's verdict on every transcript "
            "and the gold labels where they exist, stratified by the audit's strata when the "
            "grader was audited. Corrected: the estimate with an exact 95% interval on its "
            "effective sample size (a rate of 0 still gets an upper bound). Gold only: the "
            "same labels without the grader, for contrast."
        )
        a, b, c = st.columns(3)
        rate_grader = a.selectbox(
            "Grader", [None, *graders], format_func=lambda g: g or "All", key="rates-grader"
        )
        binary = [d.name for d in ws.schema.dimensions if d.binary_yes]
        rate_dim = b.selectbox("Dimension", binary, key="rates-dimension")
        by_fields = c.multiselect(
            "Group by", list(rates.GROUP_FIELDS), default=list(rates.DEFAULT_BY), key="rates-by"
        )
        half = st.slider("Target ± for 'more labels' (points)", 1, 20, 3, key="rates-half") / 100
        frame = None
        if not by_fields:
            st.caption("Pick at least one field to group by.")
        else:
            frame = cached.on_page(
                cached.rates,
                ws,
                (*version, len(ws.store.audit_draws())),
                gmap_text,
                what="corrected rates",
                stop=False,
            )
        if frame is not None:
            rate_rows, rate_view, rate_charts = cached.rate_rows(
                ws, frame, gmap_text, rate_grader, rate_dim, tuple(by_fields), half
            )
            if rate_view.empty:
                st.caption("No grader gives a yes/no verdict on this dimension.")
            else:
                st.dataframe(
                    rate_view,
                    hide_index=True,
                    column_config={
                        c: st.column_config.NumberColumn(format="percent")
                        for c in ("grader rate", "corrected", "low", "high", "gold only")
                        + ("gold low", "gold high")
                    },
                )
                for rate_name, rate_chart in rate_charts.items():
                    st.markdown(f"**{render.escape_markdown(rate_name)}** · {rate_dim}")
                    st.altair_chart(rate_chart, width="stretch")
                with st.form("rates-draw"):
                    rate_picks = list(range(len(rate_rows)))
                    rate_pick = st.selectbox(
                        "Draw more human labels for",
                        rate_picks,
                        format_func=lambda i: rate_rows[i].ask(half),
                        key="rates-pick",
                    )
                    rate_more = rate_rows[rate_pick].more_labels if rate_pick is not None else None
                    how_many = st.number_input(
                        "Items",
                        min_value=1,
                        max_value=5000,
                        value=max(1, min(rate_more or 1, 5000)),
                    )
                    rate_go = st.form_submit_button(
                        "Send to the audit queue", disabled=not ui.has_role(me, "adjudicator")
                    )
                if rate_go and rate_pick is not None:
                    chosen = rate_rows[rate_pick]
                    try:
                        d = rates.draw_for_group(
                            ws, chosen.grader, chosen.group, int(how_many), 0, gmap, me.id
                        )
                    except ValueError as exc:
                        st.warning(render.escape_markdown(str(exc)))
                    else:
                        st.success(
                            f"Drew {len(d.items)} of {d.frame} unreviewed transcripts "
                            f"(draw {d.id})."
                        )
