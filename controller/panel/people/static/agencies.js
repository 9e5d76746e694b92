/* People page: the Agencies section. GET /api/v1/agencies; each row's names are edited in
   place and saved with PUT /api/v1/agencies/<id> (lead left as it is); "Make lead" moves
   the lead after a confirmation; the form below adds an agency (PUT of a new id). The
   list is passed to people.js with the event "pano:agencies". */
"use strict";
(() => {
  const { el, t, api } = Pano;
  const $ = (id) => document.getElementById(id);
  const vi = Pano.config.lang === "vi";
  const ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
  let agencies = [];
  const nameOf = (a) => (vi ? a.name.vi : a.name.en) || a.id;
  const url = (id) => "/api/v1/agencies/" + encodeURIComponent(id);

  function publish() {
    window.PanoAgencies = agencies;
    document.dispatchEvent(new CustomEvent("pano:agencies", { detail: agencies }));
  }

  function fail(box, err) {
    box.textContent = err.message;
    box.hidden = false;
  }

  function row(agency) {
    const error = $("agencies-error");
    const input = (lang) => el("input", { value: agency.name[lang], lang, class: "name-" + lang,
      "aria-label": (lang === "vi" ? $("na-vi") : $("na-en")).labels[0].textContent +
                    ": " + agency.id });
    const nameVi = input("vi");
    const nameEn = input("en");
    const save = el("button", { type: "button", class: "primary save", disabled: true }, t("save"));
    const dirty = () => {
      save.disabled = nameVi.value === agency.name.vi && nameEn.value === agency.name.en;
    };
    nameVi.addEventListener("input", dirty);
    nameEn.addEventListener("input", dirty);
    save.addEventListener("click", async () => {
      error.hidden = true;
      if (!nameVi.value.trim() || !nameEn.value.trim()) {
        fail(error, new Error(t("names_missing")));
        return;
      }
      save.disabled = true;
      try {
        const answer = await api("PUT", url(agency.id),
                                 { name: { vi: nameVi.value, en: nameEn.value } });
        replace(answer);
        Pano.toast(t("renamed", { id: agency.id }), "ok");
      } catch (err) {
        fail(error, err);
        dirty();
      }
    });
    const lead = agency.lead
      ? el("span", { class: "badge info" }, t("lead"))
      : el("button", { type: "button", class: "make-lead", onclick: () => makeLead(agency) },
           t("make_lead"));
    return el("tr", { dataset: { agency: agency.id }, class: agency.lead ? "is-lead" : null },
      el("td", { class: "mono" }, agency.id),
      el("td", {}, nameVi), el("td", {}, nameEn),
      el("td", {}, lead),
      el("td", { class: "nowrap" }, save));
  }

  function makeLead(agency) {
    const old = agencies.find((a) => a.lead);
    PeopleUI.confirm({
      title: t("lead_title", { name: nameOf(agency) }),
      text: t("lead_text", { old: old ? nameOf(old) : "—" }),
      ok: t("make_lead"),
      async action() {
        await api("PUT", url(agency.id), { name: agency.name, lead: true });
        Pano.toast(t("now_lead", { name: nameOf(agency) }), "ok");
        await load();
      },
    });
  }

  function replace(agency) {
    agencies = agencies.map((a) => (a.id === agency.id ? agency : a));
    render();
  }

  function render() {
    $("agencies").tBodies[0].replaceChildren(...agencies.map(row));
    publish();
  }

  async function load() {
    try {
      agencies = (await api("GET", "/api/v1/agencies")).agencies;
      $("agencies-error").hidden = true;
      render();
    } catch (err) {
      fail($("agencies-error"), err);
    }
  }

  $("new-agency").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("new-agency-error");
    const id = $("na-id").value.trim();
    const name = { vi: $("na-vi").value.trim(), en: $("na-en").value.trim() };
    box.hidden = true;
    try {
      if (!ID_RE.test(id)) { $("na-id").focus(); throw new Error(t("agency_id_bad")); }
      if (agencies.some((a) => a.id === id)) throw new Error(t("agency_exists", { id }));
      if (!name.vi || !name.en) throw new Error(t("names_missing"));
      const answer = await api("PUT", url(id), { name });
      agencies = [...agencies, answer].sort((a, b) => a.id.localeCompare(b.id));
      render();
      event.target.reset();
      Pano.toast(t("agency_added", { id }), "ok");
    } catch (err) {
      fail(box, err);
    }
  });

  load();
})();
