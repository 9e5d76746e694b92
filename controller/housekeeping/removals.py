"""What a sweep removes (:class:`Removal`: a path, its bytes and why), and the few
file-tree measures both sweeps judge by: bytes, newest change, removal. Links are never
followed: a sweep measures and removes the link, not what it points to."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Removal:
    """One thing a sweep removed (or would remove): its path, bytes and why."""

    path: Path
    size: int
    reason: str


def _walk(path: Path) -> list[Path]:
    """``path`` and, for a real folder, everything under it."""
    found = [path]
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, files in os.walk(path):
            found += [Path(folder) / name for name in (*dirs, *files)]
    return found


def tree_size(path: Path) -> int:
    """Bytes of the files at or under ``path``."""
    total = 0
    for item in _walk(path):
        try:
            st = item.lstat()
        except FileNotFoundError:
            continue
        if not item.is_dir() or item.is_symlink():
            total += st.st_size
    return total


def newest_mtime(path: Path) -> float:
    """When ``path`` last changed, anything under it included."""
    newest = path.lstat().st_mtime
    for item in _walk(path)[1:]:
        try:
            newest = max(newest, item.lstat().st_mtime)
        except FileNotFoundError:
            pass
    return newest


def delete_tree(path: Path) -> None:
    """Remove a file, a link or a whole folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
