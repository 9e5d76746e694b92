/* "On air on 3/5 screens": the words beside an approved version, kept live.

   Approved is not on air: a version is on air on a screen once that screen has
   acknowledged a timeline containing it (controller/panel/on_air_source.py, the live
   topic "on_air" of the /panel namespace). PanoOnAir.words(playlist, version) returns a
   <span> that says on how many of the screens scheduled to show the version it is on
   air, and changes as screens confirm, without reloading the page. The connection is
   opened by the first call (the Socket.IO client is loaded then if the page has not). */
"use strict";
const PanoOnAir = (() => {
  const counts = new Map();   // "playlist@n" -> {screens, of}
  let started = false;

  function say(span) {
    const c = counts.get(span.dataset.onAir);
    if (!c) {
      span.hidden = !started || counts.size === 0;
      span.textContent = span.hidden ? "" : Pano.t("on_air_none_scheduled");
      span.className = "on-air badge muted";
      return;
    }
    span.hidden = false;
    span.textContent = c.of ? Pano.t("on_air_screens", { n: Pano.number(c.screens, 0), of: Pano.number(c.of, 0) })
                            : Pano.t("on_air_none_scheduled");
    span.className = "on-air badge " + (!c.of ? "muted" : c.screens === c.of ? "ok" : "warn");
    span.title = c.of ? Pano.t("on_air_title") : "";
  }

  function refresh() {
    for (const span of document.querySelectorAll("span.on-air[data-on-air]")) say(span);
  }

  function apply(update) {
    if (!update) return;
    if (update.full) counts.clear();
    for (const key of update.removed || []) counts.delete(key);
    for (const [key, value] of Object.entries(update.items || {})) counts.set(key, value);
    refresh();
  }

  function connect() {
    const socket = Pano.live("/panel");
    if (!socket) return;
    socket.on("connect", () => socket.emit("subscribe", { topic: "on_air" }, () => {}));
    socket.on("on_air", apply);
  }

  function start() {
    if (started) return;
    started = true;
    if (typeof io === "function") { connect(); return; }
    const script = document.createElement("script");
    script.src = document.querySelector('script[src$="/panel.js"]').src.replace(/panel\.js$/, "vendor/socket.io.min.js");
    script.addEventListener("load", connect);
    document.head.append(script);
  }

  /* The live words for version `version` of playlist `playlist` (null: nothing). */
  function words(playlist, version) {
    if (!playlist || version === null || version === undefined) return null;
    start();
    const span = Pano.el("span", { class: "on-air badge muted", hidden: true,
                                   dataset: { onAir: playlist + "@" + version } });
    say(span);
    return span;
  }

  return { words, counts };
})();
