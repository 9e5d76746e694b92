"""Orphan media: files in the media store that no row names, and temporary files the
store's writers left behind (docs/media.md, "Housekeeping").

Why they exist. Every writer of the store places the file first and adds the rows that
name it afterwards, in its own transaction (``MediaStore.place``, ``ingest``, the
importer, renditions, slides): a reader never finds a row whose file is missing. A
process killed between the two leaves a file that nothing names; its temporary files
(``.incoming-…``, ``.work-…``) stay as well.

What is removed, and why it is safe:

- Only files named as the store names them (``<root>/ab/abcdef…``, 64 hex digits in the
  folder of their first two), never the screenshots or anything else in the root.
- A file is kept when any row names its SHA-256: its own ``media`` row, and any text
  or JSON value of any table (drafts' and versions' items, timelines, renditions,
  rendered slides, QR codes, aliases, statuses, commands, the audit log …). Every
  text and JSON column of the schema is read, so a table added later is covered
  without a change here. The reading happens only when there are candidates.
- A file is kept while it is younger than the grace period (its mtime). A writer
  places a file, then commits its row; the grace period (24 h by default) must be
  longer than any import between the two. A writer that finds the file already
  there touches it (``MediaStore.place``), so an old orphan about to be named again
  becomes young again. The sweep takes a file away by renaming it (atomic) and looks
  at its mtime once more: if a writer touched it meanwhile, it is put back (the same
  bytes, whatever is there now); if a writer comes after the rename, it finds no file
  and places it anew. So a file a writer is about to name always survives.
- Nothing is removed when the database names no media at all while the store holds
  files: that is a wrong ``database_url``, not a crash (the sweep says so).
- Temporary files directly in the root (and screenshots' ``.upload-…``) go once
  unchanged, inside included, for longer than the grace period.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import JSON, String, Text, cast, func, select
from sqlalchemy.orm import Session

from controller.housekeeping.removals import Removal, delete_tree, newest_mtime, tree_size
from controller.media.store import MediaStore, is_sha256
from controller.models import Base, Media

TEMP_PREFIXES = (".incoming-", ".rendition-", ".work-", ".upload-", ".sweep-")
SCREENSHOTS = "screenshots"  # controller/players/commands.py keeps them in the store root
_HEX_RUN = re.compile(r"[0-9a-f]{64,}")
_HEX = frozenset("0123456789abcdef")


class EmptyDatabase(RuntimeError):
    """The database names no media while the store holds files: refuse to sweep."""


def stored_files(store: MediaStore) -> Iterator[tuple[str, Path]]:
    """(sha256, path) of every file the store holds under its own naming."""
    if not store.root.is_dir():
        return
    for shard in sorted(store.root.iterdir()):
        if len(shard.name) != 2 or not set(shard.name) <= _HEX or shard.is_symlink() \
                or not shard.is_dir():
            continue
        for path in shard.iterdir():
            if (is_sha256(path.name) and path.name[:2] == shard.name
                    and not path.is_symlink() and path.is_file()):
                yield path.name, path


def named_by_rows(session: Session, candidates: set[str]) -> set[str]:
    """Which of ``candidates`` (SHA-256s) any row of any table names."""
    named = set(session.scalars(select(Media.sha256)))
    left = candidates - named
    for table in Base.metadata.sorted_tables:
        if not left:
            break
        # as text, straight from the database (JSON too: no decoding); a column too
        # short for 64 characters cannot hold a name
        columns = [cast(c, Text) for c in table.columns if isinstance(c.type, JSON) or (
            isinstance(c.type, String) and (c.type.length or 64) >= 64)]
        if not columns:
            continue
        for row in session.execute(select(*columns)).yield_per(1000):
            for text in row:
                if text is None:
                    continue
                for run in _HEX_RUN.findall(text.lower()):
                    hits = {run[i:i + 64] for i in range(len(run) - 63)} & left
                    named |= hits
                    left -= hits
    return candidates & named


def sweep_orphan_media(session: Session, store: MediaStore, grace: float, *,
                       dry_run: bool = False) -> list[Removal]:
    """Remove store files no row names and temporary leftovers, both older than
    ``grace`` seconds; return what was (or, with ``dry_run``, would be) removed.
    EmptyDatabase when the database names no media but the store holds files."""
    cutoff = time.time() - grace
    old: dict[str, Path] = {}
    any_file = False
    for sha, path in stored_files(store):
        any_file = True
        try:
            if path.stat().st_mtime < cutoff:
                old[sha] = path
        except FileNotFoundError:
            continue
    if any_file and not session.scalar(select(func.count()).select_from(Media)):
        raise EmptyDatabase(
            f"the database names no media at all but the store {store.root} holds files; "
            "is database_url right? Nothing was swept.")
    removed: list[Removal] = []
    for sha in sorted(set(old) - named_by_rows(session, set(old))):
        path = old[sha]
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue
        if dry_run or _take_away(store, sha, path, cutoff):
            removed.append(Removal(path, size, "media file no row names"))
    for leftover in _temporary_files(store):
        try:
            if newest_mtime(leftover) >= cutoff:
                continue
            size = tree_size(leftover)
            if not dry_run:
                delete_tree(leftover)
        except FileNotFoundError:
            continue
        removed.append(Removal(leftover, size, "temporary file of an interrupted write"))
    return removed


def _take_away(store: MediaStore, sha: str, path: Path, cutoff: float) -> bool:
    """Remove ``path`` unless a writer touched it meanwhile (see the module's notes)."""
    trash = store.root / f".sweep-{sha}"
    try:
        os.rename(path, trash)
    except FileNotFoundError:
        return False
    if trash.stat().st_mtime >= cutoff:
        os.replace(trash, path)  # named again meanwhile: the same bytes go back
        return False
    trash.unlink()
    return True


def _temporary_files(store: MediaStore) -> list[Path]:
    if not store.root.is_dir():
        return []
    found = [p for p in store.root.iterdir() if p.name.startswith(TEMP_PREFIXES)]
    shots = store.root / SCREENSHOTS
    if shots.is_dir() and not shots.is_symlink():
        for screen in shots.iterdir():
            if screen.is_dir() and not screen.is_symlink():
                found += [p for p in screen.iterdir() if p.name.startswith(".upload-")]
    return sorted(found)
