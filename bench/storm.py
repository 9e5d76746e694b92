"""The reconnect storm (issue 14, point 5): every client connected and holding its
timeline, the server is stopped (SIGTERM) and started again on the same port and
database; the clients reconnect with the players' jittered backoff (player.backoff).
Timed: from the stop to the last client back with (at least) the version it held, and
from the server listening again to that moment. Errors: failed connection attempts made
after the server listened again, plus clients that never came back."""

from __future__ import annotations

import statistics
import time
from typing import Any, Protocol

from bench import procs

STORM_TIMEOUT = 180.0
MESSAGES_KEPT = 5


class Restartable(Protocol):
    name: str

    def launch(self) -> Any: ...


def run_storm(system: Restartable, server: Any, swarms: list[procs.Channel],
              size: int) -> tuple[Any, dict[str, Any]]:
    """Restart ``server`` under its connected ``swarms``; returns the new server process
    (the caller stops it) and what was measured."""
    for s in swarms:
        s.send({"cmd": "storm", "timeout": STORM_TIMEOUT})
    for s in swarms:
        s.expect("storm_armed", 30)
    t_stop = time.monotonic()
    procs.stop(server, grace=10)
    t_down = time.monotonic()
    server = system.launch()
    t_up = time.monotonic()
    results = [s.expect("storm", STORM_TIMEOUT + 60) for s in swarms]
    back = sorted(t for r in results for t in r["back"])
    failures = [f for r in results for f in r["failures"]]
    after_up = [message for started, message in failures if started >= t_up]
    lost = size - len(back)
    info: dict[str, Any] = {
        "players": size,
        "back": len(back),
        "lost": lost,
        "stop_s": t_down - t_stop,
        "restart_s": t_up - t_down,
        "attempts": sum(r["attempts"] for r in results),
        "failed_while_down": len(failures) - len(after_up),
        "errors": len(after_up) + lost,
        "error_samples": sorted(set(after_up))[:MESSAGES_KEPT],
    }
    if back:
        info.update(last_back_s=back[-1] - t_stop, last_back_after_up_s=back[-1] - t_up,
                    median_back_s=statistics.median(back) - t_stop)
    return server, info


def describe(system: str, info: dict[str, Any]) -> str:
    """One line for the bench's notes."""
    if not info.get("back"):
        return f"{system}@{info.get('players')}: reconnect storm: nobody came back"
    return (f"{system}@{info['players']}: reconnect storm: {info['back']} of "
            f"{info['players']} back with their timeline {info['last_back_s']:.1f} s after "
            f"the stop ({info['last_back_after_up_s']:.1f} s after the restarted server "
            f"listened; restart took {info['restart_s']:.1f} s; median client back at "
            f"{info['median_back_s']:.1f} s); {info['attempts']} connection attempts, "
            f"{info['failed_while_down']} refused while down, errors {info['errors']}"
            + (f" (e.g. {info['error_samples'][0]})" if info["error_samples"] else ""))
