/* /panel/sources: every data source with its state in words (GET /api/v1/sources),
   read again every 15 s; for administrators, add and change a source in a dialog
   (POST /api/v1/sources, PATCH /api/v1/sources/<id>: the controller checks the
   address against its allowed hosts and the limits, and its refusal is shown as it
   says it), disable or enable one (PATCH {"disabled"}) and fetch one now (POST
   …/refresh). After saving, the entry to write into config/sources.yaml is shown. */
"use strict";
(() => {
  const { el, t } = Pano;
  const cfg = JSON.parse(document.getElementById("src-config").textContent);
  const lang = Pano.config.lang;
  const $ = (id) => document.getElementById(id);
  const rows = $("src-rows");
  const ID_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])$/;
  let sources = [];
  let editing = null;  // the source being changed, null when adding

  const nameOf = (s) => (s.names && (s.names[lang] || s.names.vi || s.names.en)) || s.id;
  const isDisabled = (s) => Boolean(s.options && s.options.disabled);

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "";
    for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
      if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
    }
    return `${seconds}s`;
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return t("never");
    if (seconds < 90) return t("age_seconds", { n: Pano.number(Math.round(seconds), 0) });
    if (seconds < 5400) return t("age_minutes", { n: Pano.number(Math.round(seconds / 60), 0) });
    if (seconds < 172800) return t("age_hours", { n: Pano.number(Math.round(seconds / 3600), 0) });
    return t("age_days", { n: Pano.number(Math.round(seconds / 86400), 0) });
  }

  /* The controller says the error in the panel's language; an HTTP reason phrase in it
     ("Internal Server Error") is the feed's server's own English, marked as such. */
  function errorWords(text) {
    const m = /^(.*HTTP \d{3}) ([A-Za-z][A-Za-z -]*)$/.exec(text);
    return m ? [m[1] + " ", el("span", { lang: "en" }, m[2])] : [text];
  }

  function stateBadge(s) {
    const state = isDisabled(s) ? "disabled" : s.status;
    const kind = { ok: "ok", error: "bad", pending: "warn", disabled: "muted" }[state] || "muted";
    return el("span", { class: "badge " + kind, dataset: { testid: "source-state", state } }, t("status_" + state));
  }

  async function act(button, work) {
    button.disabled = true;
    try { await work(); } catch (err) { Pano.toast(err.message, "bad"); } finally { button.disabled = false; }
  }

  function actions(s) {
    if (!cfg.may_edit) return null;
    const refresh = el("button", { type: "button", dataset: { testid: "refresh" } }, t("refresh"));
    refresh.addEventListener("click", () => act(refresh, async () => {
      refresh.textContent = t("refreshing");
      const after = await Pano.api("POST", `/api/v1/sources/${encodeURIComponent(s.id)}/refresh`);
      refresh.textContent = t("refresh");
      if (after.status === "ok") Pano.toast(t("refreshed_ok", { name: nameOf(after) }), "ok");
      else Pano.toast(t("refreshed_error", { name: nameOf(after) }), "bad");
      await load();
    }));
    const edit = el("button", { type: "button", dataset: { testid: "edit" }, onclick: () => open(s) }, t("edit"));
    const off = isDisabled(s);
    const toggle = el("button", { type: "button", class: off ? "" : "danger", dataset: { testid: off ? "enable" : "disable" } },
      off ? t("enable") : t("disable"));
    toggle.addEventListener("click", () => act(toggle, async () => {
      if (!off && !window.confirm(t("disable_confirm", { name: nameOf(s) }))) return;
      await Pano.api("PATCH", `/api/v1/sources/${encodeURIComponent(s.id)}`, { disabled: !off });
      Pano.toast(t(off ? "enabled_toast" : "disabled_toast", { name: nameOf(s) }), "ok");
      await load();
    }));
    return el("div", { class: "src-actions" }, refresh, edit, toggle);
  }

  function row(s) {
    return el("tr", { dataset: { source: s.id }, class: isDisabled(s) ? "is-disabled" : s.stale ? "is-stale" : "" },
      el("td", {}, el("div", { class: "src-name" }, nameOf(s)),
        el("div", { class: "small muted" }, el("code", {}, s.id), " · ", t("kind_" + s.kind), " · ", t("every", { t: duration(s.every) }))),
      el("td", {}, stateBadge(s),
        s.failures > 1 ? el("div", { class: "small muted" }, t("failures", { n: Pano.number(s.failures, 0) })) : null),
      el("td", { class: "small" }, s.last_attempt_at ? Pano.dateTime(s.last_attempt_at) : t("never")),
      el("td", { class: "small" }, el("div", {}, age(s.age)),
        s.kind === "cap" ? null : el("div", { class: s.stale ? "src-stale" : "src-fresh", dataset: { testid: "source-data" } },
          s.stale ? t("stale") : t("fresh")),
        s.record_count !== null && s.record_count !== undefined
          ? el("div", { class: "muted" }, t("records", { n: Pano.number(s.record_count, 0) })) : null),
      el("td", { class: "small src-error-cell" },
        s.last_error ? el("div", { class: "src-last-error", dataset: { testid: "source-error" } }, ...errorWords(s.last_error)) : "—",
        s.last_error_at ? el("div", { class: "muted" }, t("last_error_at", { time: Pano.dateTime(s.last_error_at) })) : null,
        s.note ? el("div", { class: "muted" }, s.note) : null),
      el("td", { class: "actions" }, actions(s)));
  }

  async function load() {
    try {
      const answer = await Pano.api("GET", "/api/v1/sources");
      sources = answer.sources;
      rows.replaceChildren(...(sources.length ? sources.map(row)
        : [el("tr", {}, el("td", { colspan: "6", class: "muted" }, t("no_sources")))]));
      $("src-error").hidden = true;
    } catch (err) {
      $("src-error").textContent = t("load_failed", { message: err.message });
      $("src-error").hidden = false;
    }
    document.querySelector(".src-table").setAttribute("aria-busy", "false");
  }

  /* ---- the dialog (administrators) ---- */
  const dialog = $("src-dialog");
  if (dialog) {
    $("src-kind").replaceChildren(...cfg.kinds.map((k) => el("option", { value: k }, t("kind_" + k))));
    const showOptions = () => {
      for (const box of document.querySelectorAll("#src-options [data-kinds]")) {
        box.hidden = !box.dataset.kinds.split(" ").includes($("src-kind").value);
      }
    };
    $("src-kind").addEventListener("change", showOptions);
    $("src-cancel").addEventListener("click", () => dialog.close());
    $("src-saved-close").addEventListener("click", () => $("src-saved").close());
    $("src-add").addEventListener("click", () => open(null));

    window.SourcesPage = { showOptions };
    $("src-form").addEventListener("submit", (ev) => { ev.preventDefault(); save(); });
  }

  function open(s) {
    editing = s;
    const d = s ? s : { kind: "json", names: {}, options: {} };
    const options = d.options || {};
    $("src-dialog-title").textContent = s ? t("edit_title", { name: nameOf(s) }) : t("add_title");
    $("src-id").value = s ? s.id : "";
    $("src-id").readOnly = Boolean(s);
    $("src-kind").value = d.kind;
    $("src-url").value = d.url || "";
    $("src-name-vi").value = (d.names || {}).vi || "";
    $("src-name-en").value = (d.names || {}).en || "";
    $("src-every").value = s ? duration(s.every) : "";
    // Empty means the default (three polls), which then follows a changed interval.
    $("src-stale").value = s && s.stale_after !== Math.min(3 * s.every, 30 * 86400) ? duration(s.stale_after) : "";
    $("src-timeout").value = s ? String(s.timeout) : "";
    $("src-max").value = s ? String(Math.round(s.max_bytes / 1024)) : "";
    $("src-records").value = options.records || "";
    $("src-updated").value = options.updated || "";
    $("src-delimiter").value = options.delimiter || ",";
    $("src-window").value = options.window_days ? String(options.window_days) : "";
    $("src-form-error").hidden = true;
    window.SourcesPage.showOptions();
    dialog.showModal();
  }

  function fail(message) {
    $("src-form-error").textContent = message;
    $("src-form-error").hidden = false;
  }

  function body() {
    const kind = $("src-kind").value;
    const out = { kind, url: $("src-url").value.trim(),
      name: Object.assign({}, editing ? editing.names : {}, { vi: $("src-name-vi").value.trim(), en: $("src-name-en").value.trim() }),
      every: $("src-every").value.trim() };
    if (!editing) out.id = $("src-id").value.trim();
    const stale = $("src-stale").value.trim();
    if (stale) out.stale_after = stale;
    const timeout = $("src-timeout").value.trim();
    if (timeout) out.timeout = Number(timeout.replace(",", "."));
    const kib = $("src-max").value.trim();
    if (kib) out.max_bytes = Math.round(Number(kib) * 1024);
    if (kind === "json") {
      for (const [key, id] of [["records", "src-records"], ["updated", "src-updated"]]) {
        const v = $(id).value.trim();
        out[key] = v || null;
      }
    }
    if (kind === "csv") out.delimiter = $("src-delimiter").value;
    if (kind === "ical") { const w = $("src-window").value.trim(); if (w) out.window_days = Number(w); }
    return out;
  }

  /* What the page can tell before asking: the rest (allowed hosts, limits) the
     controller says. */
  function precheck(b) {
    if (!editing && !ID_RE.test(b.id || "")) return t("bad_id");
    if (!/^https?:\/\//i.test(b.url)) return t("bad_url");
    if (!b.name.vi) return t("need_name", { lang: t("lang_vi") });
    if (!b.name.en) return t("need_name", { lang: t("lang_en") });
    if (!b.every) return t("need_field", { field: document.querySelector("label[for=src-every]").textContent });
    if (b.timeout !== undefined && !(b.timeout >= 0.5 && b.timeout <= 60)) {
      return t("bad_number", { field: document.querySelector("label[for=src-timeout]").textContent, low: 0.5, high: 60 });
    }
    if (b.max_bytes !== undefined && !(b.max_bytes >= 1024 && b.max_bytes <= 16 * 1024 * 1024)) {
      return t("bad_number", { field: document.querySelector("label[for=src-max]").textContent, low: 1, high: 16384 });
    }
    return null;
  }

  async function save() {
    const b = body();
    const problem = precheck(b);
    if (problem) { fail(problem); return; }
    // Kind options the JSON kind does not take are left out when empty.
    for (const key of ["records", "updated"]) if (b[key] === null) delete b[key];
    $("src-save").disabled = true;
    try {
      const answer = editing
        ? await Pano.api("PATCH", `/api/v1/sources/${encodeURIComponent(editing.id)}`, b)
        : await Pano.api("POST", "/api/v1/sources", b);
      dialog.close();
      $("src-saved-title").textContent = t(editing ? "saved" : "saved_new", { name: nameOf(answer) });
      $("src-saved-note").textContent = t("copy_note");
      $("src-saved-yaml").textContent = "  - " + JSON.stringify(answer.declaration);
      $("src-saved").showModal();
      await load();
    } catch (err) {
      fail(err.message);
    } finally {
      $("src-save").disabled = false;
    }
  }

  load();
  setInterval(() => { if (!dialog || !dialog.open) load(); }, 15000);
})();
