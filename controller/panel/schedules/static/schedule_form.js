/* Schedules page: the dialog that creates, edits and deletes a schedule through
   POST/PUT/DELETE /api/v1/schedules. The body is one entry of config/schedules.yaml; the
   server checks it (and who may write it) and its refusal is shown in the dialog, with
   everything typed kept. Only playlists with an approved version on air are offered. */
"use strict";
const ScheduleForm = (() => {
  const { el, t, api } = Pano;
  const $ = (id) => document.getElementById(id);
  let options = null;
  let editing = null;  // the schedule being edited (its entry), or null for a new one
  let confirmDelete = false;

  function showError(message) {
    const box = $("schedule-error");
    box.textContent = message;
    box.hidden = !message;
  }

  function windowRow(value) {
    const [a, b] = (value || "-").split("-");
    const row = el("div", { class: "window-row" },
      el("label", {}, t("window_start"), el("input", { type: "time", class: "w-start", value: a || "", required: true })),
      el("label", {}, t("window_end"), el("input", { type: "time", class: "w-end", value: b || "", required: true })));
    row.append(el("button", { type: "button", class: "w-remove", onclick: () => row.remove() }, t("remove")));
    return row;
  }

  function drawTargets(targets) {
    const box = $("f-targets");
    box.replaceChildren(...options.sites.map((s) => el("div", { class: "target-site" },
      el("label", { class: "check strong" },
        el("input", { type: "checkbox", name: "site", value: s.id, checked: (targets.sites || []).includes(s.id) }),
        t("whole_site", { site: SchedText.names(s.name, s.id) })),
      el("div", { class: "target-screens" }, s.screens.map((sc) => el("label", { class: "check" },
        el("input", { type: "checkbox", name: "screen", value: sc.id, checked: (targets.screens || []).includes(sc.id) }),
        SchedText.names(sc.name, sc.id)))))));
    $("f-tags").value = (targets.tags || []).join(", ");
  }

  function drawWeekdays(days) {
    $("f-weekdays").replaceChildren(...SchedText.WEEKDAYS.map((d, i) => el("label", { class: "check day" },
      el("input", { type: "checkbox", name: "weekday", value: d, checked: days.includes(d) }),
      el("span", { title: SchedText.weekdayName(i, "long") }, SchedText.weekdayName(i)))));
  }

  function drawPlaylists(current) {
    const onAir = options.playlists.filter((p) => p.on_air !== null || p.id === current);
    $("f-playlist").replaceChildren(el("option", { value: "" }, "—"), ...onAir.map((p) =>
      el("option", { value: p.id, selected: p.id === current }, SchedText.names(p.title, p.id))));
  }

  function fill(entry) {
    editing = entry.existing ? entry : null;
    confirmDelete = false;
    $("schedule-dialog-title").textContent = editing ? t("edit_schedule") : t("new_schedule");
    drawPlaylists(entry.playlist || "");
    const id = $("f-id");
    id.value = entry.id || "";
    id.readOnly = Boolean(editing);
    id.dataset.auto = editing ? "" : "1";
    id.dataset.base = "";
    $("f-advanced").open = false;
    drawTargets(entry.targets || {});
    drawWeekdays(entry.weekdays || SchedText.WEEKDAYS);
    $("f-windows").replaceChildren(...(entry.windows || []).map(windowRow));
    $("f-from").value = (entry.days || {}).from || "";
    $("f-until").value = (entry.days || {}).until || "";
    $("f-priority").value = entry.priority === undefined ? "0" : String(entry.priority);
    const del = $("f-delete");
    del.hidden = !editing;
    del.textContent = del.dataset.label || del.textContent;
    showError("");
  }

  // Made from the playlist and the site (nobody has to invent it); the Advanced fold
  // shows it. A taken id made this way gets -2, -3… when saving (see save).
  function suggestId() {
    const id = $("f-id");
    if (!id.dataset.auto) return;
    const where = options.context().site || "";
    id.value = [$("f-playlist").value, where].filter(Boolean).join("-").slice(0, 60);
    id.dataset.base = id.value;
  }

  function checked(name) {
    return [...document.querySelectorAll(`#schedule-form input[name=${name}]:checked`)].map((i) => i.value);
  }

  function body() {
    const targets = {};
    const sites = checked("site"), screens = checked("screen");
    const tags = $("f-tags").value.split(",").map((s) => s.trim()).filter(Boolean);
    if (sites.length) targets.sites = sites;
    if (screens.length) targets.screens = screens;
    if (tags.length) targets.tags = tags;
    const out = { id: $("f-id").value.trim(), playlist: $("f-playlist").value, targets,
                  weekdays: checked("weekday") };
    if (editing && editing.version) out.version = editing.version;
    const windows = [...document.querySelectorAll("#f-windows .window-row")].map((row) =>
      row.querySelector(".w-start").value + "-" + row.querySelector(".w-end").value);
    if (windows.length) out.windows = windows;
    const days = {};
    if ($("f-from").value) days.from = $("f-from").value;
    if ($("f-until").value) days.until = $("f-until").value;
    if (days.from || days.until) out.days = days;
    const priority = $("f-priority").value.trim();
    out.priority = /^-?\d+$/.test(priority) ? Number(priority) : (priority === "" ? 0 : priority);
    return out;
  }

  async function save(event) {
    event.preventDefault();
    const button = $("f-save");
    button.disabled = true;
    showError("");
    try {
      const data = body();
      if (editing) await api("PUT", "/api/v1/schedules/" + encodeURIComponent(editing.id), data);
      else await create(data);
      $("schedule-dialog").close();
      Pano.toast(t("saved"), "ok");
      options.onSaved();
    } catch (err) {
      showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  // POST; an id the page made that is already taken (409) is tried again with -2 … -9.
  async function create(data) {
    const id = $("f-id");
    for (let n = 2; ; n++) {
      try {
        return await api("POST", "/api/v1/schedules", data);
      } catch (err) {
        if (err.status !== 409 || !id.dataset.auto || !id.dataset.base || n > 9) throw err;
        id.value = data.id = id.dataset.base + "-" + n;
      }
    }
  }

  async function remove() {
    if (!confirmDelete) {
      confirmDelete = true;
      $("f-delete").textContent = t("confirm_delete");
      return;
    }
    try {
      await api("DELETE", "/api/v1/schedules/" + encodeURIComponent(editing.id));
      $("schedule-dialog").close();
      Pano.toast(t("deleted"), "ok");
      options.onSaved();
    } catch (err) {
      showError(err.message);
    }
  }

  function init(opts) {
    options = opts;
    $("f-delete").dataset.label = $("f-delete").textContent;
    $("schedule-form").addEventListener("submit", save);
    $("f-cancel").addEventListener("click", () => $("schedule-dialog").close());
    $("f-delete").addEventListener("click", remove);
    $("f-add-window").addEventListener("click", () => {
      const row = windowRow("");
      $("f-windows").append(row);
      row.querySelector("input").focus();
    });
    $("f-playlist").addEventListener("change", suggestId);
    $("f-id").addEventListener("input", () => { $("f-id").dataset.auto = ""; });
  }

  function openNew() {
    const where = options.context();
    fill({ targets: where.site ? { sites: [where.site] } : {} });
    $("schedule-dialog").showModal();
  }

  async function openEdit(slug) {
    try {
      const entry = await api("GET", "/api/v1/schedules/" + encodeURIComponent(slug));
      fill({ ...entry, existing: true });
      $("schedule-dialog").showModal();
    } catch (err) {
      Pano.toast(err.message, "bad");
    }
  }

  return { init, openNew, openEdit };
})();
