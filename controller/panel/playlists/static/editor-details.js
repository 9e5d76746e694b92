/* Playlist editor, part 4: the playlist's names, id, agency and themes (tags), its
   state badge, rejection reason and version history. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const titleVi = document.getElementById("ed-title-vi");
  const titleEn = document.getElementById("ed-title-en");
  const idField = document.getElementById("ed-id-field");
  const idInput = document.getElementById("ed-id");
  const agency = document.getElementById("ed-agency");
  const themesBox = document.getElementById("ed-themes");
  const themeSelect = document.getElementById("ed-theme-select");
  const themeNames = Object.fromEntries((E.cfg.themes || []).map((th) => [th.id, th.label]));
  E.themeName = (id) => themeNames[id] || id;
  let idTouched = false;

  const STATE = { draft: ["warn", "state_draft"], in_review: ["info", "state_in_review"],
    approved: ["ok", "state_approved"], archived: ["muted", "state_archived"] };

  E.stateBadge = (version, onAir) => {
    if (!version) return el("span", { class: "badge muted" }, t("state_new"));
    const [kind, key] = STATE[version.state] || ["muted", version.state];
    const label = version.state === "draft" && version.rejection_reason ? t("state_returned") : t(key);
    const badge = el("span", { class: "badge " + (version.state === "draft" && version.rejection_reason ? "bad" : kind) },
      t("version_n", { n: version.number }) + " · " + label);
    // Approved is not on air: on how many screens it is, live (static/on_air.js).
    return onAir && E.playlist ? el("span", {}, badge, " ", PanoOnAir.words(E.playlist.id, version.number)) : badge;
  };

  /* Chosen themes as chips with their translated names; more from the list. */
  function renderThemes() {
    const chips = E.model.themes.map((theme) => el("span", { class: "pl-chip", dataset: { theme } }, E.themeName(theme),
      E.editable ? el("button", { type: "button", class: "pl-chip-x", "aria-label": t("remove_theme", { theme: E.themeName(theme) }),
        onclick: () => { E.model.themes = E.model.themes.filter((x) => x !== theme); renderThemes(); E.changed(); } }, "×") : null));
    themeSelect.replaceChildren(themeSelect.options[0],
      ...(E.cfg.themes || []).filter((th) => !E.model.themes.includes(th.id))
        .map((th) => el("option", { value: th.id }, th.label)));
    themeSelect.value = "";
    themesBox.replaceChildren(...chips, themeSelect);
    if (!E.editable && !chips.length) themesBox.prepend(el("span", { class: "muted" }, "—"));
    themeSelect.hidden = !E.editable;
  }

  E.renderDetails = () => {
    titleVi.value = E.model.title.vi;
    titleEn.value = E.model.title.en;
    for (const input of [titleVi, titleEn, idInput]) input.readOnly = !E.editable;
    idField.hidden = !!E.playlist;
    idInput.value = E.model.id;
    const ids = Object.keys(E.agencies);
    const options = E.playlist || Pano.config.user.role !== "admin" ? [E.model.agency] : ids;
    agency.replaceChildren(...options.map((id) => el("option", { value: id || "" },
      id && E.agencies[id] ? (E.agencies[id].name[Pano.config.lang] || E.agencies[id].name.vi) : (id || t("no_agency")))));
    agency.value = E.model.agency || "";
    agency.disabled = !!E.playlist || !E.editable || Pano.config.user.role !== "admin";
    renderThemes();
    document.getElementById("ed-details").hidden = false;
  };

  E.renderVersions = () => {
    const heading = document.getElementById("ed-heading");
    heading.textContent = E.model.title.vi || E.model.id || heading.textContent;
    const stateBox = document.getElementById("ed-state");
    const p = E.playlist;
    stateBox.replaceChildren(el("span", { class: "pl-badges" },
      E.stateBadge(E.version && E.version.state ? E.version : null, p && E.version && p.on_air === E.version.number),
      p && p.on_air && (!E.version || p.on_air !== E.version.number)
        ? el("span", {}, el("span", { class: "badge ok" }, t("on_air_v", { n: p.on_air })), " ",
             PanoOnAir.words(p.id, p.on_air)) : null));
    const reach = document.getElementById("ed-reach");
    reach.hidden = !E.reach.screens.length;
    reach.replaceChildren(...(E.reach.screens.length ? [t("plays_on"), " ",
      ...E.reach.screens.flatMap((s, i) => [i ? ", " : "", el("a", {
        href: E.cfg.preview_url + "?screen=" + encodeURIComponent(s.id), title: t("preview_screen") }, s.id)])] : []));
    const box = document.getElementById("ed-versions");
    if (!p || !p.versions) { box.hidden = true; return; }
    box.hidden = false;
    document.getElementById("ed-version-count").textContent = Pano.number(p.versions.length, 0);
    document.getElementById("ed-version-rows").replaceChildren(...p.versions.map((v) => el("tr", {},
      el("td", {}, t("version_n", { n: v.number })),
      el("td", {}, E.stateBadge(v, v.on_air)),
      el("td", {}, Pano.number(v.item_count, 0)),
      el("td", { class: "small" }, (v.edited_by || "—") + " · " + Pano.dateTime(v.edited_at)),
      el("td", { class: "small" },
        v.submitted_at ? t("submitted_by", { who: v.submitted_by || "—", when: Pano.dateTime(v.submitted_at) }) : "",
        v.reviewed_at ? el("div", {}, t("reviewed_by", { who: v.reviewed_by || "—", when: Pano.dateTime(v.reviewed_at) })) : null,
        v.rejection_reason ? el("div", { class: "pl-reason" }, t("reason", { reason: v.rejection_reason })) : null))));
  };

  titleVi.addEventListener("input", () => {
    E.model.title.vi = titleVi.value;
    if (!E.playlist && !idTouched) { E.model.id = E.slug(titleVi.value); idInput.value = E.model.id; }
    E.changed();
  });
  titleEn.addEventListener("input", () => { E.model.title.en = titleEn.value; E.changed(); });
  idInput.addEventListener("input", () => { idTouched = true; E.model.id = idInput.value.trim(); E.changed(); });
  agency.addEventListener("change", () => { E.model.agency = agency.value || null; E.changed(); });
  themeSelect.addEventListener("change", () => {
    const theme = themeSelect.value;
    if (!theme) return;
    if (!E.model.themes.includes(theme)) E.model.themes.push(theme);
    renderThemes();
    E.changed();
    themeSelect.focus();
  });
})();
