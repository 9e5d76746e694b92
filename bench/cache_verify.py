"""`python -m bench.cache_verify` — what checking a player's whole media cache costs after
a start (issue 10, defect 1): time until the first item may be shown, time until every
file is checked, against a plain sequential read of the same files and hashlib's raw
SHA-256 speed, measured in the same run.

    python -m bench.cache_verify                 # ~2 GB cache, 5 runs of each case
    python -m bench.cache_verify --quick         # ~200 MB, 3 runs
    taskset -c 0 python -m bench.cache_verify    # one core, closer to a busy Pi

The cache is a real player cache in a temporary folder (deleted at the end): a few large
videos, many pictures and rendered slides, each file named by its SHA-256, and a saved
timeline naming them all with their sizes. The check is the player's own: a fresh
``MediaCache`` (nothing checked), the ``Playback`` that checks the item due now and the
``CacheVerifier`` thread that checks the rest in play order. "first playable" is the time
from that fresh start until ``Playback.current()`` names an item, with a picture due
first (the usual case) or a video (the worst case: the whole video is hashed before it
is shown). "warm": files in the page cache (CPU-bound); "cold": each file dropped from
the page cache first (``posix_fadvise(DONTNEED)``; on a virtual disk the host may still
cache). Medians over the runs; MB are 10^6 bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from player.cache import CHUNK, MediaCache
from player.clock import Clock
from player.playback import Playback
from player.state import PlayerState
from player.timeline import item_media, parse_timeline
from player.verifier import CacheVerifier

MB = 1_000_000
# (kind, count, size in bytes): ~2.0 GB in all, like a screen with a few videos.
FULL = (("video", 3, 450 * MB), ("image", 350, 1_500_000), ("slide", 600, 200_000))
QUICK = (("video", 1, 100 * MB), ("image", 50, 1_500_000), ("slide", 100, 200_000))
MIME = {"video": "video/mp4", "image": "image/jpeg", "slide": "image/png"}


@dataclass
class Case:
    name: str
    files: int
    size: int
    first: list[float] = field(default_factory=list)  # seconds
    total: list[float] = field(default_factory=list)

    def median(self, values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_cache(root: Path, plan: tuple) -> list[tuple[str, str, int]]:
    """Write the files (a unique header, then a shared random block repeated) and
    return ``(kind, sha, size)`` in the order they play."""
    media = root / "media"
    media.mkdir(parents=True)
    block = random.Random(10).randbytes(4 * 1024 * 1024)
    files = []
    for kind, count, size in plan:
        for n in range(count):
            head = f"{kind} {n} ".encode().ljust(64, b".")
            digest = hashlib.sha256()
            part = root / "part"
            with open(part, "wb") as f:
                left = size
                for chunk in [head] + [block] * (size // len(block) + 1):
                    chunk = chunk[:left]
                    f.write(chunk)
                    digest.update(chunk)
                    left -= len(chunk)
                    if not left:
                        break
            sha = digest.hexdigest()
            os.replace(part, media / sha)
            files.append((kind, sha, size))
    os.sync()  # clean pages: DONTNEED can then drop them
    # Play order: pictures and slides alternate, a video every so often.
    videos = [f for f in files if f[0] == "video"]
    others = [f for f in files if f[0] != "video"]
    random.Random(3).shuffle(others)
    step = max(1, len(others) // (len(videos) + 1))
    order = []
    for i, entry in enumerate(others):
        order.append(entry)
        if videos and i % step == step - 1:
            order.append(videos.pop())
    return order + videos


def timeline_for(order: list[tuple[str, str, int]], first: str, now: float) -> dict:
    """A saved timeline playing ``order`` (rotated so that an item of kind ``first``
    plays at ``now``), 10 s an item, every file with its size."""
    at = next(i for i, (kind, _, _) in enumerate(order) if kind == first)
    items = []
    for n, (kind, sha, _) in enumerate(order[at:] + order[:at]):
        if kind == "slide":
            items.append({"id": f"i{n}", "type": "text", "duration": 10, "slides": {"*": sha},
                          "variants": {"en": {"title": "T", "body": "", "media": None,
                                              "url": None}}})
        else:
            items.append({"id": f"i{n}", "type": kind, "duration": 10,
                          "variants": {"en": {"title": "M", "body": "", "media": sha,
                                              "url": None}}})
    start = now - 1  # the first item is due
    return parse_timeline({
        "schema": 1, "screen": "bench", "version": 1, "generated_at": _iso(start),
        "valid_from": _iso(start), "valid_until": _iso(start + 2 * 86400),
        "timezone": "Asia/Ho_Chi_Minh", "heartbeat_interval": 15,
        "display": {"name": {"en": "Bench"}, "orientation": "landscape",
                    "resolution": [1920, 1080], "languages": ["en"], "bilingual_mode": "dual"},
        "segments": [{"from": _iso(start), "until": _iso(start + 2 * 86400),
                      "playlist": "p@1", "reason": "bench"}],
        "playlists": {"p@1": {"id": "p", "version": 1, "title": {"en": "p"}, "items": items}},
        "media": {sha: {"size": size, "mime": MIME[kind]} for kind, sha, size in order},
    })


def drop_page_cache(paths: list[Path]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def plain_read(paths: list[Path]) -> float:
    """Seconds to read every file once, sequentially, in the cache's chunks, no hash."""
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as f:
            while f.read(CHUNK):
                pass
    return time.perf_counter() - started


def player_check(root: Path, timeline: dict) -> tuple[float, float]:
    """A restarted player's check: seconds to the first playable item, to all checked.

    The first ``Playback.current()`` is the playback loop's first tick (it checks a
    small file itself); if the item due waits for the background check, its files are
    watched (``has``, cheap) rather than resolving the whole loop every millisecond, which
    would take the GIL from the checking thread; the player's loop ticks every 200 ms."""
    started = time.perf_counter()
    cache = MediaCache(root, "http://127.0.0.1:9", "pst_bench")
    cache.learn(timeline)
    playback = Playback(PlayerState(timeline), Clock(), cache)
    verifier = CacheVerifier(cache, playback.media_in_play_order)
    playback.verifier = verifier
    stop = threading.Event()
    thread = threading.Thread(target=verifier.run, args=(stop,), daemon=True)
    thread.start()
    try:
        playing = playback.current()
        if playing is None:
            files = item_media(playback.upcoming(1)[0].item)
            while not all(cache.has(sha) for sha in files):
                time.sleep(0.001)
            playing = playback.current()
        assert playing is not None, "nothing playable once its files were checked"
        first = time.perf_counter() - started
        verifier.first_pass.wait()
        total = time.perf_counter() - started
    finally:
        stop.set()
        thread.join()
    damaged = cache.damaged()
    assert not damaged, f"the bench's own files failed their check: {damaged}"
    return first, total


def hashlib_speed(buffer: bytes, times: int) -> float:
    started = time.perf_counter()
    for _ in range(times):
        hashlib.sha256(buffer).digest()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cache_verify",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="~200 MB, 3 runs")
    parser.add_argument("--runs", type=int, help="runs of each case (default 5, quick 3)")
    parser.add_argument("--dir", type=Path, help="where to make the cache (a temporary "
                        "folder inside it, deleted at the end; default: the system's)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    runs = args.runs or (3 if args.quick else 5)
    root = Path(tempfile.mkdtemp(prefix="pano-bench-cache-", dir=args.dir))
    load_before = os.getloadavg()[0]
    try:
        print(f"# writing the cache in {root} …", flush=True)
        order = make_cache(root, plan)
        paths = [root / "media" / sha for _, sha, _ in order]
        size, count = sum(s for _, _, s in order), len(order)
        dues = {"picture": "image", "video": "video"}
        buffer = random.Random(1).randbytes(64 * 1024 * 1024)
        hashing = Case("hashlib.sha256, in memory", 0, 4 * len(buffer))
        cases: list[Case] = [hashing]
        for temperature in ("warm", "cold"):
            read = Case(f"plain read, {temperature}", count, size)
            checks = [Case(f"player check, {due} due first, {temperature}", count, size)
                      for due in dues]
            cases += [read, *checks]
            plain_read(paths)  # warm-up (and, for "warm", the page cache filled)
            for run in range(runs):
                print(f"# {temperature} run {run + 1}/{runs} …", flush=True)
                if temperature == "cold":
                    drop_page_cache(paths)
                read.total.append(plain_read(paths))
                for case, kind in zip(checks, dues.values(), strict=True):
                    timeline = timeline_for(order, kind, time.time())
                    if temperature == "cold":
                        drop_page_cache(paths)
                    first, total = player_check(root, timeline)
                    case.first.append(first)
                    case.total.append(total)
                if temperature == "warm":
                    hashing.total.append(hashlib_speed(buffer, 4))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    cpus = len(os.sched_getaffinity(0))
    print(f"\nChecking a player's media cache after a start: {count} files, {size / MB:,.0f} "
          f"MB ({', '.join(f'{n} {k}s of {s / MB:g} MB' for k, n, s in plan)}); medians of "
          f"{runs} runs; {cpus} CPU{'s' if cpus > 1 else ''} available; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work skews "
          "the figures).\n")
    print("| case | MB | files | first playable ms | all checked s | MB/s | ÷ plain read |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    base: dict[str, float] = {}
    for case in cases:
        total = case.median(case.total)
        temperature = case.name.rsplit(", ", 1)[-1]
        if case.name.startswith("plain read"):
            base[temperature] = total
        first = case.median(case.first)
        ratio = total / base[temperature] if temperature in base else float("nan")
        print(f"| {case.name} | {case.size / MB:,.0f} | {case.files or '—'} | "
              f"{'—' if math.isnan(first) else f'{first * 1000:.1f}'} | {total:.2f} | "
              f"{case.size / MB / total:,.0f} | {'—' if math.isnan(ratio) else f'{ratio:.2f}'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
