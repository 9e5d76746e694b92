/* Dates and times written the panel's way, not the browser's.

   Native <input type="date|time|datetime-local"> follow the browser's locale: a
   Chromium set to US English shows 12/05/2026 (May 12th to a Vietnamese reader) and
   "6:30 PM". The panel shows and accepts dd/mm/yyyy and 24-hour time in Vietnamese and
   in English alike, as the province writes them.

   Each such input becomes a text input in place (same element, id, label and handlers):
   what a person sees and types is dd/mm/yyyy and HH:MM (HH:MM:SS with step="1"), while
   the element's `value`, read or set by the page's scripts and sent by its form, stays
   the ISO form the API expects (2026-12-05, 18:30, 2026-12-05T18:30). ISO typed in is
   accepted too. Text that is not a date or time is flagged (the browser's own validity
   message, in the panel's language) and reads as "". Inputs added later (a schedule's
   windows) are handled as they appear. */
(() => {
  const KINDS = ["date", "time", "datetime-local"];
  const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
  const strings = JSON.parse(document.getElementById("pano-config").textContent).strings || {};
  const pad = (n) => String(n).padStart(2, "0");

  function realDate(y, m, d) {
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }

  function parseDate(text) {
    let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
    let y, mo, d;
    if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; } else {
      m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
      if (!m) return null;
      y = +m[1]; mo = +m[2]; d = +m[3];
    }
    return realDate(y, mo, d) ? `${y}-${pad(mo)}-${pad(d)}` : null;
  }

  function parseTime(text, seconds) {
    const m = /^(\d{1,2})[:hH.](\d{2})(?::(\d{2}))?$/.exec(text);
    if (!m || +m[1] > 23 || +m[2] > 59 || (m[3] && +m[3] > 59)) return null;
    const base = `${pad(+m[1])}:${m[2]}`;
    return seconds ? `${base}:${m[3] || "00"}` : base + (m[3] && m[3] !== "00" ? `:${m[3]}` : "");
  }

  function parse(kind, text, seconds) {
    text = text.trim();
    if (!text) return "";
    if (kind === "date") return parseDate(text);
    if (kind === "time") return parseTime(text, seconds);
    const m = /^(\S+)(?:\s+|T)(\S+)$/.exec(text);
    if (!m) return null;
    const date = parseDate(m[1]);
    const time = parseTime(m[2], seconds);
    return date && time ? `${date}T${time}` : null;
  }

  function show(kind, iso) {
    if (!iso) return "";
    const date = (d) => { const [y, m, day] = d.split("-"); return `${day}/${m}/${y}`; };
    if (kind === "date") return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? date(iso) : iso;
    if (kind === "time") return iso;
    const [d, t] = iso.split("T");
    return t ? `${date(d)} ${t}` : iso;
  }

  function enhance(input) {
    const kind = input.type;
    if (!KINDS.includes(kind) || input.dataset.panoDate) return;
    const seconds = input.getAttribute("step") === "1";
    const initial = native.get.call(input);
    input.dataset.panoDate = kind;
    input.type = "text";
    input.inputMode = "numeric";
    input.autocomplete = "off";
    input.placeholder = { date: "dd/mm/yyyy", time: seconds ? "hh:mm:ss" : "hh:mm",
      "datetime-local": seconds ? "dd/mm/yyyy hh:mm:ss" : "dd/mm/yyyy hh:mm" }[kind];
    const hint = strings[`format_${kind.replace("-", "_")}`] || input.placeholder;
    const check = () => {
      const ok = parse(kind, native.get.call(input), seconds) !== null;
      input.setCustomValidity(ok ? "" : hint);
      return ok;
    };
    Object.defineProperty(input, "value", {
      configurable: true,
      get() { return parse(kind, native.get.call(input), seconds) || ""; },
      set(iso) { native.set.call(input, show(kind, iso == null ? "" : String(iso))); check(); },
    });
    input.value = initial;
    input.addEventListener("input", check);
    input.addEventListener("change", () => {  // tidy what was typed: 5/1/2026 → 05/01/2026
      if (check()) native.set.call(input, show(kind, input.value));
    });
    const form = input.form;
    if (form && input.name && !form.dataset.panoDates) {
      form.dataset.panoDates = "1";
      form.addEventListener("formdata", (event) => {
        for (const field of form.querySelectorAll("input[data-pano-date]")) {
          if (field.name) event.formData.set(field.name, field.value);
        }
      });
    }
  }

  function scan(root) {
    if (root.matches && root.matches("input")) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll("input").forEach(enhance);
  }
  scan(document);
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach(scan);
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.PanoDates = { parse, show };
})();
