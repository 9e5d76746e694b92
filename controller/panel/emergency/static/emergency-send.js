/* /panel/emergency, sending: checks what the form can check by itself (a target, the
   required titles, the lengths, the times), shows a confirmation of what goes where,
   sends (POST /api/v1/emergencies) and opens the receipts board. A refusal is shown
   next to the field it concerns, and nothing typed is lost. */
"use strict";
(() => {
  const { el, t } = Pano;
  const C = EmergencyCompose;
  const dialog = document.getElementById("confirm");
  const sendButton = document.getElementById("confirm-send");
  const sendError = document.getElementById("send-error");
  const OFFSET = "+07:00";  // Vietnam time, all year (no daylight saving)

  function showError(id, message) {
    const node = document.getElementById(id);
    node.textContent = message;
    node.hidden = false;
  }

  function columnError(lang, message) {
    const entry = C.columns.get(lang);
    if (!entry || !entry.node.isConnected) return false;
    entry.error.replaceChildren(...message);
    entry.error.hidden = false;
    entry.node.classList.add("invalid");
    return entry;
  }

  function hideErrors() {
    sendError.hidden = true;
    for (const id of ["sites-error", "url-error", "when-error"]) document.getElementById(id).hidden = true;
    for (const entry of C.columns.values()) { entry.error.hidden = true; entry.node.classList.remove("invalid"); }
  }

  function localIso(value) { return value ? value.slice(0, 16) + ":00" + OFFSET : null; }

  function durationText(minutes) {
    if (minutes < 60) return t("minutes", { n: minutes });
    if (minutes === 60) return t("one_hour");
    return t("hours", { n: Pano.number(minutes / 60) });
  }

  /* The request, or null after showing what is missing. */
  function build() {
    const draft = C.draft();
    let first = null;
    const fail = (node) => { if (!first) first = node; };
    if (!C.chosen().length) {
      showError("sites-error", t("choose_site"));
      fail(document.getElementById("all-sites"));
    }
    const messages = {};
    for (const lang of C.neededLanguages()) {
      const entry = C.columns.get(lang.code);
      const title = entry.title.value.trim(), body = entry.body.value.trim();
      if (lang.required && !title) {
        columnError(lang.code, [t("need_title", { lang: entry.node.querySelector("h3").firstChild.textContent })]);
        fail(entry.title);
      }
      for (const [part, input] of [["title", entry.title], ["body", entry.body]]) {
        if (C.chars(input.value) > C.LIMITS[part]) {
          columnError(lang.code, [t("too_many_chars", { max: Pano.number(C.LIMITS[part], 0) })]);
          fail(input);
        }
      }
      if (title || body) messages[lang.code] = { title, body };
    }
    const request = { messages, targets: EmergencyTargets.targets(C.catalog(), draft) };
    if (draft.url.trim()) request.url = draft.url.trim();
    if (draft.start === "at") {
      if (!draft.startAt) { showError("when-error", t("need_time")); fail(document.getElementById("start-at")); }
      request.starts_at = localIso(draft.startAt);
    }
    if (draft.duration === "until") {
      if (!draft.endsAt) { showError("when-error", t("need_time")); fail(document.getElementById("ends-at")); }
      request.ends_at = localIso(draft.endsAt);
    } else {
      request.duration_minutes = Number(draft.duration);
    }
    if (first) { first.focus(); return null; }
    return request;
  }

  function summary(request) {
    const where = C.chosen().map(({ site, screens, whole }) => {
      const values = { screens: EmergencyUI.screens(screens.length), site: EmergencyUI.name(site.name, site.id) };
      if (whole) return el("li", { dataset: { site: site.id } }, t("send_to", values));
      values.names = screens.map((s) => EmergencyUI.name(s.name, s.id)).join(", ");
      return el("li", { dataset: { site: site.id } }, t("send_to_screens", values));
    });
    document.getElementById("confirm-where").replaceChildren(...where);
    const start = request.starts_at ? new Date(request.starts_at) : new Date();
    const end = request.ends_at ? new Date(request.ends_at)
      : new Date(start.getTime() + request.duration_minutes * 60000);
    document.getElementById("confirm-when").textContent = request.starts_at
      ? t("starts_at", { start: Pano.dateTime(start.toISOString()), time: Pano.dateTime(end.toISOString()) })
      : t("starts_now", { duration: durationText(request.duration_minutes), time: Pano.dateTime(end.toISOString()) });
    const catalog = C.catalog();
    document.getElementById("confirm-texts").replaceChildren(...Object.entries(request.messages).map(
      ([lang, text]) => el("div", { class: "confirm-text", lang },
        el("div", { class: "muted small", lang: Pano.config.lang }, EmergencyUI.languageName(catalog, lang)),
        el("strong", {}, text.title), text.body ? el("p", {}, text.body) : null)));
  }

  /* Screens chosen that never connected cannot show the message: say so before it is
     sent (GET /api/v1/screens: no last_seen). Without an answer nothing is said. */
  async function warnNeverConnected() {
    const warning = document.getElementById("confirm-never");
    warning.hidden = true;
    const chosen = C.chosen().flatMap(({ screens }) => screens);
    let fleet;
    try { fleet = (await Pano.api("GET", "/api/v1/screens")).screens; } catch (err) { return; }
    const never = new Set(fleet.filter((s) => !s.last_seen).map((s) => s.id));
    const missing = chosen.filter((s) => never.has(s.id));
    if (!missing.length) return;
    warning.textContent = t("never_connected", { n: Pano.number(missing.length, 0), total: Pano.number(chosen.length, 0),
      names: missing.map((s) => EmergencyUI.name(s.name, s.id)).join(", ") });
    warning.hidden = false;
  }

  /* The same explanation under each of the columns "codes"; the first one's body to focus. */
  function placeInColumns(codes, said) {
    const placed = codes.filter((code) => columnError(code, said.map(
      (part) => (typeof part === "string" ? part : part.cloneNode(true)))));
    return placed.length ? C.columns.get(placed[0]).body : null;
  }

  /* Puts the controller's refusal next to the field it is about. "message" is said in
     the panel's language; "english" (the answer's message_en, or the message itself when
     it is English) tells which field it is about. */
  function placeRefusal(message, english) {
    const tooLong = /too long/i.test(english);
    sendError.replaceChildren(el("strong", {}, tooLong ? t("too_long") : t("refused")));
    sendError.hidden = false;
    const said = [el("span", { class: "lead" }, tooLong ? t("too_long") : t("refused")), " ",
                  el("span", { class: "said" }, t("server_said") + " " + message)];
    const lang = (english.match(/messages\.([a-z]{2,3})\./) || [])[1];
    // "… (the Vietnamese (vi) and Lao (lo) texts take the most room)": each named column
    const roomy = /take the most room/.test(english)
      ? [...english.matchAll(/\(([a-z]{2,3})\)/g)].map((m) => m[1]).filter((code) => C.columns.has(code))
      : [];
    let target = null;
    if (lang && columnError(lang, said)) {
      const entry = C.columns.get(lang);
      target = /\.title\b/.test(english) ? entry.title : entry.body;
    }
    else if (roomy.length && (target = placeInColumns(roomy, said))) { /* placed */ }
    else if (tooLong) {
      for (const entry of C.columns.values()) if (entry.node.isConnected && !target) {
        columnError(entry.code, said);
        target = entry.body;
      }
    } else if (/^url\b/.test(english)) { showError("url-error", message); target = document.getElementById("url"); }
    else if (/starts_at|ends_at|duration|7 days/.test(english)) { showError("when-error", message); target = document.getElementById("duration"); }
    else if (/site|screen|targets/.test(english)) { showError("sites-error", message); target = document.getElementById("all-sites"); }
    else sendError.append(" ", el("span", { class: "said" }, t("server_said") + " " + message));
    if (target) target.focus();
  }

  let pending = null;
  C.form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (C.form.dataset.ready !== "true") return;
    hideErrors();
    pending = build();
    if (!pending) return;
    summary(pending);
    sendButton.disabled = false;
    dialog.showModal();
    warnNeverConnected();
  });

  document.getElementById("confirm-back").addEventListener("click", () => dialog.close());

  sendButton.addEventListener("click", async () => {
    if (!pending) return;
    const label = sendButton.textContent;
    sendButton.disabled = true;
    sendButton.textContent = t("sending");
    try {
      const sent = await Pano.api("POST", "/api/v1/emergencies", pending);
      C.clearDraft();
      pending = null;
      window.location.assign(EmergencyUI.boardUrl(sent.id) + "?sent=1");
    } catch (err) {
      dialog.close();
      sendButton.disabled = false;
      sendButton.textContent = label;
      if (err.status === 400) placeRefusal(err.message, (err.body && err.body.message_en) || err.message);
      else { sendError.replaceChildren(el("strong", {}, err.message)); sendError.hidden = false; }
    }
  });
})();
