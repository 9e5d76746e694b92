/* Screens page: every screen grouped by site, kept up to date in place by the /panel
   Socket.IO namespace (topic "fleet", event "screens": {full, items, removed}).
   Rows are updated cell by cell, never rebuilt, so a button being pressed or a
   command's progress stays where it is while heartbeats arrive. */
"use strict";
(() => {
  const { el, t } = Pano;
  const F = FleetFormat;
  const screens = new Map();   // id -> latest summary
  const rows = new Map();      // id -> <tr>
  const groups = new Map();    // site id -> {section, tbody, title, count}
  const container = document.getElementById("fleet-groups");
  const siteFilter = document.getElementById("filter-site");
  const offlineFilter = document.getElementById("filter-offline");
  const searchFilter = document.getElementById("filter-search");
  const canAct = F.initial.can_act;
  const columns = ["screen", "status", "playing", "timeline", "device", "problems"]
    .concat(canAct ? ["actions"] : []);

  function group(s) {
    let g = groups.get(s.site);
    if (!g) {
      const title = el("h2", { class: "site-title" });
      const count = el("span", { class: "site-count muted small" });
      const tbody = el("tbody");
      const section = el("section", { class: "card site-group", dataset: { site: s.site } },
        el("div", { class: "site-head" }, title, count),
        el("div", { class: "table-wrap" },
           el("table", { class: "fleet-table" },
              el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", class: "c-" + c }, t("col_" + c))))),
              tbody)));
      g = { section, tbody, title, count };
      groups.set(s.site, g);
      const after = [...groups.keys()].filter((k) => k > s.site).sort()[0];
      container.insertBefore(section, after ? groups.get(after).section : null);
      const option = el("option", { value: s.site });
      const beforeOption = [...siteFilter.options].find((o) => o.value && o.value > s.site);
      siteFilter.insertBefore(option, beforeOption || null);
      g.option = option;
    }
    const name = F.primary(s.site_name) || s.site;
    const other = F.secondary(s.site_name);
    g.title.replaceChildren(name, other ? el("span", { class: "muted site-en" }, " · " + other) : "");
    g.option.textContent = other ? name + " · " + other : name;
    return g;
  }

  function newRow(s) {
    const tr = el("tr", { class: "screen-row", dataset: { screen: s.id } });
    for (const c of columns) tr.append(el("td", { class: "c-" + c, "data-label": t("col_" + c) }));
    if (canAct) {
      tr.querySelector(".c-actions").append(FleetCommands.controls(s));
      tr.querySelector(".c-actions .cmd-buttons").append(FleetTruth.control(s));  // fleet-truth.js
    }
    return tr;
  }

  function place(tr, s) {
    const g = group(s);
    if (tr.parentNode === g.tbody) return;
    const next = [...g.tbody.children].find((r) => r.dataset.screen > s.id);
    g.tbody.insertBefore(tr, next || null);
  }

  function fill(tr, s) {
    tr.classList.toggle("offline", !s.online);
    tr.classList.toggle("online", !!s.online);
    const screenCell = tr.querySelector(".c-screen");
    const other = F.secondary(s.name);
    screenCell.replaceChildren(
      el("strong", { class: "screen-name" }, F.primary(s.name) || s.id),
      other ? el("div", { class: "small muted" }, other) : "",
      el("code", { class: "screen-id small" }, s.id));
    const cells = F.cells(s);
    for (const [name, nodes] of Object.entries(cells)) {
      tr.querySelector(".c-" + name).replaceChildren(...nodes);
    }
    if (canAct) FleetCommands.update(tr.querySelector(".c-actions"), s);
  }

  function upsert(s) {
    screens.set(s.id, s);
    let tr = rows.get(s.id);
    if (!tr) {
      tr = newRow(s);
      rows.set(s.id, tr);
    }
    place(tr, s);
    fill(tr, s);
  }

  function remove(id) {
    const tr = rows.get(id);
    if (tr) tr.remove();
    rows.delete(id);
    screens.delete(id);
  }

  function dropEmptyGroups() {
    for (const [site, g] of groups) {
      if (!g.tbody.children.length) {
        g.section.remove();
        g.option.remove();
        groups.delete(site);
      }
    }
  }

  function matches(s, site, onlyOffline, words) {
    if (site && s.site !== site) return false;
    if (onlyOffline && s.online) return false;
    if (!words.length) return true;
    const text = F.fold([s.id, s.name && s.name.vi, s.name && s.name.en].join(" "));
    return words.every((w) => text.includes(w));
  }

  function applyFilters() {
    const site = siteFilter.value;
    const onlyOffline = offlineFilter.checked;
    const words = F.fold(searchFilter.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const [id, tr] of rows) {
      const visible = matches(screens.get(id), site, onlyOffline, words);
      tr.hidden = !visible;
      if (visible) shown += 1;
    }
    for (const [site, g] of groups) {
      const members = [...g.tbody.children].map((r) => screens.get(r.dataset.screen));
      const online = members.filter((s) => s.online).length;
      g.count.textContent = t("site_count", { online, total: members.length });
      g.section.hidden = ![...g.tbody.children].some((r) => !r.hidden);
      g.section.classList.toggle("has-offline", online < members.length);
    }
    document.getElementById("fleet-empty").hidden = shown > 0 || rows.size === 0;
    summarize();
  }

  function summarize() {
    const all = [...screens.values()];
    const online = all.filter((s) => s.online).length;
    const summary = document.getElementById("fleet-summary");
    const offline = all.length - online;
    summary.replaceChildren(
      el("span", { class: "badge ok", dataset: { count: online } },
         t("summary_online", { count: Pano.number(online, 0) })), " ",
      el("span", { class: "badge " + (offline ? "bad" : "muted"), dataset: { count: offline } },
         t("summary_offline", { count: Pano.number(offline, 0) })), " ",
      el("span", { class: "muted" }, t("summary_total", { count: Pano.number(all.length, 0) })));
    versions(all);
  }

  /* Players on different software: a warning naming each version and how many screens
     run it (most first), and the screens not on the most common one marked. Screens
     that never reported a version do not count (as GET /api/v1/screens "software"). */
  function versions(all) {
    const counts = new Map();
    for (const s of all) {
      const software = (s.facts || {}).software;
      if (software) counts.set(software, (counts.get(software) || 0) + 1);
    }
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const mixed = sorted.length > 1;
    const banner = document.getElementById("software-mixed");
    banner.hidden = !mixed;
    banner.textContent = mixed ? t("software_mixed", { versions: sorted.map(([software, n]) =>
      n === 1 ? t("software_count_one", { software })
              : t("software_count", { software, count: Pano.number(n, 0) })).join(", ") }) : "";
    for (const [id, tr] of rows) {
      const cell = tr.querySelector(".software");
      const software = ((screens.get(id) || {}).facts || {}).software;
      const odd = mixed && !!software && software !== sorted[0][0];
      if (!cell) continue;
      cell.classList.toggle("version-odd", odd);
      cell.title = odd ? t("software_odd_title") : "";
    }
  }

  function apply(update) {
    const items = (update && update.items) || {};
    if (update && update.full) {
      for (const id of [...rows.keys()]) if (!(id in items)) remove(id);
    }
    for (const id of (update && update.removed) || []) remove(id);
    for (const s of Object.values(items)) upsert(s);
    dropEmptyGroups();
    applyFilters();
  }

  /* --- the live connection ------------------------------------------------------ */
  const liveState = document.getElementById("live-state");
  function showLive(state) {
    const looks = { live: ["ok", "live_on", "live_on_title"], reconnecting: ["warn", "live_reconnecting", "live_reconnecting_title"],
                    off: ["bad", "live_off", null], connecting: ["muted", "live_connecting", null] }[state];
    liveState.className = "badge " + looks[0];
    liveState.dataset.state = state;
    liveState.textContent = t(looks[1]);
    liveState.title = looks[2] ? t(looks[2]) : "";
  }

  function connect() {
    const socket = Pano.live("/panel");
    if (!socket) {
      showLive("off");
      document.getElementById("live-missing").hidden = false;
      return;
    }
    socket.on("connect", () => {
      socket.emit("subscribe", { topic: "fleet" }, (answer) => {
        const refused = document.getElementById("live-refused");
        if (answer && answer.ok) {
          refused.hidden = true;
          showLive("live");
        } else {
          refused.textContent = t("live_refused", { message: (answer && answer.message) || "?" });
          refused.hidden = false;
          showLive("off");
        }
      });
    });
    socket.on("screens", apply);
    socket.on("disconnect", () => showLive("reconnecting"));
    socket.on("connect_error", () => showLive("reconnecting"));
  }

  // Filters apply as they change; Enter in the search box must not submit the form.
  document.getElementById("fleet-filters").addEventListener("submit", (event) => event.preventDefault());
  siteFilter.addEventListener("change", applyFilters);
  offlineFilter.addEventListener("change", applyFilters);
  searchFilter.addEventListener("input", applyFilters);
  apply({ full: true, items: F.initial.screens });
  setInterval(() => F.refreshTimes(container), 5000);
  connect();
})();
