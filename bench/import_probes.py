"""What `bench.import_load` and `bench.edge_flood` measure while the controller works:
`GET /healthz` every 50 ms, and the `time` round trip of real python-socketio players on
`/player`. The protocol lets a player send `time` once a second (docs/protocol.md,
"Limits"), so there is one player per bench screen, their ticks staggered: twenty
players give a sample every 50 ms. Each sample is (monotonic time sent, ms); a
failure counts as a sample of the timeout."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import requests
import socketio

from bench.stats import percentile

TIMEOUT = 10.0


class Samples:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[float, float]] = []
        self.failures = 0

    def add(self, at: float, ms: float, failed: bool = False) -> None:
        with self.lock:
            self.items.append((at, ms))
            self.failures += failed

    def slow(self, start: float, end: float, over_ms: float) -> list[tuple[float, float]]:
        """(seconds after ``start``, ms) of the samples slower than ``over_ms``."""
        with self.lock:
            return [(round(at - start, 2), round(ms, 1)) for at, ms in self.items
                    if start <= at <= end and ms > over_ms]

    def between(self, start: float, end: float) -> list[float]:
        with self.lock:
            return [ms for at, ms in self.items if start <= at <= end]


class Probes:
    """The prober and the players, in threads of this process, until :meth:`stop`."""

    def __init__(self, url: str, screens: list[dict[str, str]],
                 health_every: float = 0.05, time_every: float = 1.0) -> None:
        self.url = url
        self.screens = screens
        self.health_every = health_every
        self.time_every = time_every
        self.health = Samples()
        self.rtt = Samples()
        self.clients: list[Any] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Probes:
        for screen in self.screens:
            client = socketio.Client(reconnection=False)
            client.connect(self.url, namespaces=["/player"], transports=["websocket"],
                           auth={"screen": screen["screen"], "token": screen["token"],
                                 "software": "pano-bench/import-load"}, wait_timeout=30)
            self.clients.append(client)
        self._spawn(self._probe_health)
        for n, client in enumerate(self.clients):
            offset = self.time_every * n / len(self.clients)
            self._spawn(lambda c=client, o=offset: self._probe_time(c, o))
        return self

    def _spawn(self, target: Any) -> None:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _ticks(self, every: float, offset: float = 0.0) -> Any:
        next_at = time.monotonic() + offset
        while not self._stop.is_set():
            self._stop.wait(max(0.0, next_at - time.monotonic()))
            if self._stop.is_set():
                return
            yield
            next_at = max(next_at + every, time.monotonic())

    def _probe_health(self) -> None:
        for _ in self._ticks(self.health_every):
            sent = time.monotonic()
            try:  # a new connection each time, as a load balancer's health check
                ok = requests.get(self.url + "/healthz", timeout=TIMEOUT).status_code == 200
            except requests.RequestException:
                ok = False
            self.health.add(sent, (time.monotonic() - sent) * 1000, failed=not ok)

    def _probe_time(self, client: Any, offset: float) -> None:
        for _ in self._ticks(self.time_every, offset):
            sent = time.monotonic()
            try:
                answer = client.call("time", {}, namespace="/player", timeout=TIMEOUT)
                ok = isinstance(answer, dict) and "error" not in answer
            except Exception:  # noqa: BLE001 - a timeout or a cut connection is a sample
                ok = False
            self.rtt.add(sent, (time.monotonic() - sent) * 1000, failed=not ok)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 1)
        for client in self.clients:
            try:
                client.disconnect()
            except Exception:  # noqa: BLE001 - closing anyway
                pass


PROBES = (("healthz", "GET /healthz"), ("time", "player `time` RTT"))


def stats(values: list[float]) -> dict[str, float]:
    """Count, p50/p95/p99 and max of one phase's samples (ms)."""
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"),
                "max": float("nan")}
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": max(values)}


def median_of(results: dict[str, Any], phase: str, probe: str, key: str) -> float:
    """The median over rounds of one figure (``results["rounds"][i][phase][probe][key]``)."""
    return statistics.median(r[phase][probe][key] for r in results["rounds"])


def probe_table(results: dict[str, Any], busy: str, keys: tuple[str, ...]) -> list[str]:
    """The Markdown rows for both probes in phases A (idle) and B (``busy``), medians
    over rounds, and the B ÷ A ratio of the p99s."""
    lines = ["| probe | phase | samples | " + " | ".join(f"{k} ms" for k in keys) + " |",
             "|---|---|---:|" + "---:|" * len(keys)]
    for probe, name in PROBES:
        for phase, shown in (("A", "A idle"), ("B", f"B {busy}")):
            n = sum(r[phase][probe]["n"] for r in results["rounds"])
            lines.append(f"| {name} | {shown} | {n} | " + " | ".join(
                f"{median_of(results, phase, probe, k):.1f}" for k in keys) + " |")
        ratio = (median_of(results, "B", probe, "p99")
                 / max(median_of(results, "A", probe, "p99"), 0.001))
        cells = [name, "B ÷ A (p99)", ""] + [f"{ratio:.1f}" if k == "p99" else ""
                                            for k in keys]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
