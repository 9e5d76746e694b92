"""Percentiles over one round's client latencies, medians over rounds, and the table."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Phase:
    """Every round of one system (pano-threading, pano-gevent, baseline) at one size."""

    system: str
    size: int
    rounds: list[dict[str, float]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def add_round(self, t0: float, done: list[float], received: list[float],
                  clients: int) -> None:
        """One change: `done` holds the monotonic times each client's ack was answered,
        `received` when each client got the new timeline (the first one shows how long
        the server took before it started pushing)."""
        latencies = [(t - t0) * 1000 for t in done]
        if not latencies:
            self.rounds.append({"p50": math.nan, "p95": math.nan, "max": math.nan,
                                "first": math.nan, "last_push": math.nan,
                                "missing": clients})
            return
        self.rounds.append({
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": max(latencies),
            "first": (min(received) - t0) * 1000 if received else math.nan,
            "last_push": (max(received) - t0) * 1000 if received else math.nan,
            # Half the clients had the new timeline by then: with p50, whether the
            # pushes or the answers to the acks came late.
            "push_p50": (percentile([(t - t0) * 1000 for t in received], 50)
                         if received else math.nan),
            "missing": clients - len(latencies),
        })

    def median(self, key: str) -> float:
        values = [r[key] for r in self.rounds if not math.isnan(r[key])]
        return statistics.median(values) if values else math.nan

    def missing(self) -> int:
        return int(sum(r["missing"] for r in self.rounds))

    def as_dict(self) -> dict[str, Any]:
        return {"system": self.system, "size": self.size, "rounds": self.rounds,
                "info": self.info,
                "median": {k: self.median(k) for k in ("p50", "p95", "max", "first", "last_push")}}


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f}"


def _ratio(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b) or b <= 0:
        return "—"
    return f"{a / b:.2f}"


def table(phases: list[Phase]) -> str:
    """Markdown table: medians over rounds of per-round p50/p95/max, ratio to baseline.
    "first push" is when the first client got the new timeline (the server's reaction
    time: change watcher poll plus rebuild for Pano)."""
    header = ("| players | system | rounds | first push ms | p50 ms | p95 ms | max ms "
              "| p50 ÷ base | p95 ÷ base | server KiB/conn | server threads | lost acks |")
    lines = [header, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sorted({p.size for p in phases}):
        group = [p for p in phases if p.size == size]
        base = next((p for p in group if p.system == "baseline"), None)
        for p in group:
            r50 = _ratio(p.median("p50"), base.median("p50")) if base else "—"
            r95 = _ratio(p.median("p95"), base.median("p95")) if base else "—"
            rss = p.info.get("rss_per_conn_kib")
            lines.append(
                f"| {size} | {p.system} | {len(p.rounds)} | {_ms(p.median('first'))} "
                f"| {_ms(p.median('p50'))} "
                f"| {_ms(p.median('p95'))} | {_ms(p.median('max'))} | {r50} | {r95} "
                f"| {'—' if rss is None else f'{rss:.0f}'} "
                f"| {p.info.get('threads', '—')} | {p.missing()} |"
            )
    return "\n".join(lines)
