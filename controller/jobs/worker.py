"""The job worker: a Huey consumer whose threads run jobs (``controller/jobs/runner``).

- ``pano-controller worker`` and the controller's embedded subprocess
  (``python -m controller.jobs.worker``, settings on standard input) call
  :func:`run_worker`: the consumer in the foreground until SIGTERM/SIGINT.
- ``jobs_worker: thread`` (tests with the threading server) uses :class:`ThreadWorker`:
  the same consumer in threads of the calling process, without signal handlers.

Threads suffice: decoding (Pillow), hashing (hashlib) and ffprobe/ffmpeg release the
GIL. Every worker process beats for its running jobs every few seconds and, when it
starts, fails the jobs a dead worker of this machine left running
(``controller/jobs/records.py``) and removes the work folders it left
(``controller/housekeeping/work_folders.py``)."""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import sys
import threading
import time
from typing import Any

from huey.consumer import Consumer

from controller.housekeeping.work_folders import sweep_work_folders
from controller.jobs import records
from controller.jobs.context import JobContext
from controller.jobs.queue import JobQueue
from controller.jobs.renders import make_files
from controller.jobs.runner import run_job
from controller.settings import Settings

log = logging.getLogger("pano.jobs")
NICE = 10  # added to the worker process's niceness: jobs yield the CPU to serving


class _QuietConsumer(Consumer):
    """A consumer that leaves the process's signal handlers alone (thread mode)."""

    def _set_signal_handlers(self) -> None:
        pass


class _OneStopConsumer(Consumer):
    """A consumer for which a repeated SIGTERM is the same request to stop. A controller
    stopped by a signal to its process group (systemd, a test harness, a terminal) passes
    it to its embedded worker too and then stops the worker with its own SIGTERM; huey
    takes a second graceful signal as "stop now", which interrupted the job under way
    with a KeyboardInterrupt. SIGINT still stops at once."""

    def _handle_signal(self, signum: int, frame: Any) -> None:
        if signum == signal.SIGTERM and self._signum == signal.SIGTERM:
            return  # already finishing the job under way
        super()._handle_signal(signum, frame)
        if signum == signal.SIGTERM:  # huey made the next one raise: keep ours
            signal.signal(signal.SIGTERM, self._handle_signal)


class _Worker:
    """The queue, the context and the heartbeat of one worker (process or threads)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.context = JobContext.from_settings(settings)
        self.name = records.worker_name()
        self.queue = JobQueue(
            settings, run=lambda job_id: run_job(self.context, job_id, self.name),
            make_files=lambda requests, deadline: make_files(self.context, requests,
                                                            deadline))
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="pano-jobs-heartbeat",
                                      daemon=True)

    def begin(self) -> None:
        records.fail_abandoned(self.context.sessions, dead=records.dead_on_this_host)
        # The work folders of the worker this one replaces (killed mid-job: their locks
        # died with it); folders queued for a worker keep their hold (work_folders.py).
        removed, _ = sweep_work_folders(self.settings.data_dir,
                                        self.settings.sweep_grace_hours * 3600)
        if removed:
            log.info("job worker start: removed %d abandoned work folder(s), %s bytes",
                     len(removed), f"{sum(r.size for r in removed):,}")
        self._beat.start()

    def end(self) -> None:
        self._stop.set()
        self._beat.join(timeout=5)
        self.context.close()

    def _heartbeat(self) -> None:
        while not self._stop.wait(records.HEARTBEAT_EVERY):
            try:
                records.beat(self.context.sessions, self.name)
            except Exception:
                log.exception("job heartbeat")


def run_worker(settings: Settings) -> None:
    """Run the consumer in this process until SIGTERM or SIGINT (a job under way is
    finished first, for up to 30 s). The process runs at a lower CPU priority (``NICE``,
    inherited by ffmpeg and ffprobe): on a machine whose cores the jobs fill, the
    controller serving the sockets is still scheduled first (measured in
    ``bench.import_load``)."""
    os.nice(NICE)
    worker = _Worker(settings)
    worker.begin()
    options = worker.queue.consumer_options()
    consumer = _OneStopConsumer(worker.queue.huey, **options, graceful_signal="TERM",
                                shutdown_timeout=30)
    log.info("job worker %s: %d threads on %s", worker.name, options["workers"],
             type(worker.queue.huey).__name__)
    try:
        consumer.run()
    finally:
        # Stopping now: a late SIGTERM (see _OneStopConsumer) must not kill the process
        # while it exits (Python puts its handlers back to the default at exit).
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        worker.end()


class ThreadWorker:
    """The consumer in threads of this process (``jobs_worker: thread``)."""

    def __init__(self, settings: Settings) -> None:
        self.worker = _Worker(settings)
        self.consumer: Any = _QuietConsumer(self.worker.queue.huey,
                                            **self.worker.queue.consumer_options())

    def start(self) -> ThreadWorker:
        self.worker.begin()
        self.consumer.start()
        return self

    def begin_stop(self) -> None:
        """Nothing to hold back: threads end only when :meth:`stop` ends them."""

    def stop(self) -> None:
        self.consumer.stop(graceful=True)
        self.worker.end()


def main() -> None:
    """``python -m controller.jobs.worker PARENT_PID``: the embedded worker, started by
    ``ControllerServer`` with its settings pickled on standard input."""
    from controller.logging_config import configure_logging

    settings = pickle.loads(sys.stdin.buffer.read())
    if not isinstance(settings, Settings):
        raise SystemExit("expected the controller's settings on standard input")
    configure_logging()
    parent = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else os.getppid()
    threading.Thread(target=_stop_with_parent, args=(parent,), daemon=True,
                     name="pano-jobs-parent").start()
    run_worker(settings)
    # The controller's stop waits for this process to end (a restart with players
    # waiting): leave the heap out of the interpreter's teardown, as controller.server
    # does. This process runs niced, so on a busy machine the teardown is slow.
    gc.disable()
    gc.freeze()


def _stop_with_parent(parent: int) -> None:
    """A controller that ends without stopping its worker (gunicorn exits without
    ``ControllerServer.stop``; ``kill -9``) must not leave it running: when the parent
    is gone, stop as on SIGTERM (the job under way is finished first)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    log.warning("the controller that started this job worker is gone; stopping")
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    main()
