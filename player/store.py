"""What the player keeps across restarts: the last timeline and the clock offset.

Every write is atomic (temporary file, fsync, rename, fsync of the directory), so a
power cut leaves either the old file or the new one, never half of one. Leftover
temporary files are ignored and removed at start.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from player.timeline import TimelineError, parse_timeline

log = logging.getLogger("pano.player.store")

TIMELINE_FILE = "timeline.json"
CLOCK_FILE = "clock.json"
TMP_PREFIX = ".tmp-"


def write_json_atomic(path: Path, obj: object) -> None:
    """Write ``obj`` as JSON to ``path`` so that readers see all of it or none of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Store:
    """Timeline and clock offset saved in ``state_dir``."""

    def __init__(self, state_dir: Path | str) -> None:
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._remove_leftovers()

    def _remove_leftovers(self) -> None:
        for leftover in self.dir.glob(TMP_PREFIX + "*"):
            log.info("removing half-written file %s", leftover.name)
            try:
                leftover.unlink()
            except OSError as exc:
                log.warning("cannot remove %s: %s", leftover, exc)

    def save_timeline(self, timeline: dict) -> None:
        write_json_atomic(self.dir / TIMELINE_FILE, timeline)

    def load_timeline(self) -> dict | None:
        """The saved timeline, or None if there is none or it is unreadable (logged)."""
        path = self.dir / TIMELINE_FILE
        if not path.exists():
            return None
        try:
            with open(path, encoding="utf-8") as f:
                return parse_timeline(json.load(f))
        except (OSError, ValueError, TimelineError) as exc:
            log.error("saved timeline %s is unusable, ignoring it: %s", path, exc)
            return None

    def save_clock_offset(self, offset: float) -> None:
        write_json_atomic(self.dir / CLOCK_FILE, {"clock_offset": offset})

    def load_clock_offset(self) -> float:
        """The saved clock offset, 0.0 if none or unreadable."""
        path = self.dir / CLOCK_FILE
        if not path.exists():
            return 0.0
        try:
            with open(path, encoding="utf-8") as f:
                value = json.load(f)["clock_offset"]
            return float(value)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("saved clock offset %s is unusable, using 0: %s", path, exc)
            return 0.0
