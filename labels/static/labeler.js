// Goldset's label panel: the transcript and the labeling controls in one browser component.
//
// Keys are answered here, in the browser, so a value shows as chosen at once; the server hears
// about the draft (debounced, `draft` state) and about actions (`action` trigger: submit, skip,
// undo) and answers with the next item's data. Every piece of transcript text and everything a
// person typed is put on the page with textContent, never as HTML.
//
// Rules that keep a label a person's decision:
// - value and tactic keys act only while no text field has the cursor (the mode bar says which);
// - no control of ours can take keyboard focus except text fields, so Space/Enter press nothing;
// - Esc leaves a text field and keeps what it holds; Ctrl+Enter submits from anywhere.

const TEXT_FIELD = "input, textarea, select, [contenteditable=''], [contenteditable='true']";
const RENDER_CHUNK = 300;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "cls") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function isTextField(node) {
  return !!(node && node.matches && node.matches(TEXT_FIELD));
}

function fieldName(node) {
  return node.getAttribute("aria-label") || node.getAttribute("placeholder") || "a text field";
}

function button(text, cls, onClick, title) {
  // tabindex -1: a click works, but the button never holds focus, so Space/Enter cannot press it.
  const b = el("button", { type: "button", tabindex: "-1", cls, title }, text);
  b.addEventListener("mousedown", (e) => e.preventDefault());
  b.addEventListener("click", onClick);
  return b;
}

class Labeler {
  constructor(root) {
    this.root = root;
    this.token = null;
    this.pendingAck = 0;
    this.actionId = 0;
    this.activeDim = null;
    this.overlay = null;
    this.syncTimer = null;
    this.onKey = (e) => this.key(e);
    this.onFocus = () => this.showMode();
  }

  attach(api) {
    this.api = api;
    window.addEventListener("keydown", this.onKey, true);
    document.addEventListener("focusin", this.onFocus);
    document.addEventListener("focusout", this.onFocus);
  }

  detach() {
    window.removeEventListener("keydown", this.onKey, true);
    document.removeEventListener("focusin", this.onFocus);
    document.removeEventListener("focusout", this.onFocus);
  }

  // -- data from the server ---------------------------------------------------------------

  update(data) {
    this.data = data;
    if ((data.ack || 0) >= this.pendingAck) this.busy = false;
    if (data.token !== this.token) {
      this.token = data.token;
      this.draft = structuredClone(data.draft);
      this.activeDim = null;
      this.overlay = null;
      this.build();
      if (!data.view_only) this.neutralFocus();
      this.root.dataset.item = data.item || "";
      this.root.dataset.token = data.token;
      this.root.dataset.shownAt = String(performance.now());
    } else if (data.errors && data.errors.length && !this.busy) {
      this.showErrors(data.errors);
    }
    this.showMode();
  }

  neutralFocus() {
    const active = document.activeElement;
    if (active && active !== document.body && !this.root.contains(active)) active.blur();
    else if (active && this.root.contains(active)) active.blur();
    this.root.focus({ preventScroll: true });
  }

  // -- building the page --------------------------------------------------------------------

  build() {
    const d = this.data;
    this.root.replaceChildren();
    if (d.view_only) {
      // Read-only pages (browse, adjudicate, graders): the transcript alone, no keys.
      this.modeBar = null;
      this.root.append(this.transcript());
      return;
    }
    this.modeBar = el("div", { cls: "gs-mode", role: "status", "aria-live": "polite" });
    if (!d.item) {
      this.root.append(this.modeBar, el("div", { cls: "gs-empty", text: d.empty || "" }));
      return;
    }
    const left = el("div", { cls: "gs-left" });
    const right = el("div", { cls: "gs-right" });
    left.append(this.header(), this.notices(), this.transcript());
    right.append(this.modeBar, ...d.dims.map((dim) => this.dimension(dim)), this.extras());
    this.root.append(el("div", { cls: "gs-grid" }, left, right));
    this.refreshAll();
    if (d.errors && d.errors.length) this.showErrors(d.errors);
  }

  header() {
    const d = this.data;
    const p = d.progress;
    const bar = el("div", { cls: "gs-progress", title: `${p.done} of ${p.total} items done` });
    bar.append(el("div", { cls: "gs-progress-fill", style: `width:${p.total ? (100 * p.done) / p.total : 100}%` }));
    return el(
      "div",
      { cls: "gs-header" },
      el("div", { cls: "gs-progress-text", text: `${p.done} of ${p.total} items done` }),
      bar,
      el("h3", { cls: "gs-title", text: `Transcript ${d.item}` }),
      el("div", { cls: "gs-caption", text: d.caption }),
    );
  }

  notices() {
    const box = el("div", { cls: "gs-notices" });
    for (const n of this.data.notices || []) {
      box.append(el("div", { cls: `gs-notice gs-notice-${n.kind}`, text: n.text }));
    }
    return box;
  }

  transcript() {
    const scroll = el("div", { cls: "gs-transcript", "data-testid": "gs-transcript" });
    this.messageNodes = new Map();
    const msgs = this.data.messages;
    const more = el("div", { cls: "gs-more" });
    let shown = 0;
    const showMore = () => {
      const end = Math.min(msgs.length, shown + RENDER_CHUNK);
      for (; shown < end; shown++) scroll.insertBefore(this.message(msgs[shown]), more);
      more.replaceChildren();
      if (shown < msgs.length) {
        more.append(button(`Show messages ${shown}–${Math.min(msgs.length, shown + RENDER_CHUNK) - 1} of ${msgs.length}`, "gs-btn", showMore));
      }
    };
    scroll.append(more);
    showMore();
    if (this.data.truncated) scroll.append(el("div", { cls: "gs-caption", text: this.data.truncated }));
    return scroll;
  }

  message(m) {
    const node = el("div", { cls: `gs-msg gs-role-${m.role}`, "data-index": m.index });
    const head = el("div", { cls: "gs-msg-head" });
    head.append(el("span", { cls: "gs-msg-num", text: `#${m.index}` }), el("span", { text: ` ${m.role}${m.name ? " · " + m.name : ""}` }));
    node.append(head);
    const body = el("div", { cls: "gs-msg-body" });
    if (m.role === "system") {
      const details = el("details", {}, el("summary", { tabindex: "-1", text: `System prompt (${m.chars.toLocaleString()} characters)` }));
      details.append(el("div", { cls: "gs-text", text: m.text }));
      body.append(details);
    } else {
      if (m.reasoning) {
        body.append(el("div", { cls: "gs-reasoning" }, el("div", { cls: "gs-caption", text: "Hidden reasoning (not shown to anyone in the scenario)" }), el("div", { cls: "gs-text", text: m.reasoning })));
      }
      for (const seg of m.segments) body.append(this.segment(seg));
      for (const call of m.tool_calls) {
        body.append(el("div", { cls: "gs-caption", text: `Tool call · ${call.function}` }), el("pre", { cls: "gs-code", text: call.arguments }));
      }
    }
    node.append(body);
    node.addEventListener("mouseup", () => this.clickMessage(m.index));
    this.messageNodes.set(m.index, node);
    return node;
  }

  segment(seg) {
    if (seg.kind === "email") {
      const headers = seg.headers.map(([k, v]) => `${k}: ${v}`).join("\n");
      return el("div", { cls: "gs-email" }, el("div", { cls: "gs-email-head", text: headers }), el("div", { cls: "gs-text", text: seg.text }));
    }
    if (seg.kind === "tool_use") {
      return el("div", {}, el("div", { cls: "gs-caption", text: `Tool use · ${seg.title}` }), el("pre", { cls: "gs-code", text: seg.text }));
    }
    return el("div", { cls: "gs-text", text: seg.text });
  }

  dimension(dim) {
    const card = el("div", { cls: "gs-dim", "data-dim": dim.name });
    const info = el("details", { cls: "gs-guide" }, el("summary", { tabindex: "-1", text: "Guideline" }));
    info.append(el("div", { cls: "gs-guide-text", text: dim.guideline }));
    for (const v of dim.values) {
      info.append(el("div", { cls: "gs-guide-value" }, el("b", { text: `${v.name} [${v.key}]` }), el("span", { text: `: ${v.description}` }), el("div", { cls: "gs-caption", text: v.anchor ? `e.g. ${v.anchor}` : "" })));
    }
    const row = el("div", { cls: "gs-values" });
    for (const v of dim.values) {
      const b = button("", "gs-btn gs-value", () => this.setValue(dim.name, v.name), v.description);
      b.dataset.value = v.name;
      b.append(el("kbd", { text: v.key }), el("span", { text: v.name }));
      row.append(b);
    }
    card.append(el("div", { cls: "gs-dim-title" }, el("b", { text: dim.title }), el("span", { text: ` — ${dim.question}` })), row);
    if (dim.tags.length) {
      const tags = el("div", { cls: "gs-tags" }, el("span", { cls: "gs-caption", text: "Tactics: " }));
      for (const t of dim.tags) {
        const b = button("", "gs-btn gs-tag", () => this.toggleTag(dim.name, t.name));
        b.dataset.tag = t.name;
        if (t.key) b.append(el("kbd", { text: t.key }));
        b.append(el("span", { text: t.name.replaceAll("_", " ") }));
        tags.append(b);
      }
      card.append(tags);
    }
    card.append(this.evidenceBox(dim), info);
    return card;
  }

  evidenceBox(dim) {
    const box = el("div", { cls: "gs-evidence" });
    const number = el("input", { type: "text", inputmode: "numeric", cls: "gs-ev-number", "aria-label": `${dim.title} evidence: message number`, placeholder: "message #", autocomplete: "off" });
    const quote = el("input", { type: "text", cls: "gs-ev-quote", "aria-label": `${dim.title} evidence: quote`, placeholder: "quote from that message (optional)", autocomplete: "off" });
    const preview = el("div", { cls: "gs-caption gs-ev-preview" });
    number.addEventListener("focus", () => { this.activeDim = dim.name; this.refreshEvidence(); });
    number.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) { e.preventDefault(); number.blur(); }
    });
    number.addEventListener("change", () => this.commitNumber(dim.name, number.value));
    number.addEventListener("blur", () => this.commitNumber(dim.name, number.value));
    quote.addEventListener("focus", () => { this.activeDim = dim.name; });
    quote.addEventListener("input", () => { this.evidenceOf(dim.name).quote = quote.value; this.sync(true); });
    quote.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) { e.preventDefault(); quote.blur(); }
    });
    box.append(el("span", { cls: "gs-ev-label", text: "Evidence" }), number, quote, preview);
    return box;
  }

  extras() {
    const box = el("div", { cls: "gs-extras" });
    const why = el("textarea", { cls: "gs-rationale", rows: "3", "aria-label": "Rationale", placeholder: "Rationale: why these values? (optional; n to write, Esc to leave)" });
    why.value = this.draft.rationale || "";
    why.addEventListener("input", () => { this.draft.rationale = why.value; this.sync(true); });
    this.flagBox = button("", "gs-btn gs-flag", () => this.toggleFlag(), "Flag this item for discussion with an adjudicator");
    const a = this.data.actions;
    this.flagBox.append(el("kbd", { text: a.flag }), el("span", { cls: "gs-flag-text" }));
    this.errorBox = el("div", { cls: "gs-errors", role: "alert" });
    const submit = button("", "gs-btn gs-submit", () => this.submit());
    submit.append(el("kbd", { text: "Ctrl+Enter" }), el("span", { text: this.data.revising ? "Save revision & next" : "Submit & next" }));
    const row = el("div", { cls: "gs-actions" }, submit, this.flagBox);
    row.append(this.actionButton(a.skip, "Skip…", () => this.openSkip()));
    if (this.data.can_undo) row.append(this.actionButton(a.undo, "Undo last submit", () => this.undo()));
    row.append(this.actionButton(a.help, "All keys", () => this.toggleHelp()));
    this.panel = el("div", { cls: "gs-panel" });
    box.append(why, this.errorBox, row, this.panel);
    return box;
  }

  actionButton(key, text, fn) {
    const b = button("", "gs-btn", fn);
    b.append(el("kbd", { text: key }), el("span", { text }));
    return b;
  }

  // -- showing the draft --------------------------------------------------------------------

  refreshAll() {
    for (const dim of this.data.dims) this.refreshDim(dim.name);
    this.refreshEvidence();
    this.refreshFlag();
  }

  dimInfo(name) {
    return this.data.dims.find((d) => d.name === name);
  }

  needsEvidence(name) {
    return this.dimInfo(name).evidence_required.includes(this.draft.values[name]);
  }

  tagsApply(name) {
    const value = this.draft.values[name];
    return value !== undefined && value !== null && value !== this.dimInfo(name).values[0].name;
  }

  refreshDim(name) {
    const card = this.root.querySelector(`.gs-dim[data-dim="${name}"]`);
    if (!card) return;
    const value = this.draft.values[name];
    for (const b of card.querySelectorAll(".gs-value")) {
      const on = b.dataset.value === value;
      b.classList.toggle("gs-on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
    const tags = card.querySelector(".gs-tags");
    if (tags) {
      tags.hidden = !this.tagsApply(name);
      const chosen = this.draft.tags[name] || [];
      for (const b of tags.querySelectorAll(".gs-tag")) {
        const on = chosen.includes(b.dataset.tag);
        b.classList.toggle("gs-on", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      }
    }
    const ev = card.querySelector(".gs-evidence");
    const has = this.draft.evidence[name] && this.draft.evidence[name].index !== null && this.draft.evidence[name].index !== undefined;
    ev.hidden = !(this.needsEvidence(name) || has);
    ev.classList.toggle("gs-required", this.needsEvidence(name) && !has);
    const number = ev.querySelector(".gs-ev-number");
    const quote = ev.querySelector(".gs-ev-quote");
    const entry = this.draft.evidence[name] || {};
    if (document.activeElement !== number) number.value = has ? String(entry.index) : "";
    if (document.activeElement !== quote) quote.value = entry.quote || "";
    const preview = ev.querySelector(".gs-ev-preview");
    const msg = has ? this.data.messages.find((m) => m.index === entry.index) : null;
    preview.textContent = msg
      ? `#${msg.index} ${msg.role}: ${msg.preview}`
      : this.needsEvidence(name) ? `Required for ${this.draft.values[name]}: press ${this.data.actions.cite} and type the message number, or click the message.` : "";
  }

  refreshEvidence() {
    const cited = new Set(Object.values(this.draft.evidence).map((e) => e && e.index));
    for (const [index, node] of this.messageNodes || []) node.classList.toggle("gs-cited", cited.has(index));
    const target = this.evidenceTarget();
    for (const card of this.root.querySelectorAll(".gs-dim")) card.classList.toggle("gs-citing", card.dataset.dim === target);
  }

  refreshFlag() {
    this.flagBox.classList.toggle("gs-on", !!this.draft.flag);
    this.flagBox.setAttribute("aria-pressed", this.draft.flag ? "true" : "false");
    this.flagBox.querySelector(".gs-flag-text").textContent = this.draft.flag ? "Flagged for discussion" : "Flag for discussion";
  }

  showMode(hint) {
    if (!this.modeBar) return;
    const active = document.activeElement;
    let text;
    let kind;
    if (this.busy) {
      [kind, text] = ["busy", "Saving… keys wait for the next item."];
    } else if (this.overlay === "skip") {
      [kind, text] = ["panel", "Skip: press a reason's number, Esc to cancel."];
    } else if (isTextField(active)) {
      [kind, text] = ["typing", `Typing in ${fieldName(active)}. Keys type text; Esc returns to shortcuts; Ctrl+Enter submits.`];
    } else {
      [kind, text] = ["keys", `Keys: shortcuts. Press ${this.data.actions.help} for the list, Ctrl+Enter to submit.`];
    }
    this.modeBar.dataset.mode = kind;
    this.modeBar.replaceChildren(el("span", { cls: "gs-mode-tag", text: kind === "typing" ? "TEXT" : kind === "keys" ? "KEYS" : kind === "busy" ? "SAVING" : "PANEL" }), el("span", { text: " " + text }));
    if (hint) this.modeBar.append(el("div", { cls: "gs-hint", text: hint }));
  }

  showErrors(errors) {
    this.errorBox.replaceChildren(...errors.map((e) => el("div", { text: e })));
  }

  // -- changing the draft ---------------------------------------------------------------------

  setValue(dim, value) {
    this.draft.values[dim] = value;
    if (this.needsEvidence(dim)) this.activeDim = dim;
    this.refreshDim(dim);
    this.refreshEvidence();
    this.errorBox.replaceChildren();
    this.sync(false);
  }

  toggleTag(dim, tag) {
    if (!this.tagsApply(dim)) {
      this.showMode(`Tactics apply once ${this.dimInfo(dim).title.toLowerCase()} is ${this.dimInfo(dim).values.slice(1).map((v) => v.name).join(" or ")}.`);
      return;
    }
    const chosen = new Set(this.draft.tags[dim] || []);
    chosen.has(tag) ? chosen.delete(tag) : chosen.add(tag);
    this.draft.tags[dim] = this.dimInfo(dim).tags.map((t) => t.name).filter((t) => chosen.has(t));
    this.refreshDim(dim);
    this.sync(false);
  }

  toggleFlag() {
    this.draft.flag = !this.draft.flag;
    this.refreshFlag();
    this.sync(false);
  }

  evidenceOf(dim) {
    if (!this.draft.evidence[dim]) this.draft.evidence[dim] = { index: null, quote: "" };
    return this.draft.evidence[dim];
  }

  evidenceTarget() {
    // Where a cited message goes: the dimension in hand if it still lacks evidence, else the
    // first that lacks it, else the one in hand (to change its citation).
    const dims = this.data.dims.map((d) => d.name);
    const lacking = (d) => this.needsEvidence(d) && !this.hasEvidence(d);
    if (this.activeDim && lacking(this.activeDim)) return this.activeDim;
    const missing = dims.find(lacking);
    if (missing) return missing;
    if (this.activeDim && (this.needsEvidence(this.activeDim) || this.hasEvidence(this.activeDim))) return this.activeDim;
    return dims.find((d) => this.needsEvidence(d)) || null;
  }

  hasEvidence(dim) {
    const e = this.draft.evidence[dim];
    return !!e && e.index !== null && e.index !== undefined;
  }

  commitNumber(dim, raw) {
    const text = raw.trim().replace(/^#/, "");
    if (text === "") {
      if (this.hasEvidence(dim)) { this.evidenceOf(dim).index = null; this.sync(false); }
    } else {
      const index = Number(text);
      if (!Number.isInteger(index) || !this.messageNodes.has(index) && !this.data.messages.some((m) => m.index === index)) {
        const last = this.data.messages.length - 1;
        this.showErrors([`There is no message #${text} here; messages are numbered 0–${last}.`]);
        return;
      }
      if (this.evidenceOf(dim).index !== index) {
        this.evidenceOf(dim).index = index;
        this.scrollTo(index);
        this.sync(false);
      }
    }
    this.errorBox.replaceChildren();
    this.refreshDim(dim);
    this.refreshEvidence();
  }

  clickMessage(index) {
    if (this.data.view_only) return;
    const target = this.evidenceTarget();
    if (!target) return;
    const selection = String(window.getSelection() || "").trim();
    const node = this.messageNodes.get(index);
    const sel = window.getSelection();
    const inside = sel && sel.rangeCount && node.contains(sel.getRangeAt(0).commonAncestorContainer);
    const entry = this.evidenceOf(target);
    entry.index = index;
    if (selection && inside) entry.quote = selection;
    this.refreshDim(target);
    this.refreshEvidence();
    this.sync(false);
  }

  scrollTo(index) {
    const node = this.messageNodes.get(index);
    if (node) node.scrollIntoView({ block: "nearest" });
  }

  // -- talking to the server ----------------------------------------------------------------

  sync(debounced) {
    // Typing is sent 400 ms after it stops; a chosen value right after the frame that paints
    // it (telling Streamlit starts a rerun, whose bookkeeping would otherwise delay the paint).
    clearTimeout(this.syncTimer);
    const token = this.token;
    const send = () => {
      if (token === this.token) this.api.setStateValue("draft", { token, ...this.draft });
    };
    if (debounced) this.syncTimer = setTimeout(send, 400);
    else requestAnimationFrame(() => { this.syncTimer = setTimeout(send, 0); });
  }

  act(kind, extra) {
    clearTimeout(this.syncTimer);
    this.actionId = Date.now();
    this.pendingAck = this.actionId;
    this.busy = true;
    this.showMode();
    this.api.setTriggerValue("action", { kind, id: this.actionId, token: this.token, draft: this.draft, ...extra });
  }

  localProblems() {
    const found = [];
    for (const dim of this.data.dims) {
      const value = this.draft.values[dim.name];
      if (value === undefined || value === null) found.push(`Choose a value for ${dim.title.toLowerCase()}.`);
      else if (this.needsEvidence(dim.name) && !this.hasEvidence(dim.name)) found.push(`${dim.title}: point to the message that shows ${value} (press ${this.data.actions.cite}, or click the message).`);
    }
    return found;
  }

  submit() {
    const active = document.activeElement;
    if (isTextField(active) && this.root.contains(active)) active.blur();
    const problems = this.localProblems();
    if (problems.length) { this.showErrors(problems); return; }
    this.act("submit");
  }

  undo() {
    if (this.data.can_undo) this.act("undo");
  }

  openSkip() {
    this.overlay = "skip";
    const list = el("ol", { cls: "gs-skip" });
    this.data.skip_reasons.forEach((r, i) => {
      const b = button("", "gs-btn", () => this.skip(i));
      b.append(el("kbd", { text: String(i + 1) }), el("span", { text: r }));
      list.append(el("li", {}, b));
    });
    this.panel.replaceChildren(el("div", { cls: "gs-panel-title", text: "Why skip this item? (Esc to cancel)" }), list);
    this.panel.scrollIntoView({ block: "nearest" });
    this.showMode();
  }

  skip(i) {
    this.closePanel();
    this.act("skip", { reason: this.data.skip_reasons[i] });
  }

  toggleHelp() {
    if (this.overlay === "help") { this.closePanel(); return; }
    this.overlay = "help";
    const rows = el("table", { cls: "gs-keys" });
    for (const [key, what] of this.data.keymap) rows.append(el("tr", {}, el("td", {}, el("kbd", { text: key })), el("td", { text: what })));
    this.panel.replaceChildren(el("div", { cls: "gs-panel-title", text: `Every key (${this.data.actions.help} or Esc to close)` }), rows);
    this.panel.scrollIntoView({ block: "nearest" });
    this.showMode();
  }

  closePanel() {
    this.overlay = null;
    this.panel.replaceChildren();
    this.showMode();
  }

  // -- keys ----------------------------------------------------------------------------

  key(e) {
    if (!this.root.isConnected || !this.data || !this.data.item || this.data.view_only) return;
    const typing = isTextField(document.activeElement);
    const mod = e.ctrlKey || e.metaKey;
    const handled = () => { e.preventDefault(); e.stopPropagation(); };
    if (e.key === "Enter" && mod) { handled(); if (!this.busy) this.submit(); return; }
    if (e.key === "Escape") {
      if (typing) { handled(); document.activeElement.blur(); this.root.focus({ preventScroll: true }); }
      else if (this.overlay) { handled(); this.closePanel(); }
      return;
    }
    if (typing || mod || e.altKey || e.isComposing) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (this.busy) { if (key.length === 1) handled(); return; }
    if (this.overlay === "skip") {
      handled();
      const i = Number(key) - 1;
      if (Number.isInteger(i) && i >= 0 && i < this.data.skip_reasons.length) this.skip(i);
      return;
    }
    const a = this.data.actions;
    const hit = this.data.keys[key];
    if (hit) {
      handled();
      if (hit[0] === "value") this.setValue(hit[1], hit[2]);
      else this.toggleTag(hit[1], hit[2]);
      return;
    }
    const actions = {
      [a.cite]: () => this.focusEvidence(),
      [a.note]: () => this.root.querySelector(".gs-rationale").focus(),
      [a.flag]: () => this.toggleFlag(),
      [a.skip]: () => this.openSkip(),
      [a.undo]: () => this.undo(),
      [a.help]: () => this.toggleHelp(),
    };
    if (actions[key]) { handled(); actions[key](); }
  }

  focusEvidence() {
    const target = this.evidenceTarget();
    if (!target) { this.showMode("No value you chose needs evidence."); return; }
    this.activeDim = target;
    const input = this.root.querySelector(`.gs-dim[data-dim="${target}"] .gs-ev-number`);
    input.focus();
    input.select();
  }
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let root = parentElement.querySelector(":scope > .gs-root");
  if (!root) {
    root = el("div", { cls: "gs-root", tabindex: "-1", "data-testid": "gs-labeler" });
    parentElement.append(root);
    root.labeler = new Labeler(root);
  }
  const app = root.labeler;
  app.attach({ setStateValue, setTriggerValue });
  app.update(data);
  return () => app.detach();
}
