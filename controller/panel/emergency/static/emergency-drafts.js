/* /panel/emergency, "Official warnings": the emergency drafts made from CAP alerts
   (GET /api/v1/emergency-drafts, docs/cap.md). Each shows the agency's text in the
   languages the alert carries, its area (the sites it covers), severity, urgency,
   certainty and expiry; a person who may send completes the missing languages and
   sends it (POST …/send, the same checks as any emergency) or dismisses it. Drafts the
   agency updated or cancelled say so. Read again every 20 s, except while someone is
   typing in a draft. */
"use strict";
(() => {
  const { el, t } = Pano;
  const box = document.getElementById("cap-drafts");
  if (!box) return;
  const maySend = Boolean(EmergencyUI.config.maySend);
  const STATUS_KIND = { waiting: "warn", sent: "ok", dismissed: "muted", cancelled: "bad" };
  const SEVERITY_KIND = { Extreme: "bad", Severe: "bad", Moderate: "warn", Minor: "info" };
  const edits = new Map();  // draft id -> {lang: {title, body}} typed by the person
  let catalog = null;
  let last = "";

  const word = (prefix, value) => (value ? t(prefix + value) : "—");

  function languages(draft) {
    const codes = [...Object.keys(draft.messages || {}), ...(draft.missing_languages || [])];
    const order = catalog.languages.map((l) => l.code);
    return [...new Set(codes)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }

  function column(draft, code, editable) {
    const given = (draft.messages || {})[code];
    const typed = (edits.get(draft.id) || {})[code] || {};
    const missing = (draft.missing_languages || []).includes(code);
    const id = `cap-${draft.id}-${code}`;
    const input = (key, multiline) => {
      const value = typed[key] !== undefined ? typed[key] : (given && given[key]) || "";
      const attrs = { id: `${id}-${key}`, lang: code, readonly: !editable, dataset: { field: key },
        maxlength: key === "title" ? "200" : "1000", value: multiline ? null : value };
      const node = multiline ? el("textarea", attrs, value) : el("input", attrs);
      node.addEventListener("input", () => {
        const mine = edits.get(draft.id) || {};
        (mine[code] ||= {})[key] = node.value;
        edits.set(draft.id, mine);
      });
      return node;
    };
    return el("div", { class: "lang-column cap-lang" + (missing ? " missing" : ""), dataset: { lang: code } },
      el("h3", {}, EmergencyUI.languageName(catalog, code), " ",
        missing ? el("span", { class: "badge warn" }, t("cap_missing"))
          : el("span", { class: "badge muted" }, t("cap_from_alert"))),
      el("label", { for: `${id}-title` }, t("title")), input("title", false),
      el("label", { for: `${id}-body` }, t("body")), input("body", true));
  }

  function facts(draft) {
    const sites = (draft.sites || []).map((s) => EmergencyUI.siteName(catalog, s)).join(", ") || "—";
    const pairs = [
      [t("cap_severity"), el("span", { class: "badge " + (SEVERITY_KIND[draft.severity] || "muted") }, word("sev_", draft.severity))],
      [t("cap_urgency"), word("urg_", draft.urgency)],
      [t("cap_certainty"), word("cer_", draft.certainty)],
      [t("cap_expires"), draft.expires_at ? Pano.dateTime(draft.expires_at) : "—"],
      [t("cap_area"), sites],
    ];
    if (draft.url) pairs.push([t("cap_link"), el("span", { class: "cap-url" }, draft.url)]);
    if (draft.note) pairs.push([t("cap_note"), draft.note]);
    return el("dl", { class: "cap-facts" }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  async function send(draft, card) {
    const errorBox = card.querySelector(".cap-error");
    errorBox.hidden = true;
    const typed = edits.get(draft.id) || {};
    const missing = (draft.missing_languages || []).filter((code) => !((typed[code] || {}).title || "").trim());
    if (missing.length) {
      errorBox.textContent = t("cap_need_all", { langs: missing.map((c) => EmergencyUI.languageName(catalog, c)).join(", ") });
      errorBox.hidden = false;
      return;
    }
    const messages = {};
    for (const [code, texts] of Object.entries(typed)) {
      const given = (draft.messages || {})[code] || {};
      const title = (texts.title !== undefined ? texts.title : given.title || "").trim();
      const body = (texts.body !== undefined ? texts.body : given.body || "").trim();
      messages[code] = body ? { title, body } : { title };
    }
    card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      const answer = await Pano.api("POST", `/api/v1/emergency-drafts/${draft.id}/send`, { messages });
      edits.delete(draft.id);
      Pano.toast(t("cap_sent_toast"), "ok");
      await load(true);
      return answer;
    } catch (err) {
      errorBox.textContent = t("cap_refused", { message: err.message });
      errorBox.hidden = false;
      card.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
    return null;
  }

  async function dismiss(draft) {
    if (!window.confirm(t("cap_dismiss_confirm"))) return;
    try {
      await Pano.api("POST", `/api/v1/emergency-drafts/${draft.id}/dismiss`);
      edits.delete(draft.id);
      Pano.toast(t("cap_dismissed_toast"), "ok");
    } catch (err) {
      Pano.toast(err.message, "bad");
    }
    await load(true);
  }

  function card(draft) {
    const waiting = draft.status === "waiting";
    const editable = waiting && maySend;
    const expired = draft.expires_at && new Date(draft.expires_at) < new Date();
    const heading = ((draft.messages || {})[Pano.config.lang] || (draft.messages || {}).vi
      || (draft.messages || {}).en || {}).title || draft.event || "#" + draft.id;
    const updated = draft.updated_at && draft.created_at && draft.updated_at !== draft.created_at;
    const node = el("article", { class: "card cap-draft status-" + draft.status,
      dataset: { draft: String(draft.id), testid: "cap-draft", status: draft.status } },
      el("div", { class: "cap-head" },
        el("h3", {}, heading),
        el("span", { class: "badge " + (STATUS_KIND[draft.status] || "muted"), dataset: { testid: "cap-status" } },
          t("cap_status_" + draft.status)),
        updated ? el("span", { class: "badge info", dataset: { testid: "cap-updated" } },
          t("cap_updated", { time: Pano.dateTime(draft.updated_at) })) : null),
      el("p", { class: "small muted" }, t("cap_from", { source: draft.source || "—", time: Pano.dateTime(draft.created_at) })),
      (draft.replaces || []).length ? el("p", { class: "notice small", dataset: { testid: "cap-replaces" } },
        t("cap_replaces", { list: draft.replaces.map((n) => "#" + n).join(", ") })) : null,
      facts(draft),
      waiting && (draft.missing_languages || []).length ? el("p", { class: "warning small" },
        t("cap_missing_list", { langs: draft.missing_languages.map((c) => EmergencyUI.languageName(catalog, c)).join(", ") })) : null,
      waiting && expired ? el("p", { class: "warning small" }, t("cap_expired")) : null,
      el("div", { class: "side-by-side lang-columns cap-texts" }, languages(draft).map((c) => column(draft, c, editable))),
      el("p", { class: "error cap-error", role: "alert", hidden: true }));
    const actions = el("div", { class: "toolbar" }, el("span", { class: "spacer" }));
    if (draft.emergency_id) {
      actions.append(el("a", { class: "button", href: EmergencyUI.boardUrl(draft.emergency_id) }, t("cap_open_emergency")));
    }
    if (editable) {
      actions.append(
        el("button", { type: "button", dataset: { testid: "cap-dismiss" }, onclick: () => dismiss(draft) }, t("cap_dismiss")),
        el("button", { type: "button", class: "danger big", dataset: { testid: "cap-send" }, disabled: expired,
          onclick: () => send(draft, node) }, t("cap_send")));
    }
    node.append(actions);
    return node;
  }

  async function load(force) {
    try {
      catalog = catalog || await EmergencyUI.sites();
      const answer = await Pano.api("GET", "/api/v1/emergency-drafts?limit=20");
      const text = JSON.stringify(answer.drafts);
      if (!force && text === last) return;
      // Someone typing in a draft keeps their page; the next read after they send or
      // leave it brings the changes.
      if (!force && [...edits.keys()].length) return;
      last = text;
      const drafts = answer.drafts;
      const list = document.getElementById("cap-list");
      list.replaceChildren(...(drafts.length ? drafts.map(card)
        : [el("p", { class: "muted", dataset: { testid: "cap-none" } }, t("cap_none"))]));
      box.setAttribute("aria-busy", "false");
    } catch (err) {
      document.getElementById("cap-list").replaceChildren(
        el("p", { class: "error" }, t("cap_load_failed", { message: err.message })));
      box.setAttribute("aria-busy", "false");
    }
  }

  load(true);
  setInterval(() => load(false), 20000);
})();
