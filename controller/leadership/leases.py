"""What a leader holds, and how each kind is taken, kept and given back.

A lease answers three questions for the elector (``controller.leadership.elector``):
``acquire()`` — is it mine now? (tried once, never waits); ``renew()`` — is it still
mine? (False: certainly lost, step down); ``release()`` — give it back; ``close()`` —
done with it (after ``release``, or instead of it on the way out). A backend that
cannot be reached raises :class:`LeaseError`: the elector then does not know, keeps
trying, and steps down when its time is over.

The kind follows the deployment (``lease_for``): several processes on several machines
share a Redis message queue — a key there (``controller.leadership.redis_lease``); no
Redis but PostgreSQL — an advisory lock (``controller.leadership.postgres_lease``);
SQLite, which lives on one machine — an OS file lock (``flock``) beside the database,
held by an open file: the kernel lets it go when the process dies, however it dies."""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from controller.settings import Settings


class LeaseError(Exception):
    """The lease's backend did not answer: whether the lease is held is unknown."""


class Lease(Protocol):
    kind: str

    def acquire(self) -> bool: ...

    def renew(self) -> bool: ...

    def release(self) -> None: ...

    def close(self) -> None: ...


def owner_id() -> str:
    """This process's name on a lease: host, process id and a random part (a restarted
    process that got the same id is still another owner)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class FileLease:
    """An exclusive ``flock`` on ``path``. The lock belongs to the open file, so two
    processes — or two servers in one process, as tests run them — cannot both hold it,
    and it cannot expire: it is lost only with the file descriptor (release or death)."""

    kind = "file"

    def __init__(self, path: Path, owner: str = "") -> None:
        self.path = path
        self.owner = owner or owner_id()
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LeaseError(f"cannot open the lock file {self.path}: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError as exc:
            os.close(fd)
            raise LeaseError(f"cannot lock {self.path}: {exc}") from None
        self._fd = fd
        try:  # for a person looking: who leads (the lock, not this text, decides)
            os.ftruncate(fd, 0)
            os.pwrite(fd, (self.owner + "\n").encode(), 0)
        except OSError:
            pass
        return True

    def renew(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def close(self) -> None:
        self.release()


def lock_file(settings: Settings) -> Path:
    """Where SQLite deployments lock: beside the database file (every process that uses
    that database sees the same file), ``data_dir/leader.lock`` for the default one."""
    url = settings.database_url
    if url.startswith("sqlite:///") and url.removeprefix("sqlite:///") not in ("", ":memory:"):
        db = Path(url.removeprefix("sqlite:///")).absolute()
        return db.with_name(db.name + ".leader.lock")
    return Path(settings.data_dir).absolute() / "leader.lock"


def advisory_key(channel: str) -> int:
    """A 64-bit PostgreSQL advisory lock key for a deployment (its channel name)."""
    digest = hashlib.sha256(f"pano-leader:{channel}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lease_for(settings: Settings, owner: str | None = None) -> Lease:
    """The lease this deployment's processes contend for (see the module's docstring)."""
    owner = owner or owner_id()
    if settings.message_queue.startswith(("redis://", "rediss://")):
        from controller.leadership.redis_lease import RedisLease

        return RedisLease(settings.message_queue, f"{settings.message_queue_channel}:leader",
                          settings.leader_ttl, owner)
    if settings.db_url.startswith("postgresql"):
        from controller.leadership.postgres_lease import PostgresLease

        return PostgresLease(settings.db_url, advisory_key(settings.message_queue_channel),
                             settings.leader_ttl, owner)
    return FileLease(lock_file(settings), owner)
