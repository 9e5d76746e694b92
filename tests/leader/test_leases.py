"""The three leases on the real thing: a Redis key, a PostgreSQL advisory lock, an OS
file lock. Two contenders, one wins; the winner's lease goes when it stops renewing (or
its process, connection or file goes) and the other takes it; a holder that lost it
says so."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from support.postgres import pg_url  # noqa: F401  (fixture)
from support.redis import redis_url  # noqa: F401  (fixture)
from web.helpers import wait_for

from controller.leadership.leases import (
    FileLease,
    LeaseError,
    advisory_key,
    lease_for,
    lock_file,
)
from controller.settings import load_settings


# -- Redis --------------------------------------------------------------------------------
def test_redis_one_of_two_wins_and_the_other_takes_over_once_renewals_stop(redis_url):  # noqa: F811
    from controller.leadership.redis_lease import RedisLease

    key = f"pano-test-lease-{uuid.uuid4().hex}"
    first = RedisLease(redis_url, key, 1.0, "first")
    second = RedisLease(redis_url, key, 1.0, "second")
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        assert first.renew() is True and second.renew() is False
        assert first.holder() == "first"
        # first stops renewing (killed, frozen): Redis lets the key go after the ttl.
        wait_for(second.acquire, what="the second contender to take the expired lease")
        assert second.holder() == "second"
        assert first.renew() is False, "a holder whose lease was taken must say it lost it"
        first.release()  # must not delete the other's key
        assert second.holder() == "second" and second.renew() is True
        second.release()
        assert second.holder() is None
    finally:
        first.close()
        second.close()


def test_redis_unreachable_or_silent_is_an_error_not_an_answer():
    from controller.leadership.redis_lease import RedisLease

    pytest.importorskip("redis")
    lease = RedisLease("redis://127.0.0.1:1/0", "k", 1.0, "me")  # nothing listens there
    with pytest.raises(LeaseError, match="Redis"):
        lease.acquire()
    with pytest.raises(LeaseError):
        lease.renew()
    lease.close()
    # A server that accepts and never answers (a hung Redis, a black hole on the path):
    # the client's own timeout, not a wait without end.
    silent = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    lease = RedisLease(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", "k", 1.0, "me")
    try:
        with pytest.raises(LeaseError, match="[Tt]imeout"):
            lease.renew()
    finally:
        lease.close()
        silent.close()


# -- PostgreSQL ---------------------------------------------------------------------------
def test_postgresql_advisory_lock_one_wins_and_is_freed_when_its_session_ends(pg_url):  # noqa: F811
    from sqlalchemy import create_engine, text

    from controller.leadership.postgres_lease import PostgresLease

    key = advisory_key(f"test-{uuid.uuid4().hex}")
    first = PostgresLease(pg_url, key, 2.0, "first")
    second = PostgresLease(pg_url, key, 2.0, "second")
    third = PostgresLease(pg_url, key, 2.0, "third")
    admin = create_engine(pg_url)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        assert first.renew() is True
        first.close()  # the process (its connection) is gone: the session ends
        assert wait_for(second.acquire, what="the second to take the freed lock")
        assert third.acquire() is False
        # The leader's connection is cut under it (as a server restart would): it says
        # the lease is lost, and the lock is free for another.
        with admin.connect() as conn:
            cut = conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'pano-leader second'")).scalars().all()
            conn.commit()
        assert cut == [True]
        assert second.renew() is False
        assert wait_for(third.acquire, what="the third to take the lock")
        third.release()
        assert wait_for(first.acquire, what="a released lock to be free again")
    finally:
        for lease in (first, second, third):
            lease.close()
        admin.dispose()


# -- the file lock (SQLite) ---------------------------------------------------------------
def test_file_lock_one_wins_and_the_other_takes_it_when_released(tmp_path):
    path = tmp_path / "pano.db.leader.lock"
    first, second = FileLease(path, "first"), FileLease(path, "second")
    assert first.acquire() is True
    assert second.acquire() is False, "two opens of the lock in one process still exclude"
    assert first.renew() is True and second.renew() is False
    assert path.read_text().strip() == "first"
    first.release()
    assert first.renew() is False
    assert second.acquire() is True
    second.close()


HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_file_lock_is_freed_when_its_process_is_killed(tmp_path):
    path = tmp_path / "leader.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        lease = FileLease(path, "me")
        assert lease.acquire() is False
        holder.kill()  # kill -9: no clean-up runs, the kernel drops the lock
        holder.wait(10)
        assert lease.acquire() is True
        lease.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)


# -- which lease a deployment gets ---------------------------------------------------------
def test_the_lease_follows_the_deployment(tmp_path, monkeypatch):
    monkeypatch.delenv("PANO_MESSAGE_QUEUE", raising=False)
    monkeypatch.delenv("PANO_DATABASE_URL", raising=False)
    base = load_settings(data_dir=tmp_path, secret_key="k" * 40)
    lease = lease_for(base)
    assert lease.kind == "file" and lock_file(base) == tmp_path.absolute() / "leader.lock"
    elsewhere = dataclasses.replace(base, database_url=f"sqlite:///{tmp_path}/db/x.db")
    assert lock_file(elsewhere) == Path(f"{tmp_path}/db/x.db.leader.lock")
    pg = dataclasses.replace(base, database_url="postgresql+psycopg://u@127.0.0.1:1/d")
    assert lease_for(pg).kind == "postgresql"
    pytest.importorskip("redis")
    both = dataclasses.replace(pg, message_queue="redis://127.0.0.1:1/0")
    assert lease_for(both).kind == "redis"
    assert advisory_key("pano") == advisory_key("pano") != advisory_key("other")
    assert -2**63 <= advisory_key("pano") < 2**63
