"""System facts for heartbeats (protocol section 5), kept within the protocol's limits."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from player import SOFTWARE

MAX_UPTIME = 315_360_000.0
MAX_ERROR = 1000
MAX_STRING = 200


def iso(ts: float) -> str:
    """Epoch seconds → ``2026-11-26T07:00:15Z``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uptime(proc: Path = Path("/proc/uptime")) -> float | None:
    try:
        value = float(proc.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return min(max(value, 0.0), MAX_UPTIME)


def load() -> list[float] | None:
    try:
        return [min(max(x, 0.0), 1000.0) for x in os.getloadavg()]
    except OSError:
        return None


def memory(proc: Path = Path("/proc/meminfo")) -> dict | None:
    values: dict[str, int] = {}
    try:
        for line in proc.read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("MemTotal", "MemAvailable"):
                values[name] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    total, available = values.get("MemTotal"), values.get("MemAvailable")
    if not total or available is None:
        return None
    return {"total": total, "available": min(max(available, 0), total)}


def disk(path: Path) -> dict | None:
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    if usage.total <= 0:
        return None
    return {"total": usage.total, "free": min(usage.free, usage.total)}


def cpu_temp(thermal: Path = Path("/sys/class/thermal")) -> float | None:
    """°C from the cpu-thermal zone (else the first zone); None without a sensor."""
    zones = sorted(thermal.glob("thermal_zone*"))
    chosen = None
    for zone in zones:
        try:
            if (zone / "type").read_text().strip() == "cpu-thermal":
                chosen = zone
                break
        except OSError:
            continue
    for zone in [chosen] if chosen else zones:
        try:
            value = int((zone / "temp").read_text().strip()) / 1000.0
        except (OSError, ValueError):
            continue
        return value if -40.0 <= value <= 150.0 else None
    return None


def _short(value: object, limit: int = MAX_STRING) -> str:
    return str(value)[:limit]


def collect(
    cache_dir: Path,
    *,
    now: float,
    clock_offset: float,
    last_error: str | None,
    timeline_version: int | None,
    playing: dict | None,
    transport: str | None = None,
    display: dict | None = None,
    capture: str | None = None,
) -> dict:
    """A heartbeat: ``playing`` is ``{"playlist", "item", "since"}`` or None;
    ``transport`` what carries it, ``websocket`` or ``http`` (HTTP mode); ``display``
    whether the kiosk page is alive (player/page_alive.py); ``capture`` how it can
    capture its screen (``devtools``, ``command`` or ``none``)."""
    facts: dict = {
        "timeline_version": timeline_version,
        "playing": {k: _short(v) for k, v in playing.items()} if playing else None,
        "uptime": uptime(),
        "load": load(),
        "memory": memory(),
        "disk": disk(cache_dir),
        "cpu_temp": cpu_temp(),
        "software": SOFTWARE,
        "clock_offset": min(max(clock_offset, -MAX_UPTIME), MAX_UPTIME),
        "last_error": None if last_error is None else _short(last_error, MAX_ERROR),
        "sent_at": iso(now),
        "transport": transport,
        "display": display,
        "capture": capture,
    }
    # Omit what this machine cannot tell, rather than send nulls the limits refuse.
    return {k: v for k, v in facts.items()
            if v is not None or k in ("timeline_version", "playing", "cpu_temp", "last_error")}
