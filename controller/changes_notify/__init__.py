"""How a committed change reaches the change watcher at once (issue 14,
docs/architecture.md "The push path").

``controller.changes.bump`` marks the session (``commit_hook.mark_bumped``); on
PostgreSQL it also sends ``NOTIFY pano_changes`` in the transaction, which the server
delivers to every listener when (and only if) it commits. After the commit the hook
wakes the watchers of this process, sends a datagram to the watcher of the same SQLite
database on this machine (``local``) and publishes on Redis when the process has a
message queue (``redis_pubsub``). The watcher's process listens on each transport its
deployment has (``listening.start_listener``); each listener reconnects with backoff.
Nothing is carried but "something changed": the watcher reads what from the change log,
so a lost, repeated or forged notification costs at most one cheap read. The watcher's
slow poll is the safety net for whatever is lost.

This package imports nothing heavy at the top: every command-line call imports it.
"""

CHANNEL = "pano_changes"  # the PostgreSQL NOTIFY channel
