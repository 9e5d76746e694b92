/* Playlist editor, part 8: what the screens will show (issue 16). Under the items, each
   item of the saved version (the draft being edited, else the version on air) drawn by
   the controller for every kind of screen that will show it — the pictures the review
   shows and the screens play (review_frames.js of the review pages,
   GET /api/v1/playlists/<id>/versions/<n>/preview.png). Each item is folded: its
   pictures are drawn only when it is opened. Unsaved changes are not drawn: the
   section says so until the draft is saved. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  let section = null;

  function titleOf(item) {
    const v = item.variants || {};
    const lang = ["vi", "en", ...Object.keys(v)].find((l) => v[l] && v[l].title);
    return lang ? v[lang].title : item.id;
  }

  function place() {
    if (section) return section;
    section = el("section", { class: "card pl-frames", id: "ed-frames", "data-testid": "frames" });
    const content = document.getElementById("ed-content");
    content.append(section);
    return section;
  }

  async function render() {
    if (!E.playlist || !E.version) return;
    const box = place();
    const number = E.version.number;
    let items = [];
    let kinds = [];
    try {
      const version = await Pano.api("GET", "/api/v1/playlists/" + encodeURIComponent(E.playlist.id)
                                     + "/versions/" + number);
      items = (version.items || []).filter((i) => i.type !== "web" && i.type !== "data");
      kinds = await ReviewFrames.kindsOf(E.playlist.id);
    } catch (err) {
      box.replaceChildren(el("p", { class: "muted" }, t("frames_failed")));
      return;
    }
    const head = el("h2", {}, t("frames_title"));
    const note = el("p", { class: "muted", id: "ed-frames-note" },
                    E.dirty ? t("frames_unsaved") : t("frames_version", { n: number }));
    if (!kinds.length) {
      box.replaceChildren(head, el("p", { class: "muted" }, t("frames_no_screen")));
      return;
    }
    const ctx = { playlist: E.playlist.id, version: number, compare: false };
    box.replaceChildren(head, note, ...items.map((item) => el("div", {
      class: "pl-frames-item", dataset: { item: item.id } },
      el("h3", {}, titleOf(item)),
      ReviewFrames.block(ctx, item, null, kinds, false))));
  }

  E.on("loaded", render);
  E.on("saved", render);
  E.on("changed", () => {
    const note = document.getElementById("ed-frames-note");
    if (note && E.dirty) note.textContent = t("frames_unsaved");
  });
})();
