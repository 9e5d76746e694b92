"""Per-connection budgets of ``/player`` events (docs/protocol.md section 5, "Limits").

Each connection gets a token bucket per event kind (:data:`PLAYER_EVENT_BUDGETS`): an
event over its budget is refused before anything else is done for it (no database read,
no validation), with an answer that says the limit. Refusals are counted: past
``flood_refusals`` within ``flood_window`` the connection is flooding and is closed.
:class:`FloodPenalties` then refuses a flooding screen's next connections for a while
(after its credential is checked, so only the credential's holder is affected).

An over-budget or unknown event is logged and sent an ``error`` event only the first
time in a window, so a flood cannot turn into a flood of log lines or of answers (other
refusals are bounded by the event's budget already)."""

from __future__ import annotations

import threading
from collections import deque

from controller.edge.bucket import TokenBucket
from controller.edge.limits import (
    FLOOD_COOLDOWN,
    FLOOD_COOLDOWN_MAX,
    FLOOD_REFUSALS,
    FLOOD_WINDOW,
    EventBudget,
    event_budgets,
)

# Refusals that cost the sender nothing to repeat: told once per window and kind.
QUIET_ONCE_TOLD = frozenset({"rate_limited", "unknown_event"})


def over_budget_message(budget: EventBudget, where: str = "on one connection") -> str:
    event = budget.event
    return (f"Too many {event} events: at most {budget.burst} at once, then one every "
            f"{budget.every:g} s {where} (docs/protocol.md, section 5, \"Limits\"); this "
            "one was dropped.")


class EventBudgets:
    """The budgets of one connection. Not thread-safe by design: python-socketio may run
    two handlers of one connection at once, and a race can only let one extra event
    through or count one refusal less, never block anyone."""

    __slots__ = ("declared", "buckets", "refusals", "noted", "cut")

    def __init__(self, now: float, heartbeat_interval: float | None = None) -> None:
        self.declared = event_budgets(heartbeat_interval)
        self.buckets = {name: TokenBucket(b.rate, b.burst, now)
                        for name, b in self.declared.items()}
        self.refusals: deque[float] = deque()
        self.noted: dict[str, float] = {}  # event kind -> when its refusal was last told
        self.cut = False

    def allow(self, event: str, now: float) -> bool:
        bucket = self.buckets.get(event)
        return bucket is None or bucket.take(now)

    def refuse(self, event: str, error: str, now: float) -> tuple[bool, bool]:
        """Count a refusal: (tell: log it and send an ``error`` event — always for a
        refusal of what an event said, which its budget already bounds, and only the
        first in the window for ``rate_limited`` and ``unknown_event``; flooding: past
        the limit, close the connection now)."""
        window = FLOOD_WINDOW.value
        self.refusals.append(now)
        while self.refusals and self.refusals[0] <= now - window:
            self.refusals.popleft()
        tell = True
        if error in QUIET_ONCE_TOLD:
            last = self.noted.get(event)
            tell = last is None or now - last >= window
            if tell:
                self.noted[event] = now
        flooding = not self.cut and len(self.refusals) > FLOOD_REFUSALS.value
        if flooding:
            self.cut = True
        return tell, flooding


class ScreenBudgets:
    """The same budgets for the player's HTTP routes (docs/protocol.md section 6), per
    screen rather than per connection (each request is a connection of its own), checked
    after the credential so only its holder spends them. One entry per screen that used
    the routes, in this process."""

    def __init__(self) -> None:
        self._budgets: dict[str, EventBudgets] = {}
        self._lock = threading.Lock()

    def wait(self, screen: str, event: str, now: float,
             heartbeat_interval: float | None = None) -> float | None:
        """None if ``screen`` may send ``event`` now, else the seconds until it may."""
        with self._lock:
            budgets = self._budgets.get(screen)
            if budgets is None:
                budgets = self._budgets[screen] = EventBudgets(now, heartbeat_interval)
            if budgets.allow(event, now):
                return None
            return budgets.buckets[event].wait_time(now)


class FloodPenalties:
    """Screens whose connection was closed for flooding, and until when their next
    connection is refused (checked after the credential, so only the credential's holder
    is affected): ``flood_cooldown`` seconds, doubling with each flood in a row up to
    ``flood_cooldown_max``; ten minutes without a flood starts over. One entry per
    screen that flooded, in this process."""

    FORGET_AFTER = 600.0

    def __init__(self) -> None:
        self._until: dict[str, tuple[float, int]] = {}  # screen -> (until, floods in a row)
        self._lock = threading.Lock()

    def flooded(self, screen: str, now: float) -> float:
        """Record a flood; returns how long the screen is now refused."""
        with self._lock:
            until, count = self._until.get(screen, (0.0, 0))
            if now - until > self.FORGET_AFTER:
                count = 0
            cooldown = min(FLOOD_COOLDOWN.value * 2 ** count, FLOOD_COOLDOWN_MAX.value)
            self._until[screen] = (now + cooldown, count + 1)
            return cooldown

    def refused_for(self, screen: str, now: float) -> float | None:
        """Seconds this screen must still wait before connecting, or None."""
        with self._lock:
            until, _ = self._until.get(screen, (0.0, 0))
        return until - now if until > now else None


def cooling_down_message(screen: str, wait: float) -> str:
    return (f"Screen {screen} was disconnected for flooding the controller "
            "(docs/protocol.md, section 5, \"Limits\"); it may connect again in "
            f"{max(1, round(wait + 0.5))} s.")
