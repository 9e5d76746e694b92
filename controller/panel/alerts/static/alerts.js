/* Alerts (/panel/alerts): GET /api/v1/alerts every 15 s; an incident is acknowledged
   with a note in a dialog (POST /api/v1/alerts/<id>/ack, which records the audit
   entry); an administrator changes a rule in another (PUT /api/v1/alerts/rules/<rule>,
   only the fields that changed). Refusals come back in the panel's language and are
   shown in the dialog. */
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
    const empty = document.getElementById(tableId + "-empty");
    if (empty) empty.hidden = rows.length !== 0;
  }

  const admin = Pano.config.user.role === "admin";
  const ruleDialog = document.getElementById("rule-dialog");
  let editing = null;

  function limitsText(rule) {
    return Object.entries(rule.limits).map(([k, v]) => (S.limits[k] || k) + ": " + Pano.number(v)).join("; ");
  }

  function renderRules(rules) {
    fill("rules", rules, (r) => el("tr", { dataset: { rule: r.rule } },
      el("td", {}, S.rules[r.rule] || r.rule,
        r.changed_in_panel.length ? el("div", { class: "muted small" },
          t("changed_here", { fields: r.changed_in_panel.join(", ") })) : null),
      el("td", {}, r.enabled ? S.yes : S.no), el("td", {}, Pano.number(r.for)),
      el("td", {}, Pano.number(r.clear_after)), el("td", {}, severity(r.severity)),
      el("td", {}, limitsText(r)),
      el("td", {}, admin ? el("button", { type: "button", class: "edit-rule",
        onclick: () => editRule(r) }, S.edit) : null)));
  }

  function editRule(rule) {
    editing = rule;
    document.getElementById("rule-heading").textContent = S.rules[rule.rule] || rule.rule;
    document.getElementById("rule-enabled").checked = rule.enabled;
    document.getElementById("rule-for").value = rule.for;
    document.getElementById("rule-clear").value = rule.clear_after;
    const sev = document.getElementById("rule-severity");
    sev.replaceChildren(...Object.keys(S.severities).map((k) => el("option", { value: k }, S.severities[k])));
    sev.value = rule.severity;
    document.getElementById("rule-limits").replaceChildren(...Object.entries(rule.limits).flatMap(([k, v]) => [
      el("label", { for: "limit-" + k }, S.limits[k] || k),
      el("input", { id: "limit-" + k, type: "number", step: "any", value: v, dataset: { limit: k } })]));
    show("rule-error", "");
    ruleDialog.showModal();
  }

  function ruleChanges() {
    const changes = {};
    const enabled = document.getElementById("rule-enabled").checked;
    if (enabled !== editing.enabled) changes.enabled = enabled;
    const num = (id) => { const raw = document.getElementById(id).value; return raw === "" ? raw : Number(raw); };
    if (num("rule-for") !== editing.for) changes.for = num("rule-for");
    if (num("rule-clear") !== editing.clear_after) changes.clear_after = num("rule-clear");
    const sev = document.getElementById("rule-severity").value;
    if (sev !== editing.severity) changes.severity = sev;
    for (const input of document.querySelectorAll("#rule-limits input")) {
      const value = input.value === "" ? "" : Number(input.value);
      if (value !== editing.limits[input.dataset.limit]) changes[input.dataset.limit] = value;
    }
    return changes;
  }

  document.getElementById("rule-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const changes = ruleChanges();
    if (!Object.keys(changes).length) { ruleDialog.close(); return; }
    try {
      await api("PUT", "/api/v1/alerts/rules/" + editing.rule, changes);
      ruleDialog.close();
      Pano.toast(S.rule_saved, "ok");
      await load();
    } catch (err) {
      show("rule-error", err.message);
    }
  });
  document.getElementById("rule-cancel").addEventListener("click", () => ruleDialog.close());

  function render(data) {
    show("config-error", data.config_error ? t("config_error", { error: data.config_error }) : "");
    fill("open", data.open, (i) => el("tr", { dataset: { id: i.id } },
      el("td", {}, severity(i.severity)), what(i), el("td", {}, i.screen, el("div", { class: "muted small" }, i.site)),
      el("td", { class: "nowrap" }, Pano.dateTime(i.opened_at)), el("td", {}, sent(i)), acknowledged(i)));
    fill("problems", data.delivery_problems, (n) => el("tr", {},
      el("td", {}, n.channel), el("td", {}, S.states[n.state] || n.state), el("td", {}, n.attempts),
      el("td", { class: "nowrap" }, Pano.dateTime(n.next_attempt_at)), el("td", { class: "reason" },
        n.last_error ? el("q", { lang: "en" }, n.last_error) : "")));  // the mail or chat server's words
    renderRules(data.rules);
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
