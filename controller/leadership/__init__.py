"""Leader election: exactly one controller process of a deployment runs the work that
must not run twice (the change watcher and its rebuilds and pushes, APScheduler's
roll-over, the alerts, the presence sweeper, the live panel feed).

- ``leases``: what is held — a Redis key (``redis_lease``) when the deployment has a
  Redis message queue, else a PostgreSQL advisory lock (``postgres_lease``), else an OS
  file lock beside the SQLite database; ``lease_for(settings)`` picks one.
- ``elector``: the loop that tries to take the lease (every second while following),
  renews it (every third of its time to live while leading), and steps down at once when
  it cannot renew in time.
- ``fencing``: the leader's publisher refuses to rebuild once the lease's time is over,
  and a new leader pushes what the old one stored but may not have pushed.

docs/architecture.md, "Leader election", says why; docs/operations.md, "Scaling out",
how to run and watch it."""
