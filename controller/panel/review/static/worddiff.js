/* Word-level differences between two texts, for the review page: which words an edit
   removed and which it added. Words come from Intl.Segmenter (so Lao, Thai and Khmer,
   written without spaces between words, are split into words too); spaces and
   punctuation are kept as their own pieces. A longest common subsequence of the pieces
   is kept; very long texts (over MAX_CELLS comparisons) are shown as one replaced
   piece instead of freezing the page. */
"use strict";
const PanoWordDiff = (() => {
  const MAX_CELLS = 400000;

  function pieces(text, lang) {
    if (!text) return [];
    if (typeof Intl !== "undefined" && Intl.Segmenter) {
      const seg = new Intl.Segmenter(lang || undefined, { granularity: "word" });
      return Array.from(seg.segment(text), (s) => s.segment);
    }
    return text.split(/(\s+)/).filter((p) => p !== "");
  }

  /* [{op: "same"|"del"|"ins", text}] turning `before` into `after`. */
  function diff(before, after, lang) {
    const a = pieces(before || "", lang);
    const b = pieces(after || "", lang);
    if (a.length * b.length > MAX_CELLS) {
      return [{ op: "del", text: before || "" }, { op: "ins", text: after || "" }];
    }
    const n = a.length, m = b.length;
    const table = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1
          : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    const out = [];
    const push = (op, text) => {
      const last = out[out.length - 1];
      if (last && last.op === op) last.text += text; else out.push({ op, text });
    };
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { push("same", a[i]); i++; j++; }
      else if (table[i + 1][j] >= table[i][j + 1]) { push("del", a[i]); i++; }
      else { push("ins", b[j]); j++; }
    }
    while (i < n) push("del", a[i++]);
    while (j < m) push("ins", b[j++]);
    return out;
  }

  /* One column's pieces ({changed, text}), with the spaces between two changed words
     counted as changed, so "The Imperial Citadel" is marked as one phrase. */
  function column(parts, changedOp) {
    const raw = parts.filter((p) => p.op === "same" || p.op === changedOp)
      .map((p) => ({ changed: p.op === changedOp, text: p.text }));
    raw.forEach((p, i) => {
      if (!p.changed && /^\s+$/.test(p.text) && raw[i - 1] && raw[i - 1].changed
          && raw[i + 1] && raw[i + 1].changed) p.changed = true;
    });
    const out = [];
    for (const p of raw) {
      const last = out[out.length - 1];
      if (last && last.changed === p.changed) last.text += p.text; else out.push({ ...p });
    }
    return out;
  }

  /* Two nodes: the old text with removed words marked (<del>) and the new text with
     added words marked (<ins>). */
  function sideBySide(before, after, lang) {
    const { el } = Pano;
    const parts = diff(before, after, lang);
    const old = el("div", { class: "diff-text old", lang: lang || null });
    const neu = el("div", { class: "diff-text new", lang: lang || null });
    for (const p of column(parts, "del")) old.append(p.changed ? el("del", {}, p.text) : p.text);
    for (const p of column(parts, "ins")) neu.append(p.changed ? el("ins", {}, p.text) : p.text);
    return [old, neu];
  }

  return { pieces, diff, sideBySide };
})();
