/* Playlist editor, part 1: the shared state (window.PlEd) and the item format.
   The model holds what the person sees; payloadItems() turns it into the API's JSON
   items (docs/api-playlists.md "Items"). Later scripts add rendering and actions. */
"use strict";
window.PlEd = (() => {
  const cfg = JSON.parse(document.getElementById("ed-config").textContent);
  const TYPES = ["text", "image", "video", "web", "data"];
  const FIELDS = ["title", "body", "media", "url"];
  let nextKey = 1;

  const E = {
    cfg,
    TYPES,
    languages: [],        // configured languages [{code, name: {vi, en}}]
    required: [],         // required language codes
    reach: { screens: [], languages: [] },  // screens the playlist reaches
    shown: [],            // language columns shown, in order
    agencies: {},
    playlist: null,       // the API's playlist (null while new and unsaved)
    version: null,        // the version whose items are shown
    editable: false,
    dirty: false,
    saved: null,          // JSON of the last saved details and items
    model: { id: "", title: { vi: "", en: "" }, agency: null, themes: [], items: [] },
    hooks: { changed: [], structure: [], loaded: [], saved: [] },
  };

  E.langName = (code) => {
    const lang = E.languages.find((l) => l.code === code);
    if (!lang) return code;
    return lang.name[Pano.config.lang] || lang.name.vi || code;
  };

  E.slug = (text) => (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");

  E.validId = (id) => new RegExp(cfg.id_pattern).test(id || "");

  /* An id no other item has: the slug of ``base`` (an item's name), else item-N. */
  E.freeItemId = (base, self) => {
    const used = new Set(E.model.items.filter((it) => it !== self).map((it) => it.id));
    const stem = E.slug(base || "").slice(0, 56).replace(/-+$/, "");
    if (stem.length >= 2) {
      let id = stem;
      for (let n = 2; used.has(id); n += 1) id = `${stem}-${n}`;
      return id;
    }
    let n = E.model.items.length + 1;
    while (used.has("item-" + n)) n += 1;
    return "item-" + n;
  };

  /* A new item's id follows its name (its title in the first language that has one)
     until the person edits the id under "Advanced"; a saved item keeps its id. */
  E.autoId = (item) => {
    if (!item.auto) return;
    const v = item.variants || {};
    const name = item.type === "data"
      ? (item.title && (item.title.vi || item.title.en)) || (E.templateTitle && E.templateTitle(item.template))
      : [...E.required, ...Object.keys(v)].map((c) => v[c] && v[c].title).find((x) => x && x.trim());
    item.id = E.freeItemId(name, item);
  };

  E.newItem = (type) => {
    const item = { key: nextKey++, id: "", type, duration: type === "video" ? 30 : type === "data" ? 20 : 10,
      variants: {}, auto: true };
    if (type === "data") Object.assign(item, { source: "", template: "", title: {}, fallback: null });
    item.id = E.freeItemId("", item);
    return item;
  };

  E.fromApi = (item) => {
    const out = { key: nextKey++, id: item.id, type: item.type, duration: item.duration,
      variants: JSON.parse(JSON.stringify(item.variants || {})), auto: !!item.auto };
    if (item.photo) out.photo = Object.assign({}, item.photo);  // a text item's photo (docs/content.md)
    if (item.type === "data") {
      const template = item.template;
      Object.assign(out, { variants: {}, source: item.source || "",
        template: template && typeof template === "object" ? template.id : (template || ""),
        title: Object.assign({}, item.title || {}),
        fallback: item.fallback ? JSON.parse(JSON.stringify(item.fallback)) : null });
    }
    return out;
  };

  /* A data item as the API takes it (docs/sources.md "The item"): no variants; the
     titles it gives; its fallback, another item's id or texts of its own. */
  function dataPayload(item) {
    const duration = Number(item.duration);
    const out = { id: item.id, type: "data", duration: Number.isFinite(duration) ? duration : item.duration,
      source: item.source, template: item.template };
    const title = {};
    for (const [code, text] of Object.entries(item.title || {})) if (text && text.trim()) title[code] = text.trim();
    if (Object.keys(title).length) out.title = title;
    const fb = item.fallback;
    if (fb && fb.item) out.fallback = fb.item;
    else if (fb && fb.variants) {
      const variants = {};
      const codes = [...new Set([...E.required, ...Object.keys(fb.variants)])];
      for (const code of codes) {
        const v = fb.variants[code] || {};
        const one = {};
        for (const key of ["title", "body"]) if (v[key] && String(v[key]).trim()) one[key] = String(v[key]).trim();
        if (Object.keys(one).length || E.required.includes(code)) variants[code] = one;
      }
      out.fallback = { variants };
    }
    return out;
  }

  E.variant = (item, code) => {
    if (!item.variants[code]) item.variants[code] = {};
    return item.variants[code];
  };

  E.hasContent = (variant) => !!variant && FIELDS.some((k) => variant[k] && String(variant[k]).trim());

  /* The items as the API takes them: empty fields left out, a variant for every
     required language (so the server names what is missing) and for every language
     with something filled in; 'media' only on image and video items. */
  E.payloadItems = () => E.model.items.map((item) => {
    if (item.type === "data") return dataPayload(item);
    const variants = {};
    const codes = [...new Set([...E.required, ...E.languages.map((l) => l.code), ...Object.keys(item.variants)])];
    for (const code of codes) {
      const v = item.variants[code] || {};
      const out = {};
      for (const key of FIELDS) {
        if (key === "media" && item.type !== "image" && item.type !== "video") continue;
        const value = typeof v[key] === "string" ? v[key].trim() : v[key];
        if (value) out[key] = value;
      }
      if (Object.keys(out).length || E.required.includes(code)) variants[code] = out;
    }
    const duration = Number(item.duration);
    const out = { id: item.id, type: item.type, duration: Number.isFinite(duration) ? duration : item.duration, variants };
    if (item.type === "text" && item.photo && item.photo.media) {  // kept as it came, or as picked
      out.photo = { media: item.photo.media, placement: item.photo.placement || "background" };
    }
    return out;
  });

  E.details = () => ({ title: { vi: E.model.title.vi.trim(), en: E.model.title.en.trim() },
    themes: [...E.model.themes] });

  E.snapshot = () => JSON.stringify({ details: E.details(), items: E.payloadItems() });

  E.on = (what, fn) => E.hooks[what].push(fn);
  E.emit = (what) => { for (const fn of E.hooks[what]) fn(); };

  /* A field changed: mark unsaved and let checks and status update. */
  E.changed = () => {
    E.dirty = E.editable && E.snapshot() !== E.saved;
    E.emit("changed");
  };

  /* Items added, removed, moved or retyped, or columns changed: redraw the items. */
  E.restructure = () => {
    E.emit("structure");
    E.changed();
  };

  /* Columns: required first, then the languages the screens need, then any language
     some item already has; more can be added from the language bar. */
  E.computeShown = (extra) => {
    const present = new Set();
    for (const item of E.model.items) {
      for (const [code, v] of Object.entries(item.variants)) if (E.hasContent(v)) present.add(code);
    }
    const order = E.languages.map((l) => l.code);
    const wanted = new Set([...E.required, ...E.reach.languages, ...present, ...E.shown, ...(extra || [])]);
    const rest = order.filter((c) => wanted.has(c) && !E.required.includes(c));
    E.shown = [...E.required, ...rest.filter((c) => E.reach.languages.includes(c)),
      ...rest.filter((c) => !E.reach.languages.includes(c))];
  };

  window.addEventListener("beforeunload", (event) => {
    if (E.dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  return E;
})();
