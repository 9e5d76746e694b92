/* Screens page: a command's result in the panel's language.

   The player answers a command with an English sentence for its log ("showing the
   screen's name and id for 10 s"), and the controller adds its own when no answer
   comes. The page does not show those sentences as they are: it says the result in
   its own words, from the command's name, its status and the facts the answer carries
   (GET …/commands/<id>: result.seconds, width, height, removed, downloaded…).
   FleetResults.say(name, command) -> {text, detail}: `text` is the panel's sentence;
   `detail` is the player's own words, shown (marked as English) only when the page has
   no sentence for what happened. */
"use strict";
const FleetResults = (() => {
  const { t } = Pano;
  const n = (value) => Pano.number(Number(value), 0);

  // [pattern of the player's or controller's sentence, key, values from the match]
  const KNOWN = [
    [/^showing the screen's name and id for ([\d.]+) s$/, "res_identify", (m) => ({ seconds: n(m[1]) })],
    [/display: nothing to show; the screen's name and id were written to the log$/, "res_identify_log"],
    [/^page reload requested; timeline requested again$/, "res_reload"],
    [/^no page to reload \(headless\); timeline requested again$/, "res_reload_headless"],
    [/^(Screenshot received|screenshot uploaded) \((\d+)×(\d+)/, "res_screenshot", (m) => ({ width: m[2], height: m[3] })],
    [/^restarting: /, "res_restart"],
    [/^No answer arrived, but the player connected again/, "res_back_after_restart"],
    [/^reboot command (started|run)/, "res_reboot"],
    [/^reboot is disabled on this player/, "res_reboot_disabled"],
    [/^removed (\d+) cached files, downloaded (\d+) of the (\d+) the timeline needs$/, "res_clear_cache",
     (m) => ({ removed: n(m[1]), downloaded: n(m[2]), needed: n(m[3]) })],
    [/^removed (\d+) cached files, downloaded (\d+) of the (\d+) the timeline needs; (\d+) failed/, "res_clear_cache_failed",
     (m) => ({ removed: n(m[1]), downloaded: n(m[2]), needed: n(m[3]), failed: n(m[4]) })],
    [/^offline: not clearing the cache$/, "res_clear_cache_offline"],
    [/^offline: the controller stopped answering; refreshed (\d+) of (\d+) files/, "res_clear_cache_cut",
     (m) => ({ downloaded: n(m[1]), needed: n(m[2]) })],
    [/^No answer from the player within (\d+) s/, "res_no_answer", (m) => ({ seconds: n(m[1]) })],
    [/^Could not be sent/, "res_not_sent"],
    [/^no screenshot method configured/, "cmd_screenshot_no_method"],
    [/^unsupported$/, "res_unsupported"],
    [/^bad command/, "res_bad_command"],
  ];

  function say(name, command) {
    const message = (command && command.message) || "";
    for (const [pattern, key, values] of KNOWN) {
      const m = pattern.exec(message);
      if (m) return { text: t(key, values ? values(m) : {}), detail: null };
    }
    if (!message) return { text: "", detail: null };
    const done = command && command.status === "done";
    return { text: t(done ? "res_done_other" : "res_failed_other"), detail: message };
  }

  return { say };
})();
