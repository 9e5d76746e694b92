"""One sweep of what crashes leave behind: abandoned work folders under
``<data_dir>/tmp`` (:mod:`controller.housekeeping.work_folders`), media files no row
names and the store's temporary leftovers (:mod:`controller.housekeeping.orphan_media`),
with a report of what went and how many bytes.

Run when a controller or a job worker starts (:func:`sweep_at_start`: one log line,
never stops the start) and by ``pano-controller media sweep [--dry-run]``. Several
processes may sweep at once: every removal is atomic or tolerates that another sweep
came first."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from controller.housekeeping.orphan_media import EmptyDatabase, sweep_orphan_media
from controller.housekeeping.removals import Removal
from controller.housekeeping.work_folders import sweep_work_folders
from controller.media.store import MediaStore

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from controller.settings import Settings

log = logging.getLogger("pano.housekeeping")
HOUR = 3600.0


@dataclass
class SweepReport:
    removed: list[Removal] = field(default_factory=list)
    in_use: int = 0  # work folders live processes hold
    dry_run: bool = False
    refused: str | None = None  # why the media were not swept (EmptyDatabase)

    def groups(self) -> list[tuple[str, int, int]]:
        """(what, count, bytes) for each kind of removal, in a stable order."""
        out: dict[str, list[int]] = {}
        for removal in self.removed:
            counts = out.setdefault(_kind(removal.reason), [0, 0])
            counts[0] += 1
            counts[1] += removal.size
        return [(what, n, size) for what, (n, size) in out.items()]

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        return [f"{verb} {r.path} ({_size(r.size)}): {r.reason}" for r in self.removed]

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        parts = [f"{n} {what}{'' if n == 1 else 's'} ({_size(size)})"
                 for what, n, size in self.groups()]
        text = f"{verb} {_join(parts)}" if parts else "nothing to remove"
        if self.in_use:
            text += (f"; {self.in_use} work folder{'' if self.in_use == 1 else 's'} in "
                     "use by live processes left alone")
        if self.refused:
            text += f"; media not swept: {self.refused}"
        return text


def _kind(reason: str) -> str:
    if reason.startswith("media file"):
        return "unreferenced media file"
    if reason.startswith("temporary"):
        return "temporary store file"
    return "work folder"


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def sweep(settings: Settings, sessions: Callable[[], Session], *, dry_run: bool = False,
          grace_hours: float | None = None) -> SweepReport:
    """Sweep work folders, then the media store. ``grace_hours``: default the
    setting ``sweep_grace_hours``."""
    hours = settings.sweep_grace_hours if grace_hours is None else grace_hours
    grace = hours * HOUR
    report = SweepReport(dry_run=dry_run)
    report.removed, report.in_use = sweep_work_folders(settings.data_dir, grace,
                                                       dry_run=dry_run)
    with sessions() as session:
        try:
            report.removed += sweep_orphan_media(session, MediaStore(settings.media_dir),
                                                 grace, dry_run=dry_run)
        except EmptyDatabase as exc:
            report.refused = str(exc)
    return report


def sweep_at_start(settings: Settings, sessions: Callable[[], Session]) -> None:
    """The start's sweep, logged in one line; a failure is logged, never raised."""
    try:
        report = sweep(settings, sessions)
    except Exception:
        log.exception("housekeeping at start failed; nothing more was removed")
        return
    level = logging.WARNING if report.refused else logging.INFO
    log.log(level, "housekeeping at start: %s", report.summary())
