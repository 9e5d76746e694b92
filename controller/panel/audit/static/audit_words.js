/* The audit log in words: field names ("state", "title.vi") and the values a person
   cannot read as stored (states, roles, yes/no, empty, instants) said in the panel's
   language — "Trạng thái: Nháp → Chờ duyệt", not "state: draft → in_review". Names
   and values the page has no words for are shown as stored (ids, titles, numbers).
   The words come from the page's strings (audit_strings.html: fields, values). */
"use strict";
const AuditWords = (() => {
  const S = JSON.parse(document.getElementById("pano-strings").textContent);
  const FIELDS = S.fields || {};
  const VALUES = S.values || {};
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
  const SYSTEM_NOTE = /^approved by import from (.+) without review$/;

  /* "title.vi" -> "Tiêu đề (tiếng Việt)", "messages.en.body" -> "Tin nhắn · Nội dung
     (tiếng Anh)"; parts without words (a list index, an unknown key) as stored. */
  function field(name) {
    if (FIELDS[name]) return FIELDS[name];
    const langs = VALUES.lang || {};
    const parts = name.split(".");
    const lang = parts.find((p) => langs[p]);
    const words = parts.filter((p) => !langs[p]).map((p) => FIELDS[p] || p).join(" · ");
    return lang ? Pano.t("field_in_lang", { field: words, lang: langs[lang] }) : words;
  }

  /* The last part of a field's name picks its words: "after.state" reads as "state". */
  function value(name, stored) {
    if (stored === undefined) return "";
    if (stored === null) return S.none;
    if (stored === true) return S.yes;
    if (stored === false) return S.no;
    if (Array.isArray(stored) && !stored.length) return S.empty_list;
    const key = name.split(".").pop();
    const words = VALUES[key];
    if (typeof stored === "string") {
      if (words && words[stored]) return words[stored];
      if (ISO.test(stored)) return Pano.dateTime(stored, true);
      return stored;
    }
    if (Array.isArray(stored) && words && stored.every((v) => typeof v === "string")) {
      return stored.map((v) => words[v] || v).join(", ");
    }
    return typeof stored === "object" ? JSON.stringify(stored) : String(stored);
  }

  function actor(name) { return name === "system" || name === "job" ? S.system : name; }

  function note(text) {
    const m = SYSTEM_NOTE.exec(text || "");
    return m ? Pano.t("import_note", { source: m[1] }) : text;
  }

  return { field, value, actor, note };
})();
