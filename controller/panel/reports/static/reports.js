/* Reports (/panel/reports): GET /api/v1/reports/plays with the question in the page's
   URL (from, to, agency, site, screen, playlist, item, language, theme, group_by): totals,
   the grouped table, the three charts (SVG drawn by the controller), emergencies,
   availability per screen and the chain findings. Export buttons link to the yearly
   report (GET /api/v1/reports/ttdn) of the year the period starts in. */
"use strict";
(() => {
  const { el, t, api, number, dateTime } = Pano;
  const S = JSON.parse(document.getElementById("pano-strings").textContent);
  const lang = Pano.config.lang === "vi" ? "vi" : "en";
  const FILTERS = ["from", "to", "agency", "site", "screen", "playlist", "item", "language", "theme"];
  const params = new URLSearchParams(location.search);
  const given = Object.fromEntries(FILTERS.map((f) => [f, (params.get(f) || "").trim()]));
  const group = (params.get("group_by") || "").trim();
  let names = {};

  function fail(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function query(extra) {
    const q = new URLSearchParams();
    for (const f of FILTERS) if (given[f]) q.set(f, given[f]);
    for (const [k, v] of Object.entries(extra || {})) if (v) q.set(k, v);
    return q.toString();
  }

  function nameOf(kind, id) {
    const found = (names[kind] || {})[id];
    return found ? (found[lang] || id) : id;
  }

  function keyLabel(key) {
    if (key === "") return t("none");
    if (group === "agency" || group === "site" || group === "screen" || group === "playlist") {
      return nameOf(group, key);
    }
    return key;
  }

  function percent(ratio) {
    return ratio === null || ratio === undefined ? "—" : number(100 * ratio, 1) + " %";
  }

  function showTotals(body) {
    const totals = body.totals;
    document.getElementById("total-plays").textContent = number(totals.plays, 0);
    document.getElementById("total-hours").textContent = number(totals.airtime_hours, 2);
    document.getElementById("total-qr").textContent = number(totals.qr_scans, 0);
    document.getElementById("total-availability").textContent = percent(body.availability.overall);
  }

  function showRows(body) {
    const wrap = document.getElementById("rows-wrap");
    wrap.hidden = !group;
    if (!group) return;
    document.getElementById("group-heading").textContent = S.group_names[group] || group;
    const rows = body.rows.map((row) => el("tr", { dataset: { key: row.key[group] } },
      el("td", {}, keyLabel(row.key[group])),
      el("td", { class: "n" }, number(row.plays, 0)),
      el("td", { class: "n" }, number(row.airtime_hours, 2)),
      el("td", { class: "n" }, percent(row.share)),
      el("td", { class: "n" }, number(row.qr_scans, 0))));
    document.querySelector("#rows tbody").replaceChildren(...rows);
  }

  function showCharts() {
    const q = query({ lang });
    document.getElementById("chart-theme").src = "/api/v1/reports/charts/airtime_by_theme.svg?" + q;
    document.getElementById("chart-availability").src = "/api/v1/reports/charts/availability_by_site.svg?" + q;
    document.getElementById("chart-language").src = "/api/v1/reports/charts/plays_by_language.svg?" + q;
  }

  function showEmergencies(list) {
    const body = document.querySelector("#emergencies tbody");
    if (!list.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "muted" }, t("no_emergencies"))));
      return;
    }
    body.replaceChildren(...list.map((e) => el("tr", {},
      el("td", {}, e.title[lang] || e.title.vi || ""),
      el("td", {}, dateTime(e.starts_at)),
      el("td", { class: "n" }, `${e.screens_reached} / ${e.screens_targeted}`),
      el("td", { class: "n" }, number(e.first_screen_seconds, 1)),
      el("td", { class: "n" }, number(e.last_screen_seconds, 1)))));
  }

  function showAvailability(screens) {
    document.querySelector("#availability tbody").replaceChildren(...screens.map((s) =>
      el("tr", {}, el("td", {}, nameOf("screen", s.screen)), el("td", {}, nameOf("site", s.site)),
        el("td", { class: "n" }, percent(s.availability)))));
  }

  function showFindings(findings) {
    document.getElementById("findings-none").hidden = findings.count > 0;
    document.getElementById("findings").replaceChildren(...findings.items.map((f) =>
      el("li", {}, dateTime(f.about_at || f.found_at), " — ",
        t("finding", { kind: f.kind, screen: nameOf("screen", f.screen), detail: f.detail }))));
  }

  function exportLinks() {
    const year = (given.from || new Date().toISOString()).slice(0, 4);
    for (const format of ["pdf", "csv", "html"]) {
      const q = new URLSearchParams({ year, format, lang });
      if (given.agency) q.set("agency", given.agency);
      document.getElementById("export-" + format).href = "/api/v1/reports/ttdn?" + q;
    }
  }

  async function load() {
    document.getElementById("f-group").value = group;
    exportLinks();
    if (given.from && given.to && given.from > given.to) {
      document.getElementById("loading").hidden = true;
      fail(t("from_after_to"));
      return;
    }
    try {
      const body = await api("GET", "/api/v1/reports/plays?" + query({ group_by: group }));
      names = body.names;
      showTotals(body);
      showRows(body);
      showCharts();
      showEmergencies(body.emergencies);
      showAvailability(body.availability.screens);
      showFindings(body.findings);
      document.getElementById("report").hidden = false;
    } catch (err) {
      fail(err.message);
    } finally {
      document.getElementById("loading").hidden = true;
    }
  }

  load();
})();
