"""One benchmark phase: start a server, connect a swarm of clients in other processes,
make a few changes and time how long until every client's ack is answered; then changes
that touch every tenth screen only, and a reconnect storm (bench/storm.py).

A *system* is anything with `start(workdir, size) -> Popen`, `launch() -> Popen` (start
the server again on the same port and data: the storm), `swarm_args(workdir, part,
parts) -> list[str]`, `change(scope) -> float` (makes one change — scope "all" touches
every client, "tenth" the clients whose index is a multiple of 10 — and returns the
monotonic time at which it was made) and `close()`. See BaselineSystem below and
bench/pano_system.py."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Protocol

from bench import procs
from bench.payload import encode, synthetic_timeline
from bench.profiling import Recorder
from bench.stats import Phase
from bench.storm import run_storm
from bench.usage import Usage, idle_rate, snapshot

PY = sys.executable
ROUND_TIMEOUT = 120.0
SETTLE = 0.5  # seconds of quiet between rounds
EVERY = 10  # a "tenth" change touches the clients whose index is a multiple of this


class System(Protocol):
    name: str

    def start(self, workdir: Path, size: int) -> Any: ...
    def launch(self) -> Any: ...
    def swarm_args(self, workdir: Path, part: int, parts: int) -> list[str]: ...
    def change(self, scope: str = "all") -> float: ...
    def close(self) -> None: ...


class BaselineSystem:
    """Plain `websockets` server (bench/baseline_server.py) and plain clients."""

    name = "baseline"

    def __init__(self, timeline: dict[str, Any] | None = None) -> None:
        self.timeline = timeline or synthetic_timeline()
        self.port = 0
        self.size = 0
        self.version = 0
        self.workdir = Path()
        self.control: Any = None

    def start(self, workdir: Path, size: int) -> Any:
        self.size, self.workdir = size, workdir
        (workdir / "payload.json").write_text(encode(self.timeline))
        self.port = procs.free_port()
        return self.launch()

    def launch(self) -> Any:
        from websockets.sync.client import connect

        self.close()
        proc = procs.start([PY, "-m", "bench.baseline_server", "--port", str(self.port),
                            "--payload", str(self.workdir / "payload.json"),
                            "--version", str(self.version)],
                           log=self.workdir / "baseline.log")
        procs.wait_for_port(self.port, 30, proc)
        self.control = connect(f"ws://127.0.0.1:{self.port}/control", compression=None)
        return proc

    def swarm_args(self, workdir: Path, part: int, parts: int) -> list[str]:
        count = self.size // parts + (1 if part < self.size % parts else 0)
        return ["--kind", "ws", "--url", f"ws://127.0.0.1:{self.port}/", "--count", str(count),
                "--first", str(part), "--step", str(parts)]

    def change(self, scope: str = "all") -> float:
        t0 = time.monotonic()
        self.control.send("change" if scope == "all" else f"change {EVERY}")
        self.version = int(json.loads(self.control.recv(timeout=ROUND_TIMEOUT))["version"])
        return t0

    def close(self) -> None:
        if self.control is not None:
            try:
                self.control.close()
            except Exception:  # noqa: BLE001 - the server may already be gone (storm)
                pass
            self.control = None


def connect_timeout(size: int) -> float:
    """Seconds the swarms get to connect ``size`` players (5000 take minutes)."""
    return max(300.0, size * 0.2)


def start_swarms(system: System, workdir: Path, parts: int,
                 timeout: float = 300.0) -> list[procs.Channel]:
    """``parts`` swarm processes sharing the system's players, each connecting its own
    within ``timeout`` seconds."""
    return [procs.Channel(procs.start([PY, "-m", "bench.swarm",
                                       *system.swarm_args(workdir, part, parts),
                                       "--connect-timeout", str(timeout)],
                                      log=workdir / f"swarm-{part}.log", pipes=True))
            for part in range(parts)]


def stop_swarms(swarms: list[procs.Channel]) -> None:
    """Ask every swarm to quit, then make sure it has."""
    for s in swarms:
        try:
            s.send({"cmd": "quit"})
        except OSError:
            pass
    for s in swarms:
        try:
            s.proc.wait(15)
        except Exception:  # noqa: BLE001 - stop() below ends it anyway
            pass
        procs.stop(s.proc)


def measure_round(system: System, server_pid: int, swarms: list[procs.Channel],
                  phase: Phase | None, usage: Usage | None, scope: str = "all",
                  confirm: bool = True) -> int:
    """One change of ``scope``, added to ``phase`` and ``usage`` (None: a warm-up);
    ``confirm``: the server answers acks (else a client is done when its ack is sent).
    Returns how many clients outside the scope got a newer timeline anyway."""
    every = 1 if scope == "all" else EVERY
    for s in swarms:
        s.send({"cmd": "arm", "timeout": ROUND_TIMEOUT, "every": every})
    for s in swarms:
        s.expect("armed", 30)
    pids = [s.proc.pid for s in swarms]
    before = snapshot(server_pid, pids)
    t0 = system.change(scope)
    results = [s.expect("round", ROUND_TIMEOUT + 30) for s in swarms]
    round_end = snapshot(server_pid, pids)
    time.sleep(SETTLE)
    if phase is not None:
        key = "confirmed" if confirm else "acked"
        done = [t for r in results for t in r[key]]
        received = [t for r in results for t in r["received"]]
        phase.add_round(t0, done, received, sum(r["clients"] for r in results))
    if usage is not None:
        usage.add(before, round_end, snapshot(server_pid, pids))
    return sum(r.get("others_received", 0) for r in results)


def run_phase(system: System, size: int, rounds: int, workdir: Path,
              swarm_procs: int, *, tenth: bool = True, storm: bool = True,
              profile: Path | None = None) -> Phase:
    """Warm-up change, then `rounds` measured changes of every screen, `rounds` of every
    tenth screen (``tenth``), then a reconnect storm (``storm``). ``profile``: a folder
    for py-spy's record of a Pano server during the changes of every screen
    (``<system>-<size>.txt``) and of every tenth screen (``<system>-<size>-tenth.txt``;
    bench/profiling.py), and the server's log (``<system>-<size>-server.log``: each
    rebuild's steps). Always stops what it started."""
    phase = Phase(system.name, size)
    workdir.mkdir(parents=True, exist_ok=True)
    server = system.start(workdir, size)
    swarms: list[procs.Channel] = []
    try:
        time.sleep(1.0)
        rss_idle, threads_idle = procs.tree_rss(server.pid), procs.tree_threads(server.pid)
        swarms.extend(start_swarms(system, workdir, swarm_procs, connect_timeout(size)))
        ready = [s.expect("ready", connect_timeout(size) + 60) for s in swarms]
        connected = sum(r["connected"] for r in ready)
        if connected < size:
            raise RuntimeError(f"{system.name}: only {connected} of {size} clients connected "
                               f"(see {workdir}/swarm-*.log)")
        time.sleep(1.0)
        rss_busy, threads_busy = procs.tree_rss(server.pid), procs.tree_threads(server.pid)
        phase.info.update(
            payload_bytes=ready[0]["payload_bytes"], confirm=all(r["confirm"] for r in ready),
            connect_seconds=max(r["seconds"] for r in ready), procs=swarm_procs,
            connect_failed_attempts=sum(r.get("failed_attempts", 0) for r in ready),
            rss_idle_mib=rss_idle / 2**20, rss_mib=rss_busy / 2**20,
            rss_per_conn_kib=(rss_busy - rss_idle) / size / 1024,
            threads=threads_busy, threads_idle=threads_idle,
        )
        idle = idle_rate(server.pid)
        confirm = phase.info["confirm"]
        measure_round(system, server.pid, swarms, None, None)  # warm-up, not counted
        usage = Usage(idle_cpu_per_s=idle)
        cpu_before = procs.tree_cpu(server.pid)
        swarm_cpu_before = sum(procs.tree_cpu(s.proc.pid) for s in swarms)
        recorder = (Recorder(server.pid, profile / f"{system.name}-{size}.txt")
                    if profile is not None and system.name != "baseline" else None)
        for _ in range(rounds):
            measure_round(system, server.pid, swarms, phase, usage, confirm=confirm)
        if recorder is not None:
            phase.info["profile"] = str(recorder.stop() or "py-spy not found")
        cpu_used = procs.tree_cpu(server.pid) - cpu_before
        phase.info["server_cpu_ms_per_change"] = cpu_used / rounds * 1000
        swarm_used = sum(procs.tree_cpu(s.proc.pid) for s in swarms) - swarm_cpu_before
        phase.info["clients_cpu_ms_per_change"] = swarm_used / rounds * 1000
        phase.info.update(usage.summary())
        write_ms = getattr(system, "write_ms", None)
        if write_ms:
            phase.info["write_ms_median"] = statistics.median(write_ms)
        if tenth:
            part, part_usage = Phase(system.name, size), Usage(idle_cpu_per_s=idle)
            recorder = (Recorder(server.pid, profile / f"{system.name}-{size}-tenth.txt")
                        if profile is not None and system.name != "baseline" else None)
            others = [measure_round(system, server.pid, swarms, part, part_usage, "tenth",
                                    confirm) for _ in range(rounds)]
            if recorder is not None:
                recorder.stop()
            summary = part.as_dict()
            phase.info["tenth"] = {"rounds": summary["rounds"], "median": summary["median"],
                                   "others_received": others, **part_usage.summary()}
        if storm:
            server, phase.info["storm"] = run_storm(system, server, swarms, size)
    finally:
        stop_swarms(swarms)
        system.close()
        procs.stop(server)
        if profile is not None and (workdir / "server.log").exists():  # its rebuild timings
            profile.mkdir(parents=True, exist_ok=True)
            shutil.copy(workdir / "server.log", profile / f"{system.name}-{size}-server.log")
    return phase


def save(phases: list[Phase], path: Path, meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "phases": [p.as_dict() for p in phases]},
                               indent=1))
