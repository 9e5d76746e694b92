/* Audit log (/panel/audit): GET /api/v1/audit with the search in the page's URL
   (actor, agency, action, object_type, object_id, from, to), newest first, 50 at a
   time with "Older entries", and one entry's before/after in a dialog. Dates are
   days in the panel's time zone (Asia/Ho_Chi_Minh). Field names, states, roles and
   other values are said in words (audit_words.js). */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const S = JSON.parse(document.getElementById("pano-strings").textContent);
  const PAGE = 50;
  const FILTERS = ["actor", "agency", "action", "object_type", "object_id", "from", "to"];
  const vi = Pano.config.lang === "vi";
  const params = new URLSearchParams(location.search);
  const given = Object.fromEntries(FILTERS.map((f) => [f, (params.get(f) || "").trim()]));
  const form = document.getElementById("filters");
  const body = document.querySelector("#entries tbody");
  const more = document.getElementById("more");
  let agencies = {};
  let nextBefore = null;
  let shown = 0;
  const actors = new Set();

  function fail(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function actionLabel(action) { return S.actions[action] || action; }
  function objectLabel(type) { return S.objects[type] || type; }
  function agencyName(id) {
    const a = agencies[id];
    return a ? ((vi ? a.name.vi : a.name.en) || id) : id;
  }

  /* A link to this page with the current search plus `changes`. */
  function searchLink(changes) {
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      const value = f in changes ? changes[f] : given[f];
      if (value) next.set(f, value);
    }
    return location.pathname + "?" + next.toString();
  }

  function fillSelect(select, options, value) {
    const keep = select.querySelector("option[value='']");
    select.replaceChildren(keep);
    for (const group of options) {
      const parent = group.label ? el("optgroup", { label: group.label }) : select;
      for (const [v, label] of group.options) parent.append(el("option", { value: v }, label));
      if (parent !== select) select.append(parent);
    }
    if (value && !Array.from(select.options).some((o) => o.value === value)) {
      select.append(el("option", { value }, value));
    }
    select.value = value || "";
  }

  function fillFilters() {
    const groups = {};
    for (const action of Object.keys(S.actions)) {
      const prefix = action.split(".")[0];
      const group = ["playlist", "schedule", "emergency", "agency"].includes(prefix) ? prefix
        : ["user", "credential"].includes(prefix) ? "user" : "other";
      (groups[group] = groups[group] || []).push([action, actionLabel(action)]);
    }
    fillSelect(document.getElementById("f-action"),
      Object.keys(S.groups).filter((g) => groups[g]).map((g) => ({ label: S.groups[g], options: groups[g] })),
      given.action);
    fillSelect(document.getElementById("f-object-type"),
      [{ options: Object.keys(S.objects).map((o) => [o, objectLabel(o)]) }], given.object_type);
  }

  function fillAgencies(list) {
    agencies = Object.fromEntries(list.map((a) => [a.id, a]));
    const select = document.getElementById("f-agency");
    const me = Pano.config.user;
    const mine = agencies[me.agency];
    if (me.role === "approver" && !(mine && mine.lead)) {
      fillSelect(select, [{ options: mine ? [[mine.id, agencyName(mine.id)]] : [] }], given.agency);
      document.getElementById("scope-note").textContent =
        t("own_agency_only", { agency: mine ? agencyName(mine.id) : "—" });
      return;
    }
    fillSelect(select, [{ options: list.map((a) => [a.id, agencyName(a.id)]) }], given.agency);
  }

  function addActors(names) {
    const list = document.getElementById("actors");
    for (const name of names) {
      if (!name || actors.has(name)) continue;
      actors.add(name);
      list.append(el("option", { value: name }));
    }
  }

  const W = AuditWords;
  // An agency is said by its name, as in the Agency column; other values in words.
  const words = (field, value) => (/(^|\.)agency$/.test(field) && typeof value === "string" && agencies[value]
    ? agencyName(value) : W.value(field, value));
  const shortWords = (f, value) => AuditFormat.clip(words(f.field, value));

  function summaryCell(entry) {
    const s = AuditFormat.summary(entry);
    const lines = s.fields.slice(0, 3).map((f) => el("div", { class: "sum-line", dataset: { field: f.field } },
      el("span", { class: "sum-field" }, W.field(f.field) + ": "),
      s.kind === "change"
        ? [f.before !== undefined ? el("del", {}, shortWords(f, f.before)) : el("span", { class: "muted" }, t("created")),
           " → ",
           f.after !== undefined ? el("ins", {}, shortWords(f, f.after)) : el("span", { class: "muted" }, t("removed"))]
        : shortWords(f, s.kind === "after" ? f.after : f.before)));
    if (s.fields.length > 3) lines.push(el("div", { class: "muted small" }, t("more_fields", { n: s.fields.length - 3 })));
    if (entry.note) lines.push(el("div", { class: "sum-note" }, t("reason", { text: W.note(entry.note) })));
    return el("td", { class: "summary" }, lines);
  }

  function row(entry) {
    const objectText = entry.object.id;
    return el("tr", { dataset: { id: String(entry.id), action: entry.action, actor: entry.actor } },
      el("td", { class: "nowrap" }, Pano.dateTime(entry.at, true)),
      el("td", {}, el("a", { href: searchLink({ actor: entry.actor }), title: t("filter_person", { name: W.actor(entry.actor) }) }, W.actor(entry.actor))),
      el("td", {}, entry.agency ? agencyName(entry.agency) : "—"),
      el("td", {}, el("div", {}, actionLabel(entry.action)), el("div", { class: "mono muted small" }, entry.action)),
      el("td", { class: "object" }, el("div", { class: "muted small" }, objectLabel(entry.object.type)),
         el("a", { class: "mono", href: searchLink({ object_type: entry.object.type, object_id: entry.object.id }),
                   title: t("filter_object", { object: objectText }) }, objectText)),
      summaryCell(entry),
      el("td", { class: "actions" }, el("button", { type: "button", class: "details", onclick: () => openEntry(entry) }, S.details)));
  }

  function valueCell(name, value, present) {
    if (!present) return el("td", { class: "muted" }, "—");
    return el("td", {}, el("span", { class: "value" }, words(name, value)));
  }

  function fact(label, ...value) { return [el("dt", {}, label), el("dd", {}, ...value)]; }

  function openEntry(entry) {
    const dialog = document.getElementById("entry-dialog");
    document.getElementById("entry-heading").textContent =
      t("entry_title", { action: actionLabel(entry.action), object: entry.object.id });
    document.getElementById("entry-facts").replaceChildren(
      ...fact(S.time, Pano.dateTime(entry.at, true)),
      ...fact(S.person, W.actor(entry.actor)),
      ...fact(S.agency, entry.agency ? agencyName(entry.agency) : "—"),
      ...fact(S.action, actionLabel(entry.action), " ", el("span", { class: "mono muted small" }, entry.action)),
      ...fact(S.object, objectLabel(entry.object.type), " ", el("span", { class: "mono" }, entry.object.id)),
      ...fact(S.entry_id, String(entry.id)));
    const note = document.getElementById("entry-note");
    note.textContent = entry.note ? t("reason", { text: W.note(entry.note) }) : "";
    note.hidden = !entry.note;
    const before = AuditFormat.flatten(entry.before || {});
    const after = AuditFormat.flatten(entry.after || {});
    const rows = AuditFormat.fields(entry).map((f) => el("tr", { class: f.changed && entry.before && entry.after ? "changed" : "" },
      el("th", { scope: "row" }, W.field(f.field)),
      valueCell(f.field, f.before, f.field in before), valueCell(f.field, f.after, f.field in after)));
    document.querySelector("#entry-fields tbody").replaceChildren(
      ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "3", class: "muted" }, t("no_fields")))]));
    document.getElementById("entry-raw").textContent =
      JSON.stringify({ before: entry.before, after: entry.after, note: entry.note }, null, 2);
    dialog.showModal();
  }

  function query(beforeId) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const f of ["actor", "agency", "action", "object_type", "object_id"]) if (given[f]) q.set(f, given[f]);
    const range = AuditFormat.range(given.from, given.to, Pano.config.timezone);
    for (const [k, v] of Object.entries(range)) q.set(k, v);
    if (beforeId) q.set("before_id", String(beforeId));
    return "/api/v1/audit?" + q.toString();
  }

  async function load(beforeId) {
    fail("");
    more.disabled = true;
    try {
      const page = await api("GET", query(beforeId));
      body.append(...page.entries.map(row));
      shown += page.entries.length;
      addActors(page.entries.map((e) => e.actor));
      nextBefore = page.next_before_id;
      more.hidden = nextBefore === null;
      document.getElementById("entries-wrap").hidden = shown === 0;
      document.getElementById("empty").hidden = shown !== 0;
      document.getElementById("count").textContent =
        t(nextBefore === null ? "count" : "count_more", { n: Pano.number(shown, 0) });
    } catch (err) {
      fail(err.message);
    } finally {
      more.disabled = false;
      document.getElementById("loading").hidden = true;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(FILTERS.map((f) => [f, (form.elements[f].value || "").trim()]));
    if (values.from && values.to && values.from > values.to) {
      fail(t("from_after_to"));
      form.elements.from.focus();
      return;
    }
    Object.assign(given, values);
    location.assign(searchLink({}));
  });
  more.addEventListener("click", () => load(nextBefore));
  document.getElementById("entry-close").addEventListener("click", () => document.getElementById("entry-dialog").close());

  async function start() {
    fillFilters();
    const me = Pano.config.user;
    const [agencyList, users] = await Promise.all([
      api("GET", "/api/v1/agencies").catch(() => ({ agencies: [] })),
      me.role === "admin" ? api("GET", "/api/v1/users").catch(() => ({ users: [] })) : { users: [] },
    ]);
    fillAgencies(agencyList.agencies);
    addActors(users.users.map((u) => u.username));
    if (given.from && given.to && given.from > given.to) {
      fail(t("from_after_to"));
      document.getElementById("loading").hidden = true;
      return;
    }
    await load(null);
  }
  start();
})();
