"""`python -m bench.renditions` — what renditions cost: making a 1080p rendition of a
4000×3000 JPEG against a cache hit, and a rebuild of every timeline with renditions
already made or still to make, against the baseline of no renditions (originals), all
in one process.

    python -m bench.renditions                    # 500 screens, 7 runs
    python -m bench.renditions --screens 100 --runs 5 --photos 2

Screens cycle through 1920×1080, 1080×1920 and 1280×720; the welcome playlist gets
``--photos`` extra 4000×3000 photos. Every rebuild moves the clock a day on, so every
timeline is really rebuilt and compared. Medians, fastest and ratios to the baseline
are printed as Markdown tables. Nothing is pushed: the publisher runs without a socket."""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bench.rebuild import NOW, REPO, SITES
from controller import changes
from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.renditions import rendition_for
from controller.media.store import MediaStore
from controller.models import APPROVED, Media, Playlist, PlaylistVersion, Rendition, Screen
from controller.review.agencies import import_agencies
from controller.timeline.builder import _schedule_claims
from controller.timeline.publisher import TimelinePublisher

RESOLUTIONS = ((1920, 1080, "landscape"), (1080, 1920, "portrait"), (1280, 720, "landscape"))


def photo(seed: int) -> bytes:
    """A 4000×3000 photo-like JPEG (gradients and noise: no flat colour to cheat with)."""
    size = (4000, 3000)
    image = Image.merge("RGB", (Image.linear_gradient("L").resize(size),
                                Image.radial_gradient("L").rotate(seed * 7).resize(size),
                                Image.effect_noise(size, 25 + seed)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _put(session: Session, store: MediaStore, root: Path, data: bytes, name: str) -> str:
    src = root / name
    src.write_bytes(data)
    sha = store.put_file(session, src, name, "image/jpeg", "image").sha256
    src.unlink()
    return sha


def _database(root: Path, screens: int, photos: int) -> tuple[sessionmaker, MediaStore]:
    url = f"sqlite:///{root / 'pano.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    store = MediaStore(root / "media")
    with factory() as session:
        import_sites(session, REPO / "config" / "sites.yaml")
        import_agencies(session, REPO / "config" / "agencies.yaml")
        import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
        for n in range(screens):
            width, height, orientation = RESOLUTIONS[n % len(RESOLUTIONS)]
            session.add(Screen(
                id=f"bench-{n:04d}", site_id=SITES[n % len(SITES)], name_vi="Màn hình",
                name_en="Screen", orientation=orientation, width=width, height=height,
                languages=["vi", "en"], bilingual_mode="dual", timezone="Asia/Ho_Chi_Minh",
                tags=[], default_playlist_id="welcome-hue"))
        playlist = session.get(Playlist, "welcome-hue")
        current = session.scalar(select(PlaylistVersion).where(
            PlaylistVersion.playlist_id == "welcome-hue",
            PlaylistVersion.number == playlist.current_version))
        items = list(current.items)
        for n in range(photos):
            sha = _put(session, store, root, photo(n), f"photo-{n}.jpg")
            variant = {"title": f"Photo {n}", "body": "", "media": sha, "url": None}
            items.append({"id": f"photo-{n}", "type": "image", "duration": 10.0,
                          "variants": {"vi": variant, "en": variant}})
        number = current.number + 1
        session.add(PlaylistVersion(
            playlist_id="welcome-hue", number=number, items=items, state=APPROVED,
            content_hash=hashlib.sha256(repr(items).encode()).hexdigest(), source="bench"))
        playlist.current_version = number
        changes.bump(session)
        session.commit()
    return factory, store


def _forget_renditions(session: Session, store: MediaStore) -> None:
    """Drop every rendition row and file: the next rebuild makes them all again."""
    rows = session.scalars(select(Rendition)).all()
    made = {r.rendition_sha256 for r in rows if r.rendition_sha256 != r.media_sha256}
    session.execute(delete(Rendition))
    for sha in made:
        session.execute(delete(Media).where(Media.sha256 == sha))
        store.path_for(sha).unlink(missing_ok=True)
    session.commit()


def _time_rebuilds(factory: sessionmaker, store: MediaStore | None, runs: int,
                   before: Callable[[Session], None] | None = None) -> list[float]:
    times = []
    with factory() as session:
        for day in range(runs + 1):
            publisher = TimelinePublisher(None, 15, store=store, clock=lambda d=day: NOW.replace(
                day=NOW.day + d % 3))
            _schedule_claims.cache_clear()
            if before is not None:
                before(session)
            started = time.perf_counter()
            publisher.rebuild(session)
            if day:  # the first run also inserts every row: a warm-up
                times.append(time.perf_counter() - started)
    return times


def _time_single(root: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds to make the 1920x1080 rendition of one 4000×3000 JPEG (row, file and all,
    forgotten before each run) and to find it made (a cache hit)."""
    url = f"sqlite:///{root / 'single.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    store = MediaStore(root / "single-media")
    make, hit = [], []
    with factory() as session:
        sha = _put(session, store, root, photo(0), "photo.jpg")
        session.commit()
        for _ in range(runs):
            _forget_renditions(session, store)
            started = time.perf_counter()
            rendition_for(session, store, sha, "1920x1080")
            session.commit()
            make.append(time.perf_counter() - started)
            started = time.perf_counter()
            rendition_for(session, store, sha, "1920x1080")
            session.commit()
            hit.append(time.perf_counter() - started)
    factory.kw["bind"].dispose()
    return make, hit


def _row(name: str, times: list[float], base: float, per: int | None = None) -> str:
    median = statistics.median(times)
    per_text = f" | {median / per * 1e6:.0f}" if per else ""
    return (f"| {name} | {median * 1000:.1f} | {min(times) * 1000:.1f}{per_text} | "
            f"{median / base:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.renditions",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--photos", type=int, default=3,
                        help="4000×3000 photos added to the welcome playlist")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pano-bench-renditions-") as tmp:
        root = Path(tmp)
        make, hit = _time_single(root, args.runs)
        factory, store = _database(root, args.screens, args.photos)
        baseline = _time_rebuilds(factory, None, args.runs)
        cold = _time_rebuilds(factory, store, args.runs,
                              before=lambda s: _forget_renditions(s, store))
        warm = _time_rebuilds(factory, store, args.runs)
        with factory() as session:
            made = session.scalars(select(Rendition)).all()
            files = sum(1 for r in made if r.rendition_sha256 != r.media_sha256)
        factory.kw["bind"].dispose()

    print(f"\nOne 1920x1080 rendition of a 4000×3000 JPEG, {args.runs} runs; "
          "baseline: the cache hit.\n")
    print("| operation | median ms | fastest ms | median ÷ cache hit |")
    print("|---|---:|---:|---:|")
    base = statistics.median(hit)
    print(_row("cache hit (row and file found)", hit, base))
    print(_row("make (decode, Lanczos, JPEG, store, rows)", make, base))

    print(f"\nRebuild of every timeline ({args.screens} screens in 3 resolutions + the 7 demo "
          f"screens; {args.photos} 4000×3000 photos + 3 demo images; {len(made)} renditions, "
          f"{files} of them new files), {args.runs} runs each; baseline: no renditions.\n")
    print("| rebuild | median ms | fastest ms | per screen µs | median ÷ baseline |")
    print("|---|---:|---:|---:|---:|")
    base = statistics.median(baseline)
    print(_row("baseline: originals, no renditions", baseline, base, args.screens))
    print(_row("renditions already made", warm, base, args.screens))
    print(_row("renditions all to make (first rebuild after uploads)", cold, base,
               args.screens))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
