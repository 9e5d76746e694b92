/* Screens page: how one screen's facts are shown (the cells of its row).
   FleetFormat.cells(screen) -> {status, playing, timeline, device, problems}: arrays of
   DOM nodes built with Pano.el (never innerHTML: names and errors come from players). */
"use strict";
const FleetFormat = (() => {
  const { el, t } = Pano;
  const initial = JSON.parse(document.getElementById("fleet-initial").textContent);
  const limits = initial.limits;
  const relative = new Intl.RelativeTimeFormat(Pano.locale, { numeric: "auto" });
  const percent = new Intl.NumberFormat(Pano.locale, { style: "percent", maximumFractionDigits: 0 });

  /* Content is shown as stored, the Vietnamese variant first. */
  function primary(names) {
    if (!names) return "";
    return names.vi || names.en || Object.values(names).find(Boolean) || "";
  }
  function secondary(names) {
    if (!names || !names.en || names.en === primary(names)) return null;
    return names.en;
  }

  function relativeTime(iso, now) {
    if (!iso) return t("never_seen");
    const seconds = Math.round((new Date(iso).getTime() - (now || Date.now())) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 45) return relative.format(seconds, "second");
    if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
    if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
    return relative.format(Math.round(seconds / 86400), "day");
  }

  function lastSeen(iso) {
    return el("span", { class: "last-seen small muted", dataset: { iso: iso || "" },
                        title: iso ? t("last_seen_title", { time: Pano.dateTime(iso) }) : null },
              relativeTime(iso));
  }

  function status(s) {
    return [
      el("span", { class: "badge presence " + (s.online ? "ok" : "bad") },
         s.online ? t("online") : t("offline")),
      el("br"), lastSeen(s.last_seen),
    ];
  }

  function playing(s) {
    const p = s.playing;
    if (!p) return [el("span", { class: "muted" }, t("nothing_playing"))];
    const item = primary(p.item_title) || p.item_id || "?";
    const playlist = primary(p.playlist_title) || p.playlist_id || "";
    const out = [el("strong", { class: "item-title", title: secondary(p.item_title) }, item)];
    if (playlist) {
      out.push(el("div", { class: "small playlist-title", title: secondary(p.playlist_title) },
                  playlist,
                  p.playlist_version ? el("span", { class: "muted" }, " · ",
                                          t("playlist_version", { version: p.playlist_version })) : null));
    }
    const when = [];
    if (p.since) when.push(t("since", { time: Pano.time(p.since) }));
    if (!s.online) when.push(t("last_reported"));
    if (when.length) out.push(el("div", { class: "small muted" }, when.join(" · ")));
    return out;
  }

  function timeline(s) {
    if (s.timeline_version === null || s.timeline_version === undefined) {
      return [el("span", { class: "muted" }, t("no_timeline"))];
    }
    const out = [el("span", { class: "version" }, t("timeline_version", { version: s.timeline_version })), el("br")];
    if (s.acked_version === s.timeline_version) {
      out.push(el("span", { class: "badge ok ack", title: t("acked_title") }, t("acked")));
    } else if (s.acked_version !== null && s.acked_version !== undefined) {
      out.push(el("span", { class: "badge warn ack", title: t("acked_old_title") },
                  t("acked_old", { version: s.acked_version })));
    } else {
      out.push(el("span", { class: "badge muted ack" }, t("not_acked")));
    }
    return out;
  }

  function temperature(value) {
    if (typeof value !== "number") return el("div", { class: "temp muted small" }, t("temp_unknown"));
    const level = value > limits.temp_bad ? "bad" : value > limits.temp_warn ? "warn" : "";
    return el("div", { class: "temp" },
              el("span", { class: level ? "badge " + level : "", dataset: { level: level || "ok" } },
                 t("temp", { value: Pano.number(value, 1) })));
  }

  function disk(value) {
    if (!value || !value.total) return el("div", { class: "disk muted small" }, t("disk_unknown"));
    const share = value.free / value.total;
    const low = share * 100 < limits.disk_warn;
    const gb = (bytes) => Pano.number(bytes / 1e9, 1);
    return el("div", { class: "disk", title: t("disk_title", { free: gb(value.free), total: gb(value.total) }) },
              el("span", { class: low ? "badge warn" : "", dataset: { level: low ? "warn" : "ok" } },
                 t("disk", { percent: percent.format(share) })));
  }

  function device(s) {
    const facts = s.facts || {};
    if (!Object.values(facts).some((v) => v !== null && v !== undefined)) {
      return [el("span", { class: "muted no-report" }, t("no_report"))];
    }
    return [
      temperature(facts.cpu_temp),
      disk(facts.disk),
      el("div", { class: "software small" + (facts.software ? "" : " muted") },
         facts.software || t("software_unknown")),
    ];
  }

  function problems(s) {
    // A screen that never connected has told nothing: "None" would claim all is well.
    if (!s.last_seen) return [el("span", { class: "muted problems-unknown" }, t("problems_unknown"))];
    const out = [];
    const missing = (s.missing_media || []).length;
    if (missing) {
      out.push(el("span", { class: "badge warn missing", title: t("missing_media_title") },
                  missing === 1 ? t("missing_media_one") : t("missing_media", { count: missing })));
    }
    const error = (s.facts || {}).last_error;
    if (error) {
      // The player's own words (English, for its log): quoted and marked as such.
      out.push(el("div", { class: "last-error small", title: error },
                  el("strong", {}, t("last_error")), " ", el("q", { lang: "en" }, error)));
    }
    if (!out.length) out.push(el("span", { class: "muted" }, t("no_problems")));
    return out;
  }

  function cells(s) {
    return { status: status(s), playing: playing(s), timeline: timeline(s),
             device: device(s), problems: problems(s) };
  }

  /* Refresh every "2 minutes ago" on the page (the times move, the data does not). */
  function refreshTimes(root) {
    const now = Date.now();
    for (const node of (root || document).querySelectorAll(".last-seen")) {
      node.textContent = relativeTime(node.dataset.iso || null, now);
    }
  }

  /* For the search: lower case, without Vietnamese diacritics ("Phú Bài" ~ "phu bai"). */
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  return { initial, primary, secondary, cells, refreshTimes, fold, relativeTime };
})();
