"""A player's journal backlog, sent as the protocol says (docs/protocol.md section 5,
``journal``): batches of 100 chained records, the next batch only after the previous
one's answer, paced to the event's budget (a burst, then one every ``every`` seconds)
so that a correct sender is never refused. Used by ``bench.swarm`` (one sender per
connected benchmark player) for ``bench.journal_ingest``.

The records of a backlog are made once per swarm process and sent by each of its
players under a journal id of its own (the controller keeps journals apart by screen and
id, so the same content is stored for each): the clients' CPU and memory stay small
beside the controller's, which is what is measured.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

GENESIS = "0" * 64
BATCH = 100
ITEM_SECONDS = 10.0
BURST, EVERY = 10, 0.25  # controller/edge/limits.py, "journal"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@functools.lru_cache(maxsize=4)
def backlog(count: int) -> tuple[dict[str, Any], ...]:
    """``count`` chained ``item`` records of ``ITEM_SECONDS`` each, the last ending a
    minute ago."""
    start = datetime.now(UTC) - timedelta(seconds=count * ITEM_SECONDS + 60)
    return tuple(make_records(1, count, GENESIS, start))


def make_records(first_seq: int, count: int, prev: str,
                 start: datetime) -> list[dict[str, Any]]:
    """``count`` chained ``item`` records of ``ITEM_SECONDS`` each from ``start``."""
    records = []
    for seq in range(first_seq, first_seq + count):
        begin = start + timedelta(seconds=(seq - 1) * ITEM_SECONDS)
        record = {"seq": seq, "prev": prev, "kind": "item", "start": _iso(begin),
                  "end": _iso(begin + timedelta(seconds=ITEM_SECONDS - 0.01)),
                  "ended": "duration", "source": "headless", "playlist": "welcome-hue",
                  "version": 3, "item": f"item-{seq % 7}", "languages": ["vi", "en"],
                  "media": [hashlib.sha256(f"item-{seq % 7}".encode()).hexdigest()],
                  "emergency": None, "timeline_version": 7}
        prev = hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode()).hexdigest()
        record["hash"] = prev
        records.append(record)
    return records


@dataclass
class SenderStats:
    acked: int = 0  # records the controller said it stored (stored_through)
    batches: int = 0
    duplicates: int = 0
    refused: int = 0  # batches answered ok: false (rate_limited included)
    findings: int = 0
    started: float | None = None
    last_ack: float | None = None
    done: bool = False
    errors: list[str] = field(default_factory=list)


async def send_backlog(call: Any, screen: str, count: int, stats: SenderStats) -> None:
    """Send ``count`` records of a new journal through ``call(event, data)`` (an awaitable
    returning the acknowledgement), oldest first, one batch at a time."""
    journal = str(uuid.uuid4())
    records_all = backlog(count)
    tokens, refilled = float(BURST), time.monotonic()
    stats.started = time.monotonic()
    seq = 1
    try:
        while seq <= count:
            records = list(records_all[seq - 1:seq - 1 + BATCH])
            while True:
                now = time.monotonic()
                tokens = min(BURST, tokens + (now - refilled) / EVERY)
                refilled = now
                if tokens < 1:
                    await asyncio.sleep((1 - tokens) * EVERY + 0.005)
                    continue
                tokens -= 1
                answer = await call("journal", {"journal": journal, "records": records})
                if answer.get("ok"):
                    break
                stats.refused += 1
                if answer.get("error") != "rate_limited":
                    stats.errors.append(str(answer.get("message"))[:200])
                    return
            stats.batches += 1
            stats.acked = answer["stored_through"]
            stats.duplicates += answer["duplicates"]
            stats.findings += len(answer["findings"])
            stats.last_ack = time.monotonic()
            seq += len(records)
    except Exception as exc:  # noqa: BLE001 - counted and reported by the swarm
        stats.errors.append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        stats.done = True


def summary(all_stats: list[SenderStats]) -> dict[str, Any]:
    started = [s.started for s in all_stats if s.started is not None]
    acks = [s.last_ack for s in all_stats if s.last_ack is not None]
    errors = [e for s in all_stats for e in s.errors]
    return {"done": all(s.done for s in all_stats), "senders": len(all_stats),
            "acked": sum(s.acked for s in all_stats),
            "batches": sum(s.batches for s in all_stats),
            "duplicates": sum(s.duplicates for s in all_stats),
            "refused": sum(s.refused for s in all_stats),
            "findings": sum(s.findings for s in all_stats),
            "started": min(started) if started else None,
            "last_ack": max(acks) if acks else None,
            "errors": len(errors), "first_error": errors[0] if errors else None}
