/* Playlist editor: a text item's photo (docs/content.md "Photos on text
   slides"), one per item: picked from the media store (E.pickMedia, pictures only),
   placed behind the text or in the left or right third; the controller draws it and
   keeps the text legible. E.photoPanel(item) is the item's row. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const PLACEMENTS = ["background", "side-left", "side-right"];

  E.photoPanel = (item) => {
    const box = el("div", { class: "pl-media pl-photo", dataset: { testid: "photo" } });
    const id = `it-${item.key}-photo-placement`;
    const label = el("span", { class: "pl-label" }, t("photo"));
    const pick = () => E.pickMedia({ kind: "image", onPick: (media) => {
      item.photo = { media: media.sha256, placement: (item.photo && item.photo.placement) || "background" };
      E.restructure();
    } });
    const photo = item.photo;
    if (!photo || !photo.media) {
      box.append(label, E.editable
        ? el("button", { type: "button", class: "pl-pick pl-photo-add", onclick: pick }, "+ " + t("add_photo"))
        : el("span", { class: "muted" }, t("no_photo")));
      return box;
    }
    const placement = el("select", { id, disabled: !E.editable, dataset: { field: "photo-placement" } },
      PLACEMENTS.map((p) => el("option", { value: p, selected: p === (photo.placement || "background") },
        t("photo_" + p.replace("-", "_")))));
    placement.addEventListener("change", () => { photo.placement = placement.value; E.changed(); });
    const nameSpan = el("span", { class: "pl-media-name" }, photo.media.slice(0, 12) + "…");
    const preview = el("span", { class: "pl-media-preview" });
    E.mediaInfo(photo.media).then((m) => {
      preview.replaceChildren(E.mediaPreview(m, photo.media));
      if (m) nameSpan.textContent = m.original_name || nameSpan.textContent;
    });
    box.append(label, el("div", { class: "pl-media-chosen" }, preview,
      el("div", { class: "pl-media-meta" }, nameSpan,
        el("div", { class: "pl-inline" }, el("label", { for: id }, t("photo_place")), placement),
        el("p", { class: "hint small" }, t("photo_legible")),
        E.editable ? el("div", { class: "pl-media-buttons" },
          el("button", { type: "button", onclick: pick }, t("change_file")),
          el("button", { type: "button", class: "pl-photo-remove",
            onclick: () => { delete item.photo; E.restructure(); } }, t("remove_file"))) : null)));
    return box;
  };
})();
