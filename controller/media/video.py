"""Videos on intake (docs/media.md, "Uploads"): ``ffprobe`` reads the container (JSON
output, with a timeout) for duration, size and codec, and ``ffmpeg -map_metadata -1
-c copy`` writes a copy without metadata (titles, dates, GPS, camera make, chapters,
data tracks) — no re-encoding. Both come from Debian's ``ffmpeg`` package."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controller.refusals import refusal

PROBE_TIMEOUT = 60  # seconds
STRIP_TIMEOUT = 900
# What ffprobe must find inside a file sniffed as each type.
FORMATS = {"video/mp4": ("mov", "mp4"), "video/webm": ("matroska", "webm")}
MUXERS = {"video/mp4": "mp4", "video/webm": "webm"}
PACKAGE_HINT = refusal("install the Debian package 'ffmpeg' (sudo apt-get install ffmpeg, "
                       "or scripts/install-system-deps.sh)")


class VideoRefused(Exception):
    pass


@dataclass
class CleanVideo:
    path: Path
    width: int
    height: int
    duration: float
    codec: str


def tools() -> tuple[str, str] | None:
    """(ffprobe, ffmpeg) paths, or None when either is missing."""
    probe, mpeg = shutil.which("ffprobe"), shutil.which("ffmpeg")
    return (probe, mpeg) if probe and mpeg else None


def prepare_video(path: Path, mime: str, workdir: Path, shown: str) -> CleanVideo:
    found = tools()
    if found is None:
        raise VideoRefused(refusal("%(name)s: videos cannot be checked on this server "
                                   "because ffprobe/ffmpeg are missing; the administrator "
                                   "must %(hint)s.", name=shown, hint=PACKAGE_HINT))
    ffprobe, ffmpeg = found
    info = probe(ffprobe, path, shown)
    format_names = set(str(info.get("format", {}).get("format_name", "")).split(","))
    if not format_names & set(FORMATS[mime]):
        raise VideoRefused(refusal("%(name)s starts like an %(type)s video but its "
                                   "content is something else: it is damaged or "
                                   "disguised.", name=shown, type=_name(mime)))
    video = next((s for s in info.get("streams", [])
                  if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    if video is None:
        raise VideoRefused(refusal("%(name)s holds no video track.", name=shown))
    width, height = _int(video.get("width")), _int(video.get("height"))
    duration = _float(info.get("format", {}).get("duration")) or _float(
        video.get("duration"))
    if not width or not height:
        raise VideoRefused(refusal("%(name)s: the video track has no picture size; the "
                                   "file is damaged.", name=shown))
    if not duration or duration <= 0:
        raise VideoRefused(refusal("%(name)s: the video has no duration; the file is "
                                   "damaged or cut short.", name=shown))
    out = workdir / ("clean." + MUXERS[mime])
    command = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(path),
               "-map", "0:v", "-map", "0:a?", "-map_metadata", "-1", "-map_chapters", "-1",
               "-c", "copy", "-fflags", "+bitexact", "-flags:v", "+bitexact",
               "-flags:a", "+bitexact"]
    if mime == "video/mp4":
        command += ["-movflags", "+faststart"]
    command += ["-f", MUXERS[mime], str(out)]
    failed = run_ffmpeg(command, out, STRIP_TIMEOUT,
                        refusal("%(name)s: removing the video's metadata took longer than "
                                "%(seconds)d s; the file is refused.", name=shown,
                                seconds=STRIP_TIMEOUT))
    if failed is not None:
        raise VideoRefused(refusal("%(name)s: the video could not be copied without its "
                                   "metadata (%(why)s); the file is damaged.", name=shown,
                                   why=failed))
    return CleanVideo(out, width, height, round(duration, 3), str(video.get("codec_name")))


def run_ffmpeg(command: list[str], out: Path, timeout: int, too_slow: str) -> str | None:
    """Run ffmpeg writing ``out``: None when it did, else the last line of what it said;
    VideoRefused(``too_slow``) past ``timeout`` seconds."""
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise VideoRefused(too_slow) from None
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        return _first_line(done.stderr)
    return None


def probe(ffprobe: str, path: Path, shown: str) -> dict[str, Any]:
    command = [ffprobe, "-v", "error", "-print_format", "json", "-show_format",
               "-show_streams", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        raise VideoRefused(refusal("%(name)s: reading the video took longer than "
                                   "%(seconds)d s; the file is refused.", name=shown,
                                   seconds=PROBE_TIMEOUT)) from None
    try:
        info = json.loads(done.stdout or b"{}")
    except ValueError:
        info = {}
    if done.returncode != 0 or not isinstance(info, dict) or not info.get("format"):
        raise VideoRefused(refusal("%(name)s cannot be read as a video (%(why)s); the "
                                   "file is damaged or not a video.", name=shown,
                                   why=_first_line(done.stderr)))
    return info


def _first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    line = text.splitlines()[-1] if text else "no details"
    # ffprobe names the file by its (temporary) path: say "the file" instead.
    if ": " in line and line.startswith("/"):
        line = line.split(": ", 1)[1]
    return line[:200]


def _name(mime: str) -> str:
    return {"video/mp4": "MP4", "video/webm": "WebM"}[mime]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
