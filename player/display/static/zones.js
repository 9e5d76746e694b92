// Pano kiosk page: the screen's zones (docs/zones.md) — the main area the slides play
// in, the ticker strip and the clock corner, from display.layout of /api/upcoming.
// The controller draws each language's ticker strip as a PNG; this page scrolls them
// with a CSS animation (on the compositor: smooth, and cheap for a Pi), its phase taken
// from the clock so a rebuilt strip carries on where it was. A new layout or new strips
// are built hidden and swapped in once their pictures are decoded: no blank frame, no
// reload. The clock is drawn here, in the timeline's time zone, 24-hour, its date in
// each of the screen's languages in turn.
"use strict";
window.KioskZones = (function () {
  var LANG_SECONDS = 5;     // each language's date shows this long
  var DECODE_WAIT = 1000;   // ms: swap a strip in anyway after this (a broken file)
  var WAIT_FILES = 30;      // s: new strips wait this long for their files
  var WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function boxKey(box) { return box ? [box.x, box.y, box.width, box.height] : null; }

  function place(node, box, res) {
    node.style.left = (100 * box.x / res[0]) + "%";
    node.style.top = (100 * box.y / res[1]) + "%";
    node.style.width = (100 * box.width / res[0]) + "%";
    node.style.height = (100 * box.height / res[1]) + "%";
  }

  // The time and date at `now` (seconds) in `zone`, as numbers.
  var formats = {};
  function partsAt(now, zone) {
    if (!formats[zone]) {
      try {
        formats[zone] = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23",
          year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
          minute: "2-digit", weekday: "short" });
      } catch (e) {
        formats[zone] = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hourCycle: "h23",
          year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
          minute: "2-digit", weekday: "short" });
      }
    }
    var out = {};
    formats[zone].formatToParts(new Date(now * 1000)).forEach(function (p) { out[p.type] = p.value; });
    return { hour: out.hour, minute: out.minute, year: Number(out.year), month: Number(out.month),
      day: Number(out.day), weekday: Math.max(0, WEEKDAYS.indexOf(out.weekday)) };
  }

  function dateText(words, p) {
    if (!words) { return ("0" + p.day).slice(-2) + "/" + ("0" + p.month).slice(-2) + "/" + p.year; }
    return String(words.date || "{dd}/{mm}/{yyyy}")
      .replace("{weekday}", (words.weekdays || [])[p.weekday] || "")
      .replace("{dd}", ("0" + p.day).slice(-2)).replace("{d}", String(p.day))
      .replace("{month}", (words.months || [])[p.month - 1] || "")
      .replace("{mm}", ("0" + p.month).slice(-2)).replace("{yyyy}", String(p.year));
  }

  function Zones(root, stage, mediaUrl) {
    this.root = root;
    this.stage = stage;
    this.mediaUrl = mediaUrl;
    this.layoutKey = null;   // the zones' boxes shown
    this.stripsKey = null;   // the strips shown (or being decoded)
    this.ticker = null;      // the ticker's box element
    this.track = null;       // the scrolling track on screen
    this.clock = null;       // {box, time, date}
    this.layout = null;
    this.waiting = null;     // since when new strips wait for their files
  }

  // Called by kiosk.js at every look at the plan.
  Zones.prototype.update = function (display, now) {
    var layout = display && display.layout;
    var res = display && display.resolution;
    if (!layout || !layout.main || !res || !res[0] || !res[1]) { layout = null; }
    // The boxes, field by field (a timeline read back from storage may order its keys
    // otherwise: the same layout must not be built again).
    var key = layout ? JSON.stringify([res[0], res[1], layout.name, boxKey(layout.main),
      boxKey(layout.band), boxKey(layout.ticker), boxKey(layout.clock),
      layout.ticker && layout.ticker.edge]) : null;
    if (key !== this.layoutKey) { this.build(layout, res); this.layoutKey = key; }
    this.layout = layout;
    if (!layout) { return; }
    if (this.ticker) { this.strips(layout.ticker, res, now); }
    if (this.clock) { this.tickClock(layout.clock, now); }
  };

  // The boxes: the stage shrinks to the main area, the zones around it.
  Zones.prototype.build = function (layout, res) {
    this.root.innerHTML = "";
    this.ticker = this.track = this.clock = null;
    this.stripsKey = this.waiting = null;
    var stage = this.stage;
    if (!layout) {
      ["left", "top", "width", "height"].forEach(function (p) { stage.style[p] = ""; });
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    place(stage, layout.main, res);
    if (layout.band) {
      var band = el("div", "zone-band");
      place(band, layout.band, res);
      this.root.appendChild(band);
    }
    if (layout.ticker) {
      this.ticker = el("div", "zone-ticker");
      this.ticker.setAttribute("data-edge", layout.ticker.edge || "bottom");
      place(this.ticker, layout.ticker, res);
      this.root.appendChild(this.ticker);
    }
    if (layout.clock) {
      var box = el("div", "zone-clock");
      place(box, layout.clock, res);
      var time = el("div", "time"), date = el("div", "date");
      box.appendChild(time);
      box.appendChild(date);
      this.root.appendChild(box);
      this.clock = { box: box, time: time, date: date, shown: null };
    }
  };

  // The strips: one track of every language's strip in the screen's order, twice (the
  // animation moves it by half its width, then starts again: a seamless loop).
  Zones.prototype.strips = function (ticker, res, now) {
    var list = (ticker.strips || []).filter(function (s) { return s.file || s.text; });
    var key = JSON.stringify([list.map(function (s) { return [s.lang, s.file, s.file ? null : s.text]; }),
      ticker.pixels_per_second]);
    if (key === this.stripsKey) { return; }
    // New strips whose pictures the player is still fetching: the strips on screen stay
    // until they are cached (at most WAIT_FILES s; then their text, drawn here).
    var missing = list.some(function (s) { return !s.file; });
    if (missing && this.track && this.track.querySelector("img")) {
      if (this.waiting === null) { this.waiting = now; }
      if (now - this.waiting < WAIT_FILES) { return; }
    }
    this.waiting = null;
    this.stripsKey = key;
    var self = this;
    var track = el("div", "track");
    track.setAttribute("data-strips", list.map(function (s) { return s.lang; }).join(" "));
    [0, 1].forEach(function (copy) {
      list.forEach(function (s) {
        var node;
        if (s.file) {
          node = el("img", "strip");
          node.alt = copy ? "" : s.text;
          node.src = self.mediaUrl(s.file);
        } else {
          node = el("span", "strip text", s.text + "\u00a0\u00a0\u00a0\u2022\u00a0\u00a0\u00a0");
        }
        node.lang = s.lang;
        track.appendChild(node);
      });
    });
    track.classList.add("pending");  // laid out, not seen, until swapped in
    this.ticker.appendChild(track);
    var imgs = Array.prototype.slice.call(track.querySelectorAll("img"));
    var decoded = Promise.all(imgs.map(function (img) {
      return img.decode ? img.decode().catch(function () {}) : null;
    }));
    var late = new Promise(function (resolve) { setTimeout(resolve, DECODE_WAIT); });
    Promise.race([decoded, late]).then(function () {
      if (self.stripsKey !== key || track.parentNode !== self.ticker) { track.remove(); return; }
      self.run(track, ticker, res);
      track.classList.remove("pending");
      if (self.track && self.track !== track) { self.track.remove(); }
      self.track = track;
    });
  };

  // Start the track's animation: its speed from pixels_per_second at the screen's
  // resolution, its phase from the clock (the same on every page of the screen).
  Zones.prototype.run = function (track, ticker, res) {
    var half = track.scrollWidth / 2;
    var speed = (ticker.pixels_per_second || 100) * (window.innerWidth / res[0]);
    if (!(half > 0) || !(speed > 0)) { return; }
    var seconds = half / speed;
    var now = (window.KioskClock ? window.KioskClock() : Date.now() / 1000);
    track.style.animationDuration = seconds.toFixed(3) + "s";
    track.style.animationDelay = (-(now % seconds)).toFixed(3) + "s";
    track.classList.add("running");
  };

  Zones.prototype.tickClock = function (clock, now) {
    var p = partsAt(now, clock.timezone || "UTC");
    var langs = clock.languages && clock.languages.length ? clock.languages : ["vi"];
    var lang = langs[Math.floor(now / LANG_SECONDS) % langs.length];
    var words = (clock.words || {})[lang];
    var time = p.hour + ":" + p.minute, date = dateText(words, p);
    var shown = time + "|" + lang + "|" + date;
    if (shown === this.clock.shown) { return; }
    this.clock.shown = shown;
    this.clock.time.textContent = time;
    this.clock.date.textContent = date;
    this.clock.date.lang = lang;
  };

  // What the page asks before it sleeps: the next time the clock's text changes.
  Zones.prototype.nextChange = function (now) {
    if (!this.layout || !this.layout.clock) { return Infinity; }
    var langs = (this.layout.clock.languages || []).length;
    var minute = (Math.floor(now / 60) + 1) * 60;
    var lang = langs > 1 ? (Math.floor(now / LANG_SECONDS) + 1) * LANG_SECONDS : Infinity;
    return Math.min(minute, lang);
  };

  return { Zones: Zones, dateText: dateText, partsAt: partsAt };
})();
