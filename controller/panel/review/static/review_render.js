/* How the review page draws a playlist's changes (data from
   GET /api/v1/playlists/<id>/versions/<n>/diff): items added and removed in full,
   moves, and each changed field old → new side by side, languages Vietnamese first,
   changed words marked (worddiff.js), media as thumbnails with their file names (never a
   hash), fields named as the editor names them. Everything is built with
   Pano.el: content is shown as stored, never parsed as HTML. */
"use strict";
const ReviewRender = (() => {
  const { el, t } = Pano;
  const FIELDS = ["title", "body", "media", "url"];
  let languageNames = null;
  try { languageNames = new Intl.DisplayNames([Pano.locale], { type: "language" }); }
  catch (err) { languageNames = null; }

  function languageLabel(code) {
    let name = code;
    try { name = languageNames ? languageNames.of(code) : code; } catch (err) { name = code; }
    return el("span", { class: "lang-tag", title: name }, code.toUpperCase(),
              el("span", { class: "lang-name" }, " · " + name));
  }

  function languageOrder(codes) {
    const rank = (c) => (c === "vi" ? 0 : c === "en" ? 1 : 2);
    return [...codes].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  function typeName(type) { return t("type_" + type) !== "type_" + type ? t("type_" + type) : type; }

  function itemTitle(item) {
    const v = (item && item.variants) || {};
    for (const lang of languageOrder(Object.keys(v))) {
      if (v[lang] && v[lang].title) return v[lang].title;
    }
    return item ? item.id : "";
  }

  /* The same names as the editor's (playlist_strings.html): an image's or video's title
     is its caption, its media its image or video file, its link the QR code's. */
  function fieldName(field, type) {
    if (field === "title" && type && type !== "text") return t("field_caption");
    if (field === "media") return t(type === "video" ? "field_video_file" : "field_image_file");
    if (field === "url") return t(type === "web" ? "field_web_address" : "field_qr_link");
    return t("field_" + field);
  }

  /* A media file by the name it was uploaded under (GET /api/v1/media/<sha256>), never
     by its hash; asked once per file. */
  const names = new Map();
  function fileName(sha) {
    if (!names.has(sha)) {
      names.set(sha, Pano.api("GET", "/api/v1/media/" + sha)
        .then((m) => m.original_name || t("unnamed_file")).catch(() => t("unnamed_file")));
    }
    return names.get(sha);
  }

  function media(sha, type) {
    if (!sha) return el("span", { class: "muted" }, t("empty"));
    const label = el("span", { class: "small file-name" }, t("loading_name"));
    fileName(sha).then((name) => { label.textContent = name; });
    if (type === "video") {
      return el("span", { class: "media-ref" }, el("span", { class: "badge muted" }, t("video_file")), " ", label);
    }
    const img = el("img", { class: "thumb", alt: t("field_media"),
                            loading: "lazy", src: "/api/v1/media/" + sha + "/thumbnail" });
    fileName(sha).then((name) => { img.alt = name; });
    img.addEventListener("error", () => img.replaceWith(el("span", { class: "thumb missing" }, t("no_thumbnail"))));
    return el("span", { class: "media-ref" }, img, label);
  }

  /* A text item's photo (docs/content.md "Photos on text slides"): its picture and where
     it goes on the slide. */
  function photo(value) {
    if (!value || !value.media) return el("span", { class: "muted" }, t("no_photo"));
    return el("div", { class: "photo-ref" }, media(value.media, "image"), " ",
      el("span", { class: "photo-placement" }, t("photo_" + String(value.placement || "background").replace("-", "_"))));
  }

  function link(url) {
    if (!url) return el("span", { class: "muted" }, t("empty"));
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "url" }, url);
  }

  function fieldValue(field, value, type, lang) {
    if (field === "media") return media(value, type);
    if (field === "url") return link(value);
    if (value === null || value === undefined || value === "") return el("span", { class: "muted" }, t("empty"));
    return el("div", { class: "diff-text", lang }, String(value));
  }

  /* A whole language version, e.g. of an added item. */
  function variantBlock(lang, variant, type) {
    const rows = FIELDS.filter((f) => variant && variant[f] !== undefined && variant[f] !== null)
      .map((f) => el("div", { class: "variant-field" }, el("span", { class: "field-name" }, fieldName(f, type)),
                     fieldValue(f, variant[f], type, lang)));
    return el("div", { class: "variant" }, el("div", { class: "variant-lang" }, languageLabel(lang)), rows);
  }

  function itemHead(item, position, extra) {
    return el("div", { class: "item-head" },
      el("span", { class: "pos" }, t("at_position", { n: position })),
      el("strong", {}, itemTitle(item)),
      el("span", { class: "badge muted" }, typeName(item.type)),
      item.duration ? el("span", { class: "muted small" }, t("seconds", { n: item.duration })) : null,
      el("span", { class: "muted small mono" }, item.id), extra || null);
  }

  function wholeItem(entry, kind) {
    const item = entry.item;
    const v = item.variants || {};
    return el("article", { class: "card diff-item " + kind, dataset: { item: item.id } },
      itemHead(item, entry.position),
      item.photo ? el("div", { class: "variant-field item-photo" },
        el("span", { class: "field-name" }, t("field_photo")), photo(item.photo)) : null,
      el("div", { class: "variants" }, languageOrder(Object.keys(v)).map((lang) => variantBlock(lang, v[lang], item.type))));
  }

  function oldNew(before, after, extraClass) {
    return el("div", { class: "old-new " + (extraClass || "") },
      el("div", { class: "old-col" }, el("div", { class: "col-label" }, t("before")), before),
      el("div", { class: "new-col" }, el("div", { class: "col-label" }, t("after")), after));
  }

  function change(c, type) {
    const label = c.language
      ? el("div", { class: "change-label" }, languageLabel(c.language), " ", fieldName(c.field, type))
      : el("div", { class: "change-label" }, fieldName(c.field, type));
    let body;
    if (c.field === "variant") {
      const note = c.new ? t("language_added") : t("language_removed");
      body = oldNew(c.old ? variantBlock(c.language, c.old, type) : el("span", { class: "muted" }, note),
                    c.new ? variantBlock(c.language, c.new, type) : el("span", { class: "muted" }, note));
    } else if (c.field === "duration") {
      body = oldNew(el("div", { class: "diff-text" }, el("del", {}, t("seconds", { n: c.old }))),
                    el("div", { class: "diff-text" }, el("ins", {}, t("seconds", { n: c.new }))));
    } else if (c.field === "photo") {
      body = oldNew(photo(c.old), photo(c.new));
    } else if (c.field === "type") {
      body = oldNew(el("div", {}, el("del", {}, typeName(c.old))), el("div", {}, el("ins", {}, typeName(c.new))));
    } else if (c.field === "title" || c.field === "body") {
      const [before, after] = PanoWordDiff.sideBySide(c.old || "", c.new || "", c.language);
      body = oldNew(c.old ? before : el("span", { class: "muted" }, t("empty")),
                    c.new ? after : el("span", { class: "muted" }, t("empty")));
    } else {
      body = oldNew(fieldValue(c.field, c.old, type, c.language), fieldValue(c.field, c.new, type, c.language));
    }
    return el("div", { class: "change", dataset: { field: c.field, language: c.language || "" } }, label, body);
  }

  function changedItem(entry, item) {
    const type = item ? item.type : null;
    const ordered = [...entry.changes].sort((a, b) => {
      if (!a.language || !b.language) return a.language ? 1 : b.language ? -1 : 0;
      const order = languageOrder([a.language, b.language]);
      return a.language === b.language ? 0 : order[0] === a.language ? -1 : 1;
    });
    const v = (item && item.variants) || {};
    const shown = languageOrder(Object.keys(v)).map((l) => v[l] && v[l].media).find(Boolean);
    const mediaChanged = entry.changes.some((c) => c.field === "media");
    const context = type === "image" && shown && !mediaChanged
      ? el("div", { class: "item-context" }, media(shown, type)) : null;
    return el("article", { class: "card diff-item changed", dataset: { item: entry.id } },
      itemHead(item || { id: entry.id, type: "" }, entry.position), context,
      ordered.map((c) => change(c, type)));
  }

  function section(key, count, children) {
    if (!count) return null;
    return el("section", { class: "diff-section", id: "section-" + key },
      el("h2", {}, t("sec_" + key), " ", el("span", { class: "badge change-" + key }, String(count))),
      children);
  }

  /* The whole diff; `items` maps item id -> the item in the version under review. */
  function changes(diff, items, itemsBefore) {
    const ch = diff.changes;
    const moved = ch.moved.map((m) => el("li", { dataset: { item: m.id } },
      el("strong", {}, itemTitle(items[m.id] || itemsBefore[m.id] || { id: m.id })), " — ",
      t("moved_from_to", { from: m.from, to: m.to })));
    return [
      section("changed", ch.changed.length, ch.changed.map((c) => changedItem(c, items[c.id]))),
      section("added", ch.added.length, ch.added.map((a) => wholeItem(a, "added"))),
      section("removed", ch.removed.length, ch.removed.map((r) => wholeItem(r, "removed"))),
      section("moved", ch.moved.length, el("ul", { class: "card moved-list" }, moved)),
      ch.unchanged && (ch.changed.length || ch.added.length || ch.removed.length || ch.moved.length)
        ? el("p", { class: "muted" }, t("unchanged_note", { n: ch.unchanged })) : null,
    ];
  }

  return { changes, languageOrder, itemTitle };
})();
