"""Work folders under ``<data_dir>/tmp``: where a process unpacks an upload or prepares
files, and which a sweep can tell apart as *abandoned* (docs/operations.md,
"Housekeeping").

Each folder holds a ``.lock`` file that its owner keeps locked (``flock``) for as long as
it works there. The kernel drops the lock when the process ends, however it ends
(``kill -9`` included), so a sweep takes the lock itself before it removes a folder and
leaves every folder whose lock it cannot take: that is safe with several controller
processes and job workers sharing ``data_dir`` (on one machine, or on a shared file
system whose locks work across machines, as NFSv4's do). Sweeps run where no work
folder is held (at a start, from the command line): on NFS, Linux emulates ``flock``
with POSIX locks, which any ``close`` of the file in the same process would release.

Promises:

- a folder appears under its final name only once its lock is held (it is made as
  ``.new-…``, locked, then renamed), so a sweep never finds an unlocked folder that is
  about to be used;
- a folder handed to another process (:meth:`WorkFolder.release` with ``keep``, then
  :meth:`WorkFolder.claim`) survives unlocked until its ``keep`` time has passed;
- anything else in ``tmp/`` (a ``.new-`` folder of a process that died while making it,
  a stranger's file) is removed only once unchanged, inside included, for longer than
  the grace period.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

from controller.housekeeping.removals import Removal, delete_tree, newest_mtime, tree_size

LOCK_NAME = ".lock"
NEW_PREFIX = ".new-"


def work_root(data_dir: Path) -> Path:
    """``<data_dir>/tmp``: the folder only Pano's work folders live in."""
    return Path(data_dir).absolute() / "tmp"


class FolderInUse(RuntimeError):
    """Another live process holds this work folder."""


class WorkFolder:
    """A locked work folder; a context manager that removes it on exit."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def create(cls, data_dir: Path, purpose: str) -> WorkFolder:
        """A new, empty, locked folder ``<data_dir>/tmp/<purpose>-<random>``."""
        root = work_root(data_dir)
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f"{NEW_PREFIX}{purpose}-", dir=root))
        fd = os.open(new / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                     0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # new: nobody else can know of it yet
        final = root / new.name[len(NEW_PREFIX):]
        try:
            new.rename(final)
        except BaseException:
            os.close(fd)
            shutil.rmtree(new, ignore_errors=True)
            raise
        return cls(final, fd)

    @classmethod
    def claim(cls, path: Path) -> WorkFolder:
        """Take over a folder another process :meth:`release`\\ d. FolderInUse when a
        live process still holds it; FileNotFoundError when it is gone (swept)."""
        fd = _try_lock(Path(path))
        if fd is None:
            raise FolderInUse(f"work folder {path} is in use by another process")
        _write_keep(fd, 0.0)
        return cls(Path(path), fd)

    def release(self, keep: float) -> None:
        """Unlock the folder without removing it, for another process to
        :meth:`claim`; sweeps leave it alone for ``keep`` seconds."""
        if self._fd is not None:
            _write_keep(self._fd, time.time() + keep if keep > 0 else 0.0)
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Delete the folder (still locked while it goes), then unlock."""
        if self._fd is None:
            return
        try:
            shutil.rmtree(self.path, ignore_errors=True)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WorkFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.remove()


def _try_lock(folder: Path) -> int | None:
    """The folder's lock, taken without waiting; None when another process holds it."""
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _write_keep(fd: int, until: float) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"keep-until {until:.3f}\n".encode("ascii"), 0)


def _keep_until(fd: int) -> float:
    try:
        words = os.pread(fd, 64, 0).decode("ascii").split()
        return float(words[1]) if words[:1] == ["keep-until"] else 0.0
    except (ValueError, IndexError, UnicodeDecodeError):
        return 0.0


def sweep_work_folders(data_dir: Path, grace: float, *, dry_run: bool = False,
                       ) -> tuple[list[Removal], int]:
    """Remove the abandoned work folders under ``<data_dir>/tmp``: (what was removed,
    how many folders live processes hold). ``grace``: seconds after which anything
    without a lock is removed."""
    root = work_root(data_dir)
    if not root.is_dir():
        return [], 0
    removed: list[Removal] = []
    in_use = 0
    now = time.time()
    for entry in sorted(root.iterdir()):
        lock, fd = _lock_state(entry)
        try:
            if lock == "held" or (fd is not None and _keep_until(fd) > now):
                in_use += 1
                continue
            if lock == "none" and newest_mtime(entry) > now - grace:
                continue  # perhaps being made (.new-…): left for a later sweep
            reason = ("abandoned work folder" if lock == "free"
                      else f"work folder without a lock, unchanged for over {grace / 3600:g} h")
            removed.append(Removal(entry, tree_size(entry), reason))
            if not dry_run:
                delete_tree(entry)
        except FileNotFoundError:  # removed meanwhile by another sweep
            continue
        finally:
            if fd is not None:
                os.close(fd)
    return removed, in_use


def _lock_state(entry: Path) -> tuple[str, int | None]:
    """("held", None) when a live process holds the folder, ("free", fd) when this
    process took its lock, ("none", None) when it has no lock file (not a work
    folder, or one still being made)."""
    if not entry.is_dir() or entry.is_symlink():
        return "none", None
    try:
        fd = _try_lock(entry)
    except OSError:  # no lock file, or not one a work folder has
        return "none", None
    return ("held", None) if fd is None else ("free", fd)
