"""The controller as a WSGI app for gunicorn (``deploy/gunicorn.conf.py``)::

    PANO_CONFIG=/etc/pano/controller.yaml gunicorn -c deploy/gunicorn.conf.py controller.wsgi:app

Settings come from the file named by ``PANO_CONFIG`` (default ``config/controller.yaml``)
and the ``PANO_*`` environment variables. Run exactly one gunicorn worker per process
(Socket.IO keeps per-connection state in the process). The change watcher and the
APScheduler jobs run where ``PANO_SCHEDULER`` is not ``0``: with several controller
processes behind a load balancer, set ``PANO_SCHEDULER=0`` on all but one and give them
all the same ``message_queue`` (docs/operations.md, "Scaling out")."""

from __future__ import annotations

import os
from pathlib import Path

from controller.server import ControllerServer, configure_logging
from controller.settings import load_settings

configure_logging()
_config = os.environ.get("PANO_CONFIG")
_settings = load_settings(Path(_config) if _config else None)
server = ControllerServer(_settings, scheduler=_settings.scheduler)
app = server.prepare(background=_settings.scheduler)
