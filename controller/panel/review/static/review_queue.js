/* Review queue (/panel/review): the versions waiting for this approver
   (GET /api/v1/review-queue), with agency, editor, submission time and how many items
   changed. After an approval or rejection the version page comes back here with
   ?done=approved|rejected&title=…&version=N, shown once as a notice. */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const body = document.querySelector("#queue tbody");
  const vi = Pano.config.lang === "vi";
  let agencies = {};
  const base = location.pathname.replace(/\/$/, "") + "/";

  function showDone() {
    const params = new URLSearchParams(location.search);
    const done = params.get("done");
    if (done !== "approved" && done !== "rejected") return;
    const box = document.getElementById("done");
    box.textContent = t("done_" + done, { version: params.get("version") || "?",
                                         title: params.get("title") || "" });
    box.hidden = false;
    history.replaceState(null, "", location.pathname);
  }

  function titleCell(entry) {
    const first = vi ? entry.title.vi : entry.title.en;
    const second = vi ? entry.title.en : entry.title.vi;
    return el("td", { class: "title-cell" },
      el("a", { href: base + encodeURIComponent(entry.playlist) + "?version=" + entry.version,
                class: "strong" }, first || entry.playlist),
      second && second !== first ? el("div", { class: "muted small" }, second) : null,
      el("div", { class: "muted small mono" }, entry.playlist));
  }

  function agencyName(id) {
    const agency = agencies[id];
    if (!agency) return id || "—";
    return (vi ? agency.name.vi : agency.name.en) || id;
  }

  function changesCell(entry) {
    const c = entry.changes || {};
    if (entry.on_air === null) {
      return el("td", {}, el("span", { class: "badge info" }, t("new_playlist")), " ",
                el("span", { class: "muted small" }, t("items", { n: entry.item_count })));
    }
    const parts = ["added", "removed", "moved", "changed"].filter((k) => c[k] > 0)
      .map((k) => el("span", { class: "badge change-" + k }, t(k, { n: c[k] })));
    return el("td", {}, el("div", { class: "change-badges" }, parts.length ? parts
      : el("span", { class: "muted" }, t("no_changes"))));
  }

  function row(entry) {
    const link = el("a", { class: "button" + (entry.may_approve ? " primary" : ""),
      href: base + encodeURIComponent(entry.playlist) + "?version=" + entry.version },
      entry.may_approve ? t("open") : t("view"));
    return el("tr", { dataset: { playlist: entry.playlist, version: String(entry.version) } },
      titleCell(entry),
      el("td", {}, agencyName(entry.agency)),
      el("td", {}, String(entry.version),
         entry.on_air !== null ? el("div", { class: "muted small" },
                                    t("on_air_version", { version: entry.on_air }), " ",
                                    PanoOnAir.words(entry.playlist, entry.on_air)) : null),
      el("td", {}, entry.edited_by || "—",
         entry.may_approve ? null : el("div", {},
           el("span", { class: "badge warn", title: t("own_edit_hint") }, t("own_edit")))),
      el("td", {}, Pano.dateTime(entry.submitted_at),
         entry.submitted_by ? el("div", { class: "muted small" },
                                 t("submitted_by", { name: entry.submitted_by })) : null),
      changesCell(entry),
      el("td", { class: "actions" }, link));
  }

  async function load() {
    const error = document.getElementById("error");
    error.hidden = true;
    try {
      const [queue, agencyList] = await Promise.all([
        api("GET", "/api/v1/review-queue"),
        api("GET", "/api/v1/agencies").catch(() => ({ agencies: [] })),
      ]);
      agencies = Object.fromEntries(agencyList.agencies.map((a) => [a.id, a]));
      body.replaceChildren(...queue.queue.map(row));
      document.getElementById("queue-wrap").hidden = queue.queue.length === 0;
      document.getElementById("empty").hidden = queue.queue.length !== 0;
      Pano.navCount("panel_review.queue", queue.queue.length);  // the tab says the same
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      document.getElementById("loading").hidden = true;
    }
  }

  document.getElementById("refresh").addEventListener("click", load);
  showDone();
  load();
})();
