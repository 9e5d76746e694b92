/* Schedules page: the week grid (7 days × 24 hours) of one screen, and the detail panel
   of a chosen block. Segments come from GET /api/v1/screens/<id>/week, already decided
   by the controller; here they are only cut at local midnights and drawn. */
"use strict";
const WeekView = (() => {
  const { el, t } = Pano;
  const MINUTES = 24 * 60;

  function clock(localIso) { return localIso.slice(11, 16); }
  function minutes(localIso) { return Number(localIso.slice(11, 13)) * 60 + Number(localIso.slice(14, 16)); }

  // A segment as pieces of one local day each: {day, from, to} in minutes.
  function dayPieces(segment, days) {
    const first = segment.local_start.slice(0, 10);
    const last = segment.local_end.slice(0, 10);
    const out = [];
    for (const day of days) {
      if (day < first || day > last) continue;
      const from = day === first ? minutes(segment.local_start) : 0;
      const to = day === last ? minutes(segment.local_end) : MINUTES;
      if (to > from) out.push({ day, from, to });
    }
    return out;
  }

  function hhmm(total) {
    const h = Math.floor(total / 60), m = total % 60;
    return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0");
  }

  // The hours drawn: {from, to} in minutes of the day. "auto" is 06:00–22:00 widened to
  // every scheduled (not fallback) piece of the week, so nothing scheduled is cut off and
  // the empty night is not drawn; a fixed range may leave pieces out (counted by render).
  const RANGES = { full: [0, 24], day: [6, 22], office: [8, 18] };
  function hoursOf(choice, data) {
    if (RANGES[choice]) return { from: RANGES[choice][0] * 60, to: RANGES[choice][1] * 60 };
    let from = 6 * 60, to = 22 * 60;
    for (const segment of data.segments) {
      if (!segment.playlist || segment.fallback) continue;
      for (const piece of dayPieces(segment, data.days)) {
        from = Math.min(from, Math.floor(piece.from / 60) * 60);
        to = Math.max(to, Math.ceil(piece.to / 60) * 60);
      }
    }
    return { from, to };
  }

  function block(segment, piece, onSelect, range) {
    const title = segment.playlist ? SchedText.names(segment.title, segment.playlist) : t("nothing");
    const kind = !segment.playlist ? "none" : segment.fallback ? "fallback" : "scheduled";
    const conflicts = segment.overridden.length;
    const colour = segment.playlist ? SchedText.colour(segment.playlist) : null;
    const times = hhmm(piece.from) + "–" + hhmm(piece.to);
    const label = title + ", " + times + (conflicts ? ", " + t("conflict_count", { n: conflicts }) : "");
    const span = range.to - range.from;
    const top = Math.max(piece.from, range.from) - range.from;
    const height = Math.min(piece.to, range.to) - range.from - top;
    const node = el("button", {
      type: "button", class: "slot " + kind + (conflicts ? " conflict" : "") +
        (piece.from < range.from ? " cut-top" : "") + (piece.to > range.to ? " cut-bottom" : ""),
      style: `top:${top / span * 100}%;height:${height / span * 100}%;` +
             (colour ? `--slot:${colour};` : ""),
      "aria-label": label, title: label,
      dataset: { day: piece.day, start: hhmm(piece.from), end: hhmm(piece.to),
                 playlist: segment.playlist || "", schedule: segment.schedule || "" },
      onclick: () => onSelect(segment, piece, node),
    },
    // The badge comes first, in the flow: it never covers the name.
    conflicts ? el("span", { class: "slot-conflict", "aria-hidden": "true" }, "⚠ " + conflicts) : null,
    el("span", { class: "slot-title" }, title),
    el("span", { class: "slot-time" }, times));
    return node;
  }

  // Today and the minute of the day in the screen's zone, to mark "now" in the grid.
  function localNow(zone) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: zone,
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23" }).formatToParts(new Date()).map((p) => [p.type, p.value]));
    return { day: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute) };
  }

  // Draws the week between range.from and range.to (minutes); returns how many pieces
  // fall wholly outside it.
  function render(grid, data, onSelect, range) {
    const now = localNow(data.timezone);
    const firstHour = range.from / 60, lastHour = range.to / 60;
    grid.style.setProperty("--hours", String(lastHour - firstHour));
    grid.replaceChildren();
    grid.append(el("div", { class: "corner" }));
    for (const day of data.days) {
      grid.append(el("div", { class: "day-head" + (day === now.day ? " today" : ""), dataset: { day } },
        SchedText.dayLabel(day)));
    }
    const hours = el("div", { class: "hours", "aria-hidden": "true" });
    for (let h = firstHour; h < lastHour; h++) hours.append(el("div", { class: "hour" }, hhmm(h * 60)));
    grid.append(hours);
    const columns = {};
    for (const day of data.days) {
      columns[day] = el("div", { class: "day-col", dataset: { day }, role: "group",
                                 "aria-label": SchedText.longDay(day) });
      grid.append(columns[day]);
    }
    let outside = 0;
    for (const segment of data.segments) {
      for (const piece of dayPieces(segment, data.days)) {
        if (piece.to <= range.from || piece.from >= range.to) { outside += segment.playlist && !segment.fallback ? 1 : 0; continue; }
        columns[piece.day].append(block(segment, piece, onSelect, range));
      }
    }
    if (columns[now.day] && now.minute >= range.from && now.minute < range.to) {
      columns[now.day].append(el("div", { class: "now-line", "aria-hidden": "true",
        style: `top:${(now.minute - range.from) / (range.to - range.from) * 100}%` }));
    }
    grid.removeAttribute("aria-busy");
    return outside;
  }

  function legend(box, data) {
    const seen = new Map();
    for (const s of data.segments) {
      if (s.playlist && !seen.has(s.playlist)) seen.set(s.playlist, s);
    }
    box.replaceChildren(...[...seen.values()].map((s) => el("span", { class: "legend-item" + (s.fallback ? " fallback" : "") },
      el("span", { class: "swatch", style: `--slot:${SchedText.colour(s.playlist)}` }),
      SchedText.names(s.title, s.playlist), s.fallback ? " (" + t("fallback") + ")" : "")));
  }

  function detail(box, segment, piece, ctx) {
    const title = segment.playlist ? SchedText.names(segment.title, segment.playlist) : t("nothing");
    // The block's first minute, in the screen's zone (the offset of the segment's start).
    const previewAt = piece.day + "T" + hhmm(piece.from) + ":00" + segment.local_start.slice(19);
    const parts = [
      el("h3", { class: "detail-title" },
        segment.playlist ? el("span", { class: "swatch", style: `--slot:${SchedText.colour(segment.playlist)}` }) : null, title),
      el("p", { class: "detail-time" }, SchedText.longDay(piece.day) + ", " + hhmm(piece.from) + "–" + hhmm(piece.to)),
      el("p", { class: "detail-winner" }, SchedText.winnerSentence(segment)),
    ];
    if (segment.overridden.length) {
      parts.push(el("h4", {}, t("overlaps")),
        el("ul", { class: "why-list" }, segment.overridden.map((loser) =>
          el("li", { class: "why", dataset: { loser: loser.schedule, rule: loser.rule } },
            SchedText.whySentence(segment, loser, ctx.title)))));
    }
    parts.push(el("details", { class: "engine" }, el("summary", {}, t("engine")),
      el("p", { lang: "en" }, segment.reason)));
    const actions = el("div", { class: "detail-actions" },
      el("a", { class: "button", href: ctx.previewUrl(previewAt) }, t("preview_at")));
    if (ctx.canWrite && segment.schedule && ctx.onEdit) {
      actions.append(el("button", { type: "button", onclick: () => ctx.onEdit(segment.schedule) }, t("edit_schedule")));
    }
    parts.push(actions);
    box.replaceChildren(...parts);
  }

  return { render, legend, detail, clock, hoursOf };
})();
