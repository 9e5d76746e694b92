"""The embedded job worker (``jobs_worker: embedded``, the default): a subprocess the
controller starts (``python -m controller.jobs.worker PID``, the settings pickled on its
standard input), watches and stops, so ``make run`` needs nothing more. The worker stops
by itself when that PID is no longer its parent (a controller killed, or gunicorn
exiting without ``stop``).

When the subprocess dies it is started again after a back-off (1 s, doubling to 30 s;
back to 1 s once it has run for a minute) unless the controller is stopping meanwhile (a
signal to the whole process group stops the worker first: ``begin_stop``); the death is
logged, and the jobs it was running are stored as failed at once (their work folders are
left to the start-up sweep of ``controller/housekeeping``: the dead process's lock is
gone). Every few seconds
the watch also fails running jobs whose heartbeat is stale (a worker on another
machine that died). The watch runs as the server's background task: a greenlet in
gevent mode, where ``subprocess`` is gevent's and waiting never blocks the loop."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from controller.jobs import records
from controller.settings import Settings

log = logging.getLogger("pano.jobs")

BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
HEALTHY_AFTER = 60.0  # seconds alive: the next death starts the back-off afresh
SWEEP_EVERY = 10.0  # seconds between looks for jobs whose worker fell silent
STOP_GRACE = 35.0  # the worker finishes a job under way for up to 30 s
# Seconds between the watch's looks: also how long a stop may wait for the watch to end
# (a controller stopping under a connected fleet: every second counts).
WATCH_STEP = 0.1


class EmbeddedWorker:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 sleep: Callable[[float], Any]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.sleep = sleep
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.restarts = 0
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def spawn(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "controller.jobs.worker",
                                         str(os.getpid())], stdin=subprocess.PIPE)
        assert self.process.stdin is not None
        self.process.stdin.write(pickle.dumps(self.settings))
        self.process.stdin.close()
        self.started_at = time.monotonic()
        log.info("job worker started (pid %d)", self.process.pid)

    def watch(self) -> None:
        """Until :meth:`stop`: restart the worker when it dies, sweep silent jobs."""
        backoff = BACKOFF_FIRST
        next_sweep = 0.0
        while not self._stopping:
            self.sleep(WATCH_STEP)
            process = self.process
            if process is None or self._stopping:
                continue
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + SWEEP_EVERY
                records.fail_abandoned(self.sessions)
            code = process.poll()
            if code is None:
                continue
            # Asked to stop (status 0: it stopped gracefully; or the signal itself): a
            # signal to the whole process group (systemd, Ctrl-C) reaches the worker
            # before this controller's own stop says so; the back-off below waits for
            # that. Anything else is a crash, said at once.
            told = code in (0, -signal.SIGTERM, -signal.SIGINT)
            if not told:
                log.error("job worker (pid %d) died with exit status %s; starting it again "
                          "in %.0f s", process.pid, code, backoff)
            records.fail_abandoned(self.sessions, worker=_name(process))
            if time.monotonic() - self.started_at > HEALTHY_AFTER:
                backoff = BACKOFF_FIRST
            waited = 0.0
            while waited < backoff and not self._stopping:
                self.sleep(0.25)
                waited += 0.25
            if self._stopping:
                log.info("job worker (pid %d) ended (exit status %s) as the controller "
                         "stops; not started again", process.pid, code)
                break
            if told:
                log.warning("job worker (pid %d) was stopped (exit status %s) while the "
                            "controller goes on; started again", process.pid, code)
            backoff = min(backoff * 2, BACKOFF_MAX)
            self.restarts += 1
            self.spawn()

    def begin_stop(self) -> None:
        """The controller is stopping: a worker that ends from now on is not started
        again. Called as soon as the stop is asked (the signal handler), before
        :meth:`stop`, which may come seconds later under a connected fleet."""
        self._stopping = True

    def stop(self) -> None:
        self._stopping = True
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()  # graceful: the job under way is finished first
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                log.warning("job worker (pid %d) did not stop in %.0f s; killed",
                            process.pid, STOP_GRACE)
                process.kill()
                process.wait(timeout=5)
        # Interrupted (SIGINT from a terminal reaches it too) or killed: its jobs failed.
        records.fail_abandoned(self.sessions, worker=_name(process))
        log.info("job worker stopped")


def _name(process: subprocess.Popen[bytes]) -> str:
    """The ``worker`` a child process writes on its jobs (records.worker_name)."""
    return f"{records.worker_name().rpartition(':')[0]}:{process.pid}"
