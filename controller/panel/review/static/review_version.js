/* One version under review (/panel/review/<playlist>?version=N): what it changes
   against the version on air, and Approve / Reject. Whether this person may decide
   comes from the diff answer (may_approve, why_not_code); the approve and reject
   routes decide anyway and their refusals are shown as they come. */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const root = document.getElementById("review-root");
  const playlistId = root.dataset.playlist;
  const queueUrl = root.dataset.queueUrl;
  const vi = Pano.config.lang === "vi";
  const enc = encodeURIComponent;
  let current = null;  // {playlist, version, title}

  function fail(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = false;
  }

  function fact(label, ...value) {
    return [el("dt", {}, label), el("dd", {}, ...value)];
  }

  function pickVersion(details) {
    const wanted = new URLSearchParams(location.search).get("version");
    if (wanted) return details.versions.find((v) => String(v.number) === wanted) || null;
    return details.versions.find((v) => v.state === "in_review") || null;
  }

  function renderHead(details, version, agencyName, diff) {
    const first = vi ? details.title.vi : details.title.en;
    const second = vi ? details.title.en : details.title.vi;
    document.getElementById("title").textContent = first || details.id;
    document.getElementById("title-other").textContent = second && second !== first ? second : "";
    document.title = (first || details.id) + " · Pano";
    const stateBadge = el("span", { class: "badge " + (version.state === "in_review" ? "warn" : "muted") },
                          t("state_" + version.state));
    document.getElementById("facts").replaceChildren(
      ...fact(t("agency"), agencyName),
      ...fact(t("version"), String(version.number), " ", stateBadge),
      ...fact(t("on_air"), details.on_air === null ? t("nothing_on_air") : t("version_n", { n: details.on_air }),
              details.on_air === null ? null : " ", PanoOnAir.words(details.id, details.on_air)),
      ...fact(t("edited_by"), t("by_at", { name: version.edited_by || "—", time: Pano.dateTime(version.edited_at) })),
      ...fact(t("submitted"), t("by_at", { name: version.submitted_by || "—", time: Pano.dateTime(version.submitted_at) })));
    const why = document.getElementById("why-not");
    if (diff.may_approve) {
      document.getElementById("actions").hidden = false;
      why.hidden = true;
    } else {
      document.getElementById("actions").hidden = true;
      const key = "why_" + diff.why_not_code;
      why.textContent = t(key) !== key ? t(key) : diff.why_not;
      why.dataset.code = diff.why_not_code || "";
      why.hidden = false;
    }
    document.getElementById("head").hidden = false;
  }

  function renderSummary(diff) {
    const ch = diff.changes;
    const box = document.getElementById("summary");
    const intro = diff.against === null ? el("span", { class: "badge info" }, t("new_playlist"))
      : el("span", { class: "muted" }, t("against", { n: diff.against }));
    const counts = ["changed", "added", "removed", "moved"].filter((k) => ch[k].length)
      .map((k) => el("a", { class: "badge change-" + k, href: "#section-" + k }, t("sum_" + k, { n: ch[k].length })));
    const nothing = !counts.length ? el("span", { class: "notice" }, t("no_changes")) : null;
    const unchanged = ch.unchanged ? el("span", { class: "badge muted" }, t("sum_unchanged", { n: ch.unchanged })) : null;
    box.replaceChildren(intro, ...counts, unchanged || "", nothing || "");
    box.hidden = false;
  }

  async function load() {
    try {
      const [details, agencies] = await Promise.all([
        api("GET", "/api/v1/playlists/" + enc(playlistId)),
        api("GET", "/api/v1/agencies").catch(() => ({ agencies: [] })),
      ]);
      const version = pickVersion(details);
      if (!version) { fail(t("not_found")); return; }
      const base = "/api/v1/playlists/" + enc(playlistId) + "/versions/" + version.number;
      const [diff, full] = await Promise.all([api("GET", base + "/diff"), api("GET", base)]);
      const agency = agencies.agencies.find((a) => a.id === details.agency);
      const agencyName = agency ? ((vi ? agency.name.vi : agency.name.en) || agency.id) : (details.agency || "—");
      current = { version: version.number, title: (vi ? details.title.vi : details.title.en) || details.id };
      renderHead(details, version, agencyName, diff);
      renderSummary(diff);
      const items = Object.fromEntries((full.items || []).map((i) => [i.id, i]));
      document.getElementById("changes").replaceChildren(...ReviewRender.changes(diff, items, {}).filter(Boolean));
      // Each changed item drawn for every kind of screen that will show it, beside the
      // version on air's (review_frames.js).
      const before = diff.against === null ? {} : Object.fromEntries(
        ((await api("GET", "/api/v1/playlists/" + enc(playlistId) + "/versions/" + diff.against)
          .catch(() => ({ items: [] }))).items || []).map((i) => [i.id, i]));
      ReviewFrames.attach({ playlist: playlistId, version: version.number, onAir: diff.against },
                          items, before);
    } catch (err) {
      fail(err.message);
    } finally {
      document.getElementById("loading").hidden = true;
    }
  }

  function dialogError(dialog, message) {
    const box = dialog.querySelector(".error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function done(kind) {
    const params = new URLSearchParams({ done: kind, version: String(current.version), title: current.title });
    location.assign(queueUrl + "?" + params.toString());
  }

  async function decide(dialog, button, action, body) {
    button.disabled = true;
    try {
      await api("POST", "/api/v1/playlists/" + enc(playlistId) + "/versions/" + current.version + "/" + action, body);
      done(action === "approve" ? "approved" : "rejected");
    } catch (err) {
      dialogError(dialog, err.status ? t("server_refused", { message: err.message }) : err.message);
      button.disabled = false;
    }
  }

  const approveDialog = document.getElementById("approve-dialog");
  const rejectDialog = document.getElementById("reject-dialog");
  const reason = document.getElementById("reason");
  for (const dialog of [approveDialog, rejectDialog]) {
    dialog.querySelector(".cancel").addEventListener("click", () => dialog.close());
  }
  document.getElementById("approve").addEventListener("click", () => {
    dialogError(approveDialog, "");
    document.getElementById("approve-text").textContent = t("approve_text", current);
    approveDialog.showModal();
  });
  document.getElementById("reject").addEventListener("click", () => {
    dialogError(rejectDialog, "");
    rejectDialog.showModal();
    reason.focus();
  });
  document.getElementById("approve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    decide(approveDialog, document.getElementById("approve-confirm"), "approve");
  });
  document.getElementById("reject-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      dialogError(rejectDialog, t("reason_required"));
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    reason.removeAttribute("aria-invalid");
    decide(rejectDialog, document.getElementById("reject-confirm"), "reject", { reason: reason.value });
  });
  load();
})();
