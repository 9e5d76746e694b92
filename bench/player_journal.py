"""`python -m bench.player_journal` — what the player's play journal (player/journal.py,
issue 11) costs: appending records with their hash chain and fsync batching, against plain
appends of the same lines in the same process (no hash, no fsync) and against an fsync
after every record; the start-up of a player whose journal is full (64 MiB, the default
budget, its full segments compressed), against a plain read of the same files; and
building the batches that send a full journal, with the acks written as the controller
answers.

    python -m bench.player_journal            # 20,000 appends, a 64 MiB journal, 5 runs
    python -m bench.player_journal --quick    # 5,000 appends, 8 MiB, 3 runs

Filling the 64 MiB journal (about a million records) takes a minute or two.

Everything is written in a temporary folder (deleted at the end). Medians over the runs.
A Raspberry Pi's SD card fsyncs far slower than a server's disk, which is the point of
batching: the "fsync each" row is what the journal would cost without it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from player.journal import Journal
from player.journal_record import iso_ms, line_of, seal
from player.journal_sender import MAX_RECORDS, JournalSender

T0 = 1795626000.0
MiB = 1024 * 1024


def fields(i: int) -> dict:
    """A typical record: an item with its picture."""
    return {"kind": "item", "start": iso_ms(T0 + 10 * i), "end": iso_ms(T0 + 10 * i + 10),
            "ended": "duration", "source": "kiosk", "playlist": "festival-hue-2026",
            "version": 4, "item": f"citadel-night-{i % 40}", "languages": ["vi", "en"],
            "media": [hashlib.sha256(str(i % 40).encode()).hexdigest()], "emergency": None,
            "timeline_version": 12}


def plain_appends(folder: Path, count: int) -> float:
    """Seconds to append ``count`` prepared lines to a file, no hash, no fsync."""
    lines = [line_of(dict(fields(i), seq=i + 1, prev="0" * 64, hash="0" * 64))
             for i in range(count)]
    started = time.perf_counter()
    with open(folder / "plain.jsonl", "ab", buffering=0) as f:
        for line in lines:
            f.write(line)
    return time.perf_counter() - started


def fsync_each(folder: Path, count: int) -> float:
    """Seconds to append and fsync ``count`` sealed records one by one."""
    prev = "0" * 64
    started = time.perf_counter()
    with open(folder / "each.jsonl", "ab", buffering=0) as f:
        for i in range(count):
            record = seal(fields(i), i + 1, prev)
            prev = record["hash"]
            f.write(line_of(record))
            os.fsync(f.fileno())
    return time.perf_counter() - started


def journal_appends(folder: Path, count: int) -> float:
    """Seconds to append ``count`` records to a Journal whose fsync thread runs."""
    journal = Journal(folder)
    stop = threading.Event()
    flusher = threading.Thread(target=journal.run, args=(stop,), daemon=True)
    flusher.start()
    started = time.perf_counter()
    for i in range(count):
        journal.append(fields(i))
    journal.flush()
    elapsed = time.perf_counter() - started
    stop.set()
    flusher.join()
    journal.close()
    return elapsed


def fill(folder: Path, budget: int) -> int:
    """A journal filled to its budget; the number of records in it."""
    journal = Journal(folder, max_bytes=budget)
    i = 0
    while journal.bytes_on_disk() < budget - journal.segment_bytes:
        journal.append(fields(i))
        i += 1
    journal.close()
    return journal.status()["pending"]


def plain_read(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted((folder / "journal").glob("seg-*")):
        path.read_bytes()
    return time.perf_counter() - started


def start_up(folder: Path, budget: int) -> float:
    started = time.perf_counter()
    journal = Journal(folder, max_bytes=budget)
    elapsed = time.perf_counter() - started
    journal.close()
    return elapsed


def send_some(folder: Path, budget: int, batches: int) -> float:
    """Seconds per record to build ``batches`` batches of a full journal, oldest first
    (each record read back, unpacked and checked, each ack written as stored)."""
    journal = Journal(folder, max_bytes=budget)
    sender = JournalSender(journal, lambda event, body: None, lambda: True)
    sent = 0
    started = time.perf_counter()
    for _ in range(batches):
        records = journal.batch(MAX_RECORDS, sender.room())
        journal.stored(records[-1]["seq"])
        sent += len(records)
    elapsed = time.perf_counter() - started
    journal.close()
    return elapsed / sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.player_journal",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 appends, 8 MiB, 3 runs")
    parser.add_argument("--runs", type=int, help="runs of each case (default 5, quick 3)")
    parser.add_argument("--dir", type=Path, help="where to write (default: the system's "
                        "temporary folder)")
    args = parser.parse_args(argv)
    count = 5000 if args.quick else 20000
    budget = (8 if args.quick else 64) * MiB
    runs = args.runs or (3 if args.quick else 5)
    each = max(200, count // 10)
    root = Path(tempfile.mkdtemp(prefix="pano-bench-journal-", dir=args.dir))
    times: dict[str, list[float]] = {"plain": [], "journal": [], "each": [], "start": [],
                                     "read": [], "send": []}
    records = 0
    batches = 100 if args.quick else 300
    try:
        for run in range(runs):
            print(f"# appends, run {run + 1}/{runs} …", flush=True)
            folder = root / f"append-{run}"
            for name, case, n in (("plain", plain_appends, count),
                                  ("journal", journal_appends, count),
                                  ("each", fsync_each, each)):
                (folder / name).mkdir(parents=True)
                times[name].append(case(folder / name, n) / n)
            shutil.rmtree(folder)
        full = root / "full"
        print(f"# filling a {budget // MiB} MiB journal …", flush=True)
        records = fill(full, budget)
        for run in range(runs):
            print(f"# start-up, run {run + 1}/{runs} …", flush=True)
            times["read"].append(plain_read(full))
            times["start"].append(start_up(full, budget))
        for run in range(runs):
            print(f"# sending a full journal, run {run + 1}/{runs} …", flush=True)
            copy = root / f"send-{run}"
            shutil.copytree(full, copy)
            times["send"].append(send_some(copy, budget, batches))
            shutil.rmtree(copy)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def med(name: str) -> float:
        return statistics.median(times[name])

    cpus = len(os.sched_getaffinity(0))
    print(f"\nThe player's play journal: medians of {runs} runs, {cpus} CPU"
          f"{'s' if cpus > 1 else ''}, load average {os.getloadavg()[0]:.1f}.\n")
    print("| case | per record µs | records/s | ÷ plain appends |")
    print("|---|---:|---:|---:|")
    for name, label in (("plain", f"plain appends of the lines ({count:,})"),
                        ("journal", f"journal: hash chain, fsync ≤ 1 s ({count:,})"),
                        ("each", f"hash chain, fsync after every record ({each:,})")):
        print(f"| {label} | {med(name) * 1e6:,.1f} | {1 / med(name):,.0f} | "
              f"{med(name) / med('plain'):.1f} |")
    print(f"\nA full journal: {budget // MiB} MiB, {records:,} records (about "
          f"{budget / records:,.0f} bytes each on disk).\n")
    print("| case | s | ÷ plain read |")
    print("|---|---:|---:|")
    print(f"| plain read of the segments | {med('read'):.3f} | 1.0 |")
    print(f"| player start-up (last segment checked whole) | {med('start'):.3f} | "
          f"{med('start') / med('read'):.1f} |")
    print(f"\nBatches of a full journal, oldest first ({batches} batches of {MAX_RECORDS} records, "
          f"each read back, unpacked and checked, each ack saved): "
          f"{med('send') * 1e6:,.0f} µs a record, {1 / med('send'):,.0f} records/s; "
          f"the whole journal in {records * med('send'):,.0f} s of the player's time (the "
          f"controller's budget paces it at about 385 records/s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
