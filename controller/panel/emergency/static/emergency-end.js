/* Emergency pages: "End now" with a confirmation (POST /api/v1/emergencies/<id>/cancel).
   EmergencyEnd.ask(emergency, onEnded)   opens the dialog; onEnded(updated) after success. */
"use strict";
const EmergencyEnd = (() => {
  const { t } = Pano;
  const dialog = document.getElementById("end-dialog");
  let current = null, done = null;

  function ask(emergency, onEnded) {
    if (!dialog) return;
    current = emergency;
    done = onEnded;
    const total = (emergency.screens || []).length;
    document.getElementById("end-text").textContent = t("end_text", {
      title: EmergencyUI.title(emergency), screens: EmergencyUI.screens(total) });
    document.getElementById("end-error").hidden = true;
    document.getElementById("end-confirm").disabled = false;
    dialog.showModal();
  }

  if (dialog) {
    document.getElementById("end-back").addEventListener("click", () => dialog.close());
    document.getElementById("end-confirm").addEventListener("click", async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      try {
        const updated = await Pano.api("POST", "/api/v1/emergencies/" + current.id + "/cancel");
        dialog.close();
        Pano.toast(t("ended_toast"), "ok");
        if (done) done(updated);
      } catch (err) {
        const box = document.getElementById("end-error");
        box.textContent = err.message;
        box.hidden = false;
        button.disabled = false;
      }
    });
  }

  return { ask };
})();
