/* Schedules page: choose a site, a screen and a week; draw the week (WeekView), list
   the schedules reaching the site, and open the form (ScheduleForm, for roles that may
   write). The address keeps the choice (?site=&screen=&start=) so a reload or a shared
   link shows the same week; the browser keeps the site, screen and hours chosen last
   (localStorage), so coming back from another page shows them again. */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const canWrite = t("can_write") === true;
  const hasForm = typeof ScheduleForm !== "undefined";  // loaded for roles that may write
  const state = { sites: [], site: null, screen: null, start: null, week: null, titles: {} };
  const $ = (id) => document.getElementById(id);
  const siteSelect = $("site-select");

  const site = () => state.sites.find((s) => s.id === state.site);
  const screenName = (id) => {
    for (const s of state.sites) for (const sc of s.screens) if (sc.id === id) return SchedText.names(sc.name, id);
    return id;
  };
  const siteName = (id) => SchedText.names((state.sites.find((s) => s.id === id) || {}).name, id);

  const KEPT = "pano.schedules.choice";
  function kept() {
    try { return JSON.parse(localStorage.getItem(KEPT) || "{}") || {}; } catch (err) { return {}; }
  }
  function keep(values) {
    try { localStorage.setItem(KEPT, JSON.stringify({ ...kept(), ...values })); } catch (err) { /* private mode */ }
  }

  function remember() {
    const params = new URLSearchParams();
    if (state.site) params.set("site", state.site);
    if (state.screen) params.set("screen", state.screen);
    if (state.start) params.set("start", state.start);
    history.replaceState(null, "", location.pathname + "?" + params.toString());
    keep({ site: state.site, screen: state.screen });
  }

  const hoursSelect = $("hours-select");
  hoursSelect.value = ["auto", "full", "day", "office"].includes(kept().hours) ? kept().hours : "auto";

  // The week drawn again at the hours chosen (no new request).
  function drawWeek() {
    const data = state.week;
    if (!data) return;
    const outside = WeekView.render($("week-grid"), data, select, WeekView.hoursOf(hoursSelect.value, data));
    const note = $("week-outside");
    note.hidden = !outside;
    note.textContent = outside ? t("outside_hours", { n: outside }) : "";
  }

  function drawScreens() {
    const box = $("screen-switch");
    const screens = site() ? site().screens : [];
    box.replaceChildren(...screens.map((sc) => el("button", {
      type: "button", "aria-pressed": String(sc.id === state.screen), dataset: { screen: sc.id },
      onclick: () => { state.screen = sc.id; drawScreens(); loadWeek(); },
    }, SchedText.names(sc.name, sc.id))));
    if (!screens.length) box.append(el("span", { class: "muted" }, t("no_screens")));
  }

  function chooseSite(id, screen) {
    state.site = id;
    const screens = site() ? site().screens : [];
    state.screen = screens.some((s) => s.id === screen) ? screen : (screens[0] || {}).id || null;
    siteSelect.value = id;
    drawScreens();
    refresh();
  }

  // Each load is numbered: an answer for an earlier choice (another screen, another
  // week) that arrives after a later one is dropped, not drawn over it.
  const asked = { week: 0, schedules: 0 };

  async function loadWeek() {
    const mine = ++asked.week;
    remember();
    const grid = $("week-grid");
    $("slot-body").replaceChildren();
    $("slot-empty").hidden = false;
    if (!state.screen) { grid.replaceChildren(); return; }
    grid.setAttribute("aria-busy", "true");
    const query = state.start ? "?start=" + encodeURIComponent(state.start) : "";
    try {
      const data = await api("GET", `/api/v1/screens/${encodeURIComponent(state.screen)}/week${query}`);
      if (mine !== asked.week) return;
      state.week = data;
      for (const s of data.segments) {  // titles of playlists this role cannot list
        if (s.title && s.playlist) state.titles[s.playlist.split("@")[0]] = s.title;
      }
      $("week-title").textContent = screenName(data.screen) + " · " +
        t("week_of", { date: SchedText.shortDate(data.days[0]) });
      $("week-zone").textContent = t("zone", { zone: data.timezone });
      drawWeek();
      WeekView.legend($("legend"), data);
    } catch (err) {
      if (mine !== asked.week) return;
      state.week = null;
      grid.removeAttribute("aria-busy");
      Pano.toast(err.message, "bad");
    }
  }

  function select(segment, piece, node) {
    document.querySelectorAll(".slot[aria-current]").forEach((n) => n.removeAttribute("aria-current"));
    node.setAttribute("aria-current", "true");
    $("slot-empty").hidden = true;
    WeekView.detail($("slot-body"), segment, piece, {
      from: state.week.from, canWrite,
      title: (key) => {
        const id = (key || "").split("@")[0];
        return state.titles[id] ? SchedText.names(state.titles[id], id) : id;
      },
      previewUrl: (at) => `preview?screen=${encodeURIComponent(state.screen)}&at=${encodeURIComponent(at)}`,
      onEdit: hasForm ? (slug) => ScheduleForm.openEdit(slug) : null,
    });
    if (window.matchMedia("(max-width: 1100px)").matches) $("slot-detail").scrollIntoView({ block: "nearest" });
  }

  function targetsText(targets) {
    const parts = [];
    for (const id of targets.sites || []) parts.push(t("site_label", { name: siteName(id) }));
    for (const id of targets.screens || []) parts.push(screenName(id));
    for (const tag of targets.tags || []) parts.push(t("tag_label", { name: tag }));
    return parts.join(", ");
  }

  async function loadSchedules() {
    const body = document.querySelector("#schedule-table tbody");
    const mine = ++asked.schedules;
    try {
      const data = await api("GET", "/api/v1/schedules?site=" + encodeURIComponent(state.site));
      if (mine !== asked.schedules) return;
      const cols = canWrite ? 7 : 6;
      if (!data.schedules.length) {
        body.replaceChildren(el("tr", {}, el("td", { colspan: cols, class: "muted" }, t("no_schedules"))));
        return;
      }
      // A schedule is named by its playlist (schedules have no names of their own; the
      // id people never typed stays in the row's data and the Advanced fold).
      body.replaceChildren(...data.schedules.map((s) => el("tr", { dataset: { schedule: s.id } },
        el("td", {}, el("span", { class: "swatch", style: `--slot:${SchedText.colour(s.playlist)}` }),
          state.titles[s.playlist] ? SchedText.names(state.titles[s.playlist], s.playlist) : s.playlist,
          s.version ? " (" + t("pinned", { n: s.version }) + ")" : ""),
        el("td", {}, targetsText(s.targets)),
        el("td", {}, SchedText.weekdaysText(s.weekdays)),
        el("td", {}, SchedText.windowsText(s.windows)),
        el("td", {}, SchedText.datesText(s.days)),
        el("td", { class: "num" }, String(s.priority)),
        canWrite ? el("td", {}, el("button", { type: "button", onclick: () => ScheduleForm.openEdit(s.id),
          "aria-label": t("edit") + ": " + (state.titles[s.playlist] ? SchedText.names(state.titles[s.playlist], s.playlist)
            : s.playlist) + ", " + SchedText.windowsText(s.windows) }, t("edit"))) : null)));
    } catch (err) {
      Pano.toast(err.message, "bad");
    }
  }

  async function refresh() { await loadWeek(); loadSchedules(); }

  // From the week shown (none after a refused address: this week).
  const shift = (days) => { state.start = state.week ? SchedText.addDays(state.week.start, days) : null; loadWeek(); };
  $("week-prev").addEventListener("click", () => shift(-7));
  $("week-next").addEventListener("click", () => shift(7));
  $("week-today").addEventListener("click", () => { state.start = null; loadWeek(); });
  siteSelect.addEventListener("change", () => chooseSite(siteSelect.value));
  hoursSelect.addEventListener("change", () => {
    keep({ hours: hoursSelect.value });
    $("slot-body").replaceChildren();
    $("slot-empty").hidden = false;
    drawWeek();
  });

  async function start() {
    const params = new URLSearchParams(location.search);
    try {
      const [sites, playlists] = await Promise.all([api("GET", "/api/v1/sites"), api("GET", "/api/v1/playlists")]);
      state.sites = sites.sites;
      for (const p of playlists.playlists) state.titles[p.id] = p.title;
      siteSelect.replaceChildren(...state.sites.map((s) => el("option", { value: s.id }, SchedText.names(s.name, s.id))));
      if (hasForm) {
        ScheduleForm.init({ sites: state.sites, playlists: playlists.playlists, onSaved: refresh,
                            context: () => ({ site: state.site, screen: state.screen }) });
        $("new-schedule").addEventListener("click", () => ScheduleForm.openNew());
      }
      // The address first (a reload, a shared link), else what this browser chose last.
      const fromAddress = params.has("site") || params.has("screen");
      let chosen = fromAddress ? params.get("site") : kept().site;
      const screen = fromAddress ? params.get("screen") : kept().screen;
      if (screen && !chosen) chosen = (state.sites.find((s) => s.screens.some((sc) => sc.id === screen)) || {}).id;
      if (!state.sites.some((s) => s.id === chosen)) chosen = (state.sites[0] || {}).id;
      state.start = params.get("start");
      if (chosen) chooseSite(chosen, screen);
    } catch (err) {
      Pano.toast(err.message, "bad");
    }
  }
  start();
})();
