/* Alerts (/panel/alerts): GET /api/v1/alerts every 15 s; an incident is acknowledged
   with a note in a dialog (POST /api/v1/alerts/<id>/ack, which records the audit
   entry). Refusals come back in the panel's language and are shown in the dialog. */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const S = JSON.parse(document.getElementById("pano-strings").textContent);
  const dialog = document.getElementById("ack-dialog");
  const note = document.getElementById("ack-note");
  const ackError = document.getElementById("ack-error");
  let acking = null;

  function show(id, message) {
    const box = document.getElementById(id);
    box.textContent = message || "";
    box.hidden = !message;
  }

  function severity(value) {
    return el("span", { class: "sev sev-" + value }, S.severities[value] || value);
  }

  function what(incident) {
    const label = S.rules[incident.rule] || incident.rule;
    return el("td", {}, label, " ",
      el("a", { href: incident.runbook, target: "_blank", rel: "noopener" }, "(" + S.runbook + ")"),
      incident.flapping ? el("div", { class: "muted small" }, S.flapping) : null);
  }

  function acknowledged(incident) {
    const a = incident.acknowledged;
    if (a) return el("td", { class: "note" }, t("acked", { who: a.by, when: Pano.dateTime(a.at), note: a.note }));
    return el("td", {}, el("button", { type: "button", class: "ack", dataset: { id: incident.id },
      onclick: () => open(incident) }, S.ack));
  }

  function sent(incident) {
    const all = incident.notifications.length;
    if (!all) return S.none_sent;
    const done = incident.notifications.filter((n) => n.state === "sent").length;
    return t("sent_count", { sent: done, all });
  }

  function fill(tableId, rows, makeRow) {
    const table = document.getElementById(tableId);
    table.querySelector("tbody").replaceChildren(...rows.map(makeRow));
    table.hidden = rows.length === 0;
    document.getElementById(tableId + "-empty").hidden = rows.length !== 0;
  }

  function render(data) {
    show("config-error", data.config_error ? t("config_error", { error: data.config_error }) : "");
    fill("open", data.open, (i) => el("tr", { dataset: { id: i.id } },
      el("td", {}, severity(i.severity)), what(i), el("td", {}, i.screen, el("div", { class: "muted small" }, i.site)),
      el("td", { class: "nowrap" }, Pano.dateTime(i.opened_at)), el("td", {}, sent(i)), acknowledged(i)));
    fill("problems", data.delivery_problems, (n) => el("tr", {},
      el("td", {}, n.channel), el("td", {}, S.states[n.state] || n.state), el("td", {}, n.attempts),
      el("td", { class: "nowrap" }, Pano.dateTime(n.next_attempt_at)), el("td", { class: "reason" }, n.last_error || "")));
    fill("history", data.history, (i) => el("tr", { dataset: { id: i.id } },
      el("td", {}, severity(i.severity)), what(i), el("td", {}, i.screen, el("div", { class: "muted small" }, i.site)),
      el("td", { class: "nowrap" }, Pano.dateTime(i.opened_at)), el("td", { class: "nowrap" }, Pano.dateTime(i.cleared_at)),
      acknowledged(i)));
  }

  async function load() {
    try {
      render(await api("GET", "/api/v1/alerts"));
      show("error", "");
    } catch (err) {
      show("error", err.message);
    } finally {
      document.getElementById("loading").hidden = true;
    }
  }

  function open(incident) {
    acking = incident;
    document.getElementById("ack-what").textContent = t("ack_what",
      { what: S.rules[incident.rule] || incident.rule, screen: incident.screen });
    note.value = "";
    show("ack-error", "");
    dialog.showModal();
    note.focus();
  }

  document.getElementById("ack-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/alerts/" + acking.id + "/ack", { note: note.value });
      dialog.close();
      Pano.toast(S.acked_toast, "ok");
      await load();
    } catch (err) {
      show("ack-error", err.message);
    }
  });
  document.getElementById("ack-cancel").addEventListener("click", () => dialog.close());
  note.removeAttribute("required");  // the server's refusal explains an empty note

  load();
  setInterval(load, 15000);
})();
