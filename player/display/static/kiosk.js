// Pano kiosk page. Polls /api/upcoming (the current item and the next ones, with
// absolute times on the controller's clock), preloads the next item on the hidden layer
// and swaps the layers at its start time, so there is no black flash between items.
"use strict";
(function () {
  var POLL_MS = 500;
  var layers = [document.getElementById("layer-a"), document.getElementById("layer-b")];
  var front = 0;            // index of the visible layer
  var offset = 0;           // controller clock − page clock, seconds
  var plan = { items: [], display: { languages: [], bilingual_mode: "dual", name: {} } };
  var shownKey = null;      // key of the entry on the visible layer
  var shownEntry = null;
  var preparedKey = null;   // key of the entry built on the hidden layer
  var swapping = null;      // key of the entry waiting for its pictures to decode
  var DECODE_WAIT = 1000;   // ms: show it anyway after this (a broken file)
  var overlay = document.getElementById("emergency");
  var emergencyId = null;   // id of the emergency on the overlay, null when none
  var BAND = { vi: "THÔNG BÁO KHẨN", en: "EMERGENCY", lo: "ແຈ້ງການດ່ວນ" };
  var identifyBox = document.getElementById("identify");
  var identifyKey = null;   // what the identify overlay shows, null when hidden
  var reloadToken = null;   // the player's reload_token when the page loaded
  var mediaEpoch = 0;       // bumped by clear_cache: media URLs change, files refetched
  var emergencyShown = null; // the emergency on the overlay
  var identifyShown = null;  // the identify overlay's languages and end, when shown

  function pageNow() { return Date.now() / 1000 + offset; }
  window.KioskClock = pageNow;  // zones.js: the ticker's phase on the player's clock

  function poll() {
    var t0 = Date.now();
    fetch("/api/upcoming", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var t1 = Date.now();
        offset = data.now - (t0 + t1) / 2000;
        // A "reload" command: the player changed its token since this page loaded.
        if (data.reload_token) {
          if (reloadToken === null) { reloadToken = data.reload_token; }
          else if (data.reload_token !== reloadToken) { location.reload(); return; }
        }
        mediaEpoch = data.media_epoch || 0;
        plan = data;
      })
      .catch(function () { /* keep the last plan: keep playing */ })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  function mediaUrl(sha) {
    return "/media/" + sha + (mediaEpoch ? "?v=" + mediaEpoch : "");
  }

  // Slides are built by slides.js (KioskSlides), with this page's display and media.
  var slides = window.KioskSlides;
  // Items play in the main area: with a layout (zones.js) their slides and QR badges
  // are the main area's size; an emergency takes the whole screen (fullView).
  function mainDisplay() {
    var layout = plan.display && plan.display.layout;
    if (!layout || !layout.main) { return plan.display; }
    var out = {};
    Object.keys(plan.display).forEach(function (k) { out[k] = plan.display[k]; });
    out.resolution = [layout.main.width, layout.main.height];
    out.qr_badge = layout.main.qr_badge || null;
    return out;
  }
  var view = { display: mainDisplay, mediaUrl: mediaUrl };
  var fullView = { display: function () { return plan.display; }, mediaUrl: mediaUrl };
  var zones = new window.KioskZones.Zones(document.getElementById("zones"),
    document.getElementById("stage"), mediaUrl);
  var el = slides.el;
  function languagesOf(item) { return slides.languagesOf(item, view); }
  function build(layer, entry) { slides.build(layer, entry, view); }

  // Which slide is on: the one whose [started_at, ends_at) holds now (split or repeat
  // timing is already in those times).
  function selectSlide(layer, entry, now) {
    var slides = layer.children;
    if (!entry || slides.length < 2 || !entry.slides) { return; }
    var index = 0;
    for (var i = 0; i < entry.slides.length && i < slides.length; i++) {
      if (entry.slides[i].started_at <= now) { index = i; }
    }
    for (var j = 0; j < slides.length; j++) {
      slides[j].classList.toggle("on", j === index);
    }
  }

  function startVideos(layer, entry, now) {
    layer.querySelectorAll("video").forEach(function (video) {
      var seek = function () {
        var elapsed = now - entry.started_at;
        if (video.duration && isFinite(video.duration) && elapsed > 0.5) {
          video.currentTime = elapsed % video.duration;
        }
      };
      if (video.readyState >= 1) { seek(); } else { video.addEventListener("loadedmetadata", seek, { once: true }); }
      var p = video.play();
      if (p && p.catch) { p.catch(function () {}); }
    });
  }

  function stopVideos(layer) {
    layer.querySelectorAll("video").forEach(function (video) { video.pause(); });
  }

  // Pictures of the hidden layer not decoded yet (a slot may start before its
  // preload finished: short items, a busy Pi).
  function undecoded(layer) {
    return Array.prototype.filter.call(layer.querySelectorAll("img"), function (img) {
      return !img.complete;
    });
  }

  // Swap in the entry's layer once its pictures are decoded (at most DECODE_WAIT ms
  // late), so a picture never appears half drawn; the old layer stays until then.
  function show(entry, now) {
    var back = 1 - front;
    var key = entry ? entry.key : "idle";
    if (swapping === key) { return; }
    if (preparedKey !== key) { build(layers[back], entry); preparedKey = key; }
    var pending = undecoded(layers[back]);
    if (pending.length) {
      swapping = key;
      var decoded = Promise.all(pending.map(function (img) {
        return img.decode ? img.decode().catch(function () {}) : null;
      }));
      var late = new Promise(function (resolve) { setTimeout(resolve, DECODE_WAIT); });
      Promise.race([decoded, late]).then(function () {
        if (swapping !== key) { return; }  // another entry came first
        swapping = null;
        swap(entry, pageNow());
      });
      return;
    }
    swap(entry, now);
  }

  function swap(entry, now) {
    var back = 1 - front;
    var key = entry ? entry.key : "idle";
    selectSlide(layers[back], entry, now);
    startVideos(layers[back], entry, now);
    layers[back].setAttribute("data-item", entry ? String(entry.item.id) : "");  // alive.js
    layers[back].classList.add("visible");      // new layer on top first,
    layers[front].classList.remove("visible");  // then the old one goes
    stopVideos(layers[front]);
    front = back;
    shownKey = key;
    shownEntry = entry;
    preparedKey = null;
  }

  // An active emergency covers everything, in every screen language (primary first).
  function emergencyAt(now) {
    var found = null;
    (plan.emergencies || []).forEach(function (e) {
      if (e.from <= now && now < e.until && (!found || e.from > found.from ||
          (e.from === found.from && e.id > found.id))) { found = e; }
    });
    return found;
  }

  function showEmergency(e) {
    // Drawn again when its slide or badge arrives in the cache.
    var id = e ? e.id + "|" + (e.file || "") + "|" + (e.badge ? e.badge.file : "") : null;
    if (id === emergencyId) { return; }
    emergencyId = id;
    emergencyShown = e;
    overlay.innerHTML = "";
    overlay.hidden = !e;
    if (!e) { return; }
    if (e.file) {  // the controller's emergency slide, with its QR badge
      var slide = slides.renderedSlide(e.file, "", fullView);
      slide.classList.add("on");
      slides.addBadge(slide, e.badge, fullView);
      overlay.appendChild(slide);
      return;
    }
    var messages = e.messages || {};
    var langs = (plan.display.languages || []).filter(function (l) { return messages[l]; });
    Object.keys(messages).forEach(function (l) { if (langs.indexOf(l) < 0) { langs.push(l); } });
    overlay.appendChild(el("div", "band", langs.map(function (l) {
      return BAND[l] || BAND.en; }).filter(function (t, i, all) {
      return all.indexOf(t) === i; }).join(" · ")));
    var box = el("div", "messages");
    langs.forEach(function (l, i) {
      var block = el("div", "lang " + (i === 0 ? "primary" : "secondary"));
      block.lang = l;
      block.appendChild(el("h1", null, messages[l].title));
      if (messages[l].body) { block.appendChild(el("p", null, messages[l].body)); }
      box.appendChild(block);
    });
    overlay.appendChild(box);
    if (e.url) { overlay.appendChild(el("div", "url", e.url)); }
  }

  // The "identify" command: the screen's name (every language, the screen's first) and
  // its id, large, over everything until identify.until.
  function showIdentify(info, now) {
    if (!identifyBox) {
      identifyBox = el("div");
      identifyBox.id = "identify";
      document.body.appendChild(identifyBox);
    }
    var on = !!(info && Date.parse(info.until) / 1000 > now);
    var key = on ? info.id + "|" + info.until : null;
    if (key === identifyKey) { return; }
    identifyKey = key;
    identifyBox.innerHTML = "";
    identifyBox.hidden = !on;
    identifyShown = null;
    if (!on) { return; }
    var names = info.name || {};
    var langs = (plan.display.languages || []).filter(function (l) { return names[l]; });
    Object.keys(names).forEach(function (l) { if (langs.indexOf(l) < 0) { langs.push(l); } });
    identifyShown = { key: key, languages: langs.slice(0, 8), until: Date.parse(info.until) / 1000 };
    langs.forEach(function (l, i) {
      var line = el("div", "name " + (i === 0 ? "primary" : "secondary"), names[l]);
      line.lang = l;
      identifyBox.appendChild(line);
    });
    identifyBox.appendChild(el("div", "screen-id", info.id));
  }

  function tick() {
    var now = pageNow();
    zones.update(plan.display, now);  // under the overlays: an emergency covers them
    showEmergency(emergencyAt(now));
    showIdentify(plan.identify, now);
    var items = plan.items || [];
    var entry = null;
    for (var i = 0; i < items.length; i++) {
      if (items[i].started_at <= now && now < items[i].ends_at) { entry = items[i]; break; }
    }
    var key = entry ? entry.key : "idle";
    if (key !== shownKey) { show(entry, now); }
    selectSlide(layers[front], shownEntry, now);
    var next = null;
    for (var j = 0; j < items.length; j++) {
      if (items[j].started_at > now && items[j].key !== shownKey) { next = items[j]; break; }
    }
    if (!swapping && next && preparedKey !== next.key) {
      build(layers[1 - front], next);   // preload while hidden
      preparedKey = next.key;
    }
    report();
    schedule(now);
  }

  // The next look at the plan: at the next start or end in it (an item, a slide, an
  // emergency, the identify overlay), and at least every TICK_MS (a new plan, a report
  // due). Not every frame: a page drawing 60 times a second for nothing keeps a Pi's
  // CPU busy and warm. requestAnimationFrame after the wait: nothing runs while the
  // page is hidden, and changes land on a frame.
  var TICK_MS = 250;

  function nextChange(now) {
    var soonest = Infinity;
    function at(t) { if (typeof t === "number" && t > now && t < soonest) { soonest = t; } }
    (plan.items || []).forEach(function (item) {
      at(item.started_at); at(item.ends_at);
      (item.slides || []).forEach(function (s) { at(s.started_at); at(s.ends_at); });
    });
    (plan.emergencies || []).forEach(function (e) { at(e.from); at(e.until); });
    if (plan.identify && plan.identify.until) { at(Date.parse(plan.identify.until) / 1000); }
    at(zones.nextChange(now));
    return soonest;
  }

  function schedule(now) {
    var wait = Math.min(TICK_MS, Math.max(0, (nextChange(now) - now) * 1000));
    setTimeout(function () { requestAnimationFrame(tick); }, wait);
  }

  // --- proof of play (docs/protocol.md 5, journal) ------------------------------------
  // The player records what this page says is really on screen: identify over
  // everything, else an emergency, else the visible slide of the front layer (or the
  // idle page). Said when it changes and every REPORT_MS while it lasts (the player ends
  // a record whose page falls silent), and only once its pictures are decoded
  // (img.decode()), its videos have a frame and the page is visible; otherwise the page
  // says nothing is confirmed ({kind: null}), and nothing is recorded.
  var REPORT_MS = 2000;
  var VIDEO_WAIT = 3000;
  var reportedId = null;    // what the last report said
  var reportedAt = 0;
  var confirming = null;    // what is being confirmed (decoding)

  function shasIn(node) {
    var out = [];
    node.querySelectorAll("img, video").forEach(function (m) {
      var match = /\/media\/([0-9a-f]{64})/.exec(m.getAttribute("src") || "");
      if (match && out.indexOf(match[1]) < 0) { out.push(match[1]); }
    });
    return out.slice(0, 8);
  }

  var NOTHING = function () { return { kind: null }; };

  // What is on screen: its id (cheap, every frame) and, when it is to be reported, its
  // report (body()).
  function onScreen() {
    if (identifyShown) {
      var shown = identifyShown;
      return { id: "identify|" + shown.key, node: identifyBox, body: function () {
        return { kind: "identify", key: shown.key, languages: shown.languages, media: [],
          ends_at: shown.until }; } };
    }
    if (emergencyShown) {
      var e = emergencyShown;
      return { id: "emergency|" + emergencyId, node: overlay, body: function () {
        var langs = Object.keys(e.messages || {});
        var order = (plan.display.languages || []).filter(function (l) { return langs.indexOf(l) >= 0; });
        langs.forEach(function (l) { if (order.indexOf(l) < 0) { order.push(l); } });
        return { kind: "emergency", emergency: e.id, languages: order.slice(0, 8),
          media: shasIn(overlay), ends_at: e.until }; } };
    }
    var layer = layers[front];
    var slide = layer.classList.contains("visible") && layer.querySelector(".slide.on");
    if (!slide) { return { id: "none", node: null, body: NOTHING }; }
    if (!shownEntry) {
      return { id: "idle", node: slide, body: function () {
        return { kind: "idle", key: "idle", languages: (plan.display.languages || []).slice(0, 1),
          media: [] }; } };
    }
    var entry = shownEntry;
    var index = Array.prototype.indexOf.call(layer.children, slide);
    return { id: entry.key + "#" + index + "#" + mediaEpoch, node: slide, body: function () {
      var s = (entry.slides || [])[index] || { languages: languagesOf(entry.item),
        ends_at: entry.ends_at };
      return { kind: "item", key: entry.key + "#" + index, playlist: entry.playlist,
        item: String(entry.item.id), languages: s.languages.slice(0, 8),
        media: shasIn(slide), ends_at: s.ends_at, timeline_version: plan.timeline_version }; } };
  }

  function videoReady(video) {
    if (video.readyState >= 2) { return Promise.resolve(true); }
    return new Promise(function (resolve) {
      video.addEventListener("loadeddata", function () { resolve(true); }, { once: true });
      setTimeout(function () { resolve(video.readyState >= 2); }, VIDEO_WAIT);
    });
  }

  function confirmed(node) {
    if (document.visibilityState !== "visible") { return Promise.resolve(false); }
    if (!node) { return Promise.resolve(true); }
    var imgs = Array.prototype.slice.call(node.querySelectorAll("img"));
    var videos = Array.prototype.slice.call(node.querySelectorAll("video"));
    return Promise.all(imgs.map(function (img) { return img.decode(); }))
      .then(function () {
        return Promise.all(videos.map(videoReady)).then(function (ready) {
          return imgs.every(function (img) { return img.naturalWidth > 0; }) &&
            ready.every(function (r) { return r; });
        });
      }, function () { return false; });
  }

  function send(id, body) {
    reportedId = id;
    reportedAt = Date.now();
    fetch("/api/shown", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), cache: "no-store" }).catch(function () {});
  }

  function report() {
    var s = onScreen();
    if (s.id === confirming) { return; }  // its check is under way
    if (s.id === reportedId && Date.now() - reportedAt < REPORT_MS) { return; }
    if (s.body === NOTHING) { send(s.id, NOTHING()); return; }
    confirming = s.id;
    var late = new Promise(function (resolve) { setTimeout(resolve, 2 * VIDEO_WAIT, false); });
    Promise.race([confirmed(s.node), late]).then(function (ok) {
      if (confirming !== s.id) { return; }  // something else came on screen meanwhile
      confirming = null;
      if (onScreen().id !== s.id) { return; }  // the next frame reports it
      send(s.id, ok ? s.body() : NOTHING());
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") { send("hidden", { kind: null }); }
    else { reportedAt = 0; }
  });

  poll();
  requestAnimationFrame(tick);
})();
