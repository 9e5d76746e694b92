/* Screens page: screen truth (docs/panel/fleet.md, docs/operations.md 2.6). A "Check
   screen" button under a row's commands opens a dialog with the newest periodic capture
   of the screen beside the frame the controller expected, the verdict (ok, black,
   frozen, wrong, unknown) with its reason, and whether the player's kiosk page reports
   it is alive (GET /api/v1/screens/<id>/truth and its pictures). */
"use strict";
const FleetTruth = (() => {
  const { el, t } = Pano;
  const base = (id) => "/api/v1/screens/" + encodeURIComponent(id) + "/truth";
  const urls = [];

  function control(s) {
    return el("button", { type: "button", class: "truth-open", title: t("truth_open_title"),
                          onclick: () => open(s) }, t("truth_open"));
  }

  async function picture(url, img, alt) {
    img.removeAttribute("src");
    img.alt = alt;
    img.hidden = true;
    if (!url) return false;
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store",
                                        headers: { "Accept-Language": Pano.config.lang } });
    if (!response.ok) return false;
    const src = URL.createObjectURL(await response.blob());
    urls.push(src);
    img.src = src;
    img.hidden = false;
    return true;
  }

  function pageWords(page) {
    if (!page) return t("truth_page_unknown");
    if (!page.alive) return t("truth_page_dead");
    return page.item ? t("truth_page_alive_item", { item: page.item }) : t("truth_page_alive");
  }

  // Where to look when the screen is wrong: what the kiosk page confirmed drawing at
  // the capture (capture.page_item; null from a player without a page).
  function whereWords(truth) {
    const verdict = truth.verdict && truth.verdict.verdict;
    const capture = truth.capture;
    if (!capture || capture.page_item == null || !capture.item ||
        !["black", "frozen", "wrong"].includes(verdict)) return "";
    if (capture.page_item === capture.item) return t("truth_where_display");
    if (capture.page_item) return t("truth_where_page", { item: capture.page_item });
    return t("truth_where_none");
  }

  async function open(s) {
    const dialog = document.getElementById("truth-dialog");
    const name = FleetFormat.primary(s.name) || s.id;
    document.getElementById("truth-title").textContent = t("truth_title", { screen: name });
    while (urls.length) URL.revokeObjectURL(urls.pop());
    let truth;
    try {
      truth = await Pano.api("GET", base(s.id));
    } catch (err) {
      Pano.toast(err.message, "bad");
      return;
    }
    const verdict = truth.verdict;
    const box = document.getElementById("truth-verdict");
    box.dataset.verdict = verdict ? verdict.verdict : "none";
    box.replaceChildren(
      el("strong", {}, verdict ? t("truth_verdict_" + verdict.verdict) : t("truth_none")),
      verdict ? el("span", { class: "muted" }, " — " + t("truth_at", { time: Pano.dateTime(verdict.at) })) : "",
      verdict ? el("div", { class: "small truth-reason" }, verdict.reason) : "",
      whereWords(truth) ? el("div", { class: "truth-where" }, whereWords(truth)) : "");
    document.getElementById("truth-page").textContent = pageWords(truth.page);
    const capture = document.getElementById("truth-capture");
    const expected = document.getElementById("truth-expected");
    await picture(truth.capture && truth.capture.url, capture, t("truth_capture_alt", { id: s.id }));
    const hasExpected = await picture(truth.expected && truth.expected.url, expected,
                                      t("truth_expected_alt", { id: s.id }));
    document.getElementById("truth-expected-none").hidden = hasExpected;
    if (!dialog.open) dialog.showModal();
  }

  return { control };
})();
