/* Emergency pages: what the compose page, the list and the receipts board share.
   EmergencyUI.sites()            GET /api/v1/sites once: {languages, required, sites, byId, screenById}
   EmergencyUI.title(emergency)   its title in the panel's language (vi or en)
   EmergencyUI.stateBadge(state) / statusBadge(status)   translated badges
   EmergencyUI.screens(n)         "1 screen" / "N screens"
   EmergencyUI.follow(onItems)    subscribes to the live "emergencies" topic */
"use strict";
const EmergencyUI = (() => {
  const { el, t } = Pano;
  const lang = Pano.config.lang;
  const configNode = document.getElementById("emergency-config");
  const config = configNode ? JSON.parse(configNode.textContent) : {};
  const STATE_KIND = { active: "bad", scheduled: "warn", ended: "muted", cancelled: "muted" };
  const STATUS_KIND = { shown: "ok", pending: "warn", unreachable: "bad", missed: "muted" };
  let sitesPromise = null;

  function name(names, fallback) {
    if (!names) return fallback;
    return names[lang] || names.vi || names.en || fallback;
  }

  function sites() {
    if (!sitesPromise) {
      sitesPromise = Pano.api("GET", "/api/v1/sites").then((data) => {
        const byId = {}, screenById = {};
        for (const site of data.sites) {
          byId[site.id] = site;
          for (const screen of site.screens) screenById[screen.id] = screen;
        }
        return { languages: data.languages, required: data.required_languages,
                 sites: data.sites, byId, screenById };
      });
    }
    return sitesPromise;
  }

  function languageName(catalog, code) {
    const found = catalog.languages.find((l) => l.code === code);
    return found ? name(found.name, code) : code;
  }

  function siteName(catalog, id) {
    const site = catalog && catalog.byId[id];
    return site ? name(site.name, id) : t("unknown_site", { id });
  }

  function screenName(catalog, id) {
    const screen = catalog && catalog.screenById[id];
    return screen ? name(screen.name, id) : id;
  }

  function title(emergency) {
    const messages = emergency.messages || {};
    const text = messages[lang] || messages.vi || messages.en || {};
    return text.title || "#" + emergency.id;
  }

  function screens(n) {
    return n === 1 ? t("screens_one") : t("screens_many", { n: Pano.number(n, 0) });
  }

  function stateBadge(state) {
    return el("span", { class: "badge state " + (STATE_KIND[state] || "muted"),
                        dataset: { state } }, t("state_" + state));
  }

  function statusBadge(status) {
    return el("span", { class: "badge status " + (STATUS_KIND[status] || "muted"),
                        title: t("status_" + status + "_help"), dataset: { status } },
              t("status_" + status));
  }

  function when(emergency) {
    if (emergency.state === "cancelled") return t("ended_at", { time: Pano.dateTime(emergency.cancelled_at) });
    if (emergency.state === "ended") return t("ended_at", { time: Pano.dateTime(emergency.ends_at) });
    return t("from_to", { start: Pano.dateTime(emergency.starts_at), end: Pano.dateTime(emergency.ends_at) });
  }

  function boardUrl(id) {
    return (config.boardUrl || "/panel/emergency/0").replace(/\/0$/, "/" + id);
  }

  /* onItems({full, items, removed}) for every snapshot and change; onState(connected). */
  function follow(onItems, onState) {
    const socket = Pano.live("/panel");
    if (!socket) return null;
    socket.on("connect", () => {
      if (onState) onState(true);
      socket.emit("subscribe", { topic: "emergencies" }, (answer) => {
        if (answer && !answer.ok) Pano.toast(answer.message, "bad");
      });
    });
    socket.on("disconnect", () => { if (onState) onState(false); });
    socket.on("receipts", onItems);
    return socket;
  }

  function liveState(node, connected) {
    if (!node) return;
    node.textContent = connected ? "● " + t("live_on") : "○ " + t("live_off");
    node.classList.toggle("on", connected);
  }

  return { config, sites, name, languageName, siteName, screenName, title, screens,
           stateBadge, statusBadge, when, boardUrl, follow, liveState };
})();
