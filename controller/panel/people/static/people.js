/* People page (/panel/people): the list of people (GET /api/v1/users) with role, agency,
   scope, status and creation time, filtered by role and agency; Add, Edit, New password,
   Disable and Enable open the dialogs of people-dialogs.js. The agencies come from
   agencies.js (event "pano:agencies"), the sites from GET /api/v1/sites, the themes in
   use from the playlists and from the people's scopes. */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const $ = (id) => document.getElementById(id);
  const vi = Pano.config.lang === "vi";
  const me = Pano.config.user.username;
  const ctx = { agencies: [], sites: [], themes: [] };
  let users = [];
  const filterRole = $("filter-role");
  const filterAgency = $("filter-agency");
  const nameOf = (item) => (vi ? item.name.vi : item.name.en) || item.id;

  function agencyName(id) {
    if (!id) {
      return el("span", { class: "muted" }, el("span", { "aria-hidden": "true" }, "—"),
                el("span", { class: "visually-hidden" }, t("no_agency")));
    }
    const agency = ctx.agencies.find((a) => a.id === id);
    return agency ? nameOf(agency) : id;
  }

  function siteName(id) {
    const site = ctx.sites.find((s) => s.id === id);
    return site ? nameOf(site) : id;
  }

  function scopeCell(user) {
    if (!user.scope_sites.length && !user.scope_themes.length) {
      return el("td", { class: "muted" }, t("no_limit"));
    }
    return el("td", { class: "scope" },
      user.scope_sites.length ? el("div", {}, t("sites", {
        list: user.scope_sites.map(siteName).join(", ") })) : null,
      user.scope_themes.length ? el("div", {}, t("themes", {
        list: user.scope_themes.join(", ") })) : null);
  }

  function toggle(user) {
    const disabling = !user.disabled;
    const name = user.username;
    const text = [t(disabling ? "disable_text" : "enable_text", { name })];
    if (disabling && name === me) text.push(" ", el("strong", {}, t("disable_self")));
    PeopleUI.confirm({
      title: t(disabling ? "disable_title" : "enable_title", { name }),
      text, ok: t(disabling ? "disable" : "enable"), danger: disabling,
      explain: PeopleUI.lastAdmin,
      async action() {
        const answer = await api("PATCH", "/api/v1/users/" + encodeURIComponent(name),
                                 { disabled: disabling });
        Pano.toast(t(disabling ? "now_disabled" : "now_enabled", { name }), "ok");
        replace(answer);
      },
    });
  }

  function row(user) {
    const label = (text) => ({ "aria-label": text + ": " + user.username });
    return el("tr", { class: user.disabled ? "is-disabled" : null,
                      dataset: { username: user.username } },
      el("td", { class: "who-cell" }, el("span", { class: "strong mono" }, user.username),
         user.username === me ? el("span", { class: "badge info" }, t("you")) : null,
         el("div", { class: "created-inline muted small" }, Pano.dateTime(user.created_at))),
      el("td", {}, t("role_" + user.role)),
      el("td", {}, agencyName(user.agency)),
      scopeCell(user),
      el("td", {}, el("span", { class: "badge " + (user.disabled ? "muted" : "ok") },
                      t(user.disabled ? "disabled" : "active"))),
      el("td", { class: "nowrap col-created" }, Pano.dateTime(user.created_at)),
      el("td", {}, el("div", { class: "row-actions" },
        el("button", { type: "button", ...label(t("edit")), class: "edit",
                       onclick: () => PeopleUI.person(user, ctx, replace) }, t("edit")),
        el("button", { type: "button", ...label(t("new_password")), class: "password",
                       onclick: () => PeopleUI.newPassword(user) }, t("new_password")),
        el("button", { type: "button", ...label(t(user.disabled ? "enable" : "disable")),
                       class: user.disabled ? "enable" : "disable",
                       onclick: () => toggle(user) }, t(user.disabled ? "enable" : "disable")))));
  }

  function render() {
    const role = filterRole.value;
    const agency = filterAgency.value;
    const shown = users.filter((u) => (!role || u.role === role) &&
      (!agency || (agency === "-" ? !u.agency : u.agency === agency)));
    $("users").tBodies[0].replaceChildren(...shown.map(row));
    $("users-wrap").hidden = !shown.length;
    $("users-none").hidden = Boolean(shown.length);
    $("user-count").textContent = t("count", { shown: shown.length, total: users.length });
  }

  function replace(user) {
    if (user.username === me && (user.role !== "admin" || user.disabled)) {
      location.reload();  // no longer an admin: the page answers 403 now
      return;
    }
    const i = users.findIndex((u) => u.username === user.username);
    if (i >= 0) users[i] = user;
    else users = [...users, user].sort((a, b) => a.username.localeCompare(b.username));
    noteThemes();
    render();
  }

  function noteThemes() {
    ctx.themes = [...new Set([...ctx.themes, ...users.flatMap((u) => u.scope_themes)])].sort();
  }

  function setAgencies(list) {
    ctx.agencies = list;
    const keep = filterAgency.value;
    filterAgency.replaceChildren(filterAgency.options[0], filterAgency.options[1],
      ...list.map((a) => el("option", { value: a.id }, nameOf(a))));
    filterAgency.value = [...filterAgency.options].some((o) => o.value === keep) ? keep : "";
    if (users.length) render();
  }

  async function load() {
    const error = $("users-error");
    try {
      const [people, sites, playlists] = await Promise.all([
        api("GET", "/api/v1/users"),
        api("GET", "/api/v1/sites"),
        api("GET", "/api/v1/playlists").catch(() => ({ playlists: [] })),
      ]);
      users = people.users;
      ctx.sites = sites.sites;
      ctx.themes = [...new Set(playlists.playlists.flatMap((p) => p.themes || []))].sort();
      noteThemes();
      error.hidden = true;
      render();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      $("users-loading").hidden = true;
    }
  }

  document.addEventListener("pano:agencies", (event) => setAgencies(event.detail));
  if (window.PanoAgencies) setAgencies(window.PanoAgencies);
  filterRole.addEventListener("change", render);
  filterAgency.addEventListener("change", render);
  $("add-person").addEventListener("click", () => PeopleUI.person(null, ctx, replace));
  load();
})();
