"""What each alert rule checks, read from the database at one instant: which screens
the rule's condition holds for now, with the facts that say so (``detail``). Whether it
held long enough, cleared, or is quiet is ``controller.alerts.incidents``' business.

Screens that never connected (no ``screen_status`` row, or no ``last_seen``) are not
installed yet and are left out of every rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.alerts.rules import AlertsConfig
from controller.models import (
    Emergency,
    EmergencyReceipt,
    PlayFinding,
    Screen,
    ScreenStatus,
    ScreenTimeline,
)
from controller.players.presence import is_online
from controller.screen_truth.verdicts import latest_verdicts


class ScreenRef(NamedTuple):
    """The screen's columns the rules read."""

    id: str
    site_id: str


class StatusRow(NamedTuple):
    """The screen's status columns the rules read."""

    last_seen: datetime | None
    acked_version: int | None
    missing_media: list[str] | None
    facts: dict[str, Any] | None


@dataclass(frozen=True)
class ScreenView:
    """One installed screen as the rules see it: the columns they read, not ORM
    entities (loading every screen's and status's whole entity every
    ``alerts_interval`` cost about half of an evaluation of 2000 screens)."""

    screen: ScreenRef
    status: StatusRow
    online: bool
    timeline_version: int | None


class Lookups:
    """What the rules read besides each screen's own rows, for one evaluation at ``now``:
    each is read once, in one query, for every screen (a query per screen and rule
    would grow with the fleet, every ``alerts_interval``)."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self._memo: dict[tuple[str, float], Any] = {}

    def _once(self, key: tuple[str, float], read: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = read()
        return self._memo[key]

    def verdicts(self, max_age: float) -> dict[str, dict[str, Any]]:
        """Screen -> its latest capture's verdict, if judged within ``max_age`` s."""
        return self._once(("verdicts", max_age), lambda: latest_verdicts(
            self.session, self.now - timedelta(seconds=max_age)))

    def emergencies(self) -> tuple[list[Emergency], set[tuple[int, str]]]:
        """The running emergencies and their receipts, as (emergency, screen) pairs."""
        def read() -> tuple[list[Emergency], set[tuple[int, str]]]:
            running = list(self.session.scalars(select(Emergency).where(
                Emergency.starts_at <= self.now, Emergency.ends_at > self.now,
                Emergency.cancelled_at.is_(None))))
            receipts = {(row[0], row[1]) for row in self.session.execute(
                select(EmergencyReceipt.emergency_id, EmergencyReceipt.screen_id).where(
                    EmergencyReceipt.emergency_id.in_([e.id for e in running])))
            } if running else set()
            return running, receipts
        return self._once(("emergencies", 0.0), read)

    def gaps(self, within: float) -> dict[str, list[PlayFinding]]:
        """Screen -> its journal's gap and declared-loss findings of the last ``within`` s,
        oldest first."""
        def read() -> dict[str, list[PlayFinding]]:
            out: dict[str, list[PlayFinding]] = {}
            for finding in self.session.scalars(select(PlayFinding).where(
                    PlayFinding.kind.in_(("gap", "declared_loss")),
                    PlayFinding.found_at >= self.now - timedelta(seconds=within))
                    .order_by(PlayFinding.id)):
                out.setdefault(finding.screen_id, []).append(finding)
            return out
        return self._once(("gaps", within), read)


Check = Callable[[Lookups, ScreenView, dict[str, float]], "dict[str, Any] | None"]


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return value


def screens(session: Session, heartbeat_interval: float, now: datetime) -> list[ScreenView]:
    versions = dict(session.execute(select(ScreenTimeline.screen_id, ScreenTimeline.version)).all())
    screen, status = Screen.__table__, ScreenStatus.__table__
    rows = session.execute(select(screen.c.id, screen.c.site_id, status.c.last_seen,
                                  status.c.acked_version, status.c.missing_media,
                                  status.c.facts)
                           .join(status, status.c.screen_id == screen.c.id)
                           .where(status.c.last_seen.is_not(None))
                           .order_by(screen.c.id))
    return [ScreenView(ScreenRef(row[0], row[1]), StatusRow(*row[2:]),
                       is_online(row[2], heartbeat_interval, now), versions.get(row[0]))
            for row in rows]


def _offline(look: Lookups, v: ScreenView, limits: dict[str, float],
             ) -> dict[str, Any] | None:
    if v.online:
        return None
    return {"last_seen": aware(v.status.last_seen).isoformat()}  # type: ignore[union-attr]


def _not_acked(look: Lookups, v: ScreenView, limits: dict[str, float],
               ) -> dict[str, Any] | None:
    if not v.online or v.timeline_version is None:
        return None  # offline is its own alert
    if v.status.acked_version == v.timeline_version:
        return None
    return {"pushed_version": v.timeline_version, "acked_version": v.status.acked_version}


def _media_missing(look: Lookups, v: ScreenView, limits: dict[str, float],
                   ) -> dict[str, Any] | None:
    missing = v.status.missing_media or []
    if not v.online or not missing:
        return None
    return {"missing": [str(m)[:80] for m in missing[:10]], "count": len(missing)}


def _facts(v: ScreenView) -> dict[str, Any]:
    return v.status.facts if v.online and isinstance(v.status.facts, dict) else {}


def _disk(look: Lookups, v: ScreenView, limits: dict[str, float],
          ) -> dict[str, Any] | None:
    disk = _facts(v).get("disk")
    if not isinstance(disk, dict):
        return None
    total, free = disk.get("total"), disk.get("free")
    if not isinstance(total, int | float) or not isinstance(free, int | float) or total <= 0:
        return None
    percent = 100.0 * free / total
    if percent >= limits["min_free_percent"]:
        return None
    return {"free_percent": round(percent, 1), "free_bytes": free}


def _cpu_temp(look: Lookups, v: ScreenView, limits: dict[str, float],
              ) -> dict[str, Any] | None:
    temp = _facts(v).get("cpu_temp")
    if not isinstance(temp, int | float) or temp <= limits["max_celsius"]:
        return None
    return {"cpu_temp": temp}


def _clock(look: Lookups, v: ScreenView, limits: dict[str, float],
           ) -> dict[str, Any] | None:
    offset = _facts(v).get("clock_offset")
    if not isinstance(offset, int | float) or abs(offset) <= limits["max_seconds"]:
        return None
    return {"clock_offset": offset}


def _kiosk(look: Lookups, v: ScreenView, limits: dict[str, float],
           ) -> dict[str, Any] | None:
    """``facts["display"]`` (the screen-truth work, issue 13 point 2); absent: nothing."""
    display = _facts(v).get("display")
    if not isinstance(display, dict) or display.get("alive") is not False:
        return None
    return {"item": display.get("item"), "frame_at": display.get("frame_at")}


def _verdict_is(*verdicts: str) -> Check:
    """A rule on the screen-truth verdicts (issue 13 point 2): holds while the screen's
    latest periodic capture, judged within ``max_age``, is one of ``verdicts``."""
    def check(look: Lookups, v: ScreenView, limits: dict[str, float],
              ) -> dict[str, Any] | None:
        verdict = look.verdicts(limits["max_age"]).get(v.screen.id) if v.online else None
        if not verdict or verdict["verdict"] not in verdicts:
            return None
        return {"verdict": verdict["verdict"], "reason": verdict["reason"][:300],
                "at": verdict["at"].isoformat()}
    return check


def _targets(emergency: Emergency, screen: ScreenRef) -> bool:
    targets = emergency.targets or {}
    return screen.id in (targets.get("screens") or []) or \
        screen.site_id in (targets.get("sites") or [])


def _emergency(look: Lookups, v: ScreenView, limits: dict[str, float],
               ) -> dict[str, Any] | None:
    """A running emergency aimed at a reachable screen without its receipt. The rule's
    ``for`` (a minute by default) is counted from when the condition is first seen."""
    if not v.online:
        return None
    running, receipts = look.emergencies()
    for emergency in running:
        if _targets(emergency, v.screen) and (emergency.id, v.screen.id) not in receipts:
            return {"emergency": emergency.id}
    return None


def _journal_gap(look: Lookups, v: ScreenView, limits: dict[str, float],
                 ) -> dict[str, Any] | None:
    gaps = look.gaps(limits["within"]).get(v.screen.id)
    if not gaps:
        return None
    last = gaps[-1]
    return {"findings": len(gaps), "seq_from": last.seq_from, "seq_to": last.seq_to,
            "detail": last.detail[:300]}


CHECKS: dict[str, Check] = {
    "screen_offline": _offline,
    "timeline_not_acked": _not_acked,
    "media_missing": _media_missing,
    "disk_full": _disk,
    "cpu_temp_high": _cpu_temp,
    "clock_offset": _clock,
    "kiosk_not_alive": _kiosk,
    "screen_black_frozen": _verdict_is("black", "frozen"),
    "screen_wrong_content": _verdict_is("wrong"),
    "emergency_not_shown": _emergency,
    "journal_gap": _journal_gap,
}


def findings(session: Session, config: AlertsConfig, views: list[ScreenView],
             now: datetime) -> dict[tuple[str, str], dict[str, Any]]:
    """``{(rule, screen_id): detail}`` for every enabled rule whose condition holds."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    look = Lookups(session, now)
    for name, rule in config.rules.items():
        if not rule.enabled:
            continue
        check = CHECKS[name]
        for view in views:
            detail = check(look, view, rule.limits)
            if detail is not None:
                out[(name, view.screen.id)] = detail
    return out
