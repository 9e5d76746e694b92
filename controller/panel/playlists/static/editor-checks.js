/* Playlist editor, part 2: completeness warnings as the person types. Every required
   language and every language of the screens the playlist reaches (GET …/reach) must be
   there in each item, with what the item's type needs (text: a title; image, video: a
   file; web page: an address). Submitting checks the same on the server, and also that
   texts fit the screens; its message is shown when it refuses. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const NEEDS = { text: "title", image: "media", video: "media", web: "url" };
  const MISSING = { title: "missing_title", media: "missing_media", url: "missing_url" };

  function itemLabel(item, index) {
    return t("item_label", { n: index + 1, id: item.id || "?" });
  }

  /* [{item key, message}] for one item. */
  function problems(item, index, needed) {
    const out = [];
    const label = itemLabel(item, index);
    const push = (key, vars) => out.push(t(key, Object.assign({ item: label }, vars)));
    if (!E.validId(item.id)) push("bad_item_id");
    else if (E.model.items.some((other, i) => i < index && other.id === item.id)) push("duplicate_item_id");
    const duration = Number(item.duration);
    if (!Number.isInteger(duration) || duration < 1 || duration > 3600) push("bad_duration");
    if (item.type === "data") return out.concat(dataProblems(item, label, needed));
    const field = NEEDS[item.type];
    const codes = new Set(needed);
    for (const [code, v] of Object.entries(item.variants)) if (E.hasContent(v)) codes.add(code);
    for (const code of E.shown.filter((c) => codes.has(c)).concat([...codes].filter((c) => !E.shown.includes(c)))) {
      const v = item.variants[code];
      const lang = E.langName(code);
      const needs = needed.includes(code);
      if (!E.hasContent(v)) {
        if (needs) push(E.required.includes(code) ? "missing_required" : "missing_for_screens", { lang });
        continue;
      }
      if (!(v[field] && String(v[field]).trim())) push(MISSING[field], { lang });
    }
    return out;
  }

  /* A data item: a source and a template of the catalogue, labels in every language
     the screens need, a fallback that is another text or web item or has a title in
     every required language. */
  function dataProblems(item, label, needed) {
    const out = [];
    const push = (key, vars) => out.push(t(key, Object.assign({ item: label }, vars)));
    if (!item.source) push("data_no_source");
    else if (E.catalog.loaded && !E.dataSource(item.source)) push("data_source_gone", { id: item.source });
    const template = E.dataTemplate(item.template);
    if (!item.template) push("data_no_template");
    else if (E.catalog.loaded && !template) push("data_template_gone", { id: item.template });
    if (template) {
      for (const code of needed) if (!template.title[code]) push("data_template_lacks", { lang: E.langName(code) });
    }
    const fb = item.fallback;
    if (fb && fb.item) {
      const other = E.model.items.find((o) => o.id === fb.item && o !== item);
      if (!other || (other.type !== "text" && other.type !== "web")) push("data_fallback_bad", { id: fb.item });
    } else if (fb && fb.variants) {
      for (const code of E.required) {
        const v = fb.variants[code] || {};
        if (!(v.title && v.title.trim())) push("data_fallback_title", { lang: E.langName(code) });
      }
    }
    return out;
  }

  function needed() {
    return [...new Set([...E.required, ...E.reach.languages])];
  }

  function detailProblems() {
    const out = [];
    if (!E.model.title.vi.trim()) out.push(t("missing_name", { lang: E.langName("vi") }));
    if (!E.model.title.en.trim()) out.push(t("missing_name", { lang: E.langName("en") }));
    if (!E.playlist && !E.validId(E.model.id)) out.push(t("bad_playlist_id"));
    if (!E.model.items.length) out.push(t("no_items"));
    return out;
  }

  E.check = () => {
    const need = needed();
    const perItem = new Map();
    E.model.items.forEach((item, index) => perItem.set(item.key, problems(item, index, need)));
    return { details: detailProblems(), perItem };
  };

  /* When the page finds nothing more, the controller checks what submitting would
     (POST /api/v1/playlists/check): e.g. a text too long for the screens' slides. */
  let server = { seq: 0, timer: null, problems: [] };
  function askServer() {
    clearTimeout(server.timer);
    // What the controller said was about the text before this edit: drop it, and any
    // answer still on its way for it; the answer for the text as it is now follows.
    server.seq++;
    server.problems = [];
    if (!E.editable || !E.cfg.may_edit) return;
    server.timer = setTimeout(async () => {
      const seq = ++server.seq;
      const body = { items: E.payloadItems() };
      if (E.playlist) body.playlist = E.playlist.id;
      try {
        const answer = await Pano.api("POST", "/api/v1/playlists/check", body);
        if (seq !== server.seq) return;
        server.problems = answer.problems || [];
        render(true);
      } catch (err) { /* advisory only: saving and submitting check again */ }
    }, 900);
  }

  function render(fromServer) {
    const result = E.check();
    let total = result.details.length;
    for (const item of E.model.items) {
      const list = result.perItem.get(item.key) || [];
      total += list.length;
      const box = document.querySelector(`.pl-item[data-key="${item.key}"] .pl-item-warnings`);
      if (box) box.replaceChildren(...list.map((m) => el("li", {}, m)));
      const card = document.querySelector(`.pl-item[data-key="${item.key}"]`);
      if (card) card.classList.toggle("has-warnings", list.length > 0);
    }
    const summary = document.getElementById("ed-summary");
    if (!E.editable) { summary.hidden = true; return; }
    summary.hidden = false;
    summary.classList.toggle("is-ok", total === 0);
    if (total === 0 && fromServer !== true) askServer();
    if (total === 0 && server.problems.length) {
      summary.classList.remove("is-ok");
      summary.replaceChildren(el("h2", {}, t("server_found")),
        el("ul", { class: "pl-summary-list", dataset: { testid: "server-problems" } }, server.problems.map((m) => el("li", {}, m))));
      return;
    }
    if (total === 0) {
      summary.replaceChildren(el("p", { class: "pl-ok" }, "✓ " + t("complete")));
      return;
    }
    server.seq += 1;  // an answer still on its way is out of date
    clearTimeout(server.timer);
    server.problems = [];
    const all = [...result.details];
    for (const list of result.perItem.values()) all.push(...list);
    const reachNote = E.reach.screens.length
      ? el("p", { class: "small muted" }, t("reach_note", { n: Pano.number(E.reach.screens.length),
        langs: E.reach.languages.map(E.langName).join(", ") })) : null;
    summary.replaceChildren(
      el("h2", {}, t("to_complete", { n: Pano.number(total) })),
      el("ul", { class: "pl-summary-list" }, all.map((m) => el("li", {}, m))),
      ...(reachNote ? [reachNote] : []));
  }

  E.on("changed", () => render(false));
  E.renderChecks = render;
  /* A saved draft's answer carries the same sentences (PUT …/draft "warnings"): shown at
     once, so a text too long for the screens is known before submitting. */
  E.showServerProblems = (list) => {
    server.seq += 1;
    server.problems = list || [];
    render(true);
  };
})();
