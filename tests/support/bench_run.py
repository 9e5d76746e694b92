"""Run one ``python -m bench.<module>`` to completion from the repository, as a person
would, for the benches' smoke tests (no timing is asserted on what it prints)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_bench(module: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m bench.<module> <args>``; its exit code, standard output and error."""
    return subprocess.run([sys.executable, "-m", f"bench.{module}", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, check=False)
