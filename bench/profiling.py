"""Where the server's CPU goes during the bench's changes: py-spy (a sampling profiler
that reads another process's stacks; `pip install py-spy`, or PANO_PY_SPY=/path/to/it)
records the controller during the measured changes of every screen when
`python -m bench --profile DIR` is given, into DIR/<system>-<size>.txt (py-spy's "raw"
collapsed stacks: one line per stack, frames joined by ";", then the sample count).

    python -m bench.profiling DIR/pano-gevent-500.txt   # the top functions

prints the functions holding the most samples, inclusive (anywhere on the stack) and
self (the innermost frame), as shares of all samples. ``PANO_PY_SPY_RATE`` sets the
samples per second (100 by default)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

FRAME_LINE = re.compile(r":\d+\)$")


def py_spy() -> str | None:
    return os.environ.get("PANO_PY_SPY") or shutil.which("py-spy")


class Recorder:
    """py-spy recording one process until stop(); a no-op when py-spy is missing."""

    def __init__(self, pid: int, out: Path, rate: int | None = None) -> None:
        self.out = out
        rate = rate or int(os.environ.get("PANO_PY_SPY_RATE", "100"))
        self.proc: subprocess.Popen | None = None
        exe = py_spy()
        if exe is None:
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
             "--rate", str(rate), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> Path | None:
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        return self.out if self.out.exists() else None


def _function(frame: str) -> str:
    """"name (path/file.py:123)" → "name (path/file.py)": lines of one function merge."""
    return FRAME_LINE.sub(")", frame.strip())


def summarize(raw: Path, top: int = 20) -> dict[str, Any]:
    """Inclusive and self shares of the samples per function."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_function(f) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    return {"samples": total,
            "inclusive": [(name, n / total) for name, n in inclusive.most_common(top)]
            if total else [],
            "self": [(name, n / total) for name, n in own.most_common(top)] if total else []}


def report(raw: Path, top: int = 20) -> str:
    summary = summarize(raw, top)
    lines = [f"{raw}: {summary['samples']} samples", "", "inclusive:"]
    lines += [f"  {share:6.1%}  {name}" for name, share in summary["inclusive"]]
    lines += ["", "self:"]
    lines += [f"  {share:6.1%}  {name}" for name, share in summary["self"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, nargs="+", help="py-spy raw output files")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    for raw in args.raw:
        print(report(raw, args.top))


if __name__ == "__main__":
    main()
