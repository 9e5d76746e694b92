// Pano kiosk page: "I am alive" (player/page_alive.py, docs/operations.md "Is the
// screen really showing it?"). Every few seconds (the player's answer says how many)
// the page tells its player which item it has on screen (the visible layer's
// data-item, set by kiosk.js), when it last drew a frame (requestAnimationFrame stops
// when the page stops drawing) and whether the document is visible. A page that stops
// reporting is one the player reports as not alive. One frame is asked for before each
// report, not every frame: a loop of frames would keep the page drawing for nothing.
"use strict";
(function () {
  var every = 5000;       // ms between reports, replaced by the player's next_ms
  var frameAt = null;     // Date.now() of the last frame drawn

  var FRAME_WAIT = 1000;  // ms: a frame not drawn by then is reported as not drawn

  // Ask for a frame, then report: with the time of that frame, or, when the page drew
  // none within FRAME_WAIT, with the last frame it drew (which the player finds old).
  function frameThenSend() {
    var sent = false;
    function once() { if (!sent) { sent = true; send(); } }
    requestAnimationFrame(function () { frameAt = Date.now(); once(); });
    setTimeout(once, FRAME_WAIT);
  }

  function itemOnScreen() {
    var layer = document.querySelector("#stage .layer.visible");
    var item = layer ? layer.getAttribute("data-item") : null;
    return item ? item.slice(0, 200) : null;
  }

  function send() {
    var body = {
      item: itemOnScreen(),
      frame_at: frameAt === null ? null : new Date(frameAt).toISOString(),
      visible: document.visibilityState === "visible"
    };
    fetch("/api/alive", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        var next = answer && answer.next_ms;
        if (typeof next === "number" && next >= 100 && next <= 60000) { every = next; }
      })
      .catch(function () { /* the player is restarting: try again later */ })
      .then(function () { setTimeout(frameThenSend, every); });
  }

  frameThenSend();
})();
