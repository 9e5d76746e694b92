"""The embedded job worker's watch (controller/jobs/supervisor.py) with a real worker
subprocess: a worker that crashes is started again; one stopped by the signal that stops
the whole controller (a service manager's SIGTERM to the process group reaches the
worker first) is neither started again nor called a crash once the controller's
``begin_stop`` has come, even seconds before its ``stop``."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

import pytest

from controller.db import make_engine, make_session_factory, upgrade
from controller.jobs.supervisor import EmbeddedWorker
from controller.settings import load_settings


@pytest.fixture
def worker(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    embedded = EmbeddedWorker(settings, make_session_factory(engine), time.sleep)
    embedded.spawn()
    watch = threading.Thread(target=embedded.watch, daemon=True)
    watch.start()
    yield embedded, watch
    embedded.stop()
    watch.join(10)
    engine.dispose()


def _ended(process, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        assert time.monotonic() < deadline, "the worker did not end"
        time.sleep(0.05)
    return process.returncode


def test_a_worker_stopped_with_the_controller_is_not_started_again(worker, caplog):
    embedded, watch = worker
    first = embedded.process
    caplog.set_level(logging.INFO, logger="pano.jobs")
    os.kill(first.pid, signal.SIGTERM)  # the group's signal, first to the worker
    assert _ended(first) in (0, -signal.SIGTERM)
    time.sleep(0.3)  # the watch sees it end before the controller's signal handler runs
    embedded.begin_stop()
    watch.join(10)
    assert not watch.is_alive()
    assert embedded.restarts == 0 and embedded.process is first, "started again"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_a_worker_that_crashes_is_started_again_and_said_so(worker, caplog):
    embedded, _watch = worker
    first = embedded.process
    caplog.set_level(logging.INFO, logger="pano.jobs")
    os.kill(first.pid, signal.SIGKILL)
    assert _ended(first) == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while embedded.process is first:
        assert time.monotonic() < deadline, "the worker was not started again"
        time.sleep(0.05)
    assert embedded.restarts == 1
    assert "died with exit status -9" in caplog.text
