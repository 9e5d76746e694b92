"""CPU used during a benchmark's rounds: the server's (net of what it uses idle), each
client process's, and the whole machine's, read from /proc — so the table can say how
much a change costs the server and whether the clients or the machine, rather than the
server, set the pace."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs

SATURATED = 0.9  # of a core (a client process) or of the machine
OTHERS = 0.5  # cores used by processes outside the bench that make its figures unsure


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    idle = fields[3] + fields[4]
    return (total - idle) / procs.CLOCK_TICKS, total / procs.CLOCK_TICKS


@dataclass
class Snapshot:
    at: float
    server: float
    clients: list[float]
    busy: float
    total: float
    bench: float = 0.0  # this process: the Pano change is imported here


def snapshot(server_pid: int, client_pids: list[int]) -> Snapshot:
    busy, total = machine_busy_seconds()
    return Snapshot(time.monotonic(), procs.tree_cpu(server_pid),
                    [procs.tree_cpu(p) for p in client_pids], busy, total,
                    procs.cpu_seconds(os.getpid()))


def idle_rate(server_pid: int, seconds: float = 2.0, windows: int = 3) -> float:
    """CPU seconds per second the server uses with its clients connected and no change
    (timers, pollers, pings): subtracted from each change's CPU. The lowest of
    ``windows`` readings of ``seconds`` each: a server still finishing the connects'
    work (5000 greetings and their acks) read 654 ms/s in one window, against 70 ms/s
    once settled, and made every change's net CPU 0."""
    rates = []
    for _ in range(windows):
        cpu, at = procs.tree_cpu(server_pid), time.monotonic()
        time.sleep(seconds)
        rates.append((procs.tree_cpu(server_pid) - cpu) / (time.monotonic() - at))
    return min(rates)


@dataclass
class Usage:
    """Per change: the server's CPU net of idle, and during the round (change → last
    ack) the busiest client process's share of a core and the machine's busy share."""

    idle_cpu_per_s: float = 0.0
    server_net_ms: list[float] = field(default_factory=list)
    client_core_max: list[float] = field(default_factory=list)
    clients_cores: list[float] = field(default_factory=list)
    server_cores: list[float] = field(default_factory=list)
    bench_cores: list[float] = field(default_factory=list)
    machine_busy: list[float] = field(default_factory=list)

    def add(self, before: Snapshot, round_end: Snapshot, settled: Snapshot) -> None:
        """``before``: just before the change; ``round_end``: every ack answered;
        ``settled``: after the quiet pause (the server's work after the acks counts)."""
        wall = settled.at - before.at
        self.server_net_ms.append(
            max(0.0, (settled.server - before.server) - self.idle_cpu_per_s * wall) * 1000)
        span = max(round_end.at - before.at, 1e-3)
        per_client = [(b - a) / span for a, b in zip(before.clients, round_end.clients,
                                                      strict=True)]
        self.client_core_max.append(max(per_client, default=0.0))
        self.clients_cores.append(sum(per_client))
        self.server_cores.append((round_end.server - before.server) / span)
        # The change itself (Pano: the playlists' import, about a second of CPU for 1000
        # screens) runs in this process: the bench's, not another process's.
        self.bench_cores.append((round_end.bench - before.bench) / span)
        total = round_end.total - before.total
        self.machine_busy.append((round_end.busy - before.busy) / total if total > 0 else 0.0)

    def summary(self) -> dict[str, float]:
        def med(values: list[float]) -> float:
            return statistics.median(values) if values else float("nan")

        return {"server_cpu_ms_per_change_net": med(self.server_net_ms),
                "server_idle_cpu_ms_per_s": self.idle_cpu_per_s * 1000,
                "client_core_max": med(self.client_core_max),
                "clients_cores": med(self.clients_cores),
                "server_cores": med(self.server_cores),
                "bench_cores": med(self.bench_cores),
                "machine_busy": med(self.machine_busy),
                "other_cores": med([max(0.0, busy * (os.cpu_count() or 1) - server - clients
                                        - bench)
                                    for busy, server, clients, bench in zip(
                                        self.machine_busy, self.server_cores,
                                        self.clients_cores, self.bench_cores,
                                        strict=True)])}


def limit_note(info: dict[str, float], procs_count: int) -> str:
    """Who set the pace of the rounds, when it was not the server alone."""
    notes = []
    if info.get("client_core_max", 0) >= SATURATED:
        notes.append(f"a client process used {info['client_core_max']:.0%} of a core "
                     f"(client-limited; try more --procs than {procs_count})")
    if info.get("machine_busy", 0) >= SATURATED:
        notes.append(f"the machine was {info['machine_busy']:.0%} busy (server "
                     f"{info.get('server_cores', 0):.2f} cores, clients "
                     f"{info.get('clients_cores', 0):.2f}, the change's import "
                     f"{info.get('bench_cores', 0):.2f}, other processes "
                     f"{info.get('other_cores', 0):.2f}): the machine's "
                     f"{os.cpu_count()} cores are the limit")
    if info.get("other_cores", 0) >= OTHERS:
        notes.append(f"processes outside the bench used {info['other_cores']:.2f} cores: "
                     "the figures are disturbed")
    return "; ".join(notes)
