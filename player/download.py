"""One media file from the controller into a temporary file, checked before anyone uses
it (protocol section 6, ``GET /media/<sha256>``).

``fetch`` resumes a partial file with ``Range: bytes=N-`` when asked, never keeps more
bytes than the timeline's size, and raises ``DownloadError`` unless the file ends up
complete with the right SHA-256; a file with the wrong bytes is deleted. Putting it in
place is the cache's job (``MediaCache.install``), so the sync and the ``clear_cache``
command download the same way.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import requests

CHUNK = 256 * 1024
TIMEOUT = (10, 60)  # connect, read (seconds)


class DownloadError(Exception):
    """A media file could not be fetched or was not what the timeline promised."""


def fetch(session: requests.Session, base_url: str, token: str, sha: str, part: Path,
          expected: int | None, *, resume: bool = True) -> None:
    """Download ``sha`` into ``part`` (resuming it if ``resume``) and check its SHA-256."""
    offset = part.stat().st_size if resume and part.exists() else 0
    if expected is not None and offset > expected:
        part.unlink()
        offset = 0
    headers = {"Authorization": f"Bearer {token}"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    url = f"{base_url}/media/{sha}"
    with session.get(url, headers=headers, stream=True, timeout=TIMEOUT) as response:
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
        digest = hashlib.sha256()
        if mode == "ab":
            with open(part, "rb") as done:
                for block in iter(lambda: done.read(CHUNK), b""):
                    digest.update(block)
        with open(part, mode) as f:
            written = offset
            for block in response.iter_content(CHUNK):
                if expected is not None and written + len(block) > expected:
                    block = block[:expected - written]
                f.write(block)
                digest.update(block)
                written += len(block)
                if expected is not None and written >= expected:
                    break
            f.flush()
            os.fsync(f.fileno())
    if expected is not None and written < expected:
        raise DownloadError(f"download cut at {written} of {expected} bytes; will resume")
    actual = digest.hexdigest()
    if actual != sha:
        part.unlink(missing_ok=True)
        raise DownloadError(f"downloaded bytes have SHA-256 {actual[:12]}…, not {sha[:12]}…;"
                            " discarded")


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body.get("error") or "")[:200]
    except ValueError:
        return response.reason or ""
