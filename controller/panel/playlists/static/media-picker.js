/* Playlist editor, part 3: the media picker. Lists uploaded files (GET /api/v1/media,
   thumbnails from …/thumbnail), filters by kind and name, and uploads a new file with a
   progress bar (Pano.upload → POST /api/v1/media), then picks it.
   E.pickMedia({kind, onPick(media, allLanguages)}) opens it; E.mediaInfo(sha) caches
   what the API says about one file. */
"use strict";
(() => {
  const E = window.PlEd;
  const { el, t } = Pano;
  const dialog = document.getElementById("media-dialog");
  const grid = document.getElementById("media-grid");
  const kindSelect = document.getElementById("media-kind");
  const search = document.getElementById("media-search");
  const fileInput = document.getElementById("media-file");
  const progress = document.getElementById("media-upload");
  const bar = document.getElementById("media-upload-bar");
  const pct = document.getElementById("media-upload-pct");
  const uploadName = document.getElementById("media-upload-name");
  const errorBox = document.getElementById("media-error");
  const status = document.getElementById("media-status");
  const more = document.getElementById("media-more");
  const allLangs = document.getElementById("media-all-langs");
  const info = new Map();   // sha256 -> media JSON (or a promise of it)
  let files = [];
  let nextBefore = null;
  let request = null;       // {kind, onPick}
  let uploading = false;

  E.thumbUrl = (sha) => "/api/v1/media/" + sha + "/thumbnail";

  E.mediaInfo = (sha) => {
    if (!info.has(sha)) {
      info.set(sha, Pano.api("GET", "/api/v1/media/" + sha).catch(() => null));
    }
    return Promise.resolve(info.get(sha));
  };

  E.mediaSize = (m) => {
    if (!m) return "";
    const mb = m.size / (1024 * 1024);
    const size = mb >= 1 ? Pano.number(mb, 1) + " MB" : Pano.number(m.size / 1024, 0) + " kB";
    const dims = m.width && m.height ? `${m.width}×${m.height}` : "";
    const dur = m.duration ? Pano.number(m.duration, 0) + " s" : "";
    return [dims, dur, size].filter(Boolean).join(" · ");
  };

  E.mediaPreview = (m, sha) => {
    if (m && m.kind === "video") return el("span", { class: "pl-thumb pl-thumb-video", "aria-hidden": "true" }, "▶");
    return el("img", { class: "pl-thumb", src: E.thumbUrl(sha), alt: "", loading: "lazy",
      onerror: (ev) => ev.target.replaceWith(el("span", { class: "pl-thumb pl-thumb-video" }, "?")) });
  };

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function choose(media) {
    if (!request) return;
    if (request.kind && media.kind !== request.kind) {
      showError(t(media.kind === "video" ? "wrong_kind_video" : "wrong_kind_image"));
      return;
    }
    info.set(media.sha256, media);
    const done = request.onPick;
    request = null;
    dialog.close();
    done(media, allLangs.checked);
  }

  function tile(media) {
    return el("button", { type: "button", class: "pl-media-tile", dataset: { sha: media.sha256, kind: media.kind },
      title: media.original_name || media.sha256, onclick: () => choose(media) },
    E.mediaPreview(media, media.sha256),
    el("span", { class: "pl-media-name" }, media.original_name || media.sha256.slice(0, 12)),
    el("span", { class: "small muted" }, E.mediaSize(media)));
  }

  function render() {
    const q = search.value.trim().toLowerCase();
    const shown = files.filter((m) => !q || (m.original_name || "").toLowerCase().includes(q));
    grid.replaceChildren(...shown.map(tile));
    status.textContent = shown.length ? "" : t("no_media");
    more.hidden = !nextBefore;
  }

  async function load(append) {
    const params = new URLSearchParams({ limit: "60" });
    if (kindSelect.value) params.set("kind", kindSelect.value);
    if (append && nextBefore) params.set("before", nextBefore);
    status.textContent = t("loading");
    try {
      const page = await Pano.api("GET", "/api/v1/media?" + params);
      files = append ? files.concat(page.media) : page.media;
      nextBefore = page.next_before;
      for (const m of page.media) info.set(m.sha256, m);
      render();
    } catch (err) {
      status.textContent = "";
      showError(err.message);
    }
  }

  function setProgress(fraction) {
    const value = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    bar.style.width = value + "%";
    progress.setAttribute("aria-valuenow", String(value));
    pct.textContent = Pano.number(value, 0) + " %" + (value < 100 ? "" : " · " + t("checking_file"));
  }

  // Past a few seconds the server answers with a job (its checks run in the job worker):
  // the bar starts again and follows the job's steps.
  function showJob(job) {
    const total = job.progress.total;
    const value = total > 0 ? Math.round((100 * job.progress.done) / total) : 0;
    bar.style.width = value + "%";
    progress.setAttribute("aria-valuenow", String(value));
    pct.textContent = job.status === "queued" ? t("job_queued")
      : t("job_running", { done: Pano.number(job.progress.done, 0), total: Pano.number(total, 0) });
  }

  async function upload(file) {
    showError("");
    const limit = E.cfg.max_upload_mb * 1024 * 1024;
    if (file.size > limit) {
      showError(t("too_large", { name: file.name, mb: Pano.number(E.cfg.max_upload_mb, 0) }));
      return;
    }
    uploading = true;
    uploadName.textContent = file.name;
    setProgress(0);
    progress.hidden = false;
    try {
      const media = await Pano.upload("/api/v1/media", file, setProgress, "file", showJob);
      setProgress(1);
      Pano.toast(media.existing ? t("already_uploaded", { name: file.name }) : t("uploaded", { name: file.name }), "ok");
      files = [media].concat(files.filter((m) => m.sha256 !== media.sha256));
      render();
      choose(media);
    } catch (err) {
      showError(t("upload_failed", { name: file.name, message: err.message }));
    } finally {
      uploading = false;
      progress.hidden = true;
      if (fileInput) fileInput.value = "";
    }
  }

  E.pickMedia = (req) => {
    request = req;
    showError("");
    kindSelect.value = req.kind || "";
    search.value = "";
    dialog.showModal();
    load(false);
  };

  kindSelect.addEventListener("change", () => load(false));
  search.addEventListener("input", render);
  more.addEventListener("click", () => load(true));
  if (fileInput) {
    fileInput.addEventListener("change", () => {
      if (fileInput.files && fileInput.files[0] && !uploading) upload(fileInput.files[0]);
    });
  }
  dialog.addEventListener("cancel", (ev) => { if (uploading) ev.preventDefault(); });
  dialog.addEventListener("close", () => { request = null; });
})();
