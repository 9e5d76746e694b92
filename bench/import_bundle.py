"""The playlist bundle `bench.import_load` uploads: a zip as export makes it (one YAML,
media stored uncompressed under media/), of about the size asked for, with a realistic
mix — a few large videos (H.264 noise made by ffmpeg, which does not compress) and tens
of multi-megapixel JPEG photos (noise too). Every call makes new files, so an import is
never answered from the store's deduplication."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

MB = 1_000_000
VIDEOS = 3
VIDEO_SHARE = 0.4  # of the bundle's bytes
PHOTO_SIZE = (3000, 2000)  # 6 megapixels, about 4 MB as a JPEG of noise
PHOTO_BYTES = 4 * MB  # what one photo adds, for counting how many to make


@dataclass
class Bundle:
    path: Path
    playlist_id: str
    videos: int
    photos: int
    size: int


def make_video(path: Path, megabytes: float) -> None:
    """An MP4 of random noise, about ``megabytes`` (x264 at a fixed quantiser: ~6.4 MB
    a second at 640x360)."""
    seconds = max(1.0, megabytes / 6.4)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                    "-s", "640x360", "-r", "25", "-i", "/dev/urandom", "-t", f"{seconds:.2f}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-qp", "24",
                    "-movflags", "+faststart", str(path)], check=True, timeout=120)


def make_photo() -> bytes:
    width, height = PHOTO_SIZE
    out = io.BytesIO()
    Image.frombytes("RGB", PHOTO_SIZE, os.urandom(width * height * 3)).save(
        out, "JPEG", quality=80)
    return out.getvalue()


def make_bundle(folder: Path, playlist_id: str, megabytes: int) -> Bundle:
    folder.mkdir(parents=True, exist_ok=True)
    video_mb = megabytes * VIDEO_SHARE / VIDEOS
    photos = max(1, round(megabytes * (1 - VIDEO_SHARE) * MB / PHOTO_BYTES))
    media: list[tuple[str, str]] = []  # (file name, item type)
    path = folder / f"{playlist_id}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(VIDEOS):
            clip = folder / f"clip-{n}.mp4"
            make_video(clip, video_mb)
            archive.write(clip, f"media/clip-{n}.mp4", compress_type=zipfile.ZIP_STORED)
            clip.unlink()
            media.append((f"clip-{n}.mp4", "video"))
        for n in range(photos):
            archive.writestr(f"media/photo-{n:02d}.jpg", make_photo(),
                             compress_type=zipfile.ZIP_STORED)
            media.append((f"photo-{n:02d}.jpg", "image"))
        archive.writestr(f"{playlist_id}.yaml", _yaml(playlist_id, media))
    return Bundle(path, playlist_id, VIDEOS, photos, path.stat().st_size)


def _yaml(playlist_id: str, media: list[tuple[str, str]]) -> str:
    lines = [f"id: {playlist_id}", 'title: {vi: "Ảnh và phim Huế", en: "Huế in pictures"}',
             "agency: culture", "items:"]
    for n, (name, kind) in enumerate(media):
        lines += [f"  - id: item-{n:02d}", f"    type: {kind}", "    duration: 10",
                  "    variants:", f'      vi: {{title: "Mục {n}", media: {name}}}',
                  f'      en: {{title: "Item {n}", media: {name}}}']
    return "\n".join(lines) + "\n"
