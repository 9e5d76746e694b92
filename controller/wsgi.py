"""The controller as a WSGI app for gunicorn (``deploy/gunicorn.conf.py``)::

    PANO_CONFIG=/etc/pano/controller.yaml gunicorn -c deploy/gunicorn.conf.py controller.wsgi:app

Settings come from the file named by ``PANO_CONFIG`` (default ``config/controller.yaml``)
and the ``PANO_*`` environment variables. Run exactly one gunicorn worker per process
(Socket.IO keeps per-connection state in the process). With several controller
processes behind a load balancer, give them all the same ``message_queue`` and database:
they elect one leader, which runs the change watcher, the APScheduler jobs and the
alerts, and another takes over within seconds when it dies (``controller.leadership``).
``PANO_SCHEDULER=0`` keeps a process out of the election: it only serves
(docs/operations.md, "Scaling out")."""

from __future__ import annotations

import os
from pathlib import Path

from controller.logging_config import configure_logging
from controller.server import ControllerServer
from controller.settings import load_settings

configure_logging()
_config = os.environ.get("PANO_CONFIG")
_settings = load_settings(Path(_config) if _config else None)
server = ControllerServer(_settings, scheduler=True)
app = server.prepare(background=_settings.scheduler)  # false: never the leader
