/* What the screens will show (issue 16): under each changed or added item, the picture
   each kind of screen that will show it draws for each of its slides (its resolution,
   orientation, languages, bilingual mode and site), this version beside the version on
   air. The pictures are the controller's own
   (GET /api/v1/playlists/<id>/versions/<n>/preview.png: the code that draws the
   screens), so the approver approves what will air, not raw text. Loaded lazily: a
   picture is drawn when it scrolls into view. */
"use strict";
const ReviewFrames = (() => {
  const { el, t, api } = Pano;
  const enc = encodeURIComponent;
  const ALTERNATING = ["text", "image"];  // one slide per language on alternate screens

  function slidesOf(item, kind) {
    const variants = item.variants || {};
    let langs = kind.languages.filter((l) => variants[l]);
    if (!langs.length) langs = Object.keys(variants);
    if (kind.bilingual_mode === "alternate" && ALTERNATING.includes(item.type) && langs.length > 1) {
      return langs.map((l) => ({ lang: l, langs: [l] }));
    }
    return [{ lang: null, langs }];
  }

  function kindLabel(kind, slide) {
    const [w, h] = kind.resolution;
    const vi = Pano.config.lang === "vi";
    const site = (vi ? kind.site.name.vi : kind.site.name.en) || kind.site.id;
    return t("frames_kind", {
      w, h, orientation: t(w >= h ? "frames_landscape" : "frames_portrait"),
      mode: t("frames_mode_" + kind.bilingual_mode), site, n: kind.count,
      langs: slide.langs.map((l) => l.toUpperCase()).join(" + "),
    });
  }

  function picture(playlist, number, kind, item, slide, label) {
    const query = "screen=" + enc(kind.screen) + "&item=" + enc(item.id)
      + (slide.lang ? "&lang=" + enc(slide.lang) : "");
    const src = "/api/v1/playlists/" + enc(playlist) + "/versions/" + number + "/preview.png?" + query;
    const portrait = kind.resolution[1] > kind.resolution[0];
    const img = el("img", { class: "frame-shot" + (portrait ? " portrait" : ""), loading: "lazy", alt: label, src,
                            width: String(kind.resolution[0]), height: String(kind.resolution[1]) });
    const link = el("a", { href: src, target: "_blank", rel: "noopener" }, img);
    img.addEventListener("error", async () => {
      let message = t("frames_failed");
      try { await api("GET", src); } catch (err) { message = err.message || message; }
      link.replaceWith(el("div", { class: "frame-error warning", role: "note" }, message));
    });
    return el("figure", { class: "frame" }, el("figcaption", { class: "col-label" }, label), link);
  }

  /* ctx.compare false (the editor): this version's pictures only, no "before". */
  function block(ctx, item, before, kinds, open) {
    const rows = [];
    for (const kind of kinds) {
      for (const slide of slidesOf(item, kind)) {
        const now = picture(ctx.playlist, ctx.version, kind, item, slide,
                            ctx.compare === false ? t("frames_this_version") : t("after"));
        const old = ctx.compare === false ? null : before && ctx.onAir !== null
          ? picture(ctx.playlist, ctx.onAir, kind, before, slide, t("before"))
          : el("figure", { class: "frame" }, el("figcaption", { class: "col-label" }, t("before")),
               el("span", { class: "muted" }, t("frames_new")));
        rows.push(el("div", { class: "frame-row", dataset: { screen: kind.screen, lang: slide.lang || "" } },
          el("div", { class: "frame-kind" }, kindLabel(kind, slide)),
          el("div", { class: old ? "old-new frames" : "frames single" }, old, now)));
      }
    }
    return el("details", { class: "frames", open: open !== false },
      el("summary", {}, t("frames_title")), rows);
  }

  async function kindsOf(playlist) {
    return (await api("GET", "/api/v1/playlists/" + enc(playlist) + "/screen-kinds")).kinds;
  }

  /* Add the pictures to the cards drawn by ReviewRender. ctx: {playlist, version,
     onAir}; items / before: id -> item in this version / in the version on air. */
  async function attach(ctx, items, before) {
    let kinds = [];
    try {
      kinds = await kindsOf(ctx.playlist);
    } catch (err) {
      return;  // the text review stands; the pictures are an addition
    }
    for (const card of document.querySelectorAll(".diff-item.changed, .diff-item.added")) {
      const item = items[card.dataset.item];
      if (!item || item.type === "web" || item.type === "data") continue;
      card.appendChild(kinds.length ? block(ctx, item, before[item.id], kinds)
        : el("p", { class: "muted frames-none" }, t("frames_no_screen")));
    }
  }

  return { attach, block, kindsOf };
})();
