"""gunicorn settings for the Pano controller in production.

    gunicorn --config /opt/pano/deploy/gunicorn.conf.py

Rules that are not negotiable with Flask-SocketIO:

* **One worker per process.** A Socket.IO connection's state lives in the process that
  accepted it; gunicorn's load balancing across workers would break every connection
  that is not WebSocket-only. To use more cores, run more processes (more units, each
  on its own port) behind the load balancer with ``message_queue`` set
  (docs/operations.md, "Scaling out").
* **Concurrency inside the worker** comes from gevent (one greenlet per connection) or
  from threads (one OS thread per connection: a WebSocket holds its thread for as long
  as the player is connected). The async mode of the app must match the worker class;
  this file sets ``PANO_ASYNC_MODE`` for the app from the same choice.
* **worker_connections above the player count** (gevent): past it, new connections and
  HTTP requests wait, and the panel seems to hang. Count every screen, plus the panel's
  users and the media downloads in flight.

The WSGI application is ``controller.wsgi:app``: a module that builds the app from the
settings (the file named by ``PANO_CONFIG``, then ``PANO_*`` variables) and, unless
``PANO_SCHEDULER=0``, starts the job worker and takes part in the leader election (with
``socketio.start_background_task``): the elected process runs the change watcher, the
one APScheduler and the alerts, and does its first rebuild before serving — what
``pano-controller serve`` does, minus listening. Run several such processes behind the
load balancer for redundancy (docs/operations.md, "Scaling out"): one leads, another
takes over within seconds of its death. gunicorn's gevent worker monkey-patches before
it imports the app.

Every value below can be overridden from the environment (``PANO_*``) or on the
gunicorn command line.
"""

import os

_mode = os.environ.setdefault("PANO_ASYNC_MODE", "gevent")
_players = int(os.environ.get("PANO_MAX_PLAYERS", "1000"))
# Headroom over the players: panel users, API clients, media downloads, reconnect bursts.
_connections = _players + max(200, _players // 2)

wsgi_app = os.environ.get("PANO_WSGI_APP", "controller.wsgi:app")
bind = [f"{os.environ.get('PANO_HOST', '127.0.0.1')}:{os.environ.get('PANO_PORT', '8080')}"]
chdir = os.environ.get("PANO_DATA_DIR", "/var/lib/pano")

workers = 1
if _mode == "gevent":
    # gunicorn's gevent worker plus deadlines for request headers and bodies
    # (controller/edge/http_server.py, docs/security.md).
    worker_class = "controller.edge.gunicorn_worker.BoundedGeventWorker"
    worker_connections = _connections
elif _mode == "threading":
    worker_class = "gthread"
    # Every WebSocket holds one of these threads for as long as the screen is connected.
    threads = _connections
    # gthread keeps idle HTTP keep-alive connections only in the slots above `threads`.
    worker_connections = _connections + 256
else:
    raise ValueError(f"PANO_ASYNC_MODE must be gevent or threading, got {_mode!r}")

# Never load the app in the master: the app starts background tasks (the election and,
# when elected, the change watcher and scheduler) that must live in the worker, and gevent
# must patch before the import.
preload_app = False
# Seconds a worker may go without notifying the master. Long-lived WebSockets are fine
# (the worker notifies from its own loop), but a blocked worker is restarted.
timeout = 60
# On SIGTERM: stop accepting, let players disconnect (they reconnect to the restarted
# process within seconds and keep playing meanwhile).
graceful_timeout = 15
keepalive = 5
# Above any real panel or API request; players' messages are limited by the app.
limit_request_line = 8190

# Behind nginx on the same machine: trust its X-Forwarded-* headers only.
forwarded_allow_ips = "127.0.0.1,::1"
proxy_allow_ips = "127.0.0.1,::1"

# Logs to stderr, collected by journald. The access log is off: every media download
# and poll would be a line; nginx keeps one already.
errorlog = "-"
loglevel = os.environ.get("PANO_LOG_LEVEL", "info")
accesslog = None
capture_output = True
proc_name = "pano-controller"
# systemd supervises the process: the control socket of recent gunicorn is not needed (older
# gunicorn ignores this setting).
control_socket_disable = True


def worker_exit(server: object, worker: object) -> None:
    """Give the leader's lease back (another process takes over at its next try instead
    of after the lease's time), write the acks and heartbeats still held in memory (they
    are batched every 0.5 s) and close the players' connections cleanly before the
    worker goes."""
    import sys

    wsgi = sys.modules.get("controller.wsgi")
    if wsgi is not None:
        wsgi.server.stop()
