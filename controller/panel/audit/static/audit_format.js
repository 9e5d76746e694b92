/* Reading audit entries as a person: before/after JSON flattened into fields
   ("title.vi", "items"), the fields that changed, values as short text, and the
   date filters turned into UTC instants of the province's days. */
"use strict";
const AuditFormat = (() => {
  const SHORT = 60;

  /* {"a": {"b": 1}, "c": [1, 2]} -> {"a.b": 1, "c": [1, 2]} (lists stay whole). */
  function flatten(value, prefix, out) {
    out = out || {};
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (!keys.length && prefix) out[prefix] = {};
      for (const key of keys) flatten(value[key], prefix ? prefix + "." + key : key, out);
    } else if (prefix) {
      out[prefix] = value;
    }
    return out;
  }

  function text(value) {
    if (value === undefined) return "";
    if (value === null) return "null";
    if (typeof value === "string") return value;
    return JSON.stringify(value);
  }

  function clip(s) {
    return s.length > SHORT ? s.slice(0, SHORT - 1) + "…" : s;
  }

  function short(value) { return clip(text(value)); }

  /* [{field, before, after, changed}] for every field of either side, changed first
     kept in the order they appear. */
  function fields(entry) {
    const before = flatten(entry.before || {});
    const after = flatten(entry.after || {});
    const names = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    return names.map((field) => ({
      field, before: before[field], after: after[field],
      changed: text(before[field]) !== text(after[field]) || !(field in before) || !(field in after),
    }));
  }

  /* What the table shows in a line: the changed fields when there was a "before",
     else the recorded values. */
  function summary(entry) {
    const all = fields(entry).filter((f) => !/hash$/.test(f.field));
    if (entry.before && entry.after) return { kind: "change", fields: all.filter((f) => f.changed) };
    if (entry.after) return { kind: "after", fields: all };
    if (entry.before) return { kind: "before", fields: all };
    return { kind: "none", fields: [] };
  }

  /* "+07:00" for the panel's time zone on that day (Huế has no summer time, but ask). */
  function offsetOn(dateText, timeZone) {
    try {
      const probe = new Date(dateText + "T12:00:00Z");
      const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
        .formatToParts(probe).find((p) => p.type === "timeZoneName").value;
      const match = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
      return match ? match[1] + ":" + (match[2] || "00") : "+00:00";
    } catch (err) {
      return "+07:00";
    }
  }

  function nextDay(dateText) {
    const d = new Date(dateText + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  /* The API's since/until for the days from..to (inclusive) in the province. */
  function range(from, to, timeZone) {
    const out = {};
    if (from) out.since = from + "T00:00:00" + offsetOn(from, timeZone);
    if (to) {
      const day = nextDay(to);
      out.until = day + "T00:00:00" + offsetOn(day, timeZone);
    }
    return out;
  }

  return { flatten, text, short, clip, fields, summary, range };
})();
