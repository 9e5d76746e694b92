/* Playlist editor, part 6: loading, saving the draft, submitting for review,
   withdrawing and discarding — all through /api/v1, showing the server's own message
   when it refuses. A failed save keeps everything on the page (and the warning before
   leaving it) so the person can try again. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const $ = (id) => document.getElementById(id);
  const buttons = { save: $("ed-save"), submit: $("ed-submit"), withdraw: $("ed-withdraw"), discard: $("ed-discard") };
  const errorBox = $("ed-error");
  const savedBox = $("ed-saved");
  let busy = false;
  let overwrite = false;    // the person saw the conflict message and saves again

  function showError(message) {
    errorBox.replaceChildren(message ? el("span", {}, message) : "");
    errorBox.hidden = !message;
    if (message) errorBox.scrollIntoView({ block: "nearest" });
  }

  function notice(kind, ...parts) {
    $("ed-messages").append(el("div", { class: kind }, ...parts));
  }

  function working() { return E.playlist && E.playlist.working; }

  function updateButtons() {
    if (!buttons.save) return;
    const w = working();
    const inReview = w && w.state === "in_review";
    buttons.save.hidden = !E.editable;
    buttons.submit.hidden = !E.editable;
    buttons.withdraw.hidden = !(E.cfg.may_edit && inReview);
    buttons.discard.hidden = !(E.editable && w && w.state === "draft" && E.playlist.on_air);
    for (const b of Object.values(buttons)) b.disabled = busy;
    if (E.editable) buttons.save.disabled = busy || !E.dirty;
    if (E.editable) buttons.submit.disabled = busy || (!E.dirty && !(w && w.state === "draft"));
    savedBox.classList.toggle("is-dirty", E.dirty);
    if (E.dirty) savedBox.textContent = t("unsaved");
  }

  function renderMessages() {
    $("ed-messages").replaceChildren();
    const p = E.playlist;
    const w = working();
    if (!E.cfg.may_edit) notice("notice", t("read_only_role"));
    if (w && w.rejection_reason && w.state === "draft") {
      notice("error pl-rejection", el("strong", {}, t("returned_title")), " ", el("span", { "data-testid": "rejection-reason" }, w.rejection_reason));
    }
    if (E.cfg.may_edit && w && w.state === "in_review") notice("notice", t("in_review_note"));
    if (E.cfg.review_url && w && w.state === "in_review") {
      notice("notice", t("awaits_review", { n: w.number }), " ", el("a", { href: E.cfg.review_url }, t("open_review")));
    }
    if (E.cfg.may_edit && p && p.on_air && !w) notice("notice", t("on_air_edit_note", { n: p.on_air }));
  }

  E.renderAll = renderAll;
  function renderAll() {
    E.renderDetails();
    E.renderVersions();
    renderMessages();
    $("ed-content").hidden = false;
    E.restructure();
    $("ed-root").setAttribute("aria-busy", "false");
  }

  async function loadVersion() {
    const p = E.playlist;
    const w = p.working;
    const number = w ? w.number : p.on_air || (p.versions[0] && p.versions[0].number);
    E.version = p.versions.find((v) => v.number === number) || null;
    if (!number) return [];
    const version = await Pano.api("GET", `/api/v1/playlists/${encodeURIComponent(p.id)}/versions/${number}`);
    return version.items;
  }

  /* What the working version looked like when this page last read it: someone else
     saving, submitting or discarding it meanwhile changes it. */
  function stamp(playlist) {
    const w = playlist.working;
    const v = w && playlist.versions.find((x) => x.number === w.number);
    return v ? `${v.number}|${v.edited_at}|${v.state}` : "none";
  }

  function adopt(playlist) {
    E.playlist = playlist;
    E.base = stamp(playlist);
    const w = playlist.working;
    E.editable = E.cfg.may_edit && !(w && w.state === "in_review");
    E.version = playlist.versions.find((v) => w ? v.number === w.number : v.on_air) || E.version;
  }

  async function load() {
    try {
      const [sites, agencies] = await Promise.all([Pano.api("GET", "/api/v1/sites"), Pano.api("GET", "/api/v1/agencies"),
        E.loadCatalog()]);
      E.languages = sites.languages;
      E.required = sites.required_languages;
      E.agencies = Object.fromEntries(agencies.agencies.map((a) => [a.id, a]));
      if (E.cfg.playlist) {
        const id = encodeURIComponent(E.cfg.playlist);
        const [playlist, reach] = await Promise.all([Pano.api("GET", "/api/v1/playlists/" + id),
          Pano.api("GET", `/api/v1/playlists/${id}/reach`)]);
        E.reach = reach;
        adopt(playlist);
        const items = await loadVersion();
        E.model = { id: playlist.id, title: { vi: playlist.title.vi, en: playlist.title.en },
          agency: playlist.agency, themes: [...playlist.themes], items: items.map(E.fromApi) };
      } else {
        E.editable = true;
        E.model.agency = Pano.config.user.agency || null;
        E.model.items = [E.newItem("text")];
      }
      E.computeShown();
      E.saved = E.snapshot();
      renderAll();
      savedBox.textContent = E.version && E.version.edited_at ? t("last_saved", { when: Pano.dateTime(E.version.edited_at) }) : "";
      updateButtons();
      E.emit("loaded");
    } catch (err) {
      $("ed-root").setAttribute("aria-busy", "false");
      showError(err.status === 404 ? t("not_found") : t("load_failed", { message: err.message }));
    }
  }

  async function save() {
    showError("");
    let warnings = [];
    const items = E.payloadItems();
    const details = E.details();
    if (!E.playlist) {
      const body = { id: E.model.id, title: details.title, themes: details.themes, items };
      if (E.model.agency && Pano.config.user.role === "admin") body.agency = E.model.agency;
      const created = await Pano.api("POST", "/api/v1/playlists", body);
      adopt(created);
      history.replaceState(null, "", "/panel/playlists/" + encodeURIComponent(created.id));
      E.cfg.playlist = created.id;
      E.renderDetails();
    } else {
      const id = encodeURIComponent(E.playlist.id);
      const fresh = await Pano.api("GET", "/api/v1/playlists/" + id);
      if (stamp(fresh) !== E.base && !overwrite) {
        const w = fresh.working && fresh.versions.find((v) => v.number === fresh.working.number);
        overwrite = true;
        throw new Error(t("conflict", { who: (w && w.edited_by) || "?", when: Pano.dateTime(w && w.edited_at) }));
      }
      overwrite = false;
      const before = E.saved ? JSON.parse(E.saved) : null;
      if (!before || JSON.stringify(before.details) !== JSON.stringify(details)) {
        await Pano.api("PATCH", "/api/v1/playlists/" + id, details);
      }
      if (!before || JSON.stringify(before.items) !== JSON.stringify(items)) {
        const answer = await Pano.api("PUT", `/api/v1/playlists/${id}/draft`, { items });
        warnings = answer.warnings || [];
      }
      adopt(await Pano.api("GET", "/api/v1/playlists/" + id));
    }
    E.saved = JSON.stringify({ details, items });
    E.dirty = E.snapshot() !== E.saved;
    E.renderVersions();
    renderMessages();
    savedBox.textContent = t("saved_at", { time: Pano.time(new Date().toISOString()) });
    E.emit("saved");
    if (warnings.length) E.showServerProblems(warnings);
  }

  async function run(action) {
    if (busy) return false;
    busy = true;
    updateButtons();
    try {
      await action();
      return true;
    } catch (err) {
      showError(err.message || t("network_error"));
      Pano.toast(err.message, "bad");
      return false;
    } finally {
      busy = false;
      updateButtons();
    }
  }

  async function review(step) {
    const w = working();
    const body = await Pano.api("POST", `/api/v1/playlists/${encodeURIComponent(E.playlist.id)}/versions/${w.number}/${step}`);
    const wasEditable = E.editable;
    adopt(body.playlist);
    renderMessages();
    E.renderVersions();
    if (wasEditable !== E.editable) { E.renderDetails(); E.restructure(); }
  }

  if (buttons.save) {
    buttons.save.addEventListener("click", () => run(save));
    buttons.submit.addEventListener("click", () => run(async () => {
      if (E.dirty || !E.playlist) await save();
      if (!working() || working().state !== "draft") throw new Error(t("nothing_to_submit"));
      await review("submit");
      Pano.toast(t("submitted"), "ok");
    }));
    buttons.withdraw.addEventListener("click", () => run(async () => {
      await review("withdraw");
      Pano.toast(t("withdrawn"), "ok");
    }));
    buttons.discard.addEventListener("click", () => run(async () => {
      if (!window.confirm(t("discard_confirm"))) return;
      await review("archive");
      const items = await loadVersion();
      E.model.items = items.map(E.fromApi);
      E.saved = E.snapshot();
      E.dirty = false;
      renderAll();
      Pano.toast(t("discarded"), "ok");
    }));
  }
  /* A version waiting for review is decided elsewhere (an approver approves or returns
     it): while one waits, the page reads the playlist again every few seconds and when
     it is shown again, so it never keeps saying "waiting for review" after the answer. */
  const FOLLOW_MS = 5000;
  async function follow() {
    const w = working();
    if (busy || document.hidden || !E.playlist || !w || w.state !== "in_review") return;
    let fresh;
    try { fresh = await Pano.api("GET", "/api/v1/playlists/" + encodeURIComponent(E.playlist.id)); } catch (err) { return; }
    if (busy || stamp(fresh) === E.base && fresh.on_air === E.playlist.on_air) return;
    const wasEditable = E.editable;
    adopt(fresh);
    renderMessages();
    E.renderVersions();
    if (wasEditable !== E.editable) { E.renderDetails(); E.restructure(); }
    updateButtons();
  }
  setInterval(follow, FOLLOW_MS);
  document.addEventListener("visibilitychange", follow);

  E.on("changed", updateButtons);
  load();
})();
