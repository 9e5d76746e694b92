/* Playlists list: every playlist the person may see, with its on-air and working
   versions, filtered as they type. Data: GET /api/v1/playlists and /api/v1/agencies. */
"use strict";
(() => {
  const { el, t } = Pano;
  const lang = Pano.config.lang;
  const rows = document.getElementById("pl-rows");
  const status = document.getElementById("pl-status");
  const search = document.getElementById("pl-search");
  const agencySelect = document.getElementById("pl-agency");
  const stateSelect = document.getElementById("pl-state");
  const themeNames = Object.fromEntries(JSON.parse(document.getElementById("pl-themes").textContent)
    .map((th) => [th.id, th.label]));
  const themeName = (id) => themeNames[id] || id;
  let playlists = [];
  let agencies = {};

  function agencyName(id) {
    const agency = agencies[id];
    if (!agency) return id || t("nothing");
    return agency.name[lang] || agency.name.vi || id;
  }

  function titles(p) {
    // Content is shown as stored, the Vietnamese name first.
    const vi = p.title.vi, en = p.title.en;
    return el("div", {},
      el("a", { href: "/panel/playlists/" + encodeURIComponent(p.id), class: "pl-name", lang: "vi" }, vi),
      en && en !== vi ? el("div", { class: "small muted", lang: "en" }, en) : null,
      el("div", { class: "small muted pl-id" }, p.id));
  }

  function workingBadge(p) {
    const w = p.working;
    if (!w) return el("span", { class: "muted" }, t("nothing"));
    if (w.state === "in_review") return el("span", { class: "badge info" }, t("review_v", { n: w.number }));
    if (w.rejection_reason) {
      return el("div", {},
        el("span", { class: "badge bad" }, t("rejected_v", { n: w.number })),
        el("div", { class: "small pl-reason" }, t("reason", { reason: w.rejection_reason })));
    }
    return el("span", { class: "badge warn" }, t("draft_v", { n: w.number }));
  }

  function matches(p) {
    const q = search.value.trim().toLowerCase();
    if (q) {
      const hay = [p.id, p.title.vi, p.title.en, agencyName(p.agency), ...(p.themes || []), ...(p.themes || []).map(themeName)]
        .join(" ").toLowerCase();
      if (!hay.includes(q)) return false;
    }
    if (agencySelect.value && p.agency !== agencySelect.value) return false;
    const s = stateSelect.value;
    const w = p.working;
    if (s === "on_air" && !p.on_air) return false;
    if (s === "off_air" && p.on_air) return false;
    if (s === "draft" && !(w && w.state === "draft")) return false;
    if (s === "in_review" && !(w && w.state === "in_review")) return false;
    if (s === "rejected" && !(w && w.rejection_reason)) return false;
    return true;
  }

  function render() {
    const shown = playlists.filter(matches);
    rows.replaceChildren(...shown.map((p) => el("tr", { dataset: { playlist: p.id } },
      el("td", {}, titles(p)),
      el("td", {}, agencyName(p.agency)),
      el("td", {}, (p.themes || []).length
        ? el("div", { class: "pl-tags" }, p.themes.map((th) => el("span", { class: "badge muted", dataset: { theme: th } }, themeName(th))))
        : el("span", { class: "muted" }, t("nothing"))),
      el("td", {}, p.on_air  // approved is not on air: the screens say (static/on_air.js)
        ? [el("span", { class: "badge ok" }, t("on_air_v", { n: p.on_air })), " ", PanoOnAir.words(p.id, p.on_air)]
        : el("span", { class: "badge muted" }, t("not_on_air"))),
      el("td", {}, workingBadge(p)),
      el("td", { class: "small" }, Pano.dateTime(p.updated_at)))));
    if (!playlists.length) status.textContent = t("empty");
    else if (!shown.length) status.textContent = t("none");
    else status.textContent = t("count", { shown: Pano.number(shown.length), total: Pano.number(playlists.length) });
  }

  async function load() {
    try {
      const [list, agencyList] = await Promise.all([
        Pano.api("GET", "/api/v1/playlists"), Pano.api("GET", "/api/v1/agencies")]);
      playlists = list.playlists;
      agencies = Object.fromEntries(agencyList.agencies.map((a) => [a.id, a]));
      const used = [...new Set(playlists.map((p) => p.agency).filter(Boolean))];
      agencySelect.append(...used.sort().map((id) => el("option", { value: id }, agencyName(id))));
      render();
    } catch (err) {
      status.textContent = t("load_failed", { message: err.message });
      status.className = "error";
    }
  }

  for (const input of [search, agencySelect, stateSelect]) input.addEventListener("input", render);
  load();
})();
