/* /panel/emergency: the latest emergencies (GET /api/v1/emergencies), kept up to date by
   the live "emergencies" topic: state, where, when, receipts, and End now for senders. */
"use strict";
const EmergencyList = (() => {
  const { el, t } = Pano;
  const body = document.querySelector("#recent tbody");
  const liveNode = document.getElementById("live-state");
  const maySend = Boolean(EmergencyUI.config.maySend);
  const MAX_SITES = 3;
  let items = new Map();  // id -> emergency (as the API describes it)
  let catalog = null;

  function where(emergency) {
    const targets = emergency.targets || {};
    const names = (targets.sites || []).map((id) => EmergencyUI.siteName(catalog, id))
      .concat((targets.screens || []).map((id) => EmergencyUI.screenName(catalog, id)));
    const shown = names.slice(0, MAX_SITES).join(", ");
    const more = names.length > MAX_SITES ? " " + t("more_sites", { n: names.length - MAX_SITES }) : "";
    return [el("div", {}, shown + more),
            el("div", { class: "muted small" }, EmergencyUI.screens((emergency.screens || []).length))];
  }

  function receipts(emergency) {
    const summary = emergency.summary || {};
    const total = (emergency.screens || []).length;
    const parts = ["pending", "unreachable", "missed"].filter((k) => summary[k])
      .map((k) => el("span", { class: "count " + k }, Pano.number(summary[k], 0) + " " + t("status_" + k)));
    return [el("div", { class: "shown-of" }, t("shown_of", { shown: Pano.number(summary.shown || 0, 0),
                                                              total: Pano.number(total, 0) })),
            el("div", { class: "muted small counts" }, parts)];
  }

  function row(emergency) {
    const running = emergency.state === "active" || emergency.state === "scheduled";
    const link = el("a", { class: "button", href: EmergencyUI.boardUrl(emergency.id) }, t("receipts"));
    const end = maySend && running
      ? el("button", { type: "button", class: "danger", onclick: () => EmergencyEnd.ask(emergency, update) },
           t("end_now"))
      : null;
    return el("tr", { dataset: { emergency: emergency.id }, class: "state-" + emergency.state },
      el("td", {}, el("a", { href: EmergencyUI.boardUrl(emergency.id), class: "em-title" }, EmergencyUI.title(emergency))),
      el("td", {}, EmergencyUI.stateBadge(emergency.state)),
      el("td", {}, where(emergency)),
      el("td", { class: "small" }, EmergencyUI.when(emergency),
         emergency.created_by ? el("div", { class: "muted" }, t("by", { name: emergency.created_by.username })) : null),
      el("td", {}, receipts(emergency)),
      el("td", { class: "actions" }, link, end));
  }

  function renderOnAir(sorted) {
    const box = document.getElementById("on-air");
    const onAir = sorted.filter((e) => e.state === "active");
    box.hidden = !onAir.length;
    box.replaceChildren(el("strong", {}, t("on_air_now")), ...onAir.map((e) =>
      el("a", { href: EmergencyUI.boardUrl(e.id) }, EmergencyUI.title(e) + " (" +
         t("shown_of", { shown: Pano.number(e.summary.shown || 0, 0),
                         total: Pano.number(e.screens.length, 0) }) + ")")));
  }

  function render() {
    const sorted = [...items.values()].sort((a, b) => b.id - a.id);
    renderOnAir(sorted);
    if (!sorted.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted" }, t("no_emergencies"))));
      return;
    }
    body.replaceChildren(...sorted.map(row));
  }

  function update(emergency) {
    items.set(emergency.id, emergency);
    render();
  }

  function onLive(message) {
    // The feed covers what is running or ended in the last day: new ones appear at the
    // top (also those sent from another browser), listed ones change in place.
    for (const item of Object.values(message.items || {})) items.set(item.id, item);
    render();
  }

  async function load() {
    try {
      const [sites, data] = await Promise.all([EmergencyUI.sites().catch(() => null),
                                               Pano.api("GET", "/api/v1/emergencies?limit=20")]);
      catalog = sites;
      const fresh = new Map(data.emergencies.map((e) => [e.id, e]));
      for (const [id, e] of items) if (!fresh.has(id)) fresh.set(id, e);  // live ones already in
      items = fresh;
      render();
    } catch (err) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "error" }, err.message)));
    }
  }

  load();
  EmergencyUI.follow(onLive, (connected) => EmergencyUI.liveState(liveNode, connected));
  return { update, reload: load };
})();
