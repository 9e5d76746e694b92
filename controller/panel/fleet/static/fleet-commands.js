/* Screens page: remote commands to one screen (admins and technicians).
   POST /api/v1/screens/<id>/commands {command} answers 202 "sent"; the page then polls
   GET …/commands/<command id> until the player's answer makes it "done" or "failed"
   (the controller fails it by itself when no answer comes in time), and shows each
   step under the row's buttons. A finished screenshot opens in a dialog
   (GET …/screenshot, the time it was taken in X-Pano-Taken-At). Clearing the cache,
   restarting the player and rebooting the device are asked first in a dialog; a reboot
   is sent with "confirm": true, which the API requires. */
"use strict";
const FleetCommands = (() => {
  const { el, t } = Pano;
  const NAMES = ["identify", "reload", "clear_cache", "screenshot", "restart", "reboot"];
  const DANGER = ["clear_cache", "restart", "reboot"];
  const latest = new Map(); // screen id -> its latest summary (names for the dialogs)

  const label = (name) => t("cmd_" + name);
  const base = (id) => "/api/v1/screens/" + encodeURIComponent(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const screenName = (id) => FleetFormat.primary((latest.get(id) || {}).name) || id;

  function controls(s) {
    const box = el("div", { class: "cmd-box" });
    const buttons = el("div", { class: "cmd-buttons" }, NAMES.map((name) =>
      el("button", { type: "button", class: "cmd" + (DANGER.includes(name) ? " cmd-danger" : ""),
                     dataset: { command: name }, onclick: () => run(s.id, name, box) }, label(name))));
    box.append(buttons, el("div", { class: "cmd-status", "aria-live": "polite" }));
    return box;
  }

  /* Buttons follow the screen's connection (the API refuses a disconnected screen). A
     player whose heartbeat says it has no way to capture its screen (facts.capture
     "none", docs/protocol.md) cannot take a screenshot: the button is off and a line
     under it says why and how to set one up, visible without hovering (tablets). */
  function update(cell, s) {
    latest.set(s.id, s);
    const noCapture = ((s.facts || {}).capture) === "none";
    for (const button of cell.querySelectorAll("button.cmd")) {
      const cannot = button.dataset.command === "screenshot" && noCapture;
      button.disabled = !s.connected || cannot || button.dataset.busy === "1";
      button.title = !s.connected ? t("cmd_not_connected")
        : cannot ? t("cmd_screenshot_no_method") : t("cmd_" + button.dataset.command + "_title");
    }
    let note = cell.querySelector(".cmd-capture-note");
    if (noCapture && !note) {
      note = el("p", { class: "cmd-capture-note small muted" }, t("cmd_screenshot_no_method"));
      cell.querySelector(".cmd-box").append(note);
    } else if (!noCapture && note) {
      note.remove();
    }
  }

  function lineFor(box, name) {
    const list = box.querySelector(".cmd-status");
    let line = list.querySelector(`.cmd-line[data-command="${name}"]`);
    if (!line) {
      line = el("div", { class: "cmd-line small", dataset: { command: name } });
      list.append(line);
    }
    return line;
  }

  /* `message` is the panel's own sentence; `detail` the player's English words, shown
     (marked lang="en") only when the page has no sentence for them (fleet-results.js). */
  function show(line, state, text, message, extra, detail) {
    line.dataset.state = state;
    line.className = "cmd-line small " + state;
    line.replaceChildren(el("span", { class: "cmd-state" }, text),
                         message ? el("span", { class: "cmd-message" }, " — " + message) : "",
                         detail ? el("span", { class: "cmd-detail muted" }, " ", t("player_said"), " ",
                                     el("q", { lang: "en" }, detail)) : "",
                         extra || "");
  }

  async function poll(id, commandId, line, name) {
    const started = Date.now();
    for (;;) {
      await sleep(Date.now() - started < 20000 ? 800 : 3000);
      let command;
      try {
        command = await Pano.api("GET", base(id) + "/commands/" + encodeURIComponent(commandId));
      } catch (err) {
        if (err.status !== 0) throw err;
        show(line, "sent", t("cmd_still_waiting", { command: label(name) }), err.message);
        continue; // the network comes back; the controller fails the command if late
      }
      if (command.status !== "sent") return command;
      if (Date.now() - started > 15000) {
        show(line, "sent", t("cmd_still_waiting", { command: label(name) }));
      }
    }
  }

  async function run(id, name, box) {
    if (name === "clear_cache" && !(await confirmClear(id))) return;
    if ((name === "restart" || name === "reboot") && !(await confirmPower(id, name))) return;
    const button = box.querySelector(`button[data-command="${name}"]`);
    button.dataset.busy = "1";
    button.disabled = true;
    const line = lineFor(box, name);
    show(line, "sending", t("cmd_sending", { command: label(name) }));
    try {
      const body = name === "reboot" ? { command: name, confirm: true } : { command: name };
      const sent = await Pano.api("POST", base(id) + "/commands", body);
      show(line, "sent", t("cmd_sent", { command: label(name) }));
      const command = await poll(id, sent.id, line, name);
      if (command.status === "done") {
        const view = name === "screenshot"
          ? el("button", { type: "button", class: "linklike show-shot", onclick: () => showShot(id) }, t("show_screenshot"))
          : null;
        const result = FleetResults.say(name, command);
        show(line, "done", t("cmd_done", { command: label(name) }), result.text, view ? [" ", view] : null, result.detail);
        if (view) await showShot(id);
      } else {
        const result = FleetResults.say(name, command);
        show(line, "failed", t("cmd_failed", { command: label(name) }), result.text, null, result.detail);
      }
    } catch (err) {
      show(line, "failed", t("cmd_failed", { command: label(name) }), err.message);
      Pano.toast(err.message, "bad");
    } finally {
      delete button.dataset.busy;
      const s = latest.get(id);
      if (s) update(box.parentNode, s);
    }
  }

  function confirmClear(id) {
    document.getElementById("confirm-clear-text").textContent =
      t("confirm_clear", { screen: screenName(id), id });
    return ask(document.getElementById("confirm-clear"));
  }

  /* One dialog for restart and reboot, its words set for the command. */
  function confirmPower(id, name) {
    const dialog = document.getElementById("confirm-power");
    dialog.dataset.command = name;
    document.getElementById("confirm-power-title").textContent = t("confirm_" + name + "_title");
    document.getElementById("confirm-power-text").textContent =
      t("confirm_" + name, { screen: screenName(id), id });
    document.getElementById("confirm-power-hint").textContent = t("confirm_" + name + "_hint");
    dialog.querySelector("button[value=confirm]").textContent = label(name);
    return ask(dialog);
  }

  function ask(dialog) {
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
      dialog.showModal();
    });
  }

  async function showShot(id) {
    const dialog = document.getElementById("shot-dialog");
    const img = document.getElementById("shot-img");
    const when = document.getElementById("shot-when");
    let response;
    try {
      response = await fetch(base(id) + "/screenshot", {
        credentials: "same-origin", cache: "no-store",
        headers: { "Accept-Language": Pano.config.lang } });
    } catch (err) {
      Pano.toast(t("network_error"), "bad");
      return;
    }
    if (!response.ok) {
      let message = response.statusText;
      try { message = (await response.json()).message || message; } catch (err) { /* not JSON */ }
      Pano.toast(message, "bad");
      return;
    }
    const blob = await response.blob();
    if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
    img.dataset.url = URL.createObjectURL(blob);
    img.src = img.dataset.url;
    img.alt = t("shot_alt", { id });
    document.getElementById("shot-title").textContent = t("shot_title", { screen: screenName(id) });
    const taken = response.headers.get("X-Pano-Taken-At");
    when.textContent = taken ? t("shot_taken", { time: Pano.dateTime(taken) }) : "";
    when.dataset.taken = taken || "";
    if (!dialog.open) dialog.showModal();
  }

  return { controls, update };
})();
