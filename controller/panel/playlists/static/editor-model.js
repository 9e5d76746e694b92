/* Playlist editor, part 1: the shared state (window.PlEd) and the item format.
   The model holds what the person sees; payloadItems() turns it into the API's JSON
   items (docs/api-playlists.md "Items"). Later scripts add rendering and actions. */
"use strict";
window.PlEd = (() => {
  const cfg = JSON.parse(document.getElementById("ed-config").textContent);
  const TYPES = ["text", "image", "video", "web"];
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

  E.newItem = (type) => {
    const used = new Set(E.model.items.map((it) => it.id));
    let n = E.model.items.length + 1;
    while (used.has("item-" + n)) n += 1;
    return { key: nextKey++, id: "item-" + n, type, duration: type === "video" ? 30 : 10, variants: {} };
  };

  E.fromApi = (item) => ({
    key: nextKey++, id: item.id, type: item.type, duration: item.duration,
    variants: JSON.parse(JSON.stringify(item.variants || {})),
  });

  E.variant = (item, code) => {
    if (!item.variants[code]) item.variants[code] = {};
    return item.variants[code];
  };

  E.hasContent = (variant) => !!variant && FIELDS.some((k) => variant[k] && String(variant[k]).trim());

  /* The items as the API takes them: empty fields left out, a variant for every
     required language (so the server names what is missing) and for every language
     with something filled in; 'media' only on image and video items. */
  E.payloadItems = () => E.model.items.map((item) => {
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
    return { id: item.id, type: item.type, duration: Number.isFinite(duration) ? duration : item.duration, variants };
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
