"""`python -m bench.guard CMD ARGS…` — run CMD so that it gets SIGTERM when the bench
process that started it dies, however it dies (even SIGKILL): Linux's parent-death
signal, set here and kept across exec. The bench starts every child through this, in
its own process group, so no server or client outlives a killed benchmark."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.guard CMD [ARGS…]")
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        sys.exit(f"bench.guard: prctl failed (errno {ctypes.get_errno()})")
    if os.getppid() != parent:  # the parent died before prctl: nobody to wait for
        sys.exit(1)
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
