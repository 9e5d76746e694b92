/* /panel/emergency, step 1 "Where": one checkbox per site and, under it, a "Choose
   screens…" disclosure with one checkbox per screen of the site. The draft keeps
   draft.sites (whole sites: sent as site targets, so screens added to the site later
   are reached too) and draft.screens (the ticked screens of sites only partly chosen).
   Ticking a site ticks all its screens; unticking some of them turns the site into its
   ticked screens; ticking all of them again makes it a whole site.
   EmergencyTargets.chosen(catalog, draft)   [{site, screens, whole}] in catalog order
   EmergencyTargets.targets(catalog, draft)  {sites, screens} for POST /api/v1/emergencies
   EmergencyTargets.clean(catalog, draft)    drops unknown or doubled ids of a saved draft
   EmergencyTargets.render(box, allBox, catalog, draft, onChange)   builds and binds */
"use strict";
const EmergencyTargets = (() => {
  const { el, t } = Pano;
  const lang = Pano.config.lang;
  const other = lang === "vi" ? "en" : "vi";

  function chosen(catalog, draft) {
    const result = [];
    for (const site of catalog.sites) {
      if (draft.sites.includes(site.id)) {
        result.push({ site, screens: site.screens, whole: true });
        continue;
      }
      const screens = site.screens.filter((s) => draft.screens.includes(s.id));
      if (screens.length) result.push({ site, screens, whole: false });
    }
    return result;
  }

  function targets(catalog, draft) {
    const picked = chosen(catalog, draft);
    return { sites: picked.filter((c) => c.whole).map((c) => c.site.id),
             screens: picked.filter((c) => !c.whole).flatMap((c) => c.screens.map((s) => s.id)) };
  }

  function clean(catalog, draft) {
    if (!Array.isArray(draft.sites)) draft.sites = [];
    if (!Array.isArray(draft.screens)) draft.screens = [];
    const known = new Set(catalog.sites.map((s) => s.id));
    draft.sites = draft.sites.filter((id) => known.has(id));
    const partly = catalog.sites.filter((s) => !draft.sites.includes(s.id))
      .flatMap((s) => s.screens.map((screen) => screen.id));
    draft.screens = draft.screens.filter((id) => partly.includes(id));
  }

  /* Makes the ticked screens of ``site`` the draft's choice for it. */
  function choose(catalog, draft, site, ticked, wholeSite) {
    const ids = site.screens.map((s) => s.id);
    const whole = wholeSite || (ticked.length > 0 && ticked.length === ids.length);
    draft.sites = catalog.sites.map((s) => s.id).filter((id) =>
      id === site.id ? whole : draft.sites.includes(id));
    draft.screens = draft.screens.filter((id) => !ids.includes(id))
      .concat(whole ? [] : ticked);
  }

  function screenRow(screen) {
    const box = el("input", { type: "checkbox", name: "screen", value: screen.id });
    const names = screen.name || {};
    const otherName = names[other] && names[other] !== names[lang] ? names[other] : null;
    return { box, node: el("label", { class: "check screen", dataset: { screen: screen.id } }, box,
      el("span", { class: "screen-names" },
         el("span", { class: "screen-name" }, EmergencyUI.name(names, screen.id)),
         otherName ? el("span", { class: "muted small other-name", lang: other }, otherName) : null),
      el("span", { class: "muted small screen-langs" }, screen.languages.join(" · "))) };
  }

  function siteItem(catalog, draft, site, onChange) {
    const siteBox = el("input", { type: "checkbox", name: "site", value: site.id });
    const langs = [...new Set(site.screens.flatMap((s) => s.languages))];
    const label = el("label", { class: "check site", dataset: { site: site.id } }, siteBox,
      el("span", { class: "site-name" }, EmergencyUI.name(site.name, site.id)),
      el("span", { class: "muted small" }, EmergencyUI.screens(site.screens.length)
         + (langs.length ? " · " + langs.join(" · ") : "")));
    const rows = site.screens.map(screenRow);
    const count = el("span", { class: "muted small screens-chosen" });
    const details = site.screens.length ? el("details", { class: "site-screens" },
      el("summary", {}, t("choose_screens"), " ", count),
      el("div", { class: "screen-list", role: "group",
                  "aria-label": t("screens_of", { site: EmergencyUI.name(site.name, site.id) }) },
         rows.map((r) => r.node))) : null;

    function sync() {
      const whole = draft.sites.includes(site.id);
      let n = 0;
      for (const r of rows) {
        r.box.checked = whole || draft.screens.includes(r.box.value);
        if (r.box.checked) n += 1;
      }
      const partial = !whole && n > 0;
      siteBox.checked = whole;
      siteBox.indeterminate = partial;
      label.classList.toggle("partial", partial);
      count.textContent = partial ? "(" + t("screens_chosen", { n: Pano.number(n, 0),
                                                              total: Pano.number(rows.length, 0) }) + ")" : "";
    }

    siteBox.addEventListener("change", () => {
      choose(catalog, draft, site, [], siteBox.checked);
      onChange();
    });
    for (const r of rows) {
      r.box.addEventListener("change", () => {
        choose(catalog, draft, site, rows.filter((x) => x.box.checked).map((x) => x.box.value), false);
        onChange();
      });
    }
    sync();
    if (details && siteBox.indeterminate) details.open = true;  // a restored partial choice
    return { node: el("div", { class: "site-item", dataset: { site: site.id } }, label, details), sync };
  }

  function render(box, allBox, catalog, draft, onChange) {
    const total = catalog.sites.reduce((n, s) => n + s.screens.length, 0);
    document.getElementById("all-count").textContent = "(" + EmergencyUI.screens(total) + ")";
    let items = [];
    const syncAll = () => {
      for (const item of items) item.sync();
      const picked = chosen(catalog, draft);
      const whole = picked.filter((c) => c.whole).length;
      allBox.checked = whole > 0 && whole === catalog.sites.length;
      allBox.indeterminate = picked.length > 0 && !allBox.checked;
    };
    const changed = () => { syncAll(); onChange(); };
    items = catalog.sites.map((site) => siteItem(catalog, draft, site, changed));
    box.replaceChildren(...items.map((item) => item.node));
    allBox.addEventListener("change", () => {
      draft.sites = allBox.checked ? catalog.sites.map((s) => s.id) : [];
      draft.screens = [];
      changed();
    });
    syncAll();
  }

  return { chosen, targets, clean, render };
})();
