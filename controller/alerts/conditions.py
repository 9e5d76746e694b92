"""What each alert rule checks, read from the database at one instant: which screens
the rule's condition holds for now, with the facts that say so (``detail``). Whether it
held long enough, cleared, or is quiet is ``controller.alerts.incidents``' business.

Screens that never connected (no ``screen_status`` row, or no ``last_seen``) are not
installed yet and are left out of every rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
from controller.screen_truth.verdicts import latest_verdict


@dataclass(frozen=True)
class ScreenView:
    """One installed screen as the rules see it."""

    screen: Screen
    status: ScreenStatus
    online: bool
    timeline_version: int | None


Check = Callable[[Session, ScreenView, dict[str, float], datetime], "dict[str, Any] | None"]


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return value


def screens(session: Session, heartbeat_interval: float, now: datetime) -> list[ScreenView]:
    versions = dict(session.execute(select(ScreenTimeline.screen_id, ScreenTimeline.version)).all())
    rows = session.execute(select(Screen, ScreenStatus)
                           .join(ScreenStatus, ScreenStatus.screen_id == Screen.id)
                           .where(ScreenStatus.last_seen.is_not(None))
                           .order_by(Screen.id)).all()
    return [ScreenView(screen, status, is_online(status.last_seen, heartbeat_interval, now),
                       versions.get(screen.id)) for screen, status in rows]


def _offline(session: Session, v: ScreenView, limits: dict[str, float],
             now: datetime) -> dict[str, Any] | None:
    if v.online:
        return None
    return {"last_seen": aware(v.status.last_seen).isoformat()}  # type: ignore[union-attr]


def _not_acked(session: Session, v: ScreenView, limits: dict[str, float],
               now: datetime) -> dict[str, Any] | None:
    if not v.online or v.timeline_version is None:
        return None  # offline is its own alert
    if v.status.acked_version == v.timeline_version:
        return None
    return {"pushed_version": v.timeline_version, "acked_version": v.status.acked_version}


def _media_missing(session: Session, v: ScreenView, limits: dict[str, float],
                   now: datetime) -> dict[str, Any] | None:
    missing = v.status.missing_media or []
    if not v.online or not missing:
        return None
    return {"missing": [str(m)[:80] for m in missing[:10]], "count": len(missing)}


def _facts(v: ScreenView) -> dict[str, Any]:
    return v.status.facts if v.online and isinstance(v.status.facts, dict) else {}


def _disk(session: Session, v: ScreenView, limits: dict[str, float],
          now: datetime) -> dict[str, Any] | None:
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


def _cpu_temp(session: Session, v: ScreenView, limits: dict[str, float],
              now: datetime) -> dict[str, Any] | None:
    temp = _facts(v).get("cpu_temp")
    if not isinstance(temp, int | float) or temp <= limits["max_celsius"]:
        return None
    return {"cpu_temp": temp}


def _clock(session: Session, v: ScreenView, limits: dict[str, float],
           now: datetime) -> dict[str, Any] | None:
    offset = _facts(v).get("clock_offset")
    if not isinstance(offset, int | float) or abs(offset) <= limits["max_seconds"]:
        return None
    return {"clock_offset": offset}


def _kiosk(session: Session, v: ScreenView, limits: dict[str, float],
           now: datetime) -> dict[str, Any] | None:
    """``facts["display"]`` (the screen-truth work, issue 13 point 2); absent: nothing."""
    display = _facts(v).get("display")
    if not isinstance(display, dict) or display.get("alive") is not False:
        return None
    return {"item": display.get("item"), "frame_at": display.get("frame_at")}


def _verdict_is(*verdicts: str) -> Check:
    """A rule on ``controller.screen_truth.verdicts.latest_verdict`` (issue 13 point 2):
    holds while the screen's latest periodic capture, judged lately, is one of
    ``verdicts``."""
    def check(session: Session, v: ScreenView, limits: dict[str, float],
              now: datetime) -> dict[str, Any] | None:
        return _latest_verdict(session, v, limits, now, verdicts)
    return check


def _latest_verdict(session: Session, v: ScreenView, limits: dict[str, float],
                    now: datetime, verdicts: tuple[str, ...]) -> dict[str, Any] | None:
    if not v.online:
        return None
    verdict = latest_verdict(session, v.screen.id)
    if not verdict or verdict.get("verdict") not in verdicts:
        return None
    at = verdict.get("at")
    if isinstance(at, datetime) and (now - aware(at)).total_seconds() > limits["max_age"]:
        return None  # no capture judged lately: nothing known now
    return {"verdict": verdict["verdict"], "reason": str(verdict.get("reason", ""))[:300],
            "at": at.isoformat() if isinstance(at, datetime) else at}


def _targets(emergency: Emergency, screen: Screen) -> bool:
    targets = emergency.targets or {}
    return screen.id in (targets.get("screens") or []) or \
        screen.site_id in (targets.get("sites") or [])


def _emergency(session: Session, v: ScreenView, limits: dict[str, float],
               now: datetime) -> dict[str, Any] | None:
    """A running emergency aimed at a reachable screen without its receipt. The rule's
    ``for`` (a minute by default) is counted from when the condition is first seen."""
    if not v.online:
        return None
    running = session.scalars(select(Emergency).where(
        Emergency.starts_at <= now, Emergency.ends_at > now,
        Emergency.cancelled_at.is_(None))).all()
    for emergency in running:
        if not _targets(emergency, v.screen):
            continue
        if session.get(EmergencyReceipt, (emergency.id, v.screen.id)) is None:
            return {"emergency": emergency.id}
    return None


def _journal_gap(session: Session, v: ScreenView, limits: dict[str, float],
                 now: datetime) -> dict[str, Any] | None:
    since = now - timedelta(seconds=limits["within"])
    gaps = session.scalars(select(PlayFinding).where(
        PlayFinding.screen_id == v.screen.id, PlayFinding.kind.in_(("gap", "declared_loss")),
        PlayFinding.found_at >= since).order_by(PlayFinding.id)).all()
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
    for name, rule in config.rules.items():
        if not rule.enabled:
            continue
        check = CHECKS[name]
        for view in views:
            detail = check(session, view, rule.limits, now)
            if detail is not None:
                out[(name, view.screen.id)] = detail
    return out
