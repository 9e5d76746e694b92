/* Replay (/panel/replay): what one screen really showed between two moments, from its
   player's journal (GET /api/v1/plays, paged, up to 1000 records): a strip of
   thumbnails in the order shown (GET /api/v1/media/<sha>/thumbnail of each record's
   first file; rendered slides are media too) and the list. The moments are typed in
   Huế time and sent with +07:00. */
"use strict";
(() => {
  const { el, t, api, dateTime } = Pano;
  const S = JSON.parse(document.getElementById("pano-strings").textContent);
  const MAX = 1000;
  const params = new URLSearchParams(location.search);
  const given = { screen: params.get("screen") || "", from: params.get("from") || "",
                  to: params.get("to") || "" };
  const select = document.getElementById("r-screen");

  function fail(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function withZone(local) {
    const full = local.length === 16 ? local + ":00" : local;
    return full + "+07:00";
  }

  async function fillScreens() {
    const vi = Pano.config.lang === "vi";
    const label = (thing) => (vi ? thing.name.vi : thing.name.en) || thing.id;
    const answer = await api("GET", "/api/v1/sites");
    select.replaceChildren(...answer.sites.map((site) => el("optgroup", { label: label(site) },
      ...site.screens.map((s) => el("option", { value: s.id }, label(s))))));
    if (given.screen) select.value = given.screen;
  }

  function what(record) {
    if (record.kind === "item") return `${record.playlist} / ${record.item}`;
    if (record.kind === "emergency" && record.emergency) return `${S.kinds.emergency} #${record.emergency}`;
    return S.kinds[record.kind] || record.kind;
  }

  function thumb(record) {
    const caption = el("div", { class: "caption" }, dateTime(record.start), el("br"), what(record));
    const sha = record.media[0];
    if (!sha) return el("li", { dataset: { seq: record.seq } }, el("div", { class: "no-picture" }, t("no_picture")), caption);
    const img = el("img", { src: `/api/v1/media/${sha}/thumbnail`, alt: what(record), loading: "lazy",
                            dataset: { sha } });
    img.addEventListener("error", () => img.replaceWith(el("div", { class: "no-picture" }, t("no_picture"))));
    return el("li", { dataset: { seq: record.seq } }, img, caption);
  }

  function row(record) {
    return el("tr", { dataset: { seq: record.seq } },
      el("td", {}, dateTime(record.start)), el("td", {}, dateTime(record.end)),
      el("td", {}, what(record)), el("td", {}, record.languages.join(", ")),
      el("td", {}, record.ended), el("td", {}, S.sources[record.source] || record.source),
      el("td", { class: "n" }, `${record.seq}`));
  }

  async function load() {
    if (!given.screen || !given.from || !given.to) return;
    if (given.from >= given.to) { fail(t("from_after_to")); return; }
    const records = [];
    let cursor = null;
    try {
      do {
        const q = new URLSearchParams({ screen: given.screen, from: withZone(given.from),
                                        to: withZone(given.to), limit: "500" });
        if (cursor) q.set("cursor", cursor);
        const page = await api("GET", "/api/v1/plays?" + q);
        records.push(...page.records);
        cursor = page.next_cursor;
      } while (cursor && records.length < MAX);
    } catch (err) {
      fail(err.message);
      return;
    }
    const shown = records.slice(0, MAX);
    document.getElementById("truncated").hidden = !(cursor || records.length > MAX);
    document.getElementById("count").textContent = t("count", { n: shown.length });
    document.getElementById("strip").replaceChildren(...shown.map(thumb));
    document.querySelector("#records tbody").replaceChildren(...shown.map(row));
    document.getElementById("replay").hidden = shown.length === 0;
    document.getElementById("empty").hidden = shown.length > 0;
  }

  fillScreens().catch((err) => fail(err.message)).then(load);
})();
