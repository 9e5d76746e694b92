"""The controller's and the job worker's log lines on standard error: time, level,
logger, message (``pano-controller serve``, gunicorn's ``controller.wsgi``, the worker)."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: int = logging.INFO) -> None:
    """One handler on the root logger (none added if one is there: a host's own logging
    stays), werkzeug's request lines only from warnings on."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
