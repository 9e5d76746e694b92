"""Process plumbing for the benchmark: free ports, child processes that talk JSON lines
over stdin/stdout, and resource figures read from /proc (Linux only, no psutil)."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench import cpu_clock

REPO = Path(__file__).resolve().parent.parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (VmRSS), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far: its CPU clock, to the
    nanosecond (bench/cpu_clock.py), else its ticks in ``/proc/<pid>/stat`` (10 ms)."""
    precise = cpu_clock.seconds(pid)
    if precise is not None:
        return precise
    return tick_seconds(pid)


def tick_seconds(pid: int) -> float:
    """User + system CPU time from ``/proc/<pid>/stat``, in whole clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_pids(pid: int) -> list[int]:
    """The process and all its descendants (for servers that fork workers)."""
    pids = [pid]
    children_of: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children_of.setdefault(int(stat[1]), []).append(int(entry.name))
    i = 0
    while i < len(pids):
        pids.extend(children_of.get(pids[i], []))
        i += 1
    return pids


def tree_rss(pid: int) -> int:
    total = 0
    for p in tree_pids(pid):
        try:
            total += rss_bytes(p)
        except OSError:
            pass
    return total


def tree_cpu(pid: int) -> float:
    total = 0.0
    for p in tree_pids(pid):
        try:
            total += cpu_seconds(p)
        except OSError:
            pass
    return total


def tree_threads(pid: int) -> int:
    total = 0
    for p in tree_pids(pid):
        try:
            total += thread_count(p)
        except OSError:
            pass
    return total


def start(args: list[str], env: dict[str, str] | None = None, log: Path | None = None,
          pipes: bool = False, cwd: Path = REPO) -> subprocess.Popen:
    """Start a child in its own process group (so stop() can end its whole tree),
    through bench.guard (so it is sent SIGTERM if the bench itself dies). ``cwd``: the
    source tree the child runs (another checkout, to compare with older code)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(cwd) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env["PYTHONUNBUFFERED"] = "1"
    if env:
        full_env.update(env)
    stderr = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "bench.guard", *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
        stdout=subprocess.PIPE if pipes else stderr,
        stderr=stderr,
        text=pipes,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(grace)


class Channel:
    """JSON lines to a child's stdin, JSON lines from its stdout (read on a thread)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                self._lines.put(json.loads(line))
            except json.JSONDecodeError:
                print(f"[child] {line}", file=sys.stderr)
        self._lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def expect(self, event: str, timeout: float) -> dict[str, Any]:
        """The next message whose "event" is `event` (others are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {event!r} from child after {timeout:.0f} s")
            try:
                message = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise RuntimeError(f"child exited ({self.proc.poll()}) while waiting for {event!r}")
            if message.get("event") == "error":
                raise RuntimeError(f"child error: {message.get('message')}")
            if message.get("event") == event:
                return message
