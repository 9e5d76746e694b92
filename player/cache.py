"""Content-addressed media cache: ``cache_dir/media/<sha256>``, whose files are shown
and served only once checked in this run.

Downloads go to ``cache_dir/tmp/<sha>.part``, resume with ``Range: bytes=N-``, are checked
against their SHA-256 (player/download.py) and only then renamed into place
(``install``).

A file found on disk when the player starts is not trusted: an SD card decays, and a
border gate may be offline for days, so no sync will come to check it. Each file is in
one of three states:

- **verified**: its size (the timeline's ``media``) and SHA-256 were checked since the
  player started, or it was downloaded and checked. Only such a file is shown or served
  (``has``).
- **unchecked**: on disk with the size the timeline gives, SHA-256 not checked yet in this
  run (``present`` but not ``has``). Its item keeps its place in the loop, so the check
  after a start never shifts what plays (protocol section 8 skips only items that cannot
  play), but its bytes are not shown until checked: ``ready`` checks a file of up to
  ``VERIFY_INLINE_BYTES`` at once (a picture or a slide: milliseconds, a fraction of a
  second on a Pi), the player's HTTP server checks any file before its first byte, and
  ``player.verifier.CacheVerifier`` checks the rest in the background, what plays now
  and next first.
- **missing**: absent, or found **damaged** (wrong size, wrong SHA-256, unreadable) and
  deleted. Its items are skipped (section 8), it is counted in ``status()``, reported in
  ``last_error`` (``damaged``) and fetched again by the next sync; ``damage_count`` moves
  so that a connected agent syncs at once.

Why not check everything before playing: hashing a full cache (2 GB) takes about a
minute on a Pi 4 reading its SD card (``python -m bench.cache_verify``,
docs/operations.md), and a screen must not stay dark that long after a power cut when
what plays first is a picture checked in milliseconds. Why not trust a file until the
next sync: offline, that sync may be days away.

One lock per file makes a check, an install and a discard of the same file take turns,
so a slow check can never delete the good copy a download has just put in place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from pathlib import Path

import requests

from player import download
from player.download import CHUNK
from player.store import fsync_dir
from player.timeline import SHA256_RE, timeline_media

log = logging.getLogger("pano.player.cache")

ATTEMPTS = 3
KEEP_UNREFERENCED = 20
MIN_FREE_BYTES = 512 * 1024 * 1024
# ``ready`` checks an unchecked file of at most this size at once, in the caller: at a
# Pi 4's ~40 MB/s from its SD card, under a second (pictures and slides are far smaller).
VERIFY_INLINE_BYTES = 32 * 1024 * 1024


def sha256_file(path: Path, rate: float | None = None) -> str:
    """SHA-256 of a file; ``rate`` (bytes per second) slows the reading down."""
    digest = hashlib.sha256()
    started, done = time.monotonic(), 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
            if rate:
                done += len(block)
                ahead = done / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    return digest.hexdigest()


class MediaCache:
    def __init__(
        self,
        cache_dir: Path | str,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        keep_unreferenced: int = KEEP_UNREFERENCED,
        min_free_bytes: int = MIN_FREE_BYTES,
        verify_inline_bytes: int = VERIFY_INLINE_BYTES,
    ) -> None:
        self.dir = Path(cache_dir)
        self.media_dir = self.dir / "media"
        self.tmp_dir = self.dir / "tmp"
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session or requests.Session()
        self.keep_unreferenced = keep_unreferenced
        self.min_free_bytes = min_free_bytes
        self.verify_inline_bytes = verify_inline_bytes
        self._sizes: dict[str, int] = {}  # expected sizes from the current timeline
        self._verified: set[str] = set()  # checked in this run
        self._size_ok: set[str] = set()  # unchecked files found with the right size
        self._damaged: dict[str, str] = {}  # sha → what was wrong, until fetched again
        self._file_locks: dict[str, threading.Lock] = {}
        self.damage_count = 0  # files found damaged since start (moves: sync soon)
        self._lock = threading.Lock()  # guards the fields above; never held for I/O
        self._sync_lock = threading.Lock()  # one sync at a time

    def learn(self, timeline: dict | None) -> None:
        """Expect the sizes of ``timeline["media"]`` (the saved timeline, at start)."""
        media = (timeline or {}).get("media") or {}
        sizes = {sha: info["size"] for sha, info in media.items()
                 if isinstance(info, dict) and isinstance(info.get("size"), int)}
        with self._lock:
            self._sizes = sizes

    # --- what is here ------------------------------------------------------------

    def path(self, sha: str) -> Path:
        if not SHA256_RE.match(sha):
            raise ValueError(f"not a SHA-256: {sha!r}")
        return self.media_dir / sha

    def _file_lock(self, sha: str) -> threading.Lock:
        with self._lock:
            return self._file_locks.setdefault(sha, threading.Lock())

    def _forget(self, sha: str) -> None:
        with self._lock:
            self._verified.discard(sha)
            self._size_ok.discard(sha)

    def has(self, sha: str) -> bool:
        """True if the file is here and was checked (size and SHA-256) in this run: the
        only files shown or served."""
        with self._lock:
            if sha not in self._verified:
                return False
        if self.media_dir.joinpath(sha).exists():
            return True
        self._forget(sha)  # deleted behind our back
        return False

    def present(self, sha: str) -> bool:
        """True if the file is here and may be shown once checked: verified, or of the
        timeline's size with its SHA-256 not checked yet. A wrong size is noticed here
        (one ``stat``) and the file deleted as damaged."""
        try:
            path = self.path(sha)
        except ValueError:
            return False
        with self._lock:
            if sha in self._damaged:  # until fetched again (install), even if not deleted
                return False
            known = sha in self._verified or sha in self._size_ok
            expected = self._sizes.get(sha)
        if known:
            if path.exists():
                return True
            self._forget(sha)
            return False
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        if expected is not None and size != expected:
            return self.verify(sha)  # under the file's lock: deletes it, or finds it new
        with self._lock:
            self._size_ok.add(sha)
        return True

    def ready(self, sha: str, *, any_size: bool = False) -> bool:
        """True if the file may be shown now: verified, or checked right now if it is
        unchecked and at most ``verify_inline_bytes`` (or ``any_size``)."""
        if self.has(sha):
            return True
        if not self.present(sha):
            return False
        if not any_size and self.size(sha) > self.verify_inline_bytes:
            return False
        return self.verify(sha)

    def verify(self, sha: str, *, again: bool = False) -> bool:
        """Check the cached file's size and SHA-256, once per run (``again``: even if it
        was checked); a damaged file is deleted and reported. True if it is sound."""
        try:
            path = self.path(sha)
        except ValueError:
            return False
        with self._file_lock(sha):
            if not again and self.has(sha):
                return True  # checked meanwhile by another thread
            with self._lock:
                expected = self._sizes.get(sha)
            try:
                size = path.stat().st_size
                if expected is not None and size != expected:
                    self._reject(sha, f"{size} bytes instead of {expected}")
                    return False
                actual = sha256_file(path)
            except FileNotFoundError:
                self._forget(sha)
                return False
            except OSError as exc:  # an SD card's read error
                self._reject(sha, f"unreadable: {exc.strerror or exc}")
                return False
            if actual != sha:
                self._reject(sha, f"its bytes have SHA-256 {actual[:12]}…")
                return False
            with self._lock:
                self._verified.add(sha)
                self._size_ok.discard(sha)
            return True

    def recheck(self, sha: str, rate: float | None = None) -> bool:
        """Check a verified file again, reading at most ``rate`` bytes per second
        (without holding its lock: serving it goes on); a mismatch is confirmed at full
        speed under the lock before the file is deleted."""
        if not self.has(sha):
            return self.verify(sha)
        try:
            if sha256_file(self.path(sha), rate) == sha:
                return True
        except OSError:
            pass
        return self.verify(sha, again=True)

    def size(self, sha: str) -> int:
        """The cached file's size in bytes, 0 if it is not here."""
        try:
            return self.path(sha).stat().st_size
        except (OSError, ValueError):
            return 0

    def _reject(self, sha: str, reason: str) -> None:
        """Delete a damaged file (the caller holds its lock) and remember why."""
        log.error("cached media %s… is damaged (%s): deleted and not shown; downloaded again"
                  " when the controller is reachable", sha[:12], reason)
        # Known damaged before it is gone: whoever finds it absent also finds it damaged.
        with self._lock:
            self._verified.discard(sha)
            self._size_ok.discard(sha)
            self._damaged[sha] = reason
            self.damage_count += 1
        try:
            self.path(sha).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.error("cannot delete damaged media %s…: %s", sha[:12], exc)

    def install(self, part: Path, sha: str) -> None:
        """Put a downloaded file, already checked, in place of ``sha`` (atomically)."""
        with self._file_lock(sha):
            os.replace(part, self.path(sha))
            fsync_dir(self.media_dir)
            with self._lock:
                self._verified.add(sha)
                self._size_ok.discard(sha)
                self._damaged.pop(sha, None)

    def discard(self, sha: str) -> None:
        """Delete a cached file (evicted, or the cache cleared); not counted damaged."""
        with self._file_lock(sha):
            self._forget(sha)
            try:
                self.path(sha).unlink()
            except FileNotFoundError:
                pass

    def damaged(self, timeline: dict | None = None) -> dict[str, str]:
        """Files found damaged in this run and not fetched again (those ``timeline``
        names, if given): SHA-256 → what was wrong."""
        with self._lock:
            found = dict(self._damaged)
        if timeline is None:
            return found
        needed = set(timeline_media(timeline))
        return {sha: why for sha, why in found.items() if sha in needed}

    def status(self, timeline: dict | None) -> dict:
        """The timeline's files: ``files`` here (verified or unchecked), ``unchecked``
        of those, ``missing`` (absent or damaged), ``damaged`` of those."""
        needed = timeline_media(timeline) if timeline else []
        files = unchecked = 0
        for sha in needed:
            if self.has(sha):
                files += 1
            elif self.present(sha):
                files += 1
                unchecked += 1
        return {"files": files, "missing": len(needed) - files, "unchecked": unchecked,
                "damaged": len(self.damaged(timeline)) if timeline else 0}

    # --- fetching ----------------------------------------------------------------

    def sync(self, timeline: dict) -> list[str]:
        """Fetch every media file the timeline needs; return the SHA-256s still missing.

        Files known to be absent or damaged are fetched first, before the files still
        unchecked are checked (and fetched if they fail): after a reconnect, what was
        found damaged offline comes back without waiting for a whole cache's check."""
        with self._sync_lock:
            self.learn(timeline)
            media = timeline.get("media") or {}
            missing: list[str] = []
            for sha in sorted(media, key=self.present):  # False (not here) first
                if self.verify(sha):
                    continue
                if not self._fetch(sha):
                    missing.append(sha)
            for part in self.tmp_dir.glob("*.part"):  # abandoned downloads
                if part.name.removesuffix(".part") not in media:
                    part.unlink(missing_ok=True)
            self.evict(set(media))
            return missing

    def _fetch(self, sha: str) -> bool:
        with self._lock:
            expected = self._sizes.get(sha)
        part = self.tmp_dir / f"{sha}.part"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                download.fetch(self.session, self.base_url, self.token, sha, part, expected)
                self.install(part, sha)
            except (download.DownloadError, requests.RequestException, OSError) as exc:
                log.warning("media %s… attempt %d/%d failed: %s", sha[:12], attempt, ATTEMPTS, exc)
                continue
            log.info("media %s… cached", sha[:12])
            return True
        log.error("media %s… still missing after %d attempts", sha[:12], ATTEMPTS)
        return False

    # --- eviction ----------------------------------------------------------------

    def evict(self, referenced: set[str], *, force: bool = False) -> list[str]:
        """When the disk is short, delete unreferenced files but the most recent few."""
        if not force and shutil.disk_usage(self.dir).free >= self.min_free_bytes:
            return []
        others = [p for p in self.media_dir.iterdir() if p.name not in referenced]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        removed = []
        for path in others[self.keep_unreferenced:]:
            log.info("evicting unreferenced media %s…", path.name[:12])
            if SHA256_RE.match(path.name):
                self.discard(path.name)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
        return removed

