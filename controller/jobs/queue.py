"""The job queue: a Huey instance chosen by the settings, and the one task it carries.

- ``jobs_url: redis://…`` (or, when ``jobs_url`` is empty, a Redis ``message_queue``):
  ``PriorityRedisHuey`` with a blocking pop, so a worker on any machine picks a job up at once.
  Scale-out deployments have that Redis already (docs/operations.md, "Scaling out").
- Otherwise ``SqliteHuey`` in ``data_dir/jobs-queue.db`` (or the ``sqlite:///`` file
  named): nothing to install for ``make run``. A separate file from ``pano.db`` so the
  queue's own writes never wait for the controller's. An idle worker polls it with a
  short back-off (``POLL_MIN``..``POLL_MAX``), so a job starts within a quarter second.

The queue carries job ids (what to do, and for whom, is in the ``jobs`` row,
``controller/jobs/records.py``, which the person reads) and the specs of slides, badges
and renditions a rebuild needs (``controller/jobs/renders.py``), at a higher priority
than imports. Huey keeps no results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from huey import Huey, PriorityRedisHuey, SqliteHuey

from controller.settings import Settings

POLL_MIN, POLL_MAX = 0.05, 0.25  # seconds between an idle SQLite worker's looks
TASK_NAME = "pano.run_job"
FILES_TASK = "pano.make_files"


def jobs_url(settings: Settings) -> str:
    """Where the queue lives, after the defaults: a redis:// or sqlite:/// address."""
    if settings.jobs_url:
        return settings.jobs_url
    if settings.message_queue.startswith(("redis://", "rediss://")):
        return settings.message_queue
    return f"sqlite:///{Path(settings.data_dir).absolute() / 'jobs-queue.db'}"


def make_huey(settings: Settings) -> Huey:
    url = jobs_url(settings)
    name = f"pano-jobs-{settings.message_queue_channel}"
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, utc=True)
    # The priority variant: a rebuild's files go before imports (a sorted set, popped
    # with BZPOPMIN: still a blocking pop).
    return PriorityRedisHuey(name, url=url, blocking=True, read_timeout=1, results=False,
                             utc=True)


class JobQueue:
    """The queue of one process: ``enqueue(job_id)`` in the controller; in a worker,
    the task runs ``run(job_id)`` (``controller/jobs/runner.py``)."""

    def __init__(self, settings: Settings, run: Callable[[str], Any] | None = None,
                 make_files: Callable[[list[Any], float], Any] | None = None) -> None:
        self.settings = settings
        self.huey = make_huey(settings)
        self._run = run
        self._make_files = make_files
        self.task = self.huey.task(name=TASK_NAME)(self._execute)
        # Files a rebuild needs (controller/jobs/renders.py): first, before any import.
        self.files_task = self.huey.task(name=FILES_TASK, priority=10)(self._files)

    def _execute(self, job_id: str) -> None:
        if self._run is None:
            raise RuntimeError("this process only enqueues jobs")
        self._run(job_id)

    def _files(self, requests: list[Any], deadline: float) -> None:
        if self._make_files is None:
            raise RuntimeError("this process only enqueues jobs")
        self._make_files(requests, deadline)

    def enqueue(self, job_id: str) -> None:
        self.task(job_id)

    def request_files(self, requests: list[Any], deadline: float) -> None:
        """Ask for a rebuild's files; ``deadline``: when it stops waiting (time.time())."""
        self.files_task(requests, deadline)

    def consumer_options(self) -> dict[str, Any]:
        return {"workers": self.settings.jobs_workers, "worker_type": "thread",
                "periodic": False, "initial_delay": POLL_MIN, "backoff": 1.5,
                "max_delay": POLL_MAX, "check_worker_health": True}
