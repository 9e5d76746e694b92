"""The online/offline rule: a screen is online iff it connected or sent a heartbeat
within three heartbeat intervals (plus a small grace for network jitter)."""

from __future__ import annotations

from datetime import UTC, datetime

MISSED_INTERVALS = 3


def grace(heartbeat_interval: float) -> float:
    return min(2.0, 0.2 * heartbeat_interval)


def is_online(last_seen: datetime | None, heartbeat_interval: float,
              now: datetime | None = None) -> bool:
    if last_seen is None:
        return False
    if last_seen.tzinfo is None:  # SQLite returns naive datetimes; they are UTC
        last_seen = last_seen.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    age = (now - last_seen).total_seconds()
    return age <= MISSED_INTERVALS * heartbeat_interval + grace(heartbeat_interval)
