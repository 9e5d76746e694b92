/* Playlist editor, part 5: the items, in order, each with its type, duration and the
   variants of every shown language side by side (title, text, file, link). Reorder by
   dragging the handle (SortableJS, also by touch) or with the move buttons. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const list = document.getElementById("ed-items");
  const langbar = document.getElementById("ed-langbar");
  const LIMITS = { title: 200, body: 2000, url: 2000 };

  function field(item, code, key, label, multiline) {
    const id = `it-${item.key}-${code}-${key}`;
    const v = item.variants[code] || {};
    const attrs = { id, lang: code, maxlength: LIMITS[key], readonly: !E.editable, dataset: { field: key },
      value: multiline ? null : (v[key] || "") };
    const input = multiline ? el("textarea", attrs, v[key] || "") : el("input", Object.assign(attrs,
      key === "url" ? { type: "url", inputmode: "url", placeholder: "https://…", spellcheck: "false" } : {}));
    const counter = key !== "url" ? el("span", { class: "pl-count small muted" }) : null;
    const count = () => {
      if (!counter) return;
      const n = input.value.length;
      counter.textContent = n > LIMITS[key] * 0.8 ? `${n}/${LIMITS[key]}` : "";
    };
    input.addEventListener("input", () => {
      E.variant(item, code)[key] = input.value;
      count();
      if (key === "title") E.followName(item);
      E.changed();
    });
    count();
    return el("div", { class: "pl-field" }, el("label", { for: id }, label, counter), input);
  }

  function mediaField(item, code) {
    const v = item.variants[code] || {};
    const box = el("div", { class: "pl-media", dataset: { testid: "media-" + code } });
    const label = el("span", { class: "pl-label" }, item.type === "video" ? t("video_file") : t("image_file"));
    const pick = () => E.pickMedia({ kind: item.type, onPick: (media, all) => {
      const codes = all ? E.shown : [code];
      for (const c of codes) {
        const variant = E.variant(item, c);
        if (c === code || !variant.media) variant.media = media.sha256;
      }
      E.restructure();
    } });
    if (!v.media) {
      box.append(label, E.editable
        ? el("button", { type: "button", class: "pl-pick", onclick: pick }, "+ " + t("choose_file"))
        : el("span", { class: "muted" }, t("no_file")));
      return box;
    }
    const nameSpan = el("span", { class: "pl-media-name" }, v.media.slice(0, 12) + "…");
    const sizeSpan = el("span", { class: "small muted" });
    const preview = el("span", { class: "pl-media-preview" });
    E.mediaInfo(v.media).then((m) => {
      preview.replaceChildren(E.mediaPreview(m, v.media));
      if (m) { nameSpan.textContent = m.original_name || nameSpan.textContent; sizeSpan.textContent = E.mediaSize(m); }
    });
    box.append(label, el("div", { class: "pl-media-chosen" }, preview,
      el("div", { class: "pl-media-meta" }, nameSpan, sizeSpan,
        E.editable ? el("div", { class: "pl-media-buttons" },
          el("button", { type: "button", onclick: pick }, t("change_file")),
          el("button", { type: "button", onclick: () => { delete E.variant(item, code).media; E.restructure(); } }, t("remove_file"))) : null)));
    return box;
  }

  function variantColumn(item, code) {
    const required = E.required.includes(code);
    const needed = E.reach.languages.includes(code);
    const v = item.variants[code] || {};
    const type = item.type;
    return el("div", { class: "pl-variant" + (required ? " is-required" : ""), dataset: { lang: code } },
      el("div", { class: "pl-variant-head" }, el("strong", {}, E.langName(code)), " ", el("span", { class: "muted small" }, code),
        required ? el("span", { class: "badge info" }, t("required")) : null,
        !required && needed ? el("span", { class: "badge warn" }, t("needed_by_screens")) : null),
      field(item, code, "title", type === "text" ? t("title") : t("caption"), false),
      type === "text" || v.body ? field(item, code, "body", t("body"), true) : null,
      type === "image" || type === "video" ? mediaField(item, code) : null,
      field(item, code, "url", type === "web" ? t("web_address") : t("qr_link"), false));
  }

  function move(index, delta, focusSelector) {
    const to = index + delta;
    if (to < 0 || to >= E.model.items.length) return;
    const [item] = E.model.items.splice(index, 1);
    E.model.items.splice(to, 0, item);
    E.restructure();
    const button = list.querySelector(`.pl-item[data-key="${item.key}"] ${focusSelector}`);
    if (button && !button.disabled) button.focus();
    else { const handle = list.querySelector(`.pl-item[data-key="${item.key}"] .pl-move`); if (handle) handle.focus(); }
  }

  function itemCard(item, index) {
    const n = E.model.items.length;
    const typeSelect = el("select", { id: `it-${item.key}-type`, disabled: !E.editable, dataset: { field: "type" } },
      E.TYPES.map((type) => el("option", { value: type, selected: type === item.type }, t("type_" + type))));
    typeSelect.addEventListener("change", () => {
      item.type = typeSelect.value;
      if (item.type === "data" && item.source === undefined) Object.assign(item, { source: "", template: "", title: {}, fallback: null });
      E.restructure();
    });
    const duration = el("input", { id: `it-${item.key}-duration`, type: "number", min: "1", max: "3600", step: "1",
      inputmode: "numeric", value: String(item.duration), readonly: !E.editable, dataset: { field: "duration" } });
    duration.addEventListener("input", () => { item.duration = duration.value === "" ? "" : Number(duration.value); E.changed(); });
    const idInput = el("input", { id: `it-${item.key}-id`, value: item.id, readonly: !E.editable, maxlength: "63",
      spellcheck: "false", dataset: { field: "id" } });
    idInput.addEventListener("input", () => { item.auto = false; item.id = idInput.value.trim(); E.changed(); });
    const label = t("item_label", { n: index + 1, id: item.id });
    return el("li", { class: "pl-item card", dataset: { key: String(item.key), itemId: item.id }, "aria-label": label },
      el("div", { class: "pl-item-head" },
        E.editable ? el("span", { class: "pl-handle", title: t("drag"), "aria-hidden": "true" }, "⠿") : null,
        el("span", { class: "pl-num" }, Pano.number(index + 1, 0)),
        el("div", { class: "pl-inline" }, el("label", { for: typeSelect.id }, t("type")), typeSelect),
        el("div", { class: "pl-inline pl-duration" }, el("label", { for: duration.id }, t("duration")), duration, el("span", { class: "muted" }, t("seconds"))),
        el("span", { class: "spacer" }),
        E.editable ? el("div", { class: "pl-item-buttons" },
          el("button", { type: "button", class: "pl-move pl-up", disabled: index === 0, "aria-label": t("move_up", { item: label }),
            title: t("move_up", { item: label }), onclick: () => move(index, -1, ".pl-up") }, "↑"),
          el("button", { type: "button", class: "pl-move pl-down", disabled: index === n - 1, "aria-label": t("move_down", { item: label }),
            title: t("move_down", { item: label }), onclick: () => move(index, 1, ".pl-down") }, "↓"),
          el("button", { type: "button", class: "pl-remove", "aria-label": t("remove_item", { item: label }),
            title: t("remove_item", { item: label }), onclick: () => { E.model.items.splice(index, 1); E.restructure(); } }, "✕")) : null),
      item.type === "data" ? E.dataPanel(item) :
        el("div", { class: "pl-variants", style: `--cols:${Math.min(E.shown.length, 4)}` }, E.shown.map((code) => variantColumn(item, code))),
      item.type === "text" && E.photoPanel ? E.photoPanel(item) : null,
      el("details", { class: "pl-advanced", dataset: { testid: "item-advanced" } },
        el("summary", {}, t("advanced")),
        el("div", { class: "pl-inline pl-itemid" }, el("label", { for: idInput.id }, t("item_id")), idInput),
        el("p", { class: "hint small" }, item.auto ? t("item_id_follows") : t("item_id_hint"))),
      el("ul", { class: "pl-item-warnings", "aria-live": "polite", dataset: { testid: "item-warnings" } }));
  }

  function renderLangbar() {
    const others = E.languages.map((l) => l.code).filter((c) => !E.shown.includes(c));
    langbar.replaceChildren(...[
      el("span", { class: "small muted" }, t("languages_shown")),
      ...E.shown.map((code) => el("span", { class: "badge " + (E.required.includes(code) ? "info" : E.reach.languages.includes(code) ? "warn" : "muted") },
        E.langName(code))),
      E.editable && others.length ? el("span", { class: "small muted pl-add-lang" }, t("add_language")) : null,
      ...(E.editable ? others.map((code) => el("button", { type: "button", class: "pl-lang-add", dataset: { lang: code },
        onclick: () => { E.computeShown([code]); E.restructure(); } }, "+ " + E.langName(code))) : [])].filter(Boolean));
  }

  function render() {
    renderLangbar();
    list.replaceChildren(...E.model.items.map(itemCard));
    document.getElementById("ed-add").hidden = !E.editable;
  }

  document.querySelectorAll("#ed-add [data-add]").forEach((button) => button.addEventListener("click", () => {
    const item = E.newItem(button.dataset.add);
    E.model.items.push(item);
    E.restructure();
    const first = list.querySelector(`.pl-item[data-key="${item.key}"] input[data-field="title"]`);
    if (first) first.focus();
  }));

  if (typeof Sortable !== "undefined") {
    Sortable.create(list, { handle: ".pl-handle", animation: 150, forceFallback: true, fallbackTolerance: 3,
      onEnd: () => {
        const order = [...list.children].map((li) => Number(li.dataset.key));
        E.model.items.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
        E.restructure();
      } });
  }

  /* A new item's id follows its name while nobody has edited it (E.autoId). */
  E.followName = (item) => {
    if (!item.auto) return;
    const before = item.id;
    E.autoId(item);
    if (item.id !== before) {  // a data item's fallback naming this item follows it
      for (const other of E.model.items) {
        if (other.fallback && other.fallback.item === before) {
          other.fallback.item = item.id;
          const select = document.getElementById(`it-${other.key}-fallback`);
          if (select) {
            const option = select.querySelector(`option[value="item:${CSS.escape(before)}"]`);
            if (option) { option.value = "item:" + item.id; option.textContent = t("item_label", { n: E.model.items.indexOf(item) + 1, id: item.id }); }
          }
        }
      }
    }
    const input = document.getElementById(`it-${item.key}-id`);
    if (input) input.value = item.id;
    const card = list.querySelector(`.pl-item[data-key="${item.key}"]`);
    if (card) card.dataset.itemId = item.id;
  };

  E.on("structure", render);
  E.renderItems = render;
})();
