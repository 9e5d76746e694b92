/* People page (/panel/people): the dialogs. Every change goes to the users API, which
   holds the rules; a refusal is shown in the dialog, which stays open with what was typed.
   PeopleUI.confirm({title, text, ok, danger, action, explain})  asks, runs action()
   PeopleUI.person(user|null, ctx, onSaved)  add (user null) or edit a person
   PeopleUI.newPassword(user)                a new password, generated or chosen
   PeopleUI.secret(name, password)           shows a generated password once, with Copy */
"use strict";
const PeopleUI = (() => {
  const { el, t, api } = Pano;
  const $ = (id) => document.getElementById(id);
  const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;
  const THEME_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
  const MIN_PASSWORD = 12;

  function showError(box, err, explain) {
    box.replaceChildren();
    const lead = explain ? explain(err) : null;
    if (lead) box.append(el("div", { class: "strong" }, lead));
    box.append(el("div", { class: lead ? "small" : null }, err.message || String(err)));
    box.hidden = false;
  }

  function closeOnCancel(dialog) {
    for (const button of dialog.querySelectorAll("button.cancel")) {
      button.addEventListener("click", () => dialog.close());
    }
  }

  /* The generate/choose fieldset (template macro password_choice). */
  function passwordChoice(fieldset) {
    const chosen = fieldset.querySelector(".pw-chosen");
    const input = chosen.querySelector("input");
    const mode = () => fieldset.querySelector("input[type=radio]:checked").value;
    fieldset.addEventListener("change", () => {
      chosen.hidden = mode() !== "choose";
      if (!chosen.hidden) input.focus();
    });
    return {
      reset() {
        fieldset.querySelector("input[value=generate]").checked = true;
        input.value = "";
        chosen.hidden = true;
      },
      body() {  // {} to generate, {password} when chosen; throws a sentence if too short
        if (mode() !== "choose") return {};
        if (input.value.length < MIN_PASSWORD) {
          input.focus();
          throw new Error(t("password_short", { n: MIN_PASSWORD }));
        }
        return { password: input.value };
      },
    };
  }

  /* ------------------------------------------------------------------ secret */
  const secretDialog = $("secret-dialog");
  const secretValue = $("secret-value");
  $("secret-done").addEventListener("click", () => secretDialog.close());
  secretDialog.addEventListener("close", () => { secretValue.value = ""; });
  $("secret-copy").addEventListener("click", async () => {
    const note = $("secret-copied");
    secretValue.select();
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(secretValue.value);
        copied = true;
      }
    } catch (err) { copied = false; }
    if (!copied) {
      try { copied = document.execCommand("copy"); } catch (err) { copied = false; }
    }
    note.textContent = copied ? t("copied") : t("copy_failed");
  });

  function secret(name, password) {
    $("secret-title").textContent = t("secret_title", { name });
    secretValue.value = password;
    $("secret-copied").textContent = "";
    secretDialog.showModal();
    secretValue.select();
  }

  /* ----------------------------------------------------------------- confirm */
  const confirmDialog = $("confirm-dialog");
  closeOnCancel(confirmDialog);
  let pending = null;
  $("confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!pending) return;
    const ok = $("confirm-ok");
    ok.disabled = true;
    try {
      await pending.action();
      confirmDialog.close();
    } catch (err) {
      showError($("confirm-error"), err, pending.explain);
    } finally {
      ok.disabled = false;
    }
  });

  function confirm(options) {
    pending = options;
    $("confirm-title").textContent = options.title;
    $("confirm-text").replaceChildren(...[].concat(options.text));
    const ok = $("confirm-ok");
    ok.textContent = options.ok;
    ok.className = options.danger ? "danger" : "primary";
    $("confirm-error").hidden = true;
    confirmDialog.showModal();
  }

  /* ------------------------------------------------------------ new password */
  const passwordDialog = $("password-dialog");
  closeOnCancel(passwordDialog);
  const newChoice = passwordChoice(passwordDialog.querySelector(".pw-choice"));
  let passwordUser = null;
  $("password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("password-error");
    const name = passwordUser.username;
    try {
      const answer = await api("POST", "/api/v1/users/" + encodeURIComponent(name) +
                               "/password", newChoice.body());
      passwordDialog.close();
      if (answer.password) secret(name, answer.password);
      else Pano.toast(t("password_set", { name }), "ok");
    } catch (err) {
      showError(box, err);
    }
  });

  function newPassword(user) {
    passwordUser = user;
    $("password-title").textContent = t("password_title", { name: user.username });
    $("password-error").hidden = true;
    newChoice.reset();
    passwordDialog.showModal();
  }

  /* ------------------------------------------------------------ add and edit */
  const personDialog = $("person-dialog");
  closeOnCancel(personDialog);
  const personChoice = passwordChoice(personDialog.querySelector(".pw-choice"));
  const username = $("p-username");
  const role = $("p-role");
  let editing = null;
  let afterSave = null;

  function roleHint() { $("p-role-hint").textContent = t("hint_" + role.value); }
  role.addEventListener("change", roleHint);

  function check(value, label, checked) {
    return el("label", { class: "check" },
      el("input", { type: "checkbox", value, checked: checked || null }), " ", label);
  }

  function addTheme() {
    const input = $("p-new-theme");
    const value = input.value.trim().toLowerCase();
    if (!value) return;
    if (!THEME_RE.test(value)) {
      showError($("person-error"), new Error(t("theme_bad")));
      input.focus();
      return;
    }
    const box = $("p-themes");
    const existing = box.querySelector(`input[value="${CSS.escape(value)}"]`);
    if (existing) existing.checked = true;
    else box.append(check(value, value, true));
    box.querySelector(".hint")?.remove();
    input.value = "";
    $("person-error").hidden = true;
  }
  $("p-add-theme").addEventListener("click", addTheme);
  $("p-new-theme").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); addTheme(); }
  });

  function ticked(id) {
    return [...$(id).querySelectorAll("input:checked")].map((box) => box.value);
  }

  function person(user, ctx, onSaved) {
    editing = user;
    afterSave = onSaved;
    const name = (item) => (Pano.config.lang === "vi" ? item.name.vi : item.name.en) || item.id;
    $("person-title").textContent = user ? t("edit_title", { name: user.username }) : t("add_title");
    $("person-save").textContent = user ? t("edit_save") : t("add_save");
    $("person-error").hidden = true;
    username.value = user ? user.username : "";
    username.disabled = Boolean(user);
    $("p-username-hint").hidden = Boolean(user);
    role.value = user ? user.role : "editor";
    roleHint();
    const agency = $("p-agency");
    agency.replaceChildren(agency.options[0],
      ...ctx.agencies.map((a) => el("option", { value: a.id }, name(a))));
    agency.value = user ? (user.agency || "") : "";
    const sites = user ? user.scope_sites : [];
    $("p-sites").replaceChildren(...(ctx.sites.length
      ? ctx.sites.map((s) => check(s.id, name(s), sites.includes(s.id)))
      : [el("p", { class: "hint" }, t("no_sites"))]));
    const themes = user ? user.scope_themes : [];
    const allThemes = [...new Set([...ctx.themes, ...themes])].sort();
    $("p-themes").replaceChildren(...(allThemes.length
      ? allThemes.map((th) => check(th, th, themes.includes(th)))
      : [el("p", { class: "hint" }, t("no_themes"))]));
    $("p-new-theme").value = "";
    $("p-password-box").hidden = Boolean(user);
    personChoice.reset();
    personDialog.showModal();
    (user ? role : username).focus();
  }

  $("person-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("person-error");
    const save = $("person-save");
    const body = { role: role.value, agency: $("p-agency").value || null,
                   scope_sites: ticked("p-sites"), scope_themes: ticked("p-themes") };
    save.disabled = true;
    try {
      let answer;
      if (editing) {
        answer = await api("PATCH", "/api/v1/users/" + encodeURIComponent(editing.username), body);
      } else {
        const name = username.value.trim();
        if (!name) { username.focus(); throw new Error(t("username_missing")); }
        if (!USERNAME_RE.test(name)) { username.focus(); throw new Error(t("username_bad")); }
        answer = await api("POST", "/api/v1/users",
                           { username: name, ...body, ...personChoice.body() });
      }
      personDialog.close();
      if (answer.password) secret(answer.username, answer.password);
      Pano.toast(t(editing ? "changed" : "added", { name: answer.username }), "ok");
      if (afterSave) afterSave(answer);
    } catch (err) {
      showError(box, err, editing ? lastAdmin : null);
    } finally {
      save.disabled = false;
    }
  });

  /* The one 409 of PATCH /users: the last active admin. */
  function lastAdmin(err) { return err.status === 409 ? t("last_admin") : null; }

  return { confirm, person, newPassword, secret, lastAdmin };
})();
