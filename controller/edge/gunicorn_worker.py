"""gunicorn's gevent worker with Pano's request deadlines (controller.edge.http_server):
``worker_class = "controller.edge.gunicorn_worker.BoundedGeventWorker"`` in
deploy/gunicorn.conf.py. gunicorn's own gevent worker has no deadline for request
headers or bodies (its ``timeout`` is about a blocked worker, ``keepalive`` about idle
connections)."""

from __future__ import annotations

from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler

from controller.edge.http_server import bounded_handler_class


class BoundedGeventWorker(GeventPyWSGIWorker):
    wsgi_handler = bounded_handler_class(PyWSGIHandler)
