/* Playlist editor, part 7: a copy of unsaved work in this browser (localStorage), so
   that a closed tab, a crash or an expired session (signing in again leaves the page)
   does not lose it. Kept while there are unsaved changes, removed once saved; on
   opening the playlist again the person may restore it or throw it away. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  let timer = null;

  function key(id) {
    return `pano.playlist-draft.${Pano.config.user.username}.${id || "new"}`;
  }

  function read(id) {
    try { return JSON.parse(localStorage.getItem(key(id)) || "null"); } catch (err) { return null; }
  }

  function forget(id) {
    try { localStorage.removeItem(key(id)); } catch (err) { /* storage unavailable */ }
  }

  function keep() {
    timer = null;
    if (!E.editable) return;
    const id = E.playlist ? E.playlist.id : null;
    if (!E.dirty) return;  // forgotten only once saved or thrown away
    try {
      localStorage.setItem(key(id), JSON.stringify({ at: new Date().toISOString(), model: E.model, shown: E.shown }));
    } catch (err) { /* full or unavailable: the page still holds the work */ }
  }

  function offer() {
    const id = E.playlist ? E.playlist.id : null;
    const copy = read(id);
    if (!copy || !copy.model || !E.editable) return;
    const restored = Object.assign({}, copy.model, { items: (copy.model.items || []).map(E.fromApi) });
    const current = E.model;
    E.model = restored;
    const differs = E.snapshot() !== E.saved;
    E.model = current;
    if (!differs) { forget(id); return; }
    const box = el("div", { class: "warning pl-backup", role: "status", dataset: { testid: "backup" } },
      el("span", {}, t("backup_found", { when: Pano.dateTime(copy.at) })), " ",
      el("button", { type: "button", class: "primary", onclick: () => {
        E.model = restored;
        if (E.playlist) E.model.id = E.playlist.id;
        E.computeShown(copy.shown || []);
        E.renderAll();
        box.remove();
        Pano.toast(t("backup_restored"), "ok");
      } }, t("backup_restore")), " ",
      el("button", { type: "button", onclick: () => { forget(id); box.remove(); } }, t("backup_discard")));
    document.getElementById("ed-error").before(box);
  }

  E.on("changed", () => { if (!timer) timer = setTimeout(keep, 400); });
  E.on("saved", () => { forget(null); forget(E.playlist && E.playlist.id); });
  E.on("loaded", offer);
  window.addEventListener("pagehide", () => { if (timer) { clearTimeout(timer); keep(); } });
})();
