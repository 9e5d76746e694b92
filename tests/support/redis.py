"""The local Redis for tests of several controller processes sharing a message queue:
skipped with the reason when none answers, a failure under CI=true (where it must be)."""

from __future__ import annotations

import os
import socket

import pytest

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379 (required under CI=true)")
        pytest.skip("Redis is not running on 127.0.0.1:6379; start it to test scaling out")
    pytest.importorskip("redis", reason="the 'redis' package (extra 'scale') is missing")
    return f"redis://{REDIS[0]}:{REDIS[1]}/{database_number()}"


def database_number() -> int:
    """A Redis database of its own (1-15), so parallel runs do not hear each other: the
    xdist worker's number (gw0 → 1, …) under `make test`, else from the process id."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        return int(worker[2:]) % 15 + 1
    return os.getpid() % 15 + 1
