/* /panel/emergency/<id>: the delivery receipts of one emergency, per targeted screen
   (shown with its time / pending / unreachable / missed, as GET /api/v1/emergencies/<id>
   reports them), counts on top; the live "emergencies" topic updates it in place. */
"use strict";
(() => {
  const { el, t } = Pano;
  const id = EmergencyUI.config.id;
  const board = document.getElementById("board");
  const body = document.querySelector("#receipts tbody");
  const endButton = document.getElementById("board-end");
  let catalog = null;
  let current = null;

  function texts(emergency) {
    return Object.entries(emergency.messages || {}).map(([lang, text]) =>
      el("div", { class: "board-text", lang },
        el("div", { class: "muted small", lang: Pano.config.lang }, catalog ? EmergencyUI.languageName(catalog, lang) : lang),
        el("strong", {}, text.title), text.body ? el("p", {}, text.body) : null));
  }

  function row(receipt) {
    return el("tr", { dataset: { screen: receipt.screen, status: receipt.status }, class: "status-" + receipt.status },
      el("td", {}, el("div", {}, EmergencyUI.screenName(catalog, receipt.screen)),
         el("div", { class: "muted small" }, receipt.screen)),
      el("td", {}, EmergencyUI.siteName(catalog, receipt.site)),
      el("td", {}, EmergencyUI.statusBadge(receipt.status),
         el("div", { class: "muted small status-help" }, t("status_" + receipt.status + "_help"))),
      el("td", { class: "shown-at" }, receipt.shown_at ? Pano.dateTime(receipt.shown_at) : "—"));
  }

  function render(emergency) {
    current = emergency;
    document.getElementById("board-title").textContent = EmergencyUI.title(emergency);
    document.title = EmergencyUI.title(emergency) + " · Pano";
    document.getElementById("board-state").replaceChildren(EmergencyUI.stateBadge(emergency.state));
    const when = [EmergencyUI.when(emergency)];
    if (emergency.created_by) when.push(t("by", { name: emergency.created_by.username }));
    document.getElementById("board-when").textContent = when.join(" · ");
    document.getElementById("board-texts").replaceChildren(...texts(emergency));
    for (const [key, n] of Object.entries(emergency.summary || {})) {
      const tile = document.querySelector(`.tile[data-status="${key}"] .tile-n`);
      if (tile) tile.textContent = Pano.number(n, 0);
    }
    const rows = emergency.screens || [];
    body.replaceChildren(...(rows.length ? rows.map(row)
      : [el("tr", {}, el("td", { colspan: 4, class: "muted" }, EmergencyUI.screens(0)))]));
    if (endButton) endButton.hidden = !(emergency.state === "active" || emergency.state === "scheduled");
    board.setAttribute("aria-busy", "false");
    board.dataset.state = emergency.state;
    // "Sent. Follow the screens below." is over once the message has ended.
    if (!(emergency.state === "active" || emergency.state === "scheduled")) {
      document.getElementById("sent-notice").hidden = true;
    }
  }

  function onLive(message) {
    const item = (message.items || {})[String(id)];
    if (item) render(item);
  }

  async function load() {
    try {
      const [sites, emergency] = await Promise.all([EmergencyUI.sites().catch(() => null),
                                                    Pano.api("GET", "/api/v1/emergencies/" + id)]);
      catalog = sites;
      if (!current || current.id !== emergency.id) render(emergency);
      else render(current);  // a live update came first: it is the newer
    } catch (err) {
      board.setAttribute("aria-busy", "false");
      body.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "error" },
        err.status === 404 ? t("not_found") : err.message)));
    }
  }

  if (new URLSearchParams(window.location.search).get("sent")) {
    const notice = document.getElementById("sent-notice");
    notice.textContent = t("sent");
    notice.hidden = false;
    history.replaceState(null, "", window.location.pathname);
  }
  if (endButton) endButton.addEventListener("click", () => EmergencyEnd.ask(current, render));
  load();
  EmergencyUI.follow(onLive, (connected) => EmergencyUI.liveState(document.getElementById("live-state"), connected));
})();
