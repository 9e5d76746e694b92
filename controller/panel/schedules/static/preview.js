/* Preview page: a screen at a chosen date and time (Huế time), as the controller draws
   it (GET /api/v1/screens/<id>/preview.png, the screen's own resolution) beside what
   plays then and why (GET …/preview). The address keeps the choice (?screen=&at=), so
   the week view links here. */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const zone = Pano.config.timezone;
  const lang = Pano.config.lang;
  const $ = (id) => document.getElementById(id);
  const state = { screens: {}, sites: {}, titles: {} };
  const names = (value, fallback) => (value && (value[lang] || value.vi || value.en)) || fallback || "";

  // The local date, time and UTC offset of an instant in the province's zone.
  function localParts(date) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
      minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset",
    }).formatToParts(date).map((p) => [p.type, p.value]));
    const offset = (parts.timeZoneName || "GMT").replace("GMT", "") || "+00:00";
    return { date: `${parts.year}-${parts.month}-${parts.day}`,
             time: `${parts.hour}:${parts.minute}:${parts.second}`, offset };
  }

  function setInputs(date) {
    const parts = localParts(date);
    $("p-date").value = parts.date;
    $("p-time").value = parts.time;
  }

  function chosenAt() {
    const day = $("p-date").value, clock = $("p-time").value;
    if (!day || !clock) return null;
    const full = clock.length === 5 ? clock + ":00" : clock;
    const offset = localParts(new Date(day + "T12:00:00Z")).offset;
    return `${day}T${full}${offset}`;
  }

  // The Monday of the week of a YYYY-MM-DD day (the week view starts on Mondays).
  function monday(day) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() - (d.getUTCDay() + 6) % 7);
    return d.toISOString().slice(0, 10);
  }

  function fact(label, ...value) {
    return [el("dt", {}, label), el("dd", {}, ...value)];
  }

  function itemTitle(playing) {
    const variants = playing.variants || {};
    const variant = variants[lang] || variants[Object.keys(variants)[0]] || {};
    return variant.title || "";
  }

  function describe(screen, answer) {
    const playing = answer.playing;
    const facts = [
      ...fact(t("site"), names((state.sites[screen.site] || {}).name, screen.site)),
      ...fact(t("screen"), names(screen.name, screen.id)),
      ...fact(t("local_time"), Pano.dateTime(answer.at)),
    ];
    if (playing) {
      const id = playing.playlist.split("@")[0];
      facts.push(...fact(t("playlist"), el("span", { id: "p-playlist-title" }, names(state.titles[id], id)),
        " ", el("code", {}, playing.playlist)));
      facts.push(...fact(t("item"), itemTitle(playing), " ", el("code", { dataset: { item: playing.item } }, playing.item),
        " · " + t("type_" + playing.type)));
      facts.push(...fact(t("item_time"), Pano.time(playing.started_at) + "–" + Pano.time(playing.ends_at)));
      if (playing.showing) facts.push(...fact(t("showing"), playing.showing.languages.join(", ")));
      facts.push(...fact(t("qr"), playing.qr && playing.qr.url ? el("a", { href: playing.qr.url, rel: "noopener" }, playing.qr.url) : t("no_qr")));
    }
    $("p-facts").replaceChildren(...facts);
    $("p-emergency").replaceChildren(answer.emergency ? el("div", { class: "emergency-banner", role: "alert" }, t("emergency")) : "");
    const why = answer.why || {};
    $("p-why").textContent = why.playlist ? "" : t("won_by_nothing");
    if (!playing && !answer.emergency) $("p-why").textContent += " " + t("nothing");
    $("p-reason").textContent = why.reason || "";
  }

  // The week's piece holding the instant (the same engine as the preview's own "why"):
  // the playlist's title, who wins, and the schedules it outranks, in the panel's words.
  function explainWith(week, at) {
    const instant = Date.parse(at);
    const segment = week.segments.find((s) => Date.parse(s.start) <= instant && instant < Date.parse(s.end));
    if (!segment) return;
    const title = $("p-playlist-title");
    if (title && segment.title) title.textContent = SchedText.names(segment.title, segment.playlist);
    $("p-why").textContent = SchedText.winnerSentence(segment);
    $("p-overlaps").replaceChildren(...(segment.overridden.length ? [
      el("h3", { class: "small" }, t("overlaps")),
      el("ul", { class: "why-list" }, segment.overridden.map((loser) =>
        el("li", { class: "why" }, SchedText.whySentence(segment, loser, (key) => {
          const id = (key || "").split("@")[0];
          return names(state.titles[id], id);
        }))))] : []));
  }

  function frame(screen) {
    const box = $("p-frame");
    // The screen's aspect ratio, as large as fits (portrait screens limited by height).
    box.style.aspectRatio = `${screen.width} / ${screen.height}`;
    box.style.width = `min(100%, calc(70vh * ${screen.width} / ${screen.height}))`;
    $("p-caption").textContent = t("caption", { width: screen.width, height: screen.height,
      orientation: t(screen.orientation), languages: screen.languages.join(", ") });
  }

  // Each show() is a generation: the answers of an earlier one (a slow first load, a
  // double click) that arrive after a later one's are dropped, never drawn over it.
  let generation = 0;

  async function show() {
    const mine = ++generation;
    const screen = state.screens[$("p-screen").value];
    const at = chosenAt();
    if (!screen || !at) { Pano.toast(t("bad_time"), "bad"); return; }
    const base = `/api/v1/screens/${encodeURIComponent(screen.id)}/preview`;
    const query = "?at=" + encodeURIComponent(at);
    history.replaceState(null, "", location.pathname + `?screen=${encodeURIComponent(screen.id)}&at=${encodeURIComponent(at)}`);
    const week = $("p-week");
    if (week) week.href = week.pathname + `?screen=${encodeURIComponent(screen.id)}&start=${monday(at.slice(0, 10))}`;
    frame(screen);
    const image = $("p-image");
    $("p-frame").classList.add("loading");
    image.alt = t("image_alt", { screen: names(screen.name, screen.id), time: Pano.dateTime(at) });
    image.src = base + ".png" + query;
    try {
      const described = await api("GET", base + query);
      if (mine !== generation) return;
      describe(screen, described);
      const plan = await api("GET", `/api/v1/screens/${encodeURIComponent(screen.id)}/week?start=${at.slice(0, 10)}`);
      if (mine !== generation) return;
      explainWith(plan, at);
    } catch (err) {
      if (mine === generation) Pano.toast(err.message, "bad");
    }
  }

  $("p-image").addEventListener("load", () => $("p-frame").classList.remove("loading"));
  $("preview-form").addEventListener("submit", (event) => { event.preventDefault(); show(); });
  $("p-now").addEventListener("click", () => { setInputs(new Date()); show(); });

  async function start() {
    const params = new URLSearchParams(location.search);
    try {
      const [sites, playlists] = await Promise.all([api("GET", "/api/v1/sites"), api("GET", "/api/v1/playlists")]);
      for (const p of playlists.playlists) state.titles[p.id] = p.title;
      $("p-screen").replaceChildren(...sites.sites.map((site) => {
        state.sites[site.id] = site;
        return el("optgroup", { label: names(site.name, site.id) }, site.screens.map((screen) => {
          state.screens[screen.id] = { ...screen, site: site.id };
          return el("option", { value: screen.id }, names(screen.name, screen.id));
        }));
      }));
      const wanted = params.get("screen");
      if (wanted && state.screens[wanted]) $("p-screen").value = wanted;
      const at = params.get("at") ? new Date(params.get("at")) : new Date();
      setInputs(Number.isNaN(at.getTime()) ? new Date() : at);
      if (Object.keys(state.screens).length) show();
    } catch (err) {
      Pano.toast(err.message, "bad");
    }
  }
  start();
})();
