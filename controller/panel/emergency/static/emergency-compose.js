/* /panel/emergency, the form: sites or single screens to reach (emergency-targets.js),
   the message in every language the chosen screens show (vi and en always), side by side with
   character counts, the link and the time. What is typed is kept in sessionStorage
   until it is sent, so neither a refusal nor a reload loses it. emergency-send.js
   reviews and sends. */
"use strict";
const EmergencyCompose = (() => {
  const { el, t } = Pano;
  const form = document.getElementById("compose");
  const sitesBox = document.getElementById("sites");
  const allBox = document.getElementById("all-sites");
  const columnsBox = document.getElementById("messages");
  const LIMITS = { title: Number(form.dataset.titleMax), body: Number(form.dataset.bodyMax) };
  const DRAFT_KEY = "pano.emergency.draft";
  const columns = new Map();  // language -> {node, title, body, error}; kept when hidden
  let catalog = null;
  let draft = { sites: [], screens: [], texts: {}, url: "", start: "now", startAt: "", duration: "60",
                endsAt: "" };

  function chars(text) { return [...text.trim()].length; }

  function save() {
    try { sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft)); } catch (err) { /* private mode */ }
  }

  function restore() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
      if (saved && typeof saved === "object") draft = Object.assign(draft, saved);
    } catch (err) { /* a broken draft is ignored */ }
  }

  function clearDraft() {
    try { sessionStorage.removeItem(DRAFT_KEY); } catch (err) { /* private mode */ }
  }

  /* [{site, screens, whole}]: the sites reached, whole or by some of their screens. */
  function chosen() {
    return catalog ? EmergencyTargets.chosen(catalog, draft) : [];
  }

  function neededLanguages() {
    const needed = new Set(catalog.required);
    const count = {};
    for (const choice of chosen()) {
      for (const screen of choice.screens) {
        for (const lang of screen.languages) {
          needed.add(lang);
          count[lang] = (count[lang] || 0) + 1;
        }
      }
    }
    const order = catalog.languages.map((l) => l.code);
    const sorted = [...needed].sort((a, b) => (order.indexOf(a) + 99 * (order.indexOf(a) < 0))
                                            - (order.indexOf(b) + 99 * (order.indexOf(b) < 0)));
    return sorted.map((code) => ({ code, required: catalog.required.includes(code), screens: count[code] || 0 }));
  }

  function counter(input, output, max) {
    const n = chars(input.value);
    output.textContent = t("chars", { n: Pano.number(n, 0), max: Pano.number(max, 0) });
    output.classList.toggle("over", n > max);
    output.classList.toggle("near", n <= max && n > max * 0.9);
  }

  function column(code) {
    if (columns.has(code)) return columns.get(code);
    const text = draft.texts[code] || { title: "", body: "" };
    const id = "msg-" + code;
    const title = el("input", { id: id + "-title", type: "text", lang: code, autocomplete: "off",
                                dataset: { lang: code, part: "title" } });
    const body = el("textarea", { id: id + "-body", lang: code, rows: 6, dataset: { lang: code, part: "body" } });
    title.value = text.title || "";
    body.value = text.body || "";
    const titleCount = el("span", { class: "count" }), bodyCount = el("span", { class: "count" });
    const note = el("span", { class: "lang-note muted small" });
    const error = el("p", { class: "field-error", role: "alert", hidden: true });
    const onInput = () => {
      draft.texts[code] = { title: title.value, body: body.value };
      counter(title, titleCount, LIMITS.title);
      counter(body, bodyCount, LIMITS.body);
      error.hidden = true;
      node.classList.remove("invalid");
      save();
    };
    title.addEventListener("input", onInput);
    body.addEventListener("input", onInput);
    const node = el("div", { class: "lang-column", dataset: { lang: code } },
      el("h3", { lang: Pano.config.lang }, EmergencyUI.languageName(catalog, code), " ", note),
      el("label", { for: title.id }, t("title")), title, el("div", { class: "counter" }, titleCount),
      el("label", { for: body.id }, t("body")), body, el("div", { class: "counter" }, bodyCount),
      error);
    counter(title, titleCount, LIMITS.title);
    counter(body, bodyCount, LIMITS.body);
    const entry = { code, node, title, body, error, note };
    columns.set(code, entry);
    return entry;
  }

  function renderColumns() {
    const needed = neededLanguages();
    const nodes = needed.map((lang) => {
      const entry = column(lang.code);
      entry.required = lang.required;
      entry.note.textContent = "(" + (lang.required ? t("required")
        : t("needed_by", { screens: EmergencyUI.screens(lang.screens) })) + ")";
      return entry.node;
    });
    columnsBox.replaceChildren(...nodes);
    columnsBox.dataset.count = String(nodes.length);
  }

  function changedSites() {
    document.getElementById("sites-error").hidden = true;
    renderColumns();
    save();
  }

  function bindField(id, key, onChange) {
    const node = document.getElementById(id);
    node.value = draft[key];
    if (node.tagName === "SELECT" && node.value !== draft[key]) node.selectedIndex = 0;
    draft[key] = node.value;
    node.addEventListener(node.tagName === "SELECT" ? "change" : "input", () => {
      draft[key] = node.value;
      if (onChange) onChange();
      save();
    });
    return node;
  }

  function syncTimes() {
    document.getElementById("start-at").hidden = draft.start !== "at";
    document.getElementById("ends-at").hidden = draft.duration !== "until";
    document.getElementById("when-error").hidden = true;
  }

  async function init() {
    restore();
    bindField("url", "url", () => { document.getElementById("url-error").hidden = true; });
    bindField("start", "start", syncTimes);
    bindField("start-at", "startAt", syncTimes);
    bindField("duration", "duration", syncTimes);
    bindField("ends-at", "endsAt", syncTimes);
    syncTimes();
    try {
      catalog = await EmergencyUI.sites();
    } catch (err) {
      sitesBox.replaceChildren(el("p", { class: "error" }, err.message));
      return;
    }
    EmergencyTargets.clean(catalog, draft);
    EmergencyTargets.render(sitesBox, allBox, catalog, draft, changedSites);
    renderColumns();
    form.dataset.ready = "true";
  }

  init();
  return { form, columns, draft: () => draft, LIMITS, chars, chosen, neededLanguages,
           clearDraft, catalog: () => catalog };
})();
