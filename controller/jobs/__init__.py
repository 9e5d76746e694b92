"""Jobs: CPU-heavy work done off the process that serves requests and sockets.

The production server is one gevent process: any CPU work in a request stalls every
socket. So an HTTP handler only decides and enqueues (a row in ``jobs``, a message on
the queue); a worker process (``pano-controller worker``, or the subprocess the
controller starts itself) unpacks, decodes, hashes and writes; the person follows the
job's progress (``GET /api/v1/jobs/<id>``). Modules:

- ``queue``: the Huey queue from the settings (SQLite in data_dir, or Redis).
- ``records``: the ``jobs`` rows: create, start, progress, finish, fail, abandoned.
- ``context``: what a job needs in the worker (engine, sessions, media store).
- ``playlist_import`` / ``media_upload``: the two kinds of job.
- ``runner``: runs one job by id (status, errors, work folder).
- ``worker``: the consumer, as a process or as threads (tests).
- ``supervisor``: the embedded worker subprocess, restarted when it dies.
- ``waiting``: how a request waits for its job without blocking the event loop.

**The SQLite rule.** SQLite has one writer, and in the gevent server a wait for its
write lock blocks the whole event loop (the busy handler sleeps in C). So a job never
holds the write lock for long: it commits after each file or step, decodes and hashes
outside any write transaction, and writes its progress in short transactions of their
own, at most a few per second. Code in this package relies on that rule where it says so.
"""
