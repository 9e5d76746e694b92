/* Schedules page: words and colours shared by the week view and the form.
   The facts (who wins, by which rule) come from GET /api/v1/screens/<id>/week; this
   only puts them into the panel's language. */
"use strict";
const SchedText = (() => {
  const t = Pano.t;
  const lang = Pano.config.lang;
  const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  // 2024-01-01 was a Monday: weekday names in the panel's language, from Intl.
  const weekdayName = (index, style) => new Intl.DateTimeFormat(Pano.locale,
    { weekday: style || "short", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + index)));
  const dayFormat = new Intl.DateTimeFormat(Pano.locale,
    { weekday: "short", day: "numeric", month: "numeric", timeZone: "UTC" });
  const longDayFormat = new Intl.DateTimeFormat(Pano.locale,
    { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const dateFormat = new Intl.DateTimeFormat(Pano.locale,
    { day: "numeric", month: "numeric", year: "numeric", timeZone: "UTC" });

  function utcDate(iso) { return new Date(iso.slice(0, 10) + "T00:00:00Z"); }
  function dayLabel(iso) { return dayFormat.format(utcDate(iso)); }
  function longDay(iso) { return longDayFormat.format(utcDate(iso)); }
  function shortDate(iso) { return dateFormat.format(utcDate(iso)); }
  function addDays(iso, n) {
    const d = utcDate(iso);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function names(value, fallback) {
    if (!value) return fallback || "";
    return value[lang] || value.vi || value.en || fallback || "";
  }

  function matchLabel(kind) {
    return { screen: t("by_screen"), tag: t("by_tag"), site: t("by_site") }[kind] || "";
  }

  function winnerSentence(segment) {
    if (segment.schedule) {
      return t("won_by_schedule", { playlist: names(segment.title, segment.playlist),
                                    priority: segment.priority, match: matchLabel(segment.specificity) });
    }
    return segment.playlist ? t("won_by_fallback") : t("won_by_nothing");
  }

  // Winner and loser by their playlists' names (title(key) gives a playlist's title);
  // two schedules of the same playlist are told apart by their ids.
  function whySentence(segment, loser, title) {
    const same = (loser.playlist || "").split("@")[0] === (segment.playlist || "").split("@")[0];
    const label = (name, schedule) => same ? name + " (" + schedule + ")" : name;
    return t("why_" + loser.rule, {
      winner: label(names(segment.title, segment.playlist), segment.schedule),
      loser: label(title(loser.playlist), loser.schedule), wp: segment.priority,
      lp: loser.priority, wm: matchLabel(segment.specificity), lm: matchLabel(loser.specificity) });
  }

  // A colour per playlist id (not version), the same on every visit: a hash of the id
  // into 13 colours that white text reads well on.
  const PALETTE = ["#6a3d9a", "#1f78b4", "#33a02c", "#d95f02", "#b15928", "#0f7c84", "#c51b7d",
                   "#5e6b00", "#8c510a", "#3949ab", "#b2182b", "#2d6a4f", "#7b5ea7"];
  function colour(playlistKey) {
    const id = (playlistKey || "").split("@")[0];
    let hash = 5381;
    for (const char of id) hash = (hash * 33 + char.charCodeAt(0)) >>> 0;
    return PALETTE[hash % PALETTE.length];
  }

  function weekdaysText(days) {
    if (!days || days.length === 7) return t("every_day");
    return days.map((d) => weekdayName(WEEKDAYS.indexOf(d))).join(", ");
  }
  function windowsText(windows) {
    if (!windows || !windows.length) return t("all_day");
    return windows.map((w) => {
      const [a, b] = w.split("-");
      return a + "–" + b + (b <= a && b !== "00:00" ? " (" + t("next_day") + ")" : "");
    }).join(", ");
  }
  function datesText(days) {
    if (!days || (!days.from && !days.until)) return t("any_date");
    const parts = [];
    if (days.from) parts.push(t("from_date", { date: shortDate(days.from) }));
    if (days.until) parts.push(t("until_date", { date: shortDate(days.until) }));
    return parts.join(" ");
  }

  return { WEEKDAYS, weekdayName, dayLabel, longDay, shortDate, addDays, names, matchLabel,
           winnerSentence, whySentence, colour, weekdaysText, windowsText, datesText };
})();
