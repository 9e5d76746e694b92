"""Content-addressed media cache: ``cache_dir/media/<sha256>``.

Downloads go to ``cache_dir/tmp/<sha>.part``, resume with ``Range: bytes=N-``, are checked
against their SHA-256 and only then renamed into place, so a partial or corrupt file is
never shown. Files found at start are checked by size at first use and by hash once per
run during a sync; a corrupt one is deleted and fetched again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from pathlib import Path

import requests

from player.store import fsync_dir
from player.timeline import SHA256_RE, timeline_media

log = logging.getLogger("pano.player.cache")

CHUNK = 256 * 1024
ATTEMPTS = 3
TIMEOUT = (10, 60)  # connect, read (seconds)
KEEP_UNREFERENCED = 20
MIN_FREE_BYTES = 512 * 1024 * 1024


class DownloadError(Exception):
    """A media file could not be fetched or was not what the timeline promised."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
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
        self._sizes: dict[str, int] = {}  # expected sizes from the current timeline
        self._size_checked: set[str] = set()
        self._hash_checked: set[str] = set()
        self._lock = threading.Lock()  # guards the sets above
        self._sync_lock = threading.Lock()  # one sync at a time

    # --- what is here ------------------------------------------------------------

    def path(self, sha: str) -> Path:
        if not SHA256_RE.match(sha):
            raise ValueError(f"not a SHA-256: {sha!r}")
        return self.media_dir / sha

    def has(self, sha: str) -> bool:
        """True if the complete file is in the cache (size-checked at first use)."""
        try:
            path = self.path(sha)
        except ValueError:
            return False
        with self._lock:
            if sha in self._size_checked:
                if path.exists():
                    return True
                self._size_checked.discard(sha)
                self._hash_checked.discard(sha)
                return False
            expected = self._sizes.get(sha)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        if expected is not None and size != expected:
            log.error("cached %s… has %d bytes, expected %d: deleting it", sha[:12], size, expected)
            self.discard(sha)
            return False
        with self._lock:
            self._size_checked.add(sha)
        return True

    def discard(self, sha: str) -> None:
        """Delete a cached file (corrupt or evicted)."""
        with self._lock:
            self._size_checked.discard(sha)
            self._hash_checked.discard(sha)
        try:
            self.path(sha).unlink()
        except FileNotFoundError:
            pass

    def status(self, timeline: dict | None) -> dict:
        """``{"files": n cached of those the timeline needs, "missing": n}``."""
        needed = timeline_media(timeline) if timeline else []
        present = sum(1 for sha in needed if self.has(sha))
        return {"files": present, "missing": len(needed) - present}

    # --- fetching ----------------------------------------------------------------

    def sync(self, timeline: dict) -> list[str]:
        """Fetch every media file the timeline needs; return the SHA-256s still missing."""
        with self._sync_lock:
            media = timeline.get("media") or {}
            with self._lock:
                self._sizes = {
                    sha: info["size"] for sha, info in media.items()
                    if isinstance(info, dict) and isinstance(info.get("size"), int)
                }
            missing: list[str] = []
            for sha in media:
                if self.has(sha) and self._verify_once(sha):
                    continue
                if not self._fetch(sha):
                    missing.append(sha)
            for part in self.tmp_dir.glob("*.part"):  # abandoned downloads
                if part.name.removesuffix(".part") not in media:
                    part.unlink(missing_ok=True)
            self.evict(set(media))
            return missing

    def _verify_once(self, sha: str) -> bool:
        """Hash a cached file once per run; delete it if it is corrupt."""
        with self._lock:
            if sha in self._hash_checked:
                return True
        try:
            actual = sha256_file(self.path(sha))
        except FileNotFoundError:
            return False
        if actual != sha:
            log.error("cached %s… is corrupt (hash %s…): deleting it", sha[:12], actual[:12])
            self.discard(sha)
            return False
        with self._lock:
            self._hash_checked.add(sha)
        return True

    def _fetch(self, sha: str) -> bool:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._download(sha)
            except (DownloadError, requests.RequestException, OSError) as exc:
                log.warning("media %s… attempt %d/%d failed: %s", sha[:12], attempt, ATTEMPTS, exc)
                continue
            log.info("media %s… cached", sha[:12])
            return True
        log.error("media %s… still missing after %d attempts", sha[:12], ATTEMPTS)
        return False

    def _download(self, sha: str) -> None:
        part = self.tmp_dir / f"{sha}.part"
        expected = self._sizes.get(sha)
        offset = part.stat().st_size if part.exists() else 0
        if expected is not None and offset > expected:
            part.unlink()
            offset = 0
        headers = {"Authorization": f"Bearer {self.token}"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        url = f"{self.base_url}/media/{sha}"
        with self.session.get(url, headers=headers, stream=True, timeout=TIMEOUT) as response:
            if response.status_code == 416:  # our partial file is not a prefix of theirs
                part.unlink(missing_ok=True)
                raise DownloadError("server refused the resume range; starting over")
            if response.status_code == 200:
                mode, offset = "wb", 0
            elif response.status_code == 206 and offset:
                if not response.headers.get("Content-Range", "").startswith(f"bytes {offset}-"):
                    part.unlink(missing_ok=True)
                    raise DownloadError("server resumed at the wrong place; starting over")
                mode = "ab"
            else:
                raise DownloadError(f"GET /media/{sha[:12]}… answered {response.status_code}"
                                    f" {_reason(response)}")
            with open(part, mode) as f:
                written = offset
                for block in response.iter_content(CHUNK):
                    f.write(block)
                    written += len(block)
                    if expected is not None and written > expected:
                        break
                f.flush()
                os.fsync(f.fileno())
        size = part.stat().st_size
        if expected is not None and size < expected:
            raise DownloadError(f"download cut at {size} of {expected} bytes; will resume")
        actual = sha256_file(part)
        if actual != sha:
            part.unlink(missing_ok=True)
            raise DownloadError(f"downloaded bytes have SHA-256 {actual[:12]}…, not {sha[:12]}…;"
                                " discarded")
        os.replace(part, self.path(sha))
        fsync_dir(self.media_dir)
        with self._lock:
            self._size_checked.add(sha)
            self._hash_checked.add(sha)

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


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body.get("error") or "")[:200]
    except ValueError:
        return response.reason or ""
