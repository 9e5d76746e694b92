"""`python -m bench.media_access` — what "a screen fetches only its own timelines' files"
costs (controller/timeline/media_access.py), against baselines measured in the same run.

    python -m bench.media_access               # 500 screens, 7 runs
    python -m bench.media_access --screens 100 --runs 9

Two tables:

- **per fetch**: ``may_fetch`` (the primary-key lookup of the screen's timeline row
  every ``GET /media/<sha>`` with a screen token makes, the set's files from memory)
  against ``screen_for_bearer`` (the credential lookup the route made already): medians
  of several rounds of many calls.
- **per rebuild**: a full rebuild of every timeline (bench.rebuild's database, the clock
  a day on each run so every timeline is stored) with the sets of files stored
  (``record``), against the same rebuild with that switched off, runs interleaved.
- **per store**: storing every screen's timeline (``store_batch`` and the commit) when
  the set of files every screen names changes (a slide edited: a new set, each row
  moving its set to ``media_before``), against storing the same timelines naming the
  same set as before, runs interleaved: what a change of files adds to the write.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.rebuild import NOW, _database
from controller.auth.tokens import issue_screen_token
from controller.models import ScreenTimeline
from controller.players.screen_auth import screen_for_bearer
from controller.timeline import media_access, store
from controller.timeline.builder import _schedule_claims
from controller.timeline.publisher import TimelinePublisher

CALLS = 2000


def _per_call_us(fn, rounds: int) -> float:  # noqa: ANN001
    medians = []
    for _ in range(rounds):
        started = time.perf_counter()
        for n in range(CALLS):
            fn(n)
        medians.append((time.perf_counter() - started) / CALLS * 1e6)
    return statistics.median(medians)


def _rebuild_ms(factory, day: int, keep: int) -> float:  # noqa: ANN001
    real = media_access.record
    if not keep:
        store.media_access.record = lambda *_a, **_k: None  # type: ignore[assignment]
    try:
        with factory() as session:
            publisher = TimelinePublisher(None, 15, clock=lambda: NOW.replace(
                day=NOW.day + day % 3))
            _schedule_claims.cache_clear()
            started = time.perf_counter()
            publisher.rebuild(session)
            return (time.perf_counter() - started) * 1000
    finally:
        store.media_access.record = real  # type: ignore[assignment]


def _stores_ms(factory, runs: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """(set changed, set kept): ms to store and commit every screen's timeline."""
    from datetime import timedelta

    from controller.models import Screen
    from controller.timeline.hashing import canonical
    from controller.timeline.store import Row, store_batch

    files = [f"{n:064x}" for n in range(1, 9)]
    changed: list[float] = []
    kept: list[float] = []
    with factory() as session:
        ids = list(session.scalars(select(Screen.id)))
        stored = {screen: (version, content_hash) for screen, version, content_hash in
                  session.execute(select(ScreenTimeline.screen_id, ScreenTimeline.version,
                                         ScreenTimeline.content_hash))}
        # Pairs of stores, the new set first in one pair and second in the next, so that
        # SQLite's WAL checkpoints (about every other store of 500 timelines) do not
        # always fall on the same kind.
        plan: list[tuple[list[str], bool]] = []  # (files, a new set?)
        for pair in range(runs + 1):
            shas = [files[0], files[1 + pair % 7]]
            previous = plan[-1][0] if plan else [files[0]]
            plan += ([(shas, True), (shas, False)] if pair % 2 == 0
                     else [(previous, False), (shas, True)])
        for step, (shas, new_set) in enumerate(plan):
            body = {"media": {sha: {"size": 1} for sha in shas},
                    "segments": [{"note": "x" * 3000}]}  # a timeline's size
            text = canonical(body)
            at = NOW + timedelta(minutes=step)
            rows = [Row(screen, stored.get(screen), stored.get(screen, (0, ""))[0] + 1,
                        f"bench-{step}", body, at, text) for screen in ids]
            started = time.perf_counter()
            store_batch(session, rows)
            session.commit()
            took = (time.perf_counter() - started) * 1000
            if step >= 2:  # the first pair warms up
                (changed if new_set else kept).append(took)
            stored.update((row.screen_id, (row.version, row.content_hash)) for row in rows)
    return changed, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.media_access",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if args.screens < 1 or args.runs < 1:
        parser.error("--screens and --runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="pano-bench-media-access-") as tmp:
        factory = _database(Path(tmp), args.screens, 0)
        _rebuild_ms(factory, 0, keep=1)  # warm-up: every row inserted
        kept, skipped = [], []
        # Interleaved, so load hits both alike; each rebuild a day after the one before,
        # so every timeline changes and is stored every time.
        for day in range(1, 2 * args.runs + 1):
            (kept if day % 2 else skipped).append(_rebuild_ms(factory, day, keep=day % 2))
        with factory() as session:
            pairs = [(screen, sha) for screen, body in session.execute(
                select(ScreenTimeline.screen_id, ScreenTimeline.body)) for sha in body["media"]]
            tokens = [issue_screen_token(session, f"bench-{n:04d}")
                      for n in range(min(20, args.screens))]
            session.commit()
            now = NOW
            lookup = _per_call_us(lambda n: media_access.may_fetch(
                session, *pairs[n % len(pairs)], now), args.runs)
            credential = _per_call_us(lambda n: screen_for_bearer(
                session, tokens[n % len(tokens)]), args.runs)
        store_changed, store_kept = _stores_ms(factory, args.runs)
        factory.kw["bind"].dispose()
    print(f"\n{len(pairs)} (screen, file) pairs for {args.screens} screens + the 7 demo "
          f"screens; medians of {args.runs} runs.\n")
    print("| per fetch | µs per call | ÷ baseline |")
    print("|---|---:|---:|")
    print(f"| baseline: screen_for_bearer (credential lookup) | {credential:.0f} | 1.00 |")
    print(f"| may_fetch (timeline row, set from memory) | {lookup:.0f} | "
          f"{lookup / credential:.2f} |")
    base = statistics.median(skipped)
    print("\n| per full rebuild | median ms | fastest ms | ÷ baseline |")
    print("|---|---:|---:|---:|")
    print(f"| baseline: sets not stored | {base:.0f} | {min(skipped):.0f} | 1.00 |")
    print(f"| sets stored (record) | {statistics.median(kept):.0f} | {min(kept):.0f} | "
          f"{statistics.median(kept) / base:.2f} |")
    same = statistics.median(store_kept)
    print("\n| storing every screen's timeline | median ms | fastest ms | ÷ baseline |")
    print("|---|---:|---:|---:|")
    print(f"| baseline: the same files as before | {same:.0f} | {min(store_kept):.0f} | 1.00 |")
    print(f"| a new set of files | {statistics.median(store_changed):.0f} | "
          f"{min(store_changed):.0f} | {statistics.median(store_changed) / same:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
