/* Playlist editor, part 5a: a data item (type "data", docs/sources.md "Data items"):
   a source shown through a template, the item's own title per language (the
   template's is the default), a fallback played while the data are not current (the
   title alone, another text or web item, or texts of its own) and a preview of the
   slide drawn by the controller now (GET /api/v1/data-catalog/preview.png). The
   sources and templates come from GET /api/v1/data-catalog. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const LIMITS = { title: 200, body: 2000, dataTitle: 120 };
  E.catalog = { sources: [], templates: [], loaded: false };

  const inLang = (names) => (names && (names[Pano.config.lang] || names.vi || names.en)) || "";
  E.dataSource = (id) => E.catalog.sources.find((s) => s.id === id) || null;
  E.dataTemplate = (id) => E.catalog.templates.find((tp) => tp.id === id) || null;
  E.templateTitle = (id) => { const tp = E.dataTemplate(id); return tp ? (tp.title.vi || tp.title.en) : ""; };

  E.loadCatalog = async () => {
    try {
      const answer = await Pano.api("GET", "/api/v1/data-catalog");
      E.catalog = { sources: answer.sources, templates: answer.templates, loaded: true };
    } catch (err) {
      E.catalog = { sources: [], templates: [], loaded: false, error: err.message };
    }
  };

  function select(item, key, options, placeholder) {
    const id = `it-${item.key}-${key}`;
    const box = el("select", { id, disabled: !E.editable, dataset: { field: key } },
      el("option", { value: "" }, placeholder),
      options.map(([value, label]) => el("option", { value, selected: value === item[key] }, label)));
    if (item[key] && !options.some(([value]) => value === item[key])) {  // gone from the catalogue
      box.append(el("option", { value: item[key], selected: true }, t("data_unknown", { id: item[key] })));
    }
    return box;
  }

  function text(id, value, maxlength, code, multiline, onInput, placeholder) {
    const attrs = { id, lang: code, maxlength, readonly: !E.editable, placeholder: placeholder || null,
      value: multiline ? null : (value || "") };
    const input = multiline ? el("textarea", attrs, value || "") : el("input", attrs);
    input.addEventListener("input", () => onInput(input.value));
    return input;
  }

  function preview(item) {
    const box = el("div", { class: "pl-data-preview", dataset: { testid: "data-preview" } });
    const source = E.dataSource(item.source);
    if (!item.source || !item.template) {
      box.append(el("p", { class: "muted small" }, t("data_preview_choose")));
      return box;
    }
    if (!source || source.stale) {
      box.append(el("p", { class: "warning small", dataset: { testid: "data-stale" } }, t("data_stale_preview")));
      return box;
    }
    const params = new URLSearchParams({ source: item.source, template: item.template });
    if (E.reach.screens.length) params.set("screen", E.reach.screens[0].id);
    for (const [code, value] of Object.entries(item.title || {})) {
      if (value && value.trim()) params.set("title_" + code, value.trim());
    }
    const img = el("img", { src: "/api/v1/data-catalog/preview.png?" + params, alt: t("data_preview_alt"),
      loading: "lazy", class: "pl-data-img" });
    img.addEventListener("error", () => img.replaceWith(el("p", { class: "warning small" }, t("data_preview_failed"))));
    box.append(el("p", { class: "small muted" }, t("data_preview_note",
      { screen: E.reach.screens.length ? E.reach.screens[0].id : t("data_first_screen") })), img);
    return box;
  }

  function columns(template) {
    if (!template) return null;
    return el("div", { class: "table-wrap pl-data-columns" }, el("table", { class: "small" },
      el("caption", {}, t("data_columns")),
      el("tbody", {}, E.shown.filter((code) => template.title[code]).map((code) => el("tr", {},
        el("th", { scope: "row" }, E.langName(code)),
        template.columns.map((c) => el("td", { lang: code }, c.label[code] || "—")))))));
  }

  function fallbackPart(item, rerender) {
    const others = E.model.items.filter((o) => o !== item && (o.type === "text" || o.type === "web"));
    const choice = item.fallback && item.fallback.item ? "item:" + item.fallback.item
      : item.fallback && item.fallback.variants ? "texts" : "";
    const id = `it-${item.key}-fallback`;
    const sel = el("select", { id, disabled: !E.editable, dataset: { field: "fallback" } },
      el("option", { value: "", selected: choice === "" }, t("fallback_none")),
      el("option", { value: "texts", selected: choice === "texts" }, t("fallback_texts")),
      others.map((o) => el("option", { value: "item:" + o.id, selected: choice === "item:" + o.id },
        t("item_label", { n: E.model.items.indexOf(o) + 1, id: o.id }))));
    if (choice.startsWith("item:") && !others.some((o) => "item:" + o.id === choice)) {
      sel.append(el("option", { value: choice, selected: true }, t("data_unknown", { id: choice.slice(5) })));
    }
    sel.addEventListener("change", () => {
      item.fallback = sel.value === "" ? null : sel.value === "texts"
        ? { variants: (item.fallback && item.fallback.variants) || {} } : { item: sel.value.slice(5) };
      rerender();
      E.changed();
    });
    const part = el("div", { class: "pl-data-fallback" },
      el("label", { for: id }, t("fallback")), sel, el("p", { class: "hint small" }, t("fallback_hint")));
    if (choice === "texts") {
      part.append(el("div", { class: "pl-variants", style: `--cols:${Math.min(E.shown.length, 4)}` },
        E.shown.map((code) => {
          const v = item.fallback.variants[code] || {};
          const set = (key) => (value) => { (item.fallback.variants[code] ||= {})[key] = value; E.changed(); };
          const tid = `it-${item.key}-fb-${code}-title`;
          const bid = `it-${item.key}-fb-${code}-body`;
          return el("div", { class: "pl-variant", dataset: { lang: code, testid: "fallback-" + code } },
            el("div", { class: "pl-variant-head" }, el("strong", {}, E.langName(code))),
            el("div", { class: "pl-field" }, el("label", { for: tid }, t("title")),
              text(tid, v.title, LIMITS.title, code, false, set("title"))),
            el("div", { class: "pl-field" }, el("label", { for: bid }, t("body")),
              text(bid, v.body, LIMITS.body, code, true, set("body"))));
        })));
    }
    return part;
  }

  E.dataPanel = (item) => {
    const panel = el("div", { class: "pl-data", dataset: { testid: "data-item" } });
    const draw = () => {
      const template = E.dataTemplate(item.template);
      const sources = E.catalog.sources.map((s) => [s.id, inLang(s.names) + (s.stale ? " · " + t("data_not_current") : "")]);
      const templates = E.catalog.templates.map((tp) => [tp.id, inLang(tp.title)]);
      const sourceSel = select(item, "source", sources, t("data_choose_source"));
      const templateSel = select(item, "template", templates, t("data_choose_template"));
      let previewBox = preview(item);
      let timer = null;
      const refresh = () => {
        clearTimeout(timer);
        timer = setTimeout(() => { const next = preview(item); previewBox.replaceWith(next); previewBox = next; }, 600);
      };
      sourceSel.addEventListener("change", () => { item.source = sourceSel.value; E.changed(); draw(); });
      templateSel.addEventListener("change", () => { item.template = templateSel.value; E.followName(item); E.changed(); draw(); });
      const titles = el("div", { class: "pl-variants", style: `--cols:${Math.min(E.shown.length, 4)}` },
        E.shown.map((code) => {
          const id = `it-${item.key}-dt-${code}`;
          return el("div", { class: "pl-variant", dataset: { lang: code } },
            el("div", { class: "pl-field" }, el("label", { for: id }, t("data_title", { lang: E.langName(code) })),
              text(id, (item.title || {})[code], LIMITS.dataTitle, code, false, (value) => {
                (item.title ||= {})[code] = value;
                E.followName(item);
                E.changed();
                refresh();
              }, template ? template.title[code] || "" : "")));
        }));
      panel.replaceChildren(...[
        E.catalog.error ? el("p", { class: "error small" }, t("data_catalog_failed", { message: E.catalog.error })) : null,
        el("div", { class: "field-row pl-data-pick" },
          el("div", {}, el("label", { for: sourceSel.id }, t("data_source")), sourceSel),
          el("div", {}, el("label", { for: templateSel.id }, t("data_template")), templateSel)),
        el("p", { class: "hint small" }, t("data_title_hint")),
        titles, columns(template), fallbackPart(item, draw), previewBox].filter(Boolean));
    };
    draw();
    return panel;
  };
})();
